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

use super::calibrate::{fit_confidence_scale, score};
use super::decode::{self, DecodeScratch, LabelSet};
use super::features::{self, Clusters, Scratch};
use super::gazetteer;
use super::model::NerModel;
use super::perceptron::{Example, Weights, export};
use crate::document::{EntityType, Lang};
use crate::eval::conll::ConllSentence;
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
    /// Learn name lists from the training data and use them as features.
    pub gazetteer: bool,
    /// Stack on this slovnet network: its tags become features (see
    /// [`features::extract`]); the model then needs it to tag.
    pub slovnet: Option<std::sync::Arc<crate::ner::SlovnetModel>>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 30,
            seed: 1,
            min_count: 2,
            patience: 4,
            clusters: None,
            gazetteer: false,
            slovnet: None,
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
    // Jackknifed name lists: sentence i sees the list built from the sentences whose index
    // has the other parity; the model keeps the list built from everything.
    let (gaz_full, gaz_other) = if cfg.gazetteer {
        let pick = |p: usize| {
            all.iter()
                .enumerate()
                .filter(move |(i, _)| i % 2 != p)
                .map(|(_, (s, _))| *s)
        };
        (
            Some(gazetteer::build(lang, all.iter().map(|(s, _)| *s))),
            [
                Some(gazetteer::build(lang, pick(0))),
                Some(gazetteer::build(lang, pick(1))),
            ],
        )
    } else {
        (None, [None, None])
    };

    // Both passes extract the same features: sentence i with the name list of the other
    // parity, tagged with its domain for the transfer copies.
    let extract = |i: usize,
                   is_transfer: bool,
                   words: &[&str],
                   scratch: &mut Scratch,
                   hashes: &mut Vec<u64>,
                   offsets: &mut Vec<u32>| {
        let hints = cfg.slovnet.as_ref().map(|net| net.hints(words));
        features::extract(
            lang,
            clusters,
            gaz_other[i % 2].as_ref(),
            hints.as_deref(),
            words,
            scratch,
            hashes,
            offsets,
        );
        if is_transfer {
            DOMAIN_TRANSFER
        } else {
            DOMAIN_TARGET
        }
    };
    // Pass 1: feature counts.
    let mut scratch = Scratch::default();
    let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
    let mut counts: HashMap<u64, u32> = HashMap::new();
    let mut words: Vec<&str> = Vec::new();
    for (i, (s, is_transfer)) in all.iter().enumerate() {
        words.clear();
        words.extend(s.words.iter().map(String::as_str));
        let domain = extract(
            i,
            *is_transfer,
            &words,
            &mut scratch,
            &mut hashes,
            &mut offsets,
        );
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
        let domain = extract(
            i,
            *is_transfer,
            &words,
            &mut scratch,
            &mut hashes,
            &mut offsets,
        );
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
        let mut model = model;
        model.gazetteer = gaz_full.clone();
        model.uses_slovnet = cfg.slovnet.is_some();
        model.slovnet = cfg.slovnet.clone();
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
            gazetteer: false,
            slovnet: None,
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

    #[test]
    fn a_model_stacked_on_slovnet_keeps_the_network() {
        let bytes = crate::ner::slovnet::model_file::tests::tiny_bytes();
        let net =
            crate::ner::slovnet::model_file::from_bytes(&bytes, std::path::Path::new("t")).unwrap();
        let cfg = TrainConfig {
            slovnet: Some(std::sync::Arc::new(net)),
            ..cfg()
        };
        let data = fixture();
        let t = train(Lang::En, &data, &[], Some(&data), &cfg, &mut |_| {}).unwrap();
        assert!(t.model.uses_slovnet && t.model.slovnet.is_some());
        let words = ["John", "Smith", "visited", "Paris", "."];
        assert_eq!(t.model.hints(&words).map(|h| h.len()), Some(5));
        assert_eq!(t.model.tag(&words).len(), 2);
        let plain = train(
            Lang::En,
            &data,
            &[],
            None,
            &super::tests::cfg(),
            &mut |_| {},
        )
        .unwrap();
        assert!(t.model.n_features() > plain.model.n_features());
    }
}
