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
//!
//! Linking, per paragraph: every CONTENT span goes to the CUE span nearest to it (token gap);
//! the content spans of one cue that are close together (an interrupted quote) become one
//! content, their hull; a cue takes the nearest SOURCE span of its own sentence. A cue without
//! content gives no attribution (our claims always have a content).

use super::cues::CueKind;
use super::learned_features::{CueStats, DocFeatures, FEATURE_SET_VERSION};
use super::patterns::{DocView, Speaker};
use super::{Attribution, ClaimKind, SpeakerForm};
use crate::ner::decode::{self, DecodeScratch};
use crate::ner::features::hash_bytes;
use crate::ner::model::FeatureTable;
use std::ops::Range;
use std::path::{Path, PathBuf};

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

/// Content pieces of one cue further apart than this many tokens stay separate claims.
const MAX_PIECE_GAP: usize = 12;
/// A content span further than this many tokens from every cue is dropped.
const MAX_CONTENT_GAP: usize = 40;

const MAGIC: [u8; 8] = *b"NCATTR\0\x01";
const FORMAT_VERSION: u32 = 1;
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
    table: FeatureTable,
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
    ) -> AttributionModel {
        let (mut c_start, mut c_trans) = (start.clone(), trans.clone());
        constrain(&mut c_start, &mut c_trans);
        AttributionModel {
            table: FeatureTable::new(&keys),
            keys,
            weights,
            start,
            trans,
            c_start,
            c_trans,
            confidence_scale,
            cue_stats,
        }
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
        let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
        let (mut em, mut tags, mut margins) = (Vec::new(), Vec::new(), Vec::new());
        let mut scratch = DecodeScratch::default();
        let mut out = Vec::new();
        for p in 0..doc.paragraphs.len() {
            let range = doc.paragraph_tokens(segmented, p);
            doc.extract(segmented, range.clone(), &mut hashes, &mut offsets);
            let n = range.len();
            em.clear();
            em.resize(n * N_LABELS, 0.0f32);
            for t in 0..n {
                let row_out = &mut em[t * N_LABELS..(t + 1) * N_LABELS];
                for &h in &hashes[offsets[t] as usize..offsets[t + 1] as usize] {
                    if let Some(row) = self.table.get(h) {
                        let w = &self.weights[row * N_LABELS..(row + 1) * N_LABELS];
                        for (o, &x) in row_out.iter_mut().zip(w) {
                            *o += x;
                        }
                    }
                }
            }
            decode::viterbi(
                &em,
                N_LABELS,
                &self.c_start,
                &self.c_trans,
                &mut scratch,
                &mut tags,
                Some(&mut margins),
            );
            out.extend(spans_of_tags(&tags, range.start, Some(&margins)));
        }
        out
    }

    /// Serialises the model (weights quantised to 16 bits).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + self.keys.len() * (8 + 2 * N_LABELS));
        b.extend_from_slice(&MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&FEATURE_SET_VERSION.to_le_bytes());
        let max = self.weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let step = if max > 0.0 {
            max / i16::MAX as f32
        } else {
            1.0
        };
        b.extend_from_slice(&self.confidence_scale.to_le_bytes());
        b.extend_from_slice(&step.to_le_bytes());
        for x in self.start.iter().chain(&self.trans) {
            b.extend_from_slice(&x.to_le_bytes());
        }
        b.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            b.extend_from_slice(&k.to_le_bytes());
        }
        for w in &self.weights {
            let q = (w / step)
                .round()
                .clamp(-(i16::MAX as f32), i16::MAX as f32) as i16;
            b.extend_from_slice(&q.to_le_bytes());
        }
        let mut stats: Vec<(u64, u8)> = self.cue_stats.map.iter().map(|(&k, &v)| (k, v)).collect();
        stats.sort_unstable();
        b.extend_from_slice(&(stats.len() as u32).to_le_bytes());
        for (k, v) in stats {
            b.extend_from_slice(&k.to_le_bytes());
            b.push(v);
        }
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
        let keys: Vec<u64> = raw_keys
            .chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                u64::from_le_bytes(a)
            })
            .collect();
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
        if r.pos != body.len() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(AttributionModel::new(
            keys, weights, st, trans, scale, cue_stats,
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

/// Token gap between two ranges (0 when adjacent or overlapping).
fn gap(a: &Range<usize>, b: &Range<usize>) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

/// What a speaker span is, as the rules classify speakers.
fn speaker_of(doc: &DocView<'_>, tokens: Range<usize>) -> Speaker {
    let lexicon = doc.lexicon;
    let first_key = &doc.keys[tokens.start];
    if tokens.len() == 1 && lexicon.is(first_key, CueKind::Pronoun) {
        return Speaker {
            entity: lexicon.entity_of(first_key, CueKind::Pronoun).flatten(),
            tokens,
            form: SpeakerForm::Pronoun,
        };
    }
    if let Some(e) = tokens.clone().find_map(|t| doc.entity_at[t]) {
        return Speaker {
            entity: Some(doc.entities[e].kind),
            tokens,
            form: SpeakerForm::Named,
        };
    }
    let last_key = &doc.keys[tokens.end - 1];
    if lexicon.is(last_key, CueKind::Role) {
        return Speaker {
            entity: lexicon.entity_of(last_key, CueKind::Role).flatten(),
            tokens,
            form: SpeakerForm::Role,
        };
    }
    let word = doc.segmented.tokens[tokens.start].text(doc.text);
    let form = if word.chars().next().is_some_and(char::is_uppercase) && tokens.len() <= 4 {
        SpeakerForm::Named
    } else {
        SpeakerForm::Phrase
    };
    Speaker {
        entity: None,
        tokens,
        form,
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

/// Whether a character is a quotation mark.
fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '«' | '»' | '„' | '‘' | '’')
}

/// Links labelled spans into attributions (see the module documentation).
pub(super) fn link(
    doc: &DocView<'_>,
    spans: &[RoleSpan],
    paragraph_of: impl Fn(usize) -> usize,
    sentence_of: impl Fn(usize) -> usize,
    confidence_scale: f32,
) -> Vec<(Attribution, Option<Speaker>)> {
    let cues: Vec<&RoleSpan> = spans.iter().filter(|s| s.role == ROLE_CUE).collect();
    let mut contents_of: Vec<Vec<&RoleSpan>> = vec![Vec::new(); cues.len()];
    for c in spans.iter().filter(|s| s.role == ROLE_CONTENT) {
        let para = paragraph_of(c.tokens.start);
        let best = cues
            .iter()
            .enumerate()
            .filter(|(_, q)| paragraph_of(q.tokens.start) == para)
            .min_by_key(|(_, q)| gap(&q.tokens, &c.tokens));
        if let Some((i, q)) = best
            && gap(&q.tokens, &c.tokens) <= MAX_CONTENT_GAP
        {
            contents_of[i].push(c);
        }
    }
    let tokens = &doc.segmented.tokens;
    let mut out = Vec::new();
    for (cue, mut contents) in cues.into_iter().zip(contents_of) {
        contents.sort_by_key(|c| c.tokens.start);
        let sentence = sentence_of(cue.tokens.start);
        let source = spans
            .iter()
            .filter(|s| s.role == ROLE_SOURCE && sentence_of(s.tokens.start) == sentence)
            .min_by_key(|s| gap(&s.tokens, &cue.tokens));
        // Group the pieces: close pieces are one interrupted content.
        let mut groups: Vec<(Range<usize>, f32)> = Vec::new();
        for c in contents {
            match groups.last_mut() {
                Some((g, m)) if c.tokens.start.saturating_sub(g.end) <= MAX_PIECE_GAP => {
                    g.end = g.end.max(c.tokens.end);
                    *m = m.min(c.margin);
                }
                _ => groups.push((c.tokens.clone(), c.margin)),
            }
        }
        let cue_bytes = (
            tokens[cue.tokens.start].start,
            tokens[cue.tokens.end - 1].end,
        );
        let according = doc
            .lexicon
            .match_at(&doc.keys, cue.tokens.start, |k| {
                matches!(k, CueKind::AccordingBefore | CueKind::AccordingAfter)
            })
            .is_some();
        for (g, margin) in groups {
            let content = (tokens[g.start].start, tokens[g.end - 1].end);
            let text = &doc.text[content.0..content.1];
            let kind = if according {
                ClaimKind::AccordingTo
            } else if text.starts_with(is_quote)
                && text.trim_end_matches(['.', ',']).ends_with(is_quote)
            {
                ClaimKind::Direct
            } else if text.contains(is_quote) {
                ClaimKind::Mixed
            } else {
                ClaimKind::Indirect
            };
            let m = margin.min(cue.margin);
            let speaker = source.map(|s| speaker_of(doc, s.tokens.clone()));
            let attribution = Attribution {
                sentence,
                kind,
                speaker: source
                    .map(|s| (tokens[s.tokens.start].start, tokens[s.tokens.end - 1].end)),
                speaker_form: speaker.as_ref().map(|s| s.form),
                speaker_type: speaker.as_ref().and_then(|s| s.entity),
                speaker_resolved: None,
                cue: cue_bytes,
                content,
                reported_by: None,
                confidence: (1.0 - (-confidence_scale * m).exp()).clamp(0.0, 1.0),
            };
            out.push((attribution, speaker));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn model_bytes_round_trip_and_corruption_is_detected() {
        let keys = vec![11u64, 22];
        let weights: Vec<f32> = (0..2 * N_LABELS).map(|i| i as f32 - 3.0).collect();
        let mut stats = CueStats::default();
        stats.map.insert(5, 3);
        let m = AttributionModel::new(
            keys,
            weights,
            vec![0.5; N_LABELS],
            vec![0.25; 49],
            0.7,
            stats.clone(),
        );
        let b = m.to_bytes();
        let back = AttributionModel::from_bytes(&b, Path::new("m.bin")).unwrap();
        assert_eq!(back.n_features(), 2);
        assert_eq!(back.confidence_scale, 0.7);
        assert_eq!(back.cue_stats, stats);
        assert!((back.weights[3] - m.weights[3]).abs() < 1e-3);
        let mut bad = b.clone();
        bad[20] ^= 1;
        let err = AttributionModel::from_bytes(&bad, Path::new("m.bin")).unwrap_err();
        assert!(err.to_string().contains("m.bin"), "{err}");
        assert!(AttributionModel::from_bytes(&b[..10], Path::new("m.bin")).is_err());
    }
}
