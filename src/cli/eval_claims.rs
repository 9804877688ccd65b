//! `newsclaims eval claims`: found, missed and spurious claims of one article against a
//! hand-annotated gold file (matching rules in [`newsclaims::eval::claims`]).

use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::eval::claims::{GoldClaims, match_claims};
use newsclaims::ingest::Record;
use newsclaims::ner::Tagger;
use newsclaims::pipeline::{DocumentSettings, process_document};
use std::io::Write;
use std::path::PathBuf;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Gold file (JSON: document, language, claims, not_claims).
    #[arg(long)]
    gold: PathBuf,
    /// The article text (default: the gold file's `document`, next to the gold file).
    #[arg(long)]
    text: Option<PathBuf>,
    #[command(flatten)]
    pipeline: super::PipelineArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let raw = std::fs::read_to_string(&args.gold)
        .with_context(|| format!("cannot read {}", args.gold.display()))?;
    let gold: GoldClaims = serde_json::from_str(&raw)
        .with_context(|| format!("{}: not a gold claims file", args.gold.display()))?;
    let text_path = args.text.clone().unwrap_or_else(|| {
        args.gold
            .parent()
            .map(|p| p.join(&gold.document))
            .unwrap_or_else(|| PathBuf::from(&gold.document))
    });
    let text = std::fs::read_to_string(&text_path)
        .with_context(|| format!("cannot read {}", text_path.display()))?;
    let lang = Lang::from_code(&gold.language).with_context(|| {
        format!(
            "{}: unsupported language {:?}",
            args.gold.display(),
            gold.language
        )
    })?;
    let (resources, loaded) = args.pipeline.load()?;
    let tagger: &dyn Tagger = loaded.as_ref();
    let record = Record {
        id: gold.document.clone(),
        source: text_path.display().to_string(),
        record: text_path.display().to_string(),
        text,
        title: None,
        date: None,
        url: None,
        outlet: None,
        lang: Some(lang.code().to_string()),
    };
    let settings = DocumentSettings {
        lang: Some(lang),
        ..DocumentSettings::default()
    };
    let rows = process_document(&record, &resources, tagger, settings).claims;
    let report = match_claims(&gold, &rows);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    let row = |id: &str| rows.iter().find(|r| r.claim_id == id);
    for (gi, id) in &report.found {
        let g = &gold.claims[*gi];
        writeln!(
            out,
            "found    {} | {} | {} -> {id}",
            g.speaker, g.cue, g.content_has
        )?;
    }
    for gi in &report.missed {
        let g = &gold.claims[*gi];
        let req = if g.required { "required" } else { "optional" };
        writeln!(
            out,
            "missed   {} | {} | {} ({req})",
            g.speaker, g.cue, g.content_has
        )?;
    }
    for s in &report.spurious {
        if let Some(r) = row(&s.claim_id) {
            let flag = if s.not_claim {
                " (a not_claims sentence)"
            } else {
                ""
            };
            writeln!(
                out,
                "spurious {} | {} | {} | {}{flag}",
                s.claim_id, r.speaker, r.cue, r.content
            )?;
        }
    }
    writeln!(
        out,
        "found {} missed {} spurious {}; recall of required claims {:.2}% (all: {:.2}%)",
        report.found.len(),
        report.missed.len(),
        report.spurious.len(),
        report.required_recall,
        report.recall
    )?;
    Ok(())
}
