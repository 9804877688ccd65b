//! A trained NER model in memory and how it tags one sentence.
//!
//! The model is a linear-chain scorer: a feature dictionary (open-addressing hash table from
//! feature hash to a weight row, one weight per label), start and transition scores, and
//! the cluster map used by the features. Tagging a sentence is: extract feature hashes, sum
//! the rows of the known ones into per-token label scores, run constrained Viterbi.

use super::decode::{self, DecodeScratch, LabelSet};
use super::dense::{DenseRows, Template};
use super::features::{self, Clusters};
use super::gazetteer::Gazetteer;
use super::slovnet::SlovnetModel;
use super::word_cache::WordCaches;
use crate::document::{Lang, TokenSpan};
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Most labels a model may have (`O` + `B-`/`I-` for up to five types); fixes the slot size.
pub const MAX_LABELS: usize = 12;

/// One slot of [`FeatureTable`]: a feature hash and its quantised weight row, together in
/// 32 aligned bytes so that a lookup touches a single cache line (tagging speed is bound by
/// these lookups). Key 0 marks an empty slot.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
struct Slot {
    key: u64,
    w: [i16; MAX_LABELS],
}

/// Open-addressing hash table from feature hash to quantised weight row. Keys are already
/// well-mixed hashes, so the slot is just their low bits.
#[derive(Clone, Debug, Default)]
pub struct FeatureTable {
    slots: Vec<Slot>,
    mask: usize,
    len: usize,
    /// One bit per 2^k hash values (taken from the key's high bits, independent of the slot
    /// bits), set for every stored key: a small filter, about 16 bits per key, that stays in
    /// cache and answers "unknown feature" for most unknown keys without touching a slot.
    present: Vec<u64>,
    present_mask: usize,
}

impl FeatureTable {
    /// A table for the given keys; row `i` (`l` weights) of `weights` belongs to `keys[i]`.
    /// Duplicate keys keep the first row; key 0 (the empty marker, which the feature
    /// hashes never produce in practice) is skipped.
    pub fn new(keys: &[u64], weights: &[i16], l: usize) -> FeatureTable {
        // Load factor at most 1/2 keeps probe chains short.
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let bits = (keys.len() * 16).next_power_of_two().max(64);
        let mut table = FeatureTable {
            slots: vec![Slot::default(); cap],
            mask: cap - 1,
            len: 0,
            present: vec![0; bits / 64],
            present_mask: bits - 1,
        };
        for (row, &key) in keys.iter().enumerate() {
            if key == 0 {
                continue;
            }
            let mut slot = key as usize & table.mask;
            loop {
                let entry = &mut table.slots[slot];
                if entry.key == 0 {
                    let bit = (key >> 40) as usize & table.present_mask;
                    table.present[bit / 64] |= 1 << (bit % 64);
                    entry.key = key;
                    entry.w[..l].copy_from_slice(&weights[row * l..(row + 1) * l]);
                    table.len += 1;
                    break;
                }
                if entry.key == key {
                    break;
                }
                slot = (slot + 1) & table.mask;
            }
        }
        table
    }

    /// The key stored in a feature's home slot (0 if empty: the feature is unknown). Keys
    /// that the presence filter rules out give 0 without reading the slot.
    #[inline(always)]
    pub fn home_key(&self, key: u64) -> u64 {
        if !self.may_contain(key) {
            return 0;
        }
        self.slots[key as usize & self.mask].key
    }

