//! The embedded tagger: one [`NerModel`] per language, loaded from `models/ner/{lang}.bin`.

use super::model::NerModel;
use super::model_file::{self, ModelFileError};
use super::{NerError, Tagger};
use crate::document::{Lang, TokenSpan};
use std::path::Path;

/// A [`Tagger`] backed by the embedded perceptron models.
#[derive(Clone, Debug, Default)]
pub struct EmbeddedTagger {
    /// Models indexed like [`Lang::ALL`].
    models: [Option<NerModel>; 3],
}

fn slot(lang: Lang) -> usize {
    match lang {
        Lang::Az => 0,
        Lang::Ru => 1,
        Lang::En => 2,
    }
}

impl EmbeddedTagger {
    /// Loads `az.bin`, `ru.bin` and `en.bin` from `dir`. A missing file only means that
    /// language has no model (tagging it gives [`NerError::NoModel`]); a file that exists
    /// but cannot be read, is damaged or is for another language is an error.
    pub fn load_dir(dir: &Path) -> Result<EmbeddedTagger, ModelFileError> {
        let mut tagger = EmbeddedTagger::default();
        for lang in Lang::ALL {
            let path = dir.join(format!("{}.bin", lang.code()));
            if !path.exists() {
                continue;
            }
            tagger.models[slot(lang)] = Some(model_file::load(&path, Some(lang))?);
        }
        Ok(tagger)
    }

    /// A tagger from models already in memory (the last model of a language wins).
    pub fn from_models(models: impl IntoIterator<Item = NerModel>) -> EmbeddedTagger {
        let mut tagger = EmbeddedTagger::default();
        for m in models {
            let i = slot(m.lang);
            tagger.models[i] = Some(m);
        }
        tagger
    }

    /// The model of a language, if loaded.
    pub fn model(&self, lang: Lang) -> Option<&NerModel> {
        self.models[slot(lang)].as_ref()
    }

    /// Languages that have a model.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|&l| self.model(l).is_some())
            .collect()
    }
}

impl Tagger for EmbeddedTagger {
    fn name(&self) -> &str {
        "embedded"
    }

    fn tag(&self, lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
        match self.model(lang) {
            Some(m) => Ok(m.tag(words)),
            None => Err(NerError::NoModel(lang)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::EntityType;
    use crate::ner::decode::LabelSet;

    fn tiny(lang: Lang) -> NerModel {
        let labels = LabelSet {
            types: vec![EntityType::Per],
        };
        NerModel::new(
            lang,
            labels,
            vec![0.0; 3],
            vec![0.0; 9],
            vec![],
            &[],
            None,
            1.0,
        )
    }

    #[test]
    fn missing_languages_give_no_model() {
        let dir = tempfile::tempdir().unwrap();
        model_file::save(&tiny(Lang::En), &dir.path().join("en.bin")).unwrap();
        let t = EmbeddedTagger::load_dir(dir.path()).unwrap();
        assert_eq!(t.languages(), vec![Lang::En]);
        assert!(t.tag(Lang::En, &["Hello"]).is_ok());
        assert!(matches!(
            t.tag(Lang::Ru, &["Привет"]),
            Err(NerError::NoModel(Lang::Ru))
        ));
    }

    #[test]
    fn a_model_in_the_wrong_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        model_file::save(&tiny(Lang::Ru), &dir.path().join("az.bin")).unwrap();
        let err = EmbeddedTagger::load_dir(dir.path()).unwrap_err();
        assert!(matches!(err, ModelFileError::WrongLanguage { .. }), "{err}");
    }

    #[test]
    fn a_corrupt_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("en.bin"),
            b"NCNERMDL\x01\0\0\0garbage-garbage-garbage",
        )
        .unwrap();
        assert!(EmbeddedTagger::load_dir(dir.path()).is_err());
    }
}
