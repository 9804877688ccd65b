//! Everything under `models/`, loaded once at start-up and shared read-only by every stage.
//!
//! Hand-edited knowledge (boilerplate rules, date words, abbreviations, cue lexicons, the
//! Azerbaijani Cyrillic alphabet) is UTF-8 TSV/TXT with a header line and `#` comments. Errors
//! name the file and line. Nothing is loaded lazily and nothing fails silently.

use crate::attribution::learned::AttributionModel;
use crate::attribution::learned_bounds::BoundsModel;
use crate::attribution::{CombineMode, CueLexicon, LearnedAttribution};
use crate::document::Lang;
use crate::lang::LanguageDetector;
use crate::normalize::{BoilerplateRules, DateWords};
use crate::segment::Abbreviations;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A models file that could not be read or understood.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResourceError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of the file is malformed.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A model that is not a data file failed to load.
    #[error("{path}: {message}")]
    Model {
        /// The model file or directory.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An attribution model file failed to load (its error names the file).
    #[error(transparent)]
    Learned(#[from] crate::attribution::learned::LearnedError),
}

/// The text of one data file, with helpers to read its rows.
#[derive(Clone, Debug)]
pub struct DataFile {
    path: PathBuf,
    text: String,
}

/// One data row: its 1-based line number and its tab-separated fields.
pub type Row<'a> = (usize, Vec<&'a str>);

impl DataFile {
    /// Reads a file.
    pub fn read(path: &Path) -> Result<DataFile, ResourceError> {
        let text = std::fs::read_to_string(path).map_err(|source| ResourceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(DataFile {
            path: path.to_path_buf(),
            text,
        })
    }

    /// Wraps text that did not come from disk (tests, built-in defaults).
    pub fn from_text(name: &str, text: &str) -> DataFile {
        DataFile {
            path: PathBuf::from(name),
            text: text.to_string(),
        }
    }

    /// A "malformed" error for a line of this file.
    pub fn error(&self, line: usize, message: impl Into<String>) -> ResourceError {
        ResourceError::Malformed {
            path: self.path.clone(),
            line,
            message: message.into(),
        }
    }

    /// The non-empty, non-comment lines after the header, trimmed of the line break.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim_end_matches('\r')))
            .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .skip(1)
    }

    /// The rows after the header, split on tabs; a row with fewer than `min_fields` fields is an
    /// error naming its line.
    pub fn rows(
        &self,
        min_fields: usize,
    ) -> Result<impl Iterator<Item = Result<Row<'_>, ResourceError>>, ResourceError> {
        Ok(self.lines().map(move |(line, text)| {
            let fields: Vec<&str> = text.split('\t').map(str::trim).collect();
            if fields.len() < min_fields || fields[..min_fields].iter().any(|f| f.is_empty()) {
                Err(self.error(
                    line,
                    format!("expected at least {min_fields} tab-separated fields"),
                ))
            } else {
                Ok((line, fields))
            }
        }))
    }
}

/// Per-language data.
#[derive(Clone, Debug, Default)]
pub struct LanguageData {
    /// Abbreviations that do not end a sentence.
    pub abbreviations: Abbreviations,
    /// Reporting cues (verbs, "according to" phrases, agency verbs).
    pub cues: CueLexicon,
    /// The learned attribution labeller (`<lang>/attribution.bin`), when the language has one.
    pub learned: Option<LearnedAttribution>,
}

/// All data and models the pipeline needs.
#[derive(Debug)]
pub struct Resources {
    /// Where the files came from.
    pub dir: PathBuf,
    /// Boilerplate line rules.
    pub boilerplate: BoilerplateRules,
    /// Month and filler words of date lines.
    pub date_words: DateWords,
    /// Azerbaijani Cyrillic → Latin letters.
    pub az_cyrillic: HashMap<char, String>,
    /// The language identifier.
    pub detector: LanguageDetector,
    az: LanguageData,
    ru: LanguageData,
    en: LanguageData,
}

