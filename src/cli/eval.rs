//! `newsclaims eval ...`: dispatch to the evaluators.

use clap::Subcommand;

/// What to evaluate.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// CoNLL exact-span P/R/F1 of a NER tagger on a gold file.
    Ner(super::eval_ner::Args),
    /// Language-identification accuracy on line-aligned text files.
    Lang(super::eval_lang::Args),
    /// Speakers found by attribution against annotated opinion holders (RuOpinionNE format).
    Sources(super::eval_sources::Args),
}

/// Runs an evaluation subcommand.
pub fn run(cmd: EvalCommand) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Ner(args) => super::eval_ner::run(args),
        EvalCommand::Lang(args) => super::eval_lang::run(args),
        EvalCommand::Sources(args) => super::eval_sources::run(args),
    }
}
