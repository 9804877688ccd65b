//! Choosing the named-entity tagger on the command line (`--ner`, `--model-dir`).
//!
//! `transformer` is always a valid choice, even in a build without the `transformer`
//! feature, so that such a build can say what is missing instead of "invalid value".

use newsclaims::ner::Tagger;
use std::path::Path;

/// The values `--ner` accepts.
pub(crate) const NER_CHOICES: [&str; 5] =
    ["embedded", "perceptron", "slovnet", "transformer", "none"];

/// The tagger `--ner` names: `embedded` (the models in `models/ner`; Russian by the
/// perceptron stacked on slovnet), `perceptron` (the plain perceptrons for every language,
/// as before slovnet), `slovnet` (like `embedded`, but Russian by slovnet alone),
/// `transformer` (the model directory `--model-dir`) or `none`.
pub(crate) fn load_tagger(
    ner: &str,
    models: &Path,
    model_dir: Option<&Path>,
    intra_op_threads: usize,
) -> anyhow::Result<Box<dyn Tagger>> {
    use anyhow::Context;
    match ner {
        "none" => Ok(Box::new(newsclaims::ner::NoTagger)),
        "transformer" => load_transformer(model_dir, intra_op_threads),
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
            Ok(Box::new(newsclaims::ner::HeadTyped {
                inner: tagger,
                heads,
            }))
        }
    }
}

/// Loads the transformer tagger from `--model-dir` with `intra_op_threads` libtorch
/// threads per call.
#[cfg(feature = "transformer")]
pub(crate) fn load_transformer(
    model_dir: Option<&Path>,
    intra_op_threads: usize,
) -> anyhow::Result<Box<dyn Tagger>> {
    use anyhow::Context;
    use newsclaims::ner::{TransformerOptions, TransformerTagger};
    let dir = model_dir.context(
        "--ner transformer needs --model-dir DIR (a token-classification model directory)",
    )?;
    let options = TransformerOptions {
        intra_op_threads,
        ..TransformerOptions::default()
    };
    let tagger = TransformerTagger::load_with(dir, options)
        .with_context(|| format!("cannot load the transformer model in {}", dir.display()))?;
    Ok(Box::new(tagger))
}

/// Without the feature, `--ner transformer` can only explain how to get it.
#[cfg(not(feature = "transformer"))]
pub(crate) fn load_transformer(
    _model_dir: Option<&Path>,
    _intra_op_threads: usize,
) -> anyhow::Result<Box<dyn Tagger>> {
    anyhow::bail!(
        "--ner transformer: this newsclaims was built without the transformer feature \
         (build it with: scripts/setup-libtorch.sh && scripts/with-libtorch.sh cargo build \
         --release --features transformer)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "transformer"))]
    #[test]
    fn without_the_feature_transformer_explains_itself() {
        let err = load_transformer(Some(Path::new("some/dir")), 1)
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
    fn transformer_needs_a_model_dir() {
        let err = load_transformer(None, 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("--model-dir"), "{err}");
    }
}
