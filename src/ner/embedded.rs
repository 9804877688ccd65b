//! The embedded tagger: the models that ship in `models/ner/`, one per language: the
//! perceptron of `{lang}.bin` ([`NerModel`]), except for Russian, which by default is
//! tagged by a perceptron stacked on natasha's slovnet network (`ru-stacked.bin`, whose
//! features include the tags of `ru.slovnet`, [`SlovnetModel`]): it scores higher than
//! either alone on both Russian dev sets (`models/README.md`). Each language's model sees
//! only the parts of sentences that its name gate (`{lang}.name-gate.tsv`, [`NameGate`])
//! finds may hold a name.

use super::model::NerModel;
use super::model_file::{self, ModelFileError};
use super::name_gate::{NameGate, NameGates};
use super::slovnet::SlovnetModel;
use super::{NerError, Tagger};
use crate::document::{Lang, TokenSpan};
use std::path::Path;
use std::sync::Arc;

/// The file name of the slovnet model in a model directory.
pub const SLOVNET_FILE: &str = "ru.slovnet";
/// The file name of the Russian perceptron stacked on slovnet.
pub const STACKED_FILE: &str = "ru-stacked.bin";

/// The file name of a language's name-gate word list in a model directory.
pub fn gate_file(lang: Lang) -> String {
    format!("{}.name-gate.tsv", lang.code())
}

/// Which model tags Russian.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RussianModel {
    /// The default: the stacked perceptron (`ru-stacked.bin` with `ru.slovnet`) when both
    /// files exist, else slovnet alone when `ru.slovnet` exists, else `ru.bin`.
    #[default]
    Auto,
    /// The plain perceptron of `ru.bin` (the tagger before slovnet shipped).
    Perceptron,
    /// slovnet alone; a missing `ru.slovnet` is an error.
    Slovnet,
}

/// A [`Tagger`] backed by the embedded models.
#[derive(Clone, Debug, Default)]
pub struct EmbeddedTagger {
    /// Perceptron models indexed like [`Lang::ALL`] (for Russian, plain or stacked).
    models: [Option<NerModel>; 3],
    /// The Russian network, when loaded.
    slovnet: Option<Arc<SlovnetModel>>,
    /// Russian is tagged by [`EmbeddedTagger::slovnet`] alone, not by a perceptron.
    russian_by_slovnet: bool,
    /// Per language, the test that lets sentences without a name skip the model
    /// (`<lang>.name-gate.tsv` beside the models, see [`NameGate`]).
    gates: NameGates,
}

impl EmbeddedTagger {
    /// Loads `az.bin`, `ru.bin` and `en.bin` from `dir`. A missing file only means that
    /// language has no model (tagging it gives [`NerError::NoModel`]); a file that exists
    /// but cannot be read, is damaged or is for another language is an error.
    ///
    /// Russian gets the best model the directory holds ([`RussianModel::Auto`]).
    pub fn load_dir(dir: &Path) -> Result<EmbeddedTagger, ModelFileError> {
        EmbeddedTagger::load_dir_with(dir, RussianModel::Auto)
    }

    /// [`EmbeddedTagger::load_dir`] with a choice of the Russian model.
    pub fn load_dir_with(
        dir: &Path,
        russian: RussianModel,
    ) -> Result<EmbeddedTagger, ModelFileError> {
        let mut tagger = EmbeddedTagger::default();
        let net_path = dir.join(SLOVNET_FILE);
        let stacked_path = dir.join(STACKED_FILE);
        let ru_file = match russian {
            RussianModel::Auto if stacked_path.exists() && net_path.exists() => Some(STACKED_FILE),
            RussianModel::Auto if net_path.exists() => None,
            RussianModel::Auto | RussianModel::Perceptron => Some("ru.bin"),
            RussianModel::Slovnet => None,
        };
        tagger.russian_by_slovnet = ru_file.is_none();
        for lang in Lang::ALL {
            let name = match lang {
                Lang::Ru => match ru_file {
                    Some(name) => name.to_string(),
                    None => continue,
                },
                _ => format!("{}.bin", lang.code()),
            };
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            tagger.models[lang.slot()] = Some(model_file::load(&path, Some(lang))?);
        }
        tagger.gates = NameGates::load(dir)?;
        let stacked = tagger.model(Lang::Ru).is_some_and(|m| m.uses_slovnet);
        if tagger.russian_by_slovnet || stacked {
            let net = Arc::new(SlovnetModel::load(&net_path)?);
            if let Some(m) = tagger.models[Lang::Ru.slot()].as_mut() {
                m.slovnet = Some(Arc::clone(&net));
            }
            tagger.slovnet = Some(net);
        }
        Ok(tagger)
    }

