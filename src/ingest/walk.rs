//! A lazy, sorted, recursive directory walk.
//!
//! Runs must be reproducible, so the order cannot be whatever `read_dir` returns: each
//! directory's entries are sorted by name bytes and visited depth first, which is the
//! order of [`std::path::Path`]'s component-wise comparison (`a/b/c` before `a/b.txt`).
//! Only one listing per directory level is held at a time. Hidden entries (names starting
//! with `.`) are skipped, as are files whose extension names no known format. Symbolic
//! links are followed; a link back to a directory being walked is reported, not looped.

use super::Format;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One item of the walk.
#[derive(Debug)]
pub(crate) enum WalkItem {
    /// A file to read.
    File {
        /// The path to open (the walked root joined with `rel`).
        path: PathBuf,
        /// The path relative to the walked root.
        rel: PathBuf,
        /// The format its extension names.
        format: Format,
        /// Whether its name ends in `.gz`.
        gz: bool,
    },
    /// An entry that could not be examined or listed.
    Error {
        /// The entry's path (root joined with the relative path).
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// One directory being listed: its paths and the entry names not yet visited.
struct Level {
    dir: PathBuf,
    rel: PathBuf,
    /// Canonical path, to detect symbolic-link loops.
    canonical: PathBuf,
    /// Remaining names, reversed so that `pop` yields them in sorted order.
    names: Vec<OsString>,
}

/// The walk over one input directory; an iterator of [`WalkItem`].
pub(crate) struct Walker {
    stack: Vec<Level>,
    pending: Option<WalkItem>,
}

impl Walker {
    /// Starts walking `root` (a directory).
    pub(crate) fn new(root: &Path) -> Walker {
        let mut walker = Walker {
            stack: Vec::new(),
            pending: None,
        };
        let canonical = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        walker.enter(root.to_path_buf(), PathBuf::new(), canonical);
        walker
    }

    /// Lists a directory and pushes it, or records why it cannot be listed.
    fn enter(&mut self, dir: PathBuf, rel: PathBuf, canonical: PathBuf) {
        match list(&dir) {
            Ok(mut names) => {
                names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
                names.reverse();
                self.stack.push(Level {
                    dir,
                    rel,
                    canonical,
                    names,
                });
            }
            Err(e) => {
                self.pending = Some(WalkItem::Error {
                    path: dir,
                    message: format!("cannot list directory: {e}"),
                });
            }
        }
    }
}

/// The names in a directory, hidden ones left out.
fn list(dir: &Path) -> io::Result<Vec<OsString>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        if !name.as_encoded_bytes().starts_with(b".") {
            names.push(name);
        }
    }
    Ok(names)
}

impl Iterator for Walker {
    type Item = WalkItem;

    fn next(&mut self) -> Option<WalkItem> {
        loop {
            if let Some(item) = self.pending.take() {
                return Some(item);
            }
            let level = self.stack.last_mut()?;
            let Some(name) = level.names.pop() else {
                self.stack.pop();
                continue;
            };
            let path = level.dir.join(&name);
            let rel = level.rel.join(&name);
            let parent_canonical = level.canonical.clone();
            // `metadata` follows symbolic links: a link to a file is read like the file.
            let meta = match fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    let message = if e.kind() == io::ErrorKind::NotFound {
                        "cannot read: the entry vanished or is a broken link".to_string()
                    } else {
                        format!("cannot read: {e}")
                    };
                    return Some(WalkItem::Error { path, message });
                }
            };
            if meta.is_dir() {
                let is_link = fs::symlink_metadata(&path)
                    .map(|m| m.file_type().is_symlink())
                    .unwrap_or(false);
                let canonical = if is_link {
                    fs::canonicalize(&path).unwrap_or_else(|_| path.clone())
                } else {
                    parent_canonical.join(&name)
                };
                if self.stack.iter().any(|l| l.canonical == canonical) {
                    return Some(WalkItem::Error {
                        path,
                        message: "symbolic link loop: the directory is already being read"
                            .to_string(),
                    });
                }
                self.enter(path, rel, canonical);
                continue;
            }
            if !meta.is_file() {
                continue; // sockets, FIFOs, devices: not corpus files
            }
            if let Some((format, gz)) = Format::from_path(&path) {
                return Some(WalkItem::File {
                    path,
                    rel,
                    format,
                    gz,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("temp dir is writable");
        }
        fs::write(p, b"x").expect("temp dir is writable");
    }

    fn rels(root: &Path) -> Vec<String> {
        Walker::new(root)
            .map(|item| match item {
                WalkItem::File { rel, .. } => rel.to_string_lossy().into_owned(),
                WalkItem::Error { path, message } => format!("ERR {}: {message}", path.display()),
            })
            .collect()
    }

    #[test]
    fn walks_sorted_depth_first_skipping_hidden_and_unknown() {
        let dir = tempfile::tempdir().expect("temp dir");
        for f in [
            "b.txt",
            "a/z.jsonl",
            "a/b/c.csv.gz",
            "a/b.txt",
            "A.ndjson",
            ".hidden.txt",
            ".git/x.txt",
            "notes.md",
            "data.bin",
        ] {
            touch(dir.path(), f);
        }
        assert_eq!(
            rels(dir.path()),
            vec!["A.ndjson", "a/b/c.csv.gz", "a/b.txt", "a/z.jsonl", "b.txt"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_reported_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(dir.path(), "sub/a.txt");
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop"))
            .expect("symlink in temp dir");
        let got = rels(dir.path());
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], "sub/a.txt");
        assert!(got[1].contains("symbolic link loop"), "{got:?}");
    }

    #[cfg(unix)]
    #[test]
    fn broken_link_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink(dir.path().join("gone.txt"), dir.path().join("x.txt"))
            .expect("symlink in temp dir");
        let got = rels(dir.path());
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("vanished"), "{got:?}");
    }
}
