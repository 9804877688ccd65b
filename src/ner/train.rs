//! Training the embedded tagger: an averaged structured perceptron over IOB2 labels.
//!
//! Why a perceptron: it trains in seconds on a single core, needs no hyper-parameter search
//! beyond the number of epochs (chosen by early stopping on a dev set), and its decoding is
//! exactly the tagger's constrained Viterbi, so there is no train/test mismatch. Averaging
//! gives most of the regularisation a CRF gets from its prior.
//!
//! Features seen fewer than `min_count` times are dropped before training, which keeps
//! models small. With transfer data (Turkish for Azerbaijani) every feature also gets a
//! domain-specific copy ("frustratingly easy" domain adaptation, Daumé 2007); at export the
//! target-domain copy is folded into the shared weight, so the shipped model has the same
//! size and speed as one trained without transfer. Training is deterministic: sentence
//! order comes from a seeded SplitMix64, and nothing iterates over a hash map.

use super::decode::{self, DecodeScratch, LabelSet};
use super::features::{self, Clusters, Scratch};
use super::model::{NerModel, quantise};
use crate::document::{EntityType, Lang};
use crate::eval::conll::ConllSentence;
use crate::eval::spans::{self, Span, SpanCounts};
use std::collections::HashMap;

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Maximum number of passes over the training data.
    pub epochs: usize,
    /// Seed of the sentence shuffling.
    pub seed: u64,
    /// Features seen fewer times than this in training are dropped.
    pub min_count: u32,
    /// Stop after this many epochs without a dev improvement.
    pub patience: usize,
    /// Word clusters to use as features (stored in the model).
    pub clusters: Option<Clusters>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 30,
            seed: 1,
            min_count: 2,
            patience: 4,
            clusters: None,
        }
    }
}

/// Errors of training.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// There is no training sentence.
    #[error("no training sentences")]
    NoData,
    /// A tag names an entity type the tagger does not know.
    #[error("training sentence {sentence}: unknown tag {tag:?}")]
    BadTag {
        /// 0-based index of the sentence (training data first, then transfer data).
        sentence: usize,
        /// The tag.
        tag: String,
    },
}

/// What one epoch did.
#[derive(Clone, Debug)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Training sentences decoded wrongly during the epoch.
    pub mistakes: usize,
    /// Micro F1 (%) of the averaged model on the dev set, if one was given.
    pub dev_f1: Option<f64>,
}

/// The result of training.
#[derive(Debug)]
pub struct Trained {
    /// The chosen model.
    pub model: NerModel,
    /// The epoch it comes from.
    pub epoch: usize,
    /// Its dev micro F1 (%), if a dev set was given.
    pub dev_f1: Option<f64>,
}

/// SplitMix64: tiny, seedable, and the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Removes apostrophes between letters (`Adana'da` → `Adanada`): Turkish separates case
/// suffixes of proper names with one, Azerbaijani does not.
pub fn strip_suffix_apostrophes(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    for (i, &c) in chars.iter().enumerate() {
        let is_apostrophe = matches!(c, '\'' | '\u{2019}');
        let between_letters = i > 0
            && i + 1 < chars.len()
            && chars[i - 1].is_alphabetic()
            && chars[i + 1].is_alphabetic();
        if !(is_apostrophe && between_letters) {
            out.push(c);
        }
    }
    out
}

/// One training sentence as feature indices.
struct Example {
    feats: Vec<u32>,
    offsets: Vec<u32>,
    gold: Vec<u8>,
}

/// Label indices of a tag sequence, repairing an `I-X` that does not continue an `X`.
fn gold_labels(labels: &LabelSet, tags: &[String], sentence: usize) -> Result<Vec<u8>, TrainError> {
    let mut out: Vec<u8> = Vec::with_capacity(tags.len());
    for tag in tags {
        let mut y = labels.index(tag).ok_or_else(|| TrainError::BadTag {
            sentence,
            tag: tag.clone(),
        })?;
        if !labels.allowed(out.last().map(|&p| p as usize), y) {
            y -= 1; // I-X → B-X
        }
        out.push(y as u8);
    }
    Ok(out)
}

