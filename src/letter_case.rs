//! Letter case of characters, with fast paths for the scripts the taggers read most.
//!
//! Why: for every character outside ASCII, `char::is_alphabetic` searches Unicode tables
//! (`lookup_slow` in a profile: about 5 % of Russian tagging, as word shapes and the
//! lower-casing check read every character of every token). ASCII, Latin-1 and the basic
//! Cyrillic block answer from ranges here, everything else from the standard library, so
//! the answers are the standard library's for every character (a test checks them all).

/// What `char::is_uppercase`, `char::is_lowercase` and `char::is_alphabetic` say of a
/// character, in one step. Upper- and lower-case characters are always alphabetic and never
/// both, so four cases cover every combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterCase {
    /// `is_uppercase`.
    Upper,
    /// `is_lowercase`.
    Lower,
    /// Alphabetic but neither upper nor lower case (title-case digraphs, most scripts
    /// without case, modifier letters).
    Uncased,
    /// Not alphabetic.
    NotLetter,
}

impl LetterCase {
    /// The case of `c`.
    #[inline]
    pub fn of(c: char) -> LetterCase {
        match c {
            'A'..='Z' => LetterCase::Upper,
            'a'..='z' => LetterCase::Lower,
            '\0'..='\u{7F}' => LetterCase::NotLetter,
            // Latin-1 letters (× and ÷ are not letters; ª and º are lower case).
            '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{DE}' => LetterCase::Upper,
            '\u{DF}'..='\u{F6}' | '\u{F8}'..='\u{FF}' => LetterCase::Lower,
            // The basic Cyrillic block: Ѐ..Я, then а..џ.
            '\u{400}'..='\u{42F}' => LetterCase::Upper,
            '\u{430}'..='\u{45F}' => LetterCase::Lower,
            _ => LetterCase::of_any(c),
        }
    }

    /// The standard library's answer, for characters without a fast path.
    #[cold]
    fn of_any(c: char) -> LetterCase {
        if c.is_uppercase() {
            LetterCase::Upper
        } else if c.is_lowercase() {
            LetterCase::Lower
        } else if c.is_alphabetic() {
            LetterCase::Uncased
        } else {
            LetterCase::NotLetter
        }
    }

    /// Whether the character is alphabetic.
    #[inline]
    pub fn is_alphabetic(self) -> bool {
        self != LetterCase::NotLetter
    }
}

/// `c.is_alphanumeric()`, fast for the letters of the fast paths.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    LetterCase::of(c).is_alphabetic() || c.is_numeric()
}

/// The lower case of an ASCII or basic Cyrillic character (`None` for other characters),
/// without the table search of the general mapping.
#[inline]
fn lower_fast(c: char) -> Option<char> {
    match c {
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\0'..='\u{7F}' | '\u{430}'..='\u{45F}' => Some(c),
        // А..Я → а..я; Ѐ..Џ → ѐ..џ.
        '\u{410}'..='\u{42F}' => char::from_u32(c as u32 + 0x20),
        '\u{400}'..='\u{40F}' => char::from_u32(c as u32 + 0x50),
        _ => None,
    }
}

/// The first character of `c.to_lowercase()` (the whole of it except for `İ`, whose lower
/// case is `i` and a combining dot), fast for ASCII and basic Cyrillic.
#[inline]
pub fn lower_char(c: char) -> char {
    lower_fast(c).unwrap_or_else(|| c.to_lowercase().next().unwrap_or(c))
}

/// `word.to_lowercase()`, fast for words of ASCII and basic Cyrillic characters; other
/// words go the standard library's way, which handles multi-character mappings and the
/// Greek final sigma.
pub fn to_lowercase(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match lower_fast(c) {
            Some(lower) => out.push(lower),
            None => return word.to_lowercase(),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_gets_the_standard_library_answer() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let case = LetterCase::of(c);
            assert_eq!(case == LetterCase::Upper, c.is_uppercase(), "{c:?}");
            assert_eq!(case == LetterCase::Lower, c.is_lowercase(), "{c:?}");
            assert_eq!(case.is_alphabetic(), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn lowercasing_matches_the_standard_library() {
        for word in [
            "",
            "Москва",
            "ЁЖИК",
            "Ѐѓ",
            "NATO",
            "МВД-2024",
            "Bakı",
            "İLHAM",
            "ΣΟΦΟΣ",
            "ǅemal",
        ] {
            assert_eq!(to_lowercase(word), word.to_lowercase(), "{word}");
        }
        // Every basic Cyrillic and ASCII character, one at a time.
        for c in (0..0x80_u32).chain(0x400..0x460).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(to_lowercase(&s), s.to_lowercase(), "{c:?}");
        }
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            assert_eq!(Some(lower_char(c)), c.to_lowercase().next(), "{c:?}");
        }
    }
}
