//! The accurate NER mode: a transformer token-classification model (feature `transformer`).
//!
//! [`TransformerTagger`] loads a Hugging Face token-classification directory (config.json
//! with `id2label`, `model.safetensors` or `rust_model.ot`, tokenizer.json) and runs it
//! through rust-bert on libtorch's CPU backend. Words are tokenised as pre-split input, so
//! each word maps to its own subwords, and a word takes the prediction of its first subword
//! (the usual HF convention for NER). Sentences longer than the model's window are cut into
//! overlapping windows (`window.rs`); sentences of similar length are batched together so
//! padding stays small. A model trained with document context (config.json
//! `newsclaims_context_subwords`) reads each window with that many subwords of the
//! surrounding sentences on each side when given a whole document
//! ([`Tagger::tag_document`]); only the window's own words take its predictions. Label
//! probabilities are decoded into valid IOB2 spans (`labels.rs`).

mod labels;
mod net;
pub mod tiny;
pub mod train;
mod window;

#[cfg(test)]
mod tests;

use crate::document::{Lang, TokenSpan};
use crate::ner::decode::DecodeScratch;
use crate::ner::{NerError, Tagger};
use labels::LabelMap;
use net::Net;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use tch::Tensor;

/// For tests of the shipped models: `models/<name>` of the source tree when the base
/// encoder they need (scripts/make-e5-encoder.sh) is built; `None`, with a message saying
/// the test is skipped, when it is not.
#[cfg(test)]
pub(crate) fn shipped_model_dir(name: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root
        .join("third_party/e5-small/model.safetensors")
        .is_file()
    {
        eprintln!("skipped: the base encoder is not built (scripts/make-e5-encoder.sh)");
        return None;
    }
    Some(root.join("models").join(name))
}

/// Errors raised while loading a transformer model directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransformerError {
    /// The model directory does not exist.
    #[error("model directory {0} does not exist")]
    NoDirectory(PathBuf),
    /// A file the model needs is missing from its directory.
    #[error("{dir}: missing {file}")]
    MissingFile {
        /// The model directory.
        dir: PathBuf,
        /// The missing file.
        file: String,
    },
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is there but does not describe a model we can run.
    #[error("{path}: incompatible model: {reason}")]
    Incompatible {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// Tuning of the transformer tagger.
#[derive(Clone, Debug)]
pub struct TransformerOptions {
    /// Windows per forward pass.
    pub batch_size: usize,
    /// Cap on a window's length in subwords, special tokens included (the model's own
    /// `max_position_embeddings` applies too).
    pub max_tokens: usize,
    /// Subwords shared by consecutive windows of a long sentence (at most half a window).
    pub overlap: usize,
    /// libtorch intra-op threads. The pipeline already runs one tagger call per worker
    /// thread, so 1 avoids oversubscribing the cores.
    pub intra_op_threads: usize,
}

impl Default for TransformerOptions {
    fn default() -> Self {
        TransformerOptions {
            batch_size: 16,
            max_tokens: 512,
            overlap: 64,
            intra_op_threads: 1,
        }
    }
}

/// Reads a tokenizer.json for pre-split words: windowing is ours, so the tokenizer must
/// neither cut nor pad a sentence.
pub(crate) fn load_tokenizer(path: &Path) -> Result<tokenizers::Tokenizer, TransformerError> {
    let bad = |reason: String| TransformerError::Incompatible {
        path: path.to_path_buf(),
        reason,
    };
    let mut tokenizer = tokenizers::Tokenizer::from_file(path).map_err(|e| bad(e.to_string()))?;
    tokenizer
        .with_truncation(None)
        .map_err(|e| bad(e.to_string()))?;
    tokenizer.with_padding(None);
    Ok(tokenizer)
}

/// The subword ids of each of `words` (at most `budget` per word), tokenised as pre-split
/// input so that each word maps to its own subwords; a word the tokenizer drops entirely
/// becomes `unk`. Shared by tagging and training, so both see the same pieces.
pub(crate) fn word_pieces(
    tokenizer: &tokenizers::Tokenizer,
    words: &[&str],
    budget: usize,
    unk: u32,
) -> Result<Vec<Vec<u32>>, String> {
    let mut out = vec![Vec::new(); words.len()];
    if words.is_empty() {
        return Ok(out);
    }
    let encoding = tokenizer
        .encode(words.to_vec(), false)
        .map_err(|e| e.to_string())?;
    for (&id, word) in encoding.get_ids().iter().zip(encoding.get_word_ids()) {
        if let Some(pieces) = word.and_then(|w| out.get_mut(w as usize))
            && pieces.len() < budget
        {
            pieces.push(id);
        }
    }
    for pieces in &mut out {
        if pieces.is_empty() {
            pieces.push(unk);
        }
    }
    Ok(out)
}

/// The network, shared by all worker threads.
struct SharedNet(Net);

// SAFETY: `Sync` lets worker threads call `Net::probabilities(&self)` concurrently. `Net` is
// not `Sync` only because `tch::Tensor` (a raw pointer to a libtorch tensor) is not; the
// `VarStore` it also holds is `Sync`. Shared use is sound because, once `Net::load` has
// returned, nothing reachable through `&Net` writes to any tensor:
// - `probabilities` runs the rust-bert forward passes with `train = false`, so dropout is
//   the identity and draws no random mask (rust-bert's only in-place op in these models,
//   `bernoulli_float_` in `Dropout`, runs on a fresh tensor and only in training);
//   attention masks, position ids and activations are new tensors of the calling thread;
// - it runs under `tch::no_grad`, which sets libtorch's thread-local grad mode, so no
//   autograd graph is recorded and the parameters' autograd metadata (grad_fn, grad,
//   version counter) is never touched, although they have `requires_grad`;
// - the parameters are only read, as inputs of out-of-place ops; reading a tensor from
//   several threads is safe in libtorch, whose reference counts are atomic;
// - the remaining work before sharing (DistilBERT's sinusoidal `copy_`, `VarStore::float`)
//   happens inside `Net::load`, and the tensors are dropped only with the owner.
// Any `&self` method added to `Net` must keep these properties (no in-place op on a
// parameter, no autograd, no training mode).
unsafe impl Sync for SharedNet {}

/// One window of one sentence, ready for the network.
struct Job {
    sentence: usize,
    /// `[CLS] subwords [SEP]`.
    ids: Vec<i64>,
    /// Position in `ids` of the first subword of each word of the window.
    firsts: Vec<usize>,
}

/// A transformer token-classification model that gives each word of pre-split text the
/// label probabilities of its first subword: what [`TransformerTagger`] decodes into
/// entities and the attribution labeller (`crate::attribution::transformer`) into sources,
/// cues and contents.
pub struct TokenClassifier {
    net: SharedNet,
    tokenizer: tokenizers::Tokenizer,
    cls: i64,
    sep: i64,
    unk: Option<u32>,
    /// Subwords per window, special tokens and context excluded.
    budget: usize,
    /// Subwords of document context read on each side of a window.
    context: usize,
    options: TransformerOptions,
}

/// A transformer token-classification model behind the [`Tagger`] trait.
pub struct TransformerTagger {
    classifier: TokenClassifier,
    labels: LabelMap,
}

impl std::fmt::Debug for TransformerTagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformerTagger")
            .field("labels", &self.labels)
            .field("classifier", &self.classifier)
            .finish()
    }
}