/// Domain ids for feature copies.
const DOMAIN_TARGET: u64 = 0;
const DOMAIN_TRANSFER: u64 = 1;

/// Trains a model. `transfer` sentences (another language) are learnt with domain-specific
/// feature copies; `dev` drives early stopping; `progress` sees every epoch.
pub fn train(
    lang: Lang,
    train: &[ConllSentence],
    transfer: &[ConllSentence],
    dev: Option<&[ConllSentence]>,
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(&EpochStats),
) -> Result<Trained, TrainError> {
    if train.is_empty() {
        return Err(TrainError::NoData);
    }
    let all: Vec<(&ConllSentence, bool)> = train
        .iter()
        .map(|s| (s, false))
        .chain(transfer.iter().map(|s| (s, true)))
        .collect();
    let mut types: Vec<EntityType> = Vec::new();
    for (i, (s, _)) in all.iter().enumerate() {
        for tag in &s.tags {
            if let Some((_, ty)) = tag.split_once('-') {
                let ty = EntityType::parse(ty).ok_or_else(|| TrainError::BadTag {
                    sentence: i,
                    tag: tag.clone(),
                })?;
                if !types.contains(&ty) {
                    types.push(ty);
                }
            }
        }
    }
    types.sort();
    let labels = LabelSet { types };
    let l = labels.len();
    let augment = !transfer.is_empty();
    let clusters = cfg.clusters.as_ref();

    // Pass 1: feature counts.
    let mut scratch = Scratch::default();
    let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
    let mut counts: HashMap<u64, u32> = HashMap::new();
    let mut words: Vec<&str> = Vec::new();
    for (s, is_transfer) in &all {
        words.clear();
        words.extend(s.words.iter().map(String::as_str));
        features::extract(
            lang,
            clusters,
            &words,
            &mut scratch,
            &mut hashes,
            &mut offsets,
        );
        let domain = if *is_transfer {
            DOMAIN_TRANSFER
        } else {
            DOMAIN_TARGET
        };
        for &h in &hashes {
            *counts.entry(h).or_default() += 1;
            if augment {
                *counts.entry(features::domain_copy(h, domain)).or_default() += 1;
            }
        }
    }
    // Pass 2: index frequent features in order of first appearance (deterministic).
    let mut index: HashMap<u64, u32> = HashMap::new();
    let mut keys: Vec<u64> = Vec::new();
    let mut general: Vec<bool> = Vec::new();
    let mut examples = Vec::with_capacity(all.len());
    for (i, (s, is_transfer)) in all.iter().enumerate() {
        words.clear();
        words.extend(s.words.iter().map(String::as_str));
        features::extract(
            lang,
            clusters,
            &words,
            &mut scratch,
            &mut hashes,
            &mut offsets,
        );
        let domain = if *is_transfer {
            DOMAIN_TRANSFER
        } else {
            DOMAIN_TARGET
        };
        let mut feats = Vec::with_capacity(hashes.len() * 2);
        let mut offs = Vec::with_capacity(words.len() + 1);
        for t in 0..words.len() {
            offs.push(feats.len() as u32);
            for &h in &hashes[offsets[t] as usize..offsets[t + 1] as usize] {
                let copy = if augment {
                    Some(features::domain_copy(h, domain))
                } else {
                    None
                };
                for (key, is_general) in std::iter::once((h, true)).chain(copy.map(|c| (c, false)))
                {
                    if counts.get(&key).copied().unwrap_or(0) < cfg.min_count {
                        continue;
                    }
                    let next = keys.len() as u32;
                    let idx = *index.entry(key).or_insert_with(|| {
                        keys.push(key);
                        general.push(is_general);
                        next
                    });
                    feats.push(idx);
                }
            }
        }
        offs.push(feats.len() as u32);
        examples.push(Example {
            feats,
            offsets: offs,
            gold: gold_labels(&labels, &s.tags, i)?,
        });
    }
    drop(counts);
    // For each shared feature, the row of its target-domain copy (folded in at export).
    let target_copy: Vec<Option<usize>> = keys
        .iter()
        .zip(&general)
        .map(|(&k, &g)| {
            if augment && g {
                index
                    .get(&features::domain_copy(k, DOMAIN_TARGET))
                    .map(|&i| i as usize)
            } else {
                None
            }
        })
        .collect();
    drop(index);

    let nf = keys.len();
    let mut w = Weights::new(nf * l, l);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix64(cfg.seed);
    let mut dscratch = DecodeScratch::default();
    let (mut em, mut pred) = (Vec::new(), Vec::new());
    let mut best: Option<Trained> = None;
    let mut since_best = 0usize;
    let mut c = 1.0f32;
    for epoch in 1..=cfg.epochs.max(1) {
        rng.shuffle(&mut order);
        let mut mistakes = 0;
        for &ei in &order {
            let ex = &examples[ei];
            let n = ex.gold.len();
            em.clear();
            em.resize(n * l, 0.0);
            for t in 0..n {
                let row = &mut em[t * l..(t + 1) * l];
                for &f in &ex.feats[ex.offsets[t] as usize..ex.offsets[t + 1] as usize] {
                    let wr = &w.w[f as usize * l..(f as usize + 1) * l];
                    for (o, &x) in row.iter_mut().zip(wr) {
                        *o += x;
                    }
                }
            }
            let (mut start, mut trans) = (w.start.clone(), w.trans.clone());
            labels.constrain(&mut start, &mut trans);
            decode::viterbi(&em, l, &start, &trans, &mut dscratch, &mut pred, None);
            if pred != ex.gold {
                mistakes += 1;
                w.update(ex, &pred, c);
            }
            c += 1.0;
        }
        let model = export(
            lang,
            &labels,
            &w,
            c,
            &keys,
            &general,
            &target_copy,
            cfg.clusters.clone(),
        );
        let dev_f1 = dev.map(|d| score(&model, d).micro.f1);
        progress(&EpochStats {
            epoch,
            mistakes,
            dev_f1,
        });
        let improved = match (&best, dev_f1) {
            (None, _) => true,
            (Some(b), Some(f)) => f > b.dev_f1.unwrap_or(f64::MIN),
            // Without dev data the last epoch wins.
            (Some(_), None) => true,
        };
        if improved {
            best = Some(Trained {
                model,
                epoch,
                dev_f1,
            });
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= cfg.patience {
                break;
            }
        }
        if mistakes == 0 {
            break;
        }
    }
    let mut best = best.ok_or(TrainError::NoData)?;
    let calibration: &[ConllSentence] = dev.unwrap_or(&train[..train.len().min(2000)]);
    best.model.confidence_scale = fit_confidence_scale(&best.model, calibration);
    Ok(best)
}

