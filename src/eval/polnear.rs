//! Reader for PolNeAR-layout attribution corpora: `DIR/text/<article>.txt` with brat standoff
//! annotations `DIR/attributions/<article>_<annotator>.ann`.
//!
//! Each attribution is a brat event whose `Source`, `Cue` and `Content` (and rarely
//! `Content2`) arguments point to text-bound annotations. Offsets are Unicode code points
//! into the `.txt` file, end exclusive; a span may be discontinuous (`s e;s e`). Only the
//! text-bound annotations that some event references are read, so annotators' working
//! flags (`Discard`, `Discuss`) never become gold spans. Lines that are neither `T`, `E`
//! nor `#` lines are brat's continuation of a multi-line span text and are skipped: the
//! offsets are authoritative.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Errors while reading a PolNeAR folder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolnearError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line of an `.ann` file is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An annotation file has no text file.
    #[error("{ann}: no text file {text}")]
    MissingText {
        /// The annotation file.
        ann: PathBuf,
        /// The text file it should belong to.
        text: PathBuf,
    },
}

/// The role of a span in an attribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Who is attributed.
    Source,
    /// The lexical cue.
    Cue,
    /// What is attributed.
    Content,
}

impl Role {
    /// Every role, in report order.
    pub const ALL: [Role; 3] = [Role::Source, Role::Cue, Role::Content];

    /// Lower-case name used in reports (`source`, `cue`, `content`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Source => "source",
            Role::Cue => "cue",
            Role::Content => "content",
        }
    }
}

/// One annotated span: its pieces (code-point ranges, in order) and its hull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldSpan {
    /// The contiguous pieces, `(start, end)` in code points; one for a contiguous span.
    pub pieces: Vec<(usize, usize)>,
}

impl GoldSpan {
    /// From the first piece's start to the last piece's end.
    pub fn hull(&self) -> (usize, usize) {
        let start = self.pieces.iter().map(|p| p.0).min().unwrap_or(0);
        let end = self.pieces.iter().map(|p| p.1).max().unwrap_or(0);
        (start, end)
    }
}

/// One attribution event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldAttribution {
    /// The source, if the event has one.
    pub source: Option<GoldSpan>,
    /// The cue, if the event has one.
    pub cue: Option<GoldSpan>,
    /// The contents (`Content` and, rarely, `Content2`).
    pub contents: Vec<GoldSpan>,
}

/// One article with the attributions of one annotator.
#[derive(Clone, Debug)]
pub struct GoldDocument {
    /// The article name (the text file's stem).
    pub name: String,
    /// The annotator id (the `.ann` file's final `_xxxx`).
    pub annotator: String,
    /// The text, exactly as read.
    pub text: String,
    /// Its attributions, in file order.
    pub attributions: Vec<GoldAttribution>,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PolnearError + '_ {
    move |source| PolnearError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a PolNeAR-layout folder. Where several annotators annotated one article, only the
/// first annotation file by name is used, so every article counts once. Documents come out
/// sorted by article name.
pub fn read_dir(dir: &Path) -> Result<Vec<GoldDocument>, PolnearError> {
    let ann_dir = dir.join("attributions");
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(&ann_dir).map_err(io_error(&ann_dir))? {
        let path = entry.map_err(io_error(&ann_dir))?.path();
        if path.extension().is_some_and(|e| e == "ann") {
            files.push(path);
        }
    }
    files.sort();
    let mut first: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
    for path in files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (article, annotator) = match stem.rsplit_once('_') {
            Some((a, n)) => (a.to_string(), n.to_string()),
            None => (stem.clone(), String::new()),
        };
        first.entry(article).or_insert((annotator, path));
    }
    let mut docs = Vec::with_capacity(first.len());
    for (name, (annotator, ann)) in first {
        let text_path = dir.join("text").join(format!("{name}.txt"));
        if !text_path.is_file() {
            return Err(PolnearError::MissingText {
                ann,
                text: text_path,
            });
        }
        let text = std::fs::read_to_string(&text_path).map_err(io_error(&text_path))?;
        let content = std::fs::read_to_string(&ann).map_err(io_error(&ann))?;
        let attributions = parse_ann(&content, &ann)?;
        docs.push(GoldDocument {
            name,
            annotator,
            text,
            attributions,
        });
    }
    Ok(docs)
}

