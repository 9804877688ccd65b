//! Attribution constructions in Russian and Azerbaijani: texts written by this team, each with
//! the claims the pipeline must find (and nothing else). Run through the library with the
//! shipped models, as `extract` runs them.

use newsclaims::claims::ClaimRow;
use newsclaims::ingest::Record;
use newsclaims::ner::EmbeddedTagger;
use newsclaims::pipeline::{DocumentSettings, process_document};
use newsclaims::resources::{Resources, bundled_models_dir};
use std::sync::OnceLock;

/// One expected claim: kind, speaker as written, cue, a phrase the content contains, the
/// outlet, and the resolved speaker.
pub struct Expect {
    pub kind: &'static str,
    pub speaker: &'static str,
    pub cue: &'static str,
    pub content_has: &'static str,
    pub reported_by: &'static str,
    pub resolved: &'static str,
}

pub const fn claim(
    kind: &'static str,
    speaker: &'static str,
    cue: &'static str,
    content_has: &'static str,
) -> Expect {
    Expect {
        kind,
        speaker,
        cue,
        content_has,
        reported_by: "",
        resolved: speaker,
    }
}

impl Expect {
    pub const fn via(mut self, reported_by: &'static str) -> Expect {
        self.reported_by = reported_by;
        self
    }

    pub const fn resolved(mut self, resolved: &'static str) -> Expect {
        self.resolved = resolved;
        self
    }
}

fn models() -> &'static (Resources, EmbeddedTagger) {
    static MODELS: OnceLock<(Resources, EmbeddedTagger)> = OnceLock::new();
    MODELS.get_or_init(|| {
        let dir = bundled_models_dir();
        let resources = Resources::load(&dir).expect("models load");
        let tagger = EmbeddedTagger::load_dir(&dir.join("ner")).expect("NER models load");
        (resources, tagger)
    })
}

fn extract(lang: &str, text: &str) -> Vec<ClaimRow> {
    let (resources, tagger) = models();
    let record = Record {
        id: "case".into(),
        source: "case".into(),
        record: "case".into(),
        text: text.into(),
        title: None,
        date: None,
        url: None,
        outlet: None,
        lang: Some(lang.into()),
    };
    process_document(&record, resources, tagger, DocumentSettings::default()).claims
}

/// Checks every case and reports all failures at once.
pub fn check(lang: &str, cases: &[(&str, Vec<Expect>)]) {
    let mut failures = Vec::new();
    let mut sentences = 0;
    for (text, expected) in cases {
        sentences += text.matches(['.', '!', '?']).count().max(1);
        let got = extract(lang, text);
        let shown: Vec<String> = got
            .iter()
            .map(|c| {
                format!(
                    "{} | {} | {} | {} | via {:?} | = {:?}",
                    c.kind, c.speaker, c.cue, c.content, c.reported_by, c.speaker_resolved
                )
            })
            .collect();
        if got.len() != expected.len() {
            failures.push(format!(
                "{text}\n  expected {} claims, got:\n    {}",
                expected.len(),
                shown.join("\n    ")
            ));
            continue;
        }
        for (e, c) in expected.iter().zip(&got) {
            let ok = c.kind == e.kind
                && c.speaker == e.speaker
                && c.cue == e.cue
                && c.content.contains(e.content_has)
                && c.reported_by == e.reported_by
                && c.speaker_resolved == e.resolved;
            if !ok {
                failures.push(format!(
                    "{text}\n  expected {} | {} | {} | ~{} | via {:?} | = {:?}\n  got:\n    {}",
                    e.kind,
                    e.speaker,
                    e.cue,
                    e.content_has,
                    e.reported_by,
                    e.resolved,
                    shown.join("\n    ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {lang} cases fail:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    assert!(
        sentences >= 40,
        "{lang}: only {sentences} sentences of cases"
    );
}

#[test]
fn russian_constructions() {
    check("ru", &crate::attribution_ru::cases());
}

#[test]
fn azerbaijani_constructions() {
    check("az", &crate::attribution_az::cases());
}

/// English contents whose pieces lie on both sides of their source and cue, linked as
/// PolNeAR annotates them (the learned labeller finds the pieces, the linking joins them).
#[test]
fn english_contents_around_their_cue() {
    let content_of = |text: &str, cue: &str| -> String {
        let claims = extract("en", text);
        let found = claims.iter().find(|c| c.cue == cue);
        found
            .unwrap_or_else(|| panic!("no claim with cue {cue:?} in {text:?}: {claims:?}"))
            .content
            .clone()
    };
    // A source and cue set off by commas: the clause before them belongs to the content.
    assert_eq!(
        content_of(
            "Back in Virginia, Mr. Clarke said, he decided to take aim at the coal industry.",
            "said"
        ),
        "Back in Virginia, Mr. Clarke said, he decided to take aim at the coal industry"
    );
    // Two quotations around a long description of the speaker are one content.
    let both = content_of(
        "\"Wall Street is a pretty cynical place,\" said Tim Hess, a real estate developer in \
         Virginia who introduced Mr. Clarke to his banking contacts. \"But when you see \
         somebody with that kind of passion, people lean forward.\"",
        "said",
    );
    assert!(
        both.starts_with("\"Wall Street") && both.ends_with("lean forward.\""),
        "{both}"
    );
    // A quotation does not take in the words after its own cue.
    assert_eq!(
        content_of(
            "\"It just amazed me how quickly they rushed through everything,\" Mr. Clarke \
             recalled of the proceedings.",
            "recalled of"
        ),
        "\"It just amazed me how quickly they rushed through everything,\""
    );
}

/// The cue keeps an auxiliary verb, as PolNeAR's cues do ("has said"), but not an adverb
/// before the verb ("actually accused" -> "accused", as the seed article's gold has it).
#[test]
fn english_cues_keep_auxiliaries_and_drop_adverbs() {
    let claims = extract(
        "en",
        "The opposition leader John Smith has repeatedly said that the election was rigged. \
         Officials in London have said the vote was fair. Mary Jones actually accused the \
         government of lying.",
    );
    let cues: Vec<&str> = claims.iter().map(|c| c.cue.as_str()).collect();
    assert_eq!(
        cues,
        ["has repeatedly said", "have said", "accused"],
        "{claims:?}"
    );
}