/// Perceptron weights with the lazy-averaging accumulators.
struct Weights {
    l: usize,
    w: Vec<f32>,
    acc: Vec<f32>,
    start: Vec<f32>,
    start_acc: Vec<f32>,
    trans: Vec<f32>,
    trans_acc: Vec<f32>,
}

impl Weights {
    fn new(n: usize, l: usize) -> Weights {
        Weights {
            l,
            w: vec![0.0; n],
            acc: vec![0.0; n],
            start: vec![0.0; l],
            start_acc: vec![0.0; l],
            trans: vec![0.0; l * l],
            trans_acc: vec![0.0; l * l],
        }
    }

    /// Standard perceptron update towards the gold path and away from the predicted one;
    /// `acc` collects `c × delta` so the average is `w - acc / c`.
    fn update(&mut self, ex: &Example, pred: &[u8], c: f32) {
        let l = self.l;
        let gold = &ex.gold;
        for t in 0..gold.len() {
            let (g, p) = (gold[t] as usize, pred[t] as usize);
            if g != p {
                for &f in &ex.feats[ex.offsets[t] as usize..ex.offsets[t + 1] as usize] {
                    let base = f as usize * l;
                    self.w[base + g] += 1.0;
                    self.acc[base + g] += c;
                    self.w[base + p] -= 1.0;
                    self.acc[base + p] -= c;
                }
            }
            let (gp, pp) = if t == 0 {
                (None, None)
            } else {
                (Some(gold[t - 1] as usize), Some(pred[t - 1] as usize))
            };
            if (gp, g) != (pp, p) {
                match (gp, pp) {
                    (Some(gp), Some(pp)) => {
                        self.trans[gp * l + g] += 1.0;
                        self.trans_acc[gp * l + g] += c;
                        self.trans[pp * l + p] -= 1.0;
                        self.trans_acc[pp * l + p] -= c;
                    }
                    _ => {
                        self.start[g] += 1.0;
                        self.start_acc[g] += c;
                        self.start[p] -= 1.0;
                        self.start_acc[p] -= c;
                    }
                }
            }
        }
    }
}

