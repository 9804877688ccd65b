//! Per-stage throughput, one criterion group per stage with one benchmark per language:
//! normalisation, language detection, segmentation, embedded NER, attribution and CSV output
//! (row building and CSV serialisation into a sink). One iteration is a pass over the fixed
//! sample of `common`; throughput is reported in words and in bytes of original text.
//!
//! A last group, `attribution_overhead`, runs each language's documents through the stages
//! without attribution ("ner_only") and through the whole of `process_document` ("full"): the
//! issue's target is that attribution adds at most 30 % to the time per document.

mod common;

use common::{Prepared, prepare, records, resources, tagger, throughput};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use newsclaims::attribution::attribute;
use newsclaims::claims::{claim_rows, entity_rows};
use newsclaims::document::Lang;
use newsclaims::ner::Tagger;
use newsclaims::normalize::{normalize, normalize_for_language};
use newsclaims::pipeline::{DocumentSettings, process_document};
use newsclaims::resources::Resources;
use newsclaims::segment::segment;
use std::hint::black_box;

/// The sample of every language, carried through the stages once.
fn samples(resources: &Resources, tagger: &dyn Tagger) -> Vec<(Lang, Vec<Prepared>)> {
    Lang::ALL
        .into_iter()
        .map(|lang| (lang, prepare(records(lang), lang, resources, tagger)))
        .filter(|(_, prepared)| !prepared.is_empty())
        .collect()
}

fn stages(c: &mut Criterion) {
    let resources = resources();
    let tagger = tagger();
    let tagger: &dyn Tagger = tagger.as_ref();
    let samples = samples(&resources, tagger);

    let mut group = c.benchmark_group("normalize");
    for (lang, docs) in &samples {
        group.throughput(throughput(docs));
        group.bench_function(BenchmarkId::from_parameter(lang.code()), |b| {
            b.iter(|| {
                for doc in docs {
                    let normalized = normalize(&doc.record.text, &resources);
                    black_box(normalize_for_language(normalized, *lang, &resources));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("language");
    for (lang, docs) in &samples {
        // Detection sees the text before the language steps; build it outside the loop.
        let texts: Vec<String> = docs
            .iter()
            .map(|d| normalize(&d.record.text, &resources).text())
            .collect();
        group.throughput(throughput(docs));
        group.bench_function(BenchmarkId::from_parameter(lang.code()), |b| {
            b.iter(|| {
                for text in &texts {
                    black_box(resources.detector.detect(text));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("segment");
    for (lang, docs) in &samples {
        let data = resources.language(*lang);
        group.throughput(throughput(docs));
        group.bench_function(BenchmarkId::from_parameter(lang.code()), |b| {
            b.iter(|| {
                for doc in docs {
                    black_box(segment(doc.aligned.text(), *lang, &data.abbreviations));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("ner_embedded");
    for (lang, docs) in &samples {
        let sentences: Vec<Vec<Vec<&str>>> = docs.iter().map(Prepared::sentences).collect();
        group.throughput(throughput(docs));
        group.bench_function(BenchmarkId::from_parameter(lang.code()), |b| {
            b.iter(|| {
                for doc in &sentences {
                    // A tagger error would show as an implausibly fast benchmark, not a crash.
                    let _ = black_box(tagger.tag_batch(*lang, doc));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("attribution");
    for (lang, docs) in &samples {
        let cues = &resources.language(*lang).cues;
        group.throughput(throughput(docs));
        group.bench_function(BenchmarkId::from_parameter(lang.code()), |b| {
            b.iter(|| {
                for doc in docs {
                    black_box(attribute(
                        doc.aligned.text(),
                        *lang,
                        &doc.segmented,
                        &doc.entities,
                        cues,
                    ));
                }
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("csv_output");
    for (lang, docs) in &samples {
        let cues = &resources.language(*lang).cues;
        let attributions: Vec<_> = docs
            .iter()
            .map(|d| attribute(d.aligned.text(), *lang, &d.segmented, &d.entities, cues))
            .collect();
        group.throughput(throughput(docs));
        group.bench_function(BenchmarkId::from_parameter(lang.code()), |b| {
            b.iter(|| {
                let mut claims_csv = csv::Writer::from_writer(std::io::sink());
                let mut entities_csv = csv::Writer::from_writer(std::io::sink());
                for (doc, found) in docs.iter().zip(&attributions) {
                    let id = &doc.record.id;
                    for row in claim_rows(id, *lang, None, &doc.aligned, found) {
                        // Serialising into a sink cannot fail for these plain rows.
                        let _ = claims_csv.serialize(&row);
                    }
                    for row in entity_rows(id, &doc.aligned, &doc.entities) {
                        let _ = entities_csv.serialize(&row);
                    }
                }
                let _ = black_box(claims_csv.flush());
                let _ = black_box(entities_csv.flush());
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("attribution_overhead");
    for (lang, docs) in &samples {
        let data = resources.language(*lang);
        let settings = DocumentSettings {
            lang: Some(*lang),
            ..DocumentSettings::default()
        };
        group.throughput(throughput(docs));
        group.bench_function(BenchmarkId::new("ner_only", lang.code()), |b| {
            b.iter(|| {
                for doc in docs {
                    let normalized = normalize(&doc.record.text, &resources);
                    let aligned = normalize_for_language(normalized, *lang, &resources);
                    let segmented = segment(aligned.text(), *lang, &data.abbreviations);
                    let entities = common::tag(aligned.text(), *lang, &segmented, tagger);
                    black_box(entity_rows(&doc.record.id, &aligned, &entities));
                }
            })
        });
        group.bench_function(BenchmarkId::new("full", lang.code()), |b| {
            b.iter(|| {
                for doc in docs {
                    black_box(process_document(&doc.record, &resources, tagger, settings));
                }
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = stages
}
criterion_main!(benches);
