//! One document through every stage. Knows nothing of threads: the driver calls it from its
//! workers.

use super::stats::{Counts, StageTimes};
use crate::attribution::attribute_with;
use crate::claims::{ClaimRow, EntityRow, claim_rows, entity_rows};
use crate::document::{Entity, Lang, Segmented};
use crate::ingest::{Record, RecordError};
use crate::ner::{NerError, Tagger};
use crate::normalize::{normalize, normalize_for_language};
use crate::output::{DocumentRow, Status};
use crate::resources::Resources;
use crate::segment::segment;
use std::time::Instant;

/// Everything one document contributes to the output.
#[derive(Clone, Debug)]
pub struct DocumentOutput {
    /// Its row in documents.csv.
    pub document: DocumentRow,
    /// Its claims.
    pub claims: Vec<ClaimRow>,
    /// Its entities.
    pub entities: Vec<EntityRow>,
    /// Stage times.
    pub times: StageTimes,
    /// Counts.
    pub counts: Counts,
}

/// Settings that apply to every document.
#[derive(Clone, Copy, Debug, Default)]
pub struct DocumentSettings {
    /// Process every document as this language (`--lang`).
    pub lang: Option<Lang>,
    /// Leave out claims whose confidence is below this (`--min-confidence`; 0 keeps all).
    /// Speakers are resolved first, so a kept pronoun still resolves through a left-out
    /// claim's speaker.
    pub min_confidence: f32,
}

impl DocumentOutput {
    /// A document that produced no rows but its own: skipped or failed.
    fn unprocessed(document: DocumentRow, bytes: usize) -> DocumentOutput {
        let counts = Counts {
            documents: 1,
            skipped: usize::from(document.status == Status::Skipped),
            errors: usize::from(document.status == Status::Error),
            bytes,
            ..Counts::default()
        };
        DocumentOutput {
            document,
            claims: Vec::new(),
            entities: Vec::new(),
            times: StageTimes::default(),
            counts,
        }
    }

    fn status(record: &Record, status: Status, lang: &str, message: String) -> DocumentOutput {
        let document = DocumentRow {
            doc_id: record.id.clone(),
            source: record.source.clone(),
            record: record.record.clone(),
            lang: lang.to_string(),
            chars: record.text.chars().count(),
            sentences: 0,
            entities: 0,
            claims: 0,
            status,
            message,
        };
        DocumentOutput::unprocessed(document, record.text.len())
    }

    /// The row of a record that could not be read.
    pub fn from_error(error: &RecordError) -> DocumentOutput {
        let document = DocumentRow {
            doc_id: error.doc_id.clone().unwrap_or_else(|| error.record.clone()),
            source: error.source.clone(),
            record: error.record.clone(),
            lang: String::new(),
            chars: 0,
            sentences: 0,
            entities: 0,
            claims: 0,
            status: Status::Error,
            message: error.to_string(),
        };
        DocumentOutput::unprocessed(document, 0)
    }
}

