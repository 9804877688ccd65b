//! CSV and TSV with a header row; columns are found by the configured names.
//!
//! Rows are cut from the stream by a quote-aware [`CsvBoundary`] (so that a single row
//! stays bounded by the record limit, which the `csv` crate's reader cannot promise), then
//! each row is parsed by the `csv` crate. The boundary follows the `csv` crate's rules: a
//! quote opens a quoted field only at the start of a field, `""` inside quotes is a quote,
//! and newlines inside quotes belong to the field.

use super::lines::Boundary;
use super::{IngestOptions, Input, Record, RecordError, sniff};
use ::csv::{ReaderBuilder, StringRecord, Terminator};
use std::io::{self, Read};

/// Where the scanner is inside a CSV row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// Just saw a quote inside a quoted field: either an escaped quote or the closing one.
    QuoteInQuoted,
}

/// Finds the newline that ends a CSV row, skipping newlines inside quoted fields.
#[derive(Debug)]
pub(crate) struct CsvBoundary {
    delimiter: u8,
    state: State,
}

impl CsvBoundary {
    /// A boundary for rows separated by `delimiter`.
    pub(crate) fn new(delimiter: u8) -> CsvBoundary {
        CsvBoundary {
            delimiter,
            state: State::FieldStart,
        }
    }
}

impl Boundary for CsvBoundary {
    fn scan(&mut self, chunk: &[u8]) -> Option<usize> {
        for (i, &b) in chunk.iter().enumerate() {
            self.state = match (self.state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (State::FieldStart, b'"') => State::Quoted,
                (_, b'\n') => return Some(i),
                (_, d) if d == self.delimiter => State::FieldStart,
                _ => State::Unquoted,
            };
        }
        None
    }

    fn reset(&mut self) {
        self.state = State::FieldStart;
    }

    fn unfinished(&self) -> Option<&'static str> {
        (self.state == State::Quoted)
            .then_some("unterminated quoted field: the file ends inside quotes")
    }
}

/// Column indices of the wanted fields.
#[derive(Clone, Copy, Debug)]
struct Columns {
    width: usize,
    text: usize,
    id: Option<usize>,
    title: Option<usize>,
    date: Option<usize>,
    url: Option<usize>,
    source: Option<usize>,
    lang: Option<usize>,
}

/// Reads the records of one CSV or TSV stream.
pub(crate) struct CsvReader {
    input: Input,
    boundary: CsvBoundary,
    parser: RowParser,
    /// `None` until the header is read.
    columns: Option<Columns>,
    done: bool,
}

impl CsvReader {
    /// Reads from `input`, fields separated by `delimiter`.
    pub(crate) fn new(input: Input, delimiter: u8) -> CsvReader {
        CsvReader {
            input,
            boundary: CsvBoundary::new(delimiter),
            parser: RowParser::new(delimiter),
            columns: None,
            done: false,
        }
    }