impl TransformerTagger {
    /// Loads a model directory with the default options.
    pub fn load(model_dir: &Path) -> Result<TransformerTagger, TransformerError> {
        TransformerTagger::load_with(model_dir, TransformerOptions::default())
    }

    /// Loads a model directory whose labels name PER, ORG or LOC. Also sets libtorch's
    /// (process-wide) intra-op thread count.
    pub fn load_with(
        model_dir: &Path,
        options: TransformerOptions,
    ) -> Result<TransformerTagger, TransformerError> {
        let classifier = TokenClassifier::load_with(model_dir, options)?;
        let labels = LabelMap::new(classifier.id2label()).map_err(|reason| {
            TransformerError::Incompatible {
                path: model_dir.join("config.json"),
                reason,
            }
        })?;
        Ok(TransformerTagger { classifier, labels })
    }

    /// The subword ids of each word (at most one window's worth per word).
    pub fn subwords(&self, words: &[&str]) -> Result<Vec<Vec<u32>>, NerError> {
        self.classifier.subwords(words)
    }

    /// Decodes each sentence's label probabilities into entity spans.
    fn decode(&self, probs: &[Vec<f32>]) -> Vec<Vec<TokenSpan>> {
        let mut scratch = DecodeScratch::default();
        probs
            .iter()
            .map(|p| self.labels.decode(p, &mut scratch))
            .collect()
    }
}

