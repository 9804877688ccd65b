//! The content-boundary re-ranker of the learned English attribution
//! ([`super::learned`]): a linear model that moves the edges of each linked content span.
//!
//! Why: most of the labeller's content errors are boundary errors (the span overlaps the
//! gold span but starts or ends a few tokens off: "that" taken or left, a trailing
//! circumstance, a clause before an aside). The BIO labeller decides each edge from token
//! features alone; the re-ranker sees the whole candidate span: both edges together, its
//! position relative to its own cue and source, whether its quotation marks balance, how
//! long it is and how sure the labeller was at each edge.
//!
//! For a content `s..e` of a cue, the candidates are every `s'..e'` with `s'` within
//! `radius` tokens of `s` and `e'` within `radius` of `e`, in the content's paragraph, on
//! the same side of the cue (a hull around its cue stays around it) and not cutting the
//! source in two. Scores factor into start-edge features (`learned_bounds_edges.rs`),
//! end-edge features and whole-span features (here, with the labeller's own score of the
//! span from `learned_bounds_paths.rs`), so a content costs one feature set per candidate
//! edge (2 × 25 at radius 12) and a few table reads per pair. The best candidate replaces
//! the content when it beats the original by at least `min_gain` (`learned_bounds_model.rs`).
//! Training (jackknifed labeller output on PolNeAR train) is in `learned_bounds_train.rs`.

use super::learned::{AttributionModel, TokenLabels};
use super::learned_bounds_edges::margin_bucket;
pub(super) use super::learned_bounds_edges::{N_END, N_START};
pub use super::learned_bounds_model::BoundsModel;
use super::learned_bounds_paths::{PathScores, log_bucket};
use super::learned_features::{DocFeatures, EDGE_WORD, TokenValues};
use super::patterns::DocView;
use crate::ner::features::feat;
use std::ops::Range;

/// The farthest an edge may move, in tokens (the model's radius is at most this).
pub const MAX_RADIUS: usize = 12;

// Template ids (the edges' are in `learned_bounds_edges.rs`): never renumber (bump
// FORMAT_VERSION of `learned_bounds_model.rs` instead).
const T_P_LENGTH: u64 = 41;
const T_P_QUOTES: u64 = 42;
const T_P_SENTENCES: u64 = 43;
const T_P_CUES: u64 = 44;
const T_P_DELTAS: u64 = 45;
const T_P_SOURCE: u64 = 46;
const T_P_LABELLER: u64 = 47;
const T_P_LABELLER_GAP: u64 = 48;

/// The span templates in the order of [`Candidates::pair_values`], each with the ranges of
/// its three values: the model lays their weights out in one dense array at load
/// ([`crate::ner::dense`]), so that the hundreds of pairs of a content cost array reads,
/// not hash lookups.
pub(super) const PAIR_TEMPLATES: [(u64, [u8; 3]); N_PAIR] = [
    (T_P_LENGTH, [7, 3, 1]),
    (T_P_QUOTES, [2, 4, 24]),
    (T_P_SENTENCES, [4, 3, 1]),
    (T_P_CUES, [4, 3, 1]),
    (T_P_DELTAS, [3, 3, 3]),
    (T_P_SOURCE, [4, 3, 1]),
    (T_P_LABELLER, [33, 3, 1]),
    (T_P_LABELLER_GAP, [14, 3, 1]),
];

/// Features per candidate span.
pub(super) const N_PAIR: usize = 8;

/// A linked content span and what it belongs to (token ranges of the document).
#[derive(Clone, Debug)]
pub(super) struct ContentSpan {
    /// The content.
    pub content: Range<usize>,
    /// Its cue.
    pub cue: Range<usize>,
    /// Its source, if any.
    pub source: Option<Range<usize>>,
    /// The paragraph of the cue (index into [`DocFeatures::paragraphs`]).
    pub paragraph: usize,
}

/// A document as the labeller saw it: the re-ranker's input besides the span.
pub(super) struct Labelled<'a> {
    /// The document.
    pub doc: &'a DocView<'a>,
    /// The labeller's token values (cue statistics and clusters applied).
    pub features: &'a DocFeatures,
    /// The labeller's per-token output.
    pub labels: &'a TokenLabels,
    /// The labeller (for its transition scores).
    pub model: &'a AttributionModel,
}

