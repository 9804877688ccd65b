//! Attribution: who said what, with which cue, reported by whom.
//!
//! Takes one segmented document with its entities and returns [`Attribution`]s: speaker, cue,
//! content and reporting outlet as byte spans of the normalised text. The rules read tokens,
//! quote pairs, entities and the language's lexicon ([`CueLexicon`], `models/<lang>/cues.tsv`):
//! - direct speech with the speaker after or before the quote (`“...,” X said`,
//!   `«...», — заявил X`, `"...", - deyə X bildirib`, `X said: “...”`), also when the quote
//!   spans several sentences;
//! - indirect speech (`X said (that) ...`, `X заявил, что ...`, `X bildirib ki, ...`), postposed
//!   (`..., X said on Monday`) and verb-final Azerbaijani (`X ... olduğunu bildirib`);
//! - `according to X`, `по словам X`, `X-in sözlərinə görə`;
//! - reporting chains: `AGENCY quoted X as saying`, `..., media reported`, `как сообщает ТАСС`;
//! - pronoun and role-noun speakers resolved to the nearest compatible named speaker.
//!
//! Negated speech ("has not commented") and agentless passives give no claim. Cues inside a
//! quotation belong to the quoted speaker's words and are not extracted.

mod combine;
mod cues;
mod doc_view;
mod labels;
pub mod learned;
pub mod learned_bounds;
mod learned_bounds_edges;
mod learned_bounds_examples;
#[cfg(test)]
mod learned_bounds_fixture;
mod learned_bounds_model;
mod learned_bounds_paths;
pub mod learned_bounds_train;
mod learned_data;
pub mod learned_dense;
pub mod learned_features;
mod learned_link;
pub mod learned_train;
mod patterns;
mod quotes;
mod resolve;
mod speakers;
#[cfg(feature = "transformer")]
pub mod transformer;

pub use combine::{CombineMode, LearnedAttribution, RoleLabeller};
pub use cues::{CueKind, CueLexicon, CueMatch};

use crate::document::{Entity, EntityType, Lang, Segmented};
use serde::Serialize;

/// How a claim is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// The content is a quotation.
    Direct,
    /// Reported speech without quotation marks.
    Indirect,
    /// Reported speech that quotes part of the words.
    Mixed,
    /// "according to X", "по словам X", "X-in sözlərinə görə".
    AccordingTo,
    /// A passive with its agent: "The group has been accused by several governments of ...";
    /// the content is what the passive is about.
    Passive,
}

impl ClaimKind {
    /// The name written to `claims.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Direct => "direct",
            ClaimKind::Indirect => "indirect",
            ClaimKind::Mixed => "mixed",
            ClaimKind::AccordingTo => "according_to",
            ClaimKind::Passive => "passive",
        }
    }
}

/// What kind of expression the speaker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpeakerForm {
    /// A name (an entity or a run of capitalised words).
    Named,
    /// A pronoun ("he", "он", "o").
    Pronoun,
    /// A noun phrase headed by a role noun ("the official", "министр").
    Role,
    /// Any other noun phrase ("Azerbaijani authorities").
    Phrase,
}

/// A byte span of the normalised text.
pub type ByteSpan = (usize, usize);

/// One attributed statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    /// Index of the sentence that holds the cue.
    pub sentence: usize,
    /// How it is reported.
    pub kind: ClaimKind,
    /// The speaker mention, if one was found.
    pub speaker: Option<ByteSpan>,
    /// What kind of expression the speaker is.
    pub speaker_form: Option<SpeakerForm>,
    /// The speaker's entity type, from the tagger or the pronoun/role lexicon.
    pub speaker_type: Option<EntityType>,
    /// For pronoun and role speakers: the named speaker they refer to; for named speakers the
    /// name itself.
    pub speaker_resolved: Option<String>,
    /// The cue: from its first to its last word ("quoted the official as saying").
    pub cue: ByteSpan,
    /// What was claimed.
    pub content: ByteSpan,
    /// The outlet that reports the claim ("APA news agency" in "APA quoted X as saying").
    pub reported_by: Option<ByteSpan>,
    /// How sure the rule is, in [0, 1]; higher values are more often right.
    pub confidence: f32,
}

/// A learned labeller failed on a document (the transformer's backend, say).
#[derive(Debug, thiserror::Error)]
#[error("attribution labeller {labeller}: {message}")]
pub struct AttributionError {
    /// The labeller's name.
    pub labeller: String,
    /// What went wrong.
    pub message: String,
}

/// Finds the attributions of one document.
///
/// `text` is the normalised text, `segmented` its tokens and sentences and `entities` the
/// tagger's entities (possibly none).
pub fn attribute(
    text: &str,
    lang: Lang,
    segmented: &Segmented,
    entities: &[Entity],
    lexicon: &CueLexicon,
) -> Vec<Attribution> {
    let doc = patterns::DocView::new(text, lang, segmented, entities, lexicon);
    let found = doc.find();
    resolve::resolve_speakers(&doc, found)
}

/// Like [`attribute`], also running the learned labeller (`models/<lang>/attribution.bin`,
/// or the [`RoleLabeller`] it carries) when one is given, combined with the rules as its
/// [`CombineMode`] says. Fails only where that labeller fails.
pub fn attribute_with(
    text: &str,
    lang: Lang,
    segmented: &Segmented,
    entities: &[Entity],
    lexicon: &CueLexicon,
    learned: Option<&LearnedAttribution>,
) -> Result<Vec<Attribution>, AttributionError> {
    let doc = patterns::DocView::new(text, lang, segmented, entities, lexicon);
    let found = doc.find();
    match learned {
        Some(learned) => combine::combine_resolved(&doc, found, learned),
        None => Ok(resolve::resolve_speakers(&doc, found)),
    }
}

#[cfg(test)]
mod tests;
