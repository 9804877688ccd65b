//! Combining the learned labeller ([`super::learned`]) with the rules.
//!
//! Both produce attributions over the same document view. The modes differ in which side
//! wins where both found a claim with overlapping cues; the other side only adds claims
//! whose cue overlaps none of the winner's. Learned claims are dropped in headlines and
//! after a negation, as the rules drop them. `models/README.md` has the dev scores of
//! every mode and why hybrid is the default.

use super::Attribution;
use super::ClaimKind;
use super::cues::CueKind;
use super::learned::{AttributionModel, RoleSpan, TokenLabels};
use super::learned_bounds::{BoundsModel, ContentSpan, Labelled};
use super::learned_features::DocFeatures;
use super::learned_link::link;
use super::patterns::{DocView, Speaker};
use super::resolve::resolve_speakers;
use std::sync::Arc;

/// How the learned labeller and the rules are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CombineMode {
    /// Rules only (the labeller is not run).
    Rules,
    /// The labeller's claims; a rule claim with an overlapping cue lends its `reported_by`.
    Learned,
    /// The rules' claims, plus the labeller's where no rule cue overlaps.
    RulesFirst,
    /// The labeller's claims, plus the rules' where no learned cue overlaps.
    LearnedFirst,
    /// The labeller's claims, except where a rule claim carries structure the labeller cannot
    /// express (a reporting outlet, "quoted X as saying", "according to", a passive with its
    /// agent), plus the rules' claims where no learned cue overlaps. Where a learned claim
    /// meets a plain rule claim on the same cue, the rule lends its `reported_by`, its
    /// speaker when the labeller found none, and its bare verb when the labeller's cue adds
    /// adverbs before it ("actually accused"; auxiliaries stay: "has said"). The default: best on PolNeAR dev for sources
    /// and contents, while speakers still resolve to names (a noun phrase to the name in
    /// apposition at its end, a relative pronoun to its antecedent).
    #[default]
    Hybrid,
    /// As [`CombineMode::Hybrid`], but the rules' plain claims only lend to the labeller's
    /// (outlet, speaker, verb) and are not added where the labeller found nothing: the
    /// default with the transformer labeller, which finds most of what the rules find
    /// (PolNeAR dev and the seed article: `models/README.md`).
    Structured,
}

impl CombineMode {
    /// Parses `rules`, `learned`, `rules-first`, `learned-first`, `hybrid` or `structured`.
    pub fn parse(name: &str) -> Option<CombineMode> {
        Some(match name {
            "rules" => CombineMode::Rules,
            "learned" => CombineMode::Learned,
            "rules-first" => CombineMode::RulesFirst,
            "learned-first" => CombineMode::LearnedFirst,
            "hybrid" => CombineMode::Hybrid,
            "structured" => CombineMode::Structured,
            _ => return None,
        })
    }
}

/// A labeller of source, cue and content spans that stands in for the perceptron
/// ([`AttributionModel`]): its spans are linked and combined with the rules the same way.
/// The transformer labeller (`super::transformer`, feature `transformer`) is one.
pub trait RoleLabeller: Send + Sync + std::fmt::Debug {
    /// A short name for messages (`transformer`).
    fn name(&self) -> &str;

    /// The labelled spans of a document (token ranges of the whole document, in order),
    /// each paragraph (`paragraphs`, token ranges) labelled as one sequence.
    fn label(
        &self,
        text: &str,
        segmented: &crate::document::Segmented,
        paragraphs: &[std::ops::Range<usize>],
    ) -> Result<Vec<RoleSpan>, String>;

    /// `s` of a claim's confidence `1 - exp(-s·m)`, `m` the smallest margin of its cue and
    /// content tokens.
    fn confidence_scale(&self) -> f32;
}

