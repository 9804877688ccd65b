//! Normalisation with an alignment back to the original text.
//!
//! Every later stage works on the normalised text; every span it reports is mapped back to
//! Unicode code-point offsets into the *original* record through [`AlignedText`]. Steps edit a
//! list of [`AlignedChar`]s, each of which remembers the original characters it came from, so
//! any chain of deletions, replacements and expansions keeps the alignment (the idea of
//! `tokenizers`' `NormalizedString`).
//!
//! [`normalize`] runs the language-independent steps (HTML, entities, NFC, invisible characters,
//! whitespace, boilerplate lines, the leading date line); [`normalize_for_language`] then applies
//! the steps of the detected language (Azerbaijani letters and script).

mod az;
mod boilerplate;
mod common;

pub use boilerplate::{BoilerplateRules, DateWords};

use crate::document::Lang;
use crate::resources::Resources;

/// One character of the normalised text and the original characters it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlignedChar {
    /// The normalised character.
    pub c: char,
    /// First original code point it comes from.
    pub start: u32,
    /// One past the last original code point it comes from.
    pub end: u32,
}

/// A normalised text and the map from each of its bytes back to original code points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlignedText {
    text: String,
    /// For each byte of `text`: the original code-point range of the character it belongs to.
    byte_origin: Vec<(u32, u32)>,
    original_chars: usize,
}

impl AlignedText {
    /// Builds the text from aligned characters.
    pub fn from_chars(chars: &[AlignedChar], original_chars: usize) -> AlignedText {
        let mut text = String::with_capacity(chars.len());
        let mut byte_origin = Vec::with_capacity(chars.len());
        for ac in chars {
            text.push(ac.c);
            for _ in 0..ac.c.len_utf8() {
                byte_origin.push((ac.start, ac.end));
            }
        }
        AlignedText {
            text,
            byte_origin,
            original_chars,
        }
    }

    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of code points in the original text.
    pub fn original_chars(&self) -> usize {
        self.original_chars
    }

    /// Maps a byte span of the normalised text to a code-point span of the original text.
    ///
    /// An empty span maps to an empty span at the original position of `start`.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if self.byte_origin.is_empty() {
            return (0, 0);
        }
        let start = start.min(self.byte_origin.len());
        let orig_start = match self.byte_origin.get(start) {
            Some(&(s, _)) => s as usize,
            None => self.original_chars,
        };
        if end <= start {
            return (orig_start, orig_start);
        }
        let end = end.min(self.byte_origin.len());
        let orig_end = self.byte_origin[end - 1].1 as usize;
        (orig_start, orig_end.max(orig_start))
    }
}

/// Every character of an original text, aligned to itself.
pub(crate) fn aligned_original(original: &str) -> Vec<AlignedChar> {
    original
        .chars()
        .enumerate()
        .map(|(i, c)| AlignedChar {
            c,
            start: i as u32,
            end: i as u32 + 1,
        })
        .collect()
}

/// The text of aligned characters.
pub(crate) fn text_of(chars: &[AlignedChar]) -> String {
    chars.iter().map(|ac| ac.c).collect()
}

/// What the language-independent steps produce.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    /// The aligned characters, before the language steps.
    pub chars: Vec<AlignedChar>,
    /// Number of code points of the original text.
    pub original_chars: usize,
    /// A date found on a leading date line, as `YYYY-MM-DD`.
    pub date: Option<String>,
    /// How many boilerplate lines were dropped.
    pub dropped_lines: usize,
}

impl Normalized {
    /// The text of the aligned characters (for language detection before the language steps).
    pub fn text(&self) -> String {
        text_of(&self.chars)
    }
}

/// Runs the language-independent normalisation steps on one record's text.
pub fn normalize(original: &str, resources: &Resources) -> Normalized {
    let mut chars = aligned_original(original);
    let original_chars = chars.len();
    if common::looks_like_html(original) {
        chars = common::strip_html(&chars);
    }
    chars = common::decode_entities(&chars);
    chars = common::compose_nfc(chars);
    chars = common::clean_characters(&chars);
    let lines = common::split_lines(&chars);
    let (kept, date, dropped_lines) = boilerplate::filter_lines(&chars, &lines, resources);
    chars = common::join_lines(&chars, &kept);
    Normalized {
        chars,
        original_chars,
        date,
        dropped_lines,
    }
}

