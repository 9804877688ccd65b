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
    for t in 1..n {
        let (prev_rows, cur_rows) = delta.split_at_mut(t * l);
        let prev = &prev_rows[(t - 1) * l..];
        let cur = &mut cur_rows[..l];
        let em = &emissions[t * l..(t + 1) * l];
        let back = &mut scratch.back[t * l..(t + 1) * l];
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
    for t in (0..n - 1).rev() {
        let (cur_rows, next_rows) = beta.split_at_mut((t + 1) * l);
        let next = &next_rows[..l];
        let em = &emissions[(t + 1) * l..(t + 2) * l];
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
}
