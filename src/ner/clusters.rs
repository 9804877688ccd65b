//! Word clusters learned from raw text, for the tagger's cluster features.
//!
//! Clusters let the tagger generalise from a name seen in training to unseen words used
//! alike ("Moscow" → "Kiev"). They are learned with the exchange algorithm (Kneser & Ney
//! 1993, Martin et al. 1998): words are moved, one at a time, to the class that most
//! increases the likelihood of a class-bigram model of the text, until nothing moves much.
//! It needs only bigram counts, runs in seconds on a few million tokens with a plain loop,
//! and is deterministic (fixed initialisation and visiting order, no randomness).
//!
//! Only the `vocab` most frequent words get a class; rarer ones share one fixed class that
//! never moves, which keeps their bigrams in the statistics.

use super::features::{self, Clusters};
use crate::document::Lang;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Errors reading raw text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RawTextError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A JSON line could not be parsed.
    #[error("{path}:{line}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// Reads raw text for clustering: `.jsonl` files give the `text` (and `title`) field of each
/// line, other files each line as is. Returns one string per record.
pub fn read_raw(path: &Path) -> Result<Vec<String>, RawTextError> {
    let io = |source| RawTextError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let jsonl = path.extension().is_some_and(|e| e == "jsonl");
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        if !jsonl {
            out.push(line);
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|source| RawTextError::Json {
                path: path.to_path_buf(),
                line: i + 1,
                source,
            })?;
        for field in ["title", "text"] {
            if let Some(t) = v.get(field).and_then(|t| t.as_str()) {
                out.push(t.to_string());
            }
        }
    }
    Ok(out)
}

/// Splits text into tokens the way the NER corpora mostly do: whitespace-separated, with
/// leading and trailing punctuation split off as tokens of their own.
pub fn tokenize(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for chunk in text.split_whitespace() {
        let start = chunk
            .find(|c: char| c.is_alphanumeric())
            .unwrap_or(chunk.len());
        let end = chunk
            .rfind(|c: char| c.is_alphanumeric())
            .map_or(start, |i| {
                i + chunk[i..].chars().next().map_or(1, char::len_utf8)
            });
        for (i, c) in chunk[..start].char_indices() {
            out.push(&chunk[i..i + c.len_utf8()]);
        }
        if end > start {
            out.push(&chunk[start..end]);
        }
        for (i, c) in chunk[end.max(start)..].char_indices() {
            let j = end.max(start) + i;
            out.push(&chunk[j..j + c.len_utf8()]);
        }
    }
    out
}

/// `x ln x`, with 0 for 0.
#[inline]
fn xlogx(x: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { x * x.ln() }
}

