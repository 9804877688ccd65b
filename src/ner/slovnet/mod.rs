//! natasha's Russian NER network (slovnet), ported from its numpy inference code.
//!
//! [`SlovnetModel`] is the `slovnet_ner_news_v1` tagger of the natasha project (MIT licence;
//! trained on the Nerus news corpus, PER/LOC/ORG): each word becomes its navec embedding
//! (300 floats, product-quantised, [`navec`]) joined to a 30-float embedding of its shape
//! ([`shape`]); three convolution layers ([`cnn`]) and a linear layer give a score per BIO
//! tag and word; a CRF ([`crf`]) picks the best tag sequence, chunked into spans as slovnet
//! does. Each span's confidence is the smallest CRF marginal probability of its tags.
//!
//! This is a port of `slovnet/exec/` (the numpy inference code in the `slovnet` wheel), not
//! a re-implementation: the same arithmetic on the same weights, with the words given
//! instead of slovnet's own tokeniser (razdel). `scripts/slovnet-crosscheck.py` compares the
//! scores and tags with the Python reference. The weights come from one file,
//! `models/ner/ru.slovnet` ([`model_file`]), converted by `scripts/convert-slovnet.py`.
//!
//! [`crate::ner::EmbeddedTagger`] uses it for Russian when that file is present.

pub mod cnn;
pub mod crf;
pub mod model_file;
pub mod navec;
pub mod shape;

use super::model_file::ModelFileError;
use super::{NerError, Tagger};
use crate::document::{Lang, TokenSpan};
use cnn::ConvLayer;
use crf::Tag;
use navec::Navec;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The slovnet NER network with its embeddings. Immutable after loading but for a cache of
/// word taps (below); tagging allocates its buffers per sentence.
///
/// The first convolution, two thirds of the network's multiply-adds, is linear in each
/// token's input, and that input is the word's navec vector joined to its shape's vector.
/// So a token's contribution to the three windows it is in (its *taps*, see
/// [`ConvLayer::taps`]) is its word's taps plus its shape's taps: the shapes' are computed
/// at load time, the words' when first seen, and kept for the first [`WORD_TAP_CACHE`]
/// distinct words (news repeats its frequent words, so most tokens then cost a few vector
/// additions instead of a matrix row). A word's taps are the same numbers whether cached or
/// not, so results do not depend on what was tagged before.
#[derive(Clone, Debug)]
pub struct SlovnetModel {
    navec: Navec,
    shape_ids: HashMap<String, usize>,
    /// The first layer's tap weights for the navec part of the input.
    word_taps: cnn::Packed,
    /// `shapes × taps`: each shape's taps in the first layer.
    shape_taps: Vec<f32>,
    /// Word taps of the words seen so far, by navec id.
    tap_cache: TapCache,
    layers: Vec<ConvLayer>,
    /// `last layer's out × tags`.
    proj_weight: cnn::Packed,
    proj_bias: Vec<f32>,
    /// `tags × tags`, from-row, to-column.
    transitions: Vec<f32>,
    tags: Vec<Tag>,
}

impl SlovnetModel {
    /// Loads a model file written by `scripts/convert-slovnet.py`.
    pub fn load(path: &Path) -> Result<SlovnetModel, ModelFileError> {
        model_file::load(path)
    }

