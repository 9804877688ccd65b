//! Shared set-up of the benchmarks: the texts (a fixed sample of the shared raw corpora when
//! they are present, else the sample corpus shipped in `corpora/sample/`), the resources and
//! the embedded NER tagger, and the per-document intermediate results the stage benchmarks
//! start from.
//!
//! Each bench target includes this module with `mod common;` and uses only part of it, hence
//! the crate-level `dead_code` allowance: an unused helper in one target is used by another.
#![allow(dead_code)]

use criterion::{Criterion, Throughput};
use newsclaims::document::{Entity, Lang, Segmented};
use newsclaims::ingest::{IngestOptions, Record, read_inputs};
use newsclaims::ner::{EmbeddedTagger, NoTagger, Tagger};
use newsclaims::normalize::{AlignedText, normalize, normalize_for_language};
use newsclaims::resources::{Resources, bundled_models_dir};
use newsclaims::segment::segment;
use std::path::PathBuf;
use std::time::Duration;

/// Documents taken from the start of each shared corpus: fixed, so runs compare.
pub const SAMPLE_DOCUMENTS: usize = 200;

/// The shared raw corpus of a language, relative to the shared data directory.
fn shared_corpus(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en/reuters21578.jsonl",
        Lang::Ru => "ru/rucoco.jsonl",
        Lang::Az => "az/news.jsonl",
    }
}

/// The file the texts of `lang` come from: the shared corpus when present, else the sample.
pub fn corpus_path(lang: Lang) -> PathBuf {
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/raw/"))
        .join(shared_corpus(lang));
    if shared.is_file() {
        return shared;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/sample/"))
        .join(format!("{}.jsonl", lang.code()))
}

/// The first [`SAMPLE_DOCUMENTS`] readable, non-empty records of the corpus of `lang`.
pub fn records(lang: Lang) -> Vec<Record> {
    let path = corpus_path(lang);
    let Ok(stream) = read_inputs(std::slice::from_ref(&path), &IngestOptions::default()) else {
        eprintln!("bench: cannot read {}: no texts for {lang}", path.display());
        return Vec::new();
    };
    let records: Vec<Record> = stream
        .filter_map(Result::ok)
        .filter(|r| !r.text.trim().is_empty())
        .take(SAMPLE_DOCUMENTS)
        .collect();
    eprintln!(
        "bench: {lang}: {} documents from {}",
        records.len(),
        path.display()
    );
    records
}

/// The bundled resources; a benchmark without them cannot run at all.
pub fn resources() -> Resources {
    let dir = bundled_models_dir();
    match Resources::load(&dir) {
        Ok(resources) => resources,
        Err(err) => panic!("cannot load the models in {}: {err}", dir.display()),
    }
}

/// The embedded tagger of `models/ner/`, or no tagger (with a message) when it cannot be
/// loaded: the other stages are still worth measuring.
pub fn tagger() -> Box<dyn Tagger> {
    let dir = bundled_models_dir().join("ner");
    match EmbeddedTagger::load_dir(&dir) {
        Ok(tagger) => Box::new(tagger),
        Err(err) => {
            eprintln!(
                "bench: no NER models in {} ({err}): NER is not measured",
                dir.display()
            );
            Box::new(NoTagger)
        }
    }
}

/// A document carried through the stages once, so that each stage can be measured alone.
pub struct Prepared {
    /// The record.
    pub record: Record,
    /// Its final normalised text.
    pub aligned: AlignedText,
    /// Its tokens and sentences.
    pub segmented: Segmented,
    /// The tagger's entities.
    pub entities: Vec<Entity>,
}

impl Prepared {
    /// The words of each sentence, as the tagger receives them.
    pub fn sentences(&self) -> Vec<Vec<&str>> {
        self.segmented.sentence_words(self.aligned.text())
    }
}

/// Tags a segmented text and turns the spans into document entities: the pipeline's own
/// function, with no entities when the tagger fails.
pub fn tag(text: &str, lang: Lang, segmented: &Segmented, tagger: &dyn Tagger) -> Vec<Entity> {
    newsclaims::pipeline::tag_entities(text, lang, segmented, tagger).unwrap_or_default()
}

/// Runs every record of `lang` through normalisation, segmentation and NER.
pub fn prepare(
    records: Vec<Record>,
    lang: Lang,
    resources: &Resources,
    tagger: &dyn Tagger,
) -> Vec<Prepared> {
    let data = resources.language(lang);
    records
        .into_iter()
        .map(|record| {
            let aligned =
                normalize_for_language(normalize(&record.text, resources), lang, resources);
            let segmented = segment(aligned.text(), lang, &data.abbreviations);
            let entities = tag(aligned.text(), lang, &segmented, tagger);
            Prepared {
                record,
                aligned,
                segmented,
                entities,
            }
        })
        .collect()
}

/// Words (tokens starting with a letter or digit, as the pipeline counts them) of the sample.
pub fn words(prepared: &[Prepared]) -> u64 {
    prepared
        .iter()
        .map(|p| p.segmented.word_count(p.aligned.text()) as u64)
        .sum()
}

/// Words and original bytes of one pass over the sample, as a criterion throughput.
pub fn throughput(prepared: &[Prepared]) -> Throughput {
    Throughput::ElementsAndBytes {
        elements: words(prepared),
        bytes: prepared.iter().map(|p| p.record.text.len() as u64).sum(),
    }
}

/// Criterion settings that keep `cargo bench` to a few minutes: one iteration is a pass over
/// the whole sample, so few samples are enough for a stable mean. No plots: the chart
/// example turns on plotters' `ab_glyph` fonts, which would make criterion's own plots need
/// a registered font, and the numbers are what we compare.
pub fn criterion() -> Criterion {
    Criterion::default()
        .without_plots()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}
