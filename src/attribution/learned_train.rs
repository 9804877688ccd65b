//! Training the learned attribution labeller ([`super::learned`]) on PolNeAR-style gold.
//!
//! The gold articles come prepared by `learned_data.rs` (pipeline stages and token
//! labels).
//!
//! Learning is the averaged structured perceptron (as for NER: deterministic shuffling by
//! SplitMix64, features seen fewer than `min_count` times dropped, lazy averaging). After
//! every epoch the averaged model runs through [`super::attribute_with`] on the dev
//! articles and is scored with [`crate::eval::attribution`]; the epoch with the best mean
//! exact F1 of source, cue and content wins.

use super::combine::{CombineMode, learned_attributions};
use super::cues::CueLexicon;
use super::learned::{AttributionModel, CueStats, N_LABELS, ROLE_CUE, constrain};
pub use super::learned_data::{PreparedDoc, evaluate, evaluate_with, oracle, prepare};
use super::patterns::DocView;
use crate::document::Lang;
use crate::eval::attribution::AttributionReport;
use crate::ner::decode::{self, DecodeScratch};
use crate::ner::features::Clusters;
use std::collections::HashMap;
use std::sync::Arc;

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Maximum number of passes over the training data.
    pub epochs: usize,
    /// Seed of the paragraph shuffling.
    pub seed: u64,
    /// Features seen fewer times than this are dropped.
    pub min_count: u32,
    /// Stop after this many epochs without a dev improvement.
    pub patience: usize,
    /// Word clusters for the features (stored in the model); empty for none.
    pub clusters: Clusters,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 60,
            seed: 1,
            min_count: 5,
            patience: 8,
            clusters: Clusters::default(),
        }
    }
}

/// What one epoch did.
#[derive(Clone, Debug)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Training paragraphs decoded wrongly.
    pub mistakes: usize,
    /// Dev report of the averaged model, if there is dev data.
    pub dev: Option<AttributionReport>,
}

/// The trained model and its epoch.
#[derive(Debug)]
pub struct Trained {
    /// The chosen model.
    pub model: AttributionModel,
    /// The epoch it comes from.
    pub epoch: usize,
    /// Its dev report.
    pub dev: Option<AttributionReport>,
}

/// Errors of training.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// There is no training paragraph.
    #[error("no training data")]
    NoData,
}

struct Example {
    feats: Vec<u32>,
    offsets: Vec<u32>,
    gold: Vec<u8>,
}

/// SplitMix64: tiny, seedable, the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The scale of `confidence = 1 - exp(-scale × margin)` that minimises the log loss of
/// "the claim's cue is exactly a gold cue" over the claims found in `docs` (a grid over a
/// wide logarithmic range). Without it confidences saturate at 1 and order nothing.
fn fit_confidence_scale(
    model: &AttributionModel,
    docs: &[PreparedDoc],
    lexicon: &CueLexicon,
) -> f32 {
    // Margins come back through the confidence with a tiny scale, which keeps them exact
    // enough in f32.
    const PROBE: f32 = 1e-4;
    let mut probe = model.clone();
    probe.confidence_scale = PROBE;
    let mut points: Vec<(f64, bool)> = Vec::new();
    for d in docs {
        let view = DocView::new(
            d.aligned.text(),
            Lang::En,
            &d.segmented,
            &d.entities,
            lexicon,
        );
        let gold: Vec<(usize, usize)> = d
            .gold
            .attributions
            .iter()
            .filter_map(|a| a.cue.as_ref().map(|c| c.hull()))
            .collect();
        let found = learned_attributions(&view, &probe, None, None)
            .expect("the perceptron labeller does not fail");
        for (a, _) in found {
            let margin = -f64::from(1.0 - a.confidence).max(1e-12).ln() / f64::from(PROBE);
            let cue = d.aligned.original_span(a.cue.0, a.cue.1);
            points.push((margin, gold.contains(&cue)));
        }
    }
    if points.is_empty() {
        return model.confidence_scale;
    }
    let mut best = (f64::MAX, model.confidence_scale);
    for i in 0..=60 {
        let scale = 10f64.powf(-5.0 + i as f64 * 0.1);
        let loss: f64 = points
            .iter()
            .map(|&(m, ok)| {
                let p = (1.0 - (-scale * m).exp()).clamp(1e-6, 1.0 - 1e-6);
                if ok { -p.ln() } else { -(1.0 - p).ln() }
            })
            .sum();
        if loss < best.0 {
            best = (loss, scale as f32);
        }
    }
    best.1
}

