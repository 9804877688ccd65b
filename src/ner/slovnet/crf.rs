//! slovnet's CRF decoding and BIO chunking (ports of `CRF.decode` in
//! `slovnet/exec/model.py` and `bio_spans` in `slovnet/bio.py`), plus the tag marginals
//! that give each span a confidence.
//!
//! The CRF has transition scores only (no start or end scores) and no constraint on tag
//! sequences: `O I-PER` is a possible path. The chunker then follows slovnet: an `I-` tag
//! without an open span is ignored, an `I-` tag of another type extends the open span, and
//! the `<pad>` tag neither opens, extends nor closes a span.

use crate::document::{EntityType, TokenSpan};

/// A tag of the model's tag vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// `<pad>` (or any tag that is not `O`, `B-`, `I-`): ignored by the chunker.
    Pad,
    /// Outside any entity.
    O,
    /// Begins an entity.
    B(EntityType),
    /// Inside an entity.
    I(EntityType),
}

impl Tag {
    /// Parses `O`, `B-PER`, `I-LOC`, ... ; `<pad>` is [`Tag::Pad`]. An unknown entity type
    /// is `None`.
    pub fn parse(tag: &str) -> Option<Tag> {
        match tag.split_once('-') {
            Some(("B", t)) => EntityType::parse(t).map(Tag::B),
            Some(("I", t)) => EntityType::parse(t).map(Tag::I),
            Some(_) => None,
            None if tag == "O" => Some(Tag::O),
            None => Some(Tag::Pad),
        }
    }
}

/// The best tag sequence for `emissions` (`n × tags`, row-major) under `transitions`
/// (`tags × tags`, from-row, to-column), as slovnet computes it: the same sums in the same
/// order, and the first index among equal scores.
pub fn viterbi(emissions: &[f32], transitions: &[f32], tags: usize) -> Vec<usize> {
    let n = emissions.len() / tags;
    if n == 0 {
        return Vec::new();
    }
    let mut score = emissions[..tags].to_vec();
    let mut next = vec![0.0f32; tags];
    let mut history = vec![0usize; n.saturating_sub(1) * tags];
    for t in 1..n {
        let e = &emissions[t * tags..(t + 1) * tags];
        for j in 0..tags {
            // numpy's argmax over the previous tag: the first maximum.
            let mut best = 0;
            let mut best_score = score[0] + transitions[j] + e[j];
            for (i, &s) in score.iter().enumerate().skip(1) {
                let v = s + transitions[i * tags + j] + e[j];
                if v > best_score {
                    best = i;
                    best_score = v;
                }
            }
            next[j] = best_score;
            history[(t - 1) * tags + j] = best;
        }
        std::mem::swap(&mut score, &mut next);
    }
    let mut best = argmax(&score);
    let mut path = vec![best; n];
    for t in (1..n).rev() {
        best = history[(t - 1) * tags + best];
        path[t - 1] = best;
    }
    path
}

fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Posterior probability of every tag at every position (`n × tags`), by the
/// forward-backward algorithm in log space over the same scores as [`viterbi`].
pub fn marginals(emissions: &[f32], transitions: &[f32], tags: usize) -> Vec<f32> {
    let n = emissions.len() / tags;
    if n == 0 {
        return Vec::new();
    }
    let e = |t: usize, j: usize| f64::from(emissions[t * tags + j]);
    let tr = |i: usize, j: usize| f64::from(transitions[i * tags + j]);
    let mut alpha = vec![0.0f64; n * tags];
    let mut beta = vec![0.0f64; n * tags];
    let mut terms = vec![0.0f64; tags];
    for (a, &x) in alpha.iter_mut().zip(&emissions[..tags]) {
        *a = f64::from(x);
    }
    for t in 1..n {
        for j in 0..tags {
            for (i, x) in terms.iter_mut().enumerate() {
                *x = alpha[(t - 1) * tags + i] + tr(i, j);
            }
            alpha[t * tags + j] = log_sum_exp(&terms) + e(t, j);
        }
    }
    for t in (0..n - 1).rev() {
        for i in 0..tags {
            for (j, x) in terms.iter_mut().enumerate() {
                *x = tr(i, j) + e(t + 1, j) + beta[(t + 1) * tags + j];
            }
            beta[t * tags + i] = log_sum_exp(&terms);
        }
    }
    let log_z = log_sum_exp(&alpha[(n - 1) * tags..]);
    alpha
        .iter()
        .zip(&beta)
        .map(|(a, b)| ((a + b - log_z).exp().clamp(0.0, 1.0)) as f32)
        .collect()
}

