//! A bounded record reader: splits a byte stream into records without ever holding more
//! than one record (capped at a byte limit) in memory.
//!
//! `BufRead::read_line` grows its buffer without bound, so one 50 MB line in a corpus
//! would be held whole. [`RecordReader`] instead scans the reader's own buffer with
//! `fill_buf`/`consume`, copies bytes into the record only while it stays under the limit,
//! and from then on merely counts (and discards) bytes up to the record's end. Where a
//! record ends is decided by a [`Boundary`]: a plain newline for JSON Lines, a
//! quote-aware newline for CSV, never for a text file that is one record.

use std::io::{self, BufRead};

/// The UTF-8 byte-order mark, stripped from the start of every stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decides where a record ends. Implementations keep state across chunks, because a
/// record (and a quoted CSV field) may span several reads.
pub(crate) trait Boundary {
    /// Returns the index of the byte that terminates the current record in `chunk`
    /// (a `\n`), or `None` when the record goes on past the chunk. The state must reflect
    /// every byte up to and including the returned index (or the whole chunk).
    fn scan(&mut self, chunk: &[u8]) -> Option<usize>;

    /// Forgets the state of the finished record.
    fn reset(&mut self);

    /// Why the stream may not end where it is now (inside a quoted field, say), if so.
    fn unfinished(&self) -> Option<&'static str> {
        None
    }

    /// Whether the byte found by [`Boundary::scan`] belongs to the record (the `}` that
    /// closes a JSON object) rather than being a separator to drop.
    fn keeps_end(&self) -> bool {
        false
    }

    /// Whether a `\r` ending the record is a line terminator to drop (not for a text file,
    /// whose content is kept byte for byte).
    fn strips_cr(&self) -> bool {
        true
    }
}

/// Records end at each `\n` (JSON Lines, the header-less lines of any text format).
#[derive(Debug, Default)]
pub(crate) struct NewlineBoundary;

impl Boundary for NewlineBoundary {
    fn scan(&mut self, chunk: &[u8]) -> Option<usize> {
        chunk.iter().position(|&b| b == b'\n')
    }

    fn reset(&mut self) {}
}

/// The whole stream is one record (a text file is one article).
#[derive(Debug, Default)]
pub(crate) struct NoBoundary;

impl Boundary for NoBoundary {
    fn scan(&mut self, _chunk: &[u8]) -> Option<usize> {
        None
    }

    fn reset(&mut self) {}

    fn strips_cr(&self) -> bool {
        false
    }
}

/// One record cut from the stream.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A record that fits the limit, without its terminating `\n` (a `\r` before it is
    /// removed too, so CRLF files read like LF files).
    Record {
        /// 1-based line on which the record starts.
        line: u64,
        /// The record's bytes.
        bytes: Vec<u8>,
    },
    /// A record that was larger than the limit and has been skipped.
    TooLarge {
        /// 1-based line on which the record starts.
        line: u64,
        /// The record's full size in bytes, terminator excluded.
        size: u64,
    },
}

/// Why the stream stopped delivering records.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// The underlying reader failed (I/O error, corrupt compressed data).
    Io {
        /// 1-based line of the record being read when it failed.
        line: u64,
        /// The reader's error.
        source: io::Error,
    },
    /// The stream ended inside a quoted field or an unclosed structure.
    Unterminated {
        /// 1-based line on which the unfinished record starts.
        line: u64,
        /// What was left open, from [`Boundary::unfinished`].
        message: &'static str,
    },
}

/// Splits a [`BufRead`] into bounded records; see the module documentation.
pub(crate) struct RecordReader<R> {
    inner: R,
    limit: usize,
    /// 1-based line number of the next unread byte.
    line: u64,
    started: bool,
    finished: bool,
}

impl<R: BufRead> RecordReader<R> {
    /// Wraps `inner`; records longer than `limit` bytes are skipped as [`Piece::TooLarge`].
    pub(crate) fn new(inner: R, limit: usize) -> Self {
        RecordReader {
            inner,
            limit,
            line: 1,
            started: false,
            finished: false,
        }
    }

    /// The first bytes of the stream (after any BOM), for sniffing; empty at end of input.
    pub(crate) fn peek(&mut self) -> io::Result<&[u8]> {
        self.start()?;
        fill(&mut self.inner)
    }

    /// Ends the stream early: every later [`RecordReader::next_piece`] returns `None`.
    pub(crate) fn stop(&mut self) {
        self.finished = true;
    }

