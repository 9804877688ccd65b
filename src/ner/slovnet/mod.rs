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
//! a re-implementation: the same function of the same weights (the second and third
//! convolutions in 16-bit integers, see [`cnn`]), with the words given instead of slovnet's
//! own tokeniser (razdel). `scripts/slovnet-crosscheck.py` compares the scores and tags with
//! the Python reference. The weights come from one file,
//! `models/ner/ru.slovnet` ([`model_file`]), converted by `scripts/convert-slovnet.py`.
//!
//! [`crate::ner::EmbeddedTagger`] uses it for Russian when that file is present.

pub mod cnn;
pub mod crf;
pub mod model_file;
pub mod navec;
pub mod shape;

use super::model_file::ModelFileError;
use super::word_cache::{WordCache, WordCaches};
use super::{NerError, Tagger};
use crate::document::{Lang, TokenSpan};
use crate::letter_case::{self, LetterCase};
use cnn::ConvLayer;
use crf::Tag;
use navec::Navec;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};

/// The slovnet NER network with its embeddings. Immutable after loading but for a cache of
/// word taps (below); tagging allocates its buffers per batch of sentences.
///
/// The first convolution, two thirds of the network's multiply-adds, is linear in each
/// token's input, and that input is the word's navec vector joined to its shape's vector.
/// So a token's contribution to the three windows it is in (its *taps*, see
/// [`ConvLayer::taps`]) is its word's taps plus its shape's taps: the shapes' are computed
/// at load time, the words' when a batch needs them (in 16-bit integers, as one product),
/// and kept, from a word's second document on, for [`WORD_TAP_CACHE`] words (news repeats
/// its frequent words, so most tokens then cost a few vector additions instead of a matrix
/// row). Word taps are stored in 16 bits with a scale per word, cached or not, so they are
/// the same numbers either way and results do not depend on what was tagged before.
#[derive(Clone, Debug)]
pub struct SlovnetModel {
    navec: Navec,
    shape_ids: HashMap<String, usize>,
    /// The first layer's tap weights for the navec part of the input, in 16-bit integers,
    /// with rows padded to an even count (the integer product reads pairs).
    word_taps: cnn::QuantPacked,
    /// The scale of navec values quantised for `word_taps`: the largest centroid value over
    /// [`cnn::ACT_MAX`], one for all words, so that a word's taps do not depend on the
    /// sentence it is in.
    navec_scale: f32,
    /// navec's centroids quantised with `navec_scale` ([`Navec::vector_from`]).
    navec_quantised: Vec<i16>,
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
    /// Names this model's per-thread word cache ([`WORD_IDS`]); a copy shares it.
    id: u64,
}

