//! Building language profiles: counting grams over corpora, and importing langdetect profiles
//! for languages we have no corpus of.
//!
//! Corpora are read as JSON Lines (the `text` field), CoNLL (`.conll`: first column, tokens
//! of a sentence joined by spaces), plain text (one document per line), or a folder of
//! `*.txt` files (one document per file). Only plain loops:
//! training runs once, offline.

use super::LangError;
use super::ngram::{BOUNDARY, GramWindow, Profile, gram_char, pack};
use super::script::ScriptTable;
use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// Relative frequency below which a gram is pruned (the langdetect convention).
pub const DEFAULT_MIN_REL: f64 = 1e-4;

/// Accumulates gram counts for one language.
#[derive(Clone, Debug)]
pub struct ProfileBuilder {
    profile: Profile,
    script_letters: HashMap<String, u64>,
    /// Documents added.
    pub documents: u64,
    /// Characters added.
    pub chars: u64,
}

impl ProfileBuilder {
    /// An empty builder for language `code`.
    pub fn new(code: &str) -> Self {
        ProfileBuilder {
            profile: Profile {
                code: code.to_string(),
                ..Profile::default()
            },
            script_letters: HashMap::new(),
            documents: 0,
            chars: 0,
        }
    }

    /// Counts the grams (and the script of the letters) of one document.
    pub fn add_text(&mut self, scripts: &ScriptTable, text: &str) {
        self.documents += 1;
        let counts = &mut self.profile.counts;
        let mut per_script = vec![0u64; scripts.names.len()];
        let mut w = GramWindow::default();
        for c in text.chars() {
            self.chars += 1;
            if c.is_alphabetic()
                && let Some(id) = scripts.script_of(c)
            {
                per_script[id] += 1;
            }
            w.push(c, |k| *counts.entry(k).or_insert(0) += 1);
        }
        w.finish(|k| *counts.entry(k).or_insert(0) += 1);
        for (id, n) in per_script.into_iter().enumerate() {
            *self
                .script_letters
                .entry(scripts.names[id].clone())
                .or_insert(0) += n;
        }
    }

    /// Reads every document of a corpus file (see the module doc for the formats), or of
    /// every `*.txt` file of a folder (one document per file, e.g. brat text files).
    pub fn add_file(&mut self, scripts: &ScriptTable, path: &Path) -> Result<(), LangError> {
        if path.is_dir() {
            let io = |source| LangError::Io {
                path: path.to_path_buf(),
                source,
            };
            let mut files = Vec::new();
            for entry in fs::read_dir(path).map_err(io)? {
                let file = entry.map_err(io)?.path();
                if file.extension().is_some_and(|e| e == "txt") {
                    files.push(file);
                }
            }
            files.sort();
            for file in files {
                let text = fs::read_to_string(&file).map_err(|source| LangError::Io {
                    path: file.clone(),
                    source,
                })?;
                self.add_text(scripts, &text);
            }
            return Ok(());
        }
        let text = fs::read_to_string(path).map_err(|source| LangError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        for doc in corpus_documents(&text, path)? {
            self.add_text(scripts, &doc);
        }
        Ok(())
    }

    /// Prunes and returns the profile; its script is the one most of its letters are in.
    pub fn finish(mut self, min_rel: f64) -> Profile {
        let script = self
            .script_letters
            .iter()
            .max_by_key(|(name, n)| (**n, std::cmp::Reverse((*name).clone())))
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| "Latn".to_string());
        self.profile.script = script;
        self.profile.prune(min_rel);
        self.profile
    }
}

/// Splits a corpus file into documents: JSONL `text` fields, CoNLL sentences, or lines.
pub fn corpus_documents(text: &str, path: &Path) -> Result<Vec<String>, LangError> {
    let is_conll = path.extension().is_some_and(|e| e == "conll");
    let mut docs = Vec::new();
    if is_conll {
        let mut sentence: Vec<&str> = Vec::new();
        for line in text.lines() {
            let token = line.split('\t').next().unwrap_or("").trim();
            if token.is_empty() || token == "-DOCSTART-" {
                if !sentence.is_empty() {
                    docs.push(sentence.join(" "));
                    sentence.clear();
                }
            } else {
                sentence.push(token);
            }
        }
        if !sentence.is_empty() {
            docs.push(sentence.join(" "));
        }
        return Ok(docs);
    }
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('{') {
            let value: serde_json::Value =
                serde_json::from_str(trimmed).map_err(|e| LangError::Format {
                    path: path.to_path_buf(),
                    line: i + 1,
                    message: format!("bad JSON: {e}"),
                })?;
            if let Some(t) = value.get("text").and_then(|t| t.as_str()) {
                docs.push(t.to_string());
            }
        } else {
            docs.push(trimmed.to_string());
        }
    }
    Ok(docs)
}