fn mean_f1(r: &AttributionReport) -> f64 {
    (r.source.exact.f1 + r.cue.exact.f1 + r.content.exact.f1) / 3.0
}

/// Trains the labeller; `progress` sees every epoch.
pub fn train(
    train: &[PreparedDoc],
    dev: &[PreparedDoc],
    lexicon: &CueLexicon,
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(&EpochStats),
) -> Result<Trained, TrainError> {
    let l = N_LABELS;
    let mut word_counts: HashMap<u64, (u32, u32)> = HashMap::new();
    for d in train {
        for (t, word) in d.features.word_hashes().enumerate() {
            let c = word_counts.entry(word).or_default();
            c.0 += u32::from(d.labels[t] as usize == 1 + 2 * ROLE_CUE);
            c.1 += 1;
        }
    }
    let mut word_counts: Vec<(u64, u32, u32)> = word_counts
        .into_iter()
        .map(|(k, (a, b))| (k, a, b))
        .collect();
    word_counts.sort_unstable();
    let cue_stats = CueStats::from_counts(word_counts, 3);
    let featured = |d: &PreparedDoc| {
        let mut f = d.features.clone();
        f.apply_cue_stats(&cue_stats);
        f.apply_clusters(&cfg.clusters);
        f
    };
    let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for d in train {
        let features = featured(d);
        for p in 0..d.features.paragraphs.len() {
            let range = d.features.paragraph_tokens(&d.segmented, p);
            features.extract(&d.segmented, range, &mut hashes, &mut offsets);
            for &h in &hashes {
                *counts.entry(h).or_default() += 1;
            }
        }
    }
    let mut index: HashMap<u64, u32> = HashMap::new();
    let mut keys: Vec<u64> = Vec::new();
    let mut examples = Vec::new();
    for d in train {
        let features = featured(d);
        for p in 0..d.features.paragraphs.len() {
            let range = d.features.paragraph_tokens(&d.segmented, p);
            features.extract(&d.segmented, range.clone(), &mut hashes, &mut offsets);
            let mut feats = Vec::with_capacity(hashes.len());
            let mut offs = Vec::with_capacity(range.len() + 1);
            for t in 0..range.len() {
                offs.push(feats.len() as u32);
                for &h in &hashes[offsets[t] as usize..offsets[t + 1] as usize] {
                    if counts.get(&h).copied().unwrap_or(0) < cfg.min_count {
                        continue;
                    }
                    let next = keys.len() as u32;
                    feats.push(*index.entry(h).or_insert_with(|| {
                        keys.push(h);
                        next
                    }));
                }
            }
            offs.push(feats.len() as u32);
            examples.push(Example {
                feats,
                offsets: offs,
                gold: d.labels[range].to_vec(),
            });
        }
    }
    drop(counts);
    drop(index);
    if examples.is_empty() {
        return Err(TrainError::NoData);
    }
    let nf = keys.len();
    let mut w = vec![0.0f32; nf * l];
    let mut acc = vec![0.0f32; nf * l];
    let (mut start, mut start_acc) = (vec![0.0f32; l], vec![0.0f32; l]);
    let (mut trans, mut trans_acc) = (vec![0.0f32; l * l], vec![0.0f32; l * l]);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix64(cfg.seed);
    let mut scratch = DecodeScratch::default();
    let (mut em, mut pred) = (Vec::new(), Vec::new());
    let mut best: Option<(f64, Trained)> = None;
    let mut since_best = 0;
    let mut c = 1.0f32;
    for epoch in 1..=cfg.epochs.max(1) {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut mistakes = 0;
        for &ei in &order {
            let ex = &examples[ei];
            let n = ex.gold.len();
            em.clear();
            em.resize(n * l, 0.0);
            for t in 0..n {
                let row = &mut em[t * l..(t + 1) * l];
                for &f in &ex.feats[ex.offsets[t] as usize..ex.offsets[t + 1] as usize] {
                    for (o, &x) in row.iter_mut().zip(&w[f as usize * l..(f as usize + 1) * l]) {
                        *o += x;
                    }
                }
            }
            let (mut cs, mut ct) = (start.clone(), trans.clone());
            constrain(&mut cs, &mut ct);
            decode::viterbi(&em, l, &cs, &ct, &mut scratch, &mut pred, None);
            if pred != ex.gold {
                mistakes += 1;
                for t in 0..n {
                    let (g, p) = (ex.gold[t] as usize, pred[t] as usize);
                    if g != p {
                        for &f in &ex.feats[ex.offsets[t] as usize..ex.offsets[t + 1] as usize] {
                            let base = f as usize * l;
                            w[base + g] += 1.0;
                            acc[base + g] += c;
                            w[base + p] -= 1.0;
                            acc[base + p] -= c;
                        }
                    }
                    // Transition (or start) scores of the gold and predicted paths.
                    let (gi, pi) = if t == 0 {
                        (g, p)
                    } else {
                        (
                            ex.gold[t - 1] as usize * l + g,
                            pred[t - 1] as usize * l + p,
                        )
                    };
                    if gi != pi {
                        let (v, a) = if t == 0 {
                            (&mut start, &mut start_acc)
                        } else {
                            (&mut trans, &mut trans_acc)
                        };
                        v[gi] += 1.0;
                        a[gi] += c;
                        v[pi] -= 1.0;
                        a[pi] -= c;
                    }
                }
            }
            c += 1.0;
        }
        let avg = |v: &[f32], a: &[f32]| -> Vec<f32> {
            v.iter().zip(a).map(|(x, y)| x - y / c).collect()
        };
        let mut out_keys = Vec::new();
        let mut out_w = Vec::new();
        for (i, &key) in keys.iter().enumerate() {
            let row = avg(&w[i * l..(i + 1) * l], &acc[i * l..(i + 1) * l]);
            if row.iter().any(|x| x.abs() > 1e-3) {
                out_keys.push(key);
                out_w.extend_from_slice(&row);
            }
        }
        let model = AttributionModel::new(
            out_keys,
            out_w,
            avg(&start, &start_acc),
            avg(&trans, &trans_acc),
            0.1,
            cue_stats.clone(),
            cfg.clusters.clone(),
        );
        // What dev scores is exactly what would be saved (quantisation included).
        let model =
            AttributionModel::from_bytes(&model.to_bytes(), std::path::Path::new("<memory>"))
                .unwrap_or(model);
        let model = Arc::new(model);
        let report =
            (!dev.is_empty()).then(|| evaluate(&model, CombineMode::Learned, dev, lexicon));
        progress(&EpochStats {
            epoch,
            mistakes,
            dev: report.clone(),
        });
        let score = report.as_ref().map_or(epoch as f64, mean_f1);
        let improved = best.as_ref().is_none_or(|(b, _)| score > *b);
        if improved {
            best = Some((
                score,
                Trained {
                    model: Arc::unwrap_or_clone(model),
                    epoch,
                    dev: report,
                },
            ));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= cfg.patience {
                break;
            }
        }
    }
    let mut best = best.map(|(_, t)| t).ok_or(TrainError::NoData)?;
    let calibration = if dev.is_empty() { train } else { dev };
    best.model.confidence_scale = fit_confidence_scale(&best.model, calibration, lexicon);
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::NoTagger;
    use crate::resources::{Resources, bundled_models_dir};

    use super::super::learned_bounds_fixture::gold_document as gold;

    #[test]
    fn labels_tokens_and_learns_a_tiny_corpus() {
        let resources = Resources::load(&bundled_models_dir()).unwrap();
        // 0         1         2         3
        // 0123456789012345678901234567890123456789
        // Ann Lee mocked the plan on Monday.
        let docs = [
            gold(
                "a",
                "Ann Lee mocked the plan on Monday.",
                (0, 7),
                (8, 14),
                (15, 23),
            ),
            gold(
                "b",
                "Bob Ray mocked the tax in May.",
                (0, 7),
                (8, 14),
                (15, 22),
            ),
            gold(
                "c",
                "Kim Orr mocked the deal today.",
                (0, 7),
                (8, 14),
                (15, 23),
            ),
        ];
        let prepared: Vec<PreparedDoc> = docs
            .iter()
            .map(|g| prepare(g.clone(), &resources, &NoTagger).unwrap())
            .collect();
        assert_eq!(&prepared[0].labels[..6], &[1, 2, 3, 5, 6, 0]);
        let cfg = TrainConfig {
            epochs: 5,
            ..TrainConfig::default()
        };
        let lexicon = &resources.language(Lang::En).cues;
        let cfg = TrainConfig {
            min_count: 1,
            ..cfg
        };
        let t = train(&prepared, &prepared, lexicon, &cfg, &mut |_| {}).unwrap();
        let dev = t.dev.unwrap();
        assert_eq!(dev.cue.exact.f1, 100.0, "{dev:?}");
        assert_eq!(dev.content.exact.f1, 100.0, "{dev:?}");
    }
}
