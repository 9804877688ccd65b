//! Features of the learned attribution labeller (see [`super::learned`]).
//!
//! The labeller reads one paragraph at a time (attributions rarely cross a paragraph, but
//! often cross a sentence: a quote, then "he said" in the next sentence). Every token gets a
//! list of 64-bit feature hashes, built like the NER tagger's (template id plus values), from
//! values computed once per document in [`DocFeatures`]: the folded word, its suffix and
//! capitalisation, its role in the cue lexicon (`models/<lang>/cues.tsv`: cue kind, pronoun,
//! role noun, complementiser), its NER tag, whether it lies inside a quotation, and its
//! position relative to the nearest lexicon cue of its sentence (distance buckets, commas
//! and quotes in between), and its word clusters (coarse and fine, the English NER model's,
//! stored in the labeller's model file): they stand in for the part of speech that clause and
//! noun-phrase edges follow. No word list lives here: language enters through the lexicon and
//! [`Lang::match_key`].

use super::cues::{CueKind, CueLexicon};
use super::learned::CueStats;
use super::quotes::find_quotes;
use crate::document::{Entity, Lang, Segmented};
use crate::letter_case::{self, LetterCase};
use crate::ner::features::{Clusters, feat, folded_word_key, hash_bytes};
use std::ops::Range;

/// Version of the templates below; stored in model files, checked at load.
pub const FEATURE_SET_VERSION: u32 = 2;

// Template ids: never renumber (bump FEATURE_SET_VERSION instead).
pub(super) const T_BIAS: u64 = 1;
pub(super) const T_W0: u64 = 2;
pub(super) const T_WM1: u64 = 3;
pub(super) const T_WP1: u64 = 4;
pub(super) const T_WM2: u64 = 5;
pub(super) const T_WP2: u64 = 6;
pub(super) const T_BI_M1: u64 = 7;
pub(super) const T_BI_P1: u64 = 8;
pub(super) const T_SUF3: u64 = 9;
pub(super) const T_CAP: u64 = 10;
pub(super) const T_CAP3: u64 = 11;
pub(super) const T_LEX: u64 = 12;
pub(super) const T_LEX_M1: u64 = 13;
pub(super) const T_LEX_P1: u64 = 14;
pub(super) const T_NER: u64 = 15;
pub(super) const T_NER_CTX: u64 = 16;
pub(super) const T_QUOTE: u64 = 17;
pub(super) const T_QUOTE_W0: u64 = 18;
pub(super) const T_LEFT: u64 = 20;
pub(super) const T_RIGHT: u64 = 21;
pub(super) const T_LEFT_RIGHT: u64 = 22;
pub(super) const T_LEFT_QUOTE: u64 = 23;
pub(super) const T_RIGHT_QUOTE: u64 = 24;
pub(super) const T_SENT_POS: u64 = 25;
pub(super) const T_SENT_INDEX: u64 = 26;
pub(super) const T_PUNCT_CTX: u64 = 27;
pub(super) const T_W0_LEFT: u64 = 28;
pub(super) const T_W0_RIGHT: u64 = 29;
pub(super) const T_LEFT_SEP: u64 = 30;
pub(super) const T_RIGHT_SEP: u64 = 31;
pub(super) const T_PARA_CUE: u64 = 32;
pub(super) const T_CUE_WORD: u64 = 33;
pub(super) const T_LEX_NER: u64 = 34;
pub(super) const T_TRIGRAM: u64 = 35;
pub(super) const T_PREFIX4: u64 = 36;
pub(super) const T_SENT_DIST: u64 = 37;
pub(super) const T_LEFT_CUE_WORD: u64 = 38;
pub(super) const T_RIGHT_CUE_WORD: u64 = 39;
pub(super) const T_LEARNED: u64 = 40;
pub(super) const T_LEARNED_LEFT: u64 = 41;
pub(super) const T_LEARNED_RIGHT: u64 = 42;
pub(super) const T_CLUSTER: u64 = 43;
pub(super) const T_CLUSTER_M1: u64 = 44;
pub(super) const T_CLUSTER_P1: u64 = 45;
pub(super) const T_CLUSTER_CTX: u64 = 46;
pub(super) const T_CLUSTER_CUES: u64 = 47;
pub(super) const T_CLUSTER_LEFT: u64 = 48;
pub(super) const T_CLUSTER_RIGHT: u64 = 49;

