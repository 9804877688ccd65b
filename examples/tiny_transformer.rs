//! Writes a tiny random BERT token-classification model into a directory, to try
//! `--ner transformer --model-dir DIR` end to end without a trained model (its entities are
//! noise). `scripts/with-libtorch.sh cargo run --features transformer --example tiny_transformer -- DIR`

use newsclaims::ner::transformer::tiny::{TinySpec, write_tiny_model};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: tiny_transformer DIR"))?;
    std::fs::create_dir_all(&dir)?;
    write_tiny_model(&dir, TinySpec::default())?;
    println!("tiny model written to {}", dir.display());
    Ok(())
}
