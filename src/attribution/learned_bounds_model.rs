//! The content-boundary re-ranker's model ([`super::learned_bounds`]): weights, the dense
//! tables of the span templates, the re-ranking decision and the file format
//! (`models/en/bounds.bin`).

use super::learned::{AttributionModel, LearnedError};
use super::learned_bounds::{
    ContentSpan, Labelled, MAX_RADIUS, N_END, N_PAIR, N_START, PAIR_TEMPLATES,
};
use crate::ner::dense::DenseLayout;
use crate::ner::features::{KeyMap, hash_bytes};
use crate::ner::model::{FeatureTable, quantise};
use std::ops::Range;
use std::path::Path;

const MAGIC: [u8; 8] = *b"NCBOUND\x01";
/// Version of the file layout and of the feature templates of `learned_bounds.rs` (bump when either changes).
const FORMAT_VERSION: u32 = 2;
const CHECKSUM_SEED: u64 = 0x626f_756e_6473_5f31;

/// A trained content-boundary re-ranker (`models/en/bounds.bin`).
#[derive(Clone, Debug)]
pub struct BoundsModel {
    /// Feature hash → weight.
    weights: KeyMap<f32>,
    /// The same weights quantised in the NER tagger's open-addressing table, whose filter
    /// answers most unknown features (rare words at an edge) without a probe: the edge
    /// features of every candidate start and end are looked up here.
    table: FeatureTable,
    /// The quantisation step of `table`.
    step: f32,
    /// How far an edge may move, in tokens (at most [`MAX_RADIUS`]).
    pub radius: usize,
    /// How much better than the original span a candidate must score to replace it.
    pub min_gain: f32,
    /// Contents whose edges the labeller is at least this sure of (the smallest Viterbi
    /// margin of the tokens on either side of each edge) keep their edges without being
    /// scored: the re-ranker rarely moves them, and skipping them keeps it cheap.
    pub max_margin: f32,
    /// [`AttributionModel::fingerprint`] of the labeller it was trained with: its features
    /// (margins, path scores, labels) mean something only for that labeller, so a pair
    /// that does not match is refused at load ([`BoundsModel::check_labeller`]).
    pub labeller: u64,
    /// Where each span template's weights lie in `pair_weights` ([`PAIR_TEMPLATES`]).
    pair_layout: DenseLayout,
    /// The weight of every value combination of every span template.
    pair_weights: Vec<f32>,
    /// The sum of every template's largest weight: no candidate's span features score more.
    max_pair: f32,
}

impl BoundsModel {
    /// A model from (feature hash, weight) pairs; zero weights are dropped.
    pub fn new(
        weights: impl IntoIterator<Item = (u64, f32)>,
        radius: usize,
        min_gain: f32,
    ) -> Self {
        let weights: KeyMap<f32> = weights.into_iter().filter(|&(_, w)| w != 0.0).collect();
        let templates = PAIR_TEMPLATES.map(|(t, dims)| (t, dims.map(u64::from)));
        let pair_layout = DenseLayout::new(&templates);
        let pair_weights: Vec<f32> = pair_layout
            .features()
            .iter()
            .map(|f| weights.get(f).copied().unwrap_or(0.0))
            .collect();
        let (keys, values): (Vec<u64>, Vec<f32>) = weights.iter().map(|(&k, &v)| (k, v)).unzip();
        let (quantised, step) = quantise(&values);
        let table = FeatureTable::new(&keys, &quantised, 1);
        let max_pair = templates
            .iter()
            .map(|&(t, _)| {
                pair_weights[pair_layout.rows_of(t)]
                    .iter()
                    .copied()
                    .fold(f32::NEG_INFINITY, f32::max)
            })
            .sum();
        BoundsModel {
            weights,
            table,
            step,
            radius: radius.min(MAX_RADIUS),
            min_gain,
            max_margin: f32::INFINITY,
            labeller: 0,
            pair_layout,
            pair_weights,
            max_pair,
        }
    }

    /// Number of features with a weight.
    pub fn n_features(&self) -> usize {
        self.weights.len()
    }

    /// The (feature hash, weight) pairs, sorted by hash.
    pub fn weights_sorted(&self) -> Vec<(u64, f32)> {
        let mut w: Vec<(u64, f32)> = self.weights.iter().map(|(&k, &v)| (k, v)).collect();
        w.sort_unstable_by_key(|&(k, _)| k);
        w
    }

    /// The weight of a feature hash (quantised).
    pub(super) fn weight(&self, f: u64) -> f32 {
        if !self.table.may_contain(f) {
            return 0.0;
        }
        self.table
            .get(f)
            .map_or(0.0, |row| f32::from(row[0]) * self.step)
    }

    /// The score of a candidate's span features (one table read per template).
    fn pair_score(&self, values: &[[u8; 3]; N_PAIR]) -> f32 {
        let mut total = 0.0;
        for (&(t, _), &[a, b, c]) in PAIR_TEMPLATES.iter().zip(values) {
            let f = [t, u64::from(a), u64::from(b), u64::from(c)];
            total += self
                .pair_layout
                .index(&f)
                .map_or(0.0, |i| self.pair_weights[i]);
        }
        total
    }

