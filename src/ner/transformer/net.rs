//! The network: reading an HF token-classification directory into a rust-bert model.
//!
//! Supported `model_type`s are `bert`, `roberta`/`xlm-roberta`/`camembert` and
//! `distilbert`, the encoders rust-bert implements for token classification. Weights come
//! from `model.safetensors` (what HF saves today), `rust_model.ot` (rust-bert's own
//! conversion) or `pytorch_model.bin`; tensor names are the HF ones
//! (`bert.encoder.layer.0...`, `classifier`).
//!
//! A fine-tuned model written by [`super::train`] holds only what training changed
//! (`finetuned.safetensors`: the top layers and the classifier) and names its base encoder
//! directory in config.json (`newsclaims_base_model`, relative to the model directory); its
//! other weights are read from the base's `model.safetensors`, whose names may lack the
//! `bert.` prefix (a plain `BertModel` checkpoint).

use super::TransformerError;
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_bert::roberta::RobertaForTokenClassification;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
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
    /// Subwords of the surrounding document the model was trained to read on each side of
    /// a window ([`CONTEXT_KEY`]; 0: sentences alone).
    pub context_subwords: usize,
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

/// The config.json key naming a fine-tuned model's base encoder directory.
pub const BASE_KEY: &str = "newsclaims_base_model";

/// The config.json key giving how many subwords of document context the model was trained
/// with on each side of a window (scripts/ner_gpu_finetune.py `pack --context`).
pub const CONTEXT_KEY: &str = "newsclaims_context_subwords";

/// The base encoder directory a fine-tuned model's config.json names, resolved against the
/// model directory; None for a self-contained model (or an unreadable config, which loading
/// reports anyway).
pub fn base_dir(dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let config: Value = serde_json::from_str(&text).ok()?;
    config
        .get(BASE_KEY)
        .and_then(Value::as_str)
        .map(|b| dir.join(b))
}

/// Reads a safetensors file into tensors by name.
pub fn read_weights(path: &Path) -> Result<HashMap<String, Tensor>, TransformerError> {
    if !path.is_file() {
        return Err(TransformerError::MissingFile {
            dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            file: path
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned()),
        });
    }
    Ok(Tensor::read_safetensors(path)
        .map_err(|e| incompatible(path, e.to_string()))?
        .into_iter()
        .collect())
}

/// The source tensor of variable `name`: the first map holding it under its own name, or
/// without its `bert.` prefix.
fn find<'a>(sources: &[&'a HashMap<String, Tensor>], name: &str) -> Option<&'a Tensor> {
    let bare = name.strip_prefix("bert.");
    sources
        .iter()
        .find_map(|m| m.get(name).or_else(|| bare.and_then(|b| m.get(b))))
}

/// Copies the variables of `vs` for which `wanted` holds from `sources` (see [`find`]),
/// converting the precision; a missing or misshapen tensor is an error naming `path`.
pub fn fill_some(
    vs: &mut nn::VarStore,
    sources: &HashMap<String, Tensor>,
    path: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<(), TransformerError> {
    fill_from(vs, &[sources], path, wanted)
}

/// Copies every variable of `vs` from `sources`, the first holding it winning.
pub fn fill(
    vs: &mut nn::VarStore,
    sources: &[&HashMap<String, Tensor>],
    path: &Path,
) -> Result<(), TransformerError> {
    fill_from(vs, sources, path, |_| true)
}

fn fill_from(
    vs: &mut nn::VarStore,
    sources: &[&HashMap<String, Tensor>],
    path: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<(), TransformerError> {
    let mut names: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, mut var) in names {
        if !wanted(&name) {
            continue;
        }
        let src =
            find(sources, &name).ok_or_else(|| incompatible(path, format!("no tensor {name}")))?;
        if src.size() != var.size() {
            return Err(incompatible(
                path,
                format!(
                    "{name} has shape {:?}, the model needs {:?}",
                    src.size(),
                    var.size()
                ),
            ));
        }
        tch::no_grad(|| var.copy_(src));
    }
    Ok(())
}

/// Loads a fine-tuned model's weights: the delta file first, the base's for the rest.
fn load_composed(
    vs: &mut nn::VarStore,
    dir: &Path,
    base: &Path,
    config_path: &Path,
) -> Result<(), TransformerError> {
    let delta_path = dir.join(super::train::DELTA_FILE);
    let delta = read_weights(&delta_path)?;
    if !base.is_dir() {
        return Err(incompatible(
            config_path,
            format!(
                "base encoder {} does not exist (scripts/make-e5-encoder.sh builds it)",
                base.display()
            ),
        ));
    }
    let base_weights = base.join("model.safetensors");
    let base_tensors = read_weights(&base_weights)?;
    for name in delta.keys() {
        if !vs.variables().contains_key(name) {
            return Err(incompatible(
                &delta_path,
                format!("{name} is not a variable of the model"),
            ));
        }
    }
    fill(vs, &[&delta, &base_tensors], &base_weights)
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
        // Either a self-contained checkpoint or a fine-tuned delta over a base encoder.
        let weights = match config.get(BASE_KEY).and_then(Value::as_str) {
            Some(base) => Err(dir.join(base)),
            None => Ok(weights_file(dir)?),
        };
        let parse_err =
            |e: serde_json::Error| incompatible(&config_path, format!("{model_type} config: {e}"));
        let mut vs = nn::VarStore::new(Device::Cpu);
        let pad_id = config
            .get("pad_token_id")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let context_subwords = match config.get(CONTEXT_KEY) {
            None => 0,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    incompatible(
                        &config_path,
                        format!("{CONTEXT_KEY} must be a whole number, found {v}"),
                    )
                })?,
        };
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
        match &weights {
            Ok(file) => vs
                .load(file)
                .map_err(|e| incompatible(file, e.to_string()))?,
            Err(base) => load_composed(&mut vs, dir, base, &config_path)?,
        }
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
            context_subwords,
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
