//! Reader for CoNLL/IOB2 files: `token<TAB>tag` per line, a blank line between sentences,
//! `-DOCSTART-` lines between documents.
//!
//! Only the first and the last tab-separated column are used, so files with extra columns
//! (e.g. POS tags) read as well. Malformed lines are errors naming the file and line: a
//! silently skipped line would shift every later score.

use std::io::BufRead;
use std::path::{Path, PathBuf};

/// One sentence of a CoNLL file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConllSentence {
    /// The tokens.
    pub words: Vec<String>,
    /// One IOB2 tag per token (`O`, `B-PER`, `I-PER`, ...).
    pub tags: Vec<String>,
    /// Whether the sentence begins a document: the file's first sentence and the first
    /// after each `-DOCSTART-` line (a file without them is one document).
    pub starts_document: bool,
}

/// Errors reading a CoNLL file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConllError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not `token<TAB>tag` with a valid IOB2 tag.
    #[error("{path}:{line}: {what}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: String,
    },
}

/// Reads a CoNLL file.
pub fn read_file(path: &Path) -> Result<Vec<ConllSentence>, ConllError> {
    let file = std::fs::File::open(path).map_err(|source| ConllError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(std::io::BufReader::new(file), path)
}

/// Whether a tag is `O` or `B-X`/`I-X` with a non-empty type.
fn valid_tag(tag: &str) -> bool {
    tag == "O"
        || tag.split_once('-').is_some_and(|(p, t)| {
            (p == "B" || p == "I") && !t.is_empty() && !t.contains(char::is_whitespace)
        })
}

/// Parses CoNLL text from a reader; `path` names the source in errors.
pub fn parse<R: BufRead>(reader: R, path: &Path) -> Result<Vec<ConllSentence>, ConllError> {
    let mut sentences = Vec::new();
    let mut cur = ConllSentence {
        starts_document: true,
        ..ConllSentence::default()
    };
    for (i, line) in reader.lines().enumerate() {
        let lineno = i + 1;
        let line = line.map_err(|source| ConllError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.trim().is_empty() {
            if !cur.words.is_empty() {
                sentences.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with("-DOCSTART-") {
            if !cur.words.is_empty() {
                sentences.push(std::mem::take(&mut cur));
            }
            cur.starts_document = true;
            continue;
        }
        let malformed = |what: String| ConllError::Malformed {
            path: path.to_path_buf(),
            line: lineno,
            what,
        };
        let mut cols = line.split('\t');
        let word = cols.next().unwrap_or("");
        let tag = cols.next_back().unwrap_or("");
        if !line.contains('\t') {
            return Err(malformed(format!("expected `token<TAB>tag`, got {line:?}")));
        }
        if word.is_empty() {
            return Err(malformed("empty token".to_string()));
        }
        let tag = tag.trim();
        if !valid_tag(tag) {
            return Err(malformed(format!("invalid IOB2 tag {tag:?}")));
        }
        cur.words.push(word.to_string());
        cur.tags.push(tag.to_string());
    }
    if !cur.words.is_empty() {
        sentences.push(cur);
    }
    Ok(sentences)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Vec<ConllSentence>, ConllError> {
        parse(s.as_bytes(), Path::new("gold.conll"))
    }

    #[test]
    fn reads_sentences_and_skips_docstart() {
        let s = p("-DOCSTART-\n\nPeter\tB-PER\nBlackburn\tI-PER\n\nBRUSSELS\tB-LOC\r\n1996\tO\n")
            .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].words, ["Peter", "Blackburn"]);
        assert!(s[0].starts_document && !s[1].starts_document);
        assert_eq!(s[0].tags, ["B-PER", "I-PER"]);
        assert_eq!(s[1].tags, ["B-LOC", "O"]);
        let docs = p("-DOCSTART-\n\nA\tO\n\n-DOCSTART-\n\nB\tO\n\nC\tO\n").unwrap();
        let starts: Vec<bool> = docs.iter().map(|s| s.starts_document).collect();
        assert_eq!(starts, [true, true, false]);
    }

    #[test]
    fn extra_columns_use_first_and_last() {
        let s = p("EU\tNNP\tB-NP\tB-ORG\n").unwrap();
        assert_eq!(s[0].words, ["EU"]);
        assert_eq!(s[0].tags, ["B-ORG"]);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = p("a\tO\nb O\n").unwrap_err();
        assert_eq!(err.to_string().split(": ").next(), Some("gold.conll:2"));
        let err = p("a\tO\n\nb\tX-PER\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("gold.conll:3: invalid IOB2 tag"),
            "{err}"
        );
        let err = p("\tO\n").unwrap_err();
        assert!(err.to_string().starts_with("gold.conll:1:"), "{err}");
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err = read_file(Path::new("/no/such/file.conll")).unwrap_err();
        assert!(err.to_string().contains("/no/such/file.conll"));
    }
}