    /// Strips a leading BOM once, before anything else is read.
    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let buf = fill(&mut self.inner)?;
            if buf.starts_with(BOM) {
                self.inner.consume(BOM.len());
            }
        }
        Ok(())
    }

    /// Reads the next record, or `None` at the end of the stream. After an error the
    /// reader is finished: a broken stream cannot be resynchronised.
    pub(crate) fn next_piece(
        &mut self,
        boundary: &mut impl Boundary,
    ) -> Option<Result<Piece, StreamError>> {
        if self.finished {
            return None;
        }
        let start_line = self.line;
        let result = self.read_piece(boundary, start_line);
        match &result {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => self.finished = true,
        }
        boundary.reset();
        result.transpose()
    }

    fn read_piece(
        &mut self,
        boundary: &mut impl Boundary,
        start_line: u64,
    ) -> Result<Option<Piece>, StreamError> {
        let io_err = |source| StreamError::Io {
            line: start_line,
            source,
        };
        self.start().map_err(io_err)?;
        let mut bytes = Vec::new();
        // Total size of the record; exceeds `bytes.len()` once we are discarding.
        let mut size: u64 = 0;
        let mut seen_any = false;
        loop {
            let chunk = fill(&mut self.inner).map_err(io_err)?;
            if chunk.is_empty() {
                if !seen_any {
                    return Ok(None);
                }
                if let Some(message) = boundary.unfinished() {
                    return Err(StreamError::Unterminated {
                        line: start_line,
                        message,
                    });
                }
                return Ok(Some(self.finish(
                    start_line,
                    bytes,
                    size,
                    boundary.strips_cr(),
                )));
            }
            seen_any = true;
            let (body, used, done) = match boundary.scan(chunk) {
                Some(end) if boundary.keeps_end() => (&chunk[..=end], end + 1, true),
                Some(end) => (&chunk[..end], end + 1, true),
                None => (chunk, chunk.len(), false),
            };
            // Count the terminator too when it is a newline (not a JSON array's comma).
            let newlines = chunk[..used].iter().filter(|&&b| b == b'\n').count() as u64;
            size += body.len() as u64;
            if size <= self.limit as u64 {
                bytes.extend_from_slice(body);
            } else if !bytes.is_empty() {
                // Release the partial record at once: the point is to never hold it.
                bytes = Vec::new();
            }
            self.line += newlines;
            self.inner.consume(used);
            if done {
                return Ok(Some(self.finish(
                    start_line,
                    bytes,
                    size,
                    boundary.strips_cr(),
                )));
            }
        }
    }

    fn finish(&self, line: u64, mut bytes: Vec<u8>, size: u64, strip_cr: bool) -> Piece {
        if size > self.limit as u64 {
            // The size (and the limit) count a CRLF record's `\r`: it was read all the same.
            return Piece::TooLarge { line, size };
        }
        if strip_cr && bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        Piece::Record { line, bytes }
    }
}

/// `fill_buf`, retrying when interrupted by a signal.
fn fill<R: BufRead>(r: &mut R) -> io::Result<&[u8]> {
    loop {
        match r.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    r.fill_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn pieces(data: &[u8], limit: usize, cap: usize) -> Vec<Piece> {
        let mut r = RecordReader::new(BufReader::with_capacity(cap, data), limit);
        let mut b = NewlineBoundary;
        let mut out = Vec::new();
        while let Some(p) = r.next_piece(&mut b) {
            out.push(p.expect("in-memory reads cannot fail"));
        }
        out
    }

    fn rec(line: u64, s: &str) -> Piece {
        Piece::Record {
            line,
            bytes: s.as_bytes().to_vec(),
        }
    }

    #[test]
    fn splits_lines_with_crlf_bom_and_no_final_newline() {
        let got = pieces(b"\xEF\xBB\xBFa\r\nbb\n\nc", 100, 3);
        assert_eq!(
            got,
            vec![rec(1, "a"), rec(2, "bb"), rec(3, ""), rec(4, "c")]
        );
    }

    #[test]
    fn too_large_records_are_skipped_and_counted() {
        let mut data = b"ok\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 10_000));
        data.extend(b"\nafter\n");
        let got = pieces(&data, 100, 64);
        assert_eq!(
            got,
            vec![
                rec(1, "ok"),
                Piece::TooLarge {
                    line: 2,
                    size: 10_000
                },
                rec(3, "after")
            ]
        );
    }

    #[test]
    fn no_boundary_reads_whole_stream() {
        let mut r = RecordReader::new(BufReader::with_capacity(2, &b"a\nb\n"[..]), 10);
        let p = r.next_piece(&mut NoBoundary).map(|p| p.ok());
        assert_eq!(p, Some(Some(rec(1, "a\nb\n"))));
        assert!(r.next_piece(&mut NoBoundary).is_none());
    }

    #[test]
    fn empty_stream_has_no_records() {
        assert!(pieces(b"", 10, 8).is_empty());
        assert!(pieces(b"\xEF\xBB\xBF", 10, 8).is_empty());
    }

    proptest::proptest! {
        /// Whatever the buffer size, records are the input's lines (CR of CRLF removed),
        /// and those over the limit are reported with their exact size.
        #[test]
        fn matches_a_naive_split(
            data in proptest::collection::vec(proptest::sample::select(b"ab\r\n".to_vec()), 0..200),
            cap in 1usize..16,
            limit in 0usize..12,
        ) {
            let mut expected = Vec::new();
            if !data.is_empty() {
                let body = data.strip_suffix(b"\n").unwrap_or(&data);
                for (i, line) in body.split(|&b| b == b'\n').enumerate() {
                    let line_no = i as u64 + 1;
                    if line.len() > limit {
                        expected.push(Piece::TooLarge { line: line_no, size: line.len() as u64 });
                    } else {
                        let bytes = line.strip_suffix(b"\r").unwrap_or(line).to_vec();
                        expected.push(Piece::Record { line: line_no, bytes });
                    }
                }
            }
            // A leading BOM is not part of these inputs, so nothing is stripped.
            proptest::prop_assert_eq!(pieces(&data, limit, cap), expected);
        }
    }
}
