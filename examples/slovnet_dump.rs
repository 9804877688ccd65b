//! Prints the slovnet network's scores and CRF path for sentences read from standard input
//! (one sentence a line, words separated by single spaces), as JSON lines
//! `{"emissions": [[...], ...], "path": [...]}`. `scripts/slovnet-crosscheck.py` compares
//! them with natasha's Python reference.
//!
//! usage: cargo run --release --example slovnet_dump -- [MODEL_FILE] < SENTENCES

use newsclaims::ner::SlovnetModel;
use std::io::{BufRead, Write};
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/ner/ru.slovnet".to_string());
    let model = SlovnetModel::load(Path::new(&path))?;
    let tags = model.tag_count();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
        let emissions = model.emissions(&words);
        let rows: Vec<&[f32]> = emissions.chunks(tags).collect();
        let path = model.decode(&words);
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({"emissions": rows, "path": path}),
        )?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}