pub use crate::ner::dense::Template;

/// Features per token.
pub const N_TEMPLATES: usize = 48;

/// The templates that each depend on one word alone (a bit per template id): the token's
/// folded word, suffix, prefix and clusters (all functions of the folded word) and the
/// folded words of its neighbours at -1, +1, -2, +2. Run-time scoring takes their rows from
/// a per-word cache instead of the table (`learned.rs`); training reads all 48 alike.
pub const WORD_TEMPLATES: u64 = 1 << T_W0
    | 1 << T_SUF3
    | 1 << T_PREFIX4
    | 1 << T_CLUSTER
    | 1 << T_WM1
    | 1 << T_WP1
    | 1 << T_WM2
    | 1 << T_WP2;

/// The folded-word value of the positions beyond a paragraph's edges.
pub(super) const EDGE_WORD: u64 = 0xb05;

/// Cluster id of words without a cluster.
const NO_CLUSTER: u64 = u16::MAX as u64;
/// Cluster id of the positions beyond the paragraph's edges.
const EDGE_CLUSTER: u64 = NO_CLUSTER + 1;

/// Lexicon roles of a token (bit flags beyond the cue kind).
const LEX_NONE: u64 = 0;
const LEX_CUE_FIRST: u64 = 1;
const LEX_CUE_INSIDE: u64 = 2;
const LEX_PRONOUN: u64 = 3;
const LEX_ROLE: u64 = 4;
const LEX_COMPLEMENTIZER: u64 = 5;
const LEX_NEGATION: u64 = 6;

/// Values of one token, computed once per document (also read by the content-boundary
/// re-ranker, `learned_bounds.rs`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TokenValues {
    pub(super) lower: u64,
    /// The folded word's key in the NER model's cluster map.
    pub(super) cluster_key: u64,
    /// Coarse and fine word cluster ([`NO_CLUSTER`] when unknown).
    pub(super) coarse: u64,
    pub(super) fine: u64,
    pub(super) suf3: u64,
    /// Hash of the first four characters of the folded word (a crude stem).
    pub(super) prefix4: u64,
    pub(super) cap: u64,
    /// `LEX_*`.
    pub(super) lex: u64,
    /// Cue kind (as a small number) for cue tokens, else 0.
    pub(super) cue_kind: u64,
    /// 0 = O, 1 + 2·type (+1 inside) for entity tokens.
    pub(super) ner: u64,
    /// 0 outside quotes, 1 inside, 2 a quotation mark.
    pub(super) quote: u64,
    /// 0 none, 1 comma, 2 colon, 3 sentence-final, 4 dash, 5 other punctuation.
    pub(super) punct: u64,
    /// How often the word starts a cue in the training data ([`CueStats`] bucket, 0-4).
    pub(super) learned: u64,
}

impl TokenValues {
    /// Whether the token counts as a cue for the distance features: a lexicon cue or a word
    /// that often starts a cue in the training data.
    pub(super) fn cue_like(&self) -> bool {
        self.cue_kind != 0 || self.learned >= CUE_LIKE_BUCKET
    }
}

/// [`CueStats`] bucket from which a word opens a paragraph to the labeller
/// ([`DocFeatures::may_attribute`]).
pub const GATE_BUCKET: u64 = 1;

/// [`CueStats`] buckets from this one up make a word cue-like.
const CUE_LIKE_BUCKET: u64 = 3;

/// Per-document token values and paragraph layout.
#[derive(Clone, Debug, Default)]
pub struct DocFeatures {
    values: Vec<TokenValues>,
    /// Token index → sentence index.
    sentence_of: Vec<usize>,
    /// Whether the token starts a lexicon cue.
    cue_start: Vec<bool>,
    /// Sentence ranges grouped into paragraphs (sentence indices).
    pub paragraphs: Vec<Range<usize>>,
}

