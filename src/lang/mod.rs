//! Language identification (temporary script-based detector; replaced by the n-gram detector).

use crate::document::Lang;
use std::path::Path;

/// Errors loading the detector's data.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LangError(String);

/// The language of a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// One of ours, or None.
    pub lang: Option<Lang>,
    /// ISO code or "und".
    pub code: String,
    /// Confidence in [0, 1].
    pub confidence: f32,
}

/// Detects az/ru/en.
#[derive(Clone, Debug, Default)]
pub struct LanguageDetector;

impl LanguageDetector {
    /// Loads the detector.
    pub fn load(_models_dir: &Path) -> Result<Self, LangError> {
        Ok(LanguageDetector)
    }

    /// Detects the language of a text.
    pub fn detect(&self, text: &str) -> Detection {
        let (mut cyr, mut lat, mut schwa) = (0, 0, 0);
        for c in text.chars().take(4000) {
            if ('\u{400}'..='\u{4ff}').contains(&c) {
                cyr += 1;
            } else if c.is_alphabetic() {
                lat += 1;
            }
            if matches!(c, 'ə' | 'Ə' | 'ğ' | 'ı') {
                schwa += 1;
            }
        }
        let lang = if cyr + lat == 0 {
            None
        } else if cyr > lat {
            Some(Lang::Ru)
        } else if schwa > 0 {
            Some(Lang::Az)
        } else {
            Some(Lang::En)
        };
        Detection {
            lang,
            code: lang.map_or("und".to_string(), |l| l.code().to_string()),
            confidence: 0.5,
        }
    }
}
