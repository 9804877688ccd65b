//! The word shapes of slovnet's tagger: `RU_Xx`, `EN_XX`, `PUNCT_,`, `NUM`, `OTHER`, ...
//!
//! A port of `slovnet/shape.py` (`word_shape`). The shape of a word is its script type
//! (from its first characters) and, for Cyrillic and Latin words, its capitalisation
//! outline. The network embeds each shape in a small table stored in the model file;
//! [`all_shapes`] lists every shape this function can return, so the loader can check that
//! the table covers them.
//!
//! Python's semantics are kept where they are not obvious:
//! - the type comes from a case-insensitive regular expression matched at the start of the
//!   word (`(?i)[а-яё]+|[a-z]+|[+-]?\d+|[PUNCTS]+`, first alternative wins). With
//!   `IGNORECASE`, Python's `[а-яё]` also matches U+1C80..U+1C86 (old Cyrillic letter
//!   variants that case-fold into that range) and `[a-z]` matches `İ ı ſ K` (U+0130, U+0131,
//!   U+017F, U+212A); `\d` is any Unicode decimal digit (general category Nd).
//! - `str.isupper()` / `str.islower()`: no lowercase (uppercase) or titlecase letter, and at
//!   least one cased one. Titlecase letters (category Lt, such as `ǅ`) are cased but neither
//!   upper nor lower.

use crate::letter_case::LetterCase;

/// slovnet's punctuation characters (`string.punctuation`, dashes, quotes, `№`, `…`).
pub const PUNCTS: &str = "!#$%&()[]\\/*+,.:;<=>?@^_{|}~-‐−‒⁃–—―`\"'«»„“ʼʻ”№…";

/// Capitalisation outlines, in slovnet's order.
const OUTLINES: [&str; 7] = ["X", "x", "XX", "xx", "Xx", "Xx-Xx", "OTHER"];

/// The script type of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordType {
    Ru,
    En,
    Num,
    Punct,
    Other,
}

fn is_ru_letter(c: char) -> bool {
    matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' | '\u{1C80}'..='\u{1C86}')
}

fn is_en_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{130}' | '\u{131}' | '\u{17F}' | '\u{212A}')
}

/// Titlecase letters (general category Lt).
fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{1C5}'
            | '\u{1C8}'
            | '\u{1CB}'
            | '\u{1F2}'
            | '\u{1F88}'..='\u{1F8F}'
            | '\u{1F98}'..='\u{1F9F}'
            | '\u{1FA8}'..='\u{1FAF}'
            | '\u{1FBC}'
            | '\u{1FCC}'
            | '\u{1FFC}'
    )
}

/// Python's `str.isupper()`.
fn is_upper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        let case = LetterCase::of(c);
        if case == LetterCase::Lower || is_titlecase(c) {
            return false;
        }
        cased |= case == LetterCase::Upper;
    }
    cased
}

/// Python's `str.islower()`.
fn is_lower(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        let case = LetterCase::of(c);
        if case == LetterCase::Upper || is_titlecase(c) {
            return false;
        }
        cased |= case == LetterCase::Lower;
    }
    cased
}

/// slovnet's `is_title`: at least two characters, an upper-case first one, a lower-case rest.
fn is_title(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.as_str();
            !rest.is_empty() && is_upper(first.encode_utf8(&mut [0; 4])) && is_lower(rest)
        }
        None => false,
    }
}

fn word_outline(word: &str) -> &'static str {
    let single = word.chars().nth(1).is_none();
    if single {
        if is_upper(word) { "X" } else { "x" }
    } else if is_upper(word) {
        "XX"
    } else if is_lower(word) {
        "xx"
    } else if is_title(word) {
        "Xx"
    } else if word
        .split_once('-')
        .is_some_and(|(left, right)| is_title(left) && is_title(right))
    {
        "Xx-Xx"
    } else {
        "OTHER"
    }
}

