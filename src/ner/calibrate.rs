//! Scoring a model on gold data during training, and calibrating its span confidences.

use super::model::NerModel;
use crate::eval::conll::ConllSentence;
use crate::eval::spans::{self, Span, SpanCounts};

/// Exact-span scores of a model on gold sentences.
pub fn score(model: &NerModel, gold: &[ConllSentence]) -> spans::Report {
    let mut counts = SpanCounts::default();
    let mut words: Vec<&str> = Vec::new();
    for s in gold {
        words.clear();
        words.extend(s.words.iter().map(String::as_str));
        let predicted: Vec<Span> = model
            .tag(&words)
            .into_iter()
            .map(|p| Span {
                start: p.start,
                end: p.end,
                kind: p.kind.as_str().to_string(),
            })
            .collect();
        counts.add(&spans::spans_from_tags(&s.tags), &predicted);
    }
    counts.report()
}

/// Chooses the confidence scale minimising the log loss of "span is correct" over the
/// spans predicted on `gold`, by a grid search over a wide logarithmic range.
pub fn fit_confidence_scale(model: &NerModel, gold: &[ConllSentence]) -> f32 {
    let mut points: Vec<(f32, bool)> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for s in gold {
        words.clear();
        words.extend(s.words.iter().map(String::as_str));
        let gold_spans = spans::spans_from_tags(&s.tags);
        for (span, margin) in model.tag_margins(&words) {
            let correct = gold_spans.iter().any(|g| {
                g.start == span.start && g.end == span.end && g.kind == span.kind.as_str()
            });
            points.push((margin, correct));
        }
    }
    if points.is_empty() {
        return model.confidence_scale;
    }
    let mut best = (f64::MAX, 1.0f32);
    for i in 0..=80 {
        let s = 10f32.powf(-4.0 + i as f32 * 0.1);
        let loss: f64 = points
            .iter()
            .map(|&(m, ok)| {
                let p = (1.0 - (-(s * m) as f64).exp()).clamp(1e-6, 1.0 - 1e-6);
                if ok { -p.ln() } else { -(1.0 - p).ln() }
            })
            .sum();
        if loss < best.0 {
            best = (loss, s);
        }
    }
    best.1
}
