//! `newsclaims extract INPUT... --out DIR`: the claim-extraction pipeline.

use super::models_dir;
use super::ner_choice::NER_CHOICES;
use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::ingest::{Format, IngestOptions, read_inputs};
use newsclaims::ner::Tagger;
use newsclaims::pipeline::{PipelineOptions, run};
use newsclaims::resources::Resources;
use std::path::PathBuf;

/// Arguments of `extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files or directories (walked recursively, in sorted order); `-` reads standard
    /// input.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Directory for documents.csv, claims.csv and entities.csv (created if missing).
    #[arg(long, short)]
    out: PathBuf,
    /// Input format, instead of choosing by extension: jsonl, csv, tsv or txt.
    #[arg(long)]
    format: Option<Format>,
    /// Column (CSV) or key (JSON) of the article text.
    #[arg(long, default_value = "text")]
    text_column: String,
    /// Column or key of the document id.
    #[arg(long, default_value = "id")]
    id_column: String,
    /// Column or key of the title.
    #[arg(long, default_value = "title")]
    title_column: String,
    /// Column or key of the date.
    #[arg(long, default_value = "date")]
    date_column: String,
    /// Column or key of the URL.
    #[arg(long, default_value = "url")]
    url_column: String,
    /// Column or key of the outlet name.
    #[arg(long, default_value = "source")]
    source_column: String,
    /// Column or key of the language code.
    #[arg(long, default_value = "lang")]
    lang_column: String,
    /// Process every document as this language (az, ru or en) instead of detecting it.
    #[arg(long, value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Documents per chunk: the driver reads this many records, processes them in parallel
    /// and writes them in order before reading more (bounds memory).
    #[arg(long, default_value_t = 512)]
    chunk_documents: usize,
    /// Records larger than this many MiB are recorded as errors and skipped.
    #[arg(long, default_value_t = 10)]
    max_record_mib: usize,
    /// Directory of the models and data files (default: ./models, else the one built in).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Named-entity tagger: `embedded` (the models in MODELS/ner/), `transformer` (the
    /// model in --model-dir, default MODELS/ner-transformer; needs a build with the `transformer`
    /// feature) or `none`.
    #[arg(long, default_value = "embedded", value_parser = NER_CHOICES)]
    ner: String,
    /// Token-classification model directory for `--ner transformer` (config.json,
    /// model.safetensors or rust_model.ot, tokenizer.json).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// How English attribution uses the learned labeller: `hybrid` (default), `rules`
    /// (rules only: faster for English), `learned`, `rules-first`, `learned-first` or
    /// `structured` (the default with `--labeller transformer`).
    #[arg(long, value_parser = super::ATTRIBUTION_MODES)]
    attribution_mode: Option<String>,
    /// English attribution labeller: `perceptron` (default, `MODELS/en/attribution.bin`) or
    /// `transformer` (the model in --labeller-dir, default MODELS/attribution-transformer;
    /// needs a build with the `transformer` feature; slower, more accurate: models/README.md).
    #[arg(long, default_value = "perceptron", value_parser = super::labeller_choice::LABELLER_CHOICES)]
    labeller: String,
    /// Model directory for `--labeller transformer`.
    #[arg(long)]
    labeller_dir: Option<PathBuf>,
    /// Leave out claims whose confidence is below this value, from 0 (keep all, the
    /// default) to 1. Confidence orders precision: see models/README.md.
    #[arg(long, default_value_t = 0.0, value_parser = parse_confidence)]
    min_confidence: f32,
    /// No progress line and no summary.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_confidence(value: &str) -> Result<f32, String> {
    match value.parse::<f32>() {
        Ok(c) if (0.0..=1.0).contains(&c) => Ok(c),
        _ => Err(format!("expected a number from 0 to 1, got {value:?}")),
    }
}

fn parse_lang(value: &str) -> Result<Lang, String> {
    Lang::from_code(value)
        .ok_or_else(|| format!("unsupported language {value:?}: expected az, ru or en"))
}

/// Runs `extract`.
pub fn run_extract(args: Args) -> anyhow::Result<()> {
    let models = models_dir(args.models.as_deref());
    let mut resources = Resources::load(&models)
        .with_context(|| format!("cannot load models from {}", models.display()))?;
    if let Some(mode) = args.attribution_mode.as_deref() {
        super::set_attribution_mode(&mut resources, mode, &models)?;
    }
    super::labeller_choice::set_labeller(
        &mut resources,
        &args.labeller,
        args.labeller_dir.as_deref(),
        &models,
        // The pipeline runs one labeller call per worker: one libtorch thread each.
        1,
        args.attribution_mode.is_some(),
    )?;
    let ingest = IngestOptions {
        format: args.format,
        text_column: args.text_column,
        id_column: args.id_column,
        title_column: args.title_column,
        date_column: args.date_column,
        url_column: args.url_column,
        source_column: args.source_column,
        lang_column: args.lang_column,
        max_record_bytes: args.max_record_mib.max(1) * 1024 * 1024,
    };
    let records = read_inputs(&args.inputs, &ingest)?;
    let mut options = PipelineOptions {
        lang: args.lang,
        progress: !args.quiet,
        chunk_documents: args.chunk_documents.max(1),
        min_confidence: args.min_confidence,
        ..PipelineOptions::default()
    };
    if let Some(threads) = args.threads {
        anyhow::ensure!(threads > 0, "--threads must be at least 1");
        options.threads = threads;
    }
    // The pipeline runs one tagger call per worker: one libtorch thread each.
    let loaded = super::ner_choice::load_tagger(&args.ner, &models, args.model_dir.as_deref(), 1)?;
    let tagger: &dyn Tagger = loaded.as_ref();
    let summary = run(records, &args.out, &resources, tagger, &options)?;
    if !args.quiet {
        eprintln!("newsclaims: {}", summary.line());
    }
    Ok(())
}
