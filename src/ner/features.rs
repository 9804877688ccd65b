//! Feature extraction for the embedded NER tagger.
//!
//! Every feature of a token is a 64-bit hash of a *template id* and one to three values
//! (word hashes, shape hashes, flags). Word-level values are hashed once per token into
//! [`TokenInfo`] and then combined, so extracting a sentence allocates nothing per feature:
//! the only buffers are the reusable ones in [`Scratch`]. The extractor knows no
//! language-specific word lists; language enters only through [`Lang`]'s case folding
//! (Turkic dotted/dotless i, Russian `ё`) and, optionally, word clusters learned from raw
//! text and name lists learned from training data, both stored in the model file.

use super::dense::Template;
use super::flat_map::FlatKeyMap;
use super::gazetteer::{self, Gazetteer};
use crate::document::{EntityType, Lang};
use crate::letter_case::LetterCase;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// Version of the feature templates. Stored in model files: a model trained with other
/// templates would silently score garbage, so loading checks it.
pub const FEATURE_SET_VERSION: u32 = 3;

/// Version of the templates over another tagger's view ([`Hint`]), the features only a
/// model stacked on slovnet has. Stored in the flags of such model files (see
/// `model_file.rs`) rather than in [`FEATURE_SET_VERSION`], so that changing them does not
/// invalidate the models that never read hints. Version 0 was the tag-only set (tag, with
/// the neighbours' tags, with the capitalisation, with the word).
pub const HINT_FEATURE_VERSION: u16 = 1;

/// The FxHash multiplier: a fast, well-mixing odd constant.
const K: u64 = 0x517c_c1b7_2722_0a95;

/// One FxHash step.
#[inline(always)]
fn fx(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(K)
}

/// Murmur3's finaliser, so that the low bits (used as hash-table slots) depend on every
/// input bit.
#[inline(always)]
fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hashes bytes eight at a time (FxHash style), seeded, with the length mixed in.
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = fx(h, u64::from_le_bytes(a));
    }
    let rem = chunks.remainder();
    if !rem.is_empty() {
        let mut a = [0u8; 8];
        a[..rem.len()].copy_from_slice(rem);
        h = fx(h, u64::from_le_bytes(a));
    }
    fx(h, bytes.len() as u64)
}

/// A feature from a template id and up to three values, finalised so that its low bits are
/// well mixed (the feature tables use them as slots). Shared with the attribution
/// labeller's features.
#[inline(always)]
pub(crate) fn feat(template: u64, a: u64, b: u64, c: u64) -> u64 {
    fmix(fx(fx(fx(template.wrapping_mul(K), a), b), c))
}

/// A domain-specific copy of a feature, for "frustratingly easy" domain adaptation when
/// training on transfer data (see `train.rs`).
pub fn domain_copy(feature: u64, domain: u64) -> u64 {
    fmix(fx(feature, domain.wrapping_add(0x9e37_79b9_7f4a_7c15)))
}

// Template ids. Never renumber: models store hashes of these (bump
// FEATURE_SET_VERSION if a template changes meaning).
/// Longest prefix feature, in characters.
const MAX_PREFIX: usize = 6;
const T_BIAS: u64 = 1;
const T_WORD: u64 = 2;
const T_EXACT: u64 = 3;
const T_PREFIX: u64 = 4; // + length
const T_SUFFIX: u64 = 10; // + length
const T_SHAPE: u64 = 20;
const T_CAPTYPE: u64 = 21;
const T_WORD_M1: u64 = 22;
const T_WORD_P1: u64 = 23;
const T_WORD_M2: u64 = 24;
const T_WORD_P2: u64 = 25;
const T_BIGRAM_M1: u64 = 26;
const T_BIGRAM_P1: u64 = 27;
const T_SHAPE_M1: u64 = 28;
const T_SHAPE_P1: u64 = 29;
const T_SHAPE_TRI: u64 = 30;
const T_FIRST_CAP: u64 = 31;
const T_POSITION: u64 = 32;
const T_SUF3_M1: u64 = 33;
const T_SUF3_P1: u64 = 34;
const T_WORD_M1_CAP: u64 = 35;
const T_CAP_WORD_P1: u64 = 36;
const T_ALLCAPS_SENT: u64 = 37;
const T_CLUSTER: u64 = 40; // + level
const T_CLUSTER_M1: u64 = 45;
const T_CLUSTER_P1: u64 = 46;
const T_GAZ: u64 = 60;
const T_HINT: u64 = 70;
const T_HINT_M1: u64 = 71;
const T_HINT_P1: u64 = 72;
const T_HINT_CAP: u64 = 73;
const T_HINT_WORD: u64 = 74;
const T_HINT_TYPE_PROB: u64 = 75;
const T_HINT_TYPE_PROB_CAP: u64 = 76;