fn cue_kind_id(kind: CueKind) -> u64 {
    match kind {
        CueKind::Speech => 1,
        CueKind::Report => 2,
        CueKind::AccordingBefore => 3,
        CueKind::AccordingAfter => 4,
        CueKind::ReportBefore => 5,
        CueKind::QuotedAs => 6,
        _ => 7,
    }
}

fn cap_class(word: &str) -> u64 {
    let mut chars = word.chars();
    let Some(first) = chars.next() else { return 0 };
    if !letter_case::is_alphanumeric(first) {
        return 5;
    }
    if first.is_numeric() {
        return 4;
    }
    let rest_upper = word
        .chars()
        .map(LetterCase::of)
        .filter(|c| c.is_alphabetic())
        .all(|c| c == LetterCase::Upper);
    match (LetterCase::of(first) == LetterCase::Upper, rest_upper) {
        (true, true) if word.chars().count() > 1 => 2,
        (true, _) => 1,
        _ => 0,
    }
}

fn punct_class(word: &str) -> u64 {
    match word {
        "," => 1,
        ":" => 2,
        "." | "!" | "?" => 3,
        "-" | "—" | "–" => 4,
        w if w.chars().all(|c| !letter_case::is_alphanumeric(c)) => 5,
        _ => 0,
    }
}

impl DocFeatures {
    /// Computes the token values of a document.
    pub fn new(
        text: &str,
        lang: Lang,
        segmented: &Segmented,
        entities: &[Entity],
        lexicon: &CueLexicon,
    ) -> DocFeatures {
        let keys: Vec<String> = segmented
            .tokens
            .iter()
            .map(|t| lang.match_key(t.text(text)))
            .collect();
        DocFeatures::with_keys(text, segmented, entities, lexicon, &keys)
    }

    /// [`DocFeatures::new`] given the tokens' lexicon keys ([`Lang::match_key`]), which the
    /// rules' view of the document already holds.
    pub fn with_keys(
        text: &str,
        segmented: &Segmented,
        entities: &[Entity],
        lexicon: &CueLexicon,
        keys: &[String],
    ) -> DocFeatures {
        let tokens = &segmented.tokens;
        debug_assert_eq!(keys.len(), tokens.len());
        let mut values: Vec<TokenValues> = tokens
            .iter()
            .zip(keys)
            .map(|(t, key)| {
                let word = t.text(text);
                // The last three and the first four characters, as slices of the key.
                let suffix = key.char_indices().rev().nth(2).map_or(0, |(i, _)| i);
                let prefix = key.char_indices().nth(4).map_or(key.len(), |(i, _)| i);
                TokenValues {
                    lower: hash_bytes(1, key.as_bytes()),
                    cluster_key: folded_word_key(key),
                    coarse: NO_CLUSTER,
                    fine: NO_CLUSTER,
                    suf3: hash_bytes(2, &key.as_bytes()[suffix..]),
                    prefix4: hash_bytes(3, &key.as_bytes()[..prefix]),
                    cap: cap_class(word),
                    punct: punct_class(word),
                    ..TokenValues::default()
                }
            })
            .collect();
        let mut cue_start = vec![false; tokens.len()];
        let mut i = 0;
        while i < tokens.len() {
            // Most words are in no lexicon entry: one lookup settles them.
            if !lexicon.knows(&keys[i]) {
                i += 1;
                continue;
            }
            if let Some(m) = lexicon.match_at(keys, i, CueKind::is_cue) {
                cue_start[i] = true;
                let end = (i + m.len).min(tokens.len());
                for (k, v) in values[i..end].iter_mut().enumerate() {
                    v.lex = if k == 0 {
                        LEX_CUE_FIRST
                    } else {
                        LEX_CUE_INSIDE
                    };
                    v.cue_kind = cue_kind_id(m.kind);
                }
                i = end;
                continue;
            }
            let key = &keys[i];
            values[i].lex = if lexicon.is(key, CueKind::Pronoun) {
                LEX_PRONOUN
            } else if lexicon.is(key, CueKind::Role) {
                LEX_ROLE
            } else if lexicon.is(key, CueKind::Complementizer) {
                LEX_COMPLEMENTIZER
            } else if lexicon.is(key, CueKind::Negation) {
                LEX_NEGATION
            } else {
                LEX_NONE
            };
            i += 1;
        }
        for e in entities {
            let base = 1 + 2 * e.kind as u64;
            for t in e.tokens.clone() {
                if let Some(v) = values.get_mut(t) {
                    v.ner = if t == e.tokens.start { base } else { base + 1 };
                }
            }
        }
        for pair in find_quotes(text, tokens) {
            for v in &mut values[pair.open + 1..pair.close] {
                v.quote = 1;
            }
            values[pair.open].quote = 2;
            values[pair.close].quote = 2;
        }
        let mut sentence_of = vec![0; tokens.len()];
        let mut paragraphs: Vec<Range<usize>> = Vec::new();
        for (si, s) in segmented.sentences.iter().enumerate() {
            for slot in &mut sentence_of[s.tokens.clone()] {
                *slot = si;
            }
            let breaks = si > 0 && text[segmented.sentences[si - 1].end..s.start].contains('\n');
            match paragraphs.last_mut() {
                Some(p) if !breaks => p.end = si + 1,
                _ => paragraphs.push(si..si + 1),
            }
        }
        DocFeatures {
            values,
            sentence_of,
            cue_start,
            paragraphs,
        }
    }