    /// A model from its parts, checking that their sizes fit together and that the shape
    /// vocabulary covers every shape [`shape::word_shape`] returns.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        navec: Navec,
        shapes: Vec<String>,
        shape_emb: Vec<f32>,
        layers: Vec<ConvLayer>,
        proj_weight: Vec<f32>,
        proj_bias: Vec<f32>,
        transitions: Vec<f32>,
        tags: Vec<Tag>,
    ) -> Result<SlovnetModel, String> {
        let shape_dim = shape_emb.len() / shapes.len().max(1);
        if shape_emb.len() != shapes.len() * shape_dim {
            return Err(format!(
                "{} shape floats for {} shapes",
                shape_emb.len(),
                shapes.len()
            ));
        }
        let shape_ids: HashMap<String, usize> = shapes
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect();
        if let Some(missing) = shape::all_shapes()
            .into_iter()
            .find(|s| !shape_ids.contains_key(s))
        {
            return Err(format!("the shape vocabulary lacks {missing:?}"));
        }
        let mut width = navec.dim() + shape_dim;
        if layers.is_empty() {
            return Err("no convolution layers".to_string());
        }
        for (i, l) in layers.iter().enumerate() {
            if l.in_dim() != width {
                return Err(format!(
                    "layer {i} reads {} channels, gets {width}",
                    l.in_dim()
                ));
            }
            width = l.out_dim();
        }
        let n_tags = tags.len();
        if n_tags == 0
            || proj_weight.len() != width * n_tags
            || proj_bias.len() != n_tags
            || transitions.len() != n_tags * n_tags
        {
            return Err(format!("the output layer does not fit {n_tags} tags"));
        }
        let proj_weight = cnn::Packed::new(&proj_weight, width, n_tags);
        let dim = navec.dim();
        let word_taps = layers[0].taps(0..dim);
        let shape_weights = layers[0].taps(dim..dim + shape_dim);
        let n_shapes = shape_emb.len() / shape_dim.max(1);
        let mut shape_taps = vec![0.0; n_shapes * shape_weights.cols()];
        cnn::gemm(
            &shape_emb,
            shape_dim,
            n_shapes,
            &shape_weights,
            &mut shape_taps,
        );
        let tap_cache = TapCache::new(navec.len());
        Ok(SlovnetModel {
            navec,
            shape_ids,
            word_taps,
            shape_taps,
            tap_cache,
            layers,
            proj_weight,
            proj_bias,
            transitions,
            tags,
        })
    }

    /// The navec embedding table the network reads its words from (also the source of
    /// the perceptron's navec word clusters, see [`crate::ner::navec_clusters`]).
    pub fn navec(&self) -> &Navec {
        &self.navec
    }

    /// Number of tags (the width of a row of [`SlovnetModel::emissions`]).
    pub fn tag_count(&self) -> usize {
        self.tags.len()
    }

    /// The network's tag scores for a sentence: `words.len() × tags`, row-major (slovnet's
    /// `NER.__call__` output, before the CRF).
    pub fn emissions(&self, words: &[&str]) -> Vec<f32> {
        let n = words.len();
        if n == 0 {
            return Vec::new();
        }
        let dim = self.navec.dim();
        let width = self.word_taps.cols();
        // Each token's taps in the first layer: its word's (cached, or computed below for
        // the words not yet seen) plus its shape's.
        let mut taps = vec![0.0f32; n * width];
        let mut unseen: Vec<(usize, usize)> = Vec::new();
        let mut shape = String::new();
        for (t, word) in words.iter().enumerate() {
            let row = &mut taps[t * width..(t + 1) * width];
            let id = self.navec.id(&word.to_lowercase());
            match self.tap_cache.get(id) {
                Some(cached) => row.copy_from_slice(cached),
                None => unseen.push((t, id)),
            }
        }
        if !unseen.is_empty() {
            let mut vectors = vec![0.0f32; unseen.len() * dim];
            for (row, &(_, id)) in vectors.chunks_exact_mut(dim).zip(&unseen) {
                self.navec.vector(id, row);
            }
            let mut computed = vec![0.0f32; unseen.len() * width];
            cnn::gemm(&vectors, dim, unseen.len(), &self.word_taps, &mut computed);
            for (row, &(t, id)) in computed.chunks_exact(width).zip(&unseen) {
                taps[t * width..(t + 1) * width].copy_from_slice(row);
                self.tap_cache.offer(id, row);
            }
        }
        for (word, row) in words.iter().zip(taps.chunks_exact_mut(width)) {
            shape::word_shape(word, &mut shape);
            // from_parts checked that every shape is in the vocabulary.
            let s = self.shape_ids.get(shape.as_str()).copied().unwrap_or(0);
            for (x, y) in row
                .iter_mut()
                .zip(&self.shape_taps[s * width..(s + 1) * width])
            {
                *x += y;
            }
        }
        let next_pad = self.layers.get(1).map_or(0, ConvLayer::padding);
        let out = self.layers[0].out_dim();
        let mut x = vec![0.0f32; (n + 2 * next_pad) * out];
        self.layers[0].forward_taps(&taps, n, &mut x[next_pad * out..(next_pad + n) * out]);
        for (i, layer) in self.layers.iter().enumerate().skip(1) {
            let next_pad = self.layers.get(i + 1).map_or(0, ConvLayer::padding);
            let out = layer.out_dim();
            let mut y = vec![0.0f32; (n + 2 * next_pad) * out];
            layer.forward(&x, n, &mut y[next_pad * out..(next_pad + n) * out]);
            x = y;
        }
        let width = self.layers.last().map_or(0, ConvLayer::out_dim);
        let n_tags = self.tags.len();
        let mut emissions = Vec::with_capacity(n * n_tags);
        for _ in 0..n {
            emissions.extend_from_slice(&self.proj_bias);
        }
        cnn::gemm(&x, width, n, &self.proj_weight, &mut emissions);
        emissions
    }

    /// The CRF's best tag sequence for a sentence, as indexes into the tag vocabulary.
    pub fn decode(&self, words: &[&str]) -> Vec<usize> {
        crf::viterbi(&self.emissions(words), &self.transitions, self.tags.len())
    }

    /// What a perceptron stacked on the network reads of each word: its CRF tag and the
    /// probability of each entity type ([`crf::hints`]).
    pub fn hints(&self, words: &[&str]) -> Vec<crate::ner::features::Hint> {
        let (path, marginals) = self.path_and_marginals(words);
        crf::hints(&path, &self.tags, &marginals)
    }

    /// The CRF's best tag path and every tag's marginal probability (`words × tags`).
    fn path_and_marginals(&self, words: &[&str]) -> (Vec<usize>, Vec<f32>) {
        let emissions = self.emissions(words);
        let n_tags = self.tags.len();
        let path = crf::viterbi(&emissions, &self.transitions, n_tags);
        let marginals = crf::marginals(&emissions, &self.transitions, n_tags);
        (path, marginals)
    }

    /// Tags one sentence: entity spans in order, with confidences.
    pub fn tag(&self, words: &[&str]) -> Vec<TokenSpan> {
        let (path, marginals) = self.path_and_marginals(words);
        crf::spans(&path, &self.tags, &marginals)
    }
}

