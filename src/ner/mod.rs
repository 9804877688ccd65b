//! Named-entity recognition: the [`Tagger`] trait and its implementations.
//!
//! The pipeline hands a tagger the words of one sentence (normalised token texts) and gets
//! back entity spans as token indices. Taggers are interchangeable: the embedded model that
//! ships in `models/ner/`, and (behind the `transformer` feature) a rust-bert model.
//! The pipeline takes a `&dyn Tagger`, so any of them plugs in.

pub mod calibrate;
pub mod clusters;
pub mod decode;
pub mod dense;
pub mod embedded;
pub mod features;
pub mod flat_map;
pub mod gazetteer;
pub mod heads;
pub mod model;
pub mod model_file;
pub mod name_gate;
pub mod navec_clusters;
mod perceptron;
pub mod slovnet;
pub mod train;
#[cfg(feature = "transformer")]
pub mod transformer;
pub mod word_cache;

pub use embedded::{EmbeddedTagger, RussianModel, SLOVNET_FILE, STACKED_FILE};
pub use heads::EntityHeads;
pub use slovnet::SlovnetModel;
#[cfg(feature = "transformer")]
pub use transformer::{TransformerError, TransformerOptions, TransformerTagger};

use crate::document::{Lang, TokenSpan};

/// Errors raised while tagging.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NerError {
    /// The tagger has no model for this language.
    #[error("no NER model for language {0}")]
    NoModel(Lang),
    /// Anything else the backend reports.
    #[error("tagger failed: {0}")]
    Backend(String),
}

/// A named-entity tagger.
///
/// Contract: `tag` receives the words of one sentence and returns non-overlapping spans in
/// increasing order, each with `start < end <= words.len()`. It must not invent text: every
/// span is a run of the given words. Implementations are immutable after loading and are
/// shared by all worker threads, hence `Send + Sync` and `&self`.
pub trait Tagger: Send + Sync {
    /// A short name for reports (`embedded`, `transformer`, `none`).
    fn name(&self) -> &str;

    /// Tags one sentence.
    fn tag(&self, lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError>;

    /// Tags several sentences of one language. The default loops over [`Tagger::tag`];
    /// backends that gain from batching override it.
    fn tag_batch(
        &self,
        lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        sentences
            .iter()
            .map(|words| self.tag(lang, words))
            .collect()
    }

    /// Tags the sentences of one document, in order. Backends that read context across
    /// sentences (a transformer trained with document context) override it; the default
    /// tags them as [`Tagger::tag_batch`] does.
    fn tag_document(
        &self,
        lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        self.tag_batch(lang, sentences)
    }

    /// Tags several documents, each as [`Tagger::tag_document`] would. Backends that batch
    /// override it so that the sentences of short documents share batches.
    fn tag_documents(
        &self,
        lang: Lang,
        documents: &[Vec<Vec<&str>>],
    ) -> Result<Vec<Vec<Vec<TokenSpan>>>, NerError> {
        documents
            .iter()
            .map(|sentences| self.tag_document(lang, sentences))
            .collect()
    }
}

/// A correction applied to a tagger's spans, one sentence at a time, after tagging:
/// retyping by head nouns ([`EntityHeads`]), keeping only what the name gates allow
/// ([`name_gate::NameGates`]).
pub trait SpanPass: Send + Sync {
    /// Corrects `spans`, the spans found in `words`.
    fn apply(&self, lang: Lang, words: &[&str], spans: &mut Vec<TokenSpan>);
}

/// A tagger whose spans go through a [`SpanPass`] whichever way it is called.
pub struct WithPass<T, P> {
    /// The tagger that finds the spans.
    pub inner: T,
    /// What corrects them.
    pub pass: P,
}

impl<T: Tagger, P: SpanPass> WithPass<T, P> {
    fn apply_all(&self, lang: Lang, sentences: &[Vec<&str>], tagged: &mut [Vec<TokenSpan>]) {
        for (words, spans) in sentences.iter().zip(tagged) {
            self.pass.apply(lang, words, spans);
        }
    }
}

impl<T: Tagger, P: SpanPass> Tagger for WithPass<T, P> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn tag(&self, lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
        let mut spans = self.inner.tag(lang, words)?;
        self.pass.apply(lang, words, &mut spans);
        Ok(spans)
    }

    fn tag_batch(
        &self,
        lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        let mut tagged = self.inner.tag_batch(lang, sentences)?;
        self.apply_all(lang, sentences, &mut tagged);
        Ok(tagged)
    }

    fn tag_document(
        &self,
        lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        let mut tagged = self.inner.tag_document(lang, sentences)?;
        self.apply_all(lang, sentences, &mut tagged);
        Ok(tagged)
    }

    fn tag_documents(
        &self,
        lang: Lang,
        documents: &[Vec<Vec<&str>>],
    ) -> Result<Vec<Vec<Vec<TokenSpan>>>, NerError> {
        let mut tagged = self.inner.tag_documents(lang, documents)?;
        for (sentences, spans) in documents.iter().zip(&mut tagged) {
            self.apply_all(lang, sentences, spans);
        }
        Ok(tagged)
    }
}

/// A tagger that finds nothing: used when no model is available, so that `entities.csv`
/// never holds guessed entities.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTagger;

impl Tagger for NoTagger {
    fn name(&self) -> &str {
        "none"
    }

    fn tag(&self, _lang: Lang, _words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
        Ok(Vec::new())
    }
}
