//! Tags a CoNLL file repeatedly with the embedded tagger and prints tokens per second of
//! wall time. Run it under `perf stat` (task-clock) or `/usr/bin/time` to get tokens per
//! CPU-second on a busy machine.
//!
//! usage: cargo run --release --example ner_speed -- LANG FILE.conll [REPEATS] [MODEL_DIR]

use newsclaims::document::Lang;
use newsclaims::eval::conll;
use newsclaims::ner::{EmbeddedTagger, Tagger};
use std::path::Path;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        anyhow::bail!("usage: ner_speed LANG FILE.conll [REPEATS] [MODEL_DIR]");
    }
    let lang = Lang::from_code(&args[1]).ok_or_else(|| anyhow::anyhow!("unknown language"))?;
    let sents = conll::read_file(Path::new(&args[2]))?;
    let repeats: usize = args.get(3).map_or(Ok(10), |s| s.parse())?;
    let dir = args.get(4).map_or("models/ner", String::as_str);
    let load = Instant::now();
    let tagger = EmbeddedTagger::load_dir(Path::new(dir))?;
    let load_ms = load.elapsed().as_secs_f64() * 1e3;
    let words: Vec<Vec<&str>> = sents
        .iter()
        .map(|s| s.words.iter().map(String::as_str).collect())
        .collect();
    let tokens: usize = words.iter().map(Vec::len).sum::<usize>() * repeats;
    let t = Instant::now();
    let mut spans = 0usize;
    for _ in 0..repeats {
        for w in &words {
            spans += tagger.tag(lang, w)?.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{lang}: {tokens} tokens in {secs:.3} s = {:.0} tokens/s wall ({spans} spans; models loaded in {load_ms:.1} ms)",
        tokens as f64 / secs
    );
    Ok(())
}