/// Applies the steps of the detected language and builds the final aligned text.
pub fn normalize_for_language(
    normalized: Normalized,
    lang: Lang,
    resources: &Resources,
) -> AlignedText {
    let chars = match lang {
        Lang::Az => az::normalize(normalized.chars, &resources.az_cyrillic),
        // Russian ё/е and English apostrophes are folded for matching only (Lang::match_key),
        // never in the text, so that quoted spans stay verbatim.
        Lang::Ru | Lang::En => normalized.chars,
    };
    AlignedText::from_chars(&chars, normalized.original_chars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::bundled_models_dir;
    use proptest::prelude::*;

    #[test]
    fn byte_spans_map_to_code_points() {
        let text = AlignedText::from_chars(&aligned_original("Əli «dedi»"), 10);
        // "dedi" starts at byte 8 (Ə and « are two bytes each) and code point 5.
        let start = text.text().find("dedi").unwrap();
        assert_eq!(text.original_span(start, start + 4), (5, 9));
        assert_eq!(text.original_span(3, 3), (2, 2));
    }

    fn resources() -> &'static Resources {
        static RESOURCES: std::sync::OnceLock<Resources> = std::sync::OnceLock::new();
        RESOURCES.get_or_init(|| Resources::load(&bundled_models_dir()).expect("models load"))
    }

    /// Pieces that exercise every step: entities, tags, combining marks, invisible characters,
    /// odd spaces, line breaks, boilerplate and Azerbaijani look-alike letters.
    fn piece() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "Əli",
            "bildirib",
            "said",
            "заявил",
            "ё",
            " ",
            "  ",
            "\n",
            "\r\n",
            "\n\n",
            "\t",
            "\u{a0}",
            "\u{ad}",
            "\u{200b}",
            "&amp;",
            "&laquo;",
            "&#39;",
            "&bogus;",
            "<p>",
            "</p>",
            "<br>",
            "e\u{301}",
            "ä",
            "ә",
            "«",
            "»",
            "“",
            "”",
            "—",
            "back to top",
            "11.8 C",
            ".",
            ",",
            "İ",
            "ı",
            "Бакы",
            "\u{feff}",
            "x",
        ])
        .prop_map(String::from)
    }

    proptest! {
        #[test]
        fn every_mapped_span_round_trips(pieces in prop::collection::vec(piece(), 0..40), lang in 0usize..3) {
            let original: String = pieces.concat();
            let lang = Lang::ALL[lang];
            let aligned = normalize_for_language(normalize(&original, resources()), lang, resources());
            let text = aligned.text();
            let original_chars: Vec<char> = original.chars().collect();
            prop_assert_eq!(aligned.original_chars(), original_chars.len());
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            for (a, &start) in boundaries.iter().enumerate() {
                for &end in &boundaries[a..] {
                    let (os, oe) = aligned.original_span(start, end);
                    prop_assert!(os <= oe && oe <= original_chars.len(), "span {}..{} -> {}..{}", start, end, os, oe);
                    if end > start {
                        // The original span covers every character the normalised span came from.
                        let first = aligned.original_span(start, boundaries[a + 1]);
                        prop_assert_eq!(first.0, os);
                    }
                }
            }
            // A normalised word maps onto original text that holds at least as many letters
            // (transliteration may spell one letter as two, so count before expanding).
            for word in text.split_whitespace() {
                let start = word.as_ptr() as usize - text.as_ptr() as usize;
                let (os, oe) = aligned.original_span(start, start + word.len());
                let slice: String = original_chars[os..oe].iter().collect();
                let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count();
                prop_assert!(letters(word) == 0 || letters(&slice) > 0, "{:?} from {:?}", word, slice);
                prop_assert!(!slice.trim().is_empty(), "{:?} from {:?}", word, slice);
            }
        }
    }
}