/// Learns `n_classes` clusters over the `vocab` most frequent folded words of `texts`
/// (words seen fewer than `min_count` times are left out), with at most `iterations`
/// exchange passes. Returns the class of every clustered word, keyed by
/// [`features::word_key`].
pub fn exchange(
    lang: Lang,
    texts: &[String],
    vocab: usize,
    min_count: u32,
    n_classes: usize,
    iterations: usize,
) -> HashMap<u64, u16> {
    // Word ids by frequency (ties by first appearance, so the result is deterministic).
    let mut ids: HashMap<u64, usize> = HashMap::new();
    let mut freq: Vec<u32> = Vec::new();
    let mut keys: Vec<u64> = Vec::new();
    let mut corpus: Vec<Vec<usize>> = Vec::with_capacity(texts.len());
    for t in texts {
        let mut line = Vec::new();
        for tok in tokenize(t) {
            let k = features::word_key(lang, tok);
            let id = *ids.entry(k).or_insert_with(|| {
                keys.push(k);
                freq.push(0);
                keys.len() - 1
            });
            freq[id] += 1;
            line.push(id);
        }
        corpus.push(line);
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| freq[b].cmp(&freq[a]).then(a.cmp(&b)));
    order.retain(|&w| freq[w] >= min_count);
    order.truncate(vocab);
    let v = order.len();
    let c = n_classes.max(2);
    if v == 0 {
        return HashMap::new();
    }
    // Dense ids 0..v for kept words, v = the fixed "rare" pseudo-word.
    let mut dense = vec![v; keys.len()];
    for (i, &w) in order.iter().enumerate() {
        dense[w] = i;
    }
    let rare_class = c; // a class of its own that never moves
    let mut bigrams: HashMap<(usize, usize), u32> = HashMap::new();
    for line in &corpus {
        for pair in line.windows(2) {
            *bigrams.entry((dense[pair[0]], dense[pair[1]])).or_default() += 1;
        }
    }
    drop(corpus);
    // Neighbour lists, sorted so that iteration order is fixed.
    let mut right: Vec<Vec<(usize, f64)>> = vec![Vec::new(); v + 1];
    let mut left: Vec<Vec<(usize, f64)>> = vec![Vec::new(); v + 1];
    let mut pairs: Vec<((usize, usize), u32)> = bigrams.into_iter().collect();
    pairs.sort_unstable();
    for ((a, b), n) in pairs {
        right[a].push((b, n as f64));
        left[b].push((a, n as f64));
    }
    let mut class: Vec<usize> = (0..=v)
        .map(|w| if w == v { rare_class } else { w % c })
        .collect();
    let k = c + 1;
    let mut n2 = vec![0.0f64; k * k];
    let mut nl = vec![0.0f64; k];
    let mut nr = vec![0.0f64; k];
    for (a, list) in right.iter().enumerate() {
        for &(b, n) in list {
            n2[class[a] * k + class[b]] += n;
            nl[class[a]] += n;
            nr[class[b]] += n;
        }
    }
    let mut lw = vec![0.0f64; k];
    let mut rw = vec![0.0f64; k];
    let (mut lt, mut rt): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for _ in 0..iterations {
        let mut moved = 0usize;
        for w in 0..v {
            let a = class[w];
            // Context classes of w (self-bigrams kept apart).
            let mut selfn = 0.0;
            let (mut nlw, mut nrw) = (0.0, 0.0);
            for &(u, n) in &left[w] {
                nrw += n;
                if u == w {
                    selfn += n;
                } else {
                    if lw[class[u]] == 0.0 {
                        lt.push(class[u]);
                    }
                    lw[class[u]] += n;
                }
            }
            for &(u, n) in &right[w] {
                nlw += n;
                if u != w {
                    if rw[class[u]] == 0.0 {
                        rt.push(class[u]);
                    }
                    rw[class[u]] += n;
                }
            }
            // Take w out of a.
            for &cc in &lt {
                n2[cc * k + a] -= lw[cc];
            }
            for &cc in &rt {
                n2[a * k + cc] -= rw[cc];
            }
            n2[a * k + a] -= selfn;
            nl[a] -= nlw;
            nr[a] -= nrw;
            // Gain of putting w into each class b.
            let mut best = (f64::NEG_INFINITY, a);
            for b in 0..c {
                let mut g = 0.0;
                for &cc in &lt {
                    if cc != b {
                        let x = n2[cc * k + b];
                        g += xlogx(x + lw[cc]) - xlogx(x);
                    }
                }
                for &cc in &rt {
                    if cc != b {
                        let x = n2[b * k + cc];
                        g += xlogx(x + rw[cc]) - xlogx(x);
                    }
                }
                let x = n2[b * k + b];
                g += xlogx(x + lw[b] + rw[b] + selfn) - xlogx(x);
                g -= xlogx(nl[b] + nlw) - xlogx(nl[b]);
                g -= xlogx(nr[b] + nrw) - xlogx(nr[b]);
                // Strictly better only, so ties keep the word where it is.
                if g > best.0 + 1e-9 || (b == a && g >= best.0 - 1e-9) {
                    best = (g, b);
                }
            }
            let b = best.1;
            for &cc in &lt {
                n2[cc * k + b] += lw[cc];
            }
            for &cc in &rt {
                n2[b * k + cc] += rw[cc];
            }
            n2[b * k + b] += selfn;
            nl[b] += nlw;
            nr[b] += nrw;
            if b != a {
                class[w] = b;
                moved += 1;
            }
            for &cc in &lt {
                lw[cc] = 0.0;
            }
            for &cc in &rt {
                rw[cc] = 0.0;
            }
            lt.clear();
            rt.clear();
        }
        if moved * 200 < v {
            break;
        }
    }
    order
        .iter()
        .enumerate()
        .map(|(i, &w)| (keys[w], class[i] as u16))
        .collect()
}

/// Learns coarse and fine clusters (`[coarse, fine]` per word) for the tagger.
pub fn learn(
    lang: Lang,
    texts: &[String],
    coarse: usize,
    fine: usize,
    iterations: usize,
) -> Clusters {
    let vocab = 40_000;
    let c0 = exchange(lang, texts, vocab, 3, coarse, iterations);
    let c1 = exchange(lang, texts, vocab, 3, fine, iterations);
    let map = c1
        .into_iter()
        .map(|(k, f)| (k, [c0.get(&k).copied().unwrap_or(u16::MAX), f]))
        .collect();
    Clusters::new(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_splits_edge_punctuation() {
        assert_eq!(
            tokenize("\"Hello, world!\" (Baku)"),
            ["\"", "Hello", ",", "world", "!", "\"", "(", "Baku", ")"]
        );
        assert_eq!(
            tokenize("U.S. 1996-08-22 ..."),
            ["U.S", ".", "1996-08-22", ".", ".", "."]
        );
    }

    #[test]
    fn words_in_the_same_contexts_share_a_class() {
        let mut texts = Vec::new();
        for city in ["paris", "london", "berlin", "rome"] {
            for _ in 0..5 {
                texts.push(format!("she flew to {city} today"));
                texts.push(format!("the mayor of {city} said"));
            }
        }
        for verb in ["said", "added", "noted"] {
            for _ in 0..5 {
                texts.push(format!("the minister {verb} that"));
                texts.push(format!("he {verb} on monday"));
            }
        }
        let a = exchange(Lang::En, &texts, 100, 1, 4, 20);
        let b = exchange(Lang::En, &texts, 100, 1, 4, 20);
        assert_eq!(a, b, "deterministic");
        let cl = |w: &str| a[&features::word_key(Lang::En, w)];
        assert_eq!(cl("paris"), cl("london"));
        assert_eq!(cl("berlin"), cl("rome"));
        assert_ne!(cl("paris"), cl("added"));
    }
}
