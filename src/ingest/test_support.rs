//! Helpers shared by the ingest unit tests: temp files, gzip, reading everything.

use super::{IngestOptions, Record, RecordError, read_inputs};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Gzip-compresses `data`.
pub(crate) fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(data).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

/// Writes `data` to `dir/rel` (creating parent directories) and returns the path.
pub(crate) fn write(dir: &Path, rel: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("temp dir is writable");
    }
    fs::write(&p, data).expect("temp dir is writable");
    p
}

/// Reads every record of `inputs` with default options.
pub(crate) fn read(inputs: &[PathBuf]) -> Vec<Result<Record, RecordError>> {
    read_with(inputs, &IngestOptions::default())
}

/// Reads every record of `inputs` with `opts`.
pub(crate) fn read_with(
    inputs: &[PathBuf],
    opts: &IngestOptions,
) -> Vec<Result<Record, RecordError>> {
    read_inputs(inputs, opts).expect("usable inputs").collect()
}