/// The next [`SlovnetModel`] id.
static NEXT_MODEL_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Each word's navec entry and shape id, per model: a word seen before skips the
    /// lower-casing, the navec index (three dependent reads) and the shape.
    static WORD_IDS: std::cell::RefCell<WordCaches<(u32, u32)>> =
        std::cell::RefCell::new(WordCaches::default());
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
        let word_weights = layers[0].tap_weights(0..dim);
        let taps_width = word_weights.len() / dim.max(1);
        let even = dim.next_multiple_of(2);
        let mut padded = word_weights.to_vec();
        padded.resize(even * taps_width, 0.0);
        let word_taps = cnn::QuantPacked::new(&padded, even, taps_width)
            .ok_or_else(|| format!("{dim} navec dimensions are too many for 16-bit products"))?;
        let navec_scale = navec.max_abs() / cnn::ACT_MAX as f32;
        let inverse = if navec_scale > 0.0 {
            1.0 / navec_scale
        } else {
            0.0
        };
        // |v| ≤ the largest centroid value, so |v · inverse| ≤ ACT_MAX.
        let navec_quantised = navec.map_centroids(|v| (v * inverse).round_ties_even() as i16);
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
            navec_scale,
            navec_quantised,
            shape_taps,
            tap_cache,
            layers,
            proj_weight,
            proj_bias,
            transitions,
            tags,
            id: NEXT_MODEL_ID.fetch_add(1, Ordering::Relaxed),
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
        self.emissions_batch(&[words]).pop().unwrap_or_default()
    }

    /// [`SlovnetModel::emissions`] of several sentences, the same numbers to the last bit:
    /// consecutive sentences of up to [`BATCH_TOKENS`] tokens in all go through each layer as
    /// one matrix product, so that the weights are read once per batch rather than once per
    /// sentence (a news sentence has about 20 tokens; the 16-bit weights are about 0.7 MB).
    pub fn emissions_batch<'w, S: AsRef<[&'w str]>>(&self, sentences: &[S]) -> Vec<Vec<f32>> {
        let mut out = Vec::with_capacity(sentences.len());
        let mut start = 0;
        while start < sentences.len() {
            let mut end = start;
            let mut tokens = 0;
            while end < sentences.len()
                && (end == start || tokens + sentences[end].as_ref().len() <= BATCH_TOKENS)
            {
                tokens += sentences[end].as_ref().len();
                end += 1;
            }
            let batch: Vec<&[&str]> = sentences[start..end].iter().map(AsRef::as_ref).collect();
            out.extend(self.emissions_together(&batch));
            start = end;
        }
        out
    }

    /// The emissions of sentences run through the network together. The sentences are laid
    /// end to end in one buffer per layer, each followed by `pad` zero rows (and the first
    /// preceded by them), so every convolution window of a token sees zeros past its
    /// sentence, as it would alone; after each layer the separating rows, which the product
    /// fills with scores of nothing, are zeroed again.
    fn emissions_together(&self, sentences: &[&[&str]]) -> Vec<Vec<f32>> {
        let lens: Vec<usize> = sentences.iter().map(|s| s.len()).collect();
        let total: usize = lens.iter().sum();
        if total == 0 {
            return vec![Vec::new(); sentences.len()];
        }
        let width = self.word_taps.cols();
        // Each token's taps in the first layer: its word's (cached, or computed below for the
        // words not yet seen, each once) plus its shape's.
        let mut ids = Vec::with_capacity(total);
        let mut shapes: Vec<&[f32]> = Vec::with_capacity(total);
        let mut shape = String::new();
        let mut look_up = |cache: &mut WordCache<(u32, u32)>| {
            for word in sentences.iter().flat_map(|s| s.iter()) {
                let (id, s) = match cache.get(word) {
                    Some(&(id, s)) => (id as usize, s as usize),
                    None => {
                        let id = self.navec.id(&lowercase(word));
                        shape::word_shape(word, &mut shape);
                        // from_parts checked that every shape is in the vocabulary.
                        let s = self.shape_ids.get(shape.as_str()).copied().unwrap_or(0);
                        cache.put(word, (id as u32, s as u32));
                        (id, s)
                    }
                };
                ids.push(id);
                shapes.push(&self.shape_taps[s * width..(s + 1) * width]);
            }
        };
        WORD_IDS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut caches) => look_up(caches.of(self.id)),
            // Re-entrant use on one thread (not expected): a fresh cache.
            Err(_) => look_up(&mut WordCache::new(self.id)),
        });
        let cached: Vec<Option<&QuantTaps>> =
            ids.iter().map(|&id| self.tap_cache.get(id)).collect();
        let mut unseen: Vec<usize> = ids
            .iter()
            .zip(&cached)
            .filter(|(_, cached)| cached.is_none())
            .map(|(&id, _)| id)
            .collect();
        unseen.sort_unstable();
        unseen.dedup();
        let computed = self.word_taps_of(&unseen);
        for (taps, &id) in computed.iter().zip(&unseen) {
            self.tap_cache.offer(id, taps);
        }
        let taps: Vec<cnn::TokenTaps> = cached
            .iter()
            .zip(&ids)
            .zip(&shapes)
            .map(|((cached, id), shape)| {
                // A word not cached when looked up above is among the unseen.
                let word = cached.unwrap_or_else(|| &computed[unseen.partition_point(|u| u < id)]);
                cnn::TokenTaps {
                    word: &word.values,
                    word_scale: word.scale,
                    shape,
                }
            })
            .collect();
        let pad = self
            .layers
            .iter()
            .map(ConvLayer::padding)
            .max()
            .unwrap_or(0);
        LAYER_SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.run_layers(&taps, &lens, pad, &mut scratch),
            // Re-entrant use on one thread (not expected): fresh buffers.
            Err(_) => self.run_layers(&taps, &lens, pad, &mut LayerScratch::default()),
        })
    }

    /// The layers and the projection over sentences laid end to end (see
    /// [`SlovnetModel::emissions_together`]), given the tokens' first-layer taps.
    fn run_layers(
        &self,
        taps: &[cnn::TokenTaps<'_>],
        lens: &[usize],
        pad: usize,
        s: &mut LayerScratch,
    ) -> Vec<Vec<f32>> {
        let rows = pad + lens.iter().map(|n| n + pad).sum::<usize>();
        let inner = rows - 2 * pad;
        let first = &self.layers[0];
        let o = first.out_dim();
        let x = cnn::reuse(&mut s.x, rows * o);
        zero_gaps(x, lens, pad, o);
        let (mut row, mut token) = (pad, 0);
        for &n in lens {
            first.forward_taps(&taps[token..token + n], &mut x[row * o..(row + n) * o]);
            row += n + pad;
            token += n;
        }
        let mut width = o;
        for layer in &self.layers[1..] {
            let (p, i, o) = (layer.padding(), layer.in_dim(), layer.out_dim());
            let x = &s.x[..rows * i];
            let y = cnn::reuse(&mut s.y, rows * o);
            let input = (pad - p) * i..(rows - pad + p) * i;
            let output = pad * o..(rows - pad) * o;
            if layer.is_quantised() {
                // One scale per sentence, so that a sentence gets the same numbers whatever
                // it is batched with.
                let xq = cnn::reuse(&mut s.xq, rows * i);
                zero_gaps(xq, lens, pad, i);
                let row_scale = cnn::reuse(&mut s.row_scale, rows);
                zero_gaps(row_scale, lens, pad, 1);
                let mut row = pad;
                for &n in lens {
                    let span = row * i..(row + n) * i;
                    let scale = cnn::quantise(&x[span.clone()], &mut xq[span], cnn::ACT_MAX as i16);
                    row_scale[row..row + n].fill(scale);
                    row += n + pad;
                }
                layer.forward_quantised(
                    &xq[input],
                    &row_scale[pad..rows - pad],
                    inner,
                    &mut y[output],
                    &mut s.sums,
                );
            } else {
                layer.forward(&x[input], inner, &mut y[output]);
            }
            // The product filled the rows between sentences with scores of nothing.
            zero_gaps(y, lens, pad, o);
            std::mem::swap(&mut s.x, &mut s.y);
            width = o;
        }
        let x = &s.x[..rows * width];
        let n_tags = self.tags.len();
        let mut emissions = Vec::with_capacity(inner * n_tags);
        for _ in 0..inner {
            emissions.extend_from_slice(&self.proj_bias);
        }
        cnn::gemm(
            &x[pad * width..],
            width,
            inner,
            &self.proj_weight,
            &mut emissions,
        );
        let mut row = 0;
        lens.iter()
            .map(|&n| {
                let sentence = emissions[row * n_tags..(row + n) * n_tags].to_vec();
                row += n + pad;
                sentence
            })
            .collect()
    }

    /// The first-layer taps of navec words, computed as one integer product: the words'
    /// vectors quantised with the model's one navec scale, the taps then stored in 16 bits
    /// with a scale per word ([`QuantTaps`]), as the cache keeps them.
    fn word_taps_of(&self, ids: &[usize]) -> Vec<QuantTaps> {
        if ids.is_empty() {
            return Vec::new();
        }
        let dim = self.navec.dim();
        let stride = self.word_taps.k();
        let width = self.word_taps.cols();
        let mut vectors = vec![0i16; ids.len() * stride];
        for (row, &id) in vectors.chunks_exact_mut(stride).zip(ids) {
            self.navec
                .vector_from(id, &self.navec_quantised, &mut row[..dim]);
        }
        let mut sums = vec![0i32; ids.len() * width];
        cnn::gemm_i16(&vectors, stride, ids.len(), &self.word_taps, &mut sums);
        let mut taps = vec![0.0f32; width];
        sums.chunks_exact(width)
            .map(|sums| {
                for ((t, &sum), w) in taps.iter_mut().zip(sums).zip(self.word_taps.scale()) {
                    *t = sum as f32 * (self.navec_scale * w);
                }
                QuantTaps::new(&taps)
            })
            .collect()
    }

    /// The CRF's best tag sequence for a sentence, as indexes into the tag vocabulary.
    pub fn decode(&self, words: &[&str]) -> Vec<usize> {
        crf::viterbi(&self.emissions(words), &self.transitions, self.tags.len())
    }

    /// What a perceptron stacked on the network reads of each word: its CRF tag and the
    /// probability of each entity type ([`crf::hints`]).
    pub fn hints(&self, words: &[&str]) -> Vec<crate::ner::features::Hint> {
        self.hints_batch(&[words]).pop().unwrap_or_default()
    }

    /// [`SlovnetModel::hints`] of several sentences, run through the network together.
    pub fn hints_batch<'w, S: AsRef<[&'w str]>>(
        &self,
        sentences: &[S],
    ) -> Vec<Vec<crate::ner::features::Hint>> {
        self.decode_batch(sentences, |path, marginals| {
            crf::hints(path, &self.tags, marginals)
        })
    }

    /// Runs the network on the sentences together, then for each sentence the CRF's best
    /// tag path and every tag's marginal probability (`words × tags`), given to `finish`.
    fn decode_batch<'w, S: AsRef<[&'w str]>, T>(
        &self,
        sentences: &[S],
        finish: impl Fn(&[usize], &[f32]) -> T,
    ) -> Vec<T> {
        let n_tags = self.tags.len();
        self.emissions_batch(sentences)
            .iter()
            .map(|emissions| {
                let path = crf::viterbi(emissions, &self.transitions, n_tags);
                let marginals = crf::marginals(emissions, &self.transitions, n_tags);
                finish(&path, &marginals)
            })
            .collect()
    }

    /// Tags one sentence: entity spans in order, with confidences.
    pub fn tag(&self, words: &[&str]) -> Vec<TokenSpan> {
        self.tag_batch(&[words]).pop().unwrap_or_default()
    }

    /// Tags several sentences, run through the network together.
    pub fn tag_batch<'w, S: AsRef<[&'w str]>>(&self, sentences: &[S]) -> Vec<Vec<TokenSpan>> {
        self.decode_batch(sentences, |path, marginals| {
            crf::spans(path, &self.tags, marginals)
        })
    }
}

