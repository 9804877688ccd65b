//! Input formats and how a file name selects one.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// The format of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON Lines: one JSON object per line (`.jsonl`, `.ndjson`, `.json`).
    Jsonl,
    /// Comma-separated values with a header row (`.csv`).
    Csv,
    /// Tab-separated values with a header row (`.tsv`); quoting as in CSV.
    Tsv,
    /// Plain text: the whole file is one article (`.txt`).
    Txt,
}

impl Format {
    /// The format named by a file's extension, and whether the name ends in `.gz`
    /// (`x.jsonl.gz` → `(Jsonl, true)`); `None` for any other extension. Any case.
    pub fn from_path(path: &Path) -> Option<(Format, bool)> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let (name, gz) = match name.strip_suffix(".gz") {
            Some(inner) => (inner, true),
            None => (name.as_str(), false),
        };
        let ext = Path::new(name).extension()?.to_str()?;
        Format::from_name(ext).map(|f| (f, gz))
    }

    /// Parses a format or extension name: `jsonl`, `ndjson`, `json`, `csv`, `tsv`, `txt`.
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "tsv" => Some(Format::Tsv),
            "txt" | "text" => Some(Format::Txt),
            _ => None,
        }
    }

    /// The canonical name: `jsonl`, `csv`, `tsv` or `txt`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Txt => "txt",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    /// Parses like [`Format::from_name`], with a message listing the accepted names.
    fn from_str(s: &str) -> Result<Format, String> {
        Format::from_name(s).ok_or_else(|| {
            format!("unknown input format `{s}` (expected jsonl, ndjson, json, csv, tsv or txt)")
        })
    }
}
