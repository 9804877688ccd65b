//! `newsclaims train ...`: dispatch to the trainers.

use clap::Subcommand;

/// What to train.
#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// Train the embedded NER tagger for one language.
    Ner(Box<super::train_ner::Args>),
    /// Train the language-identification profiles.
    Lang(super::train_lang::Args),
    /// Train the learned English attribution labeller on PolNeAR-layout data.
    Attribution(super::train_attribution::Args),
    /// Train the content-boundary re-ranker of the English attribution (jackknifed
    /// labeller output on PolNeAR-layout data).
    AttributionBounds(super::train_bounds::Args),
}

/// Runs a training subcommand.
pub fn run(cmd: TrainCommand) -> anyhow::Result<()> {
    match cmd {
        TrainCommand::Ner(args) => super::train_ner::run(*args),
        TrainCommand::Lang(args) => super::train_lang::run(args),
        TrainCommand::Attribution(args) => super::train_attribution::run(args),
        TrainCommand::AttributionBounds(args) => super::train_bounds::run(args),
    }
}
