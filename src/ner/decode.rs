//! IOB2 label sets and constrained Viterbi decoding.
//!
//! Labels are numbered `O` = 0, `B-T` = 1 + 2k, `I-T` = 2 + 2k for the k-th entity type.
//! Decoding forbids every transition that would start an entity with `I-` (from `O`, from
//! another type, or at the sentence start), whatever the learned weights say, so the tagger
//! can never emit an `I-` tag without its `B-`. A backward max-product pass gives, for each
//! token, the score gap between the best path and the best path that labels the token
//! differently; span confidences are derived from that margin.

use crate::document::{EntityType, TokenSpan};

/// The entity types of a model, which fix its IOB2 labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelSet {
    /// Entity types in label order.
    pub types: Vec<EntityType>,
}

impl LabelSet {
    /// Number of labels: `O` plus `B-`/`I-` per type.
    pub fn len(&self) -> usize {
        1 + 2 * self.types.len()
    }

    /// Always false: `O` exists in every label set.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Label index of an IOB2 tag string, if the tag is well formed and its type known.
    pub fn index(&self, tag: &str) -> Option<usize> {
        if tag == "O" {
            return Some(0);
        }
        let (prefix, ty) = tag.split_once('-')?;
        let ty = EntityType::parse(ty)?;
        let k = self.types.iter().position(|&t| t == ty)?;
        match prefix {
            "B" => Some(1 + 2 * k),
            "I" => Some(2 + 2 * k),
            _ => None,
        }
    }

    /// The tag string of a label index (`O`, `B-PER`, ...).
    pub fn tag(&self, label: usize) -> String {
        match label {
            0 => "O".to_string(),
            l => {
                let ty = self.types[(l - 1) / 2];
                format!("{}-{}", if l % 2 == 1 { "B" } else { "I" }, ty.as_str())
            }
        }
    }

    /// Whether `cur` may follow `prev` (`None` = sentence start) in IOB2.
    pub fn allowed(&self, prev: Option<usize>, cur: usize) -> bool {
        if cur == 0 || cur % 2 == 1 {
            return true;
        }
        match prev {
            None => false,
            Some(p) => p != 0 && (p - 1) / 2 == (cur - 1) / 2,
        }
    }

    /// Applies the IOB2 constraints to learned start and transition scores (`trans` is
    /// row-major `prev × cur`) by setting forbidden entries to minus infinity.
    pub fn constrain(&self, start: &mut [f32], trans: &mut [f32]) {
        let n = self.len();
        for cur in 0..n {
            if !self.allowed(None, cur) {
                start[cur] = f32::NEG_INFINITY;
            }
            for prev in 0..n {
                if !self.allowed(Some(prev), cur) {
                    trans[prev * n + cur] = f32::NEG_INFINITY;
                }
            }
        }
    }
}

/// Reusable decoding buffers.
#[derive(Debug, Default)]
pub struct DecodeScratch {
    delta: Vec<f32>,
    back: Vec<u8>,
    beta: Vec<f32>,
    /// The transitions padded for a step over all labels at once ([`pad_rows`]).
    rows: Vec<f32>,
}

impl DecodeScratch {
    /// The max-product forward scores of the last [`viterbi`] (`n_tokens × n_labels`): the
    /// best score of a labelling up to each token that gives it each label.
    pub fn forward(&self) -> &[f32] {
        &self.delta
    }

    /// The backward scores of the last [`viterbi`] with margins (`n_tokens × n_labels`):
    /// the best score of the tokens after each one given its label; empty without margins.
    pub fn backward(&self) -> &[f32] {
        &self.beta
    }
}

/// Label sets up to this size are decoded a step at a time over all labels together.
const LANES: usize = 16;

/// `trans` (`l × l`, from-row, to-column) as rows of [`LANES`] scores padded with −∞: one
/// row per previous label, or with `by_column` one per next label (the transpose).
fn pad_rows(trans: &[f32], l: usize, by_column: bool, rows: &mut Vec<f32>) {
    rows.clear();
    rows.resize(l * LANES, f32::NEG_INFINITY);
    for a in 0..l {
        for b in 0..l {
            let w = if by_column {
                trans[b * l + a]
            } else {
                trans[a * l + b]
            };
            rows[a * LANES + b] = w;
        }
    }
}

/// Viterbi over `emissions` (`n_tokens × n_labels`, row-major) with constrained `start`
/// and `trans` (see [`LabelSet::constrain`]). Writes the best label per token to `out`.
/// With `margins`, also writes per token the gap between the best path's score and the best
/// score of any path labelling that token differently (0 = a tie).
pub fn viterbi(
    emissions: &[f32],
    n_labels: usize,
    start: &[f32],
    trans: &[f32],
    scratch: &mut DecodeScratch,
    out: &mut Vec<u8>,
    margins: Option<&mut Vec<f32>>,
) {
    viterbi_with(
        emissions, n_labels, start, trans, scratch, out, margins, true,
    );
}

