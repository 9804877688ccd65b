//! `newsclaims train ner`: trains the embedded NER model of one language, or (`--backend
//! transformer`, feature `transformer`) fine-tunes one multilingual transformer model.

use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::eval::conll::{self, ConllSentence};
use newsclaims::ner::features::{Clusters, KeyMap};
use newsclaims::ner::{clusters, model_file, navec_clusters, train};
use std::path::{Path, PathBuf};

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to train: `embedded` (the per-language tagger) or `transformer` (fine-tune the
    /// multilingual encoder of --base; needs a build with the `transformer` feature).
    #[arg(long, default_value = "embedded", value_parser = ["embedded", "transformer"])]
    backend: String,
    /// Language of the model: az, ru or en (embedded only).
    #[arg(long, value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Training files (CoNLL/IOB2). For `transformer`, `FILE:N` draws N sentences of FILE
    /// (shuffled by --seed; repeated when N exceeds the file), to balance languages.
    #[arg(long, num_args = 1.., required = true)]
    train: Vec<PathBuf>,
    /// Dev file for early stopping and confidence calibration.
    #[arg(long)]
    dev: Option<PathBuf>,
    /// Transfer files in a related language (e.g. Turkish for az); suffix apostrophes are
    /// removed (`Adana'da` → `Adanada`) and features get domain-specific copies.
    #[arg(long, num_args = 1..)]
    transfer: Vec<PathBuf>,
    /// Where to write the model (a file for embedded, a directory for transformer).
    #[arg(long)]
    out: PathBuf,
    /// Seed of the sentence shuffling (and, for transformer, of the initialisation).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Maximum number of epochs (default 30 for embedded, 3 for transformer).
    #[arg(long)]
    epochs: Option<usize>,
    /// transformer: the base encoder directory (scripts/make-e5-encoder.sh writes it).
    #[arg(long, default_value = "third_party/e5-small")]
    base: PathBuf,
    /// transformer: how config.json names the base, relative to --out (default: --base
    /// made relative to --out when both are relative, else --base as given).
    #[arg(long)]
    base_ref: Option<String>,
    /// transformer: top encoder layers to train (the others and the embeddings are frozen).
    #[arg(long, default_value_t = 4)]
    train_layers: usize,
    /// transformer: subwords per training window, special tokens included.
    #[arg(long, default_value_t = 128)]
    max_tokens: usize,
    /// transformer: windows per optimiser step.
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    /// transformer: peak learning rate (AdamW, linear warm-up over 10 % then decay).
    #[arg(long, default_value_t = 1e-4)]
    lr: f64,
    /// transformer: `auto` (CUDA when available), `cpu` or `cuda`.
    #[arg(long, default_value = "auto", value_parser = ["auto", "cpu", "cuda"])]
    device: String,
    /// transformer: libtorch intra-op threads on the CPU (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Raw text (`.jsonl` with a `text` field, or plain lines) to learn word clusters from;
    /// the training sentences are added to it. Without it the model has no cluster features.
    #[arg(long, num_args = 1..)]
    raw: Vec<PathBuf>,
    /// Number of coarse word clusters (raw-text or navec).
    #[arg(long, default_value_t = 64)]
    coarse_clusters: u16,
    /// Number of fine word clusters (raw-text or navec).
    #[arg(long, default_value_t = 256)]
    fine_clusters: u16,
    /// Cache of learned clusters (a TSV of word hash, coarse, fine): read if it exists,
    /// else written after clustering. Saves minutes when retraining with the same --raw.
    #[arg(long)]
    clusters_cache: Option<PathBuf>,
    /// Cluster the navec word vectors of this slovnet model file (e.g.
    /// models/ner/ru.slovnet) by spherical k-means into --coarse-clusters and
    /// --fine-clusters classes, and use those clusters. With --raw (or a --clusters-cache)
    /// as well, the raw-text clusters are kept for the words navec lacks, under ids of
    /// their own.
    #[arg(long)]
    navec_clusters: Option<PathBuf>,
    /// Cache of the navec clusters (same TSV as --clusters-cache): read if it exists, else
    /// written after clustering.
    #[arg(long)]
    navec_clusters_cache: Option<PathBuf>,
    /// Maximum number of exchange passes when clustering (k-means passes for navec).
    #[arg(long, default_value_t = 8)]
    cluster_iterations: usize,
    /// Learn name lists (gazetteers) from the training data and use them as features.
    #[arg(long)]
    gazetteer: bool,
    /// Drop features seen fewer times than this.
    #[arg(long, default_value_t = 2)]
    min_count: u32,
    /// Stack the model on a slovnet network (e.g. models/ner/ru.slovnet): its tags become
    /// features, and the model needs that file next to it to tag.
    #[arg(long)]
    slovnet: Option<PathBuf>,
}

