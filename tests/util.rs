//! Runs the real binary in a fresh directory and reads its CSV output back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary working directory for one test.
pub struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating parent directories) and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, bytes).expect("write");
        path
    }

    /// Runs `newsclaims ARGS` in this directory.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_newsclaims"))
            .args(args)
            .current_dir(self.path())
            .env("NEWSCLAIMS_MODELS", models_dir())
            .output()
            .expect("run newsclaims")
    }

    /// Runs `extract` and fails the test with the binary's stderr when it fails.
    pub fn extract(&self, args: &[&str]) -> Output {
        let output = self.run(&[&["extract"], args].concat());
        assert!(
            output.status.success(),
            "newsclaims failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Reads a CSV table as rows of column → value.
    pub fn table(&self, path: &str) -> Vec<HashMap<String, String>> {
        read_table(&self.path().join(path))
    }
}

pub fn read_table(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("headers").clone();
    reader
        .records()
        .map(|r| {
            let record = r.expect("row");
            headers
                .iter()
                .map(String::from)
                .zip(record.iter().map(String::from))
                .collect()
        })
        .collect()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn models_dir() -> PathBuf {
    repo_root().join("models")
}

/// Slices `text` by code points, as Python's `text[start:end]` does.
pub fn slice_chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}