/// Runs one record through normalisation, language detection, segmentation, NER,
/// attribution and row building.
pub fn process_document(
    record: &Record,
    resources: &Resources,
    tagger: &dyn Tagger,
    settings: DocumentSettings,
) -> DocumentOutput {
    if record.text.trim().is_empty() {
        return DocumentOutput::status(
            record,
            Status::Error,
            "",
            format!("{}: empty text", record.record),
        );
    }
    let mut times = StageTimes::default();

    let clock = Instant::now();
    let normalized = normalize(&record.text, resources);
    times.normalize += clock.elapsed();
    if normalized.chars.iter().all(|ac| ac.c.is_whitespace()) {
        return DocumentOutput::status(
            record,
            Status::Skipped,
            "",
            "no article text after removing boilerplate".to_string(),
        );
    }

    let clock = Instant::now();
    let given = settings
        .lang
        .map(|l| l.code().to_string())
        .or_else(|| record.lang.clone());
    let lang = match given {
        Some(code) => match Lang::from_code(&code) {
            Some(lang) => lang,
            None => {
                let message = format!(
                    "language {code:?} (from the input) is not supported: az, ru and en are"
                );
                return DocumentOutput::status(record, Status::Skipped, &code, message);
            }
        },
        None => {
            let detection = resources.detector.detect(&normalized.text());
            match detection.lang {
                Some(lang) => lang,
                None => {
                    let message = if detection.code == "und" {
                        "language could not be determined".to_string()
                    } else {
                        format!(
                            "language {} is not supported: az, ru and en are",
                            detection.code
                        )
                    };
                    return DocumentOutput::status(
                        record,
                        Status::Skipped,
                        &detection.code,
                        message,
                    );
                }
            }
        }
    };
    times.language += clock.elapsed();

    let clock = Instant::now();
    let date = record.date.clone().or_else(|| normalized.date.clone());
    let aligned = normalize_for_language(normalized, lang, resources);
    times.normalize += clock.elapsed();
    let text = aligned.text();
    let data = resources.language(lang);

    let clock = Instant::now();
    let segmented = segment(text, lang, &data.abbreviations);
    times.segment += clock.elapsed();

    // A backend failure (NER, a learned attribution labeller) ends this document only.
    let failed = |err: &dyn std::fmt::Display| {
        DocumentOutput::status(
            record,
            Status::Error,
            lang.code(),
            format!("{}: {err}", record.record),
        )
    };
    let clock = Instant::now();
    let mut message = String::new();
    let entities = match tag_entities(text, lang, &segmented, tagger) {
        Ok(entities) => entities,
        Err(NerError::NoModel(_)) => {
            message = format!("no NER model for {lang}: entities not tagged");
            Vec::new()
        }
        Err(err) => return failed(&err),
    };
    times.ner += clock.elapsed();

    let clock = Instant::now();
    let attributions = match attribute_with(
        text,
        lang,
        &segmented,
        &entities,
        &data.cues,
        data.learned.as_ref(),
    ) {
        Ok(attributions) => attributions,
        Err(err) => return failed(&err),
    };
    times.attribution += clock.elapsed();

    let clock = Instant::now();
    // Compared as written in claims.csv (three decimals), so that a row showing 0.800 is
    // kept at --min-confidence 0.8.
    let mut attributions = attributions;
    if settings.min_confidence > 0.0 {
        attributions
            .retain(|a| (a.confidence * 1000.0).round() / 1000.0 >= settings.min_confidence);
    }
    let claims = claim_rows(&record.id, lang, date.as_deref(), &aligned, &attributions);
    let entity_rows = entity_rows(&record.id, &aligned, &entities);
    times.rows += clock.elapsed();

    let words = segmented.word_count(text);
    let counts = Counts {
        documents: 1,
        ok: 1,
        claims: claims.len(),
        entities: entity_rows.len(),
        words,
        bytes: record.text.len(),
        ..Counts::default()
    };
    DocumentOutput {
        document: DocumentRow {
            doc_id: record.id.clone(),
            source: record.source.clone(),
            record: record.record.clone(),
            lang: lang.code().to_string(),
            chars: aligned.original_chars(),
            sentences: segmented.sentences.len(),
            entities: entity_rows.len(),
            claims: claims.len(),
            status: Status::Ok,
            message,
        },
        claims,
        entities: entity_rows,
        times,
        counts,
    }
}

/// Tags every sentence and turns the token spans into document entities.
pub fn tag_entities(
    text: &str,
    lang: Lang,
    segmented: &Segmented,
    tagger: &dyn Tagger,
) -> Result<Vec<Entity>, NerError> {
    let tagged = tagger.tag_document(lang, &segmented.sentence_words(text))?;
    let mut entities = Vec::new();
    for (index, (sentence, spans)) in segmented.sentences.iter().zip(tagged).enumerate() {
        for span in spans {
            let first = sentence.tokens.start + span.start;
            let end = sentence.tokens.start + span.end;
            // A tagger that breaks the contract must not corrupt the output.
            if span.start >= span.end || end > sentence.tokens.end {
                return Err(NerError::Backend(format!(
                    "tagger returned tokens {}..{} for a sentence of {}",
                    span.start,
                    span.end,
                    sentence.tokens.len()
                )));
            }
            entities.push(Entity {
                sentence: index,
                tokens: first..end,
                start: segmented.tokens[first].start,
                end: segmented.tokens[end - 1].end,
                kind: span.kind,
                confidence: span.confidence,
            });
        }
    }
    Ok(entities)
}
