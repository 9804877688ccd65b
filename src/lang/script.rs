//! Script and letter evidence: which writing system a text uses, and which languages its
//! special letters (those outside the script's basic alphabet) allow.
//!
//! Both tables are data (`models/lang/scripts.tsv`, `models/lang/letters.tsv`), so adding a
//! script or an alphabet needs no code change. Letters are decisive where n-grams are weak:
//! Azerbaijani `ə` versus Turkish, Azerbaijani Cyrillic `ҹ ҝ ј` versus Kazakh `қ ң ұ і`.

use super::LangError;
use std::path::Path;

/// Scripts whose texts the n-gram profiles decide; every other script maps to a code directly.
pub const PROFILED_SCRIPTS: [&str; 2] = ["Latn", "Cyrl"];

/// Which letters of a script are basic: letters outside these are "special" and count as
/// evidence. Latin: ASCII a-z; Cyrillic: the Russian alphabet (Russian has no special
/// letters); other scripts have no special letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Basic {
    Latin,
    Cyrillic,
    All,
}

impl Basic {
    fn of(script: &str) -> Self {
        match script {
            "Latn" => Basic::Latin,
            "Cyrl" => Basic::Cyrillic,
            _ => Basic::All,
        }
    }

    fn contains(self, c: char) -> bool {
        match self {
            Basic::Latin => c.is_ascii_lowercase(),
            Basic::Cyrillic => ('а'..='я').contains(&c) || c == 'ё',
            Basic::All => true,
        }
    }
}

/// One range of code points that belongs to a script.
#[derive(Clone, Debug, PartialEq)]
struct ScriptRange {
    first: u32,
    last: u32,
    script: usize,
}

/// The Unicode ranges of the scripts we recognise, from `scripts.tsv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScriptTable {
    ranges: Vec<ScriptRange>,
    /// Script names (`Latn`, `Cyrl`, `Grek`, ...), indexed by script id.
    pub names: Vec<String>,
    /// For each script id, the code reported when it dominates (`-` = decided by profiles).
    pub codes: Vec<String>,
    /// For each script id, its basic letters.
    basic: Vec<Basic>,
    /// The id of the script of ASCII letters (the fast path of [`LetterStats::count`]).
    ascii: Option<usize>,
    /// The id of the script of the Russian alphabet (its fast path).
    cyrillic: Option<usize>,
}

impl ScriptTable {
    /// Parses `scripts.tsv`: `first<TAB>last<TAB>script<TAB>code`, hex code points.
    pub fn parse(text: &str, path: &Path) -> Result<Self, LangError> {
        let mut table = ScriptTable::default();
        for (lineno, fields) in data_lines(text) {
            let bad = |why: &str| LangError::Format {
                path: path.to_path_buf(),
                line: lineno,
                message: why.to_string(),
            };
            let [first, last, script, code] = fields[..] else {
                return Err(bad(
                    "expected 4 tab-separated fields: first last script code",
                ));
            };
            let first = u32::from_str_radix(first, 16).map_err(|_| bad("bad hex code point"))?;
            let last = u32::from_str_radix(last, 16).map_err(|_| bad("bad hex code point"))?;
            if last < first {
                return Err(bad("range ends before it starts"));
            }
            let id = match table.names.iter().position(|n| n == script) {
                Some(id) => id,
                None => {
                    table.names.push(script.to_string());
                    table.codes.push(code.to_string());
                    table.basic.push(Basic::of(script));
                    table.names.len() - 1
                }
            };
            table.ranges.push(ScriptRange {
                first,
                last,
                script: id,
            });
        }
        table.ranges.sort_by_key(|r| r.first);
        table.ascii = table.script_of('a');
        table.cyrillic = table
            .script_of('а')
            .filter(|&id| table.basic[id] == Basic::Cyrillic);
        Ok(table)
    }

    /// The script id of a letter, if it falls in a known range.
    pub fn script_of(&self, c: char) -> Option<usize> {
        let cp = c as u32;
        // Ranges are few (tens) and sorted: a binary search on the start is enough.
        let idx = self.ranges.partition_point(|r| r.first <= cp);
        let range = self.ranges.get(idx.checked_sub(1)?)?;
        (cp <= range.last).then_some(range.script)
    }