    /// Marks the words of `stats` (call before extracting; the model's own stats at run
    /// time, the training data's while training).
    pub fn apply_cue_stats(&mut self, stats: &CueStats) {
        for v in &mut self.values {
            v.learned = stats.map.get(&v.lower).copied().unwrap_or(0) as u64;
        }
    }

    /// Marks every token's word clusters (call before extracting, with the model's
    /// clusters; none leaves every token without a cluster).
    pub fn apply_clusters(&mut self, clusters: &Clusters) {
        for v in &mut self.values {
            let c = clusters.get(v.cluster_key);
            v.coarse = c.map_or(NO_CLUSTER, |c| u64::from(c[0]));
            v.fine = c.map_or(NO_CLUSTER, |c| u64::from(c[1]));
        }
    }

    /// The values of every token.
    pub(super) fn values(&self) -> &[TokenValues] {
        &self.values
    }

    /// Folded-word hash of every token (the keys of [`CueStats`]).
    pub fn word_hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.values.iter().map(|v| v.lower)
    }

    /// Whether a token range can hold an attribution at all: it has a lexicon cue, a word
    /// that starts cues in the training data at least [`GATE_BUCKET`]'s share of the time,
    /// or a quotation mark. The labeller skips other paragraphs, which cost time and gave
    /// nothing on PolNeAR dev (the scores are the same with and without the gate).
    pub fn may_attribute(&self, range: Range<usize>) -> bool {
        self.values[range]
            .iter()
            .any(|v| v.cue_kind != 0 || v.learned >= GATE_BUCKET || v.quote == 2)
    }

    /// The token range of paragraph `p`.
    pub fn paragraph_tokens(&self, segmented: &Segmented, p: usize) -> Range<usize> {
        let sentences = &self.paragraphs[p];
        let first = &segmented.sentences[sentences.start];
        let last = &segmented.sentences[sentences.end - 1];
        first.tokens.start..last.tokens.end
    }

    /// Writes the features of every token of `range` to `hashes`; token `t` (relative to
    /// the range start) owns `hashes[offsets[t]..offsets[t + 1]]`.
    pub fn extract(
        &self,
        segmented: &Segmented,
        range: Range<usize>,
        hashes: &mut Vec<u64>,
        offsets: &mut Vec<u32>,
    ) {
        hashes.clear();
        offsets.clear();
        self.templates_of(segmented, range, |fs| {
            offsets.push(hashes.len() as u32);
            hashes.extend(fs.iter().map(|&[t, a, b, c]| feat(t, a, b, c)));
        });
        offsets.push(hashes.len() as u32);
    }

    /// Calls `each` with the features of every token of `range` in order, unhashed: template
    /// id and three values each (`feat` hashes them). Run-time scoring reads some of them
    /// without hashing ([`crate::ner::dense`]).
    pub fn templates_of(
        &self,
        segmented: &Segmented,
        range: Range<usize>,
        mut each: impl FnMut(&[Template; N_TEMPLATES]),
    ) {
        let v = &self.values;
        let at = |i: isize| -> TokenValues {
            if i < range.start as isize || i >= range.end as isize {
                TokenValues {
                    lower: EDGE_WORD,
                    coarse: EDGE_CLUSTER,
                    fine: EDGE_CLUSTER,
                    ..TokenValues::default()
                }
            } else {
                v[i as usize]
            }
        };
        let para_has_cue = self.cue_start[range.clone()].iter().any(|&c| c) as u64;
        let first_sentence = self.sentence_of.get(range.start).copied().unwrap_or(0);
        let sides = self.nearest_cues(segmented, range.clone());
        for t in range.clone() {
            let i = t as isize;
            let (m2, m1, w, p1, p2) = (at(i - 2), at(i - 1), v[t], at(i + 1), at(i + 2));
            let si = self.sentence_of[t];
            let sentence = &segmented.sentences[si];
            let [(left, left_sep, left_at), (right, right_sep, right_at)] = sides[t - range.start];
            let cue_word = |at: Option<usize>| at.map_or(0, |i| v[i].lower);
            let cue_learned = |at: Option<usize>| at.map_or(9, |i| v[i].learned);
            let bucket = |d: usize| match d {
                0 => 0,
                1 => 1,
                2..=3 => 2,
                4..=7 => 3,
                8..=15 => 4,
                _ => 5,
            };
            let from_start = bucket(t - sentence.tokens.start);
            let to_end = bucket(sentence.tokens.end - t - 1);
            let pos = if t == sentence.tokens.start {
                0
            } else if t + 1 == sentence.tokens.end {
                1
            } else if t + 2 == sentence.tokens.end {
                2
            } else {
                3
            };
            let in_cue = u64::from(w.cue_kind != 0) + 2 * u64::from(w.cue_like());
            let fs: [Template; N_TEMPLATES] = [
                [T_BIAS, 0, 0, 0],
                [T_W0, w.lower, 0, 0],
                [T_WM1, m1.lower, 0, 0],
                [T_WP1, p1.lower, 0, 0],
                [T_WM2, m2.lower, 0, 0],
                [T_WP2, p2.lower, 0, 0],
                [T_BI_M1, m1.lower, w.lower, 0],
                [T_BI_P1, w.lower, p1.lower, 0],
                [T_SUF3, w.suf3, 0, 0],
                [T_CAP, w.cap, 0, 0],
                [T_CAP3, m1.cap, w.cap, p1.cap],
                [T_LEX, w.lex, w.cue_kind, 0],
                [T_LEX_M1, m1.lex, m1.cue_kind, w.lex],
                [T_LEX_P1, p1.lex, p1.cue_kind, w.lex],
                [T_NER, w.ner, 0, 0],
                [T_NER_CTX, m1.ner, w.ner, p1.ner],
                [T_QUOTE, w.quote, m1.quote, p1.quote],
                [T_QUOTE_W0, w.quote, w.lower, 0],
                [T_LEFT, left, in_cue, 0],
                [T_RIGHT, right, in_cue, 0],
                [T_LEFT_RIGHT, left, right, 0],
                [T_LEFT_QUOTE, left, w.quote, 0],
                [T_RIGHT_QUOTE, right, w.quote, 0],
                [T_SENT_POS, pos, w.punct, 0],
                [T_SENT_INDEX, (si - first_sentence).min(3) as u64, 0, 0],
                [T_PUNCT_CTX, m1.punct, w.punct, p1.punct],
                [T_W0_LEFT, w.lower, left.min(4), 0],
                [T_W0_RIGHT, w.lower, right.min(4), 0],
                [T_LEFT_SEP, left, left_sep, w.quote],
                [T_RIGHT_SEP, right, right_sep, w.quote],
                [T_PARA_CUE, para_has_cue, w.quote, 0],
                [T_CUE_WORD, in_cue, w.lower, 0],
                [T_LEX_NER, w.lex, w.ner, m1.ner],
                [T_TRIGRAM, m1.lower, w.lower, p1.lower],
                [T_LEARNED, w.learned, m1.learned, p1.learned],
                [T_LEARNED_LEFT, cue_learned(left_at), left.min(5), w.quote],
                [
                    T_LEARNED_RIGHT,
                    cue_learned(right_at),
                    right.min(5),
                    w.quote,
                ],
                [T_PREFIX4, w.prefix4, 0, 0],
                [T_SENT_DIST, from_start, to_end, w.quote],
                [T_LEFT_CUE_WORD, cue_word(left_at), left.min(5), 0],
                [T_RIGHT_CUE_WORD, cue_word(right_at), right.min(5), 0],
                [T_CLUSTER, w.coarse, w.fine, 0],
                [T_CLUSTER_M1, m1.fine, w.fine, 0],
                [T_CLUSTER_P1, w.fine, p1.fine, 0],
                [T_CLUSTER_CTX, m1.coarse, w.coarse, p1.coarse],
                [T_CLUSTER_CUES, w.fine, left.min(5), right.min(5)],
                [T_CLUSTER_LEFT, w.coarse, left, w.quote],
                [T_CLUSTER_RIGHT, w.coarse, right, w.quote],
            ];
            each(&fs);
        }
    }

    /// For every token of `range` (whole sentences, as a paragraph is) and each side, left
    /// then right: the bucketed distance to the nearest cue-like token of its sentence on
    /// that side (0 = none, 1 = the token is one, then 2.. by distance), what lies in
    /// between (bit 0: a comma, bit 1: a quotation mark, bit 2: a colon) and that token.
    /// Two passes over each sentence instead of a scan per token (the scan, `nearest_cue`,
    /// is the tests' reference).
    fn nearest_cues(&self, segmented: &Segmented, range: Range<usize>) -> Vec<[CueSide; 2]> {
        let mut out = vec![[(0, 0, None); 2]; range.len()];
        let first = self.sentence_of.get(range.start).copied().unwrap_or(0);
        for sentence in &segmented.sentences[first..] {
            let tokens = sentence.tokens.clone();
            if tokens.start >= range.end {
                break;
            }
            debug_assert!(tokens.start >= range.start && tokens.end <= range.end);
            self.cue_pass(tokens.clone(), &mut out, range.start, 0);
            self.cue_pass(tokens.rev(), &mut out, range.start, 1);
        }
        out
    }

    /// One side of `nearest_cues`: walks a sentence towards that side's
    /// cues (left to right for the cue on the left), remembering the last cue-like token
    /// passed and the separators since.
    fn cue_pass(
        &self,
        order: impl Iterator<Item = usize>,
        out: &mut [[CueSide; 2]],
        base: usize,
        side: usize,
    ) {
        let (mut cue, mut sep) = (None::<usize>, 0u64);
        for t in order {
            let v = &self.values[t];
            out[t - base][side] = if v.cue_like() {
                cue = Some(t);
                sep = 0;
                (1, 0, Some(t))
            } else {
                let here = (cue.map_or(0, |c| distance_bucket(t.abs_diff(c))), sep, cue);
                sep |= separator_bits(v);
                here
            };
        }
    }

    /// Bucketed distance from token `t` to the nearest lexicon cue of its sentence on one
    /// side (0 = none, 1 = the token is in a cue, then 2.. by distance), and what lies in
    /// between (bit 0: a comma, bit 1: a quotation mark, bit 2: a colon), and the cue token.
    /// The reference for `nearest_cues`, which computes it for a whole paragraph.
    #[cfg(test)]
    fn nearest_cue(
        &self,
        t: usize,
        sentence: Range<usize>,
        leftwards: bool,
    ) -> (u64, u64, Option<usize>) {
        if self.values[t].cue_like() {
            return (1, 0, Some(t));
        }
        let mut sep = 0u64;
        let mut d = 0usize;
        let mut i = t;
        loop {
            if leftwards {
                if i == sentence.start {
                    return (0, sep, None);
                }
                i -= 1;
            } else {
                i += 1;
                if i >= sentence.end {
                    return (0, sep, None);
                }
            }
            d += 1;
            let v = &self.values[i];
            if v.cue_like() {
                return (distance_bucket(d), sep, Some(i));
            }
            sep |= separator_bits(v);
        }
    }
}

