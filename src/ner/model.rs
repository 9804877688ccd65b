//! A trained NER model in memory and how it tags one sentence.
//!
//! The model is a linear-chain scorer: a feature dictionary (open-addressing hash table from
//! feature hash to a weight row, one weight per label), start and transition scores, and
//! the cluster map used by the features. Tagging a sentence is: extract feature hashes, sum
//! the rows of the known ones into per-token label scores, run constrained Viterbi.

use super::decode::{self, DecodeScratch, LabelSet};
use super::features::{self, Clusters};
use crate::document::{Lang, TokenSpan};
use std::cell::RefCell;

/// Marks an empty slot of [`FeatureTable`].
const EMPTY: u32 = u32::MAX;

/// Open-addressing hash table from feature hash to weight-row index. Keys are already
/// well-mixed hashes, so the slot is just their low bits.
#[derive(Clone, Debug, Default)]
pub struct FeatureTable {
    slots: Vec<(u64, u32)>,
    mask: usize,
    len: usize,
}

impl FeatureTable {
    /// A table for the given keys; row `i` belongs to `keys[i]`. Duplicate keys keep the
    /// first row.
    pub fn new(keys: &[u64]) -> FeatureTable {
        // Load factor at most 1/2 keeps probe chains short.
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let mut table = FeatureTable {
            slots: vec![(0, EMPTY); cap],
            mask: cap - 1,
            len: 0,
        };
        for (row, &key) in keys.iter().enumerate() {
            let mut slot = key as usize & table.mask;
            loop {
                let entry = &mut table.slots[slot];
                if entry.1 == EMPTY {
                    *entry = (key, row as u32);
                    table.len += 1;
                    break;
                }
                if entry.0 == key {
                    break;
                }
                slot = (slot + 1) & table.mask;
            }
        }
        table
    }

