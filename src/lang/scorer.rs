//! The n-gram stage of detection: scores a text sample against the profiles of its script,
//! with the own-language prior, early stopping and the coverage threshold that turns a text
//! no profile explains into `und`.

use super::ngram::{self, GramWindow, Profile, ScriptModel, order_of};
use super::script::{Alphabet, LetterStats};
use super::{Detection, EARLY_STOP_NATS, MIN_COVERAGE};
use crate::document::Lang;

/// The n-gram model of one profiled script.
#[derive(Clone, Debug)]
pub(crate) struct ScriptEntry {
    pub(crate) script: String,
    pub(crate) model: ScriptModel,
    // Precomputed per column, so that `detect` does no string comparisons or allocation
    // per language: whether the column is one of ours, and its alphabet in `alphabets`.
    own: Vec<bool>,
    own_mask: u64,
    pub(crate) alphabet_of: Vec<Option<usize>>,
    /// Alphabets of this script for languages without a profile (known by letters only).
    pub(crate) letter_only: Vec<usize>,
    /// Per column: the language's frequent special letters with their share of its letters
    /// (Azerbaijani `ə` ≈ 8 %). Their absence from a text is evidence against the language.
    markers: Vec<Vec<(char, f32)>>,
}

/// Missing marker letters worth more than this many nats make a win by one of our languages
/// `und` (for Azerbaijani: about 170 letters without an ə; a sentence of 70 letters without
/// one is not rare, vowel harmony makes ə come in bursts).
const MARKER_REJECT_NATS: f32 = 15.0;

/// Special letters rarer than this share of a language's letters are not markers.
const MARKER_MIN_SHARE: f32 = 0.04;

impl ScriptEntry {
    /// Compiles the profiled languages of script `name` and precomputes their columns.
    pub(crate) fn new(name: &str, profiles: &[&Profile], alphabets: &[Alphabet]) -> Self {
        let model = ScriptModel::compile(profiles);
        let markers = profiles
            .iter()
            .map(|p| {
                let Some(a) = alphabets
                    .iter()
                    .find(|a| a.code == p.code && a.script == name)
                else {
                    return Vec::new();
                };
                let letters = p.totals()[0].max(1) as f32;
                a.letters
                    .iter()
                    .map(|&c| {
                        (
                            c,
                            p.counts.get(&(c as u64)).copied().unwrap_or(0) as f32 / letters,
                        )
                    })
                    .filter(|&(_, share)| share >= MARKER_MIN_SHARE)
                    .collect()
            })
            .collect();
        let own: Vec<bool> = model
            .codes
            .iter()
            .map(|c| Lang::from_code(c).is_some())
            .collect();
        let own_mask = own
            .iter()
            .enumerate()
            .filter(|(_, o)| **o)
            .fold(0u64, |m, (j, _)| m | 1 << j);
        let alphabet_of = model
            .codes
            .iter()
            .map(|c| {
                alphabets
                    .iter()
                    .position(|a| &a.code == c && a.script == name)
            })
            .collect();
        let letter_only = (0..alphabets.len())
            .filter(|&i| alphabets[i].script == name && !model.codes.contains(&alphabets[i].code))
            .collect();
        ScriptEntry {
            script: name.to_string(),
            model,
            own,
            own_mask,
            alphabet_of,
            letter_only,
            markers,
        }
    }
}