impl std::fmt::Debug for TokenClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenClassifier")
            .field("labels", &self.net.0.id2label)
            .field("budget", &self.budget)
            .field("context", &self.context)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl TokenClassifier {
    /// Loads a model directory, whatever its labels. Also sets libtorch's (process-wide)
    /// intra-op thread count.
    pub fn load_with(
        model_dir: &Path,
        options: TransformerOptions,
    ) -> Result<TokenClassifier, TransformerError> {
        if !model_dir.is_dir() {
            return Err(TransformerError::NoDirectory(model_dir.to_path_buf()));
        }
        // A fine-tuned delta uses its base encoder's tokenizer unless it has its own.
        let tokenizer_path = [Some(model_dir.to_path_buf()), net::base_dir(model_dir)]
            .into_iter()
            .flatten()
            .map(|d| d.join("tokenizer.json"))
            .find(|p| p.is_file())
            .ok_or_else(|| TransformerError::MissingFile {
                dir: model_dir.to_path_buf(),
                file: "tokenizer.json".to_string(),
            })?;
        let net = Net::load(model_dir)?;
        let config_path = model_dir.join("config.json");
        let bad_tokenizer = |reason: String| TransformerError::Incompatible {
            path: tokenizer_path.clone(),
            reason,
        };
        let tokenizer = load_tokenizer(&tokenizer_path)?;
        if tokenizer.get_vocab_size(true) > net.vocab_size {
            return Err(bad_tokenizer(format!(
                "{} tokens but the model's vocab_size is {}",
                tokenizer.get_vocab_size(true),
                net.vocab_size
            )));
        }
        let special = |names: &[&str]| names.iter().find_map(|n| tokenizer.token_to_id(n));
        let cls = special(&["[CLS]", "<s>"])
            .ok_or_else(|| bad_tokenizer("no [CLS] or <s> token".to_string()))?;
        let sep = special(&["[SEP]", "</s>"])
            .ok_or_else(|| bad_tokenizer("no [SEP] or </s> token".to_string()))?;
        let unk = special(&["[UNK]", "<unk>"]);
        let context = net.context_subwords;
        let positions = net.max_positions.min(options.max_tokens);
        let budget = positions.saturating_sub(2 + 2 * context);
        if budget == 0 {
            return Err(TransformerError::Incompatible {
                path: config_path,
                reason: format!(
                    "windows of {positions} positions are too short for {context} subwords of context a side"
                ),
            });
        }
        tch::set_num_threads(i32::try_from(options.intra_op_threads.max(1)).unwrap_or(1));
        Ok(TokenClassifier {
            net: SharedNet(net),
            tokenizer,
            cls: i64::from(cls),
            sep: i64::from(sep),
            unk,
            budget,
            context,
            options,
        })
    }

    /// The model's labels by id, as config.json's `id2label` names them.
    pub fn id2label(&self) -> &std::collections::BTreeMap<usize, String> {
        &self.net.0.id2label
    }

    /// The subword ids of each word (at most one window's worth per word). A word the
    /// tokenizer drops entirely becomes the unknown token, so every word has a first subword.
    pub fn subwords(&self, words: &[&str]) -> Result<Vec<Vec<u32>>, NerError> {
        word_pieces(&self.tokenizer, words, self.budget, self.unk.unwrap_or(0))
            .map_err(|e| NerError::Backend(format!("tokenizer: {e}")))
    }

    /// Per sentence, the label probabilities of each word's first subword
    /// (`words × model labels`, row-major). `document_of[s]` numbers the document of
    /// sentence `s` (a document's sentences are consecutive): a window reads the words of
    /// its own document around it as context (if the model was trained so), never
    /// another's. All windows of all documents are batched together.
    pub fn word_probabilities(
        &self,
        sentences: &[Vec<&str>],
        document_of: &[usize],
    ) -> Result<Vec<Vec<f32>>, NerError> {
        // Every word's subwords, all words numbered in one sequence.
        let mut pieces: Vec<Vec<u32>> = Vec::new();
        let mut sentence_words = Vec::with_capacity(sentences.len());
        for words in sentences {
            let start = pieces.len();
            pieces.extend(self.subwords(words)?);
            sentence_words.push(start..pieces.len());
        }
        // Each sentence's document, as a range of words.
        let mut doc_words = vec![0..0; sentences.len()];
        let mut first = 0;
        for s in 1..=sentences.len() {
            if s == sentences.len() || document_of.get(s) != document_of.get(first) {
                let words = sentence_words[first].start..sentence_words[s - 1].end;
                doc_words[first..s].fill(words);
                first = s;
            }
        }
        let counts: Vec<usize> = pieces.iter().map(Vec::len).collect();
        let mut jobs = Vec::new();
        let mut plans = Vec::with_capacity(sentences.len());
        for (s, range) in sentence_words.iter().enumerate() {
            let doc = doc_words[s].clone();
            let wins = window::windows(&counts[range.clone()], self.budget, self.options.overlap);
            let first_job = jobs.len();
            for win in &wins {
                let own = range.start + win.start..range.start + win.end;
                let read = window::context(&counts, doc.clone(), own.clone(), self.context);
                let mut ids = vec![self.cls];
                let mut firsts = Vec::with_capacity(win.len());
                for w in read {
                    if own.contains(&w) {
                        firsts.push(ids.len());
                    }
                    ids.extend(pieces[w].iter().map(|&id| i64::from(id)));
                }
                ids.push(self.sep);
                jobs.push(Job {
                    sentence: s,
                    ids,
                    firsts,
                });
            }
            plans.push((first_job, wins));
        }
        let m = self.net.0.id2label.len();
        let mut job_probs: Vec<Vec<f32>> = vec![Vec::new(); jobs.len()];
        // Similar lengths side by side, so a batch pads little.
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&j| jobs[j].ids.len());
        for chunk in order.chunks(self.options.batch_size.max(1)) {
            let probs = self.run_batch(&jobs, chunk)?;
            let len = chunk.iter().map(|&j| jobs[j].ids.len()).max().unwrap_or(0);
            for (b, &j) in chunk.iter().enumerate() {
                let rows = &mut job_probs[j];
                for &pos in &jobs[j].firsts {
                    let at = (b * len + pos) * m;
                    rows.extend_from_slice(probs.get(at..at + m).unwrap_or(&[]));
                }
            }
        }
        let mut out = Vec::with_capacity(sentences.len());
        for (s, (first_job, wins)) in plans.iter().enumerate() {
            let n = sentences[s].len();
            let owners = window::owners(wins, n);
            let mut rows = Vec::with_capacity(n * m);
            for (w, &owner) in owners.iter().enumerate() {
                let job = first_job + owner;
                debug_assert_eq!(jobs[job].sentence, s);
                let k = w - wins[owner].start;
                rows.extend_from_slice(job_probs[job].get(k * m..(k + 1) * m).unwrap_or(&[]));
            }
            if rows.len() != n * m {
                return Err(NerError::Backend(
                    "the model returned fewer label rows than words".to_string(),
                ));
            }
            out.push(rows);
        }
        Ok(out)
    }

    /// Runs the jobs `chunk` as one padded batch; returns `batch × len × labels` floats.
    fn run_batch(&self, jobs: &[Job], chunk: &[usize]) -> Result<Vec<f32>, NerError> {
        let len = chunk.iter().map(|&j| jobs[j].ids.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(chunk.len() * len);
        let mut mask = Vec::with_capacity(chunk.len() * len);
        for &j in chunk {
            let job = &jobs[j].ids;
            ids.extend_from_slice(job);
            ids.extend(std::iter::repeat_n(self.net.0.pad_id, len - job.len()));
            mask.extend(std::iter::repeat_n(1i64, job.len()));
            mask.extend(std::iter::repeat_n(0i64, len - job.len()));
        }
        let shape = [chunk.len() as i64, len as i64];
        // libtorch reports failures as panics in tch; keep them from taking down a worker.
        let result = catch_unwind(AssertUnwindSafe(|| {
            let ids = Tensor::from_slice(&ids).view(shape);
            let mask = Tensor::from_slice(&mask).view(shape);
            let probs = self.net.0.probabilities(&ids, &mask)?;
            Vec::<f32>::try_from(probs.reshape([-1])).map_err(|e| e.to_string())
        }));
        match result {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(NerError::Backend(format!("transformer: {e}"))),
            Err(_) => Err(NerError::Backend(
                "transformer: libtorch failed during the forward pass".to_string(),
            )),
        }
    }
}

