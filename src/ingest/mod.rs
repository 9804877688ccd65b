//! Ingest: streaming readers of news corpora (JSON Lines, CSV/TSV, plain text, each
//! optionally gzip-compressed) from files, directories and standard input.
//!
//! [`read_inputs`] checks the arguments and returns [`Records`], an iterator that opens
//! the inputs lazily, in order, and yields one [`Record`] per article. It never holds more
//! than one record (capped at [`IngestOptions::max_record_bytes`]) in memory, so corpora
//! of any size stream through. Bad data never stops the run: a malformed record or an
//! unusable file is yielded as a [`RecordError`] that names the file and line, and
//! reading goes on with the next record or file.

mod array;
mod csv;
mod format;
mod gzip;
mod input;
mod jsonl;
mod lines;
mod sniff;
#[cfg(test)]
mod test_support;
mod txt;
mod walk;

pub use format::Format;
use input::{Input, file_error};
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// How to read the inputs. Column names apply to JSON keys and CSV header names alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestOptions {
    /// Format of explicitly named files and of stdin; `None` chooses by extension (stdin:
    /// JSON Lines). Files found by walking a directory are always read by their extension.
    pub format: Option<Format>,
    /// Column/key holding the article text (required).
    pub text_column: String,
    /// Column/key holding the document id.
    pub id_column: String,
    /// Column/key holding the title.
    pub title_column: String,
    /// Column/key holding the date.
    pub date_column: String,
    /// Column/key holding the URL.
    pub url_column: String,
    /// Column/key holding the outlet name (becomes [`Record::outlet`]).
    pub source_column: String,
    /// Column/key holding a language code.
    pub lang_column: String,
    /// Largest record accepted, in bytes; larger ones are skipped with an error.
    pub max_record_bytes: usize,
}

impl Default for IngestOptions {
    /// Columns `text`, `id`, `title`, `date`, `url`, `source`, `lang`; records up to 10 MiB.
    fn default() -> Self {
        IngestOptions {
            format: None,
            text_column: "text".to_string(),
            id_column: "id".to_string(),
            title_column: "title".to_string(),
            date_column: "date".to_string(),
            url_column: "url".to_string(),
            source_column: "source".to_string(),
            lang_column: "lang".to_string(),
            max_record_bytes: 10 * 1024 * 1024,
        }
    }
}

/// One article read from the inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The document id: the id field when present and non-empty, else the locator
    /// (`FILE:LINE`) for JSONL/CSV, or the path relative to the walked directory (the file
    /// name for a file given directly) for a text file.
    pub id: String,
    /// The input file as the user gave it (joined with the relative path for files found
    /// in a directory); `-` for stdin.
    pub source: String,
    /// Where the record is: `FILE:LINE` (JSONL; CSV: the line its row starts on, the header
    /// being line 1) or `FILE` (a text file).
    pub record: String,
    /// The article text exactly as read (a leading BOM removed); may be empty.
    pub text: String,
    /// The title, if given and non-empty.
    pub title: Option<String>,
    /// The date, as written in the input.
    pub date: Option<String>,
    /// The URL.
    pub url: Option<String>,
    /// The outlet: the `source` field/column of the input.
    pub outlet: Option<String>,
    /// The language code given in the input, unchecked.
    pub lang: Option<String>,
}

/// One bad record or one unusable file. Reading goes on after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    /// The input file (as in [`Record::source`]).
    pub source: String,
    /// The locator: `FILE:LINE` for a record, `FILE` for a whole file.
    pub record: String,
    /// The document id, when it could be read.
    pub doc_id: Option<String>,
    /// What is wrong, in lower case.
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.record, self.message)
    }
}

impl std::error::Error for RecordError {}

