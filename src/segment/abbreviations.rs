//! Abbreviations whose final dot does not end a sentence, from
//! `models/<lang>/abbreviations.txt`.

use crate::document::Lang;
use crate::resources::{DataFile, ResourceError};
use std::collections::HashMap;

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
}

/// A language's abbreviations, keyed by [`Lang::match_key`] (lower case, dot included).
#[derive(Clone, Debug, Default)]
pub struct Abbreviations {
    entries: HashMap<String, Position>,
}

impl Abbreviations {
    /// Reads rows `abbreviation<TAB>inner|final|after_number`.
    pub fn parse(file: &DataFile, lang: Lang) -> Result<Abbreviations, ResourceError> {
        let mut entries = HashMap::new();
        for row in file.rows(2)? {
            let (line, fields) = row?;
            let position = match fields[1] {
                "inner" => Position::Inner,
                "final" => Position::MayEnd,
                "after_number" => Position::AfterNumber,
                other => {
                    return Err(file.error(
                        line,
                        format!("expected inner, final or after_number, found {other:?}"),
                    ));
                }
            };
            if !fields[0].ends_with('.') {
                return Err(file.error(line, "an abbreviation ends with a dot"));
            }
            entries.insert(lang.match_key(fields[0]), position);
        }
        Ok(Abbreviations { entries })
    }

    /// Whether `key` (a [`Lang::match_key`]) is an abbreviation.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Whether `key` is an abbreviation that never ends a sentence.
    pub fn is_inner(&self, key: &str) -> bool {
        self.entries.get(key) == Some(&Position::Inner)
    }

    /// Whether `key` is an abbreviation that may end a sentence, given whether the token
    /// before it is a number.
    pub fn may_end_sentence(&self, key: &str, after_number: bool) -> bool {
        match self.entries.get(key) {
            Some(Position::MayEnd) => true,
            Some(Position::AfterNumber) => after_number,
            _ => false,
        }
    }
}