/// Reads a langdetect profile (`{"name", "freq": {gram: count}, "n_words": [..]}`, Apache-2.0,
/// built from Wikipedia) as a [`Profile`] for `code`: grams are lower-cased and merged, and
/// re-pruned with our rule.
pub fn import_langdetect(
    scripts: &ScriptTable,
    code: &str,
    path: &Path,
    min_rel: f64,
) -> Result<Profile, LangError> {
    let text = fs::read_to_string(path).map_err(|source| LangError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |message: String| LangError::Format {
        path: path.to_path_buf(),
        line: 1,
        message,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("bad JSON: {e}")))?;
    let freq = value
        .get("freq")
        .and_then(|f| f.as_object())
        .ok_or_else(|| bad("no \"freq\" object".into()))?;
    let mut builder = ProfileBuilder::new(code);
    for (gram, count) in freq {
        let Some(n) = count.as_u64() else { continue };
        let Some(wanted) = langdetect_key(gram) else {
            continue;
        };
        *builder.profile.counts.entry(wanted).or_insert(0) += n;
        for c in gram.chars().filter(|c| c.is_alphabetic()) {
            if let Some(id) = scripts.script_of(c) {
                *builder
                    .script_letters
                    .entry(scripts.names[id].clone())
                    .or_insert(0) += n;
            }
        }
    }
    Ok(builder.finish(min_rel))
}

/// Our key for a langdetect gram, or `None` for grams our reading of a text never produces
/// (digits or punctuation inside, a lone boundary, two boundaries in a row).
fn langdetect_key(gram: &str) -> Option<u64> {
    let mut chars = Vec::with_capacity(3);
    for c in gram.chars() {
        if c != BOUNDARY && !c.is_alphabetic() {
            return None;
        }
        chars.push(gram_char(c));
    }
    if chars
        .windows(2)
        .any(|w| w[0] == BOUNDARY && w[1] == BOUNDARY)
    {
        return None;
    }
    match chars[..] {
        [a] if a != BOUNDARY => Some(pack('\0', '\0', a)),
        [a, b] => Some(pack('\0', a, b)),
        [a, b, c] if b != BOUNDARY => Some(pack(a, b, c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::ngram::{pack, unpack};

    fn scripts() -> ScriptTable {
        ScriptTable::parse("0061\t007A\tLatn\t-\n0400\t04FF\tCyrl\t-\n", Path::new("s")).unwrap()
    }

    #[test]
    fn builder_counts_and_finds_the_script() {
        let mut b = ProfileBuilder::new("ru");
        b.add_text(&scripts(), "да да нет");
        let p = b.finish(0.0);
        assert_eq!(p.script, "Cyrl");
        assert_eq!(p.counts.get(&pack('\0', 'д', 'а')), Some(&2));
        assert_eq!(p.counts.get(&pack(' ', 'д', 'а')), Some(&2));
    }

    #[test]
    fn corpora_are_split_by_format() {
        let jsonl = "{\"id\":\"1\",\"text\":\"one doc\"}\n\n{\"text\":\"two\"}\n";
        assert_eq!(
            corpus_documents(jsonl, Path::new("a.jsonl")).unwrap(),
            ["one doc", "two"]
        );
        let conll = "Bu\tO\nev\tO\n\nİkinci\tO\n";
        assert_eq!(
            corpus_documents(conll, Path::new("t.conll")).unwrap(),
            ["Bu ev", "İkinci"]
        );
        let err = corpus_documents("{bad\n", Path::new("x.jsonl")).unwrap_err();
        assert!(err.to_string().contains("x.jsonl:1"), "{err}");
    }

    #[test]
    fn langdetect_profiles_are_lowercased_and_merged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("de");
        fs::write(
            &path,
            r#"{"freq":{"D":3,"d":5," d":4,"der":2,"er ":2,"x1":9},"n_words":[8,4,4],"name":"de"}"#,
        )
        .unwrap();
        let p = import_langdetect(&scripts(), "de", &path, 0.0).unwrap();
        assert_eq!(p.counts.get(&pack('\0', '\0', 'd')), Some(&8));
        assert_eq!(p.counts.get(&pack('\0', ' ', 'd')), Some(&4));
        assert_eq!(p.counts.get(&pack('e', 'r', ' ')), Some(&2));
        assert!(p.counts.keys().all(|&k| !unpack(k).contains('1')));
    }
}
