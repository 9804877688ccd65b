//! Character 1-3-gram profiles and the naive-Bayes scorer over them.
//!
//! A text is read as lower-cased letters with every run of non-letters collapsed to one
//! word boundary (a space), so `" ab"`, `"abc"`, `"bc "` are the grams of a word. A gram is
//! packed into a `u64` (21 bits per character), which keeps lookups to one integer hash.
//! Profiles are pruned to the grams with a relative frequency of at least ~1e-4 within their
//! order (the langdetect convention, so imported and trained profiles are comparable); a gram
//! a language lacks scores half its rarest kept gram.

use super::LangError;
use super::script::data_lines;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

/// The word-boundary character inside grams.
pub const BOUNDARY: char = ' ';
/// How a boundary is written in profile files (a trailing space would not survive editors).
pub const BOUNDARY_IN_FILE: char = '_';

/// Maps one character of a text to its gram character: a lower-case letter or the boundary.
#[inline]
pub fn gram_char(c: char) -> char {
    if c.is_ascii() {
        if c.is_ascii_alphabetic() {
            c.to_ascii_lowercase()
        } else {
            BOUNDARY
        }
    } else if c.is_alphabetic() {
        // `İ` lower-cases to `i` + combining dot: keep the first character only.
        c.to_lowercase().next().unwrap_or(c)
    } else {
        BOUNDARY
    }
}

/// Packs up to three gram characters (oldest first, `'\0'` = absent) into a key.
#[inline]
pub fn pack(a: char, b: char, c: char) -> u64 {
    ((a as u64) << 42) | ((b as u64) << 21) | c as u64
}

/// The order (1-3) of a packed gram.
#[inline]
pub fn order_of(key: u64) -> usize {
    if key >> 42 != 0 {
        3
    } else if key >> 21 != 0 {
        2
    } else {
        1
    }
}

/// Unpacks a key into its characters.
pub fn unpack(key: u64) -> String {
    [
        (key >> 42) as u32,
        ((key >> 21) & 0x1F_FFFF) as u32,
        (key & 0x1F_FFFF) as u32,
    ]
    .into_iter()
    .filter(|&cp| cp != 0)
    .filter_map(char::from_u32)
    .collect()
}

/// Streams the grams of a text: feed characters with [`GramWindow::push`], then call
/// [`GramWindow::finish`] to close the last word.
#[derive(Clone, Copy, Debug)]
pub struct GramWindow {
    prev2: char,
    prev1: char,
}

impl Default for GramWindow {
    fn default() -> Self {
        // A text starts at a word boundary, so its first word gets a leading `" a"` gram.
        GramWindow {
            prev2: '\0',
            prev1: BOUNDARY,
        }
    }
}

impl GramWindow {
    /// Adds one raw character and calls `f` with every gram key it completes.
    #[inline]
    pub fn push(&mut self, c: char, mut f: impl FnMut(u64)) {
        let c = gram_char(c);
        if c == BOUNDARY && self.prev1 == BOUNDARY {
            return;
        }
        if c != BOUNDARY {
            f(c as u64);
        }
        f(pack('\0', self.prev1, c));
        if self.prev2 != '\0' {
            f(pack(self.prev2, self.prev1, c));
        }
        // A boundary restarts the window: grams never span two words (as in langdetect,
        // whose profiles we import).
        self.prev2 = if c == BOUNDARY { '\0' } else { self.prev1 };
        self.prev1 = c;
    }

    /// Closes the last word (emits its trailing-boundary grams).
    pub fn finish(&mut self, f: impl FnMut(u64)) {
        self.push(BOUNDARY, f);
    }
}

/// Calls `f` for every gram of `text`.
pub fn for_each_gram(text: &str, mut f: impl FnMut(u64)) {
    let mut w = GramWindow::default();
    for c in text.chars() {
        w.push(c, &mut f);
    }
    w.finish(f);
}

/// The counts of one language's grams, as stored in `models/lang/profiles/<code>.tsv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// Language code.
    pub code: String,
    /// Script name of the language's letters (`Latn`, `Cyrl`).
    pub script: String,
    /// Gram counts.
    pub counts: HashMap<u64, u64>,
}

