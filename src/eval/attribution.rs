//! Span-level scoring of attributions against PolNeAR-style gold (see [`super::polnear`]).
//!
//! Each role (source, cue, content) is scored on its own, as a set of character spans per
//! document, the way PolNeAR results are usually reported:
//! - **Spans.** Gold: every distinct span that some event uses in that role (a source shared by
//!   two events counts once). A discontinuous gold span (typically a quote interrupted by
//!   "he said") is replaced by its *hull*, from its first piece's start to its last piece's
//!   end, because our claims carry one contiguous content span. Predicted: every distinct
//!   span of the claim rows (speaker, cue, content). All offsets are code points into the
//!   article text; both sides are trimmed of surrounding whitespace, nothing else.
//! - **Exact.** A predicted span is correct when a gold span has the same start and end.
//! - **Partial.** Predicted and gold spans are paired one-to-one by overlap: pairs are taken
//!   greedily by decreasing number of shared code points (ties: earlier gold, then earlier
//!   prediction), each span used at most once; a pair needs at least one shared code point.
//!
//! Precision = correct predictions / predictions, recall = matched gold / gold, F1 their
//! harmonic mean, all micro-averaged over documents and in percent (two decimals).
//!
//! **Confidence.** Every predicted span carries the highest confidence of the claims it comes
//! from. The report adds, per role, the exact precision of the most confident half of the
//! predicted spans (over the whole corpus), next to the overall precision: a useful
//! confidence makes the first higher.

use super::polnear::{GoldDocument, Role};
use super::spans::Prf;
use crate::claims::ClaimRow;
use serde::Serialize;
use std::collections::BTreeMap;

/// A predicted span in code points with its confidence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PredictedSpan {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Confidence in [0, 1].
    pub confidence: f32,
}

/// Scores of one role.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RoleScore {
    /// Exact-span precision, recall and F1 (%).
    pub exact: Prf,
    /// Overlap-matched precision, recall and F1 (%).
    pub partial: Prf,
    /// Number of gold spans.
    pub gold: usize,
    /// Number of predicted spans.
    pub predicted: usize,
}

/// Exact precision of the most confident half of the predictions against all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ConfidenceScore {
    /// Exact precision (%) of the more confident half of the predicted spans.
    pub top_half_p: f64,
    /// Exact precision (%) of all predicted spans.
    pub overall_p: f64,
}

/// The report; serialises to `{"source": {"exact": {"p","r","f1"}, "partial": {...},
/// "gold", "predicted"}, "cue": {...}, "content": {...}, "documents", "confidence":
/// {"source": {"top_half_p", "overall_p"}, ...}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AttributionReport {
    /// Source (speaker) spans.
    pub source: RoleScore,
    /// Cue spans.
    pub cue: RoleScore,
    /// Content spans.
    pub content: RoleScore,
    /// Documents scored.
    pub documents: usize,
    /// Whether confidence orders precision, per role.
    pub confidence: BTreeMap<&'static str, ConfidenceScore>,
}

/// Counts accumulated over documents.
#[derive(Clone, Debug, Default)]
pub struct AttributionScorer {
    /// Per role: exact true positives, partial matches, predicted, gold.
    counts: BTreeMap<Role, [usize; 4]>,
    /// Per role: (confidence, exactly correct) of every predicted span.
    ranked: BTreeMap<Role, Vec<(f32, bool)>>,
    documents: usize,
}