fn word_type(word: &str) -> WordType {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return WordType::Other;
    };
    // Python's `\d` is the Unicode category Nd; `to_digit` would only know ASCII, and
    // `is_numeric` also takes Nl/No (`²`, `½`, `Ⅻ`), which slovnet calls OTHER.
    let is_digit = |c: Option<char>| c.is_some_and(is_decimal_digit);
    if is_ru_letter(first) {
        WordType::Ru
    } else if is_en_letter(first) {
        WordType::En
    } else if is_digit(Some(first)) || (matches!(first, '+' | '-') && is_digit(chars.next())) {
        WordType::Num
    } else if PUNCTS.contains(first) {
        WordType::Punct
    } else {
        WordType::Other
    }
}

/// Unicode decimal digits (general category Nd). Every Nd block is ten consecutive code
/// points from a zero; outside ASCII the test is done by the regex crate's `\d` tables.
fn is_decimal_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    if !c.is_numeric() {
        return false;
    }
    static ND: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    ND.get_or_init(|| regex::Regex::new(r"^\d$").expect("a valid pattern"))
        .is_match(c.encode_utf8(&mut [0; 4]))
}

/// The shape of one word, written into `out` (cleared first): one of [`all_shapes`].
pub fn word_shape(word: &str, out: &mut String) {
    out.clear();
    match word_type(word) {
        WordType::Ru | WordType::En => {
            out.push_str(if word_type(word) == WordType::Ru {
                "RU_"
            } else {
                "EN_"
            });
            out.push_str(word_outline(word));
        }
        WordType::Punct => {
            out.push_str("PUNCT_");
            let mut chars = word.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => out.push(c),
                // "...", "?!", "****"
                _ => out.push_str("OTHER"),
            }
        }
        WordType::Num => out.push_str("NUM"),
        WordType::Other => out.push_str("OTHER"),
    }
}

/// Every shape [`word_shape`] can return, in slovnet's order (`SHAPES` in `shape.py`).
pub fn all_shapes() -> Vec<String> {
    let mut shapes = Vec::new();
    for script in ["RU", "EN"] {
        for outline in OUTLINES {
            shapes.push(format!("{script}_{outline}"));
        }
    }
    for c in PUNCTS.chars() {
        shapes.push(format!("PUNCT_{c}"));
    }
    shapes.extend(["PUNCT_OTHER", "NUM", "OTHER"].map(String::from));
    shapes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(word: &str) -> String {
        let mut s = String::new();
        word_shape(word, &mut s);
        s
    }

    #[test]
    fn shapes_follow_slovnet() {
        let cases = [
            ("Путин", "RU_Xx"),
            ("путин", "RU_xx"),
            ("РФ", "RU_XX"),
            ("В", "RU_X"),
            ("в", "RU_x"),
            ("Санкт-Петербург", "RU_Xx-Xx"),
            ("Ростов-на-Дону", "RU_OTHER"),
            ("СИЗО-6", "RU_XX"),
            ("iPhone", "EN_OTHER"),
            ("NATO", "EN_XX"),
            ("Moscow", "EN_Xx"),
            ("2011-2020", "NUM"),
            ("-5", "NUM"),
            ("+", "PUNCT_+"),
            ("-", "PUNCT_-"),
            ("«", "PUNCT_«"),
            ("...", "PUNCT_OTHER"),
            ("?!", "PUNCT_OTHER"),
            ("²", "OTHER"),
            ("٣", "NUM"),
            ("$100", "PUNCT_OTHER"),
            ("ǅemal", "OTHER"),
            ("Ab-", "EN_Xx"),
            ("K", "EN_X"),
            ("", "OTHER"),
        ];
        for (word, expected) in cases {
            assert_eq!(shape(word), expected, "{word:?}");
        }
    }

    #[test]
    fn every_shape_is_listed_once() {
        let all = all_shapes();
        assert_eq!(all.len(), 65);
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len());
        for word in ["Путин", "x", "2", "…", "??", "§", "Xx-Yy"] {
            assert!(all.contains(&shape(word)), "{word}");
        }
    }

    #[test]
    fn python_case_predicates() {
        assert!(is_upper("ABC1") && !is_upper("123") && !is_upper("AbC"));
        assert!(is_lower("abc-") && !is_lower("-") && !is_lower("aB"));
        assert!(!is_upper("ǅ") && !is_lower("ǅ"));
        assert!(is_title("Ab") && !is_title("A") && !is_title("AB"));
    }
}