/// [`viterbi`], stepping over all labels at once only when `use_lanes` allows it.
#[allow(clippy::too_many_arguments)]
fn viterbi_with(
    emissions: &[f32],
    n_labels: usize,
    start: &[f32],
    trans: &[f32],
    scratch: &mut DecodeScratch,
    out: &mut Vec<u8>,
    margins: Option<&mut Vec<f32>>,
    use_lanes: bool,
) {
    let l = n_labels;
    let n = emissions.len() / l;
    out.clear();
    if n == 0 {
        if let Some(m) = margins {
            m.clear();
        }
        return;
    }
    scratch.delta.clear();
    scratch.delta.resize(n * l, 0.0);
    scratch.back.clear();
    scratch.back.resize(n * l, 0);
    let delta = &mut scratch.delta;
    for y in 0..l {
        delta[y] = start[y] + emissions[y];
    }
    // With few labels every step runs over all of them at once: the transitions padded to
    // LANES columns (rows of `trans` for the forward pass, columns for the backward one),
    // the sums and comparisons element-wise, which the compiler turns into vector
    // instructions. The same additions in the same order and the same strict comparisons in
    // the same order of predecessors, so the same labels, scores and margins.
    let lanes = use_lanes && l <= LANES;
    if lanes {
        pad_rows(trans, l, false, &mut scratch.rows);
    }
    for t in 1..n {
        let (prev_rows, cur_rows) = delta.split_at_mut(t * l);
        let prev = &prev_rows[(t - 1) * l..];
        let cur = &mut cur_rows[..l];
        let em = &emissions[t * l..(t + 1) * l];
        let back = &mut scratch.back[t * l..(t + 1) * l];
        if lanes {
            let mut best = [f32::NEG_INFINITY; LANES];
            let mut arg = [0u8; LANES];
            for (p, (&score, row)) in prev
                .iter()
                .zip(scratch.rows.chunks_exact(LANES))
                .enumerate()
            {
                for ((b, a), &w) in best.iter_mut().zip(&mut arg).zip(row) {
                    let s = score + w;
                    if s > *b {
                        *b = s;
                        *a = p as u8;
                    }
                }
            }
            for y in 0..l {
                cur[y] = best[y] + em[y];
                back[y] = arg[y];
            }
            continue;
        }
        for y in 0..l {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for (p, &score) in prev.iter().enumerate() {
                let s = score + trans[p * l + y];
                if s > best {
                    best = s;
                    arg = p as u8;
                }
            }
            cur[y] = best + em[y];
            back[y] = arg;
        }
    }
    let last = &delta[(n - 1) * l..];
    let mut best_y = 0usize;
    for y in 1..l {
        if last[y] > last[best_y] {
            best_y = y;
        }
    }
    let best_score = last[best_y];
    out.resize(n, 0);
    out[n - 1] = best_y as u8;
    for t in (1..n).rev() {
        out[t - 1] = scratch.back[t * l + out[t] as usize];
    }
    let Some(margins) = margins else { return };
    // Backward max-product: beta[t][y] = best score of the tokens after t given y at t.
    scratch.beta.clear();
    scratch.beta.resize(n * l, 0.0);
    let beta = &mut scratch.beta;
    if lanes {
        pad_rows(trans, l, true, &mut scratch.rows);
    }
    for t in (0..n - 1).rev() {
        let (cur_rows, next_rows) = beta.split_at_mut((t + 1) * l);
        let next = &next_rows[..l];
        let em = &emissions[(t + 1) * l..(t + 2) * l];
        if lanes {
            let mut best = [f32::NEG_INFINITY; LANES];
            for ((&e, &x), column) in em.iter().zip(next).zip(scratch.rows.chunks_exact(LANES)) {
                for (b, &w) in best.iter_mut().zip(column) {
                    let s = w + e + x;
                    if s > *b {
                        *b = s;
                    }
                }
            }
            cur_rows[t * l..(t + 1) * l].copy_from_slice(&best[..l]);
            continue;
        }
        for y in 0..l {
            let mut best = f32::NEG_INFINITY;
            for y2 in 0..l {
                let s = trans[y * l + y2] + em[y2] + next[y2];
                if s > best {
                    best = s;
                }
            }
            cur_rows[t * l + y] = best;
        }
    }
    margins.clear();
    for t in 0..n {
        let chosen = out[t] as usize;
        let mut alt = f32::NEG_INFINITY;
        for y in 0..l {
            if y != chosen {
                let s = delta[t * l + y] + beta[t * l + y];
                if s > alt {
                    alt = s;
                }
            }
        }
        let m = best_score - alt;
        margins.push(if m.is_finite() { m.max(0.0) } else { f32::MAX });
    }
}