    /// The id of a script by name.
    pub fn id(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// The special letters of one language's alphabet in one script, from `letters.tsv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Alphabet {
    /// Language code (`az`, `kk`, `uk`, ...).
    pub code: String,
    /// Script name (`Latn`, `Cyrl`).
    pub script: String,
    /// Lower-case letters beyond the script's basic alphabet.
    pub letters: Vec<char>,
    /// Basic letters the alphabet lacks (Turkish `q w x`, Ukrainian `ы э ъ ё`): seeing them
    /// counts against the language like an unknown special letter.
    pub lacks: Vec<char>,
}

/// Parses `letters.tsv`: `code<TAB>script<TAB>letters[<TAB>lacks]` (`-` for none). File order
/// is the tie-break order, so the languages we serve come first.
pub fn parse_alphabets(text: &str, path: &Path) -> Result<Vec<Alphabet>, LangError> {
    let mut out = Vec::new();
    for (lineno, fields) in data_lines(text) {
        let (code, script, letters, lacks) = match fields[..] {
            [code, script, letters] => (code, script, letters, "-"),
            [code, script, letters, lacks] => (code, script, letters, lacks),
            _ => {
                return Err(LangError::Format {
                    path: path.to_path_buf(),
                    line: lineno,
                    message: "expected 3 or 4 tab-separated fields: code script letters [lacks]"
                        .into(),
                });
            }
        };
        let chars = |field: &str| -> Vec<char> {
            if field == "-" {
                Vec::new()
            } else {
                field.chars().flat_map(char::to_lowercase).collect()
            }
        };
        out.push(Alphabet {
            code: code.to_string(),
            script: script.to_string(),
            letters: chars(letters),
            lacks: chars(lacks),
        });
    }
    Ok(out)
}

/// Letter statistics of a text sample: letters per script, special letters of the dominant one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LetterStats {
    /// Letters counted per script id.
    pub per_script: Vec<usize>,
    /// All letters, including those of unknown scripts.
    pub letters: usize,
    /// Special letters of each script (lower-cased) with their counts; a short list, so a
    /// linear search beats hashing.
    pub specials: Vec<(char, usize)>,
    /// Counts of the basic letters, indexed by `basic_index`.
    pub basic: Vec<usize>,
}

/// Slots of [`LetterStats::basic`]: ASCII a-z, Russian а-я, ё.
const BASIC_SLOTS: usize = 26 + 32 + 1;

/// The slot of a lower-case basic letter in [`LetterStats::basic`].
fn basic_index(c: char) -> Option<usize> {
    match c {
        'a'..='z' => Some(c as usize - 'a' as usize),
        'а'..='я' => Some(26 + c as usize - 'а' as usize),
        'ё' => Some(58),
        _ => None,
    }
}

impl LetterStats {
    /// Counts the letters of `sample`, stopping after `max_chars` characters (the letters of
    /// a paragraph or two say all they can).
    pub fn count(table: &ScriptTable, sample: &str, max_chars: usize) -> Self {
        let mut stats = LetterStats {
            per_script: vec![0; table.names.len()],
            basic: vec![0; BASIC_SLOTS],
            ..LetterStats::default()
        };
        for c in sample.chars().take(max_chars) {
            if c.is_ascii() {
                // Most characters of most texts: no table lookup, never special.
                if c.is_ascii_alphabetic() {
                    stats.letters += 1;
                    stats.basic[(c.to_ascii_lowercase() as u8 - b'a') as usize] += 1;
                    if let Some(id) = table.ascii {
                        stats.per_script[id] += 1;
                    }
                }
                continue;
            }
            if let Some(id) = table.cyrillic
                && (('а'..='я').contains(&c) || ('А'..='Я').contains(&c))
            {
                // The Russian alphabet: basic Cyrillic, no Unicode tables needed.
                stats.letters += 1;
                stats.per_script[id] += 1;
                let lower = if c < 'а' {
                    (c as u32 + 0x20) as usize
                } else {
                    c as usize
                };
                stats.basic[26 + lower - 'а' as usize] += 1;
                continue;
            }
            if !c.is_alphabetic() {
                continue;
            }
            stats.letters += 1;
            let Some(id) = table.script_of(c) else {
                continue;
            };
            stats.per_script[id] += 1;
            let lower = c.to_lowercase().next().unwrap_or(c);
            if table.basic[id].contains(lower) {
                if let Some(slot) = basic_index(lower) {
                    stats.basic[slot] += 1;
                }
            } else {
                match stats.specials.iter_mut().find(|(c, _)| *c == lower) {
                    Some((_, n)) => *n += 1,
                    None => stats.specials.push((lower, 1)),
                }
            }
        }
        stats
    }