/// The word in lower case, as navec's vocabulary is; borrowed when it already is (most
/// running words), to save an allocation per token.
fn lowercase(word: &str) -> std::borrow::Cow<'_, str> {
    // Upper-case letters and letters without a case of their own (title-case ones among
    // them) may change; lower-case letters and non-letters stay as they are.
    let changes = |c: char| matches!(LetterCase::of(c), LetterCase::Upper | LetterCase::Uncased);
    if word.chars().any(changes) {
        letter_case::to_lowercase(word).into()
    } else {
        word.into()
    }
}

/// Buffers of the network's layers, kept between batches on a thread: a batch's
/// activations are a few hundred kilobytes per layer, and allocating them zeroed for every
/// batch cost about 3 % of Russian tagging (memset).
#[derive(Debug, Default)]
struct LayerScratch {
    /// The current layer's input (floats), then its output after the swap.
    x: Vec<f32>,
    /// The current layer's output.
    y: Vec<f32>,
    /// The input in 16 bits.
    xq: Vec<i16>,
    /// Each row's quantisation scale.
    row_scale: Vec<f32>,
    /// The integer sums of the product.
    sums: Vec<i32>,
}

thread_local! {
    static LAYER_SCRATCH: std::cell::RefCell<LayerScratch> =
        std::cell::RefCell::new(LayerScratch::default());
}