/// Turns decoded labels into spans. A span's confidence is `1 - exp(-scale * m)` where `m`
/// is the smallest margin over its tokens and the token after it (changing that token
/// could extend the span), so a tie gives 0 and a wide margin approaches 1.
pub fn spans(
    labels: &LabelSet,
    tags: &[u8],
    margins: Option<&[f32]>,
    scale: f32,
) -> Vec<TokenSpan> {
    let mut spans = Vec::new();
    let mut t = 0;
    let n = tags.len();
    while t < n {
        let y = tags[t] as usize;
        if y == 0 {
            t += 1;
            continue;
        }
        // Constrained decoding guarantees `y` is a B- here; treat a stray I- the same way.
        let k = (y - 1) / 2;
        let mut end = t + 1;
        while end < n && tags[end] as usize == 2 + 2 * k {
            end += 1;
        }
        let confidence = match margins {
            Some(m) => (1.0 - (-scale * span_margin(m, t, end)).exp()).clamp(0.0, 1.0),
            None => 1.0,
        };
        spans.push(TokenSpan {
            start: t,
            end,
            kind: labels.types[k],
            confidence,
        });
        t = end;
    }
    spans
}

/// The margin of span `[start, end)`: the smallest token margin over the span and the
/// token after it.
pub fn span_margin(margins: &[f32], start: usize, end: usize) -> f32 {
    let upto = (end + 1).min(margins.len());
    margins[start.min(upto)..upto]
        .iter()
        .copied()
        .fold(f32::INFINITY, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> LabelSet {
        LabelSet {
            types: vec![EntityType::Per, EntityType::Loc],
        }
    }

    #[test]
    fn tags_round_trip() {
        let l = labels();
        for i in 0..l.len() {
            assert_eq!(l.index(&l.tag(i)), Some(i));
        }
        assert_eq!(l.index("B-ORG"), None);
        assert_eq!(l.index("X-PER"), None);
    }

    #[test]
    fn decoding_never_emits_i_without_b() {
        let l = labels();
        let n = l.len();
        let mut start = vec![0.0; n];
        let mut trans = vec![0.0; n * n];
        l.constrain(&mut start, &mut trans);
        // Emissions that strongly prefer I-PER everywhere, and I-LOC after it.
        let mut em = vec![0.0f32; 4 * n];
        for t in 0..4 {
            em[t * n + 2] = 10.0;
        }
        em[3 * n + 4] = 50.0;
        let mut out = Vec::new();
        let mut margins = Vec::new();
        viterbi(
            &em,
            n,
            &start,
            &trans,
            &mut DecodeScratch::default(),
            &mut out,
            Some(&mut margins),
        );
        let mut prev = None;
        for &y in &out {
            assert!(l.allowed(prev, y as usize), "{out:?}");
            prev = Some(y as usize);
        }
        assert!(margins.iter().all(|&m| m >= 0.0));
    }

    #[test]
    fn spans_from_tags_with_confidence() {
        let l = labels();
        let tags = [1u8, 2, 0, 3];
        let s = spans(&l, &tags, Some(&[5.0, 5.0, 0.0, 5.0]), 1.0);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].start, s[0].end, s[0].kind), (0, 2, EntityType::Per));
        assert_eq!(s[0].confidence, 0.0);
        assert_eq!((s[1].start, s[1].end, s[1].kind), (3, 4, EntityType::Loc));
        assert!(s[1].confidence > 0.99);
    }

    #[test]
    fn empty_input_decodes_to_nothing() {
        let mut out = vec![1];
        viterbi(
            &[],
            3,
            &[0.0; 3],
            &[0.0; 9],
            &mut DecodeScratch::default(),
            &mut out,
            None,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn stepping_over_all_labels_at_once_changes_nothing() {
        // Constrained transitions (with −∞), ties and every label-set size up to 12.
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 17) as f32 * 0.5 - 4.0
        };
        for l in 1..=12usize {
            for n in [1usize, 2, 7, 30] {
                let emissions: Vec<f32> = (0..n * l).map(|_| next()).collect();
                let start: Vec<f32> = (0..l).map(|_| next()).collect();
                let trans: Vec<f32> = (0..l * l)
                    .map(|i| {
                        if i % 5 == 3 {
                            f32::NEG_INFINITY
                        } else {
                            next()
                        }
                    })
                    .collect();
                let mut got = (Vec::new(), Vec::new(), DecodeScratch::default());
                let mut want = (Vec::new(), Vec::new(), DecodeScratch::default());
                viterbi_with(
                    &emissions,
                    l,
                    &start,
                    &trans,
                    &mut got.2,
                    &mut got.0,
                    Some(&mut got.1),
                    true,
                );
                viterbi_with(
                    &emissions,
                    l,
                    &start,
                    &trans,
                    &mut want.2,
                    &mut want.0,
                    Some(&mut want.1),
                    false,
                );
                assert_eq!(got.0, want.0, "labels, {l} labels, {n} tokens");
                assert_eq!(got.1, want.1, "margins");
                assert_eq!(got.2.forward(), want.2.forward());
                assert_eq!(got.2.backward(), want.2.backward());
            }
        }
    }
}
