//! Choosing the English attribution labeller on the command line (`--labeller`,
//! `--labeller-dir`): the perceptron of `models/en/attribution.bin` (the default) or the
//! transformer of `models/attribution-transformer` (feature `transformer`).
//!
//! As with `--ner`, `transformer` is a valid choice in every build, so that a build without
//! the feature can say what is missing.

use newsclaims::resources::Resources;
use std::path::Path;

/// The values `--labeller` accepts.
pub(crate) const LABELLER_CHOICES: [&str; 2] = ["perceptron", "transformer"];

/// Where the shipped transformer labeller lives inside the models directory.
pub(crate) const TRANSFORMER_LABELLER_DIR: &str = "attribution-transformer";

/// Installs the labeller `choice` names into the English data of `resources`: `perceptron`
/// leaves it as loaded; `transformer` loads the model directory `dir` (default
/// `MODELS/attribution-transformer`), whose spans then replace the perceptron's, with
/// `intra_op_threads` libtorch threads per call; unless the user chose the combination mode
/// (`explicit_mode`), the transformer's is `structured` (the rules' plain claims only lend
/// to its claims: it finds most of them itself, see models/README.md).
pub(crate) fn set_labeller(
    resources: &mut Resources,
    choice: &str,
    dir: Option<&Path>,
    models: &Path,
    intra_op_threads: usize,
    explicit_mode: bool,
) -> anyhow::Result<()> {
    match choice {
        "perceptron" => Ok(()),
        "transformer" => {
            let dir = dir.map_or_else(|| models.join(TRANSFORMER_LABELLER_DIR), Path::to_path_buf);
            let labeller = load_transformer(&dir, intra_op_threads)?;
            let data = resources.language_mut(newsclaims::document::Lang::En);
            let Some(learned) = data.learned.as_mut() else {
                anyhow::bail!(
                    "--labeller transformer: there is no en/attribution.bin in {} (the \
                     labeller combines with the rules through its settings)",
                    models.display()
                );
            };
            learned.labeller = Some(labeller);
            if !explicit_mode {
                learned.mode = newsclaims::attribution::CombineMode::Structured;
            }
            Ok(())
        }
        other => anyhow::bail!("unknown labeller {other:?}: expected perceptron or transformer"),
    }
}

/// Loads the transformer labeller with `intra_op_threads` libtorch threads per call.
#[cfg(feature = "transformer")]
fn load_transformer(
    dir: &Path,
    intra_op_threads: usize,
) -> anyhow::Result<std::sync::Arc<dyn newsclaims::attribution::RoleLabeller>> {
    use anyhow::Context;
    use newsclaims::attribution::transformer::TransformerLabeller;
    use newsclaims::ner::TransformerOptions;
    let options = TransformerOptions {
        intra_op_threads,
        ..TransformerOptions::default()
    };
    let labeller = TransformerLabeller::load(dir, options)
        .with_context(|| format!("cannot load the transformer labeller in {}", dir.display()))?;
    Ok(std::sync::Arc::new(labeller))
}

/// Without the feature, `--labeller transformer` can only explain how to get it.
#[cfg(not(feature = "transformer"))]
fn load_transformer(
    _dir: &Path,
    _intra_op_threads: usize,
) -> anyhow::Result<std::sync::Arc<dyn newsclaims::attribution::RoleLabeller>> {
    anyhow::bail!(
        "--labeller transformer: {}",
        super::ner_choice::WITHOUT_TRANSFORMER
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources() -> Resources {
        Resources::load(&newsclaims::resources::bundled_models_dir()).unwrap()
    }

    #[test]
    fn perceptron_leaves_the_resources_as_loaded() {
        let mut r = resources();
        set_labeller(&mut r, "perceptron", None, Path::new("models"), 1, false).unwrap();
        let learned = r.language(newsclaims::document::Lang::En).learned.as_ref();
        assert!(learned.is_some_and(|l| l.labeller.is_none()));
    }

    #[cfg(not(feature = "transformer"))]
    #[test]
    fn without_the_feature_transformer_explains_itself() {
        let mut r = resources();
        let err = set_labeller(&mut r, "transformer", None, Path::new("models"), 1, false)
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
    fn a_missing_model_directory_is_named() {
        let mut r = resources();
        let empty = tempfile::tempdir().unwrap();
        let err = set_labeller(&mut r, "transformer", None, empty.path(), 1, false)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains(TRANSFORMER_LABELLER_DIR), "{err}");
    }
}
