//! Claims and entities of one document as output rows: spans mapped to code-point offsets
//! into the original record text, texts taken from the normalised text.

use crate::attribution::{Attribution, ByteSpan};
use crate::document::{Entity, EntityType, Lang};
use crate::normalize::AlignedText;
use serde::Serialize;

/// One row of `claims.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClaimRow {
    /// `DOC_ID#N`, N counting the document's claims from 1.
    pub claim_id: String,
    /// The document id.
    pub doc_id: String,
    /// The document language.
    pub lang: String,
    /// Index (from 0) of the sentence that holds the cue.
    pub sentence_index: usize,
    /// direct, indirect, mixed or according_to.
    pub kind: String,
    /// The speaker mention as written ("the official").
    pub speaker: String,
    /// PER, ORG, LOC or empty.
    pub speaker_type: String,
    /// Speaker start (code points into the original text); empty without a speaker.
    pub speaker_start: Option<usize>,
    /// Speaker end.
    pub speaker_end: Option<usize>,
    /// The named speaker a pronoun or role noun refers to (the name itself for a name).
    pub speaker_resolved: String,
    /// The cue ("said", "quoted the official as saying", "по словам").
    pub cue: String,
    /// Cue start.
    pub cue_start: usize,
    /// Cue end.
    pub cue_end: usize,
    /// What was claimed.
    pub content: String,
    /// Content start.
    pub content_start: usize,
    /// Content end.
    pub content_end: usize,
    /// The outlet that reports the claim.
    pub reported_by: String,
    /// Outlet start.
    pub reported_by_start: Option<usize>,
    /// Outlet end.
    pub reported_by_end: Option<usize>,
    /// The document date (from the input or its date line).
    pub date: String,
    /// Confidence in [0, 1], three decimals.
    pub confidence: String,
}

/// One row of `entities.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntityRow {
    /// The document id.
    pub doc_id: String,
    /// Index (from 0) of the sentence.
    pub sentence_index: usize,
    /// The entity as written.
    pub text: String,
    /// PER, ORG or LOC.
    #[serde(rename = "type")]
    pub kind: String,
    /// Start (code points into the original text).
    pub start: usize,
    /// End.
    pub end: usize,
    /// The tagger's confidence, three decimals.
    pub confidence: String,
}

/// Normalised text of a span, with line breaks as spaces so each cell reads as one line.
fn span_text(aligned: &AlignedText, (start, end): ByteSpan) -> String {
    aligned.text()[start..end].replace('\n', " ")
}

/// Builds the claim rows of one document.
pub fn claim_rows(
    doc_id: &str,
    lang: Lang,
    date: Option<&str>,
    aligned: &AlignedText,
    attributions: &[Attribution],
) -> Vec<ClaimRow> {
    attributions
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let speaker = a.speaker.map(|span| {
                (
                    span_text(aligned, span),
                    aligned.original_span(span.0, span.1),
                )
            });
            let reported = a.reported_by.map(|span| {
                (
                    span_text(aligned, span),
                    aligned.original_span(span.0, span.1),
                )
            });
            let cue = aligned.original_span(a.cue.0, a.cue.1);
            let content = aligned.original_span(a.content.0, a.content.1);
            ClaimRow {
                claim_id: format!("{doc_id}#{}", n + 1),
                doc_id: doc_id.to_string(),
                lang: lang.code().to_string(),
                sentence_index: a.sentence,
                kind: a.kind.as_str().to_string(),
                speaker: speaker.as_ref().map(|s| s.0.clone()).unwrap_or_default(),
                // MISC is a training-data type ("Azerbaijani"), not a kind of speaker.
                speaker_type: a
                    .speaker_type
                    .filter(|&t| t != EntityType::Misc)
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                speaker_start: speaker.as_ref().map(|s| s.1.0),
                speaker_end: speaker.as_ref().map(|s| s.1.1),
                speaker_resolved: a
                    .speaker_resolved
                    .as_deref()
                    .unwrap_or("")
                    .replace('\n', " "),
                cue: span_text(aligned, a.cue),
                cue_start: cue.0,
                cue_end: cue.1,
                content: span_text(aligned, a.content),
                content_start: content.0,
                content_end: content.1,
                reported_by: reported.as_ref().map(|r| r.0.clone()).unwrap_or_default(),
                reported_by_start: reported.as_ref().map(|r| r.1.0),
                reported_by_end: reported.as_ref().map(|r| r.1.1),
                date: date.unwrap_or("").to_string(),
                confidence: format!("{:.3}", a.confidence),
            }
        })
        .collect()
}

/// Builds the entity rows of one document: PER, ORG and LOC (MISC is the English training
/// data's extra type, not part of our output).
pub fn entity_rows(doc_id: &str, aligned: &AlignedText, entities: &[Entity]) -> Vec<EntityRow> {
    entities
        .iter()
        .filter(|e| e.kind != EntityType::Misc)
        .map(|e| {
            let (start, end) = aligned.original_span(e.start, e.end);
            EntityRow {
                doc_id: doc_id.to_string(),
                sentence_index: e.sentence,
                text: span_text(aligned, (e.start, e.end)),
                kind: e.kind.as_str().to_string(),
                start,
                end,
                confidence: format!("{:.3}", e.confidence),
            }
        })
        .collect()
}
