//! `newsclaims train ner`: trains the embedded NER model of one language.

use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::eval::conll::{self, ConllSentence};
use newsclaims::ner::features::{Clusters, KeyMap};
use newsclaims::ner::{clusters, model_file, train};
use std::path::{Path, PathBuf};

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Language of the model: az, ru or en.
    #[arg(long, value_parser = parse_lang)]
    lang: Lang,
    /// Training files (CoNLL/IOB2).
    #[arg(long, num_args = 1.., required = true)]
    train: Vec<PathBuf>,
    /// Dev file for early stopping and confidence calibration.
    #[arg(long)]
    dev: Option<PathBuf>,
    /// Transfer files in a related language (e.g. Turkish for az); suffix apostrophes are
    /// removed (`Adana'da` → `Adanada`) and features get domain-specific copies.
    #[arg(long, num_args = 1..)]
    transfer: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long)]
    out: PathBuf,
    /// Seed of the sentence shuffling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Raw text (`.jsonl` with a `text` field, or plain lines) to learn word clusters from;
    /// the training sentences are added to it. Without it the model has no cluster features.
    #[arg(long, num_args = 1..)]
    raw: Vec<PathBuf>,
    /// Number of coarse word clusters.
    #[arg(long, default_value_t = 64)]
    coarse_clusters: u16,
    /// Number of fine word clusters.
    #[arg(long, default_value_t = 256)]
    fine_clusters: u16,
    /// Cache of learned clusters (a TSV of word hash, coarse, fine): read if it exists,
    /// else written after clustering. Saves minutes when retraining with the same --raw.
    #[arg(long)]
    clusters_cache: Option<PathBuf>,
    /// Maximum number of exchange passes when clustering.
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
    Ok(Clusters { map })
}

/// Writes learned clusters as a sorted TSV.
fn write_cache(path: &Path, c: &Clusters) -> anyhow::Result<()> {
    let mut entries: Vec<_> = c.map.iter().collect();
    entries.sort();
    let mut out = String::new();
    for (h, [a, b]) in entries {
        out.push_str(&format!("{h}\t{a}\t{b}\n"));
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let lang = args.lang;
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
    let cached = match &args.clusters_cache {
        Some(p) if p.exists() => Some(read_cache(p)?),
        _ => None,
    };
    let clusters = if cached.is_some() {
        cached
    } else if args.raw.is_empty() {
        None
    } else {
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
        eprintln!("{} words clustered", c.map.len());
        if let Some(p) = &args.clusters_cache {
            write_cache(p, &c)?;
        }
        Some(c)
    };
    let cfg = train::TrainConfig {
        clusters,
        epochs: args.epochs,
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
