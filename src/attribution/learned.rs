//! The learned English attribution component: a sequence labeller over the tokens of a
//! paragraph with BIO tags for SOURCE, CUE and CONTENT, plus linking of the labelled spans
//! into attributions.
//!
//! Why a labeller: the rules only fire on lexicon cues in known constructions, while
//! PolNeAR-style attribution has many open-class cues ("mocked", "is expected to") and
//! content spans whose edges follow clause structure. An averaged perceptron with
//! constrained Viterbi (the decoder of [`crate::ner::decode`]) learns both from the training
//! corpus in seconds and decodes in microseconds per sentence. Features are in
//! [`super::learned_features`]; training is in [`super::learned_train`].
//! Linking the labelled spans into attributions is in `learned_link.rs`.

use super::learned_dense::DENSE_TEMPLATES;
use super::learned_features::{
    DocFeatures, EDGE_WORD, FEATURE_SET_VERSION, T_CLUSTER, T_PREFIX4, T_SUF3, T_W0, T_WM1, T_WM2,
    T_WP1, T_WP2, TokenValues, WORD_TEMPLATES,
};
use crate::ner::decode::{self, DecodeScratch};
use crate::ner::dense::DenseRows;
use crate::ner::features::{Clusters, feat, hash_bytes};
use crate::ner::model::{FeatureTable, MAX_LABELS, quantise};
use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Labels: `O`, then `B-`/`I-` for source, cue, content.
pub const LABELS: [&str; 7] = ["O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON"];
/// Number of labels.
pub const N_LABELS: usize = LABELS.len();
/// Label role ids (label = 1 + 2 × role, + 1 inside).
pub const ROLE_SOURCE: usize = 0;
/// The cue role.
pub const ROLE_CUE: usize = 1;
/// The content role.
pub const ROLE_CONTENT: usize = 2;

const MAGIC: [u8; 8] = *b"NCATTR\0\x01";
const FORMAT_VERSION: u32 = 2;
const CHECKSUM_SEED: u64 = 0x6174_7472_5f6d_6f64;

