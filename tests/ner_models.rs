//! Checks of the shipped NER models (`models/ner/`): they load, honour the `Tagger`
//! contract on arbitrary input, and (when the development data in `../shared/data` is
//! present) still reach their recorded dev scores.

use newsclaims::document::Lang;
use newsclaims::eval::{conll, evaluate_ner};
use newsclaims::ner::{EmbeddedTagger, RussianModel, Tagger};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ner");

fn tagger() -> &'static EmbeddedTagger {
    static T: OnceLock<EmbeddedTagger> = OnceLock::new();
    T.get_or_init(|| EmbeddedTagger::load_dir(Path::new(MODELS)).expect("shipped models load"))
}

/// The `Tagger` contract: sorted, non-overlapping, non-empty spans inside the sentence,
/// confidences in [0, 1].
fn check_contract(lang: Lang, words: &[&str]) {
    let spans = tagger().tag(lang, words).expect("model present");
    let mut prev_end = 0;
    for s in &spans {
        assert!(
            s.start >= prev_end && s.start < s.end && s.end <= words.len(),
            "{spans:?}"
        );
        assert!((0.0..=1.0).contains(&s.confidence), "{spans:?}");
        prev_end = s.end;
    }
}

#[test]
fn all_languages_load_and_find_obvious_entities() {
    assert_eq!(tagger().languages(), vec![Lang::Az, Lang::Ru, Lang::En]);
    let cases: [(Lang, &str); 3] = [
        (
            Lang::En,
            "President Barack Obama met Angela Merkel in Berlin on Monday .",
        ),
        (
            Lang::Ru,
            "Президент России Владимир Путин прилетел в Москву .",
        ),
        (
            Lang::Az,
            "Prezident İlham Əliyev Bakıda Fransa səfiri ilə görüşüb .",
        ),
    ];
    for (lang, text) in cases {
        let words: Vec<&str> = text.split(' ').collect();
        check_contract(lang, &words);
        let spans = tagger().tag(lang, &words).unwrap();
        assert!(spans.len() >= 2, "{lang}: {spans:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_input_gives_valid_spans(
        words in proptest::collection::vec("[A-Za-zƏəİıЁёА-я0-9.,'-]{1,8}", 0..30),
        lang_idx in 0usize..3,
    ) {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        check_contract(Lang::ALL[lang_idx], &words);
    }
}

/// The shipped models with the plain Russian perceptron instead of the stacked one.
fn perceptron_tagger() -> &'static EmbeddedTagger {
    static T: OnceLock<EmbeddedTagger> = OnceLock::new();
    T.get_or_init(|| {
        EmbeddedTagger::load_dir_with(Path::new(MODELS), RussianModel::Perceptron)
            .expect("shipped models load")
    })
}

/// Micro F1 of the default tagger on a dev file, or `None` (with a message) without the data.
fn dev_f1(lang: Lang, file: &str) -> Option<f64> {
    dev_f1_of(tagger(), lang, file, usize::MAX)
}

/// Micro F1 of `tagger` on the first `limit` sentences of a dev file, or `None` (with a
/// message) without the data.
fn dev_f1_of(tagger: &EmbeddedTagger, lang: Lang, file: &str, limit: usize) -> Option<f64> {
    let path = Path::new(DATA).join(file);
    if !path.exists() {
        eprintln!(
            "skipping: {} not found (development data absent)",
            path.display()
        );
        return None;
    }
    let mut gold = conll::read_file(&path).expect("dev file parses");
    gold.truncate(limit);
    Some(
        evaluate_ner(tagger, lang, &gold)
            .expect("model present")
            .micro
            .f1,
    )
}

#[test]
fn dev_scores_do_not_regress() {
    // Floors slightly under the scores recorded in models/README.md.
    if let Some(f1) = dev_f1(Lang::En, "en/conll2003.dev.conll") {
        assert!(f1 >= 90.5, "en dev micro F1 {f1}");
    }
    let nerel = "ru/nerel.dev.conll";
    if let Some(f1) = dev_f1_of(perceptron_tagger(), Lang::Ru, nerel, usize::MAX) {
        // Uptrained on RuCoCo labelled by the default tagger (86.81; 82.70 on NEREL alone).
        assert!(f1 >= 86.0, "ru perceptron NEREL dev micro F1 {f1}");
    }
}

