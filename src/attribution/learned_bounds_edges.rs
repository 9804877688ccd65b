//! Edge features of the content-boundary re-ranker ([`super::learned_bounds`]): what a
//! candidate start or end looks like (words, clusters, punctuation and quotation status on
//! both sides of the edge, lexicon roles, sentence starts, where the cue and the source lie,
//! the labeller's labels and margins, the distance moved).

use super::learned_bounds::{MAX_RADIUS, Window, dist_bucket};
use super::learned_bounds_paths::log_bucket;
use crate::ner::features::feat;
use std::ops::Range;

/// Features per candidate start and per candidate end.
pub(super) const N_START: usize = 15;
pub(super) const N_END: usize = 15;

// Template ids: never renumber (bump FORMAT_VERSION of `learned_bounds_model.rs` instead).
const T_S_DELTA: u64 = 1;
const T_S_WORD: u64 = 2;
const T_S_PREV: u64 = 3;
const T_S_CLUSTER: u64 = 5;
const T_S_CLUSTERS: u64 = 6;
const T_S_PUNCT: u64 = 7;
const T_S_LEX: u64 = 8;
const T_S_SENT: u64 = 9;
const T_S_CUE: u64 = 10;
const T_S_SOURCE: u64 = 11;
const T_S_TAG: u64 = 12;
const T_S_MARGIN: u64 = 13;
const T_S_CAP_NER: u64 = 15;
const T_S_PREV_CLUSTER: u64 = 16;
const T_S_CUE_WORD: u64 = 17;
const T_E_DELTA: u64 = 21;
const T_E_WORD: u64 = 22;
const T_E_NEXT: u64 = 23;
const T_E_CLUSTER: u64 = 25;
const T_E_CLUSTERS: u64 = 26;
const T_E_PUNCT: u64 = 27;
const T_E_LEX: u64 = 28;
const T_E_SENT: u64 = 29;
const T_E_CUE: u64 = 30;
const T_E_SOURCE: u64 = 31;
const T_E_TAG: u64 = 32;
const T_E_MARGIN: u64 = 33;
const T_E_CAP_NER: u64 = 35;
const T_E_NEXT_CLUSTER: u64 = 36;
const T_E_CUE_WORD: u64 = 37;

/// Signed distance bucket, clipped to ±`MAX_RADIUS`.
fn delta(a: usize, b: usize) -> u64 {
    (a as i64 - b as i64).clamp(-(MAX_RADIUS as i64), MAX_RADIUS as i64) as u64
}

/// Viterbi margin bucket (log scale; 7 for tokens the labeller did not read).
pub(super) fn margin_bucket(m: f32) -> u64 {
    if m >= f32::MAX / 2.0 {
        7
    } else {
        log_bucket(m).min(6)
    }
}

impl Window<'_> {
    /// Position of `t` relative to a token range: 0 before it, 1 inside, 2 after, with the
    /// distance bucket; `(3, 0)` without a range.
    fn relative(t: usize, r: Option<&Range<usize>>) -> (u64, u64) {
        match r {
            None => (3, 0),
            Some(r) if t < r.start => (0, dist_bucket(r.start - t)),
            Some(r) if t < r.end => (1, 0),
            Some(r) => (2, dist_bucket(t - r.end)),
        }
    }

    /// The `N_START` features of a candidate start `s` (first token of the span).
    pub(super) fn start_features(&self, s: usize, out: &mut Vec<u64>) {
        let (l, c, side, paragraph) = (self.labelled, self.c, self.side, &self.paragraph);
        let w = l.at(Some(s), paragraph);
        let prev = s.checked_sub(1);
        let p = l.at(prev, paragraph);
        let d = delta(s, c.content.start);
        let (tag, margin) = l.tag(Some(s), paragraph);
        let (ptag, pmargin) = l.tag(prev, paragraph);
        let (cue_pos, cue_dist) = Self::relative(s, Some(&c.cue));
        let (src_pos, src_dist) = Self::relative(s, c.source.as_ref());
        let first = u64::from(l.sentence_start(s)) + 2 * u64::from(s == paragraph.start);
        // The cue's word next to the span ("urged X to", "called X a"): which words a
        // content starts with depends on its verb.
        let cue_word = l.features.values()[c.cue.end - 1].lower;
        out.extend_from_slice(&[
            feat(T_S_DELTA, d, side, 0),
            feat(T_S_WORD, w.lower, side, 0),
            feat(T_S_PREV, p.lower, side, 0),
            feat(T_S_CLUSTER, w.fine, side, 0),
            feat(T_S_CLUSTERS, p.coarse, w.coarse, side),
            feat(
                T_S_PUNCT,
                p.punct + 16 * w.punct,
                p.quote + 4 * w.quote,
                side,
            ),
            feat(T_S_LEX, w.lex + 16 * p.lex, u64::from(w.cue_like()), side),
            feat(T_S_SENT, first, side, p.punct),
            feat(T_S_CUE, cue_pos, cue_dist, p.punct),
            feat(T_S_SOURCE, src_pos, src_dist, side),
            feat(T_S_TAG, tag, ptag, side),
            feat(T_S_MARGIN, margin, pmargin, tag + 8 * ptag),
            feat(T_S_CAP_NER, w.cap + 8 * p.cap, w.ner, p.ner),
            feat(T_S_PREV_CLUSTER, p.fine, side, 0),
            feat(T_S_CUE_WORD, cue_word, cue_pos * 8 + cue_dist, w.coarse),
        ]);
    }

    /// The `N_END` features of a candidate end `e` (the span's last token is `e - 1`).
    pub(super) fn end_features(&self, e: usize, out: &mut Vec<u64>) {
        let (l, c, side, paragraph) = (self.labelled, self.c, self.side, &self.paragraph);
        let w = l.at(Some(e - 1), paragraph);
        let n = l.at(Some(e), paragraph);
        let d = delta(e, c.content.end);
        let (tag, margin) = l.tag(Some(e - 1), paragraph);
        let (ntag, nmargin) = l.tag(Some(e), paragraph);
        let (cue_pos, cue_dist) = Self::relative(e - 1, Some(&c.cue));
        let (src_pos, src_dist) = Self::relative(e - 1, c.source.as_ref());
        let cue_word = l.features.values()[c.cue.start].lower;
        let last = u64::from(e >= paragraph.end || l.sentence_start(e))
            + 2 * u64::from(e == paragraph.end);
        out.extend_from_slice(&[
            feat(T_E_DELTA, d, side, 0),
            feat(T_E_WORD, w.lower, side, 0),
            feat(T_E_NEXT, n.lower, side, 0),
            feat(T_E_CLUSTER, w.fine, side, 0),
            feat(T_E_CLUSTERS, w.coarse, n.coarse, side),
            feat(
                T_E_PUNCT,
                w.punct + 16 * n.punct,
                w.quote + 4 * n.quote,
                side,
            ),
            feat(T_E_LEX, n.lex + 16 * w.lex, u64::from(n.cue_like()), side),
            feat(T_E_SENT, last, side, w.punct),
            feat(T_E_CUE, cue_pos, cue_dist, n.punct),
            feat(T_E_SOURCE, src_pos, src_dist, side),
            feat(T_E_TAG, tag, ntag, side),
            feat(T_E_MARGIN, margin, nmargin, tag + 8 * ntag),
            feat(T_E_CAP_NER, w.cap + 8 * n.cap, w.ner, n.ner),
            feat(T_E_NEXT_CLUSTER, n.fine, side, 0),
            feat(T_E_CUE_WORD, cue_word, cue_pos * 8 + cue_dist, n.coarse),
        ]);
    }
}
