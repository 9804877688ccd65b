//! `newsclaims eval ner`: CoNLL exact-span scores of a tagger (embedded or transformer) on a
//! gold file.

use super::ner_choice::NER_CHOICES;
use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::eval::{conll, evaluate_ner};
use newsclaims::ner::Tagger;
use std::io::Write;
use std::path::PathBuf;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Language of the gold file: az, ru or en.
    #[arg(long)]
    lang: String,
    /// Gold CoNLL/IOB2 file.
    #[arg(long)]
    gold: PathBuf,
    /// Named-entity tagger: `embedded` or `transformer` (needs a build with the
    /// `transformer` feature).
    #[arg(long, default_value = "embedded", value_parser = NER_CHOICES)]
    ner: String,
    /// Model directory: the one holding `{az,ru,en}.bin` for `embedded` (default
    /// models/ner), the token-classification model directory for `transformer` (default
    /// models/ner-transformer).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// Also write `token<TAB>gold<TAB>predicted` lines (CoNLL style) to this file.
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Writes gold and predicted tags side by side.
fn write_predictions(
    tagger: &dyn Tagger,
    lang: Lang,
    gold: &[conll::ConllSentence],
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for s in gold {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        let mut pred = vec!["O".to_string(); words.len()];
        for span in tagger.tag(lang, &words)? {
            for (i, p) in pred.iter_mut().enumerate().take(span.end).skip(span.start) {
                let prefix = if i == span.start { "B" } else { "I" };
                *p = format!("{prefix}-{}", span.kind.as_str());
            }
        }
        for ((w, g), p) in words.iter().zip(&s.tags).zip(&pred) {
            writeln!(out, "{w}\t{g}\t{p}")?;
        }
        writeln!(out)?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let lang =
        Lang::from_code(&args.lang).with_context(|| format!("unknown language {:?}", args.lang))?;
    // One caller thread: let libtorch use every core.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let models = super::models_dir(None);
    let loaded =
        super::ner_choice::load_tagger(&args.ner, &models, args.model_dir.as_deref(), cores)?;
    let tagger: &dyn Tagger = loaded.as_ref();
    let gold = conll::read_file(&args.gold)?;
    let report = evaluate_ner(tagger, lang, &gold)?;
    if let Some(path) = &args.predictions {
        write_predictions(tagger, lang, &gold, path)?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{:<6} {:>7} {:>7} {:>7} {:>8}",
            "type", "P", "R", "F1", "support"
        )?;
        for (kind, s) in &report.per_type {
            writeln!(
                out,
                "{kind:<6} {:>7.2} {:>7.2} {:>7.2} {:>8}",
                s.p, s.r, s.f1, s.support
            )?;
        }
        let m = report.micro;
        writeln!(
            out,
            "{:<6} {:>7.2} {:>7.2} {:>7.2}",
            "micro", m.p, m.r, m.f1
        )?;
    }
    Ok(())
}
