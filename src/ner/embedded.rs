//! The embedded tagger: the models that ship in `models/ner/`, one per language: the
//! perceptron of `{lang}.bin` ([`NerModel`]), except for Russian, where natasha's slovnet
//! network (`ru.slovnet`, [`SlovnetModel`]) is used when present: it scores higher on both
//! Russian dev sets (`models/README.md`).

use super::model::NerModel;
use super::model_file::{self, ModelFileError};
use super::slovnet::SlovnetModel;
use super::{NerError, Tagger};
use crate::document::{Lang, TokenSpan};
use std::path::Path;

/// The file name of the slovnet model in a model directory.
pub const SLOVNET_FILE: &str = "ru.slovnet";

/// Which model tags Russian.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RussianModel {
    /// slovnet when `ru.slovnet` exists, else the perceptron (the default).
    #[default]
    Auto,
    /// The perceptron of `ru.bin` (as before slovnet shipped); `ru.slovnet` is not read.
    Perceptron,
    /// slovnet; a missing `ru.slovnet` is an error.
    Slovnet,
}

/// A [`Tagger`] backed by the embedded models.
#[derive(Clone, Debug, Default)]
pub struct EmbeddedTagger {
    /// Perceptron models indexed like [`Lang::ALL`].
    models: [Option<NerModel>; 3],
    /// The Russian network; when present it tags Russian instead of the perceptron.
    slovnet: Option<SlovnetModel>,
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
    ///
    /// Russian is tagged by slovnet when `ru.slovnet` exists ([`RussianModel::Auto`]).
    pub fn load_dir(dir: &Path) -> Result<EmbeddedTagger, ModelFileError> {
        EmbeddedTagger::load_dir_with(dir, RussianModel::Auto)
    }

    /// [`EmbeddedTagger::load_dir`] with a choice of the Russian model.
    pub fn load_dir_with(
        dir: &Path,
        russian: RussianModel,
    ) -> Result<EmbeddedTagger, ModelFileError> {
        let mut tagger = EmbeddedTagger::default();
        for lang in Lang::ALL {
            let path = dir.join(format!("{}.bin", lang.code()));
            if !path.exists() {
                continue;
            }
            tagger.models[slot(lang)] = Some(model_file::load(&path, Some(lang))?);
        }
        let path = dir.join(SLOVNET_FILE);
        let load_slovnet = match russian {
            RussianModel::Auto => path.exists(),
            RussianModel::Perceptron => false,
            RussianModel::Slovnet => true,
        };
        if load_slovnet {
            tagger.slovnet = Some(SlovnetModel::load(&path)?);
        }
        Ok(tagger)
    }

    /// Uses `model` for Russian (replacing the perceptron for that language).
    pub fn with_slovnet(mut self, model: SlovnetModel) -> EmbeddedTagger {
        self.slovnet = Some(model);
        self
    }

    /// The Russian network, if loaded.
    pub fn slovnet(&self) -> Option<&SlovnetModel> {
        self.slovnet.as_ref()
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

    /// The perceptron model of a language, if loaded (for Russian it is not used when
    /// [`EmbeddedTagger::slovnet`] is loaded).
    pub fn model(&self, lang: Lang) -> Option<&NerModel> {
        self.models[slot(lang)].as_ref()
    }

    /// Languages that have a model.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|&l| self.model(l).is_some() || (l == Lang::Ru && self.slovnet.is_some()))
            .collect()
    }
}

impl Tagger for EmbeddedTagger {
    fn name(&self) -> &str {
        "embedded"
    }

    fn tag(&self, lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
        if lang == Lang::Ru
            && let Some(net) = &self.slovnet
        {
            return Ok(net.tag(words));
        }
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
    fn russian_goes_to_slovnet_when_it_is_there() {
        let dir = tempfile::tempdir().unwrap();
        model_file::save(&tiny(Lang::Ru), &dir.path().join("ru.bin")).unwrap();
        let net = crate::ner::slovnet::model_file::tests::tiny_bytes();
        std::fs::write(dir.path().join(SLOVNET_FILE), &net).unwrap();
        let auto = EmbeddedTagger::load_dir(dir.path()).unwrap();
        assert!(auto.slovnet().is_some());
        let perceptron =
            EmbeddedTagger::load_dir_with(dir.path(), RussianModel::Perceptron).unwrap();
        assert!(perceptron.slovnet().is_none());
        // The tiny perceptron has zero weights: it finds nothing.
        let words = ["Ab", "b", "Я"];
        assert!(perceptron.tag(Lang::Ru, &words).unwrap().is_empty());
        let net = auto.slovnet().unwrap();
        assert_eq!(auto.tag(Lang::Ru, &words).unwrap(), net.tag(&words));
        std::fs::remove_file(dir.path().join(SLOVNET_FILE)).unwrap();
        assert!(
            EmbeddedTagger::load_dir(dir.path())
                .unwrap()
                .slovnet()
                .is_none()
        );
        let err = EmbeddedTagger::load_dir_with(dir.path(), RussianModel::Slovnet).unwrap_err();
        assert!(err.to_string().contains(SLOVNET_FILE), "{err}");
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