/// Zeroes the rows around the sentences laid end to end in `buf` (`width` values a row):
/// `pad` rows before the first and after each (the convolutions' zero padding).
fn zero_gaps<T: Copy + Default>(buf: &mut [T], lens: &[usize], pad: usize, width: usize) {
    buf[..pad * width].fill(T::default());
    let mut row = pad;
    for &n in lens {
        row += n;
        buf[row * width..(row + pad) * width].fill(T::default());
        row += pad;
    }
}

/// The most tokens [`SlovnetModel::emissions_batch`] runs through the network at once:
/// enough rows for the product kernel to reuse each weight panel many times, few enough
/// that a layer's activations (256 floats a token) stay in the core's cache.
pub const BATCH_TOKENS: usize = 512;

/// How many distinct words' first-layer taps [`SlovnetModel`] keeps (1.5 KB each, so at
/// most 96 MB, shared by all threads): in Russian news the most frequent words make up most
/// of the running text. On the shared Russian corpus, extraction took 14 % more CPU time
/// with 16,384 words than with 32,768, and 6 % less with 65,536 (paired runs).
pub const WORD_TAP_CACHE: usize = 65_536;

/// A word's first-layer taps in 16 bits with one scale (`values[i] · scale`): half the
/// memory of floats, so twice the words fit the cache, and half the bytes read per token.
#[derive(Debug)]
struct QuantTaps {
    scale: f32,
    values: Box<[i16]>,
}