/// Trims whitespace from a code-point span of `chars`.
fn trim(chars: &[char], (mut start, mut end): (usize, usize)) -> (usize, usize) {
    end = end.min(chars.len());
    start = start.min(end);
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// The predicted spans of each role in a document's claim rows, deduplicated (highest
/// confidence kept).
pub fn spans_of_claims(claims: &[ClaimRow]) -> BTreeMap<Role, Vec<PredictedSpan>> {
    let mut out: BTreeMap<Role, Vec<PredictedSpan>> = BTreeMap::new();
    for c in claims {
        let confidence: f32 = c.confidence.parse().unwrap_or(0.0);
        let mut push = |role: Role, start: usize, end: usize| {
            out.entry(role).or_default().push(PredictedSpan {
                start,
                end,
                confidence,
            });
        };
        if let (Some(s), Some(e)) = (c.speaker_start, c.speaker_end) {
            push(Role::Source, s, e);
        }
        push(Role::Cue, c.cue_start, c.cue_end);
        push(Role::Content, c.content_start, c.content_end);
    }
    out
}

impl AttributionScorer {
    /// Adds one document: its gold attributions and the predicted spans of each role.
    pub fn add(&mut self, gold: &GoldDocument, predicted: &BTreeMap<Role, Vec<PredictedSpan>>) {
        self.documents += 1;
        let chars: Vec<char> = gold.text.chars().collect();
        for role in Role::ALL {
            let g = gold_spans(gold, role, &chars);
            let p = predicted_spans(predicted, role, &chars);
            let exact: Vec<bool> = p.keys().map(|k| g.binary_search(k).is_ok()).collect();
            let partial = overlap_matches(&g, &p.keys().copied().collect::<Vec<_>>());
            let c = self.counts.entry(role).or_default();
            c[0] += exact.iter().filter(|&&x| x).count();
            c[1] += partial;
            c[2] += p.len();
            c[3] += g.len();
            self.ranked
                .entry(role)
                .or_default()
                .extend(p.values().copied().zip(exact));
        }
    }

    /// The report.
    pub fn report(&self) -> AttributionReport {
        let score = |role: Role| {
            let c = self.counts.get(&role).copied().unwrap_or_default();
            RoleScore {
                exact: prf(c[0], c[2], c[3]),
                partial: prf(c[1], c[2], c[3]),
                gold: c[3],
                predicted: c[2],
            }
        };
        let mut confidence = BTreeMap::new();
        for role in Role::ALL {
            let mut ranked = self.ranked.get(&role).cloned().unwrap_or_default();
            // Stable sort: equal confidences keep document order, so the split is reproducible.
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
            let precision = |v: &[(f32, bool)]| {
                let ok = v.iter().filter(|x| x.1).count();
                prf(ok, v.len(), 1).p
            };
            let half = ranked.len().div_ceil(2);
            confidence.insert(
                role.name(),
                ConfidenceScore {
                    top_half_p: precision(&ranked[..half]),
                    overall_p: precision(&ranked),
                },
            );
        }
        AttributionReport {
            source: score(Role::Source),
            cue: score(Role::Cue),
            content: score(Role::Content),
            documents: self.documents,
            confidence,
        }
    }
}

/// The distinct, trimmed, non-empty gold spans of one role (hulls of discontinuous spans),
/// sorted.
fn gold_spans(gold: &GoldDocument, role: Role, chars: &[char]) -> Vec<(usize, usize)> {
    let mut g: Vec<(usize, usize)> = Vec::new();
    for a in &gold.attributions {
        let spans: Vec<_> = match role {
            Role::Source => a.source.iter().collect(),
            Role::Cue => a.cue.iter().collect(),
            Role::Content => a.contents.iter().collect(),
        };
        g.extend(spans.into_iter().map(|s| trim(chars, s.hull())));
    }
    g.retain(|s| s.0 < s.1);
    g.sort_unstable();
    g.dedup();
    g
}

/// The distinct, trimmed, non-empty predicted spans of one role with their highest
/// confidence.
fn predicted_spans(
    predicted: &BTreeMap<Role, Vec<PredictedSpan>>,
    role: Role,
    chars: &[char],
) -> BTreeMap<(usize, usize), f32> {
    let mut p: BTreeMap<(usize, usize), f32> = BTreeMap::new();
    for s in predicted.get(&role).into_iter().flatten() {
        let key = trim(chars, (s.start, s.end));
        if key.0 < key.1 {
            let c = p.entry(key).or_insert(s.confidence);
            *c = c.max(s.confidence);
        }
    }
    p
}

/// One disagreement between gold and predicted spans of a role, for error analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanError {
    /// The role.
    pub role: Role,
    /// `boundary` (overlapping but not exact), `missed` (gold without prediction) or
    /// `spurious` (prediction without gold).
    pub kind: &'static str,
    /// The gold span in code points, if any.
    pub gold: Option<(usize, usize)>,
    /// The predicted span in code points, if any.
    pub predicted: Option<(usize, usize)>,
}

/// Every disagreement of a document, role by role: gold and predicted spans that are not
/// exact matches, paired by overlap the way the partial score pairs them.
pub fn span_errors(
    gold: &GoldDocument,
    predicted: &BTreeMap<Role, Vec<PredictedSpan>>,
) -> Vec<SpanError> {
    let chars: Vec<char> = gold.text.chars().collect();
    let mut out = Vec::new();
    for role in Role::ALL {
        let all_gold = gold_spans(gold, role, &chars);
        let all_pred: Vec<(usize, usize)> = predicted_spans(predicted, role, &chars)
            .into_keys()
            .collect();
        let g: Vec<_> = all_gold
            .iter()
            .copied()
            .filter(|s| all_pred.binary_search(s).is_err())
            .collect();
        let p: Vec<_> = all_pred
            .iter()
            .copied()
            .filter(|s| all_gold.binary_search(s).is_err())
            .collect();
        let pairs = overlap_pairs(&g, &p);
        let mut gold_used = vec![false; g.len()];
        let mut pred_used = vec![false; p.len()];
        for &(gi, pi) in &pairs {
            gold_used[gi] = true;
            pred_used[pi] = true;
            out.push(SpanError {
                role,
                kind: "boundary",
                gold: Some(g[gi]),
                predicted: Some(p[pi]),
            });
        }
        out.extend(
            g.iter()
                .zip(&gold_used)
                .filter(|x| !x.1)
                .map(|(&s, _)| SpanError {
                    role,
                    kind: "missed",
                    gold: Some(s),
                    predicted: None,
                }),
        );
        out.extend(
            p.iter()
                .zip(&pred_used)
                .filter(|x| !x.1)
                .map(|(&s, _)| SpanError {
                    role,
                    kind: "spurious",
                    gold: None,
                    predicted: Some(s),
                }),
        );
    }
    out
}