    /// False when the table surely lacks `key` (the filter's bit is clear).
    #[inline(always)]
    pub fn may_contain(&self, key: u64) -> bool {
        let bit = (key >> 40) as usize & self.present_mask;
        self.present[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// The weight row of a feature (all [`MAX_LABELS`] entries; those past the model's
    /// label count are 0), if the model knows it.
    #[inline(always)]
    pub fn get(&self, key: u64) -> Option<&[i16; MAX_LABELS]> {
        let mut slot = key as usize & self.mask;
        loop {
            let s = &self.slots[slot];
            if s.key == key {
                return Some(&s.w);
            }
            if s.key == 0 {
                return None;
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

/// Quantises weights to i16 with one step for all: returns the integers and the step.
pub fn quantise(weights: &[f32]) -> (Vec<i16>, f32) {
    let max = weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let step = if max > 0.0 {
        max / i16::MAX as f32
    } else {
        1.0
    };
    let q = weights
        .iter()
        .map(|w| {
            (w / step)
                .round()
                .clamp(-(i16::MAX as f32), i16::MAX as f32) as i16
        })
        .collect();
    (q, step)
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
    /// Quantised weight rows, `keys.len() × labels.len()`, row-major; the weight is
    /// `weights[i] as f32 * step`.
    pub weights: Vec<i16>,
    /// Quantisation step of `weights`.
    pub step: f32,
    /// Word clusters used by the features, if the model was trained with them.
    pub clusters: Option<Clusters>,
    /// Name lists used by the features, if the model was trained with them.
    pub gazetteer: Option<Gazetteer>,
    /// Scale turning a score margin into a confidence (see [`decode::spans`]).
    pub confidence_scale: f32,
    /// Whether the features include slovnet's tags ([`features::extract`]'s hints): a
    /// model stacked on slovnet, trained with `train ner --slovnet`.
    pub uses_slovnet: bool,
    /// The slovnet network that gives the hints (attached after loading; a model that
    /// [`NerModel::uses_slovnet`] without one tags without them, which it was not
    /// trained for).
    pub slovnet: Option<Arc<SlovnetModel>>,
    table: FeatureTable,
    /// The rows of the templates with few values ([`features::DENSE_TEMPLATES`]), read by
    /// index: the same weights as in `table`.
    dense: DenseRows,
    c_start: Vec<f32>,
    c_trans: Vec<f32>,
    /// Names this model's word cache ([`super::word_cache`]); a copy shares it, having the
    /// same weights and clusters. The cache keeps values computed with `lang` and
    /// `clusters`: they must not change once the model has tagged (loading sets only the
    /// name lists afterwards, which the cache does not hold).
    id: u64,
}

/// The next [`NerModel`] id.
static NEXT_MODEL_ID: AtomicU64 = AtomicU64::new(1);

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
    first: Vec<u64>,
    /// Each token's sum of its dense rows.
    sums: Vec<[i32; MAX_LABELS]>,
    /// Words seen before, per model: their values and the sum of their own templates' rows.
    words: WordCaches<(features::TokenInfo, [i32; MAX_LABELS])>,
    /// A word's folded form and own templates, when it is not cached.
    folded: String,
    own: Vec<Template>,
    own_hashes: Vec<u64>,
}

thread_local! {
    /// Tagging buffers are reused per thread so that tagging allocates only its result.
    static SCRATCH: RefCell<TagScratch> = RefCell::new(TagScratch::default());
}

impl NerModel {
    /// Builds a model from float weights (quantised here) and its lookup table.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        lang: Lang,
        labels: LabelSet,
        start: Vec<f32>,
        trans: Vec<f32>,
        keys: Vec<u64>,
        weights: &[f32],
        clusters: Option<Clusters>,
        confidence_scale: f32,
    ) -> NerModel {
        let (q, step) = quantise(weights);
        NerModel::from_quantised(
            lang,
            labels,
            start,
            trans,
            keys,
            q,
            step,
            clusters,
            confidence_scale,
        )
    }

    /// Builds a model from quantised weights and its lookup table. Panics never; a label
    /// set larger than [`MAX_LABELS`] must be rejected by the caller.
    #[allow(clippy::too_many_arguments)]
    pub fn from_quantised(
        lang: Lang,
        labels: LabelSet,
        start: Vec<f32>,
        trans: Vec<f32>,
        keys: Vec<u64>,
        weights: Vec<i16>,
        step: f32,
        clusters: Option<Clusters>,
        confidence_scale: f32,
    ) -> NerModel {
        let l = labels.len().min(MAX_LABELS);
        let table = FeatureTable::new(&keys, &weights, l);
        let dense = DenseRows::new(&features::DENSE_TEMPLATES, &table);
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
            step,
            clusters,
            gazetteer: None,
            confidence_scale,
            uses_slovnet: false,
            slovnet: None,
            table,
            dense,
            c_start,
            c_trans,
            id: NEXT_MODEL_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Number of weight rows (features).
    pub fn n_features(&self) -> usize {
        self.keys.len()
    }

    /// Tags one sentence: entity spans with confidences.
    pub fn tag(&self, words: &[&str]) -> Vec<TokenSpan> {
        self.tag_batch(&[words]).pop().unwrap_or_default()
    }

    /// Tags several sentences, the same as [`NerModel::tag`] on each; a model stacked on
    /// slovnet gets the network's hints for all of them at once
    /// ([`SlovnetModel::hints_batch`], which is faster than sentence by sentence).
    pub fn tag_batch<'w, S: AsRef<[&'w str]>>(&self, sentences: &[S]) -> Vec<Vec<TokenSpan>> {
        match self.slovnet.as_ref().filter(|_| self.uses_slovnet) {
            Some(net) => sentences
                .iter()
                .zip(net.hints_batch(sentences))
                .map(|(words, hints)| self.tag_hinted(words.as_ref(), Some(&hints)))
                .collect(),
            None => sentences
                .iter()
                .map(|words| self.tag_hinted(words.as_ref(), None))
                .collect(),
        }
    }

    /// Tags one sentence given slovnet's hints for it (when the model is stacked on slovnet).
    fn tag_hinted(&self, words: &[&str], hints: Option<&[features::Hint]>) -> Vec<TokenSpan> {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.tag_with(words, hints, &mut s, true),
            // Re-entrant use on one thread (not expected): fall back to fresh buffers.
            Err(_) => self.tag_with(words, hints, &mut TagScratch::default(), true),
        })
    }

    /// Tags one sentence and pairs every span with its raw score margin (see
    /// [`decode::span_margin`]); used to calibrate confidences.
    pub fn tag_margins(&self, words: &[&str]) -> Vec<(TokenSpan, f32)> {
        let mut s = TagScratch::default();
        let hints = self.hints(words);
        let spans = self.tag_with(words, hints.as_deref(), &mut s, true);
        spans
            .into_iter()
            .map(|sp| (sp, decode::span_margin(&s.margins, sp.start, sp.end)))
            .collect()
    }

    /// slovnet's view of the words ([`SlovnetModel::hints`]), when the model is stacked on
    /// slovnet.
    pub fn hints(&self, words: &[&str]) -> Option<Vec<features::Hint>> {
        if !self.uses_slovnet {
            return None;
        }
        let net = self.slovnet.as_ref()?;
        Some(net.hints(words))
    }

    /// Fills `s.emissions` with per-token label scores.
    fn score(&self, words: &[&str], hints: Option<&[features::Hint]>, s: &mut TagScratch) {
        let l = self.labels.len();
        // The dense templates' rows are summed as the features come; the others are hashed
        // for the table below.
        let TagScratch {
            features: extraction,
            hashes,
            offsets,
            sums,
            words: caches,
            folded,
            own,
            own_hashes,
            ..
        } = s;
        hashes.clear();
        offsets.clear();
        sums.clear();
        // Each word's values and the sum of its own templates' rows: from the cache, or
        // computed and kept. The context templates are added to those sums below.
        let cache = caches.of(self.id);
        extraction.tokens.clear();
        for word in words {
            if let Some((info, sum)) = cache.get(word) {
                extraction.tokens.push(*info);
                sums.push(*sum);
                continue;
            }
            own.clear();
            let info =
                features::word_templates(self.lang, self.clusters.as_ref(), word, folded, own);
            let sum = self.sum_rows(own, own_hashes);
            cache.put(word, (info, sum));
            extraction.tokens.push(info);
            sums.push(sum);
        }
        features::extract_context_templates(
            self.gazetteer.as_ref(),
            hints,
            self.clusters.is_some(),
            extraction,
            |t, fs| {
                offsets.push(hashes.len() as u32);
                self.dense.split(fs, &mut sums[t], hashes);
            },
        );
        offsets.push(hashes.len() as u32);
        s.emissions.clear();
        s.emissions.reserve(words.len() * l);
        // Tagging is bound by cache misses on the table. Reading every feature's home slot
        // first, in a loop whose loads do not depend on each other, lets the CPU overlap
        // the misses; the probing below then finds the lines in cache.
        s.first.clear();
        s.first
            .extend(s.hashes.iter().map(|&h| self.table.home_key(h)));
        for t in 0..words.len() {
            // Integer sums: exact, and cheaper than converting every weight.
            let mut acc = s.sums[t];
            let (a, b) = (s.offsets[t] as usize, s.offsets[t + 1] as usize);
            for (&h, &home) in s.hashes[a..b].iter().zip(&s.first[a..b]) {
                if home == 0 {
                    continue;
                }
                if let Some(w) = self.table.get(h) {
                    for (o, &x) in acc.iter_mut().zip(w) {
                        *o += x as i32;
                    }
                }
            }
            s.emissions
                .extend(acc[..l].iter().map(|&x| x as f32 * self.step));
        }
    }

    /// The sum of the weight rows of `features` (`hashes` is a buffer).
    fn sum_rows(&self, features: &[Template], hashes: &mut Vec<u64>) -> [i32; MAX_LABELS] {
        let mut acc = [0i32; MAX_LABELS];
        hashes.clear();
        self.dense.split(features, &mut acc, hashes);
        for &h in hashes.iter() {
            if let Some(w) = self.table.get(h) {
                for (o, &x) in acc.iter_mut().zip(w) {
                    *o += i32::from(x);
                }
            }
        }
        acc
    }

    fn tag_with(
        &self,
        words: &[&str],
        hints: Option<&[features::Hint]>,
        s: &mut TagScratch,
        with_conf: bool,
    ) -> Vec<TokenSpan> {
        self.score(words, hints, s);
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
        let keys: Vec<u64> = (1..=1000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let weights: Vec<i16> = (0..1000 * 3).map(|i| i as i16).collect();
        let t = FeatureTable::new(&keys, &weights, 3);
        assert_eq!(t.len(), 1000);
        for (i, &k) in keys.iter().enumerate() {
            let row = t.get(k).unwrap();
            assert_eq!(&row[..3], &weights[i * 3..i * 3 + 3]);
            assert!(row[3..].iter().all(|&x| x == 0));
            assert_ne!(t.home_key(k), 0);
        }
        assert_eq!(t.get(12345), None);
    }

    #[test]
    fn dense_rows_score_as_the_hashed_table_does() {
        let words = [
            "Ilham", "Aliyev", "met", "APA", "in", "Baku", "on", "Monday", ".",
        ];
        let mut map = features::KeyMap::default();
        for (i, w) in words.iter().enumerate() {
            map.insert(features::word_key(Lang::En, w), [i as u16 % 3, i as u16]);
        }
        let clusters = Clusters::new(map);
        let hints: Vec<features::Hint> = (0..words.len())
            .map(|i| features::Hint {
                tag: (i % 5) as u8,
                type_probs: [(i % 4) as u8, 0, 3, 1],
            })
            .collect();
        let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
        features::extract(
            Lang::En,
            Some(&clusters),
            None,
            Some(&hints),
            &words,
            &mut features::Scratch::default(),
            &mut hashes,
            &mut offsets,
        );
        let mut keys = hashes.clone();
        keys.sort_unstable();
        keys.dedup();
        let labels = LabelSet {
            types: vec![EntityType::Per, EntityType::Org, EntityType::Loc],
        };
        let l = labels.len();
        let weights: Vec<f32> = (0..keys.len() * l)
            .map(|i| ((i * 7919) % 101) as f32 / 10.0 - 5.0)
            .collect();
        let m = NerModel::new(
            Lang::En,
            labels,
            vec![0.0; l],
            vec![0.0; l * l],
            keys,
            &weights,
            Some(clusters),
            1.0,
        );
        // Every feature hashed and read from the table.
        let want: Vec<f32> = (0..words.len())
            .flat_map(|t| {
                let mut acc = [0i32; MAX_LABELS];
                for &h in &hashes[offsets[t] as usize..offsets[t + 1] as usize] {
                    for (o, &x) in acc.iter_mut().zip(m.table.get(h).unwrap()) {
                        *o += i32::from(x);
                    }
                }
                acc[..l]
                    .iter()
                    .map(|&x| x as f32 * m.step)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut s = TagScratch::default();
        m.score(&words, Some(&hints), &mut s);
        assert!(
            m.dense.layout().index(&[1, 0, 0, 0]).is_some(),
            "the bias is dense"
        );
        assert_eq!(s.emissions, want);
        // Again, every word now from the word cache: the same sums.
        m.score(&words, Some(&hints), &mut s);
        assert!(s.words.of(m.id).get("Aliyev").is_some());
        assert_eq!(s.emissions, want);
        // A copy shares the cache (same weights and clusters).
        assert_eq!(m.clone().id, m.id);
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
            &[],
            None,
            1.0,
        );
        assert!(m.tag(&["John", "Smith"]).is_empty());
        assert!(m.tag(&[]).is_empty());
    }
}