/// Hash of the padding "word" before the sentence.
const BOS: u64 = 0x0b05_0b05_0b05_0b05;
/// Hash of the padding "word" after the sentence.
const EOS: u64 = 0x0e05_0e05_0e05_0e05;

/// Capitalisation classes of a word.
const CAP_LOWER: u64 = 0;
const CAP_TITLE: u64 = 1;
const CAP_UPPER: u64 = 2;
const CAP_MIXED: u64 = 3;
const CAP_DIGIT: u64 = 4;
const CAP_PUNCT: u64 = 5;
const CAP_OTHER: u64 = 6;

/// Templates whose values have small ranges, with a bound on each of the three values
/// ([`crate::ner::dense`]): about 14,000 rows (330 KB; the fine clusters of the Russian
/// model number 2,048 and more), read by index when tagging. Cluster ids past the bounds
/// (the "no cluster" sentinel, sentence edges) and tags of a tagger with more tags take
/// the hashed path, so the bounds change speed, never scores.
pub const DENSE_TEMPLATES: [(u64, [u64; 3]); 16] = [
    (T_BIAS, [1, 1, 1]),
    (T_CAPTYPE, [7, 1, 1]),
    (T_FIRST_CAP, [7, 2, 1]),
    (T_POSITION, [4, 1, 1]),
    (T_ALLCAPS_SENT, [7, 2, 1]),
    (T_CLUSTER, [512, 1, 1]),
    (T_CLUSTER + 1, [4096, 1, 1]),
    (T_CLUSTER_M1, [4096, 1, 1]),
    (T_CLUSTER_P1, [4096, 1, 1]),
    (T_GAZ, [16, 1, 1]),
    (T_HINT, [16, 1, 1]),
    (T_HINT_M1, [16, 16, 1]),
    (T_HINT_P1, [16, 16, 1]),
    (T_HINT_CAP, [16, 7, 1]),
    (T_HINT_TYPE_PROB, [4, 16, 1]),
    (T_HINT_TYPE_PROB_CAP, [4, 16, 7]),
];

/// Another tagger's view of one word, for a model stacked on that tagger (the stacked
/// Russian model reads slovnet's, [`crate::ner::SlovnetModel::hints`]). Probabilities come
/// as buckets ([`prob_bucket`]): the perceptron learns one weight per bucket, so how far
/// to trust the other tagger can depend on how sure it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hint {
    /// The tagger's tag id for the word (on its best path).
    pub tag: u8,
    /// [`prob_bucket`] of the marginal probability of each entity type (its `B-` and `I-`
    /// tags summed), indexed by [`entity_index`].
    pub type_probs: [u8; 4],
}

/// A small index for each entity type (the order of [`Hint::type_probs`]).
pub fn entity_index(kind: EntityType) -> usize {
    match kind {
        EntityType::Per => 0,
        EntityType::Org => 1,
        EntityType::Loc => 2,
        EntityType::Misc => 3,
    }
}

/// Upper bounds of the probability buckets below the top one: coarse where a tagger is
/// unsure, fine near certainty, where most of its tags are and where its mistakes still
/// differ (a 0.9 tag is wrong far more often than a 0.999 one).
const PROB_BOUNDS: [f32; 5] = [0.05, 0.3, 0.7, 0.95, 0.99];

/// The bucket of a probability: 0 (below 0.05) to 5 (0.99 and above).
pub fn prob_bucket(p: f32) -> u8 {
    PROB_BOUNDS.iter().take_while(|&&b| p >= b).count() as u8
}

/// Per-token values computed once and combined into features.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokenInfo {
    /// Hash of the case-folded word.
    pub lower: u64,
    /// Hash of the word as written.
    pub exact: u64,
    /// Hash of the collapsed shape (`Xx`, `X.X.`, `d-d`).
    pub shape: u64,
    /// Capitalisation class.
    pub cap: u64,
    /// Hash of the last three characters of the folded word.
    pub suf3: u64,
    /// Cluster ids of the word at each level, `u64::MAX` when unknown.
    pub clusters: [u64; 2],
}

