//! An opened input stream: bounded records plus the file name that messages need.
//!
//! Every format reader pulls records through [`Input::next_record`], which rejects a
//! binary file once at its start and turns size-limit and stream failures into
//! [`RecordError`]s that name the file and line.

use super::lines::{Boundary, Piece, RecordReader, StreamError};
use super::{RecordError, gzip, sniff};
use std::io::BufRead;

/// An opened input: its bounded record reader plus what error messages need.
pub(crate) struct Input {
    reader: RecordReader<Box<dyn BufRead + Send>>,
    /// The file as shown in messages and [`super::Record::source`].
    pub(crate) source: String,
    gzip: bool,
    limit: usize,
    sniffed: bool,
    /// A file-level error found by the sniff, delivered by the next read.
    pending: Option<RecordError>,
}

impl Input {
    /// Wraps an opened stream named `source`; `gzip` says whether it is decompressed, and
    /// `limit` is the record size limit in bytes.
    pub(crate) fn new(
        reader: Box<dyn BufRead + Send>,
        source: String,
        gzip: bool,
        limit: usize,
    ) -> Input {
        Input {
            reader: RecordReader::new(reader, limit),
            source,
            gzip,
            limit,
            sniffed: false,
            pending: None,
        }
    }

    /// Examines the first bytes once: a binary file, or a stream that fails at once
    /// (not gzip after all, unreadable), becomes one pending error and ends the file.
    fn sniff(&mut self) {
        if self.sniffed {
            return;
        }
        self.sniffed = true;
        let error = match self.reader.peek().map(sniff::reject_file) {
            Ok(None) => return,
            Ok(Some(message)) => file_error(&self.source, message),
            Err(e) => self.error(1, None, gzip::describe(&e, self.gzip)),
        };
        self.reader.stop();
        self.pending = Some(error);
    }

    /// The locator of the record starting on `line`.
    pub(crate) fn locator(&self, line: u64) -> String {
        format!("{}:{line}", self.source)
    }

    /// An error about the record starting on `line`.
    pub(crate) fn error(&self, line: u64, doc_id: Option<String>, message: String) -> RecordError {
        RecordError {
            source: self.source.clone(),
            record: self.locator(line),
            doc_id,
            message,
        }
    }

    /// The first bytes of the stream (one buffer, after any BOM), to choose how to split
    /// it; empty when the file was rejected or fails (the next read reports why).
    pub(crate) fn head(&mut self) -> &[u8] {
        self.sniff();
        if self.pending.is_some() {
            return &[];
        }
        self.reader.peek().unwrap_or_default()
    }

    /// The next record's starting line and bytes (without terminator), or an error for a
    /// record too large or a broken stream. The first call rejects a binary file whole.
    pub(crate) fn next_record(
        &mut self,
        boundary: &mut impl Boundary,
    ) -> Option<Result<(u64, Vec<u8>), RecordError>> {
        self.sniff();
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        Some(match self.reader.next_piece(boundary)? {
            Ok(Piece::Record { line, bytes }) => Ok((line, bytes)),
            Ok(Piece::TooLarge { line, size }) => Err(self.error(
                line,
                None,
                format!("record too large ({size} bytes > limit {})", self.limit),
            )),
            Err(StreamError::Io { line, source }) => {
                Err(self.error(line, None, gzip::describe(&source, self.gzip)))
            }
            Err(StreamError::Unterminated { line, message }) => {
                Err(self.error(line, None, message.to_string()))
            }
        })
    }
}

/// An error about a whole file.
pub(crate) fn file_error(source: &str, message: String) -> RecordError {
    RecordError {
        source: source.to_string(),
        record: source.to_string(),
        doc_id: None,
        message,
    }
}
