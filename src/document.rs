//! Plain data shared by every stage of the pipeline.
//!
//! Stages pass these types to each other; none of them does I/O or knows about threads.
//! Offsets inside the pipeline are **byte** offsets into the *normalised* text of a document
//! (cheap to slice); the output stage maps them to Unicode code-point offsets into the
//! *original* record text through [`crate::normalize::AlignedText`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

/// A language the pipeline extracts claims from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lang {
    /// Azerbaijani (Latin script; Cyrillic records are transliterated during normalisation).
    Az,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Every supported language, in a fixed order.
    pub const ALL: [Lang; 3] = [Lang::Az, Lang::Ru, Lang::En];

    /// The language's position in [`Lang::ALL`], for per-language arrays.
    pub fn slot(self) -> usize {
        match self {
            Lang::Az => 0,
            Lang::Ru => 1,
            Lang::En => 2,
        }
    }

    /// The ISO 639-1 code: `az`, `ru` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Az => "az",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 or 639-3 code (`az`, `aze`, `ru`, `rus`, `en`, `eng`), any case.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "az" | "aze" | "azj" | "az-latn" | "az_latn" | "aze_latn" => Some(Lang::Az),
            "ru" | "rus" => Some(Lang::Ru),
            "en" | "eng" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// Whether the language folds case the Turkic way (`I`→`ı`, `İ`→`i`).
    pub fn turkic_case(self) -> bool {
        match self {
            Lang::Az => true,
            Lang::Ru | Lang::En => false,
        }
    }

    /// Lower-cases one character with this language's rules (Turkic dotted/dotless i for
    /// Azerbaijani). Characters whose lower case is several characters keep the first.
    pub fn lower_char(self, c: char) -> char {
        if self.turkic_case() {
            match c {
                'I' => return 'ı',
                'İ' => return 'i',
                _ => {}
            }
        }
        crate::letter_case::lower_char(c)
    }

    /// Lower-cases a string with this language's rules, see [`Lang::lower_char`].
    pub fn lowercase(self, s: &str) -> String {
        s.chars().map(|c| self.lower_char(c)).collect()
    }

    /// The key used to look words up in lexicons: lower case, plus the language's
    /// matching-only folds (Russian `ё`→`е`, English typographic apostrophe → `'`).
    pub fn match_key(self, s: &str) -> String {
        s.chars()
            .map(|c| {
                let c = self.lower_char(c);
                match (self, c) {
                    (Lang::Ru, 'ё') => 'е',
                    (_, '\u{2019}') | (_, '\u{2018}') | (_, '`') => '\'',
                    _ => c,
                }
            })
            .collect()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The type of a named entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    /// A person.
    Per,
    /// An organisation (including media outlets and agencies).
    Org,
    /// A location or geo-political entity.
    Loc,
    /// Anything else named (only the English CoNLL data has it).
    Misc,
}

impl EntityType {
    /// The CoNLL label: `PER`, `ORG`, `LOC` or `MISC`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Org => "ORG",
            EntityType::Loc => "LOC",
            EntityType::Misc => "MISC",
        }
    }

    /// Parses a CoNLL label (`PER`, `ORG`, `LOC`, `MISC`).
    pub fn parse(label: &str) -> Option<EntityType> {
        match label {
            "PER" => Some(EntityType::Per),
            "ORG" => Some(EntityType::Org),
            "LOC" => Some(EntityType::Loc),
            "MISC" => Some(EntityType::Misc),
            _ => None,
        }
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One token: byte offsets into the normalised text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// First byte of the token.
    pub start: usize,
    /// One past the last byte of the token.
    pub end: usize,
}

impl Token {
    /// The token's text.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// One sentence: byte offsets into the normalised text and its range of tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// First byte of the sentence.
    pub start: usize,
    /// One past the last byte of the sentence.
    pub end: usize,
    /// Indices of this sentence's tokens in [`Segmented::tokens`].
    pub tokens: Range<usize>,
    /// True for a line that stands alone without final punctuation (a headline or caption).
    pub heading: bool,
}

/// The output of segmentation: sentences and the tokens they index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Segmented {
    /// Every token of the document, in order.
    pub tokens: Vec<Token>,
    /// Every sentence of the document, in order; their token ranges tile `tokens`.
    pub sentences: Vec<Sentence>,
}

impl Segmented {
    /// Number of words: tokens that start with a letter or digit (punctuation is not a word).
    /// The unit of every words-per-second figure.
    pub fn word_count(&self, text: &str) -> usize {
        self.tokens
            .iter()
            .filter(|t| {
                t.text(text)
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            })
            .count()
    }

    /// The words of each sentence, as a tagger receives them.
    pub fn sentence_words<'t>(&self, text: &'t str) -> Vec<Vec<&'t str>> {
        self.sentences
            .iter()
            .map(|s| {
                self.tokens[s.tokens.clone()]
                    .iter()
                    .map(|t| t.text(text))
                    .collect()
            })
            .collect()
    }
}

/// An entity found by a tagger inside one sentence, as token indices of that sentence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenSpan {
    /// Index of the first token, counted from the sentence's first token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// The entity type.
    pub kind: EntityType,
    /// The tagger's confidence in [0, 1].
    pub confidence: f32,
}

/// A named entity of a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    /// Index of the sentence that holds the entity.
    pub sentence: usize,
    /// Indices of the entity's tokens in [`Segmented::tokens`].
    pub tokens: Range<usize>,
    /// First byte in the normalised text.
    pub start: usize,
    /// One past the last byte in the normalised text.
    pub end: usize,
    /// The entity type.
    pub kind: EntityType,
    /// The tagger's confidence in [0, 1].
    pub confidence: f32,
}