impl Tagger for TransformerTagger {
    fn name(&self) -> &str {
        "transformer"
    }

    fn tag(&self, lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
        let mut out = self.tag_batch(lang, &[words.to_vec()])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Multilingual models need no language: `lang` is ignored.
    fn tag_batch(
        &self,
        _lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        let alone: Vec<usize> = (0..sentences.len()).collect();
        Ok(self.decode(&self.classifier.word_probabilities(sentences, &alone)?))
    }

    /// As `tag_batch`, each window also reading the document's words around it when the
    /// model was trained with document context.
    fn tag_document(
        &self,
        _lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        let one = vec![0; sentences.len()];
        Ok(self.decode(&self.classifier.word_probabilities(sentences, &one)?))
    }

    /// As `tag_document` for each document, with the windows of all of them batched
    /// together.
    fn tag_documents(
        &self,
        _lang: Lang,
        documents: &[Vec<Vec<&str>>],
    ) -> Result<Vec<Vec<Vec<TokenSpan>>>, NerError> {
        let mut sentences: Vec<Vec<&str>> = Vec::new();
        let mut document_of = Vec::new();
        for (d, doc) in documents.iter().enumerate() {
            sentences.extend(doc.iter().cloned());
            document_of.extend(std::iter::repeat_n(d, doc.len()));
        }
        let mut tagged = self
            .decode(
                &self
                    .classifier
                    .word_probabilities(&sentences, &document_of)?,
            )
            .into_iter();
        Ok(documents
            .iter()
            .map(|doc| tagged.by_ref().take(doc.len()).collect())
            .collect())
    }
}