/// Errors reading or writing a model file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LearnedError {
    /// The file could not be read or written.
    #[error("attribution model {path}: {source}")]
    Io {
        /// The model file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a model this build reads.
    #[error("{path}: not a usable attribution model: {what}")]
    Corrupt {
        /// The model file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

/// Words that start cues in the training data, learned with the model and stored in it:
/// folded-word hash → bucket of P(word starts a cue) (1: ≥ 2 %, 2: ≥ 10 %, 3: ≥ 25 %,
/// 4: ≥ 50 %). This extends the hand-made lexicon to the open class of attribution
/// cues ("mocked", "insists") without a word list in the code.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CueStats {
    /// Word hash → bucket.
    pub map: crate::ner::features::KeyMap<u8>,
}

impl CueStats {
    /// Buckets from (word hash, times it starts a cue, times it occurs); words seen fewer
    /// than `min_total` times are left out.
    pub fn from_counts(
        counts: impl IntoIterator<Item = (u64, u32, u32)>,
        min_total: u32,
    ) -> CueStats {
        let mut map = crate::ner::features::KeyMap::default();
        for (word, cue, total) in counts {
            if total < min_total || cue == 0 {
                continue;
            }
            let p = cue as f64 / total as f64;
            let bucket = match p {
                p if p >= 0.5 => 4,
                p if p >= 0.25 => 3,
                p if p >= 0.1 => 2,
                p if p >= 0.02 => 1,
                _ => 0,
            };
            if bucket > 0 {
                map.insert(word, bucket);
            }
        }
        CueStats { map }
    }
}

/// Whether label `cur` may follow `prev` (`None` = paragraph start) in IOB2.
pub fn allowed(prev: Option<usize>, cur: usize) -> bool {
    if cur == 0 || !cur.is_multiple_of(2) {
        return true;
    }
    prev.is_some_and(|p| p != 0 && (p - 1) / 2 == (cur - 1) / 2)
}

/// Sets forbidden start and transition scores to minus infinity.
pub fn constrain(start: &mut [f32], trans: &mut [f32]) {
    for cur in 0..N_LABELS {
        if !allowed(None, cur) {
            start[cur] = f32::NEG_INFINITY;
        }
        for prev in 0..N_LABELS {
            if !allowed(Some(prev), cur) {
                trans[prev * N_LABELS + cur] = f32::NEG_INFINITY;
            }
        }
    }
}

/// A trained labeller.
#[derive(Clone, Debug)]
pub struct AttributionModel {
    /// Feature → quantised weight row (the NER model's table: one cache line per lookup).
    table: FeatureTable,
    /// The quantisation step of `table`.
    step: f32,
    /// The rows of the templates with few values, by index ([`DenseRows`]): the same
    /// weights as in `table`, read without hashing.
    dense: DenseRows,
    keys: Vec<u64>,
    weights: Vec<f32>,
    start: Vec<f32>,
    trans: Vec<f32>,
    c_start: Vec<f32>,
    c_trans: Vec<f32>,
    /// Margin → confidence: `1 - exp(-scale × margin)`.
    pub confidence_scale: f32,
    /// Words that often start cues in the training data.
    pub cue_stats: CueStats,
    /// Word clusters of the features (the English NER model's at training time, kept here
    /// so that the labeller does not depend on which NER model is loaded); may be empty.
    pub clusters: Clusters,
    /// The word rows of the positions beyond a paragraph's edges.
    edge_rows: WordRows,
    /// Names this model's per-thread word cache ([`WordRows`]); a copy shares it (same
    /// weights).
    id: u64,
}

/// The next [`AttributionModel`] id.
static NEXT_MODEL_ID: AtomicU64 = AtomicU64::new(1);

/// Lanes of a cached word row: the labels, padded to a width that vectorises.
const ROW_LANES: usize = 8;
const _: () = assert!(N_LABELS <= ROW_LANES && ROW_LANES <= MAX_LABELS);

/// The weight rows of one word's [`WORD_TEMPLATES`] features: the sum of its own four
/// (word, suffix, prefix, clusters) and one row for each position it takes as a neighbour.
/// News repeats its words, so a per-thread cache of these saves 8 of the 21 table lookups
/// of a token; the sums are integers, so a cached word scores exactly as a computed one.
#[derive(Clone, Copy, Debug, Default)]
struct WordRows {
    /// The folded-word hash (0: an empty cache slot).
    word: u64,
    /// The word's clusters (coarse, fine): the only part of its values that depends on the
    /// clusters applied to the document rather than on the word.
    clusters: (u64, u64),
    own: [i32; ROW_LANES],
    /// The rows of the word as the neighbour at -1, +1, -2, +2 (of the tokens after or
    /// before it).
    as_m1: [i16; ROW_LANES],
    as_p1: [i16; ROW_LANES],
    as_m2: [i16; ROW_LANES],
    as_p2: [i16; ROW_LANES],
}

/// Slots of the word cache (direct-mapped by the folded-word hash), 120 bytes each (2 MB per
/// thread): 9 % of the Reuters tokens miss it (12 % with half as many slots, which ran no
/// faster or slower).
const WORD_CACHE_SLOTS: usize = 16_384;
const _: () = assert!(std::mem::size_of::<WordRows>() == 120);

/// The cache slot of a folded-word hash. The hash's low bits depend on the first bytes of
/// the word only (an FxHash chain without a finaliser), so the slot takes the high bits of
/// a multiplicative mix (with the low bits, 31 % of the Reuters tokens missed an 8,192-slot
/// cache; with these, 12 %).
fn word_slot(word: u64) -> usize {
    (word.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - WORD_CACHE_SLOTS.trailing_zeros())) as usize
}

/// A thread's labelling buffers and the word cache of the model it last used.
#[derive(Debug, Default)]
struct LabelScratch {
    owner: u64,
    words: Vec<WordRows>,
    hashes: Vec<u64>,
    offsets: Vec<u32>,
    homes: Vec<u64>,
    sums: Vec<[i32; MAX_LABELS]>,
    emissions: Vec<f32>,
    tags: Vec<u8>,
    margins: Vec<f32>,
    decode: DecodeScratch,
}

thread_local! {
    static SCRATCH: RefCell<LabelScratch> = RefCell::new(LabelScratch::default());
}

/// Adds a word row to a token's sums (the first [`ROW_LANES`] lanes of `acc`).
fn add_row<const N: usize, T: Copy + Into<i32>>(acc: &mut [i32; N], row: &[T; ROW_LANES]) {
    for (o, &x) in acc.iter_mut().zip(row) {
        *o += x.into();
    }
}

