//! Training the content-boundary re-ranker ([`super::learned_bounds`]).
//!
//! The re-ranker must learn from content spans that look like the ones it will see at run
//! time. The labeller's own output on its training articles is over-fitted (its edges are
//! nearly always right there), so the spans come from a jackknife: the training articles
//! are split into `folds` parts, a labeller is trained on all parts but one (the shipped
//! labeller's settings, a fixed number of epochs) and labels the held-out part. Every
//! linked content whose candidates hold a gold content span (PolNeAR's hull, trimmed) is
//! an example; the gold candidate is the target (the one of the predicted cue's own
//! attribution when several gold spans are candidates, else the nearest to the original).
//! Perturbing gold edges instead would be cheaper but teaches the wrong prior: the
//! labeller's errors are not random shifts (it stops at commas, takes in "that", misses
//! the clause before an aside), and its margins at the edges only mean something on its
//! own output.
//!
//! Learning is an averaged structured perceptron over the candidates (deterministic
//! shuffle by seed); after every epoch the model runs through the real attribution path on
//! the dev articles, and the epoch, then the radius and minimum gain, with the best dev
//! content exact F1 win.

use super::combine::{CombineMode, LearnedAttribution};
use super::cues::CueLexicon;
use super::learned::AttributionModel;
use super::learned_bounds::{BoundsModel, MAX_RADIUS, N_END, N_PAIR, N_START};
pub use super::learned_bounds_examples::ExampleStats;
use super::learned_bounds_examples::{Index, collect};
use super::learned_data::{PreparedDoc, evaluate_with};
use super::learned_train::{self, TrainConfig, TrainError};
use crate::eval::attribution::AttributionReport;
use std::sync::Arc;

/// Settings of the re-ranker's training.
#[derive(Clone, Debug)]
pub struct BoundsConfig {
    /// Jackknife folds of the training articles.
    pub folds: usize,
    /// The settings of the fold labellers (epochs fixed: there is no dev data for them).
    pub labeller: TrainConfig,
    /// Maximum perceptron epochs.
    pub epochs: usize,
    /// Candidate radius while training (tokens each edge may move).
    pub radius: usize,
    /// Seed of the example shuffling.
    pub seed: u64,
    /// Features seen in fewer examples (their gold or original candidate) stay at 0.
    pub min_count: u32,
    /// Learning rate of log-linear training; `None` trains a perceptron.
    pub rate: Option<f32>,
    /// How many points of dev content exact F1 the margin cut may cost.
    pub margin_tolerance: f64,
}

impl Default for BoundsConfig {
    fn default() -> Self {
        BoundsConfig {
            folds: 5,
            labeller: TrainConfig::default(),
            epochs: 15,
            radius: MAX_RADIUS,
            seed: 1,
            min_count: 1,
            rate: None,
            margin_tolerance: 0.2,
        }
    }
}

/// SplitMix64, as for the labeller: seedable and the same on every platform.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The trained re-ranker and how it was chosen.
#[derive(Debug)]
pub struct TrainedBounds {
    /// The model.
    pub model: BoundsModel,
    /// Its perceptron epoch.
    pub epoch: usize,
    /// Its dev report (hybrid mode).
    pub dev: Option<AttributionReport>,
    /// The examples.
    pub stats: ExampleStats,
}

/// Trains the jackknife labellers: fold `f`'s model comes from `cached(f)` when it gives
/// one, else it is trained and handed to `store(f, model)`.
pub fn fold_labellers(
    train: &[PreparedDoc],
    lexicon: &CueLexicon,
    cfg: &BoundsConfig,
    cached: &mut dyn FnMut(usize) -> Option<AttributionModel>,
    store: &mut dyn FnMut(usize, &AttributionModel),
) -> Result<Vec<AttributionModel>, TrainError> {
    let folds = cfg.folds.max(2);
    let mut out = Vec::new();
    for f in 0..folds {
        if let Some(m) = cached(f) {
            out.push(m);
            continue;
        }
        let rest: Vec<PreparedDoc> = train
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != f)
            .map(|(_, d)| d.clone())
            .collect();
        let trained = learned_train::train(&rest, &[], lexicon, &cfg.labeller, &mut |_| {})?;
        store(f, &trained.model);
        out.push(trained.model);
    }
    Ok(out)
}