/// A hasher for keys that are already 64-bit hashes: nearly passes them through, so
/// per-token lookups do not pay for SipHash.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used for our keys; anything else is folded in FxHash style.
        for &b in bytes {
            self.0 = fx(self.0, b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // FxHash-style keys have their best bits at the top; fold them into the low bits
        // that pick the bucket.
        self.0 = n ^ (n >> 32);
    }
}

/// A map keyed by feature-style hashes.
pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Word clusters learned from raw text: folded-word hash → cluster id at two granularities
/// (coarse, fine). Stored in the model file.
#[derive(Clone, Debug, Default)]
pub struct Clusters {
    /// Folded-word hash (as in [`TokenInfo::lower`]) → `[coarse, fine]` cluster ids.
    map: KeyMap<[u16; 2]>,
    /// The map laid out for lookups ([`FlatKeyMap`]), built at the first one.
    index: OnceLock<FlatKeyMap<[u16; 2]>>,
}

impl PartialEq for Clusters {
    fn eq(&self, other: &Clusters) -> bool {
        self.map == other.map
    }
}

impl Clusters {
    /// Clusters from a map of folded-word hash → `[coarse, fine]`.
    pub fn new(map: KeyMap<[u16; 2]>) -> Clusters {
        Clusters {
            map,
            index: OnceLock::new(),
        }
    }

    /// The clusters of a folded-word hash (from a lookup table built at the first call).
    #[inline]
    pub fn get(&self, key: u64) -> Option<[u16; 2]> {
        self.index
            .get_or_init(|| FlatKeyMap::new(&self.map))
            .get(key)
    }

    /// Every entry: folded-word hash → `[coarse, fine]`.
    pub fn map(&self) -> &KeyMap<[u16; 2]> {
        &self.map
    }

    /// The entries, to change (the lookup table is rebuilt at the next [`Clusters::get`]).
    pub fn map_mut(&mut self) -> &mut KeyMap<[u16; 2]> {
        self.index = OnceLock::new();
        &mut self.map
    }

    /// Number of words with clusters.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no word has clusters.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Bytes of one entry in [`Clusters::encode`]: word hash (u64), coarse and fine (u16),
    /// little-endian.
    pub const ENTRY_BYTES: usize = 12;

    /// Appends the entries to `out`, sorted by word hash (so the bytes are deterministic),
    /// without a count (the model files write it).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut entries: Vec<(u64, [u16; 2])> = self.map.iter().map(|(&k, &v)| (k, v)).collect();
        entries.sort_unstable();
        for (k, [coarse, fine]) in entries {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&coarse.to_le_bytes());
            out.extend_from_slice(&fine.to_le_bytes());
        }
    }

    /// Reads entries written by [`Clusters::encode`] (`bytes` holds whole entries).
    pub fn decode(bytes: &[u8]) -> Clusters {
        let mut map = KeyMap::default();
        map.reserve(bytes.len() / Self::ENTRY_BYTES);
        for c in bytes.chunks_exact(Self::ENTRY_BYTES) {
            let mut key = [0u8; 8];
            key.copy_from_slice(&c[..8]);
            let coarse = u16::from_le_bytes([c[8], c[9]]);
            let fine = u16::from_le_bytes([c[10], c[11]]);
            map.insert(u64::from_le_bytes(key), [coarse, fine]);
        }
        Clusters::new(map)
    }
}

/// Reusable buffers for extraction; one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    lower: String,
    bounds: Vec<(usize, usize)>,
    /// Per-token values of the last extracted sentence.
    pub tokens: Vec<TokenInfo>,
    lowers: Vec<u64>,
    gaz: Vec<u16>,
    /// One token's features before hashing.
    templates: Vec<Template>,
}

/// Case-folds one character like [`Lang::match_key`] does (lower case, Russian `ё`→`е`,
/// typographic apostrophes → `'`), so that the tagger and lexicons agree.
#[inline]
fn fold_char(lang: Lang, c: char) -> char {
    match (lang, lang.lower_char(c)) {
        (Lang::Ru, 'ё') => 'е',
        (_, '\u{2019}') | (_, '\u{2018}') | (_, '`') => '\'',
        (_, lower) => lower,
    }
}

/// The character class used by word shapes.
#[inline]
fn shape_class(c: char) -> u64 {
    match LetterCase::of(c) {
        LetterCase::Upper => b'X' as u64,
        LetterCase::Lower | LetterCase::Uncased => b'x' as u64,
        LetterCase::NotLetter if c.is_numeric() => b'd' as u64,
        LetterCase::NotLetter => c as u64,
    }
}

