//! Plain text: one article per file, the whole file is the text.

use super::lines::NoBoundary;
use super::{Input, Record, RecordError, sniff};

/// Reads the single record of a text file.
pub(crate) struct TxtReader {
    input: Input,
    /// The article id (the path relative to the walked directory, or the file name).
    id: String,
    done: bool,
}

impl TxtReader {
    /// Reads from `input`; the article gets the id `id`.
    pub(crate) fn new(input: Input, id: String) -> TxtReader {
        TxtReader {
            input,
            id,
            done: false,
        }
    }

    /// The file's record (or error), then `None`. An empty file is an article with empty
    /// text: the pipeline, not ingest, reports empty documents.
    pub(crate) fn next(&mut self) -> Option<Result<Record, RecordError>> {
        if self.done {
            return None;
        }
        self.done = true;
        let bytes = match self.input.next_record(&mut NoBoundary) {
            None => Vec::new(),
            Some(Ok((_, bytes))) => bytes,
            Some(Err(mut e)) => {
                // A text file is one record: its locator is the file, not a line.
                e.record = self.input.source.clone();
                e.doc_id = Some(self.id.clone());
                return Some(Err(e));
            }
        };
        let source = self.input.source.clone();
        Some(match sniff::text(&bytes) {
            Ok(_) => Ok(Record {
                id: self.id.clone(),
                record: source.clone(),
                source,
                // Valid UTF-8 was just checked; this conversion reuses the buffer.
                text: String::from_utf8(bytes).unwrap_or_default(),
                title: None,
                date: None,
                url: None,
                outlet: None,
                lang: None,
            }),
            Err(message) => Err(RecordError {
                record: source.clone(),
                source,
                doc_id: Some(self.id.clone()),
                message: with_line(&bytes, message),
            }),
        })
    }
}

/// Adds the line number to an "invalid UTF-8 at byte N" message: files are long.
fn with_line(bytes: &[u8], message: String) -> String {
    let Some(pos) = message
        .strip_prefix("invalid UTF-8 at byte ")
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return message;
    };
    let line = 1 + bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    format!("{message} (line {line})")
}

#[cfg(test)]
mod tests {
    use super::super::IngestOptions;
    use super::super::test_support::{gz, read, read_with, write};

    #[test]
    fn whole_file_is_the_text_with_bom_stripped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = write(
            dir.path(),
            "news/a.txt",
            "\u{FEFF}Line one.\r\nLine two.\n".as_bytes(),
        );
        let got = read(std::slice::from_ref(&p));
        let r = got[0].as_ref().expect("valid text");
        assert_eq!(r.text, "Line one.\r\nLine two.\n");
        assert_eq!(r.id, "a.txt");
        assert_eq!(r.record, p.display().to_string());
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn walked_ids_are_relative_paths_and_gz_works() {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "x/b.txt.gz", &gz(b"zipped"));
        write(dir.path(), "x/a.txt", b"");
        let got = read(&[dir.path().to_path_buf()]);
        let ids: Vec<_> = got
            .iter()
            .map(|r| r.as_ref().map(|r| (r.id.clone(), r.text.clone())))
            .collect();
        assert_eq!(
            ids,
            vec![
                Ok(("x/a.txt".to_string(), String::new())),
                Ok(("x/b.txt.gz".to_string(), "zipped".to_string()))
            ]
        );
        let src = got[0].as_ref().map(|r| r.source.clone());
        assert_eq!(src, Ok(dir.path().join("x/a.txt").display().to_string()));
    }

    #[test]
    fn bad_files_are_one_error_each() {
        let dir = tempfile::tempdir().expect("temp dir");
        let junk: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let bin = write(dir.path(), "bin.txt", &junk);
        let utf = write(dir.path(), "u.txt", b"first line\nsecond caf\xE9 line\n");
        let big = write(dir.path(), "big.txt", &[b'a'; 3000]);
        let opts = IngestOptions {
            max_record_bytes: 1024,
            ..IngestOptions::default()
        };
        let got = read_with(&[bin.clone(), utf.clone(), big.clone()], &opts);
        let msgs: Vec<String> = got
            .iter()
            .map(|r| {
                r.as_ref()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(msgs[0], format!("{}: binary data", bin.display()));
        assert_eq!(
            msgs[1],
            format!("{}: invalid UTF-8 at byte 21 (line 2)", utf.display())
        );
        assert_eq!(
            msgs[2],
            format!(
                "{}: record too large (3000 bytes > limit 1024)",
                big.display()
            )
        );
    }
}
