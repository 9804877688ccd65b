//! A tiny random-initialised BERT token-classification model, for tests and benchmarks.
//!
//! It is written in exactly the layout [`super::TransformerTagger::load`] reads from a real
//! Hugging Face directory (config.json, model.safetensors, tokenizer.json), so tests and the
//! benchmark exercise the real loading path without any downloaded model. Its predictions
//! are random but deterministic for a given seed.

use super::TransformerError;
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use std::path::Path;
use tokenizers::Tokenizer;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;

/// The labels of the tiny model.
pub const TINY_LABELS: [&str; 7] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"];

/// The word pieces of the tiny model after the special tokens: synthetic test fixtures
/// (lowercase; `##` marks a continuation piece).
const TINY_PIECES: [&str; 28] = [
    "the", "said", "john", "##son", "smith", "city", "bank", "news", "report", "##ed", "##s",
    "that", "minister", "visit", "a", "of", "in", ".", ",", "al", "##i", "##yev", "new", "york",
    "mar", "##ia", "on", "today",
];

/// Shape of the tiny model.
#[derive(Clone, Copy, Debug)]
pub struct TinySpec {
    /// Positions the model can read (small values force windowing).
    pub max_position_embeddings: i64,
    /// Seed of the random weights.
    pub seed: i64,
}

impl Default for TinySpec {
    fn default() -> Self {
        TinySpec {
            max_position_embeddings: 64,
            seed: 7,
        }
    }
}

fn write_failed(path: &Path, reason: String) -> TransformerError {
    TransformerError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(reason),
    }
}

/// Writes config.json, model.safetensors and tokenizer.json of a tiny model into `dir`
/// (which must exist).
pub fn write_tiny_model(dir: &Path, spec: TinySpec) -> Result<(), TransformerError> {
    const SPECIAL: [&str; 4] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];
    // An array, because the tokenizer's vocabulary map is built from one without naming its
    // hash map type.
    let vocab: [(String, u32); SPECIAL.len() + TINY_PIECES.len()] = std::array::from_fn(|i| {
        let piece = SPECIAL
            .get(i)
            .unwrap_or_else(|| &TINY_PIECES[i - SPECIAL.len()]);
        (piece.to_string(), i as u32)
    });
    let vocab_size = vocab.len() as i64;
    let tokenizer_path = dir.join("tokenizer.json");
    let wordpiece = WordPiece::builder()
        .vocab(vocab)
        .unk_token("[UNK]".to_string())
        .build()
        .map_err(|e| write_failed(&tokenizer_path, e.to_string()))?;
    let mut tokenizer = Tokenizer::new(wordpiece);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(true, true, None, true)))
        .with_pre_tokenizer(Some(BertPreTokenizer));
    tokenizer
        .save(&tokenizer_path, true)
        .map_err(|e| write_failed(&tokenizer_path, e.to_string()))?;

    let id2label: serde_json::Map<String, serde_json::Value> = TINY_LABELS
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), serde_json::Value::from(*l)))
        .collect();
    let config = serde_json::json!({
        "model_type": "bert",
        "architectures": ["BertForTokenClassification"],
        "hidden_act": "gelu",
        "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1,
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "max_position_embeddings": spec.max_position_embeddings,
        "num_attention_heads": 2,
        "num_hidden_layers": 2,
        "type_vocab_size": 2,
        "vocab_size": vocab_size,
        "pad_token_id": 0,
        "id2label": id2label,
    });
    let config_path = dir.join("config.json");
    let text = serde_json::to_string_pretty(&config)
        .map_err(|e| write_failed(&config_path, e.to_string()))?;
    std::fs::write(&config_path, text).map_err(|source| TransformerError::Io {
        path: config_path.clone(),
        source,
    })?;
    let cfg: BertConfig =
        serde_json::from_value(config).map_err(|e| write_failed(&config_path, e.to_string()))?;

    let weights = dir.join("model.safetensors");
    tch::manual_seed(spec.seed);
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    BertForTokenClassification::new(vs.root(), &cfg)
        .map_err(|e| write_failed(&weights, e.to_string()))?;
    vs.save(&weights)
        .map_err(|e| write_failed(&weights, e.to_string()))?;
    Ok(())
}