/// Computes the shape hash and capitalisation class of a word.
fn shape_and_cap(word: &str) -> (u64, u64) {
    let mut h = 0x5eed_u64;
    let mut prev = u64::MAX;
    let (mut upper, mut lower, mut digit, mut other, mut n) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    let mut first_upper = false;
    for c in word.chars() {
        let class = shape_class(c);
        if class != prev {
            h = fx(h, class);
            prev = class;
        }
        match class {
            88 => {
                if n == 0 {
                    first_upper = true;
                }
                upper += 1
            }
            120 => lower += 1,
            100 => digit += 1,
            _ => other += 1,
        }
        n += 1;
    }
    let cap = if upper + lower == 0 {
        if digit > 0 {
            CAP_DIGIT
        } else if other > 0 {
            CAP_PUNCT
        } else {
            CAP_OTHER
        }
    } else if upper == 0 {
        CAP_LOWER
    } else if lower == 0 {
        CAP_UPPER
    } else if first_upper && upper == 1 {
        CAP_TITLE
    } else {
        CAP_MIXED
    };
    (h, cap)
}

/// Extracts the features of every token of a sentence.
///
/// `hints` are another tagger's view of the words (one [`Hint`] per word; the stacked
/// Russian model uses slovnet's): when given, each word also gets features of its hint's
/// tag alone, with the neighbours' tags, with its capitalisation and with its word, and of
/// how probable the tagger finds each entity type for the word, alone and with the word's
/// capitalisation (a capitalised word the tagger half believes to be a name is a different
/// case from a lower-case one).
/// `out` receives the features of all tokens back to back and `offsets` the start of each
/// token's run plus a final end (so token `i` owns `out[offsets[i]..offsets[i + 1]]`).
#[allow(clippy::too_many_arguments)]
pub fn extract(
    lang: Lang,
    clusters: Option<&Clusters>,
    gazetteer: Option<&Gazetteer>,
    hints: Option<&[Hint]>,
    words: &[&str],
    scratch: &mut Scratch,
    out: &mut Vec<u64>,
    offsets: &mut Vec<u32>,
) {
    out.clear();
    offsets.clear();
    extract_templates(lang, clusters, gazetteer, hints, words, scratch, |_, fs| {
        offsets.push(out.len() as u32);
        out.extend(fs.iter().map(|&[t, a, b, c]| feat(t, a, b, c)));
    });
    offsets.push(out.len() as u32);
}

/// [`extract`] before hashing: calls `emit` once per token, in order, with the token's index
/// and its features as template id and values, in the order [`extract`] lists them. Tagging
/// reads the templates in [`DENSE_TEMPLATES`] without hashing them ([`crate::ner::dense`]).
#[allow(clippy::too_many_arguments)]
pub fn extract_templates(
    lang: Lang,
    clusters: Option<&Clusters>,
    gazetteer: Option<&Gazetteer>,
    hints: Option<&[Hint]>,
    words: &[&str],
    scratch: &mut Scratch,
    mut emit: impl FnMut(usize, &[Template]),
) {
    scratch.lower.clear();
    scratch.bounds.clear();
    scratch.tokens.clear();
    for word in words {
        let start = scratch.lower.len();
        let info = word_info(lang, clusters, word, &mut scratch.lower);
        scratch.bounds.push((start, scratch.lower.len()));
        scratch.tokens.push(info);
    }
    let context = Context::new(gazetteer, hints, scratch);
    // One token's features, handed over together (a call per feature cost more than the
    // lookups it feeds).
    let mut fs = std::mem::take(&mut scratch.templates);
    for i in 0..words.len() {
        fs.clear();
        let t = &scratch.tokens[i];
        let (start, end) = scratch.bounds[i];
        push_word_head(t, &scratch.lower[start..end], &mut fs);
        context.push_main(i, &scratch.tokens, &scratch.gaz, &mut fs);
        push_word_tail(t, clusters.is_some(), &mut fs);
        context.push_tail(i, &scratch.tokens, clusters.is_some(), &mut fs);
        emit(i, &fs);
    }
    scratch.templates = fs;
}