    /// Tags Russian with `model` alone (replacing any Russian perceptron).
    pub fn with_slovnet(mut self, model: SlovnetModel) -> EmbeddedTagger {
        self.slovnet = Some(Arc::new(model));
        self.russian_by_slovnet = true;
        self.models[Lang::Ru.slot()] = None;
        self
    }

    /// The Russian network, if loaded (alone, or to give a stacked model its features).
    pub fn slovnet(&self) -> Option<&SlovnetModel> {
        self.slovnet.as_deref()
    }

    /// Whether Russian is tagged by slovnet alone.
    pub fn russian_by_slovnet(&self) -> bool {
        self.russian_by_slovnet
    }

    /// A tagger from models already in memory (the last model of a language wins).
    pub fn from_models(models: impl IntoIterator<Item = NerModel>) -> EmbeddedTagger {
        let mut tagger = EmbeddedTagger::default();
        for m in models {
            let i = m.lang.slot();
            tagger.models[i] = Some(m);
        }
        tagger
    }

    /// Tags every sentence, skipping none (no name gate), e.g. to measure what the gate
    /// changes.
    pub fn without_name_gates(mut self) -> EmbeddedTagger {
        self.gates = NameGates::default();
        self
    }

    /// The name gate of a language, if its word list was loaded.
    pub fn name_gate(&self, lang: Lang) -> Option<&NameGate> {
        self.gates.get(lang)
    }

    /// The perceptron model of a language, if loaded (for Russian, plain or stacked).
    pub fn model(&self, lang: Lang) -> Option<&NerModel> {
        self.models[lang.slot()].as_ref()
    }

    /// Languages that have a model.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|&l| self.model(l).is_some() || (l == Lang::Ru && self.russian_by_slovnet))
            .collect()
    }
}

impl Tagger for EmbeddedTagger {
    fn name(&self) -> &str {
        "embedded"
    }

    fn tag(&self, lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
        Ok(self
            .tag_sentences(lang, &[words])?
            .pop()
            .unwrap_or_default())
    }

    fn tag_batch(
        &self,
        lang: Lang,
        sentences: &[Vec<&str>],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        self.tag_sentences(lang, sentences)
    }
}