impl QuantTaps {
    fn new(taps: &[f32]) -> QuantTaps {
        let mut values = vec![0i16; taps.len()].into_boxed_slice();
        let scale = cnn::quantise(taps, &mut values, cnn::TAP_MAX);
        QuantTaps { scale, values }
    }
}

/// The cache of word taps: one slot per navec entry, filled once, for at most
/// [`WORD_TAP_CACHE`] words; lock-free reads, shared by every thread tagging with the model.
/// A word gets a slot the second time a document brings it (counted per navec entry): a
/// cache filled by first sightings keeps many words seen once (a simulation on the shared
/// Russian news put the words computed per token at 16 % with 16,384 words admitted at
/// first sight, 12 % with 32,768 at the second).
#[derive(Debug)]
struct TapCache {
    slots: Box<[OnceLock<QuantTaps>]>,
    sightings: Box<[AtomicU8]>,
    filled: AtomicUsize,
}

impl TapCache {
    fn new(words: usize) -> TapCache {
        TapCache {
            slots: (0..words).map(|_| OnceLock::new()).collect(),
            sightings: (0..words).map(|_| AtomicU8::new(0)).collect(),
            filled: AtomicUsize::new(0),
        }
    }

    fn get(&self, id: usize) -> Option<&QuantTaps> {
        self.slots.get(id)?.get()
    }