/// The labeller's per-token output over a document: label, Viterbi margin (`f32::MAX` and
/// label 0 in paragraphs it skips) and the `N_LABELS` label scores of each token.
#[derive(Clone, Debug, Default)]
pub struct TokenLabels {
    /// Label per token.
    pub tags: Vec<u8>,
    /// Viterbi margin per token.
    pub margins: Vec<f32>,
    /// Label scores (emissions), `N_LABELS` per token.
    pub emissions: Vec<f32>,
    /// The decoder's forward scores within each paragraph, `N_LABELS` per token.
    pub forward: Vec<f32>,
    /// The decoder's backward scores within each paragraph, `N_LABELS` per token.
    pub backward: Vec<f32>,
}

/// A labelled span: role and absolute token range, with its Viterbi margin.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleSpan {
    /// `ROLE_SOURCE`, `ROLE_CUE` or `ROLE_CONTENT`.
    pub role: usize,
    /// Token range in the document.
    pub tokens: Range<usize>,
    /// Smallest margin of its tokens.
    pub margin: f32,
}

impl AttributionModel {
    /// A model from feature keys and their weight rows (`N_LABELS` per key).
    pub fn new(
        keys: Vec<u64>,
        weights: Vec<f32>,
        start: Vec<f32>,
        trans: Vec<f32>,
        confidence_scale: f32,
        cue_stats: CueStats,
        clusters: Clusters,
    ) -> AttributionModel {
        let (mut c_start, mut c_trans) = (start.clone(), trans.clone());
        constrain(&mut c_start, &mut c_trans);
        let (quantised, step) = quantise(&weights);
        let table = FeatureTable::new(&keys, &quantised, N_LABELS);
        let dense = DenseRows::new(&DENSE_TEMPLATES, &table);
        let edge = TokenValues {
            lower: EDGE_WORD,
            ..TokenValues::default()
        };
        let edge_rows = word_rows(&table, &edge);
        AttributionModel {
            edge_rows,
            id: NEXT_MODEL_ID.fetch_add(1, Ordering::Relaxed),
            table,
            step,
            dense,
            keys,
            weights,
            start,
            trans,
            c_start,
            c_trans,
            confidence_scale,
            cue_stats,
            clusters,
        }
    }

    /// The start and transition scores with the IOB2 constraints applied (minus infinity
    /// where forbidden), as the decoder uses them.
    pub fn constrained_scores(&self) -> (&[f32], &[f32]) {
        (&self.c_start, &self.c_trans)
    }

    /// A 64-bit fingerprint of the model (the hash of its file bytes): what a model trained
    /// on this labeller's output records to be checked against it.
    pub fn fingerprint(&self) -> u64 {
        hash_bytes(CHECKSUM_SEED, &self.to_bytes())
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.keys.len()
    }

    /// Labels the tokens of every paragraph; returns the spans in document order.
    pub fn label(
        &self,
        doc: &DocFeatures,
        segmented: &crate::document::Segmented,
    ) -> Vec<RoleSpan> {
        self.label_tokens(doc, segmented, &mut TokenLabels::default())
    }

    /// Like [`AttributionModel::label`], also writing every token's label, Viterbi margin
    /// and label scores to `out` (the content-boundary re-ranker reads them around span
    /// edges).
    pub fn label_tokens(
        &self,
        doc: &DocFeatures,
        segmented: &crate::document::Segmented,
        out_tokens: &mut TokenLabels,
    ) -> Vec<RoleSpan> {
        SCRATCH.with(|s| self.label_with(doc, segmented, out_tokens, &mut s.borrow_mut()))
    }

