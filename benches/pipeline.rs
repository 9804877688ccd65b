//! Whole-pipeline throughput: `process_document` per language over the fixed sample of
//! `common` (language detected, as in `extract` without `--lang`), and `pipeline::run` over a
//! small mixed corpus with one worker thread and with all of them, writing the CSV tables
//! into a temporary directory.

mod common;

use common::{prepare, records, resources, tagger, throughput};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use newsclaims::document::Lang;
use newsclaims::ingest::Record;
use newsclaims::ner::Tagger;
use newsclaims::pipeline::{DocumentSettings, PipelineOptions, process_document, run};
use std::hint::black_box;

/// Documents per language in the mixed corpus of the `run` benchmarks.
const RUN_DOCUMENTS: usize = 100;

fn pipeline(c: &mut Criterion) {
    let resources = resources();
    let tagger = tagger();
    let tagger: &dyn Tagger = tagger.as_ref();

    let mut group = c.benchmark_group("process_document");
    let mut mixed: Vec<Record> = Vec::new();
    let mut mixed_words = 0;
    let mut mixed_bytes = 0;
    for lang in Lang::ALL {
        let sample = records(lang);
        if sample.is_empty() {
            continue;
        }
        let prepared = prepare(sample.clone(), lang, &resources, tagger);
        let head = &prepared[..prepared.len().min(RUN_DOCUMENTS)];
        mixed_words += common::words(head);
        mixed_bytes += head.iter().map(|p| p.record.text.len() as u64).sum::<u64>();
        mixed.extend(sample.iter().take(RUN_DOCUMENTS).cloned());
        group.throughput(throughput(&prepared));
        group.bench_function(BenchmarkId::from_parameter(lang.code()), |b| {
            b.iter(|| {
                for record in &sample {
                    black_box(process_document(
                        record,
                        &resources,
                        tagger,
                        DocumentSettings::default(),
                    ));
                }
            })
        });
    }
    group.finish();

    let out = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("bench: no temporary directory ({err}): pipeline::run not measured");
            return;
        }
    };
    let all = std::thread::available_parallelism().map_or(1, usize::from);
    let mut group = c.benchmark_group("run");
    group.throughput(Throughput::ElementsAndBytes {
        elements: mixed_words,
        bytes: mixed_bytes,
    });
    let mut threads = vec![1];
    if all > 1 {
        threads.push(all);
    }
    for n in threads {
        let options = PipelineOptions {
            threads: n,
            ..PipelineOptions::default()
        };
        group.bench_function(BenchmarkId::new("threads", n), |b| {
            b.iter(|| {
                let summary = run(
                    mixed.iter().cloned().map(Ok),
                    out.path(),
                    &resources,
                    tagger,
                    &options,
                );
                black_box(summary.is_ok())
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = pipeline
}
criterion_main!(benches);