    /// Keeps the taps of word `id` if it was offered before, unless the cache is full
    /// (several threads may pass the check at once, so it may hold a few more than the
    /// limit; the first value set wins, and every thread computes the same numbers).
    fn offer(&self, id: usize, taps: &QuantTaps) {
        if self.filled.load(Ordering::Relaxed) >= WORD_TAP_CACHE {
            return;
        }
        let Some(seen) = self.sightings.get(id) else {
            return;
        };
        if seen.fetch_max(1, Ordering::Relaxed) == 0 {
            return;
        }
        let copy = QuantTaps {
            scale: taps.scale,
            values: taps.values.clone(),
        };
        if let Some(slot) = self.slots.get(id)
            && slot.set(copy).is_ok()
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

    fn tag_batch(
        &self,
        lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        match lang {
            Lang::Ru => Ok(SlovnetModel::tag_batch(self, sentences)),
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
        // same as from a copy that starts with an empty cache.
        let first = model.emissions(&words);
        assert_eq!(model.emissions(&words), first);
        assert_eq!(model.clone().emissions(&words), first);
        assert_eq!(first.len(), words.len() * model.tag_count());
        assert!(matches!(
            Tagger::tag(&model, Lang::En, &["London"]),
            Err(NerError::NoModel(Lang::En))
        ));
    }

    /// Sentences run through the network together get the same scores, to the last bit, as
    /// one by one: empty sentences, a one-word one, and enough to fill several batches.
    #[test]
    fn batched_sentences_score_as_they_do_alone() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ner/ru.slovnet");
        let model = SlovnetModel::load(&path).expect("the shipped slovnet model loads");
        let text = "Глава МИД России Сергей Лавров заявил , что Москва готова к переговорам . \
                    Об этом сообщает ТАСС . Ранее в Баку прошла встреча с Ильхамом Алиевым .";
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut sentences: Vec<Vec<&str>> = vec![Vec::new(), words[..1].to_vec()];
        for i in 0..60 {
            sentences.push(words[i % 7..].to_vec());
            if i % 13 == 0 {
                sentences.push(Vec::new());
            }
        }
        let total: usize = sentences.iter().map(Vec::len).sum();
        assert!(total > 2 * BATCH_TOKENS, "{total} tokens");
        let alone: Vec<Vec<f32>> = sentences.iter().map(|s| model.emissions(s)).collect();
        assert_eq!(model.emissions_batch(&sentences), alone);
        let tagged: Vec<Vec<TokenSpan>> = sentences.iter().map(|s| model.tag(s)).collect();
        assert_eq!(SlovnetModel::tag_batch(&model, &sentences), tagged);
    }

    /// Every word of the shipped vocabulary is found through navec's hash index.
    #[test]
    fn every_shipped_navec_word_finds_itself() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ner/ru.slovnet");
        let model = SlovnetModel::load(&path).expect("the shipped slovnet model loads");
        let navec = model.navec();
        assert!(navec.unk_id() > 100_000);
        for id in 0..navec.unk_id() {
            assert_eq!(navec.id(navec.word(id)), id, "{:?}", navec.word(id));
        }
        assert_eq!(navec.id("<pad>"), navec.unk_id());
    }

    #[test]
    fn the_tap_cache_admits_a_word_at_its_second_offer() {
        let cache = TapCache::new(3);
        let taps = QuantTaps::new(&[0.5, -1.0, 0.25]);
        assert_eq!(taps.values[..], [16384, -32767, 8192]);
        cache.offer(1, &taps);
        assert!(cache.get(1).is_none());
        cache.offer(1, &taps);
        let kept = cache.get(1).expect("kept at the second offer");
        assert_eq!((kept.scale, &kept.values), (taps.scale, &taps.values));
        assert!(cache.get(0).is_none() && cache.get(2).is_none());
        cache.offer(7, &taps);
        assert!(
            cache.get(7).is_none(),
            "ids beyond the vocabulary are ignored"
        );
        assert!(cache.clone().get(1).is_none(), "a copy starts empty");
    }

    #[test]
    fn lower_casing_borrows_only_what_needs_no_change() {
        for word in [
            "москва",
            "Москва",
            "МИД",
            "abc",
            "ABC",
            "ǅemal",
            "2024",
            "«",
            "Ⅻ",
            "ё",
            "Ё",
        ] {
            let lower = lowercase(word);
            assert_eq!(lower, word.to_lowercase(), "{word}");
            assert_eq!(
                matches!(lower, std::borrow::Cow::Borrowed(_)),
                word == word.to_lowercase(),
                "{word}"
            );
        }
    }
}
