//! `newsclaims train attribution-bounds`: trains the content-boundary re-ranker of the
//! learned English attribution on jackknifed labeller output (PolNeAR-layout train folder)
//! and chooses its settings on the dev folder with the shipped labeller.

use super::models_dir;
use anyhow::Context;
use newsclaims::attribution::learned::AttributionModel;
use newsclaims::attribution::learned_bounds_train::{self, BoundsConfig};
use newsclaims::attribution::learned_train::{PreparedDoc, TrainConfig, prepare};
use newsclaims::document::Lang;
use newsclaims::eval::polnear;
use newsclaims::ner::{EmbeddedTagger, model_file};
use newsclaims::resources::Resources;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// PolNeAR-layout training folder (DIR/text, DIR/attributions).
    #[arg(long)]
    polnear: PathBuf,
    /// PolNeAR-layout dev folder, for choosing the epoch, radius and minimum gain.
    #[arg(long)]
    dev: Option<PathBuf>,
    /// Where to write the model (models/en/bounds.bin is loaded next to attribution.bin).
    #[arg(long)]
    out: PathBuf,
    /// Models directory (default: ./models, else the bundled one); its en/attribution.bin
    /// is the run-time labeller scored on dev.
    #[arg(long)]
    models: Option<PathBuf>,
    /// Jackknife folds of the training articles.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Epochs of each fold's labeller (the shipped labeller's chosen epoch).
    #[arg(long, default_value_t = 20)]
    labeller_epochs: usize,
    /// Drop labeller features seen fewer times than this (as `train attribution`).
    #[arg(long, default_value_t = 15)]
    min_count: u32,
    /// Maximum epochs of the re-ranker.
    #[arg(long, default_value_t = 15)]
    epochs: usize,
    /// How many tokens each content edge may move while training (at most 12; dev then
    /// chooses a radius up to this one).
    #[arg(long, default_value_t = 12)]
    radius: usize,
    /// Re-ranker features seen in fewer training examples than this keep weight 0 (3 keeps
    /// a third of the features for 0.2-0.3 points of dev F1: a table small enough to stay
    /// in cache, which the extraction's speed needs).
    #[arg(long, default_value_t = 3)]
    bounds_min_count: u32,
    /// Train the re-ranker log-linear with this learning rate instead of as a perceptron.
    #[arg(long)]
    rate: Option<f32>,
    /// Points of dev content exact F1 the speed-buying margin cut may cost.
    #[arg(long, default_value_t = 0.2)]
    margin_tolerance: f64,
    /// Seed of the shuffling (labellers and re-ranker).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder for the fold labellers: read from there when present, written there when
    /// trained (a re-run with other re-ranker settings then skips the jackknife).
    #[arg(long)]
    fold_cache: Option<PathBuf>,
}

fn load(
    dir: &Path,
    resources: &Resources,
    tagger: &EmbeddedTagger,
) -> anyhow::Result<Vec<PreparedDoc>> {
    let mut out = Vec::new();
    for doc in polnear::read_dir(dir)? {
        let name = doc.name.clone();
        out.push(
            prepare(doc, resources, tagger)
                .with_context(|| format!("{}: {name}", dir.display()))?,
        );
    }
    Ok(out)
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let models = models_dir(args.models.as_deref());
    let resources = Resources::load_without_learned(&models)
        .with_context(|| format!("cannot load models from {}", models.display()))?;
    let labeller_path = models.join("en").join("attribution.bin");
    let labeller = AttributionModel::load(&labeller_path)?;
    // The re-ranker is tied to this labeller: loading refuses it with another one.
    let labeller_fingerprint = labeller.fingerprint();
    let ner_dir = models.join("ner");
    let tagger = EmbeddedTagger::load_dir(&ner_dir)
        .with_context(|| format!("cannot load the NER models in {}", ner_dir.display()))?;
    let clusters_path = ner_dir.join("en.bin");
    let clusters = model_file::load(&clusters_path, None)
        .with_context(|| format!("cannot read word clusters from {}", clusters_path.display()))?
        .clusters
        .unwrap_or_default();
    let train = load(&args.polnear, &resources, &tagger)?;
    let dev = match &args.dev {
        Some(d) => load(d, &resources, &tagger)?,
        None => Vec::new(),
    };
    eprintln!(
        "train: {} articles, dev: {} articles",
        train.len(),
        dev.len()
    );
    let cfg = BoundsConfig {
        folds: args.folds,
        labeller: TrainConfig {
            epochs: args.labeller_epochs,
            seed: args.seed,
            min_count: args.min_count,
            clusters,
            ..TrainConfig::default()
        },
        epochs: args.epochs,
        radius: args.radius,
        seed: args.seed,
        min_count: args.bounds_min_count,
        rate: args.rate,
        margin_tolerance: args.margin_tolerance,
    };
    let lexicon = &resources.language(Lang::En).cues;
    let cache = |f: usize| {
        args.fold_cache
            .as_ref()
            .map(|d| d.join(format!("fold{f}-of-{}.bin", args.folds)))
    };
    if let Some(d) = &args.fold_cache {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let labellers = learned_bounds_train::fold_labellers(
        &train,
        lexicon,
        &cfg,
        &mut |f| {
            let path = cache(f)?;
            let m = AttributionModel::load(&path).ok()?;
            eprintln!("fold {f}: labeller from {}", path.display());
            Some(m)
        },
        &mut |f, m| {
            eprintln!("fold {f}: labeller trained ({} features)", m.n_features());
            if let Some(path) = cache(f)
                && let Err(e) = m.save(&path)
            {
                eprintln!("warning: {e}");
            }
        },
    )?;
    let mut trained = learned_bounds_train::train(
        &train,
        &dev,
        &labellers,
        &Arc::new(labeller),
        lexicon,
        &cfg,
        &mut |line| eprintln!("{line}"),
    )?;
    trained.model.labeller = labeller_fingerprint;
    trained.model.save(&args.out)?;
    eprintln!(
        "wrote {} (epoch {}, radius {}, min gain {}, margin cut {}, {} features)",
        args.out.display(),
        trained.epoch,
        trained.model.radius,
        trained.model.min_gain,
        trained.model.max_margin,
        trained.model.n_features()
    );
    if let Some(r) = &trained.dev {
        eprintln!(
            "dev hybrid exact F1 source {:.2} cue {:.2} content {:.2} | partial F1 {:.2} {:.2} {:.2}",
            r.source.exact.f1,
            r.cue.exact.f1,
            r.content.exact.f1,
            r.source.partial.f1,
            r.cue.partial.f1,
            r.content.partial.f1
        );
    }
    Ok(())
}