    /// The script with most letters (first in table order on a tie), with its letter count.
    pub fn dominant(&self) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (id, &n) in self.per_script.iter().enumerate() {
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((id, n));
            }
        }
        best
    }
}

/// How the letters of a text bear on one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LetterVote {
    /// Special letters of the text that belong to the language's alphabet.
    pub hits: usize,
    /// Special letters of the text that its alphabet lacks.
    pub misses: usize,
}

/// Scores an alphabet against the special letters of a text written in `script`.
pub fn vote(
    alphabet: &Alphabet,
    script: &str,
    table: &ScriptTable,
    stats: &LetterStats,
) -> LetterVote {
    let mut vote = LetterVote { hits: 0, misses: 0 };
    for &(c, n) in &stats.specials {
        // Only letters of the text's own script speak: Latin names quoted in a Cyrillic
        // text say nothing about which Cyrillic language it is.
        if table.script_of(c).map(|id| table.names[id].as_str()) != Some(script) {
            continue;
        }
        if alphabet.letters.contains(&c) {
            vote.hits += n;
        } else {
            vote.misses += n;
        }
    }
    if alphabet.script == script {
        for &c in &alphabet.lacks {
            if let Some(slot) = basic_index(c) {
                vote.misses += stats.basic.get(slot).copied().unwrap_or(0);
            }
        }
    }
    vote
}

/// Non-comment, non-empty lines of a data file, as tab-separated fields with 1-based numbers.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r').split('\t').collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ScriptTable {
        let tsv = "# test\n0041\t005A\tLatn\t-\n0061\t007A\tLatn\t-\n00C0\t024F\tLatn\t-\n\
                   0250\t02AF\tLatn\t-\n0400\t04FF\tCyrl\t-\n0370\t03FF\tGrek\tel\n";
        ScriptTable::parse(tsv, Path::new("scripts.tsv")).unwrap()
    }

    #[test]
    fn scripts_are_looked_up_by_range() {
        let t = table();
        assert_eq!(t.script_of('a').map(|i| t.names[i].as_str()), Some("Latn"));
        assert_eq!(t.script_of('ə').map(|i| t.names[i].as_str()), Some("Latn"));
        assert_eq!(t.script_of('ж').map(|i| t.names[i].as_str()), Some("Cyrl"));
        assert_eq!(t.script_of('λ').map(|i| t.codes[i].as_str()), Some("el"));
        assert_eq!(t.script_of('中'), None);
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = ScriptTable::parse("# c\n0041\tzz\tLatn\t-\n", Path::new("s.tsv")).unwrap_err();
        assert!(err.to_string().contains("s.tsv:2"), "{err}");
    }

    #[test]
    fn azerbaijani_letters_beat_turkish() {
        let t = table();
        let alph =
            parse_alphabets("az\tLatn\təğışçöü\ntr\tLatn\tğışçöüâî\n", Path::new("l")).unwrap();
        let stats = LetterStats::count(&t, "Şəhər mərkəzində görüş keçirilib.", 1000);
        let az = vote(&alph[0], "Latn", &t, &stats);
        let tr = vote(&alph[1], "Latn", &t, &stats);
        assert_eq!(az.misses, 0);
        assert!(tr.misses >= 4, "{tr:?}");
        assert_eq!(
            stats.dominant().map(|(id, _)| t.names[id].as_str()),
            Some("Latn")
        );
    }

    #[test]
    fn lacking_basic_letters_count_as_misses() {
        let t = table();
        let alph = parse_alphabets(
            "tr\tLatn\tğışçöü\tqwx\nuk\tCyrl\tіїєґ\tыэъё\n",
            Path::new("l"),
        )
        .unwrap();
        let stats = LetterStats::count(&t, "Xəbər: müxbir qeyd edib, Ёлка и мышь.", 1000);
        assert_eq!(vote(&alph[0], "Latn", &t, &stats).misses, 2 + 3);
        assert_eq!(vote(&alph[1], "Cyrl", &t, &stats).misses, 2);
        let err = parse_alphabets("az\tLatn\n", Path::new("l.tsv")).unwrap_err();
        assert!(err.to_string().contains("l.tsv:1"), "{err}");
    }

    #[test]
    fn other_script_letters_do_not_vote() {
        let t = table();
        let alph = parse_alphabets("ru\tCyrl\t-\n", Path::new("l")).unwrap();
        let stats = LetterStats::count(&t, "Он сказал: «Müller é».", 1000);
        assert_eq!(
            vote(&alph[0], "Cyrl", &t, &stats),
            LetterVote { hits: 0, misses: 0 }
        );
    }
}