/// [`extract_templates`] in two parts, for a tagger that keeps each word's own templates
/// summed ([`crate::ner::model::NerModel`]'s word cache): the caller fills `scratch.tokens` with
/// each word's [`TokenInfo`] (from its cache, or [`word_templates`], which also gives the
/// word's own templates: those that depend on the word alone); `emit` then gets each
/// token's other templates (context, name lists, the other tagger's hints). Together they
/// are the templates [`extract_templates`] gives, in another order.
pub fn extract_context_templates(
    gazetteer: Option<&Gazetteer>,
    hints: Option<&[Hint]>,
    has_clusters: bool,
    scratch: &mut Scratch,
    mut emit: impl FnMut(usize, &[Template]),
) {
    let context = Context::new(gazetteer, hints, scratch);
    let mut fs = std::mem::take(&mut scratch.templates);
    for i in 0..scratch.tokens.len() {
        fs.clear();
        context.push_main(i, &scratch.tokens, &scratch.gaz, &mut fs);
        context.push_tail(i, &scratch.tokens, has_clusters, &mut fs);
        emit(i, &fs);
    }
    scratch.templates = fs;
}

/// A word's [`TokenInfo`] and its own templates (see [`extract_context_templates`]):
/// `folded` is a buffer, `fs` receives the templates.
pub fn word_templates(
    lang: Lang,
    clusters: Option<&Clusters>,
    word: &str,
    folded: &mut String,
    fs: &mut Vec<Template>,
) -> TokenInfo {
    folded.clear();
    let info = word_info(lang, clusters, word, folded);
    push_word_head(&info, folded, fs);
    push_word_tail(&info, clusters.is_some(), fs);
    info
}

/// The values of one word, its folded form appended to `folded`.
fn word_info(
    lang: Lang,
    clusters: Option<&Clusters>,
    word: &str,
    folded: &mut String,
) -> TokenInfo {
    let start = folded.len();
    for c in word.chars() {
        folded.push(fold_char(lang, c));
    }
    let folded = &folded[start..];
    let (shape, cap) = shape_and_cap(word);
    let lower = hash_bytes(T_WORD, folded.as_bytes());
    let suf3 =
        suffix_start(folded, 3).map_or(0, |s| hash_bytes(T_SUF3_M1, &folded.as_bytes()[s..]));
    let mut cl = [u64::MAX; 2];
    if let Some(c) = clusters.and_then(|c| c.get(lower)) {
        cl = [c[0] as u64, c[1] as u64];
    }
    TokenInfo {
        lower,
        exact: hash_bytes(T_EXACT, word.as_bytes()),
        shape,
        cap,
        suf3,
        clusters: cl,
    }
}

/// The word's own templates that [`extract`] lists first.
fn push_word_head(t: &TokenInfo, folded: &str, fs: &mut Vec<Template>) {
    fs.push([T_BIAS, 0, 0, 0]);
    fs.push([T_WORD, t.lower, 0, 0]);
    fs.push([T_EXACT, t.exact, 0, 0]);
    let bytes = folded.as_bytes();
    // Prefixes of 1..=6 and suffixes of 1..=5 characters (never the whole word): stems,
    // inflections and agglutinative case endings carry most of the type signal for
    // unseen Russian/Azerbaijani words.
    let mut nchars = 0usize;
    for (k, (idx, _)) in folded.char_indices().enumerate() {
        if k > 0 && k <= MAX_PREFIX {
            fs.push([T_PREFIX + k as u64, hash_bytes(0, &bytes[..idx]), 0, 0]);
        }
        nchars = k + 1;
    }
    for k in 1..=5usize {
        if k >= nchars {
            break;
        }
        if let Some(s) = suffix_start(folded, k) {
            fs.push([T_SUFFIX + k as u64, hash_bytes(0, &bytes[s..]), 0, 0]);
        }
    }
    fs.push([T_SHAPE, t.shape, 0, 0]);
    fs.push([T_CAPTYPE, t.cap, 0, 0]);
}

/// The word's own templates that [`extract`] lists after its context's: its clusters.
fn push_word_tail(t: &TokenInfo, has_clusters: bool, fs: &mut Vec<Template>) {
    if has_clusters {
        for (level, &c) in t.clusters.iter().enumerate() {
            fs.push([T_CLUSTER + level as u64, c, 0, 0]);
        }
    }
}

/// What a sentence's context templates read besides its tokens' values.
struct Context<'h> {
    has_gazetteer: bool,
    hints: Option<&'h [Hint]>,
    /// A headline in capitals reads differently from running text (CoNLL has many).
    all_caps_sentence: bool,
}

