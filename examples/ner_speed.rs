//! Tags a CoNLL file repeatedly with the embedded tagger (one thread; sentences in groups of
//! 20, as the pipeline passes a document's sentences) and prints tokens per
//! second of wall time and, on Linux, per CPU-second of this process (from
//! `/proc/self/stat`), which stays meaningful on a machine shared with other jobs.
//!
//! `RUSSIAN` chooses the Russian model: `embedded` (default: slovnet when `ru.slovnet` is
//! in `MODEL_DIR`), `perceptron` or `slovnet`.
//!
//! usage: cargo run --release --example ner_speed -- LANG FILE.conll [REPEATS] [MODEL_DIR] [RUSSIAN]

use newsclaims::document::Lang;
use newsclaims::eval::conll;
use newsclaims::ner::{EmbeddedTagger, RussianModel, Tagger};
use std::path::Path;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        anyhow::bail!("usage: ner_speed LANG FILE.conll [REPEATS] [MODEL_DIR] [RUSSIAN]");
    }
    let lang = Lang::from_code(&args[1]).ok_or_else(|| anyhow::anyhow!("unknown language"))?;
    let sents = conll::read_file(Path::new(&args[2]))?;
    let repeats: usize = args.get(3).map_or(Ok(10), |s| s.parse())?;
    let dir = args.get(4).map_or("models/ner", String::as_str);
    let russian = match args.get(5).map(String::as_str) {
        None | Some("embedded") => RussianModel::Auto,
        Some("perceptron") => RussianModel::Perceptron,
        Some("slovnet") => RussianModel::Slovnet,
        Some(other) => anyhow::bail!("unknown Russian model {other:?}"),
    };
    let load = Instant::now();
    let tagger = EmbeddedTagger::load_dir_with(Path::new(dir), russian)?;
    let load_ms = load.elapsed().as_secs_f64() * 1e3;
    let words: Vec<Vec<&str>> = sents
        .iter()
        .map(|s| s.words.iter().map(String::as_str).collect())
        .collect();
    let tokens: usize = words.iter().map(Vec::len).sum::<usize>() * repeats;
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let mut spans = 0usize;
    for _ in 0..repeats {
        // In groups of 20 sentences, as the pipeline hands over a document's sentences.
        for group in words.chunks(20) {
            spans += tagger
                .tag_batch(lang, group)?
                .iter()
                .map(Vec::len)
                .sum::<usize>();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    if let (Some(a), Some(b)) = (cpu0, cpu_seconds()) {
        println!(
            "{lang}: {:.0} tokens per CPU-second ({:.2} CPU-s)",
            tokens as f64 / (b - a),
            b - a
        );
    }
    println!(
        "{lang}: {tokens} tokens in {secs:.3} s = {:.0} tokens/s wall ({spans} spans; models loaded in {load_ms:.1} ms)",
        tokens as f64 / secs
    );
    Ok(())
}

/// User + system CPU time of this process in seconds, from `/proc/self/stat` (Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // The kernel reports in USER_HZ, 100 on every mainstream Linux.
    Some(ticks / 100.0)
}
