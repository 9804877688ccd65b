//! Tagging throughput of the embedded NER models, in tokens per second on one core: the
//! perceptrons of every language on every sentence (`ner_tag/az`, `ru`, `en`), the same
//! behind their name gates as the pipeline runs them (`ner_tag/az_gated`, ...: sentences
//! without a possible name are skipped, long ones cut to the parts around names; the
//! throughput still counts every token), and the Russian slovnet network
//! (`ner_tag/ru_slovnet`, on the first 300 sentences: it is several times slower).
//!
//! Sentences come from the dev files under `../shared/data/ner/` when that directory exists
//! (the development checkout), else from a small built-in text, so a user's clone still
//! benchmarks. Run with `cargo bench --bench ner`; criterion prints `thrpt` in elements
//! (tokens) per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsclaims::document::Lang;
use newsclaims::eval::conll;
use newsclaims::ner::{EmbeddedTagger, RussianModel, SlovnetModel, Tagger};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ner");
const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner");

/// Used when the shared data is absent: a few news-like sentences per language.
const BUILTIN: [(Lang, &str); 3] = [
    (
        Lang::En,
        "The European Commission said on Thursday it disagreed with German advice to consumers .",
    ),
    (
        Lang::Ru,
        "Президент России Владимир Путин встретился в Москве с главой Газпрома Алексеем Миллером .",
    ),
    (
        Lang::Az,
        "Azərbaycan Respublikasının Prezidenti İlham Əliyev Bakıda Dünya Bankının nümayəndələrini qəbul edib .",
    ),
];

/// Dev sentences of a language, or the built-in one repeated.
fn sentences(lang: Lang) -> Vec<Vec<String>> {
    let file = match lang {
        Lang::En => "en/conll2003.dev.conll",
        Lang::Ru => "ru/factru.dev.conll",
        // The az dev split lives outside the data dir; the training file's tail is the
        // same kind of text.
        Lang::Az => "az/aznerm.train.conll",
    };
    let path = Path::new(DATA).join(file);
    if let Ok(s) = conll::read_file(&path) {
        return s.into_iter().map(|s| s.words).collect();
    }
    eprintln!(
        "{} not found: benchmarking on built-in sentences",
        path.display()
    );
    let text = BUILTIN
        .iter()
        .find(|(l, _)| *l == lang)
        .map_or("", |(_, t)| t);
    vec![text.split(' ').map(str::to_string).collect(); 200]
}

fn bench(c: &mut Criterion) {
    let gated = match EmbeddedTagger::load_dir_with(Path::new(MODELS), RussianModel::Perceptron) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot load models: {e}");
            return;
        }
    };
    let tagger = gated.clone().without_name_gates();
    let mut group = c.benchmark_group("ner_tag");
    group
        .measurement_time(Duration::from_secs(5))
        .sample_size(20);
    for lang in tagger.languages() {
        let sents = sentences(lang);
        let tokens: usize = sents.iter().map(Vec::len).sum();
        let words: Vec<Vec<&str>> = sents
            .iter()
            .map(|s| s.iter().map(String::as_str).collect())
            .collect();
        group.throughput(Throughput::Elements(tokens as u64));
        group.bench_function(lang.code(), |b| {
            b.iter(|| {
                for w in &words {
                    black_box(tagger.tag(lang, black_box(w)).ok());
                }
            })
        });
        if gated.name_gate(lang).is_some() {
            group.bench_function(format!("{}_gated", lang.code()), |b| {
                b.iter(|| {
                    for w in &words {
                        black_box(gated.tag(lang, black_box(w)).ok());
                    }
                })
            });
        }
    }
    match SlovnetModel::load(&Path::new(MODELS).join("ru.slovnet")) {
        Ok(net) => {
            let sents = sentences(Lang::Ru);
            let words: Vec<Vec<&str>> = sents
                .iter()
                .take(300)
                .map(|s| s.iter().map(String::as_str).collect())
                .collect();
            let tokens: usize = words.iter().map(Vec::len).sum();
            group.throughput(Throughput::Elements(tokens as u64));
            group.sample_size(10);
            group.bench_function("ru_slovnet", |b| {
                b.iter(|| {
                    for w in &words {
                        black_box(net.tag(black_box(w)));
                    }
                })
            });
        }
        Err(e) => eprintln!("cannot load the slovnet model: {e}"),
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: criterion's plotters backend needs a registered font once the chart example
    // has turned on plotters' `ab_glyph` feature, and it panics without one.
    config = Criterion::default().without_plots().configure_from_args();
    targets = bench
}
criterion_main!(benches);
