//! Choosing the named-entity tagger on the command line (`--ner`, `--model-dir`).
//!
//! `transformer` is always a valid choice, even in a build without the `transformer`
//! feature, so that such a build can say what is missing instead of "invalid value".

use newsclaims::ner::Tagger;
use std::path::Path;

/// The values `--ner` accepts.
pub(crate) const NER_CHOICES: [&str; 5] =
    ["embedded", "perceptron", "slovnet", "transformer", "none"];

/// Where the shipped transformer model lives inside the models directory.
pub(crate) const TRANSFORMER_DIR: &str = "ner-transformer";

/// The tagger `--ner` names: `embedded` (the models in `models/ner`; Russian by the
/// perceptron stacked on slovnet), `perceptron` (the plain perceptrons for every language,
/// as before slovnet), `slovnet` (like `embedded`, but Russian by slovnet alone),
/// `transformer` (the model directory `--model-dir`, by default `models/ner-transformer`,
/// under the name gates of `models/ner` as the embedded taggers are) or `none`.
pub(crate) fn load_tagger(
    ner: &str,
    models: &Path,
    model_dir: Option<&Path>,
    intra_op_threads: usize,
) -> anyhow::Result<Box<dyn Tagger>> {
    use anyhow::Context;
    match ner {
        "none" => Ok(Box::new(newsclaims::ner::NoTagger)),
        "transformer" => {
            let dir = model_dir.map_or_else(|| models.join(TRANSFORMER_DIR), Path::to_path_buf);
            load_transformer(&dir, &models.join("ner"), intra_op_threads)
        }
        _ => {
            use newsclaims::ner::RussianModel;
            let russian = match ner {
                "perceptron" => RussianModel::Perceptron,
                "slovnet" => RussianModel::Slovnet,
                _ => RussianModel::Auto,
            };
            let dir = model_dir.map_or_else(|| models.join("ner"), Path::to_path_buf);
            let tagger = newsclaims::ner::EmbeddedTagger::load_dir_with(&dir, russian)
                .with_context(|| format!("cannot load the NER models in {}", dir.display()))?;
            let heads = newsclaims::ner::EntityHeads::load(models)
                .with_context(|| format!("cannot load the head nouns in {}", models.display()))?;
            Ok(Box::new(newsclaims::ner::WithPass {
                inner: tagger,
                pass: heads,
            }))
        }
    }
}

/// Loads the transformer tagger from `dir` with `intra_op_threads` libtorch threads per
/// call; its spans are kept only where the name gates in `gates` (the embedded taggers'
/// `<lang>.name-gate.tsv`) let a name be.
#[cfg(feature = "transformer")]
pub(crate) fn load_transformer(
    dir: &Path,
    gates: &Path,
    intra_op_threads: usize,
) -> anyhow::Result<Box<dyn Tagger>> {
    use anyhow::Context;
    use newsclaims::ner::{TransformerOptions, TransformerTagger};
    let options = TransformerOptions {
        intra_op_threads,
        ..TransformerOptions::default()
    };
    let tagger = TransformerTagger::load_with(dir, options)
        .with_context(|| format!("cannot load the transformer model in {}", dir.display()))?;
    let pass = newsclaims::ner::name_gate::NameGates::load(gates)
        .with_context(|| format!("cannot load the name gates in {}", gates.display()))?;
    Ok(Box::new(newsclaims::ner::WithPass {
        inner: tagger,
        pass,
    }))
}

/// Without the feature, `--ner transformer` can only explain how to get it.
#[cfg(not(feature = "transformer"))]
pub(crate) fn load_transformer(
    _dir: &Path,
    _gates: &Path,
    _intra_op_threads: usize,
) -> anyhow::Result<Box<dyn Tagger>> {
    anyhow::bail!("--ner transformer: {WITHOUT_TRANSFORMER}")
}

/// What a build without the `transformer` feature says when asked for a transformer model.
#[cfg(not(feature = "transformer"))]
pub(crate) const WITHOUT_TRANSFORMER: &str = "this newsclaims was built without the \
     transformer feature (build it with: scripts/setup-libtorch.sh && scripts/with-libtorch.sh \
     cargo build --release --features transformer)";

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "transformer"))]
    #[test]
    fn without_the_feature_transformer_explains_itself() {
        let err = load_transformer(Path::new("some/dir"), Path::new("models/ner"), 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("built without the transformer feature"),
            "{err}"
        );
    }

    #[cfg(feature = "transformer")]
    #[test]
    fn transformer_defaults_to_the_shipped_model() {
        let models = tempfile::tempdir().unwrap();
        let err = load_tagger("transformer", models.path(), None, 1)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains(TRANSFORMER_DIR), "{err}");
    }
}
