//! Speaker resolution: pronouns and role nouns point to the nearest compatible named speaker.

use super::patterns::{DocView, Speaker};
use super::{Attribution, SpeakerForm};
use crate::document::EntityType;

/// Whether a referent of type `candidate` can be meant by a mention of type `wanted`.
///
/// An unknown type is compatible with a person (people are by far the most frequent
/// speakers), but an organisation mention ("it", "the ministry") needs a known organisation.
fn compatible(wanted: Option<EntityType>, candidate: Option<EntityType>) -> bool {
    match (wanted, candidate) {
        (None, _) => true,
        (Some(EntityType::Org), None) => false,
        (_, None) => true,
        (Some(w), Some(c)) => w == c,
    }
}

/// Fills `speaker_resolved` (and `speaker_type` where the referent has one).
///
/// A named speaker resolves to itself. A pronoun or role noun resolves, in this order, to:
/// for "it"-like (ORG) mentions the first organisation named earlier in the same sentence (the
/// subject of "in which it accused"); the nearest earlier claim's named speaker of a
/// compatible type; the nearest earlier entity of a compatible type.
pub(super) fn resolve_speakers(
    doc: &DocView<'_>,
    found: Vec<(Attribution, Option<Speaker>)>,
) -> Vec<Attribution> {
    let mut out: Vec<Attribution> = Vec::with_capacity(found.len());
    for (mut attribution, speaker) in found {
        if let Some(speaker) = speaker {
            match speaker.form {
                SpeakerForm::Named => {
                    attribution.speaker_resolved = attribution
                        .speaker
                        .map(|(s, e)| full_name(doc, &doc.text[s..e]));
                }
                SpeakerForm::Phrase => {
                    attribution.speaker_resolved =
                        attribution.speaker.map(|(s, e)| doc.text[s..e].to_string());
                }
                SpeakerForm::Pronoun | SpeakerForm::Role => {
                    let wanted = speaker.entity.or(attribution.speaker_type);
                    if let Some((name, kind)) = referent(doc, &out, &speaker, wanted) {
                        attribution.speaker_resolved = Some(name);
                        attribution.speaker_type = attribution.speaker_type.or(kind);
                    }
                }
            }
        }
        out.push(attribution);
    }
    out
}

fn referent(
    doc: &DocView<'_>,
    earlier: &[Attribution],
    speaker: &Speaker,
    wanted: Option<EntityType>,
) -> Option<(String, Option<EntityType>)> {
    let mention_start = doc.segmented.tokens[speaker.tokens.start].start;
    let entity_name = |e: usize| {
        let entity = &doc.entities[e];
        (
            doc.text[entity.start..entity.end].to_string(),
            Some(entity.kind),
        )
    };
    if wanted == Some(EntityType::Org) {
        let sentence = doc
            .segmented
            .sentences
            .iter()
            .position(|s| s.tokens.contains(&speaker.tokens.start))?;
        let first_org = doc.entities.iter().position(|e| {
            e.sentence == sentence && e.kind == EntityType::Org && e.end <= mention_start
        });
        if let Some(e) = first_org {
            return Some(entity_name(e));
        }
    }
    let from_claims = earlier.iter().rev().find(|a| {
        a.speaker_resolved.is_some()
            && a.speaker_form != Some(SpeakerForm::Phrase)
            && a.speaker.is_some_and(|(s, _)| s < mention_start)
            && compatible(wanted, a.speaker_type)
            && a.speaker_resolved
                .as_deref()
                .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase))
    });
    if let Some(a) = from_claims {
        return Some((
            full_name(doc, a.speaker_resolved.as_deref()?),
            a.speaker_type,
        ));
    }
    doc.entities
        .iter()
        .rposition(|e| {
            e.end <= mention_start && compatible(wanted, Some(e.kind)) && e.kind != EntityType::Loc
        })
        .map(entity_name)
}

/// The longest name of the document that ends with `name` ("Namazov" → "Ramid Namazov"):
/// news give a person's full name once and the surname after.
fn full_name(doc: &DocView<'_>, name: &str) -> String {
    let name = name.trim();
    let mut best = name;
    for entity in doc.entities {
        let tokens = doc.without_roles(entity.tokens.clone());
        let all = &doc.segmented.tokens;
        let candidate = &doc.text[all[tokens.start].start..all[tokens.end - 1].end];
        if candidate.len() > best.len()
            && candidate.ends_with(name)
            && candidate[..candidate.len() - name.len()].ends_with(' ')
        {
            best = candidate;
        }
    }
    best.to_string()
}