    /// The content's token range after re-ranking its edges: the first best-scoring
    /// candidate (starts, then ends, in order) if it beats the original span by
    /// `min_gain`, else the original.
    pub(super) fn rerank(&self, labelled: &Labelled<'_>, c: &ContentSpan) -> Range<usize> {
        let margins = &labelled.labels.margins;
        let (s0, e0) = (c.content.start, c.content.end);
        let sure = [s0.checked_sub(1), Some(s0), Some(e0 - 1), Some(e0)]
            .into_iter()
            .flatten()
            .filter_map(|t| margins.get(t))
            .all(|&m| m >= self.max_margin);
        if sure {
            return c.content.clone();
        }
        let Some(w) = labelled.window(c, self.radius) else {
            return c.content.clone();
        };
        let mut feats = Vec::with_capacity(N_START.max(N_END));
        let mut edge = |f: &dyn Fn(&mut Vec<u64>)| -> f32 {
            feats.clear();
            f(&mut feats);
            feats.iter().map(|&x| self.weight(x)).sum()
        };
        let ss: Vec<f32> = w
            .starts
            .clone()
            .map(|s| edge(&|out| w.start_features(s, out)))
            .collect();
        let es: Vec<f32> = w
            .ends
            .clone()
            .map(|e| edge(&|out| w.end_features(e, out)))
            .collect();
        let (si0, ei0) = (s0 - w.starts.start, e0 - w.ends.start);
        let original = ss[si0] + es[ei0] + self.pair_score(&w.pair_values(s0, e0));
        let bar = original + self.min_gain;
        let mut best = (original, s0..e0);
        for (s, &start_score) in w.starts.clone().zip(&ss) {
            for (e, &end_score) in w.ends.clone().zip(&es) {
                // An upper bound from the best span features skips most candidates without
                // computing theirs (float sums are monotone, so this never skips a winner).
                let bound = start_score + end_score + self.max_pair;
                if bound < bar || bound <= best.0 || !w.valid(s, e) {
                    continue;
                }
                let score = start_score + end_score + self.pair_score(&w.pair_values(s, e));
                if score > best.0 && score >= bar {
                    best = (score, s..e);
                }
            }
        }
        best.1
    }