/// Number of one-to-one overlap pairs, chosen greedily by decreasing overlap.
fn overlap_matches(gold: &[(usize, usize)], predicted: &[(usize, usize)]) -> usize {
    overlap_pairs(gold, predicted).len()
}

/// One-to-one overlap pairs (gold index, predicted index), chosen greedily by decreasing
/// overlap (ties: earlier gold, then earlier prediction).
fn overlap_pairs(gold: &[(usize, usize)], predicted: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (pi, p) in predicted.iter().enumerate() {
            let overlap = g.1.min(p.1).saturating_sub(g.0.max(p.0));
            if overlap > 0 {
                pairs.push((overlap, gi, pi));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut gold_used = vec![false; gold.len()];
    let mut pred_used = vec![false; predicted.len()];
    let mut out = Vec::new();
    for (_, gi, pi) in pairs {
        if !gold_used[gi] && !pred_used[pi] {
            gold_used[gi] = true;
            pred_used[pi] = true;
            out.push((gi, pi));
        }
    }
    out
}

/// P/R/F1 in percent from true positives, predictions and gold.
fn prf(tp: usize, predicted: usize, gold: usize) -> Prf {
    Prf::from_counts(tp, predicted, gold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::polnear::{GoldAttribution, GoldSpan};

    fn span(pieces: &[(usize, usize)]) -> GoldSpan {
        GoldSpan {
            pieces: pieces.to_vec(),
        }
    }

    fn doc() -> GoldDocument {
        // 0         1         2         3
        // 0123456789012345678901234567890123456
        // "Tax cuts," he said, "work." Bo said.
        GoldDocument {
            name: "d".into(),
            annotator: "a".into(),
            text: "\"Tax cuts,\" he said, \"work.\" Bo said.".into(),
            attributions: vec![GoldAttribution {
                source: Some(span(&[(12, 14)])),
                cue: Some(span(&[(15, 19)])),
                contents: vec![span(&[(0, 11), (21, 28)])],
            }],
        }
    }

    fn pred(v: &[(usize, usize)]) -> Vec<PredictedSpan> {
        v.iter()
            .enumerate()
            .map(|(i, &(start, end))| PredictedSpan {
                start,
                end,
                confidence: 1.0 - i as f32 * 0.1,
            })
            .collect()
    }

    #[test]
    fn exact_uses_the_hull_and_trims_whitespace() {
        let mut s = AttributionScorer::default();
        let mut p = BTreeMap::new();
        p.insert(Role::Source, pred(&[(11, 15)]));
        p.insert(Role::Cue, pred(&[(15, 19), (32, 36)]));
        p.insert(Role::Content, pred(&[(0, 28)]));
        s.add(&doc(), &p);
        let r = s.report();
        assert_eq!(r.source.exact.f1, 100.0);
        assert_eq!(r.content.exact.f1, 100.0);
        assert_eq!(r.cue.exact.p, 50.0);
        assert_eq!(r.cue.exact.r, 100.0);
        assert_eq!(r.confidence["cue"].top_half_p, 100.0);
        assert_eq!(r.confidence["cue"].overall_p, 50.0);
    }

    #[test]
    fn partial_matching_is_one_to_one() {
        let mut s = AttributionScorer::default();
        let mut p = BTreeMap::new();
        // Two predictions overlap the one gold content: only one may match it.
        p.insert(Role::Content, pred(&[(1, 9), (22, 27)]));
        s.add(&doc(), &p);
        let r = s.report();
        assert_eq!(r.content.exact.f1, 0.0);
        assert_eq!(r.content.partial.p, 50.0);
        assert_eq!(r.content.partial.r, 100.0);
        assert_eq!(r.source.gold, 1);
        assert_eq!(r.source.exact.r, 0.0);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.starts_with(r#"{"source":{"exact":{"p":0.0"#), "{json}");
    }

    #[test]
    fn errors_list_boundaries_misses_and_spurious_spans() {
        let mut p = BTreeMap::new();
        p.insert(Role::Source, pred(&[(12, 14)]));
        p.insert(Role::Cue, pred(&[(32, 36)]));
        p.insert(Role::Content, pred(&[(1, 9)]));
        let errors = span_errors(&doc(), &p);
        let kinds: Vec<_> = errors.iter().map(|e| (e.role, e.kind)).collect();
        assert_eq!(
            kinds,
            [
                (Role::Cue, "missed"),
                (Role::Cue, "spurious"),
                (Role::Content, "boundary")
            ]
        );
        assert_eq!(errors[2].gold, Some((0, 28)));
        assert_eq!(errors[2].predicted, Some((1, 9)));
    }

    #[test]
    fn overlaps_pair_largest_first() {
        assert_eq!(overlap_matches(&[(0, 10), (10, 20)], &[(5, 15)]), 1);
        assert_eq!(overlap_matches(&[(0, 10)], &[(10, 20)]), 0);
        assert_eq!(
            overlap_matches(&[(0, 10), (12, 20)], &[(0, 11), (11, 20)]),
            2
        );
    }
}