impl<'h> Context<'h> {
    /// Matches the name lists over `scratch.tokens` (into `scratch.gaz`).
    fn new(
        gazetteer: Option<&Gazetteer>,
        hints: Option<&'h [Hint]>,
        scratch: &mut Scratch,
    ) -> Context<'h> {
        if let Some(g) = gazetteer {
            scratch.lowers.clear();
            scratch
                .lowers
                .extend(scratch.tokens.iter().map(|t| t.lower));
            gazetteer::matches(g, &scratch.lowers, &mut scratch.gaz);
        }
        let (mut caps, mut lowers) = (0usize, 0usize);
        for t in &scratch.tokens {
            match t.cap {
                CAP_UPPER => caps += 1,
                CAP_LOWER | CAP_TITLE | CAP_MIXED => lowers += 1,
                _ => {}
            }
        }
        let n = scratch.tokens.len();
        Context {
            has_gazetteer: gazetteer.is_some(),
            hints: hints.filter(|h| h.len() == n),
            all_caps_sentence: caps >= 2 && lowers == 0,
        }
    }

    /// Neighbouring words, shapes and suffixes, position and the name lists.
    fn push_main(&self, i: usize, toks: &[TokenInfo], gaz: &[u16], fs: &mut Vec<Template>) {
        let n = toks.len();
        let t = &toks[i];
        let at = |j: isize| toks.get(usize::try_from(j).ok()?);
        let ii = i as isize;
        let m1 = at(ii - 1);
        let p1 = at(ii + 1);
        let w_m1 = m1.map_or(BOS, |t| t.lower);
        let w_p1 = p1.map_or(EOS, |t| t.lower);
        let w_m2 = at(ii - 2).map_or(BOS, |t| t.lower);
        let w_p2 = at(ii + 2).map_or(EOS, |t| t.lower);
        let s_m1 = m1.map_or(BOS, |t| t.shape);
        let s_p1 = p1.map_or(EOS, |t| t.shape);
        fs.push([T_WORD_M1, w_m1, 0, 0]);
        fs.push([T_WORD_P1, w_p1, 0, 0]);
        fs.push([T_WORD_M2, w_m2, 0, 0]);
        fs.push([T_WORD_P2, w_p2, 0, 0]);
        fs.push([T_BIGRAM_M1, w_m1, t.lower, 0]);
        fs.push([T_BIGRAM_P1, t.lower, w_p1, 0]);
        fs.push([T_SHAPE_M1, s_m1, t.shape, 0]);
        fs.push([T_SHAPE_P1, t.shape, s_p1, 0]);
        fs.push([T_SHAPE_TRI, s_m1, t.shape, s_p1]);
        fs.push([T_FIRST_CAP, t.cap, (i == 0) as u64, 0]);
        let pos = match i {
            0 => 0,
            1 => 1,
            _ if i + 1 == n => 2,
            _ => 3,
        };
        fs.push([T_POSITION, pos, 0, 0]);
        fs.push([T_SUF3_M1, m1.map_or(BOS, |t| t.suf3), 0, 0]);
        fs.push([T_SUF3_P1, p1.map_or(EOS, |t| t.suf3), 0, 0]);
        fs.push([T_WORD_M1_CAP, w_m1, t.cap, 0]);
        fs.push([T_CAP_WORD_P1, t.cap, w_p1, 0]);
        fs.push([T_ALLCAPS_SENT, t.cap, self.all_caps_sentence as u64, 0]);
        if self.has_gazetteer {
            let mut bits = gaz[i];
            while bits != 0 {
                let b = bits.trailing_zeros() as u64;
                bits &= bits - 1;
                fs.push([T_GAZ, b, 0, 0]);
            }
        }
    }

    /// The neighbours' clusters and the other tagger's hints.
    fn push_tail(&self, i: usize, toks: &[TokenInfo], has_clusters: bool, fs: &mut Vec<Template>) {
        let t = &toks[i];
        if has_clusters {
            let m1 = i.checked_sub(1).map(|j| &toks[j]);
            let p1 = toks.get(i + 1);
            fs.push([T_CLUSTER_M1, m1.map_or(BOS, |t| t.clusters[1]), 0, 0]);
            fs.push([T_CLUSTER_P1, p1.map_or(EOS, |t| t.clusters[1]), 0, 0]);
        }
        if let Some(h) = self.hints {
            let hint = u64::from(h[i].tag);
            let h_m1 = if i == 0 { BOS } else { u64::from(h[i - 1].tag) };
            let h_p1 = h.get(i + 1).map_or(EOS, |x| u64::from(x.tag));
            fs.push([T_HINT, hint, 0, 0]);
            fs.push([T_HINT_M1, h_m1, hint, 0]);
            fs.push([T_HINT_P1, hint, h_p1, 0]);
            fs.push([T_HINT_CAP, hint, t.cap, 0]);
            fs.push([T_HINT_WORD, hint, t.lower, 0]);
            for (k, &b) in h[i].type_probs.iter().enumerate() {
                // Most words are near-certainly not of most types: only the types the
                // tagger gives some weight get features.
                if b > 0 {
                    fs.push([T_HINT_TYPE_PROB, k as u64, u64::from(b), 0]);
                    fs.push([T_HINT_TYPE_PROB_CAP, k as u64, u64::from(b), t.cap]);
                }
            }
        }
    }
}

