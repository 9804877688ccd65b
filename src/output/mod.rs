//! The CSV tables: `documents.csv`, `claims.csv`, `entities.csv`.
//!
//! Each table is written to `NAME.partial` and renamed to `NAME` only when the run finishes,
//! so an interrupted run never leaves a complete-looking table behind.

use crate::claims::{ClaimRow, EntityRow};
use serde::Serialize;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Errors writing the output tables.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The output directory cannot be created or written.
    #[error("cannot write to output directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Writing a table failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The table file.
        path: PathBuf,
        /// The CSV or I/O error.
        #[source]
        source: csv::Error,
    },
    /// Renaming a finished table into place failed.
    #[error("cannot finish {path}: {source}")]
    Finish {
        /// The table file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The status of a document in `documents.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Processed.
    Ok,
    /// Not processed on purpose (another language, no text after boilerplate).
    Skipped,
    /// Bad input.
    Error,
}

/// One row of `documents.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocumentRow {
    /// The document id.
    pub doc_id: String,
    /// The input file.
    pub source: String,
    /// Where the record is (`FILE:LINE`).
    pub record: String,
    /// The language code (also for skipped languages), empty when unknown.
    pub lang: String,
    /// Code points of the original text.
    pub chars: usize,
    /// Number of sentences.
    pub sentences: usize,
    /// Number of entities written.
    pub entities: usize,
    /// Number of claims written.
    pub claims: usize,
    /// ok, skipped or error.
    pub status: Status,
    /// Why a document was skipped or failed; notes for an ok document.
    pub message: String,
}

/// A table being written under its temporary name.
struct Table {
    writer: csv::Writer<BufWriter<File>>,
    partial: PathBuf,
    target: PathBuf,
}

impl Table {
    fn create(dir: &Path, name: &str, header: &[&str]) -> Result<Table, OutputError> {
        let target = dir.join(name);
        let partial = dir.join(format!("{name}.partial"));
        let file = File::create(&partial).map_err(|source| OutputError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(BufWriter::with_capacity(256 * 1024, file));
        // The header is written by hand so that an empty table still has one.
        writer
            .write_record(header)
            .map_err(|source| OutputError::Write {
                path: partial.clone(),
                source,
            })?;
        Ok(Table {
            writer,
            partial,
            target,
        })
    }

    fn write<T: Serialize>(&mut self, row: &T) -> Result<(), OutputError> {
        self.writer
            .serialize(row)
            .map_err(|source| OutputError::Write {
                path: self.partial.clone(),
                source,
            })
    }

    fn finish(self) -> Result<(), OutputError> {
        let Table {
            writer,
            partial,
            target,
        } = self;
        let file = writer.into_inner().map_err(|err| OutputError::Finish {
            path: partial.clone(),
            source: std::io::Error::other(err.to_string()),
        })?;
        let file = file.into_inner().map_err(|err| OutputError::Finish {
            path: partial.clone(),
            source: err.into_error(),
        })?;
        file.sync_all().map_err(|source| OutputError::Finish {
            path: partial.clone(),
            source,
        })?;
        std::fs::rename(&partial, &target).map_err(|source| OutputError::Finish {
            path: target,
            source,
        })
    }
}

/// Column names of `claims.csv`, in order.
pub const CLAIM_COLUMNS: [&str; 21] = [
    "claim_id",
    "doc_id",
    "lang",
    "sentence_index",
    "kind",
    "speaker",
    "speaker_type",
    "speaker_start",
    "speaker_end",
    "speaker_resolved",
    "cue",
    "cue_start",
    "cue_end",
    "content",
    "content_start",
    "content_end",
    "reported_by",
    "reported_by_start",
    "reported_by_end",
    "date",
    "confidence",
];

/// Column names of `entities.csv`, in order.
pub const ENTITY_COLUMNS: [&str; 7] = [
    "doc_id",
    "sentence_index",
    "text",
    "type",
    "start",
    "end",
    "confidence",
];

/// Column names of `documents.csv`, in order.
pub const DOCUMENT_COLUMNS: [&str; 10] = [
    "doc_id",
    "source",
    "record",
    "lang",
    "chars",
    "sentences",
    "entities",
    "claims",
    "status",
    "message",
];

/// The three output tables.
pub struct Tables {
    documents: Table,
    claims: Table,
    entities: Table,
}

impl Tables {
    /// Creates the output directory if needed and opens the tables under temporary names.
    pub fn create(dir: &Path) -> Result<Tables, OutputError> {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Tables {
            documents: Table::create(dir, "documents.csv", &DOCUMENT_COLUMNS)?,
            claims: Table::create(dir, "claims.csv", &CLAIM_COLUMNS)?,
            entities: Table::create(dir, "entities.csv", &ENTITY_COLUMNS)?,
        })
    }

    /// Writes one document's rows.
    pub fn write_document(
        &mut self,
        document: &DocumentRow,
        claims: &[ClaimRow],
        entities: &[EntityRow],
    ) -> Result<(), OutputError> {
        self.documents.write(document)?;
        for claim in claims {
            self.claims.write(claim)?;
        }
        for entity in entities {
            self.entities.write(entity)?;
        }
        Ok(())
    }

    /// Flushes the tables and renames them into place: documents last, so its presence
    /// means the other two are complete.
    pub fn finish(self) -> Result<(), OutputError> {
        self.claims.finish()?;
        self.entities.finish()?;
        self.documents.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_the_row_structs() {
        let claim = ClaimRow {
            claim_id: "d#1".into(),
            doc_id: "d".into(),
            lang: "en".into(),
            sentence_index: 0,
            kind: "direct".into(),
            speaker: "He, said".into(),
            speaker_type: "PER".into(),
            speaker_start: Some(0),
            speaker_end: Some(2),
            speaker_resolved: "X".into(),
            cue: "said".into(),
            cue_start: 3,
            cue_end: 7,
            content: "a \"b\"".into(),
            content_start: 8,
            content_end: 10,
            reported_by: String::new(),
            reported_by_start: None,
            reported_by_end: None,
            date: String::new(),
            confidence: "0.900".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut tables = Tables::create(dir.path()).unwrap();
        let doc = DocumentRow {
            doc_id: "d".into(),
            source: "s".into(),
            record: "s:1".into(),
            lang: "en".into(),
            chars: 10,
            sentences: 1,
            entities: 0,
            claims: 1,
            status: Status::Ok,
            message: String::new(),
        };
        tables.write_document(&doc, &[claim], &[]).unwrap();
        assert!(dir.path().join("claims.csv.partial").exists());
        assert!(!dir.path().join("claims.csv").exists());
        tables.finish().unwrap();
        let mut reader = csv::Reader::from_path(dir.path().join("claims.csv")).unwrap();
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            CLAIM_COLUMNS
        );
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(row.len(), CLAIM_COLUMNS.len());
        assert_eq!((&row[5], &row[13], &row[17]), ("He, said", "a \"b\"", ""));
        let docs = std::fs::read_to_string(dir.path().join("documents.csv")).unwrap();
        assert_eq!(
            docs,
            format!("{}\nd,s,s:1,en,10,1,0,1,ok,\n", DOCUMENT_COLUMNS.join(","))
        );
        let entities = std::fs::read_to_string(dir.path().join("entities.csv")).unwrap();
        assert_eq!(entities, format!("{}\n", ENTITY_COLUMNS.join(",")));
    }
}