/// Parses the events of one `.ann` file; `path` names it in errors.
pub fn parse_ann(content: &str, path: &Path) -> Result<Vec<GoldAttribution>, PolnearError> {
    let err = |line: usize, message: String| PolnearError::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut spans: HashMap<&str, GoldSpan> = HashMap::new();
    let mut events: Vec<(usize, &str)> = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or("");
        // Continuation lines of a multi-line span text can start with any letter; ids are
        // a letter and digits followed by a tab.
        let is_id = |prefix: char| {
            id.strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                && line.len() > id.len()
        };
        if is_id('T') {
            let body = fields
                .next()
                .ok_or_else(|| err(n, "text-bound annotation without type and offsets".into()))?;
            let (_, offsets) = body
                .split_once(' ')
                .ok_or_else(|| err(n, format!("no offsets in {body:?}")))?;
            let mut pieces = Vec::new();
            for piece in offsets.split(';') {
                let (s, e) = piece
                    .trim()
                    .split_once(' ')
                    .ok_or_else(|| err(n, format!("bad offsets {piece:?}")))?;
                let parse = |x: &str| {
                    x.parse::<usize>()
                        .map_err(|_| err(n, format!("bad offset {x:?}")))
                };
                let (s, e) = (parse(s)?, parse(e)?);
                if s > e {
                    return Err(err(n, format!("span {s} {e} ends before it starts")));
                }
                pieces.push((s, e));
            }
            spans.insert(id, GoldSpan { pieces });
        } else if is_id('E') {
            events.push((n, fields.next().unwrap_or("")));
        }
    }
    let mut out = Vec::with_capacity(events.len());
    for (n, args) in events {
        let mut a = GoldAttribution {
            source: None,
            cue: None,
            contents: Vec::new(),
        };
        for arg in args.split_whitespace() {
            let (role, id) = arg
                .split_once(':')
                .ok_or_else(|| err(n, format!("bad event argument {arg:?}")))?;
            let span = || {
                spans
                    .get(id)
                    .cloned()
                    .ok_or_else(|| err(n, format!("event refers to unknown {id}")))
            };
            match role.trim_end_matches(|c: char| c.is_ascii_digit()) {
                "Source" => a.source = Some(span()?),
                "Cue" => a.cue = Some(span()?),
                "Content" => a.contents.push(span()?),
                // The trigger (`Attribution`, `Attribution-no-source`) repeats the cue.
                _ => {}
            }
        }
        out.push(a);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANN: &str = "T1\tSource 0 2\tHe\n\
        T2\tCue 3 7\tsaid\n\
        T3\tContent 9 14;20 25\tabcde fghij\n\
        T4\tAttribution 3 7\tsaid\n\
        T5\tDiscard 30 31\tx\n\
        The continuation of a multi-line text\n\
        E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
        T6\tCue 40 44\tsaid\n\
        T7\tContent 45 50\thello\n\
        E2\tAttribution-no-source:T6 Cue:T6 Content:T7 Content2:T3\n";

    #[test]
    fn events_resolve_their_spans() {
        let a = parse_ann(ANN, Path::new("x.ann")).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].source.as_ref().unwrap().pieces, vec![(0, 2)]);
        assert_eq!(a[0].contents[0].pieces, vec![(9, 14), (20, 25)]);
        assert_eq!(a[0].contents[0].hull(), (9, 25));
        assert!(a[1].source.is_none());
        assert_eq!(a[1].contents.len(), 2);
    }

    #[test]
    fn malformed_lines_name_the_file_and_line() {
        let e = parse_ann("T1\tSource x 2\the\n", Path::new("a.ann")).unwrap_err();
        assert_eq!(e.to_string(), "a.ann:1: bad offset \"x\"");
        let e = parse_ann("E1\tCue:T9\n", Path::new("a.ann")).unwrap_err();
        assert!(e.to_string().contains("unknown T9"), "{e}");
    }

    #[test]
    fn reads_a_folder_with_one_annotator_per_article() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("text")).unwrap();
        std::fs::create_dir_all(dir.path().join("attributions")).unwrap();
        std::fs::write(dir.path().join("text/art.txt"), "He said it.").unwrap();
        std::fs::write(
            dir.path().join("attributions/art_bbbb.ann"),
            "T1\tCue 3 7\tsaid\nE1\tAttribution-no-source:T1 Cue:T1\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("attributions/art_aaaa.ann"), "").unwrap();
        let docs = read_dir(dir.path()).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].annotator, "aaaa");
        assert!(docs[0].attributions.is_empty());
    }
}