/// The candidate spans of one content and their features.
#[derive(Clone, Debug, Default)]
pub(super) struct Candidates {
    /// Candidate start tokens.
    pub starts: Vec<usize>,
    /// Candidate end tokens (exclusive).
    pub ends: Vec<usize>,
    /// `N_START` feature hashes per start.
    pub start_feats: Vec<u64>,
    /// `N_END` feature hashes per end.
    pub end_feats: Vec<u64>,
    /// Valid (start index, end index) pairs.
    pub pairs: Vec<(u16, u16)>,
    /// The values of the `N_PAIR` span templates ([`PAIR_TEMPLATES`]) per pair.
    pub pair_values: Vec<[[u8; 3]; N_PAIR]>,
    /// The pair that is the original span.
    pub original: usize,
}

impl Candidates {
    /// Feature hashes of the whole span of pair `p`.
    pub fn pair_features(&self, p: usize) -> [u64; N_PAIR] {
        let mut out = [0u64; N_PAIR];
        for (o, ((t, _), v)) in out
            .iter_mut()
            .zip(PAIR_TEMPLATES.iter().zip(&self.pair_values[p]))
        {
            *o = feat(*t, u64::from(v[0]), u64::from(v[1]), u64::from(v[2]));
        }
        out
    }
    /// The token range of pair `p`.
    pub fn range(&self, p: usize) -> Range<usize> {
        let (s, e) = self.pairs[p];
        self.starts[s as usize]..self.ends[e as usize]
    }
}

/// Distance bucket (0, 1, 2, 3-4, 5-8, 9-16, more).
pub(super) fn dist_bucket(d: usize) -> u64 {
    match d {
        0..=2 => d as u64,
        3..=4 => 3,
        5..=8 => 4,
        9..=16 => 5,
        _ => 6,
    }
}

/// Which side of its cue a content lies on: 0 before, 1 after, 2 around it (an interrupted
/// quotation's hull), `None` when it overlaps the cue otherwise.
fn side(content: &Range<usize>, cue: &Range<usize>) -> Option<u64> {
    if content.end <= cue.start {
        Some(0)
    } else if content.start >= cue.end {
        Some(1)
    } else if content.start < cue.start && content.end > cue.end {
        Some(2)
    } else {
        None
    }
}