/// Byte index where the last `k` characters of `s` start, if `s` has at least `k`.
#[inline]
fn suffix_start(s: &str, k: usize) -> Option<usize> {
    s.char_indices().rev().nth(k - 1).map(|(i, _)| i)
}

/// A word case-folded as the tagger folds it (see `fold_char`).
pub fn fold(lang: Lang, word: &str) -> String {
    word.chars().map(|c| fold_char(lang, c)).collect()
}

/// Hash of a folded word, as used for [`TokenInfo::lower`] and the cluster map.
pub fn word_key(lang: Lang, word: &str) -> u64 {
    folded_word_key(&fold(lang, word))
}

/// [`word_key`] of a word already folded by [`Lang::match_key`] (the same folding), for
/// callers that hold the folded form anyway.
pub fn folded_word_key(folded: &str) -> u64 {
    hash_bytes(T_WORD, folded.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(lang: Lang, words: &[&str]) -> (Vec<u64>, Vec<u32>) {
        let mut s = Scratch::default();
        let (mut out, mut off) = (Vec::new(), Vec::new());
        extract(lang, None, None, None, words, &mut s, &mut out, &mut off);
        (out, off)
    }

    #[test]
    fn offsets_tile_the_output() {
        let (out, off) = features(Lang::En, &["Peter", "Blackburn", "said", "."]);
        assert_eq!(off.len(), 5);
        assert_eq!(*off.last().unwrap() as usize, out.len());
        assert!(off.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn same_word_in_same_context_gives_same_features() {
        let (a, oa) = features(Lang::En, &["in", "Paris", "today"]);
        let (b, ob) = features(Lang::En, &["in", "Paris", "today"]);
        assert_eq!(a, b);
        assert_eq!(oa, ob);
    }

    #[test]
    fn turkic_case_folding_is_used() {
        // "İstanbul" folds to "istanbul" in Azerbaijani, so the word feature matches the
        // lower-case spelling; in English it would not.
        let az = word_key(Lang::Az, "İstanbul");
        assert_eq!(az, word_key(Lang::Az, "istanbul"));
        assert_eq!(word_key(Lang::Az, "IRAQ"), word_key(Lang::Az, "ıraq"));
        assert_eq!(word_key(Lang::Ru, "Ёлка"), word_key(Lang::Ru, "елка"));
    }

    #[test]
    fn match_key_folding_gives_the_same_word_key() {
        // The attribution labeller looks clusters up with `folded_word_key(match_key(w))`.
        for (lang, w) in [
            (Lang::En, "Trump’s"),
            (Lang::En, "SAID"),
            (Lang::Ru, "Ёлка"),
            (Lang::Az, "İstanbul"),
            (Lang::Az, "IRAQ"),
        ] {
            assert_eq!(
                folded_word_key(&lang.match_key(w)),
                word_key(lang, w),
                "{w}"
            );
        }
    }

    #[test]
    fn cyrillic_fast_path_matches_unicode_lowercasing() {
        for lang in Lang::ALL {
            for u in 0x0400u32..0x0460 {
                let c = char::from_u32(u).unwrap();
                let expected: String = lang.match_key(&c.to_string());
                assert_eq!(fold_char(lang, c).to_string(), expected, "{c}");
            }
        }
    }

    #[test]
    fn shapes_and_caps() {
        assert_eq!(shape_and_cap("Paris").1, CAP_TITLE);
        assert_eq!(shape_and_cap("NATO").1, CAP_UPPER);
        assert_eq!(shape_and_cap("iPhone").1, CAP_MIXED);
        assert_eq!(shape_and_cap("1996").1, CAP_DIGIT);
        assert_eq!(shape_and_cap(",").1, CAP_PUNCT);
        assert_eq!(shape_and_cap("Xxxx").0, shape_and_cap("Paris").0);
        assert_ne!(shape_and_cap("PARIS").0, shape_and_cap("Paris").0);
    }

    #[test]
    fn suffixes_respect_char_boundaries() {
        assert_eq!(suffix_start("bakıda", 2), Some(5));
        assert_eq!(suffix_start("bakıda", 3), Some(3));
        assert_eq!(suffix_start("ab", 3), None);
        // Multi-byte words must not panic.
        let (out, _) = features(Lang::Ru, &["Москвы", "ё", "—"]);
        assert!(!out.is_empty());
    }

    #[test]
    fn empty_sentence_has_no_features() {
        let (out, off) = features(Lang::En, &[]);
        assert!(out.is_empty());
        assert_eq!(off, vec![0]);
    }

    fn run_with_hints(words: &[&str], hints: &[Hint]) -> Vec<u64> {
        run_with_hints_and_offsets(words, hints).0
    }

    fn run_with_hints_and_offsets(words: &[&str], hints: &[Hint]) -> (Vec<u64>, Vec<u32>) {
        let mut s = Scratch::default();
        let (mut out, mut off) = (Vec::new(), Vec::new());
        extract(
            Lang::Ru,
            None,
            None,
            Some(hints),
            words,
            &mut s,
            &mut out,
            &mut off,
        );
        (out, off)
    }

    fn tags(tags: &[u8]) -> Vec<Hint> {
        tags.iter()
            .map(|&tag| Hint {
                tag,
                ..Hint::default()
            })
            .collect()
    }

    #[test]
    fn hints_add_features_of_their_own() {
        let words = ["Иван", "Петров", "сказал"];
        let (plain, _) = features(Lang::Ru, &words);
        let a = run_with_hints(&words, &tags(&[2, 3, 1]));
        // Five tag features per word; no type probabilities, no features of them.
        assert_eq!(a.len(), plain.len() + 5 * words.len());
        assert_ne!(a, run_with_hints(&words, &tags(&[1, 1, 1])));
        // Hints that do not fit the sentence are ignored.
        assert_eq!(run_with_hints(&words, &tags(&[2, 3])), plain);
    }

    #[test]
    fn type_probabilities_are_features_when_not_negligible() {
        let words = ["мэрии", "Москвы", "."];
        let base = tags(&[1, 4, 1]);
        let with = |t: usize, kind: EntityType, bucket: u8| {
            let mut h = base.clone();
            h[t].type_probs[entity_index(kind)] = bucket;
            run_with_hints_and_offsets(&words, &h)
        };
        let (plain, plain_off) = run_with_hints_and_offsets(&words, &base);
        // A type the tagger gives no weight adds nothing.
        assert_eq!(with(1, EntityType::Per, 0).0, plain);
        // Any other bucket adds two features (alone and with the capitalisation) to that
        // word only, and different buckets give different features.
        let (loc5, off) = with(1, EntityType::Loc, 5);
        assert_eq!(loc5.len(), plain.len() + 2);
        assert_eq!(off[1], plain_off[1]);
        assert_eq!(off[2], plain_off[2] + 2);
        assert_ne!(with(1, EntityType::Loc, 3).0, loc5);
        assert_ne!(with(1, EntityType::Org, 5).0, loc5);
        // The same probability on a lower-case word shares the plain feature but not the
        // one with the capitalisation.
        let (org0, off0) = with(0, EntityType::Org, 5);
        let (org1, off1) = with(1, EntityType::Org, 5);
        let added = |f: &[u64], o: &[u32], t: usize| -> Vec<u64> {
            let run = &f[o[t] as usize..o[t + 1] as usize];
            let before = &plain[plain_off[t] as usize..plain_off[t + 1] as usize];
            run.iter()
                .filter(|x| !before.contains(x))
                .copied()
                .collect()
        };
        let (a, b) = (added(&org0, &off0, 0), added(&org1, &off1, 1));
        assert_eq!((a.len(), b.len()), (2, 2));
        assert_eq!(a.iter().filter(|x| b.contains(x)).count(), 1);
    }

    #[test]
    fn probabilities_fall_into_buckets() {
        assert_eq!(prob_bucket(0.0), 0);
        assert_eq!(prob_bucket(0.049), 0);
        assert_eq!(prob_bucket(0.05), 1);
        assert_eq!(prob_bucket(0.5), 2);
        assert_eq!(prob_bucket(0.9), 3);
        assert_eq!(prob_bucket(0.98), 4);
        assert_eq!(prob_bucket(0.995), 5);
        assert_eq!(prob_bucket(1.0), 5);
    }

    #[test]
    fn hash_bytes_depends_on_every_byte_and_length() {
        assert_ne!(hash_bytes(0, b"abcdefgh1"), hash_bytes(0, b"abcdefgh2"));
        assert_ne!(hash_bytes(0, b"a"), hash_bytes(0, b"a\0"));
    }
}
