//! Command-line parsing and the subcommands. Binary only: the library never sees these types.

mod bench;
mod bench_measure;
mod bench_report;
mod eval;
mod eval_attribution;
mod eval_claims;
mod eval_lang;
mod eval_ner;
mod eval_sources;
mod extract;
mod labeller_choice;
mod ner_choice;
mod train;
mod train_attribution;
mod train_bounds;
mod train_gate;
mod train_lang;
mod train_ner;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Who claimed what in Azerbaijani, Russian and English news.
#[derive(Debug, Parser)]
#[command(name = "newsclaims", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Extract claims and entities from news articles into CSV tables.
    Extract(Box<extract::Args>),
    /// Train a model from annotated data.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Score a model against gold annotations.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Measure the extraction speed, scaling and memory on corpora.
    Bench(bench::Args),
}

/// Parses the arguments, runs the command and turns the result into an exit code:
/// 0 on success (or a closed pipe), 2 for an error that ends the run.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => extract::run_extract(*args),
        Command::Train(cmd) => train::run(cmd),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Bench(args) => bench::run_bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("newsclaims: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// A closed standard output (`newsclaims ... | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The models directory: `--models`, else `$NEWSCLAIMS_MODELS`, else `./models` when it holds
/// our data, else the `models/` of the source tree the binary was built from.
pub(crate) fn models_dir(given: Option<&Path>) -> PathBuf {
    if let Some(dir) = given {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os("NEWSCLAIMS_MODELS") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("models");
    if local.join("common/boilerplate.tsv").is_file() {
        return local;
    }
    newsclaims::resources::bundled_models_dir()
}

/// The names `--attribution-mode` / `--mode` accept (see [`newsclaims::attribution::CombineMode`]).
pub(crate) const ATTRIBUTION_MODES: [&str; 6] = [
    "rules",
    "learned",
    "rules-first",
    "learned-first",
    "hybrid",
    "structured",
];

/// The options of the evaluators that run whole documents through the pipeline.
#[derive(Debug, clap::Args)]
pub(crate) struct PipelineArgs {
    /// Models directory (default: ./models, else the bundled one).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Named-entity tagger: `embedded` (default), `perceptron`, `slovnet`, `transformer` or
    /// `none` (as for `extract`).
    #[arg(long, default_value = "embedded", value_parser = ner_choice::NER_CHOICES)]
    ner: String,
    /// How English attribution uses the learned labeller (`models/en/attribution.bin`):
    /// rules, learned, rules-first, learned-first, hybrid or structured (default: hybrid;
    /// structured with `--labeller transformer`).
    #[arg(long, value_parser = ATTRIBUTION_MODES)]
    mode: Option<String>,
    /// English attribution labeller: `perceptron` (default, `models/en/attribution.bin`) or
    /// `transformer` (the model in --labeller-dir, default MODELS/attribution-transformer;
    /// needs a build with the `transformer` feature).
    #[arg(long, default_value = "perceptron", value_parser = labeller_choice::LABELLER_CHOICES)]
    labeller: String,
    /// Model directory for `--labeller transformer`.
    #[arg(long)]
    labeller_dir: Option<PathBuf>,
}

impl PipelineArgs {
    /// Loads the models and data files (with the attribution mode set) and the tagger.
    pub(crate) fn load(
        &self,
    ) -> anyhow::Result<(
        newsclaims::resources::Resources,
        Box<dyn newsclaims::ner::Tagger>,
    )> {
        use anyhow::Context;
        let models = models_dir(self.models.as_deref());
        let mut resources = newsclaims::resources::Resources::load(&models)
            .with_context(|| format!("cannot load models from {}", models.display()))?;
        if let Some(mode) = self.mode.as_deref() {
            set_attribution_mode(&mut resources, mode, &models)?;
        }
        // The evaluators process one document at a time: libtorch (for a transformer tagger
        // or labeller) may use every core.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        labeller_choice::set_labeller(
            &mut resources,
            &self.labeller,
            self.labeller_dir.as_deref(),
            &models,
            cores,
            self.mode.is_some(),
        )?;
        let tagger = ner_choice::load_tagger(&self.ner, &models, None, cores)?;
        Ok((resources, tagger))
    }
}

/// Sets how English attribution uses the learned labeller (`rules`, `learned`, `rules-first`,
/// `learned-first`, `hybrid` or `structured`); `rules` also works without
/// `models/en/attribution.bin`.
pub(crate) fn set_attribution_mode(
    resources: &mut newsclaims::resources::Resources,
    mode: &str,
    models: &Path,
) -> anyhow::Result<()> {
    use newsclaims::attribution::CombineMode;
    let parsed = CombineMode::parse(mode)
        .ok_or_else(|| anyhow::anyhow!("unknown attribution mode {mode:?}"))?;
    let data = resources.language_mut(newsclaims::document::Lang::En);
    match (&mut data.learned, parsed) {
        (Some(learned), parsed) => learned.mode = parsed,
        (None, CombineMode::Rules) => {}
        (None, _) => anyhow::bail!(
            "attribution mode {mode}: there is no en/attribution.bin in {}",
            models.display()
        ),
    }
    Ok(())
}
