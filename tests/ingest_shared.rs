//! Reads the raw corpora of `../shared/data` through `ingest` (plain and re-compressed)
//! and checks that every article comes through. Skips when the data is absent, so that a
//! clone without `shared/` still passes.

use flate2::Compression;
use flate2::write::GzEncoder;
use newsclaims::ingest::{IngestOptions, Record, read_inputs};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {} is absent", p.display());
        None
    }
}

fn read_all(path: &Path) -> Vec<Record> {
    let records = read_inputs(&[path.to_path_buf()], &IngestOptions::default())
        .expect("the corpus path exists");
    records
        .map(|r| r.unwrap_or_else(|e| panic!("unexpected ingest error: {e}")))
        .collect()
}

#[test]
fn raw_jsonl_corpora_read_without_errors() {
    for rel in ["raw/en/reuters21578.jsonl", "raw/ru/rucoco.jsonl"] {
        let Some(path) = shared(rel) else { continue };
        let records = read_all(&path);
        assert!(records.len() > 100, "{rel}: only {} records", records.len());
        let ids: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), records.len(), "{rel}: duplicate ids");
        assert!(
            records.iter().all(|r| r.lang.is_some()),
            "{rel}: lang missing"
        );
    }
}

#[test]
fn gzip_copy_reads_the_same_records() {
    let Some(path) = shared("raw/en/reuters21578.jsonl") else {
        return;
    };
    let data = std::fs::read(&path).expect("corpus is readable");
    // The first 3000 articles are plenty, and keep debug-mode test runs short.
    let data: Vec<u8> = data
        .split_inclusive(|&b| b == b'\n')
        .take(3000)
        .flatten()
        .copied()
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let plain_path = dir.path().join("reuters.jsonl");
    std::fs::write(&plain_path, &data).expect("temp dir is writable");
    let gz_path = dir.path().join("reuters.jsonl.gz");
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(&data).expect("writing to a Vec cannot fail");
    let gz = enc.finish().expect("writing to a Vec cannot fail");
    std::fs::write(&gz_path, gz).expect("temp dir is writable");
    let plain = read_all(&plain_path);
    assert_eq!(plain.len(), 3000);
    let zipped = read_all(&gz_path);
    assert_eq!(plain.len(), zipped.len());
    for (a, b) in plain.iter().zip(&zipped) {
        assert_eq!(
            (&a.id, &a.text, &a.title, &a.date),
            (&b.id, &b.text, &b.title, &b.date)
        );
    }
}