/// How many distinct words' first-layer taps [`SlovnetModel`] keeps (3 KB each, so at most
/// 48 MB, shared by all threads): in Russian news the most frequent 16 k words make up most
/// of the running text.
pub const WORD_TAP_CACHE: usize = 16_384;

/// The cache of word taps: one slot per navec entry, filled once, for at most
/// [`WORD_TAP_CACHE`] words; lock-free reads, shared by every thread tagging with the model.
#[derive(Debug)]
struct TapCache {
    slots: Box<[OnceLock<Box<[f32]>>]>,
    filled: AtomicUsize,
}

impl TapCache {
    fn new(words: usize) -> TapCache {
        TapCache {
            slots: (0..words).map(|_| OnceLock::new()).collect(),
            filled: AtomicUsize::new(0),
        }
    }

    fn get(&self, id: usize) -> Option<&[f32]> {
        self.slots.get(id)?.get().map(|taps| &taps[..])
    }

    /// Keeps the taps of word `id` unless the cache is full (several threads may pass the
    /// check at once, so it may hold a few more than the limit; the first value set wins,
    /// and every thread computes the same numbers).
    fn offer(&self, id: usize, taps: &[f32]) {
        if self.filled.load(Ordering::Relaxed) >= WORD_TAP_CACHE {
            return;
        }
        if let Some(slot) = self.slots.get(id)
            && slot.set(taps.into()).is_ok()
        {
            self.filled.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A copy starts with an empty cache (the taps depend only on the weights, so this changes
/// nothing but speed).
impl Clone for TapCache {
    fn clone(&self) -> TapCache {
        TapCache::new(self.slots.len())
    }
}

/// The network tags Russian only; other languages give [`NerError::NoModel`].
impl Tagger for SlovnetModel {
    fn name(&self) -> &str {
        "slovnet"
    }

    fn tag(&self, lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
        match lang {
            Lang::Ru => Ok(SlovnetModel::tag(self, words)),
            other => Err(NerError::NoModel(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::EntityType::{Loc, Org, Per};

    #[test]
    fn the_shipped_model_finds_the_entities_of_a_news_sentence() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ner/ru.slovnet");
        let model = SlovnetModel::load(&path).expect("the shipped slovnet model loads");
        let words: Vec<&str> = "Президент России Владимир Путин встретился в Москве с главой \
                                Газпрома Алексеем Миллером ."
            .split_whitespace()
            .collect();
        let spans = model.tag(&words);
        let got: Vec<(String, _)> = spans
            .iter()
            .map(|s| (words[s.start..s.end].join(" "), s.kind))
            .collect();
        let want = [
            ("России", Loc),
            ("Владимир Путин", Per),
            ("Москве", Loc),
            ("Газпрома", Org),
            ("Алексеем Миллером", Per),
        ]
        .map(|(text, kind)| (text.to_string(), kind));
        assert_eq!(got, want);
        assert!(
            spans
                .iter()
                .all(|s| s.confidence > 0.5 && s.confidence <= 1.0)
        );
        assert!(model.tag(&[]).is_empty());
        // The second time the words' taps come from the cache: the same numbers, and the
        // same as from a copy that starts with an empty cache (compared where the three
        // layers' windows see the same words: from the fourth word of the shorter sentence).
        let first = model.emissions(&words);
        assert_eq!(model.emissions(&words), first);
        let tags = model.tag_count();
        let fresh = model.clone().emissions(&words[2..]);
        assert_eq!(fresh[3 * tags..], first[5 * tags..]);
        assert!(matches!(
            Tagger::tag(&model, Lang::En, &["London"]),
            Err(NerError::NoModel(Lang::En))
        ));
    }
}