    /// Serialises the model: magic, format version, radius, minimum gain, margin cut, the
    /// labeller's fingerprint, the sorted (feature hash, f32 weight) list with its count,
    /// then a checksum.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(32 + self.weights.len() * 12);
        b.extend_from_slice(&MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&(self.radius as u32).to_le_bytes());
        b.extend_from_slice(&self.min_gain.to_le_bytes());
        b.extend_from_slice(&self.max_margin.to_le_bytes());
        b.extend_from_slice(&self.labeller.to_le_bytes());
        let w = self.weights_sorted();
        b.extend_from_slice(&(w.len() as u32).to_le_bytes());
        for (k, v) in w {
            b.extend_from_slice(&k.to_le_bytes());
            b.extend_from_slice(&v.to_le_bytes());
        }
        let sum = hash_bytes(CHECKSUM_SEED, &b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// Parses a model; `path` only names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<BoundsModel, LearnedError> {
        let corrupt = |what: String| LearnedError::Corrupt {
            path: path.to_path_buf(),
            what,
        };
        let header = MAGIC.len() + 28;
        if bytes.len() < header + 8 || bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt("bad magic bytes or truncated".into()));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        if hash_bytes(CHECKSUM_SEED, body).to_le_bytes() != sum {
            return Err(corrupt("checksum mismatch".into()));
        }
        let word = |i: usize| {
            let at = MAGIC.len() + 4 * i;
            [body[at], body[at + 1], body[at + 2], body[at + 3]]
        };
        let version = u32::from_le_bytes(word(0));
        if version != FORMAT_VERSION {
            return Err(corrupt(format!(
                "format {version}; this build reads {FORMAT_VERSION}: retrain"
            )));
        }
        let radius = u32::from_le_bytes(word(1)) as usize;
        let min_gain = f32::from_le_bytes(word(2));
        let max_margin = f32::from_le_bytes(word(3));
        let labeller =
            u64::from(u32::from_le_bytes(word(4))) | (u64::from(u32::from_le_bytes(word(5))) << 32);
        let n = u32::from_le_bytes(word(6)) as usize;
        let rest = &body[header..];
        if rest.len() != n.saturating_mul(12) {
            return Err(corrupt("truncated or trailing bytes".into()));
        }
        let weights = rest.chunks_exact(12).map(|c| {
            let mut k = [0u8; 8];
            k.copy_from_slice(&c[..8]);
            (
                u64::from_le_bytes(k),
                f32::from_le_bytes([c[8], c[9], c[10], c[11]]),
            )
        });
        let mut model = BoundsModel::new(weights, radius, min_gain);
        model.max_margin = max_margin;
        model.labeller = labeller;
        Ok(model)
    }

    /// Whether this re-ranker was trained with `labeller`; an error naming both files
    /// otherwise.
    pub fn check_labeller(
        &self,
        labeller: &AttributionModel,
        path: &Path,
        labeller_path: &Path,
    ) -> Result<(), LearnedError> {
        if self.labeller == labeller.fingerprint() {
            return Ok(());
        }
        Err(LearnedError::Corrupt {
            path: path.to_path_buf(),
            what: format!(
                "trained with another labeller than {}: retrain it \
                 (newsclaims train attribution-bounds) or remove it",
                labeller_path.display()
            ),
        })
    }

    /// Writes a model file.
    pub fn save(&self, path: &Path) -> Result<(), LearnedError> {
        std::fs::write(path, self.to_bytes()).map_err(|source| LearnedError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<BoundsModel, LearnedError> {
        let bytes = std::fs::read(path).map_err(|source| LearnedError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        BoundsModel::from_bytes(&bytes, path)
    }
}

#[cfg(test)]
mod tests {
    use super::super::learned_bounds_fixture::{doc, noise};
    use super::*;

    #[test]
    fn model_bytes_round_trip_and_bad_files_are_errors() {
        let mut m = BoundsModel::new([(5, 0.5), (9, -1.25), (11, 0.0)], 6, 2.0);
        m.max_margin = 300.0;
        m.labeller = 0x0123_4567_89ab_cdef;
        assert_eq!(m.n_features(), 2, "zero weights are dropped");
        let b = m.to_bytes();
        let back = BoundsModel::from_bytes(&b, Path::new("b.bin")).unwrap();
        assert_eq!(back.weights_sorted(), m.weights_sorted());
        assert_eq!(
            (back.radius, back.min_gain, back.max_margin, back.labeller),
            (6, 2.0, 300.0, 0x0123_4567_89ab_cdef)
        );
        assert!((back.weight(9) + 1.25).abs() < 1e-3 && back.weight(10) == 0.0);
        let mut bad = b.clone();
        bad[12] ^= 1;
        let err = BoundsModel::from_bytes(&bad, Path::new("b.bin")).unwrap_err();
        assert!(err.to_string().contains("b.bin"), "{err}");
        assert!(BoundsModel::from_bytes(&b[..20], Path::new("b.bin")).is_err());
        // Another format version is an error that says to retrain, not a panic.
        let mut old = b[..b.len() - 8].to_vec();
        old[MAGIC.len()] = 0;
        let sum = hash_bytes(CHECKSUM_SEED, &old);
        old.extend_from_slice(&sum.to_le_bytes());
        let err = BoundsModel::from_bytes(&old, Path::new("b.bin")).unwrap_err();
        assert!(err.to_string().contains("retrain"), "{err}");
    }

    #[test]
    fn a_re_ranker_is_refused_with_another_labeller() {
        let d = doc("Ann Lee said that the plan works.");
        let mut m = BoundsModel::new([(5, 0.5)], 6, 2.0);
        let (path, labeller) = (Path::new("b.bin"), Path::new("a.bin"));
        m.labeller = d.model.fingerprint();
        assert!(m.check_labeller(&d.model, path, labeller).is_ok());
        m.labeller ^= 1;
        let err = m.check_labeller(&d.model, path, labeller).unwrap_err();
        assert!(
            err.to_string().contains("another labeller than a.bin"),
            "{err}"
        );
    }

    #[test]
    fn rerank_picks_the_best_candidate_of_the_brute_force_scores() {
        let d = doc("Ann Lee said that the plan, which we saw, works well today. He left.");
        let (view, labels) = (d.view(), d.labels());
        let l = d.labelled(&view, &labels);
        for (content, gain) in [(4..11, 0.0), (3..9, 0.0), (5..13, 1.5), (4..11, 100.0)] {
            let c = ContentSpan {
                content: content.clone(),
                cue: 2..3,
                source: Some(0..2),
                paragraph: 0,
            };
            let cands = l.candidates(&c, 5).unwrap();
            // Hash-random weights on every feature of every candidate.
            let mut keys: Vec<u64> = cands.start_feats.clone();
            keys.extend(&cands.end_feats);
            keys.extend((0..cands.pairs.len()).flat_map(|p| cands.pair_features(p)));
            let m = BoundsModel::new(keys.iter().map(|&k| (k, noise(k))), 5, gain);
            let score = |p: usize| {
                let (s, e) = (cands.pairs[p].0 as usize, cands.pairs[p].1 as usize);
                let edge = |fs: &[u64]| fs.iter().map(|&f| m.weight(f)).sum::<f32>();
                let ss = edge(&cands.start_feats[s * N_START..(s + 1) * N_START]);
                let es = edge(&cands.end_feats[e * N_END..(e + 1) * N_END]);
                ss + es + m.pair_score(&cands.pair_values[p])
            };
            let original = score(cands.original);
            let mut best = cands.original;
            for p in 0..cands.pairs.len() {
                if score(p) > score(best) && score(p) >= original + gain {
                    best = p;
                }
            }
            assert_eq!(m.rerank(&l, &c), cands.range(best), "{content:?}");
            if gain == 100.0 {
                assert_eq!(m.rerank(&l, &c), content, "a high bar keeps the original");
            }
        }
    }
}