impl Profile {
    /// Parses a profile file: `@code`, `@script` lines, then `gram<TAB>count` lines.
    pub fn parse(text: &str, path: &Path) -> Result<Self, LangError> {
        let mut p = Profile::default();
        for (line, fields) in data_lines(text) {
            let bad = |message: &str| LangError::Format {
                path: path.to_path_buf(),
                line,
                message: message.to_string(),
            };
            let [key, value] = fields[..] else {
                return Err(bad("expected 2 tab-separated fields"));
            };
            match key {
                "@code" => p.code = value.to_string(),
                "@script" => p.script = value.to_string(),
                _ => {
                    let chars: Vec<char> = key
                        .chars()
                        .map(|c| if c == BOUNDARY_IN_FILE { BOUNDARY } else { c })
                        .collect();
                    let packed = match chars[..] {
                        [a] => pack('\0', '\0', a),
                        [a, b] => pack('\0', a, b),
                        [a, b, c] => pack(a, b, c),
                        _ => return Err(bad("a gram has 1 to 3 characters")),
                    };
                    let n: u64 = value.parse().map_err(|_| bad("count is not a number"))?;
                    *p.counts.entry(packed).or_insert(0) += n;
                }
            }
        }
        if p.code.is_empty() || p.script.is_empty() {
            return Err(LangError::Format {
                path: path.to_path_buf(),
                line: 0,
                message: "profile lacks an @code or @script line".into(),
            });
        }
        Ok(p)
    }

    /// Writes the profile in the format [`Profile::parse`] reads, grams sorted by order then
    /// descending count (so files diff well between retrainings).
    pub fn to_tsv(&self, header: &str) -> String {
        let mut grams: Vec<(u64, u64)> = self.counts.iter().map(|(&k, &n)| (k, n)).collect();
        grams.sort_by(|a, b| {
            (order_of(a.0), std::cmp::Reverse(a.1), unpack(a.0)).cmp(&(
                order_of(b.0),
                std::cmp::Reverse(b.1),
                unpack(b.0),
            ))
        });
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!("@code\t{}\n@script\t{}\n", self.code, self.script));
        for (k, n) in grams {
            let g: String = unpack(k)
                .chars()
                .map(|c| if c == BOUNDARY { BOUNDARY_IN_FILE } else { c })
                .collect();
            out.push_str(&format!("{g}\t{n}\n"));
        }
        out
    }

    /// Keeps the grams whose relative frequency within their order is at least `min_rel`.
    pub fn prune(&mut self, min_rel: f64) {
        let totals = self.totals();
        self.counts.retain(|&k, &mut n| {
            let t = totals[order_of(k) - 1];
            t > 0 && n as f64 / t as f64 >= min_rel
        });
    }

    /// Total count per order (index 0 = unigrams).
    pub fn totals(&self) -> [u64; 3] {
        let mut t = [0u64; 3];
        for (&k, &n) in &self.counts {
            t[order_of(k) - 1] += n;
        }
        t
    }
}

/// A fast hasher for packed gram keys (the std SipHash costs more than the scoring itself).
#[derive(Default)]
pub struct GramHasher(u64);

impl Hasher for GramHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, k: u64) {
        // Multiply-xorshift: spreads the 63 used bits well enough for a table of ~10^5 keys.
        let h = (k ^ (k >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        self.0 = h ^ (h >> 32);
    }
}

/// The resolution of the quantised costs in [`ScriptModel`]: 1/16 nat.
pub const COST_UNIT: f32 = 1.0 / 16.0;

/// Quantises a log-probability into a cost.
fn cost_of(lp: f32) -> u8 {
    (-lp / COST_UNIT).round().clamp(0.0, 255.0) as u8
}

/// The profiles of one script compiled into one table: gram → a row of log-probabilities,
/// one per language.
#[derive(Clone, Debug, Default)]
pub struct ScriptModel {
    /// Language codes, in column order.
    pub codes: Vec<String>,
    index: HashMap<u64, u32, BuildHasherDefault<GramHasher>>,
    /// Row-major costs (negated log-probabilities in units of [`COST_UNIT`] nats, saturating
    /// at 255), `codes.len()` per row. One byte per cell keeps a row of 32 languages in half
    /// a cache line: the lookups, not the additions, are what scoring spends its time on.
    rows: Vec<u8>,
    /// Per row: bit `j` set when language `j` has the gram (for coverage).
    masks: Vec<u64>,
}

impl ScriptModel {
    /// Compiles profiles (at most 64) into one table.
    pub fn compile(profiles: &[&Profile]) -> Self {
        let n = profiles.len().min(64);
        let profiles = &profiles[..n];
        // Per language and order: total and the log-probability of an unseen gram.
        let stats: Vec<([f64; 3], [f32; 3])> = profiles
            .iter()
            .map(|p| {
                let totals = p.totals();
                let mut mins = [u64::MAX; 3];
                for (&k, &c) in &p.counts {
                    let o = order_of(k) - 1;
                    mins[o] = mins[o].min(c);
                }
                let mut floor = [0f32; 3];
                let mut tot = [1f64; 3];
                for o in 0..3 {
                    tot[o] = totals[o].max(1) as f64;
                    let min = if mins[o] == u64::MAX { 1 } else { mins[o] };
                    floor[o] = (0.5 * min as f64 / tot[o]).ln() as f32;
                }
                (tot, floor)
            })
            .collect();
        let mut model = ScriptModel {
            codes: profiles.iter().map(|p| p.code.clone()).collect(),
            ..ScriptModel::default()
        };
        let mut keys: Vec<u64> = profiles
            .iter()
            .flat_map(|p| p.counts.keys().copied())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            let o = order_of(key) - 1;
            let row = model.masks.len() as u32;
            let mut mask = 0u64;
            for (j, p) in profiles.iter().enumerate() {
                let lp = match p.counts.get(&key) {
                    Some(&c) => {
                        mask |= 1 << j;
                        (c as f64 / stats[j].0[o]).ln() as f32
                    }
                    None => stats[j].1[o],
                };
                model.rows.push(cost_of(lp));
            }
            model.masks.push(mask);
            model.index.insert(key, row);
        }
        model
    }

