//! Language identification: is a document Azerbaijani, Russian, English, or something else?
//!
//! Evidence is weighed in order of reliability. First the script: a text whose letters are
//! mostly Greek, Arabic, Han ... is reported with that script's language code straight
//! away. Then the special letters of a Latin or Cyrillic text (`ə` is Azerbaijani,
//! `ҹ ҝ ј` Azerbaijani Cyrillic, `қ ң ұ` Kazakh, `ї є ґ` Ukrainian): they rule out languages
//! whose alphabet lacks them, and can decide languages we have no n-gram profile for. Last,
//! a naive-Bayes score over character 1-3-grams picks among the remaining profiled
//! languages (az/ru/en/tr plus the imported ones), with a prior for our three languages and
//! a penalty when a language's most frequent special letter never shows (no `ə` in a long
//! "Azerbaijani" text). A coverage threshold and that penalty turn a text no profile
//! explains into `und` rather than a guess. Only the first [`SAMPLE_BYTES`] of a document
//! are read, and scoring stops early once the winner is clear.
//!
//! All language knowledge is data under `models/lang/`: `scripts.tsv`, `letters.tsv` and
//! `profiles/<code>.tsv` (built by `newsclaims train lang`).

pub mod ngram;
mod scorer;
pub mod script;
pub mod train;

use crate::document::Lang;
use ngram::Profile;
use scorer::{ScriptEntry, score};
use script::{Alphabet, LetterStats, ScriptTable, vote};
use std::fs;
use std::path::{Path, PathBuf};

/// The code reported when no language can be determined.
pub const UNDETERMINED: &str = "und";
/// Bytes of a document that are looked at (rounded down to a character boundary).
pub const SAMPLE_BYTES: usize = 4096;
/// Characters whose letters feed the letter evidence.
pub const LETTER_SAMPLE_CHARS: usize = 1000;
/// Fewer letters than this and the language is undetermined.
pub const MIN_LETTERS: usize = 4;
/// A language stays a candidate while its alphabet misses at most this share of the letters
/// (or 2 letters): a quoted name like "Müller" must not rule English out.
const MISS_SHARE: f64 = 0.02;
/// A language known by its letters only needs this share of special letters (or 2).
const HIT_SHARE: f64 = 0.01;
/// Scoring stops once the leader is ahead of the runner-up by this many nats.
pub(crate) const EARLY_STOP_NATS: f32 = 20.0;
/// Under this share of trigrams (of the text's script) found in the winning profile, a win by
/// one of our languages becomes `und`: probably a language we have no profile for. Sentences
/// of our languages mostly score 0.8-1.0, unrelated languages 0.4-0.65; names-only lines
/// score low, which is why the bar is not higher.
pub const MIN_COVERAGE: f32 = 0.5;

/// Default log-prior (nats) of az/ru/en over other profiled languages: the pipeline reads
/// az/ru/en news feeds, so a short headline like "Trump rallies in West Virginia" should not
/// become Afrikaans. Long texts outweigh it; letter evidence is not affected.
pub const DEFAULT_OWN_PRIOR: f32 = 6.0;

/// Errors raised while loading the language models.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LangError {
    /// A model file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A model file is malformed.
    #[error("{path}:{line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 = the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The language of a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// One of our languages, or `None` for any other (the pipeline skips those).
    pub lang: Option<Lang>,
    /// `az`/`ru`/`en`, another language's code (`tr`, `uk`, `kk`, `de` ...), or `und`.
    pub code: String,
    /// Confidence in [0, 1].
    pub confidence: f32,
}

impl Detection {
    /// The undetermined result (too short, no letters, or no profile explains the text).
    pub fn undetermined(confidence: f32) -> Self {
        Detection {
            lang: None,
            code: UNDETERMINED.to_string(),
            confidence,
        }
    }

    fn of(code: &str, confidence: f32) -> Self {
        Detection {
            lang: Lang::from_code(code),
            code: code.to_string(),
            confidence: confidence.clamp(0.0, 1.0),
        }
    }
}

/// Detects the language of documents. Immutable after loading, so `Send + Sync`.
#[derive(Clone, Debug)]
pub struct LanguageDetector {
    scripts: ScriptTable,
    alphabets: Vec<Alphabet>,
    models: Vec<ScriptEntry>,
    own_prior: f32,
}

