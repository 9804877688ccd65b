//! Azerbaijani normalisation: the letter ə written with look-alikes, and Cyrillic script.

use super::AlignedChar;
use std::collections::HashMap;

/// Applies the Azerbaijani steps:
/// - a record mostly in Cyrillic letters is transliterated to the Latin alphabet with the table
///   from `models/az/cyrillic.tsv`;
/// - otherwise a Cyrillic schwa (ә/Ә, common from Cyrillic keyboards) and `ä`/`Ä` (the pre-1992
///   and keyboard-less spelling of ə) inside Latin text become ə/Ə.
pub(super) fn normalize(
    chars: Vec<AlignedChar>,
    cyrillic_to_latin: &HashMap<char, String>,
) -> Vec<AlignedChar> {
    let (mut cyrillic, mut latin) = (0usize, 0usize);
    for ac in &chars {
        if crate::letter_case::LetterCase::of(ac.c).is_alphabetic() {
            if is_cyrillic(ac.c) {
                cyrillic += 1;
            } else if ac.c.is_ascii_alphabetic() || ('\u{c0}'..='\u{24f}').contains(&ac.c) {
                latin += 1;
            }
        }
    }
    if cyrillic > latin {
        transliterate(chars, cyrillic_to_latin)
    } else {
        chars
            .into_iter()
            .map(|ac| match ac.c {
                'ә' | 'ä' => AlignedChar { c: 'ə', ..ac },
                'Ә' | 'Ä' => AlignedChar { c: 'Ə', ..ac },
                _ => ac,
            })
            .collect()
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{52f}').contains(&c)
}

/// Replaces each Cyrillic letter by its Latin spelling; every output letter keeps the origin of
/// the Cyrillic letter, and letters with an empty spelling (ь, ъ) disappear.
fn transliterate(chars: Vec<AlignedChar>, table: &HashMap<char, String>) -> Vec<AlignedChar> {
    let mut out = Vec::with_capacity(chars.len());
    for ac in chars {
        match table.get(&ac.c) {
            Some(latin) => out.extend(latin.chars().map(|c| AlignedChar { c, ..ac })),
            None => out.push(ac),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{aligned_original as aligned, text_of as text};

    #[test]
    fn schwa_lookalikes_in_latin_text() {
        let out = normalize(aligned("Hәmçinin Äliyev"), &HashMap::new());
        assert_eq!(text(&out), "Həmçinin Əliyev");
    }

    #[test]
    fn cyrillic_records_are_transliterated() {
        let table: HashMap<char, String> =
            [('Б', "B"), ('а', "a"), ('к', "k"), ('ы', "ı"), ('Я', "Ya")]
                .into_iter()
                .map(|(c, s)| (c, s.to_string()))
                .collect();
        let out = normalize(aligned("Бакы Я"), &table);
        assert_eq!(text(&out), "Bakı Ya");
        // Both letters of "Ya" map back to the one Cyrillic letter.
        assert_eq!((out[5].start, out[6].start), (5, 5));
    }
}