/// Trains the re-ranker on the jackknifed output of `labellers` (one per fold, see
/// [`fold_labellers`]) over `train`, choosing the epoch and settings on `dev` with the
/// run-time labeller `model` in hybrid mode; `progress` sees every line of the report.
pub fn train(
    train: &[PreparedDoc],
    dev: &[PreparedDoc],
    labellers: &[AttributionModel],
    model: &Arc<AttributionModel>,
    lexicon: &CueLexicon,
    cfg: &BoundsConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<TrainedBounds, TrainError> {
    let folds = labellers.len().max(1);
    let radius = cfg.radius.min(MAX_RADIUS);
    let (mut index, mut stats, mut examples) = (Index::default(), ExampleStats::default(), vec![]);
    for (i, d) in train.iter().enumerate() {
        let m = &labellers[i % folds];
        collect(m, d, lexicon, radius, &mut index, &mut stats, &mut examples);
    }
    progress(&format!(
        "{} contents with candidates, {} with a gold candidate ({} already gold), {} features",
        stats.contents,
        stats.reachable,
        stats.original_gold,
        index.keys.len()
    ));
    if examples.is_empty() {
        return Err(TrainError::NoData);
    }
    let score_dev = |bounds: BoundsModel| -> AttributionReport {
        let learned = LearnedAttribution {
            model: Arc::clone(model),
            mode: CombineMode::Hybrid,
            bounds: Some(Arc::new(bounds)),
            labeller: None,
        };
        evaluate_with(&learned, dev, lexicon)
    };
    let nf = index.keys.len();
    // Features of fewer than `min_count` examples' gold or original candidates keep weight
    // 0: rare words at the edges would otherwise memorise single examples.
    let mut seen = vec![0u32; nf];
    for ex in &examples {
        let mut fs: Vec<u32> = ex.feats(ex.gold).chain(ex.feats(ex.original)).collect();
        fs.sort_unstable();
        fs.dedup();
        for f in fs {
            seen[f as usize] += 1;
        }
    }
    let frozen: Vec<bool> = seen.iter().map(|&n| n < cfg.min_count).collect();
    let (mut w, mut acc) = (vec![0f32; nf], vec![0f32; nf]);
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = cfg.seed;
    let mut best: Option<(f64, TrainedBounds)> = None;
    let averaged = |w: &[f32], acc: &[f32], c: f32, radius: usize, min_gain: f32| {
        let weights = index
            .keys
            .iter()
            .zip(w.iter().zip(acc))
            .map(|(&k, (&x, &a))| (k, x - a / c));
        BoundsModel::new(weights, radius, min_gain)
    };
    for epoch in 1..=cfg.epochs.max(1) {
        for i in (1..order.len()).rev() {
            let j = (next_random(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut mistakes = 0;
        for &ei in &order {
            let ex = &examples[ei];
            let score = |p: usize| ex.feats(p).map(|f| w[f as usize]).sum::<f32>();
            let scores: Vec<f32> = (0..ex.pairs.len()).map(score).collect();
            let mut pred = ex.original;
            for (p, &s) in scores.iter().enumerate() {
                if s > scores[pred] {
                    pred = p;
                }
            }
            mistakes += usize::from(pred != ex.gold);
            let mut update = |f: u32, x: f32| {
                if !frozen[f as usize] {
                    w[f as usize] += x;
                    acc[f as usize] += c * x;
                }
            };
            match cfg.rate {
                None if pred != ex.gold => {
                    for f in ex.feats(ex.gold) {
                        update(f, 1.0);
                    }
                    for f in ex.feats(pred) {
                        update(f, -1.0);
                    }
                }
                None => {}
                Some(rate) => {
                    // Log-linear over the candidates: the gradient of the log likelihood
                    // is the gold's features minus the expected features; edge features
                    // take the summed probability of the pairs that share the edge.
                    let top = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let mut probs: Vec<f32> = scores.iter().map(|&s| (s - top).exp()).collect();
                    let z: f32 = probs.iter().sum();
                    let (mut ps, mut pe) = (
                        vec![0f32; ex.starts.len() / N_START],
                        vec![0f32; ex.ends.len() / N_END],
                    );
                    for (p, pr) in probs.iter_mut().enumerate() {
                        *pr /= z;
                        ps[ex.pairs[p].0 as usize] += *pr;
                        pe[ex.pairs[p].1 as usize] += *pr;
                    }
                    for f in ex.feats(ex.gold) {
                        update(f, rate);
                    }
                    for (i, &pr) in ps.iter().enumerate() {
                        for &f in &ex.starts[i * N_START..(i + 1) * N_START] {
                            update(f, -rate * pr);
                        }
                    }
                    for (i, &pr) in pe.iter().enumerate() {
                        for &f in &ex.ends[i * N_END..(i + 1) * N_END] {
                            update(f, -rate * pr);
                        }
                    }
                    for (p, &pr) in probs.iter().enumerate() {
                        if pr > 1e-4 {
                            for &f in &ex.pair_feats[p * N_PAIR..(p + 1) * N_PAIR] {
                                update(f, -rate * pr);
                            }
                        }
                    }
                }
            }
            c += 1.0;
        }
        let m = averaged(&w, &acc, c, radius, 0.0);
        let report = (!dev.is_empty()).then(|| score_dev(m.clone()));
        let f1 = report.as_ref().map_or(epoch as f64, |r| r.content.exact.f1);
        progress(&format!(
            "epoch {epoch:>2}: {mistakes:>5} mistakes; dev content exact F1 {f1:.2}"
        ));
        if best.as_ref().is_none_or(|(b, _)| f1 > *b) {
            let trained = TrainedBounds {
                model: m,
                epoch,
                dev: report,
                stats: stats.clone(),
            };
            best = Some((f1, trained));
        }
    }
    let (mut best_f1, mut best) = best.ok_or(TrainError::NoData)?;
    if dev.is_empty() {
        return Ok(best);
    }
    // The radius and the gain a move must bring, on dev with the chosen epoch's weights.
    let weights: Vec<(u64, f32)> = best.model.weights_sorted();
    for r in (2..=radius).step_by(2) {
        for gain in [0.0f32, 1.0, 2.0, 4.0, 8.0] {
            let m = BoundsModel::new(weights.iter().copied(), r, gain);
            let report = score_dev(m.clone());
            let f1 = report.content.exact.f1;
            progress(&format!(
                "radius {r}, min gain {gain}: dev content exact F1 {f1:.2}"
            ));
            if f1 > best_f1 {
                best_f1 = f1;
                best.model = m;
                best.dev = Some(report);
            }
        }
    }
    // Then the labeller margin above which contents keep their edges unscored: the
    // largest cut that loses at most `cfg.margin_tolerance` points of dev content F1
    // (it buys speed: most contents have sure edges).
    let chosen = best.model.clone();
    for cut in [4096.0f32, 2048.0, 1024.0, 512.0, 256.0, 128.0, 64.0] {
        let mut m = chosen.clone();
        m.max_margin = cut;
        let report = score_dev(m.clone());
        let f1 = report.content.exact.f1;
        progress(&format!("margin cut {cut}: dev content exact F1 {f1:.2}"));
        if f1 + cfg.margin_tolerance >= best_f1 {
            best.model = m;
            best.dev = Some(report);
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Lang;
    use crate::eval::polnear::GoldDocument;
    use crate::ner::NoTagger;
    use crate::resources::{Resources, bundled_models_dir};

    use super::super::learned_bounds_fixture::gold_document;

    /// A document whose one attribution has source 0..7 and cue 8..12.
    fn gold(name: &str, text: &str, content: (usize, usize)) -> GoldDocument {
        gold_document(name, text, (0, 7), (8, 12), content)
    }

    #[test]
    fn jackknife_training_caches_fold_labellers_and_gives_a_model() {
        let resources = Resources::load(&bundled_models_dir()).unwrap();
        let lexicon = &resources.language(Lang::En).cues;
        // 0         1         2         3         4
        // 01234567890123456789012345678901234567890123
        // Ann Lee said that the plan works, at a rally.
        let docs: Vec<PreparedDoc> = ["Ann Lee", "Bob Ray", "Kim Orr", "Sam Fox"]
            .iter()
            .enumerate()
            .map(|(i, who)| {
                let text = format!("{who} said that the plan works, at a rally.");
                let d = gold(&format!("d{i}"), &text, (13, 32));
                super::super::learned_data::prepare(d, &resources, &NoTagger).unwrap()
            })
            .collect();
        let cfg = BoundsConfig {
            folds: 2,
            labeller: TrainConfig {
                epochs: 3,
                min_count: 1,
                ..TrainConfig::default()
            },
            epochs: 2,
            radius: 4,
            ..BoundsConfig::default()
        };
        let mut stored = Vec::new();
        let labellers = fold_labellers(&docs, lexicon, &cfg, &mut |_| None, &mut |f, _| {
            stored.push(f)
        })
        .unwrap();
        assert_eq!((labellers.len(), stored), (2, vec![0, 1]));
        let mut cached = 0;
        let again = fold_labellers(
            &docs,
            lexicon,
            &cfg,
            &mut |f| {
                cached += 1;
                Some(labellers[f].clone())
            },
            &mut |_, _| panic!("a cached fold is not retrained"),
        )
        .unwrap();
        assert_eq!((again.len(), cached), (2, 2));
        let model = Arc::new(labellers[0].clone());
        let trained = train(&docs, &docs, &labellers, &model, lexicon, &cfg, &mut |_| {});
        let t = trained.unwrap();
        assert!(t.stats.contents > 0 && t.stats.reachable <= t.stats.contents);
        assert!(t.model.radius <= 4 && t.epoch >= 1);
    }
}