impl Labelled<'_> {
    /// The token values at `t`, or a stand-in beyond the paragraph.
    pub(super) fn at(&self, t: Option<usize>, paragraph: &Range<usize>) -> TokenValues {
        match t.filter(|t| paragraph.contains(t)) {
            Some(t) => self.features.values()[t],
            None => TokenValues {
                lower: EDGE_WORD,
                coarse: u64::from(u16::MAX) + 1,
                fine: u64::from(u16::MAX) + 1,
                punct: 9,
                quote: 3,
                lex: 9,
                ..TokenValues::default()
            },
        }
    }

    /// Label and margin bucket at `t` (label 7 beyond the paragraph).
    pub(super) fn tag(&self, t: Option<usize>, paragraph: &Range<usize>) -> (u64, u64) {
        match t.filter(|t| paragraph.contains(t)) {
            Some(t) => (
                u64::from(self.labels.tags[t]),
                margin_bucket(self.labels.margins[t]),
            ),
            None => (7, 7),
        }
    }

    /// Whether token `t` starts its sentence.
    pub(super) fn sentence_start(&self, t: usize) -> bool {
        let sentences = &self.doc.segmented.sentences;
        let i = sentences.partition_point(|s| s.tokens.end <= t);
        sentences.get(i).is_some_and(|s| s.tokens.start == t)
    }

    /// The candidate window of one content within `radius` tokens of its edges, or `None`
    /// when there is nothing to choose (the content overlaps its cue).
    pub(super) fn window<'w>(&'w self, c: &'w ContentSpan, radius: usize) -> Option<Window<'w>> {
        let side = side(&c.content, &c.cue)?;
        let paragraph = self
            .features
            .paragraph_tokens(self.doc.segmented, c.paragraph);
        let (s0, e0) = (c.content.start, c.content.end);
        if !paragraph.contains(&s0) || e0 > paragraph.end || e0 <= s0 {
            return None;
        }
        let mut lo = s0.saturating_sub(radius).max(paragraph.start);
        let mut s_hi = (s0 + radius).min(paragraph.end - 1);
        let mut e_lo = e0.saturating_sub(radius).max(paragraph.start + 1);
        let mut hi = (e0 + radius).min(paragraph.end);
        match side {
            0 => hi = hi.min(c.cue.start),
            1 => lo = lo.max(c.cue.end),
            _ => {
                s_hi = s_hi.min(c.cue.start - 1);
                e_lo = e_lo.max(c.cue.end + 1);
            }
        }
        // Counts over the window for the span features: quotation marks, sentence starts
        // and cue-like words before each token.
        let base = lo.min(e_lo);
        let top = hi.max(s_hi + 1);
        let mut counts = vec![[0u32; 3]];
        for t in base..top {
            let v = &self.features.values()[t];
            let last = counts[counts.len() - 1];
            counts.push([
                last[0] + u32::from(v.quote == 2),
                last[1] + u32::from(self.sentence_start(t)),
                last[2] + u32::from(v.cue_like()),
            ]);
        }
        let paths = PathScores::new(self, &paragraph, lo..s_hi + 1, e_lo..hi + 1);
        let gap0 = paths.gap(s0, e0);
        Some(Window {
            labelled: self,
            c,
            side,
            paragraph,
            starts: lo..s_hi + 1,
            ends: e_lo..hi + 1,
            base,
            counts,
            paths,
            gap0,
        })
    }

    /// The candidates of one content and their features (see [`Labelled::window`]), or
    /// `None` when there is nothing to choose.
    pub(super) fn candidates(&self, c: &ContentSpan, radius: usize) -> Option<Candidates> {
        let w = self.window(c, radius)?;
        let mut out = Candidates {
            starts: w.starts.clone().collect(),
            ends: w.ends.clone().collect(),
            ..Candidates::default()
        };
        for &s in &out.starts {
            w.start_features(s, &mut out.start_feats);
        }
        for &e in &out.ends {
            w.end_features(e, &mut out.end_feats);
        }
        for (si, &s) in out.starts.iter().enumerate() {
            for (ei, &e) in out.ends.iter().enumerate() {
                if !w.valid(s, e) {
                    continue;
                }
                if (s, e) == (c.content.start, c.content.end) {
                    out.original = out.pairs.len();
                }
                out.pairs.push((si as u16, ei as u16));
                out.pair_values.push(w.pair_values(s, e));
            }
        }
        (out.pairs.len() > 1).then_some(out)
    }
}

/// The candidates of one content: starts and ends within the radius, with what their
/// features need.
pub(super) struct Window<'a> {
    pub(super) labelled: &'a Labelled<'a>,
    pub(super) c: &'a ContentSpan,
    /// [`side`] of the content.
    pub(super) side: u64,
    pub(super) paragraph: Range<usize>,
    /// Candidate starts and (exclusive) ends.
    pub starts: Range<usize>,
    pub ends: Range<usize>,
    /// First token of `counts`.
    pub(super) base: usize,
    /// Quotation marks, sentence starts and cue-like words before each token from `base`.
    pub(super) counts: Vec<[u32; 3]>,
    pub(super) paths: PathScores,
    /// The labeller's gap of the original span.
    pub(super) gap0: f32,
}