    /// The row of a feature, if the model knows it.
    #[inline(always)]
    pub fn get(&self, key: u64) -> Option<usize> {
        let mut slot = key as usize & self.mask;
        loop {
            let (k, row) = self.slots[slot];
            if row == EMPTY {
                return None;
            }
            if k == key {
                return Some(row as usize);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table holds no feature.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A trained model for one language.
#[derive(Clone, Debug)]
pub struct NerModel {
    /// The language the model was trained for.
    pub lang: Lang,
    /// Entity types, fixing the IOB2 labels.
    pub labels: LabelSet,
    /// Learned start scores per label (unconstrained, as trained).
    pub start: Vec<f32>,
    /// Learned transition scores `prev × cur` (unconstrained, as trained).
    pub trans: Vec<f32>,
    /// Feature hash of each weight row, in row order.
    pub keys: Vec<u64>,
    /// Weight rows, `keys.len() × labels.len()`, row-major.
    pub weights: Vec<f32>,
    /// Word clusters used by the features, if the model was trained with them.
    pub clusters: Option<Clusters>,
    /// Scale turning a score margin into a confidence (see [`decode::spans`]).
    pub confidence_scale: f32,
    table: FeatureTable,
    c_start: Vec<f32>,
    c_trans: Vec<f32>,
}

/// Per-thread buffers for tagging.
#[derive(Debug, Default)]
struct TagScratch {
    features: features::Scratch,
    hashes: Vec<u64>,
    offsets: Vec<u32>,
    emissions: Vec<f32>,
    decode: DecodeScratch,
    tags: Vec<u8>,
    margins: Vec<f32>,
}

thread_local! {
    /// Tagging buffers are reused per thread so that tagging allocates only its result.
    static SCRATCH: RefCell<TagScratch> = RefCell::new(TagScratch::default());
}

impl NerModel {
    /// Builds a model and its lookup table.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        lang: Lang,
        labels: LabelSet,
        start: Vec<f32>,
        trans: Vec<f32>,
        keys: Vec<u64>,
        weights: Vec<f32>,
        clusters: Option<Clusters>,
        confidence_scale: f32,
    ) -> NerModel {
        let table = FeatureTable::new(&keys);
        let mut c_start = start.clone();
        let mut c_trans = trans.clone();
        labels.constrain(&mut c_start, &mut c_trans);
        NerModel {
            lang,
            labels,
            start,
            trans,
            keys,
            weights,
            clusters,
            confidence_scale,
            table,
            c_start,
            c_trans,
        }
    }

    /// Number of weight rows (features).
    pub fn n_features(&self) -> usize {
        self.keys.len()
    }

    /// Tags one sentence: entity spans with confidences.
    pub fn tag(&self, words: &[&str]) -> Vec<TokenSpan> {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.tag_with(words, &mut s, true),
            // Re-entrant use on one thread (not expected): fall back to fresh buffers.
            Err(_) => self.tag_with(words, &mut TagScratch::default(), true),
        })
    }

    /// Tags one sentence and pairs every span with its raw score margin (see
    /// [`decode::span_margin`]); used to calibrate confidences.
    pub fn tag_margins(&self, words: &[&str]) -> Vec<(TokenSpan, f32)> {
        let mut s = TagScratch::default();
        let spans = self.tag_with(words, &mut s, true);
        spans
            .into_iter()
            .map(|sp| (sp, decode::span_margin(&s.margins, sp.start, sp.end)))
            .collect()
    }

    /// Decodes one sentence to label indices (no confidences); used by training.
    pub fn decode_labels(&self, words: &[&str], out: &mut Vec<u8>) {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => {
                self.score(words, &mut s);
                let s = &mut *s;
                decode::viterbi(
                    &s.emissions,
                    self.labels.len(),
                    &self.c_start,
                    &self.c_trans,
                    &mut s.decode,
                    out,
                    None,
                );
            }
            Err(_) => {
                let mut s = TagScratch::default();
                self.score(words, &mut s);
                decode::viterbi(
                    &s.emissions,
                    self.labels.len(),
                    &self.c_start,
                    &self.c_trans,
                    &mut s.decode,
                    out,
                    None,
                );
            }
        })
    }

    /// Fills `s.emissions` with per-token label scores.
    fn score(&self, words: &[&str], s: &mut TagScratch) {
        let l = self.labels.len();
        features::extract(
            self.lang,
            self.clusters.as_ref(),
            words,
            &mut s.features,
            &mut s.hashes,
            &mut s.offsets,
        );
        s.emissions.clear();
        s.emissions.resize(words.len() * l, 0.0);
        for t in 0..words.len() {
            let row_out = &mut s.emissions[t * l..(t + 1) * l];
            let (a, b) = (s.offsets[t] as usize, s.offsets[t + 1] as usize);
            for &h in &s.hashes[a..b] {
                if let Some(row) = self.table.get(h) {
                    let w = &self.weights[row * l..(row + 1) * l];
                    for (o, &x) in row_out.iter_mut().zip(w) {
                        *o += x;
                    }
                }
            }
        }
    }

    fn tag_with(&self, words: &[&str], s: &mut TagScratch, with_conf: bool) -> Vec<TokenSpan> {
        self.score(words, s);
        let s = &mut *s;
        let margins = if with_conf {
            Some(&mut s.margins)
        } else {
            None
        };
        decode::viterbi(
            &s.emissions,
            self.labels.len(),
            &self.c_start,
            &self.c_trans,
            &mut s.decode,
            &mut s.tags,
            margins,
        );
        let m = if with_conf {
            Some(&s.margins[..])
        } else {
            None
        };
        decode::spans(&self.labels, &s.tags, m, self.confidence_scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::EntityType;

    #[test]
    fn table_finds_every_key_and_nothing_else() {
        let keys: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let t = FeatureTable::new(&keys);
        assert_eq!(t.len(), 1000);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i));
        }
        assert_eq!(t.get(12345), None);
    }

    #[test]
    fn empty_model_tags_nothing() {
        let labels = LabelSet {
            types: vec![EntityType::Per],
        };
        let m = NerModel::new(
            Lang::En,
            labels,
            vec![0.0; 3],
            vec![0.0; 9],
            vec![],
            vec![],
            None,
            1.0,
        );
        assert!(m.tag(&["John", "Smith"]).is_empty());
        assert!(m.tag(&[]).is_empty());
    }
}
