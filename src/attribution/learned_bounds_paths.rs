//! The labeller's own belief in a candidate content span, for the content-boundary
//! re-ranker ([`super::learned_bounds`]).
//!
//! With the decoder's max-product forward and backward scores (kept by
//! [`super::learned::AttributionModel::label_tokens`]), the best labelling of a paragraph
//! whose content is exactly `s..e` scores `left(s) + inside(s..e) + right(e)`: the best
//! path into `B-CON` at `s`, `I-CON` through `e - 1`, and the best continuation at `e`
//! that is not `I-CON`. Its distance below the labeller's best path says how much the
//! labeller disbelieves the candidate, in O(1) per candidate once the edges are known.

use super::learned::{N_LABELS, ROLE_CONTENT};
use super::learned_bounds::Labelled;
use std::ops::Range;

/// `B-CON` and `I-CON`.
const B_CON: usize = 1 + 2 * ROLE_CONTENT;
const I_CON: usize = B_CON + 1;

/// Per-edge parts of the constrained path scores over one window of candidates.
pub(super) struct PathScores {
    /// First candidate start; `left[i]` belongs to start `starts + i`.
    starts: usize,
    /// Best score into `B-CON` at each start, its emission included.
    left: Vec<f32>,
    /// First candidate end; `right_*[i]` belong to end `ends + i`.
    ends: usize,
    /// Best continuation after an end whose last token is `I-CON` / `B-CON`.
    right_inside: Vec<f32>,
    right_begin: Vec<f32>,
    /// First token of `inside`; `inside[i]` sums `I-CON` scores of the tokens before
    /// `base + i`.
    base: usize,
    inside: Vec<f32>,
    /// `trans[B-CON → I-CON] - trans[I-CON → I-CON]`.
    second: f32,
    /// The labeller's best path score over the paragraph.
    best: f32,
}

/// The best of `f(y)` over the labels other than `skip`.
fn best_over(skip: usize, f: impl Fn(usize) -> f32) -> f32 {
    (0..N_LABELS)
        .filter(|&y| y != skip)
        .map(f)
        .fold(f32::NEG_INFINITY, f32::max)
}

impl PathScores {
    /// The scores for candidate starts `starts` and ends `ends` (exclusive token indices)
    /// inside `paragraph`.
    pub(super) fn new(
        labelled: &Labelled<'_>,
        paragraph: &Range<usize>,
        starts: Range<usize>,
        ends: Range<usize>,
    ) -> PathScores {
        let l = N_LABELS;
        let (start, trans) = labelled.model.constrained_scores();
        let labels = labelled.labels;
        let (em, fwd, bwd) = (&labels.emissions, &labels.forward, &labels.backward);
        let left = starts
            .clone()
            .map(|s| {
                let into = if s == paragraph.start {
                    start[B_CON]
                } else {
                    best_over(usize::MAX, |y| fwd[(s - 1) * l + y] + trans[y * l + B_CON])
                };
                into + em[s * l + B_CON]
            })
            .collect();
        let right = |e: usize, last: usize| {
            if e >= paragraph.end {
                0.0
            } else {
                best_over(I_CON, |y| {
                    trans[last * l + y] + em[e * l + y] + bwd[e * l + y]
                })
            }
        };
        let right_inside = ends.clone().map(|e| right(e, I_CON)).collect();
        let right_begin = ends.clone().map(|e| right(e, B_CON)).collect();
        let base = starts.start;
        let mut inside = vec![0f32];
        for t in base..ends.end - 1 {
            let last = inside[inside.len() - 1];
            inside.push(last + trans[I_CON * l + I_CON] + em[t * l + I_CON]);
        }
        let best = best_over(usize::MAX, |y| fwd[(paragraph.end - 1) * l + y]);
        PathScores {
            starts: starts.start,
            left,
            ends: ends.start,
            right_inside,
            right_begin,
            base,
            inside,
            second: trans[B_CON * l + I_CON] - trans[I_CON * l + I_CON],
            best,
        }
    }

    /// How far below the labeller's best path the best path with content exactly `s..e`
    /// scores (0 when it is the labeller's own span).
    pub(super) fn gap(&self, s: usize, e: usize) -> f32 {
        let mut score = self.left[s - self.starts];
        if e > s + 1 {
            score += self.inside[e - self.base] - self.inside[s + 1 - self.base] + self.second;
            score += self.right_inside[e - self.ends];
        } else {
            score += self.right_begin[e - self.ends];
        }
        (self.best - score).max(0.0)
    }
}

/// `floor(log2(x + 1))` for `x >= 0` from the float's exponent (no `log2` call: this runs
/// for hundreds of candidates per content); 13 for infinity and NaN.
pub(super) fn log_bucket(x: f32) -> u64 {
    if !x.is_finite() {
        return 13;
    }
    let exponent = ((x.max(0.0) + 1.0).to_bits() >> 23) as u64;
    exponent.saturating_sub(127).min(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_buckets_follow_powers_of_two() {
        assert_eq!(log_bucket(0.0), 0);
        assert_eq!(log_bucket(0.9), 0);
        assert_eq!(log_bucket(1.0), 1);
        assert_eq!(log_bucket(6.5), 2);
        assert_eq!(log_bucket(7.0), 3);
        assert_eq!(log_bucket(1e9), 12);
        assert_eq!(log_bucket(f32::INFINITY), 13);
        assert_eq!(log_bucket(-3.0), 0);
    }
}

#[cfg(test)]
mod brute_force {
    use super::super::learned::allowed;
    use super::super::learned_bounds_fixture::doc;
    use super::*;

    /// The best score of a labelling of `n` tokens with content exactly `s..e`, by
    /// enumerating every labelling.
    fn best_with(
        em: &[f32],
        start: &[f32],
        trans: &[f32],
        n: usize,
        span: Option<(usize, usize)>,
    ) -> f32 {
        let l = N_LABELS;
        let mut best = f32::NEG_INFINITY;
        let mut tags = vec![0usize; n];
        for code in 0..l.pow(n as u32) {
            let mut x = code;
            for t in tags.iter_mut() {
                *t = x % l;
                x /= l;
            }
            if (0..n).any(|t| !allowed(t.checked_sub(1).map(|p| tags[p]), tags[t])) {
                continue;
            }
            if let Some((s, e)) = span {
                let ok = tags[s] == B_CON
                    && (s + 1..e).all(|t| tags[t] == I_CON)
                    && (e >= n || tags[e] != I_CON);
                if !ok {
                    continue;
                }
            }
            let mut score = start[tags[0]] + em[tags[0]];
            for t in 1..n {
                score += trans[tags[t - 1] * l + tags[t]] + em[t * l + tags[t]];
            }
            best = best.max(score);
        }
        best
    }

    #[test]
    fn gaps_match_enumerated_labellings() {
        // One paragraph of four tokens: "He said it ."
        let d = doc("He said it.");
        let (view, labels) = (d.view(), d.labels());
        let l = d.labelled(&view, &labels);
        let n = d.seg.tokens.len();
        assert_eq!(n, 4);
        let (start, trans) = d.model.constrained_scores();
        let best = best_with(&labels.emissions, start, trans, n, None);
        let paths = PathScores::new(&l, &(0..n), 0..n, 1..n + 1);
        for s in 0..n {
            for e in s + 1..=n {
                let want = best - best_with(&labels.emissions, start, trans, n, Some((s, e)));
                let got = paths.gap(s, e);
                assert!(
                    (got - want.max(0.0)).abs() < 1e-3,
                    "{s}..{e}: {got} vs {want}"
                );
            }
        }
    }
}