/// Builds the averaged, quantised and pruned model: exactly what would be saved, so the
/// dev score is the shipped model's.
#[allow(clippy::too_many_arguments)]
fn export(
    lang: Lang,
    labels: &LabelSet,
    w: &Weights,
    c: f32,
    keys: &[u64],
    general: &[bool],
    target_copy: &[Option<usize>],
    clusters: Option<Clusters>,
) -> NerModel {
    let l = labels.len();
    let avg =
        |v: &[f32], a: &[f32]| -> Vec<f32> { v.iter().zip(a).map(|(x, y)| x - y / c).collect() };
    let mut out_keys = Vec::new();
    let mut out_w = Vec::new();
    let mut row = vec![0.0f32; l];
    for (i, &key) in keys.iter().enumerate() {
        if !general[i] {
            continue;
        }
        for (y, r) in row.iter_mut().enumerate() {
            *r = w.w[i * l + y] - w.acc[i * l + y] / c;
            if let Some(j) = target_copy[i] {
                *r += w.w[j * l + y] - w.acc[j * l + y] / c;
            }
        }
        out_keys.push(key);
        out_w.extend_from_slice(&row);
    }
    // Quantise, then drop rows that became all zero: they carry nothing.
    let (q, step) = quantise(&out_w);
    let (mut keys_kept, mut q_kept) = (Vec::new(), Vec::new());
    for (i, &key) in out_keys.iter().enumerate() {
        let r = &q[i * l..(i + 1) * l];
        if r.iter().any(|&x| x != 0) {
            keys_kept.push(key);
            q_kept.extend_from_slice(r);
        }
    }
    NerModel::from_quantised(
        lang,
        labels.clone(),
        avg(&w.start, &w.start_acc),
        avg(&w.trans, &w.trans_acc),
        keys_kept,
        q_kept,
        step,
        clusters,
        1.0,
    )
}

/// Exact-span scores of a model on gold sentences.
pub fn score(model: &NerModel, gold: &[ConllSentence]) -> spans::Report {
    let mut counts = SpanCounts::default();
    let mut words: Vec<&str> = Vec::new();
    for s in gold {
        words.clear();
        words.extend(s.words.iter().map(String::as_str));
        let predicted: Vec<Span> = model
            .tag(&words)
            .into_iter()
            .map(|p| Span {
                start: p.start,
                end: p.end,
                kind: p.kind.as_str().to_string(),
            })
            .collect();
        counts.add(&spans::spans_from_tags(&s.tags), &predicted);
    }
    counts.report()
}