#[test]
fn russian_default_dev_scores_do_not_regress() {
    // The perceptron stacked on slovnet, on the first 150 sentences only: an unoptimised
    // test build runs the network at a few hundred words per second. Floors under the
    // scores of these sentences (factRuEval 79.57, NEREL 87.62 with the name gate, 78.56 and
    // 87.66 without; the whole NEREL dev set rose with the distilled data, 88.19 -> 88.72,
    // these 150 sentences fell from 89.22).
    let stacked = tagger();
    let ru = stacked.model(Lang::Ru).expect("a Russian model");
    assert!(
        ru.uses_slovnet && stacked.slovnet().is_some(),
        "the stacked model ships"
    );
    if let Some(f1) = dev_f1_of(stacked, Lang::Ru, "ru/factru.dev.conll", 150) {
        assert!(f1 >= 76.5, "ru stacked factRuEval dev micro F1 {f1}");
    }
    if let Some(f1) = dev_f1_of(stacked, Lang::Ru, "ru/nerel.dev.conll", 150) {
        assert!(f1 >= 87.0, "ru stacked NEREL dev micro F1 {f1}");
    }
}

#[test]
fn the_russian_name_gate_tags_only_the_parts_that_may_hold_a_name() {
    let gated = tagger();
    let gate = gated.name_gate(Lang::Ru).expect("ru.name-gate.tsv ships");
    assert!(gated.name_gate(Lang::En).is_some() && gated.name_gate(Lang::Az).is_some());
    let ungated = gated.clone().without_name_gates();
    let sentences: Vec<Vec<&str>> = [
        "В пятницу в городе было тепло .",
        "Однако он сказал : « Мы уйдём » .",
        "Президент России Владимир Путин прилетел в Москву .",
        "Полиция задержала троих .",
        "Он встретился с японским послом .",
        "В Москве прошёл митинг .",
    ]
    .iter()
    .map(|s| s.split(' ').collect())
    .collect();
    let open: Vec<bool> = sentences.iter().map(|s| gate.may_name(s)).collect();
    assert_eq!(open, [false, false, true, true, true, true]);
    let with = gated.tag_batch(Lang::Ru, &sentences).unwrap();
    let without = ungated.tag_batch(Lang::Ru, &sentences).unwrap();
    for ((w, wo), open) in with.iter().zip(&without).zip(&open) {
        if *open {
            assert_eq!(w, wo);
        } else {
            assert!(w.is_empty());
        }
    }
    assert!(!with[2].is_empty() && !with[5].is_empty());

    // In a long sentence the tagger sees only the words around possible names, as
    // sentences of their own; spans come back at their place in the whole sentence.
    let long: Vec<&str> = "Как сообщили в пятницу в ходе пресс - конференции , участники \
         совещания долго обсуждали вопросы бюджета , налогов и тарифов , а затем министр \
         финансов Антон Силуанов заявил о новых мерах ."
        .split(' ')
        .collect();
    let regions = gate.regions(&long);
    assert!(!regions.is_empty() && regions[0].start > 0, "{regions:?}");
    let mut expected = Vec::new();
    for r in &regions {
        for span in ungated.tag(Lang::Ru, &long[r.clone()]).unwrap() {
            expected.push((span.start + r.start, span.end + r.start, span.kind));
        }
    }
    let got: Vec<_> = gated
        .tag(Lang::Ru, &long)
        .unwrap()
        .into_iter()
        .map(|s| (s.start, s.end, s.kind))
        .collect();
    assert_eq!(got, expected);
    assert!(!got.is_empty());
}

#[test]
fn azerbaijani_news_gold_does_not_regress() {
    // The hand-checked NTREX news lines shipped in corpora/ (never trained on): 85.16 micro
    // F1 with the transformer-distilled news, 70.20 with the projected silver labels before
    // it, 60.00 with neither (models/README.md).
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/ner-az-news/ntrex-957-1000.az.conll");
    let gold = conll::read_file(&path).expect("the az news gold parses");
    let f1 = evaluate_ner(tagger(), Lang::Az, &gold)
        .expect("model present")
        .micro
        .f1;
    assert!(f1 >= 83.0, "az news micro F1 {f1}");
}
