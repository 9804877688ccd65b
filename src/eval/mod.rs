//! Evaluation harnesses. [`evaluate_ner`] scores any [`Tagger`] on CoNLL gold data, so the
//! embedded model and any future backend are measured the same way.

pub mod attribution;
pub mod claims;
pub mod conll;
pub mod polnear;
pub mod sources;
pub mod spans;

use crate::document::Lang;
use crate::ner::{NerError, Tagger};
use conll::ConllSentence;
use spans::{Report, Span, SpanCounts};

/// Most sentences of one document handed to the tagger at once, so that a gold file without
/// document boundaries does not become one huge batch (context is lost only at these cuts).
const MAX_DOCUMENT_SENTENCES: usize = 512;

/// Sentences handed to [`Tagger::tag_documents`] at once (whole documents, at least this
/// many unless the file ends): batching backends (the transformer) fill their batches with
/// the sentences of several short documents.
const EVAL_BATCH: usize = 64;

/// Tags every gold document with `tagger` (as [`Tagger::tag_document`] would, which is how
/// the pipeline tags an article, so a backend that reads context across sentences is scored
/// as it runs) and scores exact spans against the gold tags.
pub fn evaluate_ner(
    tagger: &dyn Tagger,
    lang: Lang,
    gold: &[ConllSentence],
) -> Result<Report, NerError> {
    let mut counts = SpanCounts::default();
    // A file without -DOCSTART- lines is one document; cut it so memory stays bounded.
    let documents: Vec<&[ConllSentence]> = gold
        .chunk_by(|_, next| !next.starts_document)
        .flat_map(|doc| doc.chunks(MAX_DOCUMENT_SENTENCES))
        .collect();
    let mut next = 0;
    while next < documents.len() {
        let mut group: Vec<&[ConllSentence]> = Vec::new();
        let mut sentences = 0;
        while next < documents.len() && sentences < EVAL_BATCH {
            sentences += documents[next].len();
            group.push(documents[next]);
            next += 1;
        }
        let words: Vec<Vec<Vec<&str>>> = group
            .iter()
            .map(|doc| {
                doc.iter()
                    .map(|sentence| sentence.words.iter().map(String::as_str).collect())
                    .collect()
            })
            .collect();
        let tagged = tagger.tag_documents(lang, &words)?;
        for (sentence, spans) in group
            .iter()
            .copied()
            .flatten()
            .zip(tagged.into_iter().flatten())
        {
            let predicted: Vec<Span> = spans
                .into_iter()
                .map(|s| Span {
                    start: s.start,
                    end: s.end,
                    kind: s.kind.as_str().to_string(),
                })
                .collect();
            counts.add(&spans::spans_from_tags(&sentence.tags), &predicted);
        }
    }
    Ok(counts.report())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{EntityType, TokenSpan};

    /// Tags every capitalised word as a one-word PER.
    struct CapsTagger;
    impl Tagger for CapsTagger {
        fn name(&self) -> &str {
            "caps"
        }
        fn tag(&self, _lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
            Ok(words
                .iter()
                .enumerate()
                .filter(|(_, w)| w.chars().next().is_some_and(char::is_uppercase))
                .map(|(i, _)| TokenSpan {
                    start: i,
                    end: i + 1,
                    kind: EntityType::Per,
                    confidence: 1.0,
                })
                .collect())
        }
    }

    #[test]
    fn scores_a_tagger() {
        let s = |w: &[&str], t: &[&str]| ConllSentence {
            words: w.iter().map(|x| x.to_string()).collect(),
            tags: t.iter().map(|x| x.to_string()).collect(),
            starts_document: false,
        };
        let gold = vec![s(
            &["Ann", "met", "Bob", "Ray"],
            &["B-PER", "O", "B-PER", "I-PER"],
        )];
        let r = evaluate_ner(&CapsTagger, Lang::En, &gold).unwrap();
        assert_eq!(r.per_type["PER"].support, 2);
        assert_eq!(r.micro.p, 33.33);
        assert_eq!(r.micro.r, 50.0);
    }
}