impl Resources {
    /// Loads every data file under `dir` (normally `models/`).
    pub fn load(dir: &Path) -> Result<Resources, ResourceError> {
        Resources::load_with(dir, true)
    }

    /// Loads the data files under `dir` but not the learned attribution models, which
    /// `train attribution` replaces (the shipped one may be stale after a feature change).
    pub fn load_without_learned(dir: &Path) -> Result<Resources, ResourceError> {
        Resources::load_with(dir, false)
    }

    fn load_with(dir: &Path, with_learned: bool) -> Result<Resources, ResourceError> {
        let file = |rel: &str| DataFile::read(&dir.join(rel));
        let boilerplate = BoilerplateRules::parse(&file("common/boilerplate.tsv")?)?;
        let date_words = DateWords::parse(&file("common/dates.tsv")?)?;
        let cyrillic = file("az/cyrillic.tsv")?;
        let mut az_cyrillic = HashMap::new();
        for (line, text) in cyrillic.lines() {
            let mut fields = text.split('\t');
            let from = fields.next().unwrap_or("");
            let to = fields.next().unwrap_or("");
            let mut from_chars = from.chars();
            match (from_chars.next(), from_chars.next()) {
                (Some(c), None) => {
                    az_cyrillic.insert(c, to.to_string());
                }
                _ => {
                    return Err(cyrillic.error(
                        line,
                        "expected one Cyrillic letter, a tab and its Latin spelling",
                    ));
                }
            }
        }
        let language = |lang: Lang| -> Result<LanguageData, ResourceError> {
            let code = lang.code();
            Ok(LanguageData {
                abbreviations: Abbreviations::parse(
                    &file(&format!("{code}/abbreviations.txt"))?,
                    lang,
                )?
                .with_clitics(&file(&format!("{code}/clitics.txt"))?)?,
                cues: CueLexicon::parse(&file(&format!("{code}/cues.tsv"))?, lang)?,
                learned: if with_learned {
                    load_learned(&dir.join(code).join("attribution.bin"))?
                } else {
                    None
                },
            })
        };
        let detector = LanguageDetector::load(dir).map_err(|err| ResourceError::Model {
            path: dir.join("lang"),
            message: err.to_string(),
        })?;
        Ok(Resources {
            dir: dir.to_path_buf(),
            boilerplate,
            date_words,
            az_cyrillic,
            detector,
            az: language(Lang::Az)?,
            ru: language(Lang::Ru)?,
            en: language(Lang::En)?,
        })
    }

    /// The data of one language, to change settings (e.g. the attribution mode).
    pub fn language_mut(&mut self, lang: Lang) -> &mut LanguageData {
        match lang {
            Lang::Az => &mut self.az,
            Lang::Ru => &mut self.ru,
            Lang::En => &mut self.en,
        }
    }

    /// The data of one language.
    pub fn language(&self, lang: Lang) -> &LanguageData {
        match lang {
            Lang::Az => &self.az,
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        }
    }
}

/// Loads a learned attribution model if the file exists (its absence is not an error: only
/// some languages have one).
fn load_learned(path: &Path) -> Result<Option<LearnedAttribution>, ResourceError> {
    if !path.is_file() {
        return Ok(None);
    }
    let model = AttributionModel::load(path)?;
    // The content-boundary re-ranker is optional: without it contents keep the edges the
    // labeller and the linking give them.
    let bounds_path = path.with_file_name("bounds.bin");
    let bounds = if bounds_path.is_file() {
        let bounds = BoundsModel::load(&bounds_path)?;
        bounds.check_labeller(&model, &bounds_path, path)?;
        Some(std::sync::Arc::new(bounds))
    } else {
        None
    };
    Ok(Some(LearnedAttribution {
        model: std::sync::Arc::new(model),
        mode: CombineMode::default(),
        bounds,
        labeller: None,
    }))
}

/// The `models/` directory shipped with the crate, for tests and benches.
pub fn bundled_models_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models"))
}
