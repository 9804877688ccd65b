//! Combining the learned labeller ([`super::learned`]) with the rules.
//!
//! Both produce attributions over the same document view. The modes differ in which side
//! wins where both found a claim with overlapping cues; the other side only adds claims
//! whose cue overlaps none of the winner's. Which mode ships is chosen by the dev scores
//! in `models/README.md`.

use super::Attribution;
use super::learned::{AttributionModel, link};
use super::learned_features::DocFeatures;
use super::patterns::{DocView, Speaker};
use std::sync::Arc;

/// How the learned labeller and the rules are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CombineMode {
    /// Rules only (the labeller is not run).
    Rules,
    /// The labeller only.
    Learned,
    /// The rules' claims, plus the labeller's where no rule cue overlaps.
    RulesFirst,
    /// The labeller's claims, plus the rules' where no learned cue overlaps.
    #[default]
    LearnedFirst,
}

impl CombineMode {
    /// Parses `rules`, `learned`, `rules-first` or `learned-first`.
    pub fn parse(name: &str) -> Option<CombineMode> {
        Some(match name {
            "rules" => CombineMode::Rules,
            "learned" => CombineMode::Learned,
            "rules-first" => CombineMode::RulesFirst,
            "learned-first" => CombineMode::LearnedFirst,
            _ => return None,
        })
    }
}

/// A loaded labeller and how to use it.
#[derive(Clone, Debug)]
pub struct LearnedAttribution {
    /// The model, shared by all threads.
    pub model: Arc<AttributionModel>,
    /// The combination mode.
    pub mode: CombineMode,
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The attributions the labeller finds in a document, linked.
pub(super) fn learned_attributions(
    doc: &DocView<'_>,
    model: &AttributionModel,
) -> Vec<(Attribution, Option<Speaker>)> {
    let features = DocFeatures::new(doc.text, doc.lang, doc.segmented, doc.entities, doc.lexicon);
    let spans = model.label(&features, doc.segmented);
    let n = doc.segmented.tokens.len();
    let mut sentence_of = vec![0usize; n];
    for (si, s) in doc.segmented.sentences.iter().enumerate() {
        for slot in &mut sentence_of[s.tokens.clone()] {
            *slot = si;
        }
    }
    let mut paragraph_of = vec![0usize; n];
    for (p, sentences) in features.paragraphs.iter().enumerate() {
        for si in sentences.clone() {
            for slot in &mut paragraph_of[doc.segmented.sentences[si].tokens.clone()] {
                *slot = p;
            }
        }
    }
    link(
        doc,
        &spans,
        |t| paragraph_of[t],
        |t| sentence_of[t],
        model.confidence_scale,
    )
}

/// Combines the rules' claims with the labeller's according to `learned.mode`, in document
/// order of their cues.
pub(super) fn combine(
    doc: &DocView<'_>,
    rules: Vec<(Attribution, Option<Speaker>)>,
    learned: &LearnedAttribution,
) -> Vec<(Attribution, Option<Speaker>)> {
    if learned.mode == CombineMode::Rules {
        return rules;
    }
    let model = learned_attributions(doc, &learned.model);
    let (first, second) = match learned.mode {
        CombineMode::Rules => return rules,
        CombineMode::Learned => (model, Vec::new()),
        CombineMode::RulesFirst => (rules, model),
        CombineMode::LearnedFirst => (model, rules),
    };
    let mut out = first;
    let taken: Vec<(usize, usize)> = out.iter().map(|(a, _)| a.cue).collect();
    out.extend(
        second
            .into_iter()
            .filter(|(a, _)| !taken.iter().any(|&c| overlaps(c, a.cue))),
    );
    out.sort_by_key(|(a, _)| (a.cue.0, a.content.0));
    out
}
