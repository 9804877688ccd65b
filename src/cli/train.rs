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
    /// Build a language's name-gate word list (the common words a sentence may start with
    /// capitalised) from raw news.
    NameGate(super::train_gate::Args),
}

/// Runs a training subcommand.
pub fn run(cmd: TrainCommand) -> anyhow::Result<()> {
    match cmd {
        TrainCommand::Ner(args) => super::train_ner::run(*args),
        TrainCommand::Lang(args) => super::train_lang::run(args),
        TrainCommand::Attribution(args) => super::train_attribution::run(args),
        TrainCommand::AttributionBounds(args) => super::train_bounds::run(args),
        TrainCommand::NameGate(args) => super::train_gate::run(args),
    }
}
