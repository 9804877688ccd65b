//! `newsclaims train lang`: builds the n-gram profiles under `models/lang/profiles/`.
//!
//! Each `--corpus LANG=FILE` adds a corpus (JSONL `text` fields, `.conll` sentences, or
//! plain lines) to language LANG; each `--langdetect CODE=FILE` imports a langdetect profile
//! for a language we have no corpus of. `scripts.tsv` in the output folder tells which
//! script each profile belongs to.

use anyhow::{Context, bail};
use newsclaims::lang::script::ScriptTable;
use newsclaims::lang::train::{DEFAULT_MIN_REL, ProfileBuilder, import_langdetect};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder (holds scripts.tsv; profiles go to its `profiles/` subfolder).
    #[arg(long, default_value = "models/lang")]
    out: PathBuf,
    /// A training corpus for a language, as LANG=FILE (repeatable; files of one LANG merge).
    #[arg(long = "corpus", value_name = "LANG=FILE")]
    corpora: Vec<String>,
    /// A langdetect profile (JSON) to import, as CODE=FILE (repeatable).
    #[arg(long = "langdetect", value_name = "CODE=FILE")]
    langdetect: Vec<String>,
    /// Prune grams rarer than this share of their order.
    #[arg(long, default_value_t = DEFAULT_MIN_REL)]
    min_rel: f64,
}

/// Splits `CODE=FILE`.
fn split_pair(arg: &str) -> anyhow::Result<(String, PathBuf)> {
    match arg.split_once('=') {
        Some((code, file)) if !code.is_empty() && !file.is_empty() => {
            Ok((code.to_ascii_lowercase(), PathBuf::from(file)))
        }
        _ => bail!("expected CODE=FILE, got {arg:?}"),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.corpora.is_empty() && args.langdetect.is_empty() {
        bail!("nothing to train: give --corpus LANG=FILE and/or --langdetect CODE=FILE");
    }
    let scripts_path = args.out.join("scripts.tsv");
    let scripts_text = fs::read_to_string(&scripts_path)
        .with_context(|| format!("cannot read {}", scripts_path.display()))?;
    let scripts = ScriptTable::parse(&scripts_text, &scripts_path)?;
    let profile_dir = args.out.join("profiles");
    fs::create_dir_all(&profile_dir)
        .with_context(|| format!("cannot create {}", profile_dir.display()))?;

    let mut by_lang: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for arg in &args.corpora {
        let (code, path) = split_pair(arg)?;
        by_lang.entry(code).or_default().push(path);
    }
    for (code, paths) in &by_lang {
        let mut builder = ProfileBuilder::new(code);
        for path in paths {
            builder.add_file(&scripts, path)?;
        }
        let (docs, chars) = (builder.documents, builder.chars);
        let profile = builder.finish(args.min_rel);
        let sources: Vec<String> = paths.iter().map(|p| file_name(p)).collect();
        let header = format!(
            "Language profile '{code}': character 1-3-gram counts (lower-cased letters, '_' = word boundary).\n\
             Built by `newsclaims train lang` from {} ({docs} documents, {chars} characters);\n\
             grams rarer than {} of their order pruned. Statistics only: no text of the corpora.",
            sources.join(", "),
            args.min_rel
        );
        write_profile(&profile_dir, code, &profile.to_tsv(&header))?;
        eprintln!(
            "{code}: {docs} documents, {chars} chars, {} grams, script {}",
            profile.counts.len(),
            profile.script
        );
    }
    for arg in &args.langdetect {
        let (code, path) = split_pair(arg)?;
        let profile = import_langdetect(&scripts, &code, &path, args.min_rel)?;
        let header = format!(
            "Language profile '{code}': character 1-3-gram counts (lower-cased letters, '_' = word boundary).\n\
             Imported by `newsclaims train lang --langdetect` from the langdetect 1.0.9 profile '{}'\n\
             (Apache-2.0, (c) Shuyo Nakatani / Michal Danilak; built from Wikipedia), lower-cased and merged.",
            file_name(&path)
        );
        write_profile(&profile_dir, &code, &profile.to_tsv(&header))?;
        eprintln!(
            "{code}: imported {} grams, script {}",
            profile.counts.len(),
            profile.script
        );
    }
    Ok(())
}

fn write_profile(dir: &Path, code: &str, text: &str) -> anyhow::Result<()> {
    let path = dir.join(format!("{code}.tsv"));
    fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_split_at_the_first_equals_sign() {
        let (code, path) = split_pair("AZ=data/a=b.jsonl").unwrap();
        assert_eq!(
            (code.as_str(), path),
            ("az", PathBuf::from("data/a=b.jsonl"))
        );
        assert!(split_pair("az").is_err());
        assert!(split_pair("=x").is_err());
        assert!(split_pair("az=").is_err());
    }
}
