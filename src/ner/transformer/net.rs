//! The network: reading an HF token-classification directory into a rust-bert model.
//!
//! Supported `model_type`s are `bert`, `roberta`/`xlm-roberta`/`camembert` and
//! `distilbert`, the encoders rust-bert implements for token classification. Weights come
//! from `model.safetensors` (what HF saves today), `rust_model.ot` (rust-bert's own
//! conversion) or `pytorch_model.bin`; tensor names are the HF ones
//! (`bert.encoder.layer.0...`, `classifier`).

use super::TransformerError;
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_bert::roberta::RobertaForTokenClassification;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor, nn};

/// The encoder families we can run.
enum Family {
    Bert(BertForTokenClassification),
    Roberta(RobertaForTokenClassification),
    DistilBert(DistilBertForTokenClassification),
}

/// A loaded network with what the tagger needs to know about it.
pub struct Net {
    family: Family,
    /// Keeps the weights alive; the modules hold views into it.
    _vs: nn::VarStore,
    /// `id2label` of config.json, by id.
    pub id2label: BTreeMap<usize, String>,
    /// Most subwords one window may hold, the special tokens included.
    pub max_positions: usize,
    /// Vocabulary size (every input id must be below it).
    pub vocab_size: usize,
    /// The padding id (`pad_token_id`, else 0).
    pub pad_id: i64,
}

fn file_error(path: &Path, source: std::io::Error) -> TransformerError {
    TransformerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn incompatible(path: &Path, reason: impl Into<String>) -> TransformerError {
    TransformerError::Incompatible {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The weights file of a directory: `model.safetensors`, else `rust_model.ot`, else the
/// pickled `pytorch_model.bin` of older HF checkpoints.
fn weights_file(dir: &Path) -> Result<PathBuf, TransformerError> {
    ["model.safetensors", "rust_model.ot", "pytorch_model.bin"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| TransformerError::MissingFile {
            dir: dir.to_path_buf(),
            file: "model.safetensors (or rust_model.ot, pytorch_model.bin)".to_string(),
        })
}

/// Reads `id2label`, whose keys are decimal strings in HF configs.
fn read_labels(path: &Path, config: &Value) -> Result<BTreeMap<usize, String>, TransformerError> {
    let Some(map) = config.get("id2label").and_then(Value::as_object) else {
        return Err(incompatible(
            path,
            "no id2label: not a token-classification model",
        ));
    };
    let mut labels = BTreeMap::new();
    for (key, value) in map {
        let id = key
            .parse::<usize>()
            .map_err(|_| incompatible(path, format!("id2label key {key:?} is not a number")))?;
        let label = value
            .as_str()
            .ok_or_else(|| incompatible(path, format!("id2label[{key}] is not a string")))?;
        labels.insert(id, label.to_string());
    }
    Ok(labels)
}

impl Net {
    /// Loads config.json and the weights of `dir` on the CPU.
    pub fn load(dir: &Path) -> Result<Net, TransformerError> {
        let config_path = dir.join("config.json");
        if !config_path.is_file() {
            return Err(TransformerError::MissingFile {
                dir: dir.to_path_buf(),
                file: "config.json".to_string(),
            });
        }
        let text =
            std::fs::read_to_string(&config_path).map_err(|e| file_error(&config_path, e))?;
        let config: Value = serde_json::from_str(&text).map_err(|e| {
            incompatible(
                &config_path,
                format!("not valid JSON (line {}): {e}", e.line()),
            )
        })?;
        let id2label = read_labels(&config_path, &config)?;
        let model_type = config
            .get("model_type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let weights = weights_file(dir)?;
        let parse_err =
            |e: serde_json::Error| incompatible(&config_path, format!("{model_type} config: {e}"));
        let mut vs = nn::VarStore::new(Device::Cpu);
        let pad_id = config
            .get("pad_token_id")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let build_err = |e: rust_bert::RustBertError| incompatible(&config_path, e.to_string());
        let (family, max_positions, vocab_size) = match model_type.as_str() {
            "bert" | "roberta" | "xlm-roberta" | "camembert" => {
                let cfg: BertConfig = serde_json::from_value(config.clone()).map_err(parse_err)?;
                let mut positions = cfg.max_position_embeddings;
                let family = if model_type == "bert" {
                    Family::Bert(
                        BertForTokenClassification::new(vs.root(), &cfg).map_err(build_err)?,
                    )
                } else {
                    // RoBERTa numbers positions from padding_idx + 1, losing two slots.
                    positions -= pad_id + 1;
                    Family::Roberta(
                        RobertaForTokenClassification::new(vs.root(), &cfg).map_err(build_err)?,
                    )
                };
                (family, positions, cfg.vocab_size)
            }
            "distilbert" => {
                let cfg: DistilBertConfig =
                    serde_json::from_value(config.clone()).map_err(parse_err)?;
                let model =
                    DistilBertForTokenClassification::new(vs.root(), &cfg).map_err(build_err)?;
                (
                    Family::DistilBert(model),
                    cfg.max_position_embeddings,
                    cfg.vocab_size,
                )
            }
            "" => return Err(incompatible(&config_path, "no model_type")),
            other => {
                return Err(incompatible(
                    &config_path,
                    format!(
                        "unknown model_type {other:?} (bert, roberta, xlm-roberta, camembert or distilbert)"
                    ),
                ));
            }
        };
        vs.load(&weights)
            .map_err(|e| incompatible(&weights, e.to_string()))?;
        // Loading adopts the file's precision; half-precision checkpoints run slowly (or not
        // at all) on the CPU, so compute in f32.
        vs.float();
        Ok(Net {
            family,
            _vs: vs,
            id2label,
            max_positions: usize::try_from(max_positions).unwrap_or(0),
            vocab_size: usize::try_from(vocab_size).unwrap_or(0),
            pad_id,
        })
    }

    /// Runs a padded batch (`ids` and `mask` are `batch × len`, int64) and returns the
    /// softmax over the labels, `batch × len × labels`, as f32.
    pub fn probabilities(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor, String> {
        tch::no_grad(|| {
            let logits = match &self.family {
                Family::Bert(m) => {
                    let types = ids.zeros_like();
                    m.forward_t(Some(ids), Some(mask), Some(&types), None, None, false)
                        .logits
                }
                Family::Roberta(m) => {
                    let types = ids.zeros_like();
                    m.forward_t(Some(ids), Some(mask), Some(&types), None, None, false)
                        .logits
                }
                Family::DistilBert(m) => {
                    m.forward_t(Some(ids), Some(mask), None, false)
                        .map_err(|e| e.to_string())?
                        .logits
                }
            };
            Ok(logits.softmax(-1, Kind::Float))
        })
    }
}