    /// Number of languages (columns).
    pub fn width(&self) -> usize {
        self.codes.len()
    }

    /// Whether any language of this script has the gram.
    #[inline]
    pub fn knows(&self, key: u64) -> bool {
        self.index.contains_key(&key)
    }

    /// Adds the costs (see [`COST_UNIT`]) of one gram to `costs` and returns its presence
    /// mask, or `None` when no language of this script knows the gram (it then says nothing).
    #[inline]
    pub fn add(&self, key: u64, costs: &mut [u32]) -> Option<u64> {
        let &row = self.index.get(&key)?;
        let w = self.width();
        let start = row as usize * w;
        for (s, &c) in costs.iter_mut().zip(&self.rows[start..start + w]) {
            *s += u32::from(c);
        }
        Some(self.masks[row as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_gram(text, |k| out.push(unpack(k)));
        out
    }

    #[test]
    fn grams_of_a_word_are_boundary_padded() {
        assert_eq!(grams("Ab"), vec!["a", " a", "b", "ab", " ab", "b ", "ab "]);
        // Punctuation and digits collapse into a single boundary.
        assert_eq!(
            grams("a, 1 b"),
            vec!["a", " a", "a ", " a ", "b", " b", "b ", " b "]
        );
    }

    #[test]
    fn orders_and_packing_round_trip() {
        assert_eq!(order_of(pack('\0', '\0', 'ə')), 1);
        assert_eq!(order_of(pack('\0', ' ', 'ə')), 2);
        assert_eq!(order_of(pack(' ', 'ə', 'x')), 3);
        assert_eq!(unpack(pack(' ', 'ə', 'x')), " əx");
    }

    #[test]
    fn profile_round_trips_through_tsv() {
        let mut p = Profile {
            code: "xx".into(),
            script: "Latn".into(),
            ..Profile::default()
        };
        for_each_gram("abc abd", |k| *p.counts.entry(k).or_insert(0) += 1);
        let text = p.to_tsv("test profile");
        let q = Profile::parse(&text, Path::new("xx.tsv")).unwrap();
        assert_eq!(p, q);
        assert!(text.contains("_ab\t2"), "{text}");
    }

    #[test]
    fn profile_errors_name_the_line() {
        let err = Profile::parse("@code\txx\n@script\tLatn\nabcd\t3\n", Path::new("p.tsv"));
        assert!(err.unwrap_err().to_string().contains("p.tsv:3"));
    }

    #[test]
    fn the_model_prefers_the_language_of_the_text() {
        let mut a = Profile {
            code: "a".into(),
            script: "Latn".into(),
            ..Profile::default()
        };
        let mut b = Profile {
            code: "b".into(),
            script: "Latn".into(),
            ..Profile::default()
        };
        for_each_gram("the cat sat on the mat", |k| {
            *a.counts.entry(k).or_insert(0) += 1
        });
        for_each_gram("der hund und die katze", |k| {
            *b.counts.entry(k).or_insert(0) += 1
        });
        let m = ScriptModel::compile(&[&a, &b]);
        let mut s = vec![0u32; 2];
        for_each_gram("the mat", |k| {
            m.add(k, &mut s);
        });
        assert!(s[0] < s[1], "{s:?}");
    }
}
