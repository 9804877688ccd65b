//! Gold data for the learned attribution labeller: articles run through the pipeline
//! stages with token labels, and scoring through the real attribution path.
//!
//! Each gold article goes through the pipeline's own stages (normalise, segment, embedded
//! NER), so the labeller is trained on exactly the tokens and entities it will see at run
//! time. Gold spans (code points of the original text) label the tokens whose original
//! span overlaps them; each piece of a discontinuous content is its own span, so "he said"
//! inside an interrupted quote keeps its own labels. Where roles collide (rare: PolNeAR is
//! univocal) cue wins over source over content.

use super::combine::{CombineMode, LearnedAttribution, link_spans};
use super::cues::CueLexicon;
use super::learned::{AttributionModel, ROLE_CONTENT, ROLE_CUE, ROLE_SOURCE, spans_of_tags};
use super::learned_features::DocFeatures;
use super::patterns::DocView;
use super::resolve::resolve_speakers;
use crate::claims::claim_rows;
use crate::document::{Entity, Lang, Segmented};
use crate::eval::attribution::{AttributionReport, AttributionScorer, spans_of_claims};
use crate::eval::polnear::GoldDocument;
use crate::ner::{NerError, Tagger};
use crate::normalize::{AlignedText, normalize, normalize_for_language};
use crate::pipeline::tag_entities;
use crate::resources::Resources;
use crate::segment::segment;
use std::sync::Arc;

/// One gold article run through the pipeline stages, with token labels.
#[derive(Clone, Debug)]
pub struct PreparedDoc {
    /// The gold article.
    pub gold: GoldDocument,
    /// Its normalised text.
    pub aligned: AlignedText,
    /// Tokens and sentences.
    pub segmented: Segmented,
    /// Entities from the tagger.
    pub entities: Vec<Entity>,
    /// Token values for the features.
    pub features: DocFeatures,
    /// Gold label per token.
    pub labels: Vec<u8>,
}

/// Runs one gold article through normalisation, segmentation and NER, and labels its tokens.
pub fn prepare(
    gold: GoldDocument,
    resources: &Resources,
    tagger: &dyn Tagger,
) -> Result<PreparedDoc, NerError> {
    let lang = Lang::En;
    let aligned = normalize_for_language(normalize(&gold.text, resources), lang, resources);
    let data = resources.language(lang);
    let text = aligned.text();
    let segmented = segment(text, lang, &data.abbreviations);
    let entities = match tag_entities(text, lang, &segmented, tagger) {
        Ok(e) => e,
        Err(NerError::NoModel(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let features = DocFeatures::new(text, lang, &segmented, &entities, &data.cues);
    // (start, end, role, piece id) in original code points.
    let mut pieces: Vec<(usize, usize, usize, usize)> = Vec::new();
    for a in &gold.attributions {
        let roles = a
            .source
            .iter()
            .map(|s| (s, ROLE_SOURCE))
            .chain(a.cue.iter().map(|s| (s, ROLE_CUE)))
            .chain(a.contents.iter().map(|s| (s, ROLE_CONTENT)));
        for (span, role) in roles {
            for &(s, e) in &span.pieces {
                let id = pieces.len();
                pieces.push((s, e, role, id));
            }
        }
    }
    let priority = |role: usize| match role {
        ROLE_CUE => 0,
        ROLE_SOURCE => 1,
        _ => 2,
    };
    let mut labels = vec![0u8; segmented.tokens.len()];
    for sentence in &segmented.sentences {
        let mut prev: Option<usize> = None;
        for t in sentence.tokens.clone() {
            let tok = segmented.tokens[t];
            let (a, b) = aligned.original_span(tok.start, tok.end);
            let hit = pieces
                .iter()
                .filter(|p| p.0 < b && a < p.1)
                .min_by_key(|p| (priority(p.2), p.3));
            labels[t] = match hit {
                Some(&(_, _, role, id)) => {
                    let inside = prev == Some(id) && t != sentence.tokens.start;
                    prev = Some(id);
                    (1 + 2 * role + usize::from(inside)) as u8
                }
                None => {
                    prev = None;
                    0
                }
            };
        }
    }
    // Sentences inside one paragraph continue a span across their boundary.
    for p in 0..features.paragraphs.len() {
        let range = features.paragraph_tokens(&segmented, p);
        for t in range.start + 1..range.end {
            let (prev, cur) = (labels[t - 1] as usize, labels[t] as usize);
            if cur != 0 && !cur.is_multiple_of(2) && prev != 0 && (prev - 1) / 2 == (cur - 1) / 2 {
                let tok = segmented.tokens[t];
                let before = segmented.tokens[t - 1];
                let (a, b) = aligned.original_span(tok.start, tok.end);
                let (pa, pb) = aligned.original_span(before.start, before.end);
                let same = pieces
                    .iter()
                    .any(|q| q.0 < b && a < q.1 && q.0 < pb && pa < q.1);
                if same {
                    labels[t] += 1;
                }
            }
        }
    }
    Ok(PreparedDoc {
        gold,
        aligned,
        segmented,
        entities,
        features,
        labels,
    })
}

/// Scores a model on prepared documents through the real attribution path.
pub fn evaluate(
    model: &Arc<AttributionModel>,
    mode: CombineMode,
    docs: &[PreparedDoc],
    lexicon: &CueLexicon,
) -> AttributionReport {
    let learned = LearnedAttribution {
        model: Arc::clone(model),
        mode,
        bounds: None,
        labeller: None,
    };
    evaluate_with(&learned, docs, lexicon)
}

/// Scores the perceptron labeller with its settings (mode, content-boundary re-ranker) on
/// prepared documents through the real attribution path (a [`super::RoleLabeller`] in
/// `learned` is not used: this scores what training produces).
pub fn evaluate_with(
    learned: &LearnedAttribution,
    docs: &[PreparedDoc],
    lexicon: &CueLexicon,
) -> AttributionReport {
    let learned = LearnedAttribution {
        labeller: None,
        ..learned.clone()
    };
    let mut scorer = AttributionScorer::default();
    for d in docs {
        let found = super::attribute_with(
            d.aligned.text(),
            Lang::En,
            &d.segmented,
            &d.entities,
            lexicon,
            Some(&learned),
        )
        .expect("the perceptron labeller does not fail");
        let rows = claim_rows(&d.gold.name, Lang::En, None, &d.aligned, &found);
        scorer.add(&d.gold, &spans_of_claims(&rows));
    }
    scorer.report()
}

/// Scores the gold token labels themselves, linked like the model's: the ceiling that the
/// tokenisation, the BIO encoding and the linking leave to any labeller.
pub fn oracle(docs: &[PreparedDoc], lexicon: &CueLexicon) -> AttributionReport {
    let mut scorer = AttributionScorer::default();
    for d in docs {
        let text = d.aligned.text();
        let view = DocView::new(text, Lang::En, &d.segmented, &d.entities, lexicon);
        let mut spans = Vec::new();
        for p in 0..d.features.paragraphs.len() {
            let range = d.features.paragraph_tokens(&d.segmented, p);
            spans.extend(spans_of_tags(&d.labels[range.clone()], range.start, None));
        }
        let found = link_spans(&view, &d.features, &spans, 1.0, &mut |c| c.content.clone());
        let found = resolve_speakers(&view, found);
        let rows = claim_rows(&d.gold.name, Lang::En, None, &d.aligned, &found);
        scorer.add(&d.gold, &spans_of_claims(&rows));
    }
    scorer.report()
}