/// The n-gram stage over the candidate columns of one script model.
pub(crate) fn score(
    own_prior: f32,
    entry: &ScriptEntry,
    sample: &str,
    candidate: &[bool],
    share: f32,
    stats: &LetterStats,
    script_letters: usize,
) -> Detection {
    let model = &entry.model;
    let width = model.width();
    // Prior, plus a Poisson penalty for each marker letter the text lacks: the chance of
    // seeing no `ə` in n Azerbaijani letters is exp(-0.08 n). This is what keeps Uzbek
    // (Latin, no ə ı ş ç) from being taken for Azerbaijani.
    let missing: Vec<f32> = (0..width)
        .map(|j| {
            entry.markers[j]
                .iter()
                .filter(|(c, _)| !stats.specials.iter().any(|(s, _)| s == c))
                .map(|(_, share)| share * script_letters as f32)
                .sum()
        })
        .collect();
    let prior: Vec<f32> = (0..width)
        .map(|j| if entry.own[j] { own_prior } else { 0.0 } - missing[j])
        .collect();
    let mut costs = vec![0u32; width];
    let mut scores = prior.clone();
    // Log-scores (nats) from the integer costs.
    let to_scores = |costs: &[u32], scores: &mut [f32]| {
        for ((s, &c), &p) in scores.iter_mut().zip(costs).zip(&prior) {
            *s = p - c as f32 * ngram::COST_UNIT;
        }
    };
    let mut covered = vec![0u32; width];
    // Coverage only matters for our languages (the `und` threshold): tracking it for
    // every column would cost a loop over up to 64 bits per trigram.
    let own_mask = entry.own_mask;
    let mut trigrams = 0u32;
    let mut known = 0u32;
    let mut window = GramWindow::default();
    let mut add = |key: u64, costs: &mut [u32]| {
        let is_tri = order_of(key) == 3;
        if let Some(mask) = model.add(key, costs) {
            known += 1;
            if is_tri {
                trigrams += 1;
                let mut m = mask & own_mask;
                while m != 0 {
                    covered[m.trailing_zeros() as usize] += 1;
                    m &= m - 1;
                }
            }
        } else if is_tri && model.knows(key >> 21 & 0x1F_FFFF) {
            // An unknown trigram counts against coverage only when its middle letter is
            // of this script: a Latin name in a Russian text says nothing either way.
            trigrams += 1;
        }
    };
    for (i, c) in sample.chars().enumerate() {
        window.push(c, |k| add(k, &mut costs));
        // Check the margin now and then: most documents are clear after a few lines.
        if i >= 128 && i % 32 == 0 {
            // A lone candidate (letters ruled out the rest) only needs enough text for
            // the coverage check.
            to_scores(&costs, &mut scores);
            match top_two(&scores, candidate) {
                (Some(b), Some(s)) if scores[b] - scores[s] > EARLY_STOP_NATS => break,
                (Some(_), None) => break,
                _ => {}
            }
        }
    }
    window.finish(|k| add(k, &mut costs));
    to_scores(&costs, &mut scores);
    let (Some(best), _) = top_two(&scores, candidate) else {
        return Detection::undetermined(0.0);
    };
    if known == 0 {
        return Detection::undetermined(0.0);
    }
    let coverage = covered[best] as f32 / trigrams.max(1) as f32;
    // Long texts make raw log-odds overconfident: temper them by the number of grams.
    let temper = (known as f32 / 50.0).max(1.0);
    let z: f32 = (0..width)
        .filter(|&j| candidate[j])
        .map(|j| ((scores[j] - scores[best]) / temper).exp())
        .sum();
    let posterior = 1.0 / z;
    let code = model.codes[best].as_str();
    if entry.own[best] && missing[best] > MARKER_REJECT_NATS {
        // Ours by n-grams, but without the letters ours would certainly show (Uzbek
        // written like Azerbaijani without ə ı ş ç): another language we have no profile for.
        return Detection::undetermined(share);
    }
    if entry.own[best] && coverage < MIN_COVERAGE && trigrams >= 8 {
        return Detection::undetermined(1.0 - coverage);
    }
    Detection::of(code, posterior * share)
}

/// The best and second-best candidate columns.
fn top_two(scores: &[f32], candidate: &[bool]) -> (Option<usize>, Option<usize>) {
    let mut best: Option<usize> = None;
    let mut second: Option<usize> = None;
    for j in (0..scores.len()).filter(|&j| candidate[j]) {
        if best.is_none_or(|b| scores[j] > scores[b]) {
            second = best;
            best = Some(j);
        } else if second.is_none_or(|s| scores[j] > scores[s]) {
            second = Some(j);
        }
    }
    (best, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_two_skips_non_candidates() {
        let scores = [3.0, 5.0, 4.0, 1.0];
        assert_eq!(
            top_two(&scores, &[true, false, true, true]),
            (Some(2), Some(0))
        );
        assert_eq!(
            top_two(&scores, &[false, false, false, true]),
            (Some(3), None)
        );
        assert_eq!(top_two(&scores, &[false; 4]), (None, None));
    }
}
