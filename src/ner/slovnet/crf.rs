//! slovnet's CRF decoding and BIO chunking (ports of `CRF.decode` in
//! `slovnet/exec/model.py` and `bio_spans` in `slovnet/bio.py`), plus the tag marginals
//! that give each span a confidence.
//!
//! The CRF has transition scores only (no start or end scores) and no constraint on tag
//! sequences: `O I-PER` is a possible path. The chunker then follows slovnet: an `I-` tag
//! without an open span is ignored, an `I-` tag of another type extends the open span, and
//! the `<pad>` tag neither opens, extends nor closes a span.

use crate::document::{EntityType, TokenSpan};
use crate::ner::features::{self, Hint};

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
/// forward-backward algorithm over the same scores as [`viterbi`].
///
/// It runs in probability space with the forward and backward vectors rescaled to sum to 1
/// at every position, not in log space: the stacked tagger computes this for every
/// sentence, and a log-sum-exp per tag pair (`2 × tags²` exponentials per word) cost a
/// sixth of its time, where this needs `tags` exponentials per word. Subtracting each
/// row's largest score before exponentiating keeps every factor in (0, 1], and in `f64`
/// the rescaled vectors cannot underflow for any score spread a network produces.
pub fn marginals(emissions: &[f32], transitions: &[f32], tags: usize) -> Vec<f32> {
    let n = emissions.len() / tags;
    if n == 0 {
        return Vec::new();
    }
    let exp_shifted = |row: &[f32], out: &mut Vec<f64>| {
        let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        out.extend(row.iter().map(|&x| f64::from(x - m).exp()));
    };
    // Factors: constant shifts of a whole row or of all transitions cancel out when the
    // vectors are rescaled.
    let mut trans = Vec::with_capacity(tags * tags);
    exp_shifted(transitions, &mut trans);
    let mut emit = Vec::with_capacity(n * tags);
    for row in emissions.chunks_exact(tags) {
        exp_shifted(row, &mut emit);
    }
    let normalise = |v: &mut [f64]| {
        let sum: f64 = v.iter().sum();
        if sum > 0.0 {
            v.iter_mut().for_each(|x| *x /= sum);
        }
    };
    let mut alpha = vec![0.0f64; n * tags];
    let mut beta = vec![0.0f64; n * tags];
    alpha[..tags].copy_from_slice(&emit[..tags]);
    normalise(&mut alpha[..tags]);
    for t in 1..n {
        let (done, rest) = alpha.split_at_mut(t * tags);
        let prev = &done[(t - 1) * tags..];
        let cur = &mut rest[..tags];
        for (j, c) in cur.iter_mut().enumerate() {
            let into: f64 = prev
                .iter()
                .enumerate()
                .map(|(i, a)| a * trans[i * tags + j])
                .sum();
            *c = into * emit[t * tags + j];
        }
        normalise(cur);
    }
    beta[(n - 1) * tags..].fill(1.0);
    let mut ahead = vec![0.0f64; tags];
    for t in (0..n - 1).rev() {
        let (cur, done) = beta.split_at_mut((t + 1) * tags);
        let next = &done[..tags];
        let cur = &mut cur[t * tags..];
        for ((a, b), e) in ahead
            .iter_mut()
            .zip(next)
            .zip(&emit[(t + 1) * tags..(t + 2) * tags])
        {
            *a = b * e;
        }
        for (i, c) in cur.iter_mut().enumerate() {
            *c = trans[i * tags..(i + 1) * tags]
                .iter()
                .zip(&ahead)
                .map(|(tr, a)| tr * a)
                .sum();
        }
        normalise(cur);
    }
    let mut out = Vec::with_capacity(n * tags);
    for (a, b) in alpha.chunks_exact(tags).zip(beta.chunks_exact(tags)) {
        let z: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        out.extend(a.iter().zip(b).map(|(x, y)| {
            if z > 0.0 {
                (x * y / z).clamp(0.0, 1.0) as f32
            } else {
                0.0
            }
        }));
    }
    out
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

/// What a model stacked on slovnet reads of each word ([`Hint`]): its tag on `path` and
/// the marginal probability (from [`marginals`], `n × tags`) of each entity type.
pub fn hints(path: &[usize], tags: &[Tag], marginals: &[f32]) -> Vec<Hint> {
    let n_tags = tags.len();
    path.iter()
        .enumerate()
        .map(|(t, &id)| {
            let row = marginals.get(t * n_tags..(t + 1) * n_tags).unwrap_or(&[]);
            let mut type_probs = [0.0f32; 4];
            for (&p, tag) in row.iter().zip(tags) {
                if let Tag::B(kind) | Tag::I(kind) = tag {
                    type_probs[features::entity_index(*kind)] += p;
                }
            }
            Hint {
                tag: id as u8,
                type_probs: type_probs.map(features::prob_bucket),
            }
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
        // The marginals are the normalised sums of exp(score) over the paths through each
        // tag.
        let mut brute = vec![0.0f64; 4 * tags];
        let mut z = 0.0f64;
        for code in 0..81 {
            let p: Vec<usize> = (0..4).map(|t| code / 3usize.pow(3 - t) % 3).collect();
            let w = f64::from(score(&p)).exp();
            z += w;
            for (t, &id) in p.iter().enumerate() {
                brute[t * tags + id] += w;
            }
        }
        for (got, want) in m.iter().zip(&brute) {
            assert!(
                (f64::from(*got) - want / z).abs() < 1e-6,
                "{got} vs {}",
                want / z
            );
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

    #[test]
    fn hints_sum_each_types_probabilities() {
        // B-PER I-PER O B-LOC
        let path = [2, 3, 1, 4];
        let mut m = vec![0.0; path.len() * TAGS.len()];
        for (t, &id) in path.iter().enumerate() {
            m[t * TAGS.len() + id] = 0.6;
        }
        // Word 2 ("O") is also 0.4 likely to be a person: B-PER 0.1 + I-PER 0.3.
        m[2 * TAGS.len() + 2] = 0.1;
        m[2 * TAGS.len() + 3] = 0.3;
        let h = hints(&path, &TAGS, &m);
        assert!(h.iter().zip(path).all(|(h, id)| h.tag as usize == id));
        let per = features::entity_index(Per);
        let loc = features::entity_index(Loc);
        assert_eq!(h[0].type_probs[per], features::prob_bucket(0.6));
        assert_eq!(h[2].type_probs[per], features::prob_bucket(0.4));
        assert_eq!(h[2].type_probs[loc], 0);
        assert_eq!(h[3].type_probs[loc], features::prob_bucket(0.6));
        assert_eq!(h[3].type_probs[per], 0);
    }
}
