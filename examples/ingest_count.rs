//! Counts the records, errors and text bytes of the given inputs: a quick check (and
//! throughput measure) of `newsclaims::ingest` on a real corpus.
//!
//! `cargo run --release --example ingest_count -- PATH...`

use newsclaims::ingest::{IngestOptions, read_inputs};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let inputs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let records = match read_inputs(&inputs, &IngestOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut ok, mut bad, mut bytes) = (0u64, 0u64, 0u64);
    for r in records {
        match r {
            Ok(r) => {
                ok += 1;
                bytes += r.text.len() as u64;
            }
            Err(e) => {
                bad += 1;
                if bad <= 20 {
                    eprintln!("{e}");
                }
            }
        }
    }
    println!("records: {ok}, errors: {bad}, text bytes: {bytes}");
    ExitCode::SUCCESS
}