/// Unusable arguments to [`read_inputs`]; bad data is a [`RecordError`] instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// No input was given.
    #[error("no inputs given")]
    NoInputs,
    /// An input path does not exist.
    #[error("input {path} does not exist")]
    NotFound {
        /// The path as given.
        path: String,
        /// The error from the file system.
        #[source]
        source: io::Error,
    },
    /// An input path exists but cannot be examined.
    #[error("cannot read input {path}: {source}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The error from the file system.
        #[source]
        source: io::Error,
    },
    /// `-` was given more than once.
    #[error("standard input (-) is given more than once")]
    StdinTwice,
    /// A file given directly has no known extension and no format was chosen.
    #[error(
        "cannot tell the format of {path}: expected .jsonl, .ndjson, .json, .csv, .tsv or .txt \
         (optionally .gz), or name the format explicitly"
    )]
    UnknownFormat {
        /// The path as given.
        path: String,
    },
}

/// One input, planned but not yet opened.
#[derive(Debug)]
enum Planned {
    File {
        path: PathBuf,
        format: Format,
        gz: bool,
    },
    Stdin {
        format: Format,
    },
    Dir {
        root: PathBuf,
    },
}

/// Checks the inputs (files, directories, `-` for stdin) and returns the record stream.
/// Nothing is opened yet: files are opened one at a time as the stream reaches them.
///
/// * Inputs are read in the order given. A directory is walked recursively, entries sorted
///   by name bytes, depth first; hidden entries and files without a known extension are
///   skipped without a record.
/// * A file given directly is read in `opts.format`, else by its extension; `-` reads
///   stdin in `opts.format`, else JSON Lines. Gzip is recognised by a `.gz` name or by
///   its magic bytes. A JSON stream whose first non-blank byte is `[` is read as one
///   array of objects, one whose first line is just `{` as pretty-printed objects.
/// * Errors: [`IngestError`] only for unusable arguments (no inputs, a path that does not
///   exist or cannot be examined, `-` twice, a direct file of unknown format). Everything
///   found while reading is a [`RecordError`] in the stream.
pub fn read_inputs(inputs: &[PathBuf], opts: &IngestOptions) -> Result<Records, IngestError> {
    if inputs.is_empty() {
        return Err(IngestError::NoInputs);
    }
    let mut plan = VecDeque::new();
    let mut stdin_seen = false;
    for input in inputs {
        if input.as_os_str() == "-" {
            if stdin_seen {
                return Err(IngestError::StdinTwice);
            }
            stdin_seen = true;
            let format = opts.format.unwrap_or(Format::Jsonl);
            plan.push_back(Planned::Stdin { format });
            continue;
        }
        let shown = input.display().to_string();
        let meta = std::fs::metadata(input).map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                IngestError::NotFound {
                    path: shown.clone(),
                    source,
                }
            } else {
                IngestError::Unreadable {
                    path: shown.clone(),
                    source,
                }
            }
        })?;
        if meta.is_dir() {
            plan.push_back(Planned::Dir {
                root: input.clone(),
            });
            continue;
        }
        let by_name = Format::from_path(input);
        let gz = by_name.is_some_and(|(_, gz)| gz) || shown.to_ascii_lowercase().ends_with(".gz");
        let format = match (opts.format, by_name) {
            (Some(f), _) | (None, Some((f, _))) => f,
            (None, None) => return Err(IngestError::UnknownFormat { path: shown }),
        };
        plan.push_back(Planned::File {
            path: input.clone(),
            format,
            gz,
        });
    }
    Ok(Records {
        plan,
        walk: None,
        current: None,
        opts: opts.clone(),
    })
}

/// The stream of records of all inputs, in order; see [`read_inputs`].
pub struct Records {
    plan: VecDeque<Planned>,
    walk: Option<walk::Walker>,
    current: Option<FileReader>,
    opts: IngestOptions,
}

impl fmt::Debug for Records {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Records")
            .field("pending_inputs", &self.plan.len())
            .field("walking", &self.walk.is_some())
            .field("reading", &self.current.is_some())
            .finish()
    }
}

