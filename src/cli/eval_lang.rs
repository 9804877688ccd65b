//! `newsclaims eval lang FILE:LANG ...`: accuracy of the language detector, one document per
//! line (JSONL lines are read through their `text` field; a `.conll` file gives one document
//! per sentence), per language and overall, with the confusion of expected against detected
//! codes and the detector's throughput.

use anyhow::{Context, bail};
use newsclaims::lang::LanguageDetector;
use newsclaims::lang::train::corpus_documents;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Gold files as FILE:LANG (every line is a document in language LANG).
    #[arg(required = true, value_name = "FILE:LANG")]
    files: Vec<String>,
    /// The models folder (holding `lang/`).
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Log-prior (nats) of az/ru/en over the other profiled languages.
    #[arg(long, default_value_t = newsclaims::lang::DEFAULT_OWN_PRIOR)]
    own_prior: f32,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Print up to this many misclassified documents (to standard error).
    #[arg(long, default_value_t = 0)]
    errors: usize,
}

/// Expected code → detected code → count.
type Confusion = BTreeMap<String, BTreeMap<String, u64>>;

/// Per language (correct, total), and the overall correct and total.
fn summarise(confusion: &Confusion) -> (BTreeMap<String, (u64, u64)>, u64, u64) {
    let mut per_lang = BTreeMap::new();
    let (mut correct, mut total) = (0u64, 0u64);
    for (lang, row) in confusion {
        let n: u64 = row.values().sum();
        let ok = row.get(lang).copied().unwrap_or(0);
        per_lang.insert(lang.clone(), (ok, n));
        correct += ok;
        total += n;
    }
    (per_lang, correct, total)
}

/// `ok / n`, 0 for an empty set.
fn accuracy(ok: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { ok as f64 / n as f64 }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let detector = LanguageDetector::load(&args.models)
        .with_context(|| format!("cannot load language models from {}", args.models.display()))?
        .with_own_prior(args.own_prior);
    let mut confusion = Confusion::new();
    let (mut bytes, mut seconds, mut shown) = (0usize, 0f64, 0usize);
    for arg in &args.files {
        let Some((file, lang)) = arg.rsplit_once(':') else {
            bail!("expected FILE:LANG, got {arg:?}");
        };
        let path = PathBuf::from(file);
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {file}"))?;
        let docs = corpus_documents(&text, &path)?;
        let started = Instant::now();
        let detected: Vec<_> = docs.iter().map(|d| detector.detect(d)).collect();
        seconds += started.elapsed().as_secs_f64();
        bytes += docs.iter().map(String::len).sum::<usize>();
        let row = confusion.entry(lang.to_string()).or_default();
        for (doc, d) in docs.iter().zip(&detected) {
            *row.entry(d.code.clone()).or_insert(0) += 1;
            if d.code != lang && shown < args.errors {
                shown += 1;
                eprintln!(
                    "{file}: expected {lang}, got {} ({:.2}): {doc}",
                    d.code, d.confidence
                );
            }
        }
    }
    let (per_lang, correct, total) = summarise(&confusion);
    let mb_per_s = if seconds > 0.0 {
        bytes as f64 / seconds / 1e6
    } else {
        0.0
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "per_language": per_lang.iter().map(|(l, &(ok, n))| (l.clone(), serde_json::json!({
                "correct": ok, "total": n, "accuracy": accuracy(ok, n)}))).collect::<serde_json::Map<_, _>>(),
            "overall": {"correct": correct, "total": total, "accuracy": accuracy(correct, total)},
            "confusion": confusion,
            "bytes": bytes,
            "mb_per_s": mb_per_s,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    writeln!(out, "lang\tcorrect\ttotal\taccuracy")?;
    for (lang, &(ok, n)) in &per_lang {
        writeln!(out, "{lang}\t{ok}\t{n}\t{:.4}", accuracy(ok, n))?;
    }
    writeln!(
        out,
        "overall\t{correct}\t{total}\t{:.4}",
        accuracy(correct, total)
    )?;
    writeln!(out, "\nconfusion (expected -> detected: count)")?;
    for (lang, row) in &confusion {
        let cells: Vec<String> = row.iter().map(|(d, n)| format!("{d}:{n}")).collect();
        writeln!(out, "{lang}\t{}", cells.join(" "))?;
    }
    writeln!(
        out,
        "\nthroughput: {bytes} bytes in {seconds:.3} s = {mb_per_s:.1} MB/s"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_counts_the_diagonal() {
        let mut confusion = Confusion::new();
        confusion
            .entry("az".into())
            .or_default()
            .insert("az".into(), 9);
        confusion
            .entry("az".into())
            .or_default()
            .insert("tr".into(), 1);
        confusion
            .entry("en".into())
            .or_default()
            .insert("und".into(), 2);
        let (per_lang, correct, total) = summarise(&confusion);
        assert_eq!(per_lang["az"], (9, 10));
        assert_eq!(per_lang["en"], (0, 2));
        assert_eq!((correct, total), (9, 12));
        assert_eq!(accuracy(0, 0), 0.0);
        assert!((accuracy(9, 12) - 0.75).abs() < 1e-12);
    }
}
