//! CoNLL exact-span scoring: a predicted entity counts only if its start, end and type all
//! match a gold entity. Precision, recall and F1 per type and micro-averaged, in percent.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An entity span: token range `[start, end)` and its type label.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Type label (`PER`, `ORG`, ...).
    pub kind: String,
}

/// Spans of an IOB2 tag sequence, read the way conlleval does: an `I-X` that does not
/// continue an `X` entity starts a new one.
pub fn spans_from_tags<S: AsRef<str>>(tags: &[S]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (prefix, kind) = tag.split_once('-').unwrap_or(("O", ""));
        let continues = prefix == "I" && open.is_some_and(|(_, k)| k == kind);
        if continues {
            continue;
        }
        if let Some((s, k)) = open.take() {
            spans.push(Span {
                start: s,
                end: i,
                kind: k.to_string(),
            });
        }
        if prefix == "B" || prefix == "I" {
            open = Some((i, kind));
        }
    }
    if let Some((s, k)) = open {
        spans.push(Span {
            start: s,
            end: tags.len(),
            kind: k.to_string(),
        });
    }
    spans
}

/// Precision, recall and F1 in percent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Precision (%).
    pub p: f64,
    /// Recall (%).
    pub r: f64,
    /// F1 (%).
    pub f1: f64,
}

/// Scores of one entity type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct TypeScore {
    /// Precision (%).
    pub p: f64,
    /// Recall (%).
    pub r: f64,
    /// F1 (%).
    pub f1: f64,
    /// Number of gold entities of this type.
    pub support: usize,
}

/// An evaluation report; serialises to
/// `{"micro": {"p","r","f1"}, "per_type": {"PER": {"p","r","f1","support"}, ...}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// Micro-averaged scores over all counted types.
    pub micro: Prf,
    /// Scores per gold entity type.
    pub per_type: BTreeMap<String, TypeScore>,
}

/// Counts of true positives, predictions and gold spans per type.
#[derive(Clone, Debug, Default)]
pub struct SpanCounts {
    counts: BTreeMap<String, [usize; 3]>,
}

impl SpanCounts {
    /// Adds one sentence's gold and predicted spans.
    pub fn add(&mut self, gold: &[Span], predicted: &[Span]) {
        let gold_set: BTreeSet<&Span> = gold.iter().collect();
        for g in gold {
            self.counts.entry(g.kind.clone()).or_default()[2] += 1;
        }
        for p in predicted {
            let c = self.counts.entry(p.kind.clone()).or_default();
            c[1] += 1;
            if gold_set.contains(p) {
                c[0] += 1;
            }
        }
    }

    /// The report. Types that never occur in the gold (e.g. MISC predicted by a model whose
    /// gold file has no MISC) are left out entirely: the gold cannot judge them.
    pub fn report(&self) -> Report {
        let mut total = [0usize; 3];
        let mut per_type = BTreeMap::new();
        for (kind, c) in &self.counts {
            if c[2] == 0 {
                continue;
            }
            for i in 0..3 {
                total[i] += c[i];
            }
            let prf = prf(c);
            per_type.insert(
                kind.clone(),
                TypeScore {
                    p: prf.p,
                    r: prf.r,
                    f1: prf.f1,
                    support: c[2],
                },
            );
        }
        Report {
            micro: prf(&total),
            per_type,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Prf {
    /// P/R/F1 in percent (two decimals) from true positives, predictions and gold spans.
    pub fn from_counts(tp: usize, predicted: usize, gold: usize) -> Prf {
        let ratio = |n: usize, d: usize| {
            if d == 0 {
                0.0
            } else {
                (n as f64 / d as f64).min(1.0)
            }
        };
        let (p, r) = (ratio(tp, predicted), ratio(tp, gold));
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        Prf {
            p: round2(100.0 * p),
            r: round2(100.0 * r),
            f1: round2(100.0 * f1),
        }
    }
}

/// P/R/F1 in percent from `[true positives, predicted, gold]`.
fn prf(c: &[usize; 3]) -> Prf {
    Prf::from_counts(c[0], c[1], c[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, end: usize, kind: &str) -> Span {
        Span {
            start,
            end,
            kind: kind.to_string(),
        }
    }

    #[test]
    fn spans_read_like_conlleval() {
        let tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"];
        assert_eq!(
            spans_from_tags(&tags),
            vec![
                sp(0, 2, "PER"),
                sp(3, 5, "LOC"),
                sp(5, 6, "LOC"),
                sp(6, 7, "ORG")
            ]
        );
    }

    #[test]
    fn exact_match_scoring_and_missing_types() {
        let mut c = SpanCounts::default();
        c.add(
            &[sp(0, 2, "PER"), sp(3, 4, "LOC")],
            &[sp(0, 2, "PER"), sp(3, 5, "LOC"), sp(6, 7, "MISC")],
        );
        let r = c.report();
        // MISC is absent from the gold: neither a type row nor a false positive.
        assert!(!r.per_type.contains_key("MISC"));
        assert_eq!(
            r.micro,
            Prf {
                p: 50.0,
                r: 50.0,
                f1: 50.0
            }
        );
        assert_eq!(r.per_type["PER"].f1, 100.0);
        assert_eq!(r.per_type["LOC"].support, 1);
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            json.starts_with(
                r#"{"micro":{"p":50.0,"r":50.0,"f1":50.0},"per_type":{"LOC":{"p":0.0"#
            ),
            "{json}"
        );
    }
}