impl Window<'_> {
    /// Whether `s..e` is a candidate: not empty, and cutting the source in two only if it
    /// is the original span.
    pub(super) fn valid(&self, s: usize, e: usize) -> bool {
        if e <= s {
            return false;
        }
        let original = (s, e) == (self.c.content.start, self.c.content.end);
        original
            || self.c.source.as_ref().is_none_or(|src| {
                let overlap = s < src.end && src.start < e;
                let contains = s <= src.start && src.end <= e;
                !overlap || contains
            })
    }

    /// The values of the span templates ([`PAIR_TEMPLATES`]) of candidate `s..e`.
    pub(super) fn pair_values(&self, s: usize, e: usize) -> [[u8; 3]; N_PAIR] {
        let (c, side) = (self.c, self.side as u8);
        let count = |k: usize, s: usize, e: usize| {
            self.counts[e - self.base][k] - self.counts[s - self.base][k]
        };
        let values = self.labelled.features.values();
        let (vs, vl) = (values[s], values[e - 1]);
        let ds = (s as i64 - c.content.start as i64).signum() + 1;
        let de = (e as i64 - c.content.end as i64).signum() + 1;
        let source = match &c.source {
            None => 0,
            Some(src) if s <= src.start && src.end <= e => 1,
            Some(src) if s < src.end && src.start < e => 2,
            Some(_) => 3,
        };
        let gap = self.paths.gap(s, e);
        // Signed log bucket of how much less the labeller believes the candidate than the
        // original span.
        let d = gap - self.gap0;
        let relative = if d < 0.0 {
            32 - log_bucket(-d)
        } else {
            log_bucket(d)
        };
        [
            [dist_bucket(e - s) as u8, side, 0],
            [
                (count(0, s, e) % 2) as u8,
                vs.quote as u8,
                (vl.quote + 4 * vl.punct) as u8,
            ],
            [count(1, s + 1, e).min(3) as u8, side, 0],
            [count(2, s, e).min(3) as u8, side, 0],
            [ds as u8, de as u8, side],
            [source, side, 0],
            [relative as u8, side, 0],
            [log_bucket(gap) as u8, side, 0],
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::super::learned_bounds_fixture::doc;
    use super::*;

    #[test]
    fn candidates_stay_on_their_side_of_the_cue_and_keep_the_source_whole() {
        // Ann Lee said that the plan , which we saw , works well today .
        // 0   1   2    3    4   5    6 7     8  9   10 11    12   13    14
        let d = doc("Ann Lee said that the plan, which we saw, works well today.");
        let (view, labels) = (d.view(), d.labels());
        let l = d.labelled(&view, &labels);
        let c = ContentSpan {
            content: 4..11,
            cue: 2..3,
            source: Some(0..2),
            paragraph: 0,
        };
        let cands = l.candidates(&c, 4).unwrap();
        assert_eq!(
            cands.starts,
            (3..9).collect::<Vec<_>>(),
            "not before the cue"
        );
        assert_eq!(
            cands.ends,
            (7..16).collect::<Vec<_>>(),
            "within the paragraph"
        );
        assert_eq!(cands.range(cands.original), 4..11);
        for p in 0..cands.pairs.len() {
            let r = cands.range(p);
            assert!(r.start < r.end && r.start >= 3);
            for (&(_, dims), v) in PAIR_TEMPLATES.iter().zip(&cands.pair_values[p]) {
                assert!((0..3).all(|k| v[k] < dims[k]), "{v:?} outside {dims:?}");
            }
        }
        // A content before its cue ends at the cue; one around it keeps it inside.
        let before = ContentSpan {
            content: 0..2,
            cue: 2..3,
            source: None,
            paragraph: 0,
        };
        let cands = l.candidates(&before, 4).unwrap();
        assert!(cands.ends.iter().all(|&e| e <= 2));
        let around = ContentSpan {
            content: 0..6,
            cue: 2..3,
            source: None,
            paragraph: 0,
        };
        let cands = l.candidates(&around, 4).unwrap();
        assert!(cands.starts.iter().all(|&s| s < 2) && cands.ends.iter().all(|&e| e > 3));
        // A content that overlaps its cue otherwise has no candidates.
        let overlapping = ContentSpan {
            content: 2..6,
            cue: 2..3,
            source: None,
            paragraph: 0,
        };
        assert!(l.window(&overlapping, 4).is_none());
        // A source between the candidate edges is taken whole or not at all.
        let mid = ContentSpan {
            content: 4..11,
            cue: 2..3,
            source: Some(7..9),
            paragraph: 0,
        };
        let cands = l.candidates(&mid, 4).unwrap();
        for p in 0..cands.pairs.len() {
            let r = cands.range(p);
            assert!(
                r.end <= 7 || r.start >= 9 || (r.start <= 7 && r.end >= 9),
                "{r:?}"
            );
        }
    }
}
