//! `newsclaims train attribution`: trains the learned English attribution labeller on a
//! PolNeAR-layout folder and reports its dev scores in every combination mode.

use super::models_dir;
use anyhow::Context;
use newsclaims::attribution::CombineMode;
use newsclaims::attribution::learned::LABELS;
use newsclaims::attribution::learned_train::{self, PreparedDoc, TrainConfig, evaluate, prepare};
use newsclaims::document::Lang;
use newsclaims::eval::polnear;
use newsclaims::ner::features::Clusters;
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
    /// PolNeAR-layout dev folder, for epoch selection and the report.
    #[arg(long)]
    dev: Option<PathBuf>,
    /// Where to write the model.
    #[arg(long, required_unless_present = "export_conll")]
    out: Option<PathBuf>,
    /// Instead of training, write the training folder's paragraphs as CoNLL (one token and
    /// its gold `B-/I-` SRC, CUE or CON label per line, a blank line after each paragraph,
    /// `-DOCSTART-` before each article): the tokens are the pipeline's own, so a model
    /// trained on the file (the transformer labeller, `scripts/ner_gpu_finetune.py`) reads
    /// at run time what it was trained on.
    #[arg(long, value_name = "FILE")]
    export_conll: Option<PathBuf>,
    /// Models directory (default: ./models, else the bundled one).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Maximum number of epochs.
    #[arg(long, default_value_t = 60)]
    epochs: usize,
    /// Seed of the shuffling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Drop features seen fewer times than this (15 keeps dev scores of 5 with a model a
    /// third the size, whose table lookups miss the cache less).
    #[arg(long, default_value_t = 15)]
    min_count: u32,
    /// NER model file whose word clusters the labeller's features use (they are copied into
    /// the attribution model). Default: the English NER model, MODELS/ner/en.bin.
    #[arg(long, conflicts_with = "no_clusters")]
    clusters_from: Option<PathBuf>,
    /// Train without word-cluster features.
    #[arg(long)]
    no_clusters: bool,
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
    let ner_dir = models.join("ner");
    let tagger = EmbeddedTagger::load_dir(&ner_dir)
        .with_context(|| format!("cannot load the NER models in {}", ner_dir.display()))?;
    let train = load(&args.polnear, &resources, &tagger)?;
    if let Some(path) = &args.export_conll {
        return export_conll(&train, path);
    }
    let Some(out) = args.out.as_deref() else {
        anyhow::bail!("--out is required to train");
    };
    let dev = match &args.dev {
        Some(d) => load(d, &resources, &tagger)?,
        None => Vec::new(),
    };
    eprintln!(
        "train: {} articles, dev: {} articles",
        train.len(),
        dev.len()
    );
    if !dev.is_empty() {
        let r = learned_train::oracle(&dev, &resources.language(Lang::En).cues);
        eprintln!(
            "dev oracle (gold labels, linked) exact F1 source {:.2} cue {:.2} content {:.2}",
            r.source.exact.f1, r.cue.exact.f1, r.content.exact.f1
        );
    }
    let clusters = if args.no_clusters {
        Clusters::default()
    } else {
        let path = args
            .clusters_from
            .clone()
            .unwrap_or_else(|| ner_dir.join("en.bin"));
        let model = model_file::load(&path, None)
            .with_context(|| format!("cannot read word clusters from {}", path.display()))?;
        let clusters = model.clusters.with_context(|| {
            format!(
                "{} has no word clusters (train it with --raw, or pass --no-clusters)",
                path.display()
            )
        })?;
        eprintln!(
            "word clusters: {} words from {}",
            clusters.len(),
            path.display()
        );
        clusters
    };
    let cfg = TrainConfig {
        clusters,
        epochs: args.epochs,
        seed: args.seed,
        min_count: args.min_count,
        ..TrainConfig::default()
    };
    let lexicon = &resources.language(Lang::En).cues;
    let trained = learned_train::train(&train, &dev, lexicon, &cfg, &mut |e| match &e.dev {
        Some(r) => eprintln!(
            "epoch {:>2}: {:>6} mistakes; dev exact F1 source {:.2} cue {:.2} content {:.2}",
            e.epoch, e.mistakes, r.source.exact.f1, r.cue.exact.f1, r.content.exact.f1
        ),
        None => eprintln!("epoch {:>2}: {:>6} mistakes", e.epoch, e.mistakes),
    })?;
    trained.model.save(out)?;
    eprintln!(
        "wrote {} (epoch {}, {} features)",
        out.display(),
        trained.epoch,
        trained.model.n_features()
    );
    if !dev.is_empty() {
        let model = Arc::new(trained.model);
        for (name, mode) in [
            ("rules", CombineMode::Rules),
            ("learned", CombineMode::Learned),
            ("rules-first", CombineMode::RulesFirst),
            ("learned-first", CombineMode::LearnedFirst),
            ("hybrid", CombineMode::Hybrid),
            ("structured", CombineMode::Structured),
        ] {
            let r = evaluate(&model, mode, &dev, lexicon);
            eprintln!(
                "dev {name:<13} exact F1 source {:.2} cue {:.2} content {:.2} | partial F1 {:.2} {:.2} {:.2}",
                r.source.exact.f1,
                r.cue.exact.f1,
                r.content.exact.f1,
                r.source.partial.f1,
                r.cue.partial.f1,
                r.content.partial.f1
            );
        }
    }
    Ok(())
}

/// Writes the articles' paragraphs as CoNLL with their gold role labels (see
/// `Args::export_conll`), through a temporary file renamed into place when complete.
fn export_conll(docs: &[PreparedDoc], path: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = String::new();
    let mut paragraphs = 0;
    for d in docs {
        out.push_str("-DOCSTART-\tO\n\n");
        let text = d.aligned.text();
        for p in 0..d.features.paragraphs.len() {
            let range = d.features.paragraph_tokens(&d.segmented, p);
            if range.is_empty() {
                continue;
            }
            for t in range {
                let tok = d.segmented.tokens[t];
                let label = LABELS[usize::from(d.labels[t])];
                out.push_str(&text[tok.start..tok.end]);
                out.push('\t');
                out.push_str(label);
                out.push('\n');
            }
            out.push('\n');
            paragraphs += 1;
        }
    }
    let tmp = path.with_extension("partial");
    let mut file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    file.write_all(out.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote {}: {} articles, {paragraphs} paragraphs",
        path.display(),
        docs.len()
    );
    Ok(())
}