fn read_all(paths: &[PathBuf]) -> anyhow::Result<Vec<ConllSentence>> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(conll::read_file(p)?);
    }
    Ok(out)
}

/// Parses `--lang`.
fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::from_code(s).ok_or_else(|| format!("unknown language {s:?} (expected az, ru or en)"))
}

/// Reads a cluster cache written by [`write_cache`].
fn read_cache(path: &Path) -> anyhow::Result<Clusters> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut map = KeyMap::default();
    for (i, line) in text.lines().enumerate() {
        let bad = || {
            anyhow::anyhow!(
                "{}:{}: expected `hash<TAB>coarse<TAB>fine`",
                path.display(),
                i + 1
            )
        };
        let mut f = line.split('\t');
        let (Some(h), Some(c), Some(fi)) = (f.next(), f.next(), f.next()) else {
            return Err(bad());
        };
        let h: u64 = h.parse().map_err(|_| bad())?;
        let c: u16 = c.parse().map_err(|_| bad())?;
        let fi: u16 = fi.parse().map_err(|_| bad())?;
        map.insert(h, [c, fi]);
    }
    eprintln!("{}: {} cached word clusters", path.display(), map.len());
    Ok(Clusters::new(map))
}

/// Writes learned clusters as a sorted TSV.
fn write_cache(path: &Path, c: &Clusters) -> anyhow::Result<()> {
    let mut entries: Vec<_> = c.map().iter().collect();
    entries.sort();
    let mut out = String::new();
    for (h, [a, b]) in entries {
        out.push_str(&format!("{h}\t{a}\t{b}\n"));
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// The clusters learned from `--raw` text (plus the training sentences), or read from
/// `--clusters-cache`; `None` when neither is given.
fn raw_text_clusters(
    args: &Args,
    lang: Lang,
    train_data: &[ConllSentence],
) -> anyhow::Result<Option<Clusters>> {
    if let Some(p) = args.clusters_cache.as_ref().filter(|p| p.exists()) {
        return Ok(Some(read_cache(p)?));
    }
    if args.raw.is_empty() {
        return Ok(None);
    }
    let mut texts = Vec::new();
    for p in &args.raw {
        texts.extend(clusters::read_raw(p)?);
    }
    texts.extend(train_data.iter().map(|s| s.words.join(" ")));
    let (coarse, fine) = (args.coarse_clusters as usize, args.fine_clusters as usize);
    eprintln!(
        "clustering {} texts into {coarse} and {fine} classes",
        texts.len()
    );
    let c = clusters::learn(lang, &texts, coarse, fine, args.cluster_iterations);
    eprintln!("{} words clustered", c.len());
    if let Some(p) = &args.clusters_cache {
        write_cache(p, &c)?;
    }
    Ok(Some(c))
}

/// The clusters of the navec vectors in the slovnet model file `path`, or read from
/// `--navec-clusters-cache`.
fn navec_clusters(args: &Args, lang: Lang, path: &Path) -> anyhow::Result<Clusters> {
    if let Some(p) = args.navec_clusters_cache.as_ref().filter(|p| p.exists()) {
        return read_cache(p);
    }
    let model = newsclaims::ner::SlovnetModel::load(path)?;
    let (coarse, fine) = (args.coarse_clusters as usize, args.fine_clusters as usize);
    eprintln!(
        "clustering {} navec vectors into {coarse} and {fine} classes",
        model.navec().len()
    );
    let started = std::time::Instant::now();
    let c = navec_clusters::navec_clusters(
        lang,
        model.navec(),
        coarse,
        fine,
        args.cluster_iterations,
        args.seed,
    );
    eprintln!(
        "{} words clustered in {:.0} s",
        c.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(p) = &args.navec_clusters_cache {
        write_cache(p, &c)?;
    }
    Ok(c)
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.backend == "transformer" {
        return run_transformer(&args);
    }
    let lang = args
        .lang
        .context("train ner --backend embedded needs --lang")?;
    let train_data = read_all(&args.train)?;
    let mut transfer = read_all(&args.transfer)?;
    for s in &mut transfer {
        for w in &mut s.words {
            *w = train::strip_suffix_apostrophes(w);
        }
    }
    let dev = match &args.dev {
        Some(p) => Some(conll::read_file(p)?),
        None => None,
    };
    eprintln!(
        "train ner {lang}: {} training, {} transfer, {} dev sentences",
        train_data.len(),
        transfer.len(),
        dev.as_ref().map_or(0, Vec::len)
    );
    let raw_clusters = raw_text_clusters(&args, lang, &train_data)?;
    let clusters = match &args.navec_clusters {
        None => raw_clusters,
        Some(path) => {
            let mut c = navec_clusters(&args, lang, path)?;
            if let Some(raw) = raw_clusters {
                // navec's ids are 0..k; the raw-text ones go above them.
                let added = navec_clusters::fill_missing(
                    &mut c,
                    &raw,
                    args.coarse_clusters,
                    args.fine_clusters,
                );
                eprintln!("{added} words navec lacks keep their raw-text clusters");
            }
            Some(c)
        }
    };
    let cfg = train::TrainConfig {
        clusters,
        epochs: args.epochs.unwrap_or(30),
        seed: args.seed,
        min_count: args.min_count,
        gazetteer: args.gazetteer,
        slovnet: match &args.slovnet {
            Some(p) => Some(std::sync::Arc::new(newsclaims::ner::SlovnetModel::load(p)?)),
            None => None,
        },
        ..train::TrainConfig::default()
    };
    let trained = train::train(
        lang,
        &train_data,
        &transfer,
        dev.as_deref(),
        &cfg,
        &mut |e| match e.dev_f1 {
            Some(f) => eprintln!(
                "epoch {:>2}: {} mistakes, dev micro F1 {f:.2}",
                e.epoch, e.mistakes
            ),
            None => eprintln!("epoch {:>2}: {} mistakes", e.epoch, e.mistakes),
        },
    )?;
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    model_file::save(&trained.model, &args.out)?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "wrote {} (epoch {}, {} features, {:.1} MB, confidence scale {:.4}{})",
        args.out.display(),
        trained.epoch,
        trained.model.n_features(),
        size as f64 / 1e6,
        trained.model.confidence_scale,
        trained
            .dev_f1
            .map_or(String::new(), |f| format!(", dev micro F1 {f:.2}"))
    );
    Ok(())
}

/// `FILE:N` → (FILE, Some(N)); anything else → (FILE, None).
#[cfg_attr(not(feature = "transformer"), allow(dead_code))]
fn split_count(arg: &Path) -> (PathBuf, Option<usize>) {
    let text = arg.to_string_lossy();
    if let Some((file, n)) = text.rsplit_once(':')
        && let Ok(n) = n.parse::<usize>()
        && !arg.exists()
    {
        return (PathBuf::from(file), Some(n));
    }
    (arg.to_path_buf(), None)
}

/// `base` as seen from `out` when both are relative paths (`../../third_party/e5-small`
/// for `--out models/ner-transformer`), else `base` as given.
#[cfg_attr(not(feature = "transformer"), allow(dead_code))]
fn relative_base(base: &Path, out: &Path) -> String {
    use std::path::Component;
    let plain = |p: &Path| p.components().all(|c| matches!(c, Component::Normal(_)));
    if base.is_relative() && out.is_relative() && plain(out) && plain(base) {
        let ups = out.components().count();
        let mut rel = PathBuf::new();
        for _ in 0..ups {
            rel.push("..");
        }
        rel.push(base);
        return rel.to_string_lossy().into_owned();
    }
    base.to_string_lossy().into_owned()
}

/// `--backend transformer`: fine-tunes the base encoder on every `--train` file.
#[cfg(feature = "transformer")]
fn run_transformer(args: &Args) -> anyhow::Result<()> {
    use newsclaims::ner::transformer::train::{FineTuneOptions, fine_tune, sample};
    let device = match args.device.as_str() {
        "cpu" => tch::Device::Cpu,
        "cuda" => {
            anyhow::ensure!(tch::Cuda::is_available(), "--device cuda: no CUDA device");
            tch::Device::Cuda(0)
        }
        _ => tch::Device::cuda_if_available(),
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    tch::set_num_threads(i32::try_from(threads.max(1)).unwrap_or(1));
    let mut sentences = Vec::new();
    for arg in &args.train {
        let (file, n) = split_count(arg);
        let data = conll::read_file(&file)?;
        let drawn = sample(&data, n, args.seed);
        eprintln!(
            "{}: {} of {} sentences",
            file.display(),
            drawn.len(),
            data.len()
        );
        sentences.extend(drawn);
    }
    let opts = FineTuneOptions {
        max_tokens: args.max_tokens,
        train_layers: args.train_layers,
        epochs: args.epochs.unwrap_or(3),
        batch_size: args.batch_size,
        lr: args.lr,
        seed: args.seed,
        device,
        ..FineTuneOptions::default()
    };
    let base_ref = args
        .base_ref
        .clone()
        .unwrap_or_else(|| relative_base(&args.base, &args.out));
    let report = fine_tune(&args.base, &sentences, &args.out, &base_ref, opts)
        .with_context(|| format!("fine-tuning {}", args.base.display()))?;
    let delta = args
        .out
        .join(newsclaims::ner::transformer::train::DELTA_FILE);
    let size = std::fs::metadata(&delta).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "wrote {} ({:.1} MB; {} windows, {} subwords, {} steps; loss {:.4} -> {:.4}; \
         frozen layers {:.0} s, training {:.0} s)",
        args.out.display(),
        size as f64 / 1e6,
        report.windows,
        report.subwords,
        report.steps,
        report.first_epoch_loss,
        report.last_epoch_loss,
        report.cache_seconds,
        report.train_seconds
    );
    Ok(())
}

/// Without the feature, `--backend transformer` explains how to get it.
#[cfg(not(feature = "transformer"))]
fn run_transformer(_args: &Args) -> anyhow::Result<()> {
    anyhow::bail!(
        "train ner --backend transformer: this newsclaims was built without the transformer \
         feature (build it with: scripts/setup-libtorch.sh && scripts/with-libtorch.sh cargo \
         build --release --features transformer)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn train_files_may_carry_a_sentence_count() {
        assert_eq!(
            split_count(Path::new("data/en.conll:500")),
            (PathBuf::from("data/en.conll"), Some(500))
        );
        assert_eq!(
            split_count(Path::new("data/en.conll")),
            (PathBuf::from("data/en.conll"), None)
        );
        assert_eq!(
            split_count(Path::new("data/x:y.conll")),
            (PathBuf::from("data/x:y.conll"), None)
        );
    }

    #[test]
    fn the_base_is_named_relative_to_the_model() {
        assert_eq!(
            relative_base(
                Path::new("third_party/e5-small"),
                Path::new("models/ner-transformer")
            ),
            "../../third_party/e5-small"
        );
        assert_eq!(
            relative_base(Path::new("/opt/e5"), Path::new("models/x")),
            "/opt/e5"
        );
    }
}