/// Chooses the confidence scale minimising the log loss of "span is correct" over the
/// spans predicted on `gold`, by a grid search over a wide logarithmic range.
fn fit_confidence_scale(model: &NerModel, gold: &[ConllSentence]) -> f32 {
    let mut points: Vec<(f32, bool)> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for s in gold {
        words.clear();
        words.extend(s.words.iter().map(String::as_str));
        let gold_spans = spans::spans_from_tags(&s.tags);
        for (span, margin) in model.tag_margins(&words) {
            let correct = gold_spans.iter().any(|g| {
                g.start == span.start && g.end == span.end && g.kind == span.kind.as_str()
            });
            points.push((margin, correct));
        }
    }
    if points.is_empty() {
        return model.confidence_scale;
    }
    let mut best = (f64::MAX, 1.0f32);
    for i in 0..=80 {
        let s = 10f32.powf(-4.0 + i as f32 * 0.1);
        let loss: f64 = points
            .iter()
            .map(|&(m, ok)| {
                let p = (1.0 - (-(s * m) as f64).exp()).clamp(1e-6, 1.0 - 1e-6);
                if ok { -p.ln() } else { -(1.0 - p).ln() }
            })
            .sum();
        if loss < best.0 {
            best = (loss, s);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(pairs: &[(&str, &str)]) -> ConllSentence {
        ConllSentence {
            words: pairs.iter().map(|p| p.0.to_string()).collect(),
            tags: pairs.iter().map(|p| p.1.to_string()).collect(),
        }
    }

    fn fixture() -> Vec<ConllSentence> {
        vec![
            sent(&[
                ("John", "B-PER"),
                ("Smith", "I-PER"),
                ("visited", "O"),
                ("Paris", "B-LOC"),
                (".", "O"),
            ]),
            sent(&[
                ("Mary", "B-PER"),
                ("lives", "O"),
                ("in", "O"),
                ("London", "B-LOC"),
                (".", "O"),
            ]),
            sent(&[
                ("The", "O"),
                ("UN", "B-ORG"),
                ("met", "O"),
                ("in", "O"),
                ("Geneva", "B-LOC"),
            ]),
            sent(&[
                ("Peter", "B-PER"),
                ("Brown", "I-PER"),
                ("joined", "O"),
                ("Google", "B-ORG"),
                (".", "O"),
            ]),
        ]
    }

    fn cfg() -> TrainConfig {
        TrainConfig {
            epochs: 8,
            seed: 7,
            min_count: 1,
            patience: 3,
            clusters: None,
        }
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let data = fixture();
        let a = train(Lang::En, &data, &[], None, &cfg(), &mut |_| {}).unwrap();
        let b = train(Lang::En, &data, &[], None, &cfg(), &mut |_| {}).unwrap();
        assert_eq!(
            crate::ner::model_file::to_bytes(&a.model),
            crate::ner::model_file::to_bytes(&b.model)
        );
    }

    #[test]
    fn learns_the_training_data() {
        let data = fixture();
        let t = train(Lang::En, &data, &[], Some(&data), &cfg(), &mut |_| {}).unwrap();
        assert_eq!(t.dev_f1, Some(100.0));
        let spans = t.model.tag(&["John", "Smith", "visited", "Paris", "."]);
        assert_eq!(spans.len(), 2);
        assert!(spans.iter().all(|s| (0.0..=1.0).contains(&s.confidence)));
    }

    #[test]
    fn transfer_data_trains_and_keeps_model_shape() {
        let data = fixture();
        let tr = vec![sent(&[
            ("Ahmet", "B-PER"),
            ("Adana'da", "B-LOC"),
            ("yaşıyor", "O"),
        ])];
        let t = train(Lang::Az, &data, &tr, None, &cfg(), &mut |_| {}).unwrap();
        assert_eq!(t.model.lang, Lang::Az);
        assert!(t.model.n_features() > 0);
    }

    #[test]
    fn unknown_types_and_empty_data_are_errors() {
        let bad = vec![sent(&[("x", "B-DATE")])];
        assert!(matches!(
            train(Lang::En, &bad, &[], None, &cfg(), &mut |_| {}),
            Err(TrainError::BadTag { .. })
        ));
        assert!(matches!(
            train(Lang::En, &[], &[], None, &cfg(), &mut |_| {}),
            Err(TrainError::NoData)
        ));
    }

    #[test]
    fn apostrophes_between_letters_are_removed() {
        assert_eq!(strip_suffix_apostrophes("Adana'da"), "Adanada");
        assert_eq!(strip_suffix_apostrophes("Türkiye\u{2019}nin"), "Türkiyenin");
        assert_eq!(strip_suffix_apostrophes("'quoted'"), "'quoted'");
    }
}