    fn label_with(
        &self,
        doc: &DocFeatures,
        segmented: &crate::document::Segmented,
        out_tokens: &mut TokenLabels,
        s: &mut LabelScratch,
    ) -> Vec<RoleSpan> {
        if s.owner != self.id || s.words.is_empty() {
            s.owner = self.id;
            s.words.clear();
            s.words.resize(WORD_CACHE_SLOTS, WordRows::default());
        }
        let mut out = Vec::new();
        let n_tokens = segmented.tokens.len();
        out_tokens.tags.clear();
        out_tokens.tags.resize(n_tokens, 0);
        out_tokens.margins.clear();
        out_tokens.margins.resize(n_tokens, f32::MAX);
        for v in [
            &mut out_tokens.emissions,
            &mut out_tokens.forward,
            &mut out_tokens.backward,
        ] {
            v.clear();
            v.resize(n_tokens * N_LABELS, 0.0);
        }
        let values = doc.values();
        for p in 0..doc.paragraphs.len() {
            let range = doc.paragraph_tokens(segmented, p);
            if !doc.may_attribute(range.clone()) {
                continue;
            }
            // The dense templates' rows are summed here; the word templates come from the
            // word cache below; the other features are hashed for the table. All
            // MAX_LABELS lanes are summed (those past N_LABELS are zero weights):
            // fixed-width sums vectorise.
            let LabelScratch {
                words,
                hashes,
                offsets,
                homes,
                sums,
                emissions: em,
                tags,
                margins,
                decode: scratch,
                ..
            } = s;
            hashes.clear();
            offsets.clear();
            sums.clear();
            doc.templates_of(segmented, range.clone(), |features| {
                offsets.push(hashes.len() as u32);
                let mut acc = [0i32; MAX_LABELS];
                self.dense
                    .split_except(features, WORD_TEMPLATES, &mut acc, hashes);
                sums.push(acc);
            });
            offsets.push(hashes.len() as u32);
            let n = range.len();
            for (k, v) in values[range.clone()].iter().enumerate() {
                let slot = word_slot(v.lower);
                let cached = &words[slot];
                let rows = if v.lower != 0
                    && cached.word == v.lower
                    && cached.clusters == (v.coarse, v.fine)
                {
                    cached
                } else {
                    words[slot] = word_rows(&self.table, v);
                    &words[slot]
                };
                add_row(&mut sums[k], &rows.own);
                // This word is the neighbour at -1 of the next token, at +1 of the previous.
                if k + 1 < n {
                    add_row(&mut sums[k + 1], &rows.as_m1);
                }
                if k + 2 < n {
                    add_row(&mut sums[k + 2], &rows.as_m2);
                }
                if k >= 1 {
                    add_row(&mut sums[k - 1], &rows.as_p1);
                }
                if k >= 2 {
                    add_row(&mut sums[k - 2], &rows.as_p2);
                }
            }
            // Neighbours beyond the paragraph's edges.
            let edge = &self.edge_rows;
            for (k, acc) in sums.iter_mut().enumerate() {
                if k < 1 {
                    add_row(acc, &edge.as_m1);
                }
                if k < 2 {
                    add_row(acc, &edge.as_m2);
                }
                if k + 1 >= n {
                    add_row(acc, &edge.as_p1);
                }
                if k + 2 >= n {
                    add_row(acc, &edge.as_p2);
                }
            }
            em.clear();
            em.reserve(n * N_LABELS);
            // Scoring is bound by cache misses on the table (as in the NER tagger's
            // `NerModel::score`): reading every feature's home slot first, in a loop whose
            // loads do not depend on each other, lets the CPU overlap the misses; the probing
            // below then finds the lines in cache. Sums are integers, scaled once.
            homes.clear();
            homes.extend(hashes.iter().map(|&h| self.table.home_key(h)));
            for (t, &dense) in sums.iter().enumerate() {
                let mut acc = dense;
                let (a, b) = (offsets[t] as usize, offsets[t + 1] as usize);
                for (&h, &home) in hashes[a..b].iter().zip(&homes[a..b]) {
                    if home == 0 {
                        continue;
                    }
                    if let Some(row) = self.table.get(h) {
                        for (o, &x) in acc.iter_mut().zip(row) {
                            *o += i32::from(x);
                        }
                    }
                }
                em.extend(acc[..N_LABELS].iter().map(|&x| x as f32 * self.step));
            }
            decode::viterbi(
                em,
                N_LABELS,
                &self.c_start,
                &self.c_trans,
                scratch,
                tags,
                Some(margins),
            );
            out_tokens.tags[range.clone()].copy_from_slice(tags);
            out_tokens.margins[range.clone()].copy_from_slice(margins);
            let cells = range.start * N_LABELS..range.end * N_LABELS;
            out_tokens.emissions[cells.clone()].copy_from_slice(em);
            out_tokens.forward[cells.clone()].copy_from_slice(scratch.forward());
            out_tokens.backward[cells].copy_from_slice(scratch.backward());
            out.extend(spans_of_tags(tags, range.start, Some(margins)));
        }
        out
    }