fn log_sum_exp(v: &[f64]) -> f64 {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// Chunks a tag path into spans as slovnet's `bio_spans` does; each span's confidence is
/// the smallest marginal probability (from [`marginals`], `n × tags`) of the tags it was
/// made of.
pub fn spans(path: &[usize], tags: &[Tag], marginals: &[f32]) -> Vec<TokenSpan> {
    let n_tags = tags.len();
    let mut out = Vec::new();
    // (type, start, end, confidence) of the open span
    let mut open: Option<(EntityType, usize, usize, f32)> = None;
    for (t, &id) in path.iter().enumerate() {
        let p = marginals.get(t * n_tags + id).copied().unwrap_or(1.0);
        match tags[id] {
            Tag::O => {
                if let Some(s) = open.take() {
                    out.push(s);
                }
            }
            Tag::B(kind) => {
                if let Some(s) = open.take() {
                    out.push(s);
                }
                open = Some((kind, t, t + 1, p));
            }
            Tag::I(_) => {
                if let Some((_, _, end, conf)) = open.as_mut() {
                    *end = t + 1;
                    *conf = conf.min(p);
                }
            }
            Tag::Pad => {}
        }
    }
    out.extend(open);
    out.into_iter()
        .map(|(kind, start, end, confidence)| TokenSpan {
            start,
            end,
            kind,
            confidence,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityType::{Loc, Per};

    const TAGS: [Tag; 5] = [Tag::Pad, Tag::O, Tag::B(Per), Tag::I(Per), Tag::B(Loc)];

    #[test]
    fn tags_parse() {
        assert_eq!(Tag::parse("<pad>"), Some(Tag::Pad));
        assert_eq!(Tag::parse("O"), Some(Tag::O));
        assert_eq!(Tag::parse("I-ORG"), Some(Tag::I(EntityType::Org)));
        assert_eq!(Tag::parse("B-XYZ"), None);
    }

    #[test]
    fn viterbi_follows_transitions() {
        // Two tags; emissions favour tag 0 then tag 0, but 0→0 is heavily penalised.
        let emissions = [1.0, 0.0, 1.0, 0.5];
        let transitions = [-5.0, 0.0, 0.0, 0.0];
        assert_eq!(viterbi(&emissions, &transitions, 2), vec![0, 1]);
        assert_eq!(viterbi(&emissions, &[0.0; 4], 2), vec![0, 0]);
        assert_eq!(viterbi(&[], &[0.0; 4], 2), Vec::<usize>::new());
        assert_eq!(viterbi(&[0.0, 3.0], &[0.0; 4], 2), vec![1]);
    }

    #[test]
    fn ties_take_the_first_index() {
        assert_eq!(viterbi(&[1.0, 1.0, 1.0, 1.0], &[0.0; 4], 2), vec![0, 0]);
    }

    #[test]
    fn viterbi_is_the_best_path_by_brute_force() {
        let tags = 3;
        let emissions: Vec<f32> = (0..12).map(|i| ((i * 7) % 5) as f32 * 0.3 - 0.4).collect();
        let transitions: Vec<f32> = (0..9).map(|i| ((i * 4) % 7) as f32 * 0.2 - 0.5).collect();
        let score = |p: &[usize]| {
            let mut s = emissions[p[0]];
            for t in 1..p.len() {
                s += transitions[p[t - 1] * tags + p[t]] + emissions[t * tags + p[t]];
            }
            s
        };
        let mut best = (f32::NEG_INFINITY, vec![]);
        for code in 0..81 {
            let p: Vec<usize> = (0..4).map(|t| code / 3usize.pow(3 - t) % 3).collect();
            if score(&p) > best.0 + 1e-6 {
                best = (score(&p), p);
            }
        }
        assert_eq!(viterbi(&emissions, &transitions, tags), best.1);
        let m = marginals(&emissions, &transitions, tags);
        for t in 0..4 {
            let sum: f32 = m[t * tags..(t + 1) * tags].iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "{sum}");
        }
    }

    #[test]
    fn chunking_follows_slovnet() {
        let m = vec![0.5; 8 * TAGS.len()];
        // B-PER I-PER O I-PER B-LOC I-PER <pad> I-PER
        let path = [2, 3, 1, 3, 4, 3, 0, 3];
        let s = spans(&path, &TAGS, &m);
        let got: Vec<_> = s.iter().map(|s| (s.start, s.end, s.kind)).collect();
        assert_eq!(got, vec![(0, 2, Per), (4, 8, Loc)]);
        assert!(s.iter().all(|s| s.confidence == 0.5));
    }
}
