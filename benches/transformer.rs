//! Throughput of the transformer tagger, in words per second.
//!
//! By default it measures a tiny random BERT (2 layers, hidden size 32) written into a
//! temporary directory, which shows the tagger's own overhead (tokenising, windowing,
//! batching, decoding). Set `NEWSCLAIMS_BENCH_MODEL_DIR` to a real token-classification
//! directory to measure that model instead:
//! `NEWSCLAIMS_BENCH_MODEL_DIR=DIR scripts/with-libtorch.sh cargo bench --features transformer`
//! (the shipped fine-tuned model: `DIR=models/ner-transformer`). A real model is also
//! measured on the first sentences of the same dev files as the embedded tagger's bench
//! (`benches/ner.rs`), when `../shared/data/ner` exists, in tokens per second, tagged as
//! one document the way the pipeline tags an article (`tag_document`: a model trained with
//! document context reads it around every window).
//!
//! With `NEWSCLAIMS_BENCH_LABELLER_DIR` set to an attribution labeller's directory (the
//! shipped one: `models/attribution-transformer`), the group `attribution_labeller` also
//! measures English attribution (`attribute_with`, hybrid) over the first
//! [`LABELLER_DOCUMENTS`] documents of the English bench sample, with the perceptron and with
//! the transformer labeller, in words per second.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsclaims::attribution::transformer::TransformerLabeller;
use newsclaims::attribution::{LearnedAttribution, attribute_with};
use newsclaims::document::Lang;
use newsclaims::eval::conll;
use newsclaims::ner::Tagger;
use newsclaims::ner::transformer::tiny::{TinySpec, write_tiny_model};
use newsclaims::ner::transformer::{TransformerOptions, TransformerTagger};
use std::hint::black_box;
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ner");

/// Documents of the English sample that the labeller bench reads (the transformer takes
/// seconds per article on a CPU).
const LABELLER_DOCUMENTS: usize = 20;

/// English attribution with the perceptron and with the transformer labeller in `dir`.
fn bench_labeller(c: &mut Criterion, dir: &Path) {
    let resources = common::resources();
    let tagger = common::tagger();
    let docs = common::prepare(
        common::records(Lang::En)
            .into_iter()
            .take(LABELLER_DOCUMENTS)
            .collect(),
        Lang::En,
        &resources,
        tagger.as_ref(),
    );
    let data = resources.language(Lang::En);
    let perceptron = data
        .learned
        .clone()
        .expect("models/en/attribution.bin is needed to compare the labellers");
    let options = TransformerOptions {
        intra_op_threads: 1,
        ..TransformerOptions::default()
    };
    let labeller = TransformerLabeller::load(dir, options).expect("the labeller loads");
    let transformer = LearnedAttribution {
        labeller: Some(std::sync::Arc::new(labeller)),
        ..perceptron.clone()
    };
    let mut group = c.benchmark_group("attribution_labeller");
    group.throughput(common::throughput(&docs));
    group.sample_size(10);
    for (name, learned) in [("perceptron", &perceptron), ("transformer", &transformer)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for d in &docs {
                    let found = attribute_with(
                        d.aligned.text(),
                        Lang::En,
                        &d.segmented,
                        &d.entities,
                        &data.cues,
                        Some(learned),
                    );
                    black_box(found.expect("attribution"));
                }
            })
        });
    }
    group.finish();
}

/// Dev sentences per language, the files of `benches/ner.rs`; the first 100 of each.
fn dev_sentences() -> Vec<(Lang, Vec<Vec<String>>)> {
    [
        (Lang::En, "en/conll2003.dev.conll"),
        (Lang::Ru, "ru/factru.dev.conll"),
        (Lang::Az, "az/aznerm.train.conll"),
    ]
    .into_iter()
    .filter_map(|(lang, file)| {
        let s = conll::read_file(&Path::new(DATA).join(file)).ok()?;
        Some((lang, s.into_iter().take(100).map(|s| s.words).collect()))
    })
    .collect()
}

/// Synthetic sentences of varied length built from a few fixture words.
fn sentences() -> Vec<Vec<&'static str>> {
    let words = [
        "John", "Johnson", "said", "today", "that", "the", "minister", "visited", "New", "York",
        "Maria", "Aliyev", "reported", "news", "of", "the", "bank", ",", "in", ".",
    ];
    (0..64)
        .map(|i| {
            let len = 8 + (i * 7) % 40;
            (0..len).map(|j| words[(i + j * 3) % words.len()]).collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    if let Some(dir) = std::env::var_os("NEWSCLAIMS_BENCH_LABELLER_DIR") {
        bench_labeller(c, Path::new(&dir));
    }
    let tmp = tempfile::tempdir().expect("temporary directory");
    let real = std::env::var_os("NEWSCLAIMS_BENCH_MODEL_DIR");
    let dir = match &real {
        Some(dir) => dir.into(),
        None => {
            write_tiny_model(tmp.path(), TinySpec::default()).expect("tiny model");
            tmp.path().to_path_buf()
        }
    };
    let options = TransformerOptions {
        intra_op_threads: 1,
        ..TransformerOptions::default()
    };
    let tagger = TransformerTagger::load_with(&dir, options).expect("model loads");
    let batch = sentences();
    let words: usize = batch.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("transformer");
    group.throughput(Throughput::Elements(words as u64));
    group.sample_size(10);
    group.bench_function("tag_batch_64_sentences", |b| {
        b.iter(|| black_box(tagger.tag_batch(Lang::En, black_box(&batch)).expect("tags")))
    });
    group.bench_function("tag_one_by_one_64_sentences", |b| {
        b.iter(|| {
            for words in &batch {
                black_box(tagger.tag(Lang::En, black_box(words)).expect("tags"));
            }
        })
    });
    group.finish();
    if real.is_none() {
        return;
    }
    let mut group = c.benchmark_group("transformer_dev");
    group.sample_size(10);
    for (lang, sents) in dev_sentences() {
        let words: Vec<Vec<&str>> = sents
            .iter()
            .map(|s| s.iter().map(String::as_str).collect())
            .collect();
        let tokens: usize = words.iter().map(Vec::len).sum();
        group.throughput(Throughput::Elements(tokens as u64));
        group.bench_function(lang.code(), |b| {
            b.iter(|| black_box(tagger.tag_document(lang, black_box(&words)).expect("tags")))
        });
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
