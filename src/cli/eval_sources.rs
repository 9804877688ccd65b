//! `newsclaims eval sources --ruopinionne FILE`: our speakers against annotated opinion holders.

use super::models_dir;
use anyhow::Context;
use newsclaims::eval::sources::{HolderSentence, SourceReport};
use newsclaims::ingest::Record;
use newsclaims::ner::EmbeddedTagger;
use newsclaims::pipeline::{DocumentSettings, process_document};
use newsclaims::resources::Resources;
use std::io::BufRead;
use std::path::PathBuf;

/// Arguments of `eval sources`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// RuOpinionNE-style JSON Lines (text + opinions with Source spans).
    #[arg(long)]
    ruopinionne: PathBuf,
    /// Language of the sentences.
    #[arg(long, default_value = "ru")]
    lang: String,
    /// Directory of the models (default: ./models, else the one built in).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `eval sources`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let models = models_dir(args.models.as_deref());
    let resources = Resources::load(&models)
        .with_context(|| format!("cannot load models from {}", models.display()))?;
    let tagger = EmbeddedTagger::load_dir(&models.join("ner"))?;
    let file = std::fs::File::open(&args.ruopinionne)
        .with_context(|| format!("cannot open {}", args.ruopinionne.display()))?;
    let mut report = SourceReport::default();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}", args.ruopinionne.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let sentence: HolderSentence = serde_json::from_str(&line).with_context(|| {
            format!(
                "{}:{}: not an annotated sentence",
                args.ruopinionne.display(),
                n + 1
            )
        })?;
        let record = Record {
            id: sentence.sent_id.to_string(),
            source: args.ruopinionne.display().to_string(),
            record: format!("{}:{}", args.ruopinionne.display(), n + 1),
            text: sentence.text.clone(),
            title: None,
            date: None,
            url: None,
            outlet: None,
            lang: Some(args.lang.clone()),
        };
        let output = process_document(&record, &resources, &tagger, DocumentSettings::default());
        let speakers: Vec<Option<(usize, usize)>> = output
            .claims
            .iter()
            .map(|c| c.speaker_start.zip(c.speaker_end))
            .collect();
        report.add(&sentence.holders(), &speakers);
    }
    if args.json {
        let value = serde_json::json!({
            "report": report,
            "exact_precision": report.exact_precision(),
            "partial_precision": report.partial_precision(),
        });
        println!("{value}");
    } else {
        println!(
            "sentences {}, claims {}, claims with a speaker where holders are annotated {}",
            report.sentences, report.claims, report.compared
        );
        println!(
            "speaker = a holder (exact)   {:6.2} % ({})",
            report.exact_precision(),
            report.exact
        );
        println!(
            "speaker overlaps a holder    {:6.2} % ({})",
            report.partial_precision(),
            report.partial
        );
    }
    Ok(())
}
