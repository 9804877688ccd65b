//! Abbreviations whose final dot does not end a sentence, from
//! `models/<lang>/abbreviations.txt`.

use crate::document::Lang;
use crate::resources::{DataFile, ResourceError};
use std::collections::{HashMap, HashSet};

/// Whether an abbreviation can also end a sentence ("etc.", "и т.д.") or never does ("Mr.",
/// "г." before a name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Position {
    /// Never ends a sentence: the next word belongs to the same sentence.
    Inner,
    /// Ends the sentence when the next word starts one.
    MayEnd,
    /// Ends the sentence only after a number ("1999 г." is a year, "г. Москва" a city).
    AfterNumber,
    /// Ends the sentence only at a new paragraph or before a word that opens sentences (a
    /// `starter`): "U.S." is far more often followed by a capitalised word of its own
    /// sentence ("U.S. Treasury", "U.S. Officials said") than by a new sentence.
    BeforeStarter,
}

/// A language's abbreviations, keyed by [`Lang::match_key`] (lower case, dot included), and
/// the clitics that the tokeniser splits off the end of words (`models/<lang>/clitics.txt`).
#[derive(Clone, Debug, Default)]
pub struct Abbreviations {
    entries: HashMap<String, Position>,
    /// Words that open sentences after a `before_starter` abbreviation ("The", "He").
    starters: HashSet<String>,
    /// Word-final clitics, longest first ("n't", "'s"), compared ASCII-case-insensitively.
    clitics: Vec<String>,
}

impl Abbreviations {
    /// Reads rows `abbreviation<TAB>inner|final|after_number|before_starter`, and
    /// `word<TAB>starter` for the words that open a sentence after a `before_starter` one.
    pub fn parse(file: &DataFile, lang: Lang) -> Result<Abbreviations, ResourceError> {
        let mut entries = HashMap::new();
        let mut starters = HashSet::new();
        for row in file.rows(2)? {
            let (line, fields) = row?;
            let position = match fields[1] {
                "inner" => Position::Inner,
                "final" => Position::MayEnd,
                "after_number" => Position::AfterNumber,
                "before_starter" => Position::BeforeStarter,
                "starter" => {
                    starters.insert(lang.match_key(fields[0]));
                    continue;
                }
                other => {
                    return Err(file.error(
                        line,
                        format!(
                            "expected inner, final, after_number, before_starter or starter, found {other:?}"
                        ),
                    ));
                }
            };
            if !fields[0].ends_with('.') {
                return Err(file.error(line, "an abbreviation ends with a dot"));
            }
            entries.insert(lang.match_key(fields[0]), position);
        }
        Ok(Abbreviations {
            entries,
            starters,
            clitics: Vec::new(),
        })
    }

    /// Reads the clitics file: one clitic per row (`'s`, `n't`), split off the end of a word
    /// as their own token the way the NER training data (CoNLL) and PolNeAR's spans do
    /// ("Trump's" → "Trump" "'s"). A language without clitics has an empty file.
    pub fn with_clitics(mut self, file: &DataFile) -> Result<Abbreviations, ResourceError> {
        for row in file.rows(1)? {
            let (line, fields) = row?;
            let clitic = fields[0];
            if clitic.chars().any(char::is_whitespace) || clitic.chars().count() < 2 {
                return Err(file.error(line, "a clitic is one word of two or more characters"));
            }
            if !clitic.contains(['\'', '\u{2019}']) {
                return Err(file.error(line, "a clitic starts or contains an apostrophe"));
            }
            self.clitics.push(clitic.to_string());
        }
        self.clitics.sort_by_key(|c| std::cmp::Reverse(c.len()));
        Ok(self)
    }

    /// The length in bytes of the clitic that ends `word`, when `word` is longer than it and
    /// a letter or digit precedes it.
    pub fn clitic_len(&self, word: &str) -> Option<usize> {
        // Every clitic has an apostrophe: most words are done after one scan of their bytes.
        if self.clitics.is_empty() || !word.contains(['\'', '\u{2019}']) {
            return None;
        }
        self.clitics.iter().find_map(|clitic| {
            let cut = word.len().checked_sub(clitic.len()).filter(|&c| c > 0)?;
            let ends = word.is_char_boundary(cut) && word[cut..].eq_ignore_ascii_case(clitic);
            (ends
                && word[..cut]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric))
            .then_some(clitic.len())
        })
    }

    /// Whether `key` (a [`Lang::match_key`]) is an abbreviation.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Whether `key` is an abbreviation that never ends a sentence.
    pub fn is_inner(&self, key: &str) -> bool {
        self.entries.get(key) == Some(&Position::Inner)
    }

    /// Whether `key` is an abbreviation that ends a sentence only at a new paragraph or
    /// before a starter word ([`Abbreviations::is_starter`]).
    pub fn needs_starter(&self, key: &str) -> bool {
        self.entries.get(key) == Some(&Position::BeforeStarter)
    }

    /// Whether `key` (a [`Lang::match_key`]) opens a sentence after a `before_starter`
    /// abbreviation.
    pub fn is_starter(&self, key: &str) -> bool {
        self.starters.contains(key)
    }

    /// Whether `key` is an abbreviation that may end a sentence, given whether the token
    /// before it is a number.
    pub fn may_end_sentence(&self, key: &str, after_number: bool) -> bool {
        match self.entries.get(key) {
            Some(Position::MayEnd | Position::BeforeStarter) => true,
            Some(Position::AfterNumber) => after_number,
            _ => false,
        }
    }
}