impl Iterator for Records {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(reader) = &mut self.current {
                match reader.next(&self.opts) {
                    Some(item) => return Some(item),
                    None => self.current = None,
                }
            }
            if let Some(walker) = &mut self.walk {
                match walker.next() {
                    Some(walk::WalkItem::File {
                        path,
                        rel,
                        format,
                        gz,
                    }) => {
                        let name = slash_path(&rel);
                        if let Err(e) = self.open(Some(&path), format, gz, name) {
                            return Some(Err(e));
                        }
                    }
                    Some(walk::WalkItem::Error { path, message }) => {
                        let source = path.display().to_string();
                        return Some(Err(file_error(&source, message)));
                    }
                    None => self.walk = None,
                }
                continue;
            }
            match self.plan.pop_front()? {
                Planned::File { path, format, gz } => {
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    if let Err(e) = self.open(Some(&path), format, gz, name) {
                        return Some(Err(e));
                    }
                }
                Planned::Stdin { format } => {
                    if let Err(e) = self.open(None, format, false, "-".to_string()) {
                        return Some(Err(e));
                    }
                }
                Planned::Dir { root } => self.walk = Some(walk::Walker::new(&root)),
            }
        }
    }
}

impl Records {
    /// Opens a file (`None`: stdin) and makes it the current reader. `name` is the id
    /// of a text file's article.
    fn open(
        &mut self,
        path: Option<&Path>,
        format: Format,
        gz: bool,
        name: String,
    ) -> Result<(), RecordError> {
        let source = path.map_or_else(|| "-".to_string(), |p| p.display().to_string());
        let opened = match path {
            Some(p) => gzip::open_file(p, gz),
            None => gzip::open_stdin(),
        };
        let stream = opened.map_err(|e| file_error(&source, format!("cannot open: {e}")))?;
        let input = Input::new(
            stream.reader,
            source,
            stream.gzip,
            self.opts.max_record_bytes,
        );
        self.current = Some(match format {
            Format::Jsonl => FileReader::Jsonl(jsonl::JsonlReader::new(input)),
            Format::Csv => FileReader::Csv(Box::new(csv::CsvReader::new(input, b','))),
            Format::Tsv => FileReader::Csv(Box::new(csv::CsvReader::new(input, b'\t'))),
            Format::Txt => FileReader::Txt(txt::TxtReader::new(input, name)),
        });
        Ok(())
    }
}

/// The reader of the file being read.
enum FileReader {
    Jsonl(jsonl::JsonlReader),
    Csv(Box<csv::CsvReader>),
    Txt(txt::TxtReader),
}

impl FileReader {
    fn next(&mut self, opts: &IngestOptions) -> Option<Result<Record, RecordError>> {
        match self {
            FileReader::Jsonl(r) => r.next(opts),
            FileReader::Csv(r) => r.next(opts),
            FileReader::Txt(r) => r.next(),
        }
    }
}

