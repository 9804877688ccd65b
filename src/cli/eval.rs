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
    /// Span P/R/F1 of attribution (source, cue, content) on a PolNeAR-layout folder.
    Attribution(super::eval_attribution::Args),
    /// Found, missed and spurious claims of one article against a gold claims file.
    Claims(super::eval_claims::Args),
}

/// Runs an evaluation subcommand.
pub fn run(cmd: EvalCommand) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Ner(args) => super::eval_ner::run(args),
        EvalCommand::Lang(args) => super::eval_lang::run(args),
        EvalCommand::Sources(args) => super::eval_sources::run(args),
        EvalCommand::Attribution(args) => super::eval_attribution::run(args),
        EvalCommand::Claims(args) => super::eval_claims::run(args),
    }
}