impl EmbeddedTagger {
    /// Tags sentences with the language's model, behind its name gate when it has one (the
    /// parts the gate picks are tagged as sentences of their own, so a sentence gets the same
    /// spans in any batch); the slovnet network (alone or under the stacked Russian model)
    /// runs on the sentences together, giving each the spans it gets alone.
    fn tag_sentences<'w, S: AsRef<[&'w str]>>(
        &self,
        lang: Lang,
        sentences: &[S],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        let Some(gate) = self.name_gate(lang) else {
            return self.tag_all(lang, sentences);
        };
        // Only the parts of sentences that may hold a name go to the model (as sentences of
        // their own); the rest gets no spans.
        let mut parts: Vec<&[&'w str]> = Vec::with_capacity(sentences.len());
        let mut owners: Vec<(usize, usize)> = Vec::with_capacity(sentences.len());
        for (i, words) in sentences.iter().enumerate() {
            let words = words.as_ref();
            for region in gate.regions(words) {
                owners.push((i, region.start));
                parts.push(&words[region]);
            }
        }
        let mut out = vec![Vec::new(); sentences.len()];
        for ((i, offset), spans) in owners.into_iter().zip(self.tag_all(lang, &parts)?) {
            out[i].extend(spans.into_iter().map(|s| TokenSpan {
                start: s.start + offset,
                end: s.end + offset,
                ..s
            }));
        }
        Ok(out)
    }

    /// Tags every sentence with the language's model.
    fn tag_all<'w, S: AsRef<[&'w str]>>(
        &self,
        lang: Lang,
        sentences: &[S],
    ) -> Result<Vec<Vec<TokenSpan>>, NerError> {
        if lang == Lang::Ru
            && self.russian_by_slovnet
            && let Some(net) = &self.slovnet
        {
            return Ok(net.tag_batch(sentences));
        }
        match self.model(lang) {
            Some(m) => Ok(m.tag_batch(sentences)),
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
    fn russian_model_choice() {
        let dir = tempfile::tempdir().unwrap();
        model_file::save(&tiny(Lang::Ru), &dir.path().join("ru.bin")).unwrap();
        let mut stacked = tiny(Lang::Ru);
        stacked.uses_slovnet = true;
        model_file::save(&stacked, &dir.path().join(STACKED_FILE)).unwrap();
        let net = crate::ner::slovnet::model_file::tests::tiny_bytes();
        std::fs::write(dir.path().join(SLOVNET_FILE), &net).unwrap();
        let words = ["Ab", "b", "Я"];

        let auto = EmbeddedTagger::load_dir(dir.path()).unwrap();
        assert!(!auto.russian_by_slovnet());
        let ru = auto.model(Lang::Ru).unwrap();
        assert!(ru.uses_slovnet && ru.slovnet.is_some());
        assert_eq!(ru.hints(&words).map(|h| h.len()), Some(3));

        let plain = EmbeddedTagger::load_dir_with(dir.path(), RussianModel::Perceptron).unwrap();
        assert!(plain.slovnet().is_none());
        assert!(!plain.model(Lang::Ru).unwrap().uses_slovnet);
        // The tiny perceptron has zero weights: it finds nothing.
        assert!(plain.tag(Lang::Ru, &words).unwrap().is_empty());

        let alone = EmbeddedTagger::load_dir_with(dir.path(), RussianModel::Slovnet).unwrap();
        assert!(alone.russian_by_slovnet() && alone.model(Lang::Ru).is_none());
        let net = alone.slovnet().unwrap();
        assert_eq!(alone.tag(Lang::Ru, &words).unwrap(), net.tag(&words));

        std::fs::remove_file(dir.path().join(STACKED_FILE)).unwrap();
        assert!(
            EmbeddedTagger::load_dir(dir.path())
                .unwrap()
                .russian_by_slovnet()
        );
        std::fs::remove_file(dir.path().join(SLOVNET_FILE)).unwrap();
        let auto = EmbeddedTagger::load_dir(dir.path()).unwrap();
        assert!(auto.slovnet().is_none() && auto.model(Lang::Ru).is_some());
        let err = EmbeddedTagger::load_dir_with(dir.path(), RussianModel::Slovnet).unwrap_err();
        assert!(err.to_string().contains(SLOVNET_FILE), "{err}");
    }

    /// A document's sentences tagged together (as the pipeline does) get the spans each gets
    /// alone, with every shipped Russian model and English.
    #[test]
    fn batches_tag_as_sentences_do_with_the_shipped_models() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ner");
        let ru: Vec<Vec<&str>> = [
            "Глава МИД России Сергей Лавров заявил , что Москва готова к переговорам .",
            "",
            "Об этом сообщает ТАСС со ссылкой на пресс-службу Газпрома .",
            "Владимир Путин",
        ]
        .iter()
        .map(|s| s.split_whitespace().collect())
        .collect();
        let en: Vec<Vec<&str>> = ["John Smith of Reuters said so in London .", "Hi ."]
            .iter()
            .map(|s| s.split_whitespace().collect())
            .collect();
        for choice in [
            RussianModel::Auto,
            RussianModel::Slovnet,
            RussianModel::Perceptron,
        ] {
            let tagger = EmbeddedTagger::load_dir_with(&dir, choice).unwrap();
            for (lang, sentences) in [(Lang::Ru, &ru), (Lang::En, &en)] {
                let alone: Vec<Vec<TokenSpan>> = sentences
                    .iter()
                    .map(|s| tagger.tag(lang, s).unwrap())
                    .collect();
                assert!(alone.iter().any(|spans| !spans.is_empty()));
                assert_eq!(tagger.tag_batch(lang, sentences).unwrap(), alone);
            }
        }
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