/// A loaded labeller and how to use it.
#[derive(Clone, Debug)]
pub struct LearnedAttribution {
    /// The model, shared by all threads.
    pub model: Arc<AttributionModel>,
    /// The combination mode.
    pub mode: CombineMode,
    /// The content-boundary re-ranker (`models/en/bounds.bin`), if there is one.
    pub bounds: Option<Arc<BoundsModel>>,
    /// A labeller whose spans replace the perceptron's (the re-ranker, which reads the
    /// perceptron's scores, is then not used); `None`: the perceptron.
    pub labeller: Option<Arc<dyn RoleLabeller>>,
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Whether a learned claim passes the product rules that the patterns also follow: no claim
/// from a headline, none from negated speech ("has not commented on").
fn acceptable(doc: &DocView<'_>, a: &Attribution) -> bool {
    let Some(sentence) = doc.segmented.sentences.get(a.sentence) else {
        return false;
    };
    if sentence.heading {
        return false;
    }
    // Nobody speaking: a claim table row needs its speaker. On Reuters most such labels are
    // no speech at all ("known as", "compares with", "the expected"); where a rule finds the
    // speaker of the same cue, its claim stands instead (a quotation mark or colon as the
    // cue included: "APA quoted the official as saying" after it). PolNeAR dev exact F1:
    // cue +0.5, content +0.1, source the same.
    if a.speaker.is_none() {
        return false;
    }
    let tokens = &doc.segmented.tokens;
    let Some(first) = sentence
        .tokens
        .clone()
        .find(|&t| tokens[t].start >= a.cue.0)
    else {
        return false;
    };
    let last = sentence
        .tokens
        .clone()
        .rev()
        .find(|&t| tokens[t].end <= a.cue.1)
        .unwrap_or(first);
    // A negation just before the cue or inside it ("did not respond").
    let from = first.saturating_sub(3).max(sentence.tokens.start);
    if (from..=last).any(|t| doc.lexicon.is(&doc.keys[t], CueKind::Negation)) {
        return false;
    }
    // A passive without its agent ("has been accused of"): nobody is said to speak.
    let passive = (from..=last).any(|t| doc.lexicon.is(&doc.keys[t], CueKind::Passive));
    let agent = (last + 1..sentence.tokens.end.min(last + 4))
        .any(|t| doc.lexicon.is(&doc.keys[t], CueKind::Agent));
    !passive || agent
}

/// Whether the token at byte `start` is an auxiliary verb of the lexicon ("has", "would").
fn starts_with_auxiliary(doc: &DocView<'_>, start: usize) -> bool {
    let tokens = &doc.segmented.tokens;
    let at = tokens.partition_point(|t| t.start < start);
    tokens.get(at).is_some_and(|t| t.start == start)
        && doc.lexicon.is(&doc.keys[at], CueKind::Auxiliary)
}

/// The attributions the labeller finds in a document, linked, with their content edges
/// re-ranked by `bounds` when there is one; `labeller`, when given, labels in place of
/// `model` (and without `bounds`).
pub(super) fn learned_attributions(
    doc: &DocView<'_>,
    model: &AttributionModel,
    bounds: Option<&BoundsModel>,
    labeller: Option<&dyn RoleLabeller>,
) -> Result<Vec<(Attribution, Option<Speaker>)>, super::AttributionError> {
    let mut features = DocFeatures::with_keys(
        doc.text,
        doc.segmented,
        doc.entities,
        doc.lexicon,
        &doc.keys,
    );
    if let Some(labeller) = labeller {
        let paragraphs: Vec<_> = (0..features.paragraphs.len())
            .map(|p| features.paragraph_tokens(doc.segmented, p))
            .filter(|range| !range.is_empty())
            .collect();
        let spans = labeller
            .label(doc.text, doc.segmented, &paragraphs)
            .map_err(|message| super::AttributionError {
                labeller: labeller.name().to_string(),
                message,
            })?;
        return Ok(link_spans(
            doc,
            &features,
            &spans,
            labeller.confidence_scale(),
            &mut |c| c.content.clone(),
        ));
    }
    features.apply_cue_stats(&model.cue_stats);
    features.apply_clusters(&model.clusters);
    let mut labels = TokenLabels::default();
    let spans = model.label_tokens(&features, doc.segmented, &mut labels);
    let Some(bounds) = bounds else {
        return Ok(link_spans(
            doc,
            &features,
            &spans,
            model.confidence_scale,
            &mut |c| c.content.clone(),
        ));
    };
    let labelled = Labelled {
        doc,
        features: &features,
        labels: &labels,
        model,
    };
    Ok(link_spans(
        doc,
        &features,
        &spans,
        model.confidence_scale,
        &mut |c| bounds.rerank(&labelled, c),
    ))
}

/// Links labelled spans (from the model, or gold labels for an oracle) into attributions;
/// `bounds` may move each content's edges (see [`link`]).
pub(super) fn link_spans(
    doc: &DocView<'_>,
    features: &DocFeatures,
    spans: &[RoleSpan],
    confidence_scale: f32,
    bounds: &mut dyn FnMut(&ContentSpan) -> std::ops::Range<usize>,
) -> Vec<(Attribution, Option<Speaker>)> {
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
        spans,
        |t| paragraph_of[t],
        |t| sentence_of[t],
        confidence_scale,
        bounds,
    )
}