impl LanguageDetector {
    /// Loads `scripts.tsv`, `letters.tsv` and `profiles/*.tsv` from `models_dir/lang/`
    /// (or from `models_dir` itself when it is the `lang` folder).
    pub fn load(models_dir: &Path) -> Result<Self, LangError> {
        let dir = if models_dir.join("lang").join("scripts.tsv").is_file() {
            models_dir.join("lang")
        } else {
            models_dir.to_path_buf()
        };
        let read = |path: PathBuf| {
            fs::read_to_string(&path)
                .map(|text| (text, path.clone()))
                .map_err(|source| LangError::Io { path, source })
        };
        let (scripts, scripts_path) = read(dir.join("scripts.tsv"))?;
        let (letters, letters_path) = read(dir.join("letters.tsv"))?;
        let profile_dir = dir.join("profiles");
        let entries = fs::read_dir(&profile_dir).map_err(|source| LangError::Io {
            path: profile_dir.clone(),
            source,
        })?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| LangError::Io {
                path: profile_dir.clone(),
                source,
            })?;
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tsv") {
                paths.push(path);
            }
        }
        // Sorted, so column order (and tie-breaking) does not depend on the file system.
        paths.sort();
        let mut profiles = Vec::new();
        for path in paths {
            let (text, path) = read(path)?;
            profiles.push(Profile::parse(&text, &path)?);
        }
        Self::from_parts(
            ScriptTable::parse(&scripts, &scripts_path)?,
            script::parse_alphabets(&letters, &letters_path)?,
            &profiles,
        )
    }

    /// Builds a detector from parsed tables and profiles (tests, or profiles built in memory).
    pub fn from_parts(
        scripts: ScriptTable,
        alphabets: Vec<Alphabet>,
        profiles: &[Profile],
    ) -> Result<Self, LangError> {
        let mut models = Vec::new();
        for name in script::PROFILED_SCRIPTS {
            let of_script: Vec<&Profile> = profiles.iter().filter(|p| p.script == name).collect();
            if of_script.len() > 64 {
                return Err(LangError::Format {
                    path: PathBuf::from("profiles"),
                    line: 0,
                    message: format!("more than 64 profiles for script {name}"),
                });
            }
            if !of_script.is_empty() {
                models.push(ScriptEntry::new(name, &of_script, &alphabets));
            }
        }
        Ok(LanguageDetector {
            scripts,
            alphabets,
            models,
            own_prior: DEFAULT_OWN_PRIOR,
        })
    }

    /// Sets the log-prior (nats) that az/ru/en get over other profiled languages.
    pub fn with_own_prior(mut self, nats: f32) -> Self {
        self.own_prior = nats;
        self
    }

    /// The codes of the profiled languages.
    pub fn profiled_codes(&self) -> Vec<&str> {
        self.models
            .iter()
            .flat_map(|m| m.model.codes.iter().map(String::as_str))
            .collect()
    }

    /// Detects the language of a (normalised) document.
    pub fn detect(&self, text: &str) -> Detection {
        let mut end = text.len().min(SAMPLE_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let sample = &text[..end];
        let stats = LetterStats::count(&self.scripts, sample, LETTER_SAMPLE_CHARS);
        if stats.letters < MIN_LETTERS {
            return Detection::undetermined(0.0);
        }
        let Some((dom, dom_letters)) = stats.dominant() else {
            return Detection::undetermined(0.0);
        };
        let script_name = self.scripts.names[dom].as_str();
        let share = dom_letters as f32 / stats.letters as f32;
        let Some(entry) = self.models.iter().find(|m| m.script == script_name) else {
            let code = self.scripts.codes[dom].as_str();
            return if code == "-" {
                Detection::undetermined(share)
            } else {
                Detection::of(code, share)
            };
        };
        let model = &entry.model;

        // Letter evidence: which profiled columns stay candidates, and whether a language we
        // know only by its letters (Kazakh, Azerbaijani Cyrillic ...) explains them better.
        let miss_tol = ((dom_letters as f64 * MISS_SHARE) as usize).max(2);
        let hit_min = ((dom_letters as f64 * HIT_SHARE) as usize).max(2);
        let mut candidate = vec![true; model.width()];
        let mut best_profiled_hits = 0;
        for (j, alphabet) in entry.alphabet_of.iter().enumerate() {
            if let Some(a) = alphabet.map(|i| &self.alphabets[i]) {
                let v = vote(a, script_name, &self.scripts, &stats);
                candidate[j] = v.misses <= miss_tol;
                if candidate[j] {
                    best_profiled_hits = best_profiled_hits.max(v.hits);
                }
            }
        }
        let mut letter_only: Option<(&str, usize)> = None;
        for a in entry.letter_only.iter().map(|&i| &self.alphabets[i]) {
            let v = vote(a, script_name, &self.scripts, &stats);
            if v.misses <= miss_tol
                && v.hits >= hit_min
                && letter_only.is_none_or(|(_, h)| v.hits > h)
            {
                letter_only = Some((a.code.as_str(), v.hits));
            }
        }
        if let Some((code, hits)) = letter_only
            && hits > best_profiled_hits
        {
            let conf = 0.5 + 0.5 * (hits as f32 / hit_min as f32 / 4.0).min(1.0);
            return Detection::of(code, conf * share);
        }
        if !candidate.contains(&true) {
            // Mixed or unusual letters: let the n-grams decide among all of them.
            candidate.fill(true);
        }
        score(
            self.own_prior,
            entry,
            sample,
            &candidate,
            share,
            &stats,
            dom_letters,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ngram::for_each_gram;

    const SCRIPTS: &str = "0041\t005A\tLatn\t-\n0061\t007A\tLatn\t-\n00C0\t024F\tLatn\t-\n\
        0250\t02AF\tLatn\t-\n0400\t04FF\tCyrl\t-\n0500\t052F\tCyrl\t-\n0370\t03FF\tGrek\tel\n";
    const LETTERS: &str = "az\tLatn\təğışçöü\naz\tCyrl\tәғҹјһөүҝ\nkk\tCyrl\tәғқңөұүһі\n\
        tr\tLatn\tğışçöüâî\nen\tLatn\t-\nru\tCyrl\t-\n";

    fn profile(code: &str, script: &str, text: &str) -> Profile {
        let mut p = Profile {
            code: code.into(),
            script: script.into(),
            ..Profile::default()
        };
        for_each_gram(text, |k| *p.counts.entry(k).or_insert(0) += 1);
        p
    }

    fn detector() -> LanguageDetector {
        let profiles = [
            profile(
                "en",
                "Latn",
                "the minister said that the talks would continue on monday \
                and the president told reporters that the economy was growing",
            ),
            profile(
                "az",
                "Latn",
                "nazir bildirib ki danışıqlar bazar ertəsi davam edəcək \
                prezident jurnalistlərə deyib ki iqtisadiyyat böyüyür",
            ),
            profile(
                "tr",
                "Latn",
                "bakan görüşmelerin pazartesi devam edeceğini söyledi \
                cumhurbaşkanı gazetecilere ekonominin büyüdüğünü söyledi",
            ),
            profile(
                "ru",
                "Cyrl",
                "министр заявил что переговоры продолжатся в понедельник \
                президент сообщил журналистам что экономика растет",
            ),
        ];
        let scripts = ScriptTable::parse(SCRIPTS, Path::new("scripts.tsv")).unwrap();
        let alphabets = script::parse_alphabets(LETTERS, Path::new("letters.tsv")).unwrap();
        LanguageDetector::from_parts(scripts, alphabets, &profiles).unwrap()
    }

    #[test]
    fn our_languages_are_detected() {
        let d = detector();
        assert_eq!(
            d.detect("The minister told reporters the talks continue.")
                .lang,
            Some(Lang::En)
        );
        assert_eq!(
            d.detect("Nazir bildirib ki, danışıqlar davam edəcək.").lang,
            Some(Lang::Az)
        );
        assert_eq!(
            d.detect("Министр заявил, что переговоры продолжатся.").lang,
            Some(Lang::Ru)
        );
    }

    #[test]
    fn turkish_is_other_not_azerbaijani() {
        let d = detector().detect("Bakan, görüşmelerin devam edeceğini söyledi.");
        assert_eq!((d.lang, d.code.as_str()), (None, "tr"));
    }

    #[test]
    fn letters_decide_unprofiled_cyrillic_languages() {
        let d = detector();
        let az = d.detect("Президент бәјанат вериб ки, ҹәнуб бөлҝәсиндә ишләр давам едир.");
        assert_eq!((az.lang, az.code.as_str()), (Some(Lang::Az), "az"));
        let kk = d.detect("Қазақстан үкіметі жаңа бағдарламаны қабылдады деп хабарлады.");
        assert_eq!((kk.lang, kk.code.as_str()), (None, "kk"));
    }

    #[test]
    fn other_scripts_and_short_texts() {
        let d = detector();
        assert_eq!(
            d.detect("Ο υπουργός δήλωσε ότι οι συνομιλίες συνεχίζονται.")
                .code,
            "el"
        );
        assert_eq!(d.detect("12:30 -- 45%").code, UNDETERMINED);
        assert_eq!(d.detect("").code, UNDETERMINED);
        assert_eq!(d.detect("OK").code, UNDETERMINED);
    }

    #[test]
    fn a_russian_text_quoting_english_stays_russian() {
        let d = detector()
            .detect("Министр заявил журналистам: «We will continue», что переговоры продолжатся.");
        assert_eq!(d.lang, Some(Lang::Ru));
    }

    #[test]
    fn confidence_is_a_probability() {
        let d = detector();
        for text in [
            "The minister said.",
            "Nazir bildirib.",
            "Министр заявил.",
            "xyzzy qwv",
        ] {
            let c = d.detect(text).confidence;
            assert!((0.0..=1.0).contains(&c), "{text}: {c}");
        }
    }

    #[test]
    fn long_documents_only_read_the_sample() {
        let d = detector();
        let mut text = "The minister said that the talks would continue. ".repeat(200);
        text.push_str(&"Министр заявил. ".repeat(1000));
        assert_eq!(d.detect(&text).lang, Some(Lang::En));
    }

    #[test]
    fn a_long_text_without_schwa_is_not_azerbaijani() {
        let d = detector();
        // Azerbaijani-looking words, but 200+ letters and no ə: Uzbek is written like this.
        let text = "nazir bildirib ki muzokaralar bazar kuni davom etadi va qonun qabul qilindi. "
            .repeat(3);
        assert_ne!(d.detect(&text).lang, Some(Lang::Az));
        // A short line without ə is still allowed to be Azerbaijani.
        assert_eq!(
            d.detect("Nazir bildirib ki, danışıqlar davam edir.").lang,
            Some(Lang::Az)
        );
    }

    #[test]
    fn the_detector_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LanguageDetector>();
    }

    #[test]
    fn the_sample_is_cut_at_a_character_boundary() {
        // 4095 ASCII bytes then a two-byte letter straddling the 4 KB mark.
        let text = format!("{}ə and more", "a ".repeat(2047) + "a");
        let _ = detector().detect(&text);
    }

    #[test]
    fn load_reports_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let err = LanguageDetector::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("scripts.tsv"), "{err}");
    }

    #[test]
    fn shipped_models_load_and_work() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let d = LanguageDetector::load(&dir).unwrap();
        for code in ["az", "ru", "en", "tr"] {
            assert!(d.profiled_codes().contains(&code), "{code}");
        }
        let tr = d.detect("Merkez Bankası faiz oranlarını yükseltti, yetkililer açıkladı.");
        assert_eq!((tr.lang, tr.code.as_str()), (None, "tr"));
        let de = d.detect("Die Zentralbank hat die Zinsen am Dienstag erhöht, sagten Beamte.");
        assert_eq!((de.lang, de.code.as_str()), (None, "de"));
        let mixed = d.detect("Министр заявил: «We will not give up», и покинул зал заседаний.");
        assert_eq!(mixed.lang, Some(Lang::Ru));
        let en = d.detect("The central bank raised interest rates on Tuesday, officials said.");
        assert_eq!(en.lang, Some(Lang::En));
        let az = d.detect("Mərkəzi Bank faiz dərəcələrini artırıb, rəsmilər bildirib.");
        assert_eq!(az.lang, Some(Lang::Az));
        let ru = d.detect("Центральный банк повысил ключевую ставку, сообщили в ведомстве.");
        assert_eq!(ru.lang, Some(Lang::Ru));
    }
}