    /// The next record or error. A file without a header or without the text column
    /// yields one error and nothing else.
    pub(crate) fn next(&mut self, opts: &IngestOptions) -> Option<Result<Record, RecordError>> {
        if self.done {
            return None;
        }
        if self.columns.is_none() {
            match self.header(opts) {
                Ok(cols) => self.columns = Some(cols),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        loop {
            let (line, bytes) = match self.input.next_record(&mut self.boundary)? {
                Ok(piece) => piece,
                Err(e) => return Some(Err(e)),
            };
            if bytes.is_empty() {
                continue;
            }
            let cols = self.columns?;
            return Some(self.row(cols, line, &bytes));
        }
    }

    /// Reads the header (the first non-empty row) and finds the wanted columns.
    fn header(&mut self, opts: &IngestOptions) -> Result<Columns, RecordError> {
        let file_error = |input: &Input, message: String| RecordError {
            source: input.source.clone(),
            record: input.source.clone(),
            doc_id: None,
            message,
        };
        let (line, bytes) = loop {
            match self.input.next_record(&mut self.boundary) {
                None => {
                    let m = "no header row (the file is empty)".to_string();
                    return Err(file_error(&self.input, m));
                }
                Some(Err(e)) => return Err(e),
                Some(Ok((_, b))) if b.is_empty() => continue,
                Some(Ok(piece)) => break piece,
            }
        };
        if let Some(d) = sniff_delimiter(self.parser.delimiter, &bytes) {
            self.boundary = CsvBoundary::new(d);
            self.parser = RowParser::new(d);
        }
        let header = sniff::text(&bytes)
            .map_err(|m| self.input.error(line, None, format!("header: {m}")))
            .and_then(|s| {
                self.parser
                    .split(s)
                    .map_err(|m| self.input.error(line, None, m))
            })?;
        let find = |name: &str| {
            header.iter().position(|h| h == name).or_else(|| {
                header
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
            })
        };
        let Some(text) = find(&opts.text_column) else {
            let found: Vec<&str> = header.iter().collect();
            let m = format!(
                "no `{}` column (columns found: {})",
                opts.text_column,
                found.join(", ")
            );
            return Err(file_error(&self.input, m));
        };
        Ok(Columns {
            width: header.len(),
            text,
            id: find(&opts.id_column),
            title: find(&opts.title_column),
            date: find(&opts.date_column),
            url: find(&opts.url_column),
            source: find(&opts.source_column),
            lang: find(&opts.lang_column),
        })
    }

    /// Turns one row into a record.
    fn row(&mut self, cols: Columns, line: u64, bytes: &[u8]) -> Result<Record, RecordError> {
        let input = &self.input;
        let fields = sniff::text(bytes)
            .and_then(|s| self.parser.split(s))
            .map_err(|m| input.error(line, None, m))?;
        let get = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let id = get(cols.id);
        if fields.len() != cols.width {
            let m = format!(
                "row has {} fields but the header has {}",
                fields.len(),
                cols.width
            );
            return Err(input.error(line, id, m));
        }
        let locator = input.locator(line);
        Ok(Record {
            id: id.unwrap_or_else(|| locator.clone()),
            source: input.source.clone(),
            record: locator,
            text: fields.get(cols.text).unwrap_or_default().to_string(),
            title: get(cols.title),
            date: get(cols.date),
            url: get(cols.url),
            outlet: get(cols.source),
            lang: get(cols.lang),
        })
    }
}

/// Spreadsheet exports in many locales separate CSV fields with `;` (or tabs, or `|`):
/// when a `.csv` header holds no comma but one of those, that is the delimiter.
fn sniff_delimiter(delimiter: u8, header: &[u8]) -> Option<u8> {
    if delimiter != b',' || header.contains(&b',') {
        return None;
    }
    [b';', b'\t', b'|'].into_iter().find(|d| header.contains(d))
}

/// Hands rows, one at a time, to a long-lived `csv` reader. Building a `csv` reader
/// compiles its parsing automaton, which costs far more than parsing a typical row, so
/// one reader is kept per file and fed through this buffer.
#[derive(Debug, Default)]
struct Feed {
    row: Vec<u8>,
    pos: usize,
    /// Set when the reader asked for more than the row: it did not end where it should.
    drained: bool,
}

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.row[self.pos..];
        let n = rest.len().min(buf.len());
        if n == 0 && !buf.is_empty() {
            self.drained = true;
        }
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// Parses single rows with the `csv` crate.
struct RowParser {
    delimiter: u8,
    reader: ::csv::Reader<Feed>,
    record: StringRecord,
}

impl RowParser {
    fn new(delimiter: u8) -> RowParser {
        RowParser {
            delimiter,
            reader: Self::reader(delimiter),
            record: StringRecord::new(),
        }
    }

    fn reader(delimiter: u8) -> ::csv::Reader<Feed> {
        ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            // Only `\n` ends rows (the boundary already cut them); a stray `\r` is content.
            .terminator(Terminator::Any(b'\n'))
            .from_reader(Feed::default())
    }

    /// Parses one row (without its terminator) into fields.
    fn split(&mut self, row: &str) -> Result<&StringRecord, String> {
        let feed = self.reader.get_mut();
        feed.row.clear();
        feed.row.extend_from_slice(row.as_bytes());
        // The terminator lets the reader finish the row without asking for more input:
        // an empty read would put it in its end-of-input state for good.
        feed.row.push(b'\n');
        feed.pos = 0;
        feed.drained = false;
        let before = self.reader.position().byte();
        let result = self.reader.read_record(&mut self.record);
        let consumed = self.reader.position().byte() - before;
        match result {
            // `drained`: the row ran into the end of the feed (an open quote), which may
            // leave the reader in its end-of-input state.
            Ok(true) if consumed == row.len() as u64 + 1 && !self.reader.get_ref().drained => {
                Ok(&self.record)
            }
            Ok(_) => {
                // The row was not exactly one record: start afresh so that the next row
                // is not parsed with leftover state.
                self.reader = Self::reader(self.delimiter);
                Err("malformed row: it does not parse as one CSV record".to_string())
            }
            Err(e) => {
                self.reader = Self::reader(self.delimiter);
                Err(format!("malformed row: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{gz, read, read_with, write};
    use super::super::{IngestOptions, Input};
    use super::{CsvReader, RowParser};
    use proptest::prelude::*;

    fn texts(got: &[Result<super::Record, super::RecordError>]) -> Vec<String> {
        got.iter()
            .map(|r| match r {
                Ok(r) => format!("{}|{}|{}", r.id, r.text, r.title.as_deref().unwrap_or("-")),
                Err(e) => format!("ERR {e}"),
            })
            .collect()
    }

    #[test]
    fn reads_rows_with_quotes_newlines_crlf_and_bom() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = "\u{FEFF}id,title,text\r\n\
                    1,T1,\"Hello, \"\"world\"\"\r\nsecond line\"\r\n\
                    \r\n\
                    ,,plain\r\n\
                    3,T3,5\" screen\r\n";
        let p = write(dir.path(), "a.csv", body.as_bytes());
        let src = p.display().to_string();
        let got = read(&[p]);
        assert_eq!(
            texts(&got),
            vec![
                "1|Hello, \"world\"\r\nsecond line|T1".to_string(),
                format!("{src}:5|plain|-"),
                "3|5\" screen|T3".to_string(),
            ]
        );
        assert_eq!(
            got[1].as_ref().map(|r| r.record.clone()),
            Ok(format!("{src}:5"))
        );
    }

    #[test]
    fn custom_columns_tsv_and_gzip() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = "Doc\tBody\tOutlet\tLang\nd1\tMətn\tAPA\taz\n";
        let p = write(dir.path(), "a.tsv.gz", &gz(body.as_bytes()));
        let opts = IngestOptions {
            text_column: "body".to_string(),
            id_column: "doc".to_string(),
            source_column: "Outlet".to_string(),
            ..IngestOptions::default()
        };
        let got = read_with(&[p], &opts);
        let r = got[0].as_ref().expect("valid row");
        assert_eq!((r.id.as_str(), r.text.as_str()), ("d1", "Mətn"));
        assert_eq!(
            (r.outlet.as_deref(), r.lang.as_deref()),
            (Some("APA"), Some("az"))
        );
    }

    #[test]
    fn missing_text_column_is_one_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = write(dir.path(), "a.csv", b"id,body\n1,x\n2,y\n");
        let src = p.display().to_string();
        let got = read(&[p]);
        assert_eq!(
            texts(&got),
            vec![format!(
                "ERR {src}: no `text` column (columns found: id, body)"
            )]
        );
        let q = write(dir.path(), "empty.csv", b"");
        let got = read(&[q]);
        assert_eq!(got.len(), 1);
        assert!(texts(&got)[0].contains("no header row"));
    }

    #[test]
    fn bad_rows_are_errors_and_reading_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut body = b"id,text\n1,ok\n2,too,many\n3,caf\xE9 au lait\n4,a\0b\n".to_vec();
        body.extend(b"5,");
        body.extend(std::iter::repeat_n(b'x', 5000));
        body.extend(b"\n6,fine\n7,\"never closed\n");
        let p = write(dir.path(), "a.csv", &body);
        let src = p.display().to_string();
        let opts = IngestOptions {
            max_record_bytes: 1024,
            ..IngestOptions::default()
        };
        let got = read_with(&[p], &opts);
        assert_eq!(
            texts(&got),
            vec![
                "1|ok|-".to_string(),
                format!("ERR {src}:3: row has 3 fields but the header has 2"),
                format!("ERR {src}:4: invalid UTF-8 at byte 5"),
                format!("ERR {src}:5: binary data (NUL bytes)"),
                format!("ERR {src}:6: record too large (5002 bytes > limit 1024)"),
                "6|fine|-".to_string(),
                format!("ERR {src}:8: unterminated quoted field: the file ends inside quotes"),
            ]
        );
        let e = got[1].as_ref().expect_err("ragged row");
        assert_eq!(e.doc_id.as_deref(), Some("2"));
    }

    #[test]
    fn semicolon_csv_is_recognised_from_its_header() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = "id;text;title\n1;\"a; b, c\";T\n";
        let p = write(dir.path(), "excel.csv", body.as_bytes());
        let got = read(&[p]);
        assert_eq!(texts(&got), vec!["1|a; b, c|T".to_string()]);
    }

    #[test]
    fn one_parser_reads_many_rows() {
        let mut p = RowParser::new(b',');
        let fields = |p: &mut RowParser, row: &str| -> Vec<String> {
            p.split(row)
                .map(|r| r.iter().map(str::to_string).collect())
                .unwrap_or_else(|e| vec![e])
        };
        assert_eq!(fields(&mut p, "a,b"), vec!["a", "b"]);
        assert_eq!(fields(&mut p, "\"x\"\"y\n z\",,"), vec!["x\"y\n z", "", ""]);
        assert_eq!(
            fields(&mut p, "\"open"),
            vec!["malformed row: it does not parse as one CSV record"]
        );
        assert_eq!(fields(&mut p, "c"), vec!["c"]);
    }

    fn read_bytes(data: Vec<u8>) -> Vec<Result<super::Record, super::RecordError>> {
        let input = Input::new(
            Box::new(std::io::Cursor::new(data)),
            "mem".to_string(),
            false,
            1 << 20,
        );
        let mut reader = CsvReader::new(input, b',');
        let opts = IngestOptions::default();
        std::iter::from_fn(|| reader.next(&opts)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the `csv` crate writes, the row splitter reads back field for field.
        #[test]
        fn reads_back_what_the_csv_crate_writes(
            rows in prop::collection::vec(
                ("[a-z0-9]{1,4}", "[a-z\",\r\n ]{1,12}", "[a-z\", ]{0,6}"),
                1..20,
            )
        ) {
            let mut w = ::csv::Writer::from_writer(Vec::new());
            w.write_record(["id", "text", "title"]).expect("in memory");
            for (id, text, title) in &rows {
                w.write_record([id, text, title]).expect("in memory");
            }
            let data = w.into_inner().expect("in memory");
            let got = read_bytes(data);
            prop_assert_eq!(got.len(), rows.len());
            for (r, (id, text, title)) in got.iter().zip(&rows) {
                let r = r.as_ref().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&r.id, id);
                prop_assert_eq!(&r.text, text);
                prop_assert_eq!(r.title.as_deref().unwrap_or(""), title.as_str());
            }
        }
    }
}
