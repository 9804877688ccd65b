//! `newsclaims train ner`: trains the embedded NER model of one language.

use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::eval::conll::{self, ConllSentence};
use newsclaims::ner::{model_file, train};
use std::path::PathBuf;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Language of the model: az, ru or en.
    #[arg(long)]
    lang: String,
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
    /// Drop features seen fewer times than this.
    #[arg(long, default_value_t = 2)]
    min_count: u32,
}

fn read_all(paths: &[PathBuf]) -> anyhow::Result<Vec<ConllSentence>> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(conll::read_file(p)?);
    }
    Ok(out)
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let lang =
        Lang::from_code(&args.lang).with_context(|| format!("unknown language {:?}", args.lang))?;
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
    let cfg = train::TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        min_count: args.min_count,
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
