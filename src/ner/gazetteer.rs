//! Name lists learned from the training data, for the tagger's gazetteer features.
//!
//! Every entity string of the training data (up to [`MAX_NGRAM`] words, case-folded) is
//! kept with the types it was annotated as, unless the same word sequence occurs more often
//! outside that type than inside (so "may" or "white house" in running text do not fire).
//! A token covered by a listed sequence gets a feature for the type and for whether it
//! starts the sequence, is inside it, or is a one-word match.
//!
//! Because such features fire exactly on the training entities, training uses a
//! jackknifed list (each half of the training sentences sees the list built from the
//! other half), so the weights learn how far a list match can be trusted on unseen text.

use super::features::{self, KeyMap, hash_bytes};
use crate::document::{EntityType, Lang};
use crate::eval::conll::ConllSentence;
use crate::eval::spans;
use std::collections::{BTreeMap, HashMap};

/// Longest listed word sequence.
pub const MAX_NGRAM: usize = 4;

/// Value bit marking a proper prefix of a listed sequence.
const PREFIX: u8 = 0x80;

/// Folded word sequences with the entity types they were annotated as (bit k = the k-th
/// [`EntityType`] in declaration order; bit 7 = the sequence starts a longer listed one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gazetteer {
    /// Sequence key (see [`ngram_key`]) → type bits.
    pub map: KeyMap<u8>,
}

/// Key of a word sequence from its folded-word hashes ([`features::word_key`]).
#[inline]
pub fn ngram_key(words: &[u64]) -> u64 {
    let mut bytes = [0u8; 8 * MAX_NGRAM];
    for (i, w) in words.iter().take(MAX_NGRAM).enumerate() {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    hash_bytes(
        0x6761_7a65_7474_6565,
        &bytes[..8 * words.len().min(MAX_NGRAM)],
    )
}

/// Bit of an entity type in [`Gazetteer::map`] values.
pub fn type_bit(t: EntityType) -> u8 {
    match t {
        EntityType::Per => 1,
        EntityType::Org => 2,
        EntityType::Loc => 4,
        EntityType::Misc => 8,
    }
}

/// Builds the list from annotated sentences.
pub fn build<'a>(
    lang: Lang,
    sentences: impl Iterator<Item = &'a ConllSentence> + Clone,
) -> Gazetteer {
    // Entity sequences and how often each was annotated with each type.
    let mut typed: HashMap<u64, [u32; 4]> = HashMap::new();
    let mut sequences: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let mut keys: Vec<u64> = Vec::new();
    for s in sentences.clone() {
        keys.clear();
        keys.extend(s.words.iter().map(|w| features::word_key(lang, w)));
        for sp in spans::spans_from_tags(&s.tags) {
            let Some(t) = EntityType::parse(&sp.kind) else {
                continue;
            };
            if sp.end - sp.start > MAX_NGRAM {
                continue;
            }
            let k = ngram_key(&keys[sp.start..sp.end]);
            if sp.end - sp.start > 1 {
                sequences
                    .entry(k)
                    .or_insert_with(|| keys[sp.start..sp.end].to_vec());
            }
            typed.entry(k).or_default()[type_bit(t).trailing_zeros() as usize] += 1;
        }
    }
    // How often each listed sequence occurs at all.
    let mut total: HashMap<u64, u32> = HashMap::new();
    for s in sentences {
        keys.clear();
        keys.extend(s.words.iter().map(|w| features::word_key(lang, w)));
        for start in 0..keys.len() {
            for n in 1..=MAX_NGRAM.min(keys.len() - start) {
                let k = ngram_key(&keys[start..start + n]);
                if typed.contains_key(&k) {
                    *total.entry(k).or_default() += 1;
                }
            }
        }
    }
    let mut map = KeyMap::default();
    for (k, counts) in typed {
        let all = total.get(&k).copied().unwrap_or(0).max(1);
        let mut bits = 0u8;
        for (i, &c) in counts.iter().enumerate() {
            if c * 2 >= all {
                bits |= 1 << i;
            }
        }
        if bits != 0 {
            *map.entry(k).or_insert(0) |= bits;
        }
    }
    // Mark every proper prefix of a listed sequence, so that matching can stop at the
    // first word that starts nothing (most words): about one lookup per token.
    let mut prefixes: Vec<u64> = Vec::new();
    for (k, seq) in &sequences {
        if map.contains_key(k) {
            for n in 1..seq.len() {
                prefixes.push(ngram_key(&seq[..n]));
            }
        }
    }
    for p in prefixes {
        *map.entry(p).or_insert(0) |= PREFIX;
    }
    Gazetteer { map }
}

/// Per-token gazetteer evidence for a sentence of folded-word hashes: bit `3k + p` of
/// `out[i]` means a sequence of type bit `k` covers token `i`, with `p` = 0 at its start,
/// 1 inside, 2 for a one-word match.
pub fn matches(g: &Gazetteer, words: &[u64], out: &mut Vec<u16>) {
    out.clear();
    out.resize(words.len(), 0);
    for start in 0..words.len() {
        for n in 1..=MAX_NGRAM.min(words.len() - start) {
            // Nothing listed starts with these words: no longer sequence can match.
            let Some(&bits) = g.map.get(&ngram_key(&words[start..start + n])) else {
                break;
            };
            for k in 0..4 {
                if bits & (1 << k) == 0 {
                    continue;
                }
                if n == 1 {
                    out[start] |= 1 << (3 * k + 2);
                } else {
                    out[start] |= 1 << (3 * k);
                    for o in &mut out[start + 1..start + n] {
                        *o |= 1 << (3 * k + 1);
                    }
                }
            }
            if bits & PREFIX == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(pairs: &[(&str, &str)]) -> ConllSentence {
        ConllSentence {
            words: pairs.iter().map(|p| p.0.to_string()).collect(),
            tags: pairs.iter().map(|p| p.1.to_string()).collect(),
            starts_document: false,
        }
    }

    #[test]
    fn lists_entities_but_not_ambiguous_words() {
        let data = [
            sent(&[
                ("New", "B-LOC"),
                ("York", "I-LOC"),
                ("is", "O"),
                ("big", "O"),
            ]),
            sent(&[("May", "B-PER"), ("may", "O"), ("come", "O"), ("may", "O")]),
        ];
        let g = build(Lang::En, data.iter());
        let k = |ws: &[&str]| {
            ngram_key(
                &ws.iter()
                    .map(|w| features::word_key(Lang::En, w))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            g.map.get(&k(&["new", "york"])),
            Some(&type_bit(EntityType::Loc))
        );
        assert_eq!(g.map.get(&k(&["may"])), None, "seen 3 times, once as PER");
        let words: Vec<u64> = ["in", "New", "York"]
            .iter()
            .map(|w| features::word_key(Lang::En, w))
            .collect();
        let mut m = Vec::new();
        matches(&g, &words, &mut m);
        assert_eq!(m, vec![0, 1 << 6, 1 << 7]);
    }
}