/// A relative path with `/` separators on every platform, for stable ids.
fn slash_path(rel: &Path) -> String {
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::test_support::{read, write};
    use super::*;

    fn summary(got: &[Result<Record, RecordError>]) -> Vec<String> {
        got.iter()
            .map(|r| match r {
                Ok(r) => format!("{} {}", r.record, r.id),
                Err(e) => format!("ERR {e}"),
            })
            .collect()
    }

    #[test]
    fn formats_by_extension_and_name() {
        let f = |p: &str| Format::from_path(Path::new(p));
        assert_eq!(f("a/b.JSONL"), Some((Format::Jsonl, false)));
        assert_eq!(f("b.ndjson.gz"), Some((Format::Jsonl, true)));
        assert_eq!(f("b.json"), Some((Format::Jsonl, false)));
        assert_eq!(f("b.tsv.gz"), Some((Format::Tsv, true)));
        assert_eq!(f("b.txt"), Some((Format::Txt, false)));
        assert_eq!(f("b.gz"), None);
        assert_eq!(f("b.md"), None);
        assert_eq!("csv".parse::<Format>(), Ok(Format::Csv));
        assert!("xml".parse::<Format>().is_err_and(|m| m.contains("`xml`")));
    }

    #[test]
    fn unusable_arguments_are_ingest_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = IngestOptions::default();
        let missing = dir.path().join("nope.jsonl");
        let err = read_inputs(std::slice::from_ref(&missing), &opts).expect_err("missing input");
        assert_eq!(
            err.to_string(),
            format!("input {} does not exist", missing.display())
        );
        let dash = PathBuf::from("-");
        let err = read_inputs(&[dash.clone(), dash.clone()], &opts).expect_err("stdin twice");
        assert!(matches!(err, IngestError::StdinTwice));
        assert!(read_inputs(&[dash], &opts).is_ok());
        assert!(matches!(
            read_inputs(&[], &opts),
            Err(IngestError::NoInputs)
        ));
        let notes = write(dir.path(), "notes.md", b"hello");
        let err = read_inputs(std::slice::from_ref(&notes), &opts).expect_err("unknown format");
        assert!(matches!(err, IngestError::UnknownFormat { .. }));
        let as_txt = IngestOptions {
            format: Some(Format::Txt),
            ..IngestOptions::default()
        };
        let got: Vec<_> = read_inputs(&[notes], &as_txt).expect("usable").collect();
        assert_eq!(got[0].as_ref().map(|r| r.text.as_str()), Ok("hello"));
    }

    #[test]
    fn inputs_are_read_in_order_and_directories_sorted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        write(
            &corpus,
            "b/2.jsonl",
            b"{\"text\": \"x\"}\n{\"text\": \"y\"}\n",
        );
        write(&corpus, "a.csv", b"id,text\nr1,x\n");
        write(&corpus, "b.txt", b"t");
        write(&corpus, ".hidden.jsonl", b"{\"text\": \"x\"}\n");
        write(&corpus, "README.md", b"ignored");
        let single = write(dir.path(), "single.txt", b"s");
        let got = read(&[single.clone(), corpus.clone()]);
        let c = corpus.display().to_string();
        assert_eq!(
            summary(&got),
            vec![
                format!("{} single.txt", single.display()),
                format!("{c}/a.csv:2 r1"),
                format!("{c}/b/2.jsonl:1 {c}/b/2.jsonl:1"),
                format!("{c}/b/2.jsonl:2 {c}/b/2.jsonl:2"),
                format!("{c}/b.txt b.txt"),
            ]
        );
        let src = got[1].as_ref().map(|r| r.source.clone());
        assert_eq!(src, Ok(format!("{c}/a.csv")));
    }

    #[test]
    fn files_are_opened_lazily_and_vanished_files_are_record_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = write(dir.path(), "a.txt", b"a");
        let b = write(dir.path(), "b.txt", b"b");
        let records = read_inputs(&[a.clone(), b], &IngestOptions::default()).expect("usable");
        fs_remove(&a);
        let got: Vec<_> = records.collect();
        assert_eq!(got.len(), 2);
        let e = got[0].as_ref().expect_err("vanished file");
        assert!(
            e.to_string()
                .starts_with(&format!("{}: cannot open: ", a.display())),
            "{e}"
        );
        assert_eq!(got[1].as_ref().map(|r| r.text.as_str()), Ok("b"));
    }

    fn fs_remove(p: &Path) {
        std::fs::remove_file(p).expect("temp file can be removed");
    }

    #[cfg(unix)]
    #[test]
    fn permission_denied_is_a_record_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let p = write(dir.path(), "locked.jsonl", b"{\"text\": \"x\"}\n");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000))
            .expect("chmod in temp dir");
        if std::fs::File::open(&p).is_ok() {
            println!("skipped: running with privileges that ignore file permissions");
            return;
        }
        let got = read(&[dir.path().to_path_buf()]);
        assert_eq!(got.len(), 1);
        let e = got[0].as_ref().expect_err("unreadable");
        assert!(e.message.starts_with("cannot open: "), "{e}");
    }

    #[test]
    fn records_can_move_to_a_reader_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<Records>();
        assert_send::<RecordError>();
    }

    #[test]
    fn record_error_display_names_file_and_line() {
        let e = RecordError {
            source: "x.jsonl".to_string(),
            record: "x.jsonl:7".to_string(),
            doc_id: None,
            message: "missing `text` field".to_string(),
        };
        assert_eq!(e.to_string(), "x.jsonl:7: missing `text` field");
    }
}