/// The nearest cue on one side of a token: distance bucket, separators in between, the cue
/// token.
type CueSide = (u64, u64, Option<usize>);

/// The bucket of a distance (> 0) to a cue-like token.
fn distance_bucket(d: usize) -> u64 {
    match d {
        1 => 2,
        2 => 3,
        3 => 4,
        4..=6 => 5,
        7..=12 => 6,
        _ => 7,
    }
}

/// The separator bit of a token between another and its nearest cue: a comma (1), a
/// quotation mark (2), a colon (4).
fn separator_bits(v: &TokenValues) -> u64 {
    match (v.punct, v.quote) {
        (1, _) => 1,
        (_, 2) => 2,
        (2, _) => 4,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::DataFile;
    use crate::segment::segment;

    fn lexicon() -> CueLexicon {
        let file = DataFile::from_text(
            "cues.tsv",
            "form\tkind\tentity\nsaid\tspeech\t\nhe\tpronoun\tPER\nthat\tcomplementizer\t\n",
        );
        CueLexicon::parse(&file, Lang::En).unwrap()
    }

    #[test]
    fn the_paragraph_pass_finds_the_cues_the_scan_finds() {
        let text = "\"Rain, they said, is due: soon,\" he said, and \"snow\" too.\n\n\
                    Officials said that he said so. Nothing here, at all: none.\n\nsaid";
        let seg = segment(text, Lang::En, &Default::default());
        let d = DocFeatures::new(text, Lang::En, &seg, &[], &lexicon());
        let mut checked = 0;
        for p in 0..d.paragraphs.len() {
            let range = d.paragraph_tokens(&seg, p);
            let sides = d.nearest_cues(&seg, range.clone());
            for t in range.clone() {
                let sentence = seg.sentences[d.sentence_of[t]].tokens.clone();
                let want = [
                    d.nearest_cue(t, sentence.clone(), true),
                    d.nearest_cue(t, sentence, false),
                ];
                assert_eq!(sides[t - range.start], want, "token {t}");
                checked += 1;
            }
        }
        assert_eq!(checked, seg.tokens.len());
        // Both kinds of answer occur: cues at several distances, with separators, and none.
        let all: Vec<CueSide> = (0..d.paragraphs.len())
            .flat_map(|p| d.nearest_cues(&seg, d.paragraph_tokens(&seg, p)))
            .flatten()
            .collect();
        assert!(all.iter().any(|s| s.0 == 0) && all.iter().any(|s| s.0 == 1));
        assert!(all.iter().any(|s| s.0 >= 4 && s.1 != 0));
    }

    #[test]
    fn paragraphs_and_features() {
        let text = "He said that tax cuts work.\n\n\"Rain,\" he said.";
        let seg = segment(text, Lang::En, &Default::default());
        let d = DocFeatures::new(text, Lang::En, &seg, &[], &lexicon());
        assert_eq!(d.paragraphs.len(), 2);
        let range = d.paragraph_tokens(&seg, 1);
        let (mut h, mut o) = (Vec::new(), Vec::new());
        d.extract(&seg, range.clone(), &mut h, &mut o);
        assert_eq!(o.len(), range.len() + 1);
        assert_eq!(*o.last().unwrap() as usize, h.len());
        // "Rain" is inside a quote, two tokens before... the cue "said" lies to its right.
        let rain = range.start + 1;
        assert_eq!(d.values[rain].quote, 1);
        assert_eq!(
            d.nearest_cue(rain, seg.sentences[1].tokens.clone(), false)
                .0,
            5
        );
    }
}
