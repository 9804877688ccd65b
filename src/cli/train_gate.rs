//! `newsclaims train name-gate`: builds a language's name-gate word lists
//! (`models/ner/<lang>.name-gate.tsv`, see [`newsclaims::ner::name_gate`]): the common
//! words from raw news, the name words from gold NER data.
//!
//! The raw text goes through the pipeline's own normalisation and segmentation, so the
//! words counted are the tokens the tagger will see.

use super::models_dir;
use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::eval::conll;
use newsclaims::ner::clusters::read_raw;
use newsclaims::ner::name_gate::{EntityWordCounts, LowercaseCounts};
use newsclaims::normalize::{normalize, normalize_for_language};
use newsclaims::resources::Resources;
use newsclaims::segment::segment;
use std::io::Write;
use std::path::PathBuf;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Language of the raw text (az, ru, en).
    #[arg(long)]
    lang: String,
    /// Raw text: `.jsonl` (the `title` and `text` fields) or plain lines (repeatable).
    #[arg(long, required = true, num_args = 1..)]
    raw: Vec<PathBuf>,
    /// Gold NER data (CoNLL/IOB2) for the name words (repeatable).
    #[arg(long, num_args = 1..)]
    conll: Vec<PathBuf>,
    /// Where to write the word lists.
    #[arg(long)]
    out: PathBuf,
    /// Models directory, for the normaliser's and segmenter's data (default: ./models, else
    /// the bundled one).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Keep words seen in lower case (away from a sentence start) at least this often.
    #[arg(long, default_value_t = 3)]
    min_count: u64,
    /// ... and at least this many times as often as capitalised there.
    #[arg(long, default_value_t = 20)]
    ratio: u64,
    /// A name word is inside a gold entity at least this often ...
    #[arg(long, default_value_t = 2)]
    name_min_count: u64,
    /// ... and in at least this share of its occurrences.
    #[arg(long, default_value_t = 0.2)]
    name_share: f64,
    /// Give the tagger only this many words each side of a possible name, not the whole
    /// sentence (at least the tagger's context: for the Russian default, slovnet's three
    /// convolutions see 3 words each side, the perceptron over them 2 more).
    #[arg(long)]
    margin: Option<usize>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let lang = Lang::from_code(&args.lang)
        .with_context(|| format!("unknown language {:?}: az, ru or en", args.lang))?;
    let dir = models_dir(args.models.as_deref());
    let resources = Resources::load_without_learned(&dir)
        .with_context(|| format!("cannot load the data files of {}", dir.display()))?;
    let abbreviations = &resources.language(lang).abbreviations;
    let mut counts = LowercaseCounts::default();
    let mut records = 0usize;
    for path in &args.raw {
        for text in read_raw(path)? {
            let aligned = normalize_for_language(normalize(&text, &resources), lang, &resources);
            let text = aligned.text();
            let segmented = segment(text, lang, abbreviations);
            for words in segmented.sentence_words(text) {
                counts.add_sentence(&words);
            }
            records += 1;
        }
    }
    let words = counts.common_words(args.min_count, args.ratio);
    let mut entity_words = EntityWordCounts::default();
    for path in &args.conll {
        for sentence in conll::read_file(path)? {
            entity_words.add_sentence(&sentence.words, &sentence.tags);
        }
    }
    let common: std::collections::HashSet<&str> = words.iter().copied().collect();
    let names = entity_words.name_words(&common, args.name_min_count, args.name_share);
    let file_names = |paths: &[PathBuf]| {
        paths
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    writeln!(
        out,
        "# Name gate of the {} NER tagger, built by `newsclaims train name-gate` (see \
         models/README.md).\n\
         # common: written in lower case away from a sentence start at least {} times and {} \
         times as often as capitalised, in {records} texts of {}.\n\
         # name: inside a gold entity at least {} times and in {} of its occurrences, in {}.",
        lang.code(),
        args.min_count,
        args.ratio,
        file_names(&args.raw),
        args.name_min_count,
        args.name_share,
        file_names(&args.conll),
    )?;
    if let Some(m) = args.margin {
        writeln!(
            out,
            "# margin: the tagger sees {m} words each side of a possible name.\nmargin\t{m}"
        )?;
    }
    for w in &words {
        writeln!(out, "common\t{w}")?;
    }
    for w in &names {
        writeln!(out, "name\t{w}")?;
    }
    // Written beside and renamed, so a failed run never leaves half a list.
    let tmp = args.out.with_extension("tsv.partial");
    std::fs::write(&tmp, &out).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out)
        .with_context(|| format!("cannot rename {} to {}", tmp.display(), args.out.display()))?;
    eprintln!(
        "{} common words from {records} texts, {} name words -> {}",
        words.len(),
        names.len(),
        args.out.display()
    );
    Ok(())
}