    /// Serialises the model (weights quantised to 16 bits): magic, format and feature-set
    /// versions, confidence scale, quantisation step, start and transition scores, the
    /// feature keys and their weight rows, the cue statistics (word hash, bucket), the word
    /// clusters (word hash, coarse, fine), each list sorted and counted, then a checksum.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + self.keys.len() * (8 + 2 * N_LABELS));
        b.extend_from_slice(&MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&FEATURE_SET_VERSION.to_le_bytes());
        let (quantised, step) = quantise(&self.weights);
        b.extend_from_slice(&self.confidence_scale.to_le_bytes());
        b.extend_from_slice(&step.to_le_bytes());
        for x in self.start.iter().chain(&self.trans) {
            b.extend_from_slice(&x.to_le_bytes());
        }
        b.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            b.extend_from_slice(&k.to_le_bytes());
        }
        for q in &quantised {
            b.extend_from_slice(&q.to_le_bytes());
        }
        let mut stats: Vec<(u64, u8)> = self.cue_stats.map.iter().map(|(&k, &v)| (k, v)).collect();
        stats.sort_unstable();
        b.extend_from_slice(&(stats.len() as u32).to_le_bytes());
        for (k, v) in stats {
            b.extend_from_slice(&k.to_le_bytes());
            b.push(v);
        }
        b.extend_from_slice(&(self.clusters.len() as u32).to_le_bytes());
        self.clusters.encode(&mut b);
        let sum = hash_bytes(CHECKSUM_SEED, &b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// Parses a model; `path` only names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<AttributionModel, LearnedError> {
        let corrupt = |what: &str| LearnedError::Corrupt {
            path: path.to_path_buf(),
            what: what.to_string(),
        };
        if bytes.len() < MAGIC.len() + 8 || bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt("bad magic bytes"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let mut sum_bytes = [0u8; 8];
        sum_bytes.copy_from_slice(sum);
        if hash_bytes(CHECKSUM_SEED, body) != u64::from_le_bytes(sum_bytes) {
            return Err(corrupt("checksum mismatch"));
        }
        let mut r = Reader {
            b: body,
            pos: MAGIC.len(),
        };
        let truncated = || corrupt("truncated");
        let version = r.u32().ok_or_else(truncated)?;
        let features = r.u32().ok_or_else(truncated)?;
        if version != FORMAT_VERSION || features != FEATURE_SET_VERSION {
            return Err(corrupt(&format!(
                "format {version}, features {features}; this build reads {FORMAT_VERSION}, {FEATURE_SET_VERSION}: retrain"
            )));
        }
        let scale = r.f32().ok_or_else(truncated)?;
        let step = r.f32().ok_or_else(truncated)?;
        let mut st = Vec::with_capacity(N_LABELS * (N_LABELS + 1));
        for _ in 0..N_LABELS * (N_LABELS + 1) {
            st.push(r.f32().ok_or_else(truncated)?);
        }
        let trans = st.split_off(N_LABELS);
        let n = r.u32().ok_or_else(truncated)? as usize;
        let raw_keys = r.take(n.saturating_mul(8)).ok_or_else(truncated)?;
        let keys = crate::ner::model_file::u64s_le(raw_keys);
        let raw_w = r
            .take(n.saturating_mul(N_LABELS * 2))
            .ok_or_else(truncated)?;
        let weights: Vec<f32> = raw_w
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 * step)
            .collect();
        let n_stats = r.u32().ok_or_else(truncated)? as usize;
        let raw_stats = r.take(n_stats.saturating_mul(9)).ok_or_else(truncated)?;
        let mut cue_stats = CueStats::default();
        for c in raw_stats.chunks_exact(9) {
            let mut a = [0u8; 8];
            a.copy_from_slice(&c[..8]);
            cue_stats.map.insert(u64::from_le_bytes(a), c[8]);
        }
        let n_clusters = r.u32().ok_or_else(truncated)? as usize;
        let raw_clusters = r
            .take(n_clusters.saturating_mul(Clusters::ENTRY_BYTES))
            .ok_or_else(truncated)?;
        let clusters = Clusters::decode(raw_clusters);
        if r.pos != body.len() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(AttributionModel::new(
            keys, weights, st, trans, scale, cue_stats, clusters,
        ))
    }

    /// Writes a model file.
    pub fn save(&self, path: &Path) -> Result<(), LearnedError> {
        std::fs::write(path, self.to_bytes()).map_err(|source| LearnedError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<AttributionModel, LearnedError> {
        let bytes = std::fs::read(path).map_err(|source| LearnedError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        AttributionModel::from_bytes(&bytes, path)
    }
}

/// The spans of a label sequence whose first token is document token `offset`.
pub fn spans_of_tags(tags: &[u8], offset: usize, margins: Option<&[f32]>) -> Vec<RoleSpan> {
    let mut out = Vec::new();
    let mut t = 0;
    while t < tags.len() {
        let y = tags[t] as usize;
        if y == 0 || y.is_multiple_of(2) {
            // An I- without its B- cannot come out of the constrained decoder; skip it.
            t += 1;
            continue;
        }
        let mut end = t + 1;
        while end < tags.len() && tags[end] as usize == y + 1 {
            end += 1;
        }
        let margin = margins.map_or(f32::INFINITY, |m| decode::span_margin(m, t, end));
        out.push(RoleSpan {
            role: (y - 1) / 2,
            tokens: offset + t..offset + end,
            margin,
        });
        t = end;
    }
    out
}

/// The rows of a word's [`WORD_TEMPLATES`] features (see [`WordRows`]), read from the
/// table: the same features as `DocFeatures::templates_of` makes of these values.
fn word_rows(table: &FeatureTable, v: &TokenValues) -> WordRows {
    let row = |f: u64| -> [i16; ROW_LANES] {
        let mut out = [0; ROW_LANES];
        if let Some(r) = table.get(f) {
            out.copy_from_slice(&r[..ROW_LANES]);
        }
        out
    };
    let mut own = [0i32; ROW_LANES];
    for f in [
        feat(T_W0, v.lower, 0, 0),
        feat(T_SUF3, v.suf3, 0, 0),
        feat(T_PREFIX4, v.prefix4, 0, 0),
        feat(T_CLUSTER, v.coarse, v.fine, 0),
    ] {
        add_row(&mut own, &row(f));
    }
    WordRows {
        word: v.lower,
        clusters: (v.coarse, v.fine),
        own,
        as_m1: row(feat(T_WM1, v.lower, 0, 0)),
        as_p1: row(feat(T_WP1, v.lower, 0, 0)),
        as_m2: row(feat(T_WM2, v.lower, 0, 0)),
        as_p2: row(feat(T_WP2, v.lower, 0, 0)),
    }
}

/// A bounds-checked little-endian reader.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Option<f32> {
        self.take(4)
            .map(|s| f32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Lang, Segmented};

    #[test]
    fn spans_from_tags_and_constraints() {
        let tags = [1u8, 2, 0, 3, 0, 5, 6, 6];
        let s = spans_of_tags(&tags, 10, None);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].role, s[0].tokens.clone()), (ROLE_SOURCE, 10..12));
        assert_eq!((s[2].role, s[2].tokens.clone()), (ROLE_CONTENT, 15..18));
        assert!(allowed(Some(1), 2));
        assert!(!allowed(Some(3), 2));
        assert!(!allowed(None, 4));
    }

    /// Every token's label scores with every feature hashed and read from the table: the
    /// reference for the dense rows and the word cache.
    fn reference_emissions(m: &AttributionModel, doc: &DocFeatures, seg: &Segmented) -> Vec<f32> {
        let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
        let mut em = vec![0.0; seg.tokens.len() * N_LABELS];
        for p in 0..doc.paragraphs.len() {
            let range = doc.paragraph_tokens(seg, p);
            if !doc.may_attribute(range.clone()) {
                continue;
            }
            doc.extract(seg, range.clone(), &mut hashes, &mut offsets);
            for (k, t) in range.enumerate() {
                let mut acc = [0i32; N_LABELS];
                for &h in &hashes[offsets[k] as usize..offsets[k + 1] as usize] {
                    if let Some(row) = m.table.get(h) {
                        for (o, &x) in acc.iter_mut().zip(&row[..N_LABELS]) {
                            *o += i32::from(x);
                        }
                    }
                }
                for (o, x) in em[t * N_LABELS..(t + 1) * N_LABELS].iter_mut().zip(acc) {
                    *o = x as f32 * m.step;
                }
            }
        }
        em
    }

    #[test]
    fn dense_rows_and_the_word_cache_score_as_the_hashed_table_does() {
        use crate::attribution::cues::CueLexicon;
        use crate::resources::DataFile;
        let lexicon = CueLexicon::parse(
            &DataFile::from_text(
                "cues.tsv",
                "form\tkind\tentity\nsaid\tspeech\t\nhe\tpronoun\tPER\nthat\tcomplementizer\t\n",
            ),
            Lang::En,
        )
        .unwrap();
        // Paragraphs of one, two and many tokens (the edges of the neighbour features),
        // words repeated within and across paragraphs (the word cache).
        let text = "He said that tax cuts work, and \"rain\" fell.\n\n\"Rain,\" he said. Officials said so.\n\nsaid\n\nhe said";
        let seg = crate::segment::segment(text, Lang::En, &Default::default());
        let doc = DocFeatures::new(text, Lang::En, &seg, &[], &lexicon);
        // Models that know every feature of the text, with pseudo-random weights.
        let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
        let mut keys = Vec::new();
        for p in 0..doc.paragraphs.len() {
            doc.extract(
                &seg,
                doc.paragraph_tokens(&seg, p),
                &mut hashes,
                &mut offsets,
            );
            keys.extend_from_slice(&hashes);
        }
        keys.sort_unstable();
        keys.dedup();
        let model = |seed: usize| {
            let weights: Vec<f32> = (0..keys.len() * N_LABELS)
                .map(|i| ((i * 7919 + seed) % 97) as f32 / 10.0 - 4.8)
                .collect();
            AttributionModel::new(
                keys.clone(),
                weights,
                vec![0.0; N_LABELS],
                vec![0.0; N_LABELS * N_LABELS],
                1.0,
                CueStats::default(),
                Clusters::default(),
            )
        };
        let (a, b) = (model(0), model(13));
        // The second pass of each model reads its words from the cache; switching models
        // must not mix their cached rows.
        for m in [&a, &b, &a, &b] {
            let want = reference_emissions(m, &doc, &seg);
            let mut got = TokenLabels::default();
            let spans = m.label_tokens(&doc, &seg, &mut got);
            assert_eq!(got.emissions, want);
            assert!(!spans.is_empty());
            // The labels are the Viterbi path of those scores.
            let mut scratch = DecodeScratch::default();
            let (mut tags, mut margins) = (Vec::new(), Vec::new());
            let range = doc.paragraph_tokens(&seg, 0);
            decode::viterbi(
                &want[range.start * N_LABELS..range.end * N_LABELS],
                N_LABELS,
                &m.c_start,
                &m.c_trans,
                &mut scratch,
                &mut tags,
                Some(&mut margins),
            );
            assert_eq!(got.tags[range], tags[..]);
        }
        let paragraph_lengths: Vec<usize> = (0..doc.paragraphs.len())
            .map(|p| doc.paragraph_tokens(&seg, p).len())
            .collect();
        assert!(paragraph_lengths.contains(&1) && paragraph_lengths.contains(&2));
    }

    #[test]
    fn words_that_share_their_first_letters_spread_over_the_word_cache() {
        let slots: std::collections::HashSet<usize> = (0..1000)
            .map(|i| word_slot(hash_bytes(1, format!("said{i:03}").as_bytes())))
            .collect();
        assert!(slots.len() > 900, "{} slots for 1000 words", slots.len());
    }

    #[test]
    fn model_bytes_round_trip_and_corruption_is_detected() {
        let keys = vec![11u64, 22];
        let weights: Vec<f32> = (0..2 * N_LABELS).map(|i| i as f32 - 3.0).collect();
        let mut stats = CueStats::default();
        stats.map.insert(5, 3);
        let mut clusters = Clusters::default();
        clusters.map_mut().insert(77, [3, 300]);
        clusters.map_mut().insert(78, [4, 65535]);
        let m = AttributionModel::new(
            keys,
            weights,
            vec![0.5; N_LABELS],
            vec![0.25; 49],
            0.7,
            stats.clone(),
            clusters.clone(),
        );
        let b = m.to_bytes();
        let back = AttributionModel::from_bytes(&b, Path::new("m.bin")).unwrap();
        assert_eq!(back.n_features(), 2);
        assert_eq!(back.confidence_scale, 0.7);
        assert_eq!(back.cue_stats, stats);
        assert_eq!(back.clusters, clusters);
        assert!((back.weights[3] - m.weights[3]).abs() < 1e-3);
        let mut bad = b.clone();
        bad[20] ^= 1;
        let err = AttributionModel::from_bytes(&bad, Path::new("m.bin")).unwrap_err();
        assert!(err.to_string().contains("m.bin"), "{err}");
        assert!(AttributionModel::from_bytes(&b[..10], Path::new("m.bin")).is_err());
    }
}