/// Combines the rules' claims with the labeller's according to `learned.mode` and resolves
/// the speakers. Rule claims keep exactly the resolution they get without the labeller, so
/// adding learned claims never changes what the rules report.
pub(super) fn combine_resolved(
    doc: &DocView<'_>,
    rules: Vec<(Attribution, Option<Speaker>)>,
    learned: &LearnedAttribution,
) -> Result<Vec<Attribution>, super::AttributionError> {
    let key = |a: &Attribution| (a.cue, a.content, a.speaker);
    let from_rules: Vec<_> = rules.iter().map(|(a, _)| key(a)).collect();
    let rules_alone = resolve_speakers(doc, rules.clone());
    let combined = resolve_speakers(doc, combine(doc, rules, learned)?);
    Ok(combined
        .into_iter()
        .map(|a| match from_rules.iter().position(|k| *k == key(&a)) {
            Some(i) => rules_alone[i].clone(),
            None => a,
        })
        .collect())
}

/// Combines the rules' claims with the labeller's according to `learned.mode`, in document
/// order of their cues.
fn combine(
    doc: &DocView<'_>,
    rules: Vec<(Attribution, Option<Speaker>)>,
    learned: &LearnedAttribution,
) -> Result<Vec<(Attribution, Option<Speaker>)>, super::AttributionError> {
    if learned.mode == CombineMode::Rules {
        return Ok(rules);
    }
    let mut model = learned_attributions(
        doc,
        &learned.model,
        learned.bounds.as_deref(),
        learned.labeller.as_deref(),
    )?;
    model.retain(|(a, _)| acceptable(doc, a));
    let (first, second) = match learned.mode {
        CombineMode::Rules => return Ok(rules),
        CombineMode::Learned => {
            let mut out = model;
            for (a, _) in &mut out {
                if a.reported_by.is_none() {
                    a.reported_by = rules
                        .iter()
                        .find(|(r, _)| overlaps(r.cue, a.cue))
                        .and_then(|(r, _)| r.reported_by);
                }
            }
            return Ok(out);
        }
        CombineMode::RulesFirst => (rules, model),
        CombineMode::LearnedFirst => (model, rules),
        CombineMode::Hybrid | CombineMode::Structured => {
            // A colon or a dash as the cue is a label construction ("WALLACE: ...",
            // "“...” ― Name", see `labels`): a layout the labeller has hardly seen.
            let structured = |a: &Attribution| {
                let cue = &doc.text[a.cue.0..a.cue.1];
                a.reported_by.is_some()
                    || matches!(a.kind, ClaimKind::AccordingTo | ClaimKind::Passive)
                    || cue.contains(' ')
                    || !cue.chars().any(char::is_alphanumeric)
            };
            let (kept, plain): (Vec<_>, Vec<_>) =
                rules.into_iter().partition(|(a, _)| structured(a));
            // A learned cue inside a kept claim's speaker is part of a name.
            let mut first: Vec<_> = model
                .into_iter()
                .filter(|(a, _)| {
                    !kept.iter().any(|(r, _)| {
                        overlaps(r.cue, a.cue) || r.speaker.is_some_and(|s| overlaps(s, a.cue))
                    })
                })
                .collect();
            for (a, speaker) in &mut first {
                let Some((rule, rule_speaker)) = plain.iter().find(|(r, _)| overlaps(r.cue, a.cue))
                else {
                    continue;
                };
                if a.reported_by.is_none() {
                    a.reported_by = rule.reported_by;
                }
                // "actually accused": the verb is the cue, as the rules and the claim
                // tables have it; the labeller follows PolNeAR's habit of taking in adverbs.
                // An auxiliary stays ("has said"): PolNeAR's cues keep it too (dev cue F1
                // 61.10 -> 62.30 against trimming it).
                if rule.cue.1 == a.cue.1
                    && rule.cue.0 > a.cue.0
                    && !starts_with_auxiliary(doc, a.cue.0)
                {
                    a.cue = rule.cue;
                }
                // The labeller found the cue but not who speaks ("Moscow usually ignores or
                // denies such accusations"): the rules' speaker fills the gap.
                if a.speaker.is_none() && rule.speaker.is_some() {
                    a.speaker = rule.speaker;
                    a.speaker_form = rule.speaker_form;
                    a.speaker_type = rule.speaker_type;
                    *speaker = rule_speaker.clone();
                }
            }
            first.extend(kept);
            if learned.mode == CombineMode::Structured {
                (first, Vec::new())
            } else {
                (first, plain)
            }
        }
    };
    let mut out = first;
    let taken: Vec<(usize, usize)> = out.iter().map(|(a, _)| a.cue).collect();
    out.extend(
        second
            .into_iter()
            .filter(|(a, _)| !taken.iter().any(|&c| overlaps(c, a.cue))),
    );
    out.sort_by_key(|(a, _)| (a.cue.0, a.content.0));
    Ok(out)
}
