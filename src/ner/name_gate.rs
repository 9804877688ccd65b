//! The name gate: a cheap test of which parts of a sentence may hold a name, so that the
//! tagger can skip the rest.
//!
//! Names in Russian (and in the other two languages) are written with a capital letter.
//! A sentence whose only capitalised words are sentence-initial common words ("В", "Он",
//! "Однако", or the same after an opening quotation mark or a colon) seldom holds a PER,
//! LOC or ORG: on the Russian raw news such sentences are about a sixth of the tokens, and
//! skipping them spares the Russian network (most of the Russian pipeline's time). The
//! entities they do hold are lower-case descriptions ("правительство", "японского") and
//! names that start with a common word ("Полиция", "Первый канал"): the words that the NER
//! training data often puts inside an entity keep a sentence open. In the other sentences
//! the tagger sees each possible name with a margin of context words ([`NameGate::regions`]):
//! a quarter of the Russian instructions go. `models/README.md` gives the measured change in
//! F1 and speed.
//!
//! Both word lists are data: `models/ner/<lang>.name-gate.tsv`, lines `common<TAB>word`
//! (words a raw news corpus writes in lower case mid-sentence at least twenty times as often
//! as capitalised, see [`LowercaseCounts`]) and `name<TAB>word` (common words found inside
//! gold entities, see [`EntityWordCounts`]), all lower case, built by `newsclaims train
//! name-gate`. A language without the file is never gated.

use super::SpanPass;
use crate::document::{Lang, TokenSpan};
use std::collections::{HashMap, HashSet};
use std::ops::{ControlFlow, Range};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Errors loading a gate file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NameGateError {
    /// The file cannot be read.
    #[error("cannot read the name-gate word list {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not a kind and one lower-case word, or `margin` and a number.
    #[error(
        "{path}:{line}: expected `common` or `name`, a tab and one lower-case word (or `margin`, a tab and a number), found {text:?}"
    )]
    BadLine {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
}

/// Words that are not names when capitalised at a sentence start, and words that may be
/// part of one even in lower case (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct NameGate {
    common: HashSet<String>,
    name_words: HashSet<String>,
    /// Words of context the tagger needs each side of a possible name (`margin<TAB>N` in the
    /// file); `None`: the whole sentence.
    margin: Option<usize>,
}

impl NameGate {
    /// A gate from lower-case common words and lower-case name words.
    pub fn new<I, J, S, T>(common: I, name_words: J) -> NameGate
    where
        I: IntoIterator<Item = S>,
        J: IntoIterator<Item = T>,
        S: Into<String>,
        T: Into<String>,
    {
        NameGate {
            common: common.into_iter().map(Into::into).collect(),
            name_words: name_words.into_iter().map(Into::into).collect(),
            margin: None,
        }
    }

    /// The same gate, giving the tagger only `margin` words each side of a possible name.
    pub fn with_margin(mut self, margin: Option<usize>) -> NameGate {
        self.margin = margin;
        self
    }

    /// Reads a gate file: `common<TAB>word` and `name<TAB>word` lines, words in lower case;
    /// blank lines and lines starting with `#` are skipped.
    pub fn load(path: &Path) -> Result<NameGate, NameGateError> {
        let text = std::fs::read_to_string(path).map_err(|source| NameGateError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut gate = NameGate::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || NameGateError::BadLine {
                path: path.to_path_buf(),
                line: i + 1,
                text: line.to_string(),
            };
            let (kind, word) = line.split_once('\t').ok_or_else(bad)?;
            if kind == "margin" {
                gate.margin = Some(word.parse().map_err(|_| bad())?);
                continue;
            }
            if word.is_empty() || word.chars().any(|c| c.is_whitespace() || c.is_uppercase()) {
                return Err(bad());
            }
            match kind {
                "common" => gate.common.insert(word.to_string()),
                "name" => gate.name_words.insert(word.to_string()),
                _ => return Err(bad()),
            };
        }
        Ok(gate)
    }

    /// Number of common words and of name words.
    pub fn sizes(&self) -> (usize, usize) {
        (self.common.len(), self.name_words.len())
    }

    /// Whether the sentence may hold a name: some word is a name word, or has a capital
    /// letter and is not a common word capitalised only because it starts the sentence or a
    /// quotation; or the sentence has no capital letter at all (see `uncased`).
    pub fn may_name(&self, words: &[&str]) -> bool {
        uncased(words) || self.scan(words, |_| ControlFlow::Break(()))
    }

    /// The parts of a sentence the tagger needs to see: each word that may be part of a
    /// name (as for [`NameGate::may_name`]) with the gate's context margin each side,
    /// overlapping or touching parts merged; the whole sentence when it may hold a name and
    /// the gate has no margin, or when it has no capital letter at all (`uncased`);
    /// nothing when it cannot hold one.
    pub fn regions(&self, words: &[&str]) -> Vec<Range<usize>> {
        let mut whole = Vec::with_capacity(1);
        if uncased(words) {
            whole.push(0..words.len());
            return whole;
        }
        let Some(margin) = self.margin else {
            if self.scan(words, |_| ControlFlow::Break(())) {
                whole.push(0..words.len());
            }
            return whole;
        };
        let mut out: Vec<Range<usize>> = Vec::new();
        self.scan(words, |i| {
            let part = i.saturating_sub(margin)..(i + margin + 1).min(words.len());
            match out.last_mut() {
                Some(last) if part.start <= last.end => last.end = last.end.max(part.end),
                _ => out.push(part),
            }
            ControlFlow::Continue(())
        });
        out
    }

    /// Calls `found` with the index of every word that may be part of a name, in order,
    /// until it breaks; returns whether it was called at all.
    fn scan(&self, words: &[&str], mut found: impl FnMut(usize) -> ControlFlow<()>) -> bool {
        let mut any = false;
        let mut initial = true;
        for (i, w) in words.iter().enumerate() {
            let Some(first) = w.chars().next() else {
                continue;
            };
            if !first.is_alphanumeric() {
                initial = initial_after(w, initial);
                continue;
            }
            let capitals = w.chars().filter(|c| c.is_uppercase()).count();
            let candidate = if capitals == 0 {
                // Numbers are never part of a name here (nor common words).
                first.is_alphabetic() && self.name_words.contains(*w)
            } else if initial && capitals == 1 && first.is_uppercase() {
                // Only a word that may be capitalised for its position is looked up (and
                // lower-cased); any other capitalised word may be a name.
                let lower = w.to_lowercase();
                !self.common.contains(&lower) || self.name_words.contains(&lower)
            } else {
                true
            };
            initial = false;
            if candidate {
                any = true;
                if found(i).is_break() {
                    break;
                }
            }
        }
        any
    }
}

/// Whether a sentence has letters but not one capital: lower-cased text (a lower-cased
/// corpus, a transcript, a chat), where capitals say nothing about names, so the gate lets
/// the tagger see it all. A normal sentence starts with a capital, so this costs one word.
fn uncased(words: &[&str]) -> bool {
    let mut letters = false;
    for c in words.iter().flat_map(|w| w.chars()) {
        if c.is_uppercase() {
            return false;
        }
        letters |= c.is_alphabetic();
    }
    letters
}

/// Whether a word after punctuation `token` is capitalised for its position only, given
/// whether the word before the punctuation was: a colon, a dash (direct speech) or a
/// sentence end start a new clause; quotation marks and an opening bracket keep the position
/// they follow (`Он сказал: «Мы...»` starts a clause, `группа «Метро»` holds a name).
fn initial_after(token: &str, initial: bool) -> bool {
    match token {
        ":" | "—" | "–" | "-" | "." | "!" | "?" | "…" => true,
        "«" | "\"" | "“" | "„" | "'" | "(" => initial,
        _ => false,
    }
}

/// Counts, per lower-cased word, how often raw text writes it in lower case and capitalised
/// away from a sentence start: the data of a [`NameGate`] word list.
#[derive(Clone, Debug, Default)]
pub struct LowercaseCounts {
    counts: HashMap<String, (u64, u64)>,
}

impl LowercaseCounts {
    /// Adds one sentence's words.
    pub fn add_sentence(&mut self, words: &[&str]) {
        let mut initial = true;
        for w in words {
            let Some(first) = w.chars().next() else {
                continue;
            };
            if !first.is_alphabetic() {
                initial = !first.is_numeric() && initial_after(w, initial);
                continue;
            }
            if !initial {
                let entry = self.counts.entry(w.to_lowercase()).or_default();
                if first.is_lowercase() {
                    entry.0 += 1;
                } else if first.is_uppercase() {
                    entry.1 += 1;
                }
            }
            initial = false;
        }
    }

    /// The common words, sorted: seen in lower case at least `min_lower` times and at
    /// least `ratio` times as often as capitalised.
    pub fn common_words(&self, min_lower: u64, ratio: u64) -> Vec<&str> {
        let mut words: Vec<&str> = self
            .counts
            .iter()
            .filter(|&(_, &(lower, upper))| lower >= min_lower && lower >= upper * ratio)
            .map(|(w, _)| w.as_str())
            .collect();
        words.sort_unstable();
        words
    }
}

/// Counts, per lower-cased word, its occurrences in gold NER data and those inside an
/// entity: the data of the `name` words of a [`NameGate`].
#[derive(Clone, Debug, Default)]
pub struct EntityWordCounts {
    /// (occurrences, inside an entity, inside an entity written in lower case).
    counts: HashMap<String, (u64, u64, u64)>,
}

impl EntityWordCounts {
    /// Adds one gold sentence (IOB2 tags, one per word).
    pub fn add_sentence<W: AsRef<str>, T: AsRef<str>>(&mut self, words: &[W], tags: &[T]) {
        for (w, t) in words.iter().zip(tags) {
            let (w, t) = (w.as_ref(), t.as_ref());
            if !w.chars().next().is_some_and(char::is_alphabetic) {
                continue;
            }
            let entry = self.counts.entry(w.to_lowercase()).or_default();
            entry.0 += 1;
            if t != "O" {
                entry.1 += 1;
                if !w.chars().any(char::is_uppercase) {
                    entry.2 += 1;
                }
            }
        }
    }

    /// The name words, sorted: inside an entity at least `min_count` times and in at least
    /// `share` of their occurrences, and either common words or seen in lower case inside
    /// an entity (a word always capitalised opens the gate anyway).
    pub fn name_words(&self, common: &HashSet<&str>, min_count: u64, share: f64) -> Vec<&str> {
        let mut words: Vec<&str> = self
            .counts
            .iter()
            .filter(|&(w, &(total, inside, lower))| {
                inside >= min_count
                    && inside as f64 >= share * total as f64
                    && (lower > 0 || common.contains(w.as_str()))
            })
            .map(|(w, _)| w.as_str())
            .collect();
        words.sort_unstable();
        words
    }
}

/// The name gates as a correction of a tagger's spans: a span is kept only inside one of the
/// gate's [`NameGate::regions`] of its sentence. The embedded taggers never look outside
/// those regions; a tagger that must read whole sentences (the transformer, whose context
/// is the sentence and its document) is filtered afterwards instead
/// (`WithPass { inner, pass: gates }`), so both answer under the same gates. A language
/// without a gate keeps every span.
#[derive(Clone, Debug, Default)]
pub struct NameGates {
    /// The gate of each language, by `Lang::slot` (`None`: no gate for that language);
    /// shared, so a tagger holding them clones cheaply.
    gates: [Option<Arc<NameGate>>; 3],
}

impl NameGates {
    /// The gate files (`<lang>.name-gate.tsv`) found in `dir`.
    pub fn load(dir: &Path) -> Result<NameGates, NameGateError> {
        let mut gates = NameGates::default();
        for lang in Lang::ALL {
            let path = dir.join(super::embedded::gate_file(lang));
            if path.exists() {
                gates.gates[lang.slot()] = Some(Arc::new(NameGate::load(&path)?));
            }
        }
        Ok(gates)
    }

    /// The gate of `lang`, if its word list was loaded.
    pub fn get(&self, lang: Lang) -> Option<&NameGate> {
        self.gates[lang.slot()].as_deref()
    }

    /// `gate` for `lang` alone.
    pub fn single(lang: Lang, gate: NameGate) -> NameGates {
        let mut gates = NameGates::default();
        gates.gates[lang.slot()] = Some(Arc::new(gate));
        gates
    }
}

impl SpanPass for NameGates {
    fn apply(&self, lang: Lang, words: &[&str], spans: &mut Vec<TokenSpan>) {
        let Some(gate) = self.get(lang) else {
            return;
        };
        if spans.is_empty() {
            return;
        }
        let regions = gate.regions(words);
        spans.retain(|s| regions.iter().any(|r| r.start <= s.start && s.end <= r.end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> NameGate {
        NameGate::new(
            ["в", "он", "однако", "мы", "полиция"],
            ["полиция", "японского"],
        )
    }

    use crate::ner::{NerError, Tagger, WithPass};

    /// Returns the same spans for every sentence, whatever its words.
    struct Fixed(Vec<TokenSpan>);
    impl Tagger for Fixed {
        fn name(&self) -> &str {
            "fixed"
        }
        fn tag(&self, _lang: Lang, words: &[&str]) -> Result<Vec<TokenSpan>, NerError> {
            Ok(self
                .0
                .iter()
                .filter(|s| s.end <= words.len())
                .cloned()
                .collect())
        }
    }

    #[test]
    fn a_gated_tagger_keeps_only_spans_inside_the_regions() {
        use crate::document::EntityType;
        let span = |start, end| TokenSpan {
            start,
            end,
            kind: EntityType::Loc,
            confidence: 0.9,
        };
        let inner = Fixed(vec![span(0, 1), span(3, 4), span(6, 8)]);
        let gated = WithPass {
            inner,
            pass: NameGates::single(Lang::Ru, gate().with_margin(Some(1))),
        };
        // One region: "Иван Петров" (6..8) with a word each side; the sentence-initial
        // common "В" opens none, so the spans 0..1 and 3..4 go.
        let words = [
            "В",
            "среду",
            "посла",
            "видели",
            "там",
            "и",
            "Иван",
            "Петров",
            ".",
        ];
        assert_eq!(gate().with_margin(Some(1)).regions(&words), vec![5..9]);
        let kept = gated.tag(Lang::Ru, &words).unwrap();
        assert_eq!(kept, vec![span(6, 8)]);
        let sentences = vec![words.to_vec(), words.to_vec()];
        for tagged in [
            gated.tag_batch(Lang::Ru, &sentences).unwrap(),
            gated.tag_document(Lang::Ru, &sentences).unwrap(),
        ] {
            assert_eq!(tagged, vec![vec![span(6, 8)], vec![span(6, 8)]]);
        }
        // A language without a gate keeps every span.
        assert_eq!(gated.tag(Lang::En, &words).unwrap().len(), 3);
    }

    #[test]
    fn sentences_with_a_capitalised_word_inside_may_name() {
        let g = gate();
        assert!(g.may_name(&["В", "Москве", "тепло", "."]));
        assert!(g.may_name(&["Путин", "заявил", "."]));
        assert!(g.may_name(&["в", "ООН", "."]));
        assert!(g.may_name(&["Однако", "iPhone", "."]));
        // A common word capitalised away from the start is a name (a newspaper "Он"?).
        assert!(g.may_name(&["и", "Он", "."]));
        // All capitals is an abbreviation, even for a common word.
        assert!(g.may_name(&["ОН", "."]));
    }

    #[test]
    fn sentence_initial_common_words_do_not() {
        let g = gate();
        assert!(!g.may_name(&["В", "пятницу", "было", "тепло", "."]));
        assert!(!g.may_name(&["—", "Однако", "он", "ушёл", "."]));
        assert!(!g.may_name(&["Он", "сказал", ":", "«", "Мы", "уйдём", "»", "."]));
        assert!(!g.may_name(&["«", "Мы", "уйдём", "»", ",", "—", "сказал", "он", "."]));
        // A quotation mark inside a clause keeps it: a capital after it is a name.
        assert!(g.may_name(&["группа", "«", "Мы", "»", "."]));
        assert!(!g.may_name(&["В", "2024", "году", "."]));
        assert!(!g.may_name(&["2024", "."]));
        assert!(!g.may_name(&[]));
        // After a comma the position is no longer initial.
        assert!(g.may_name(&["он", ",", "Мы", "."]));
    }

    #[test]
    fn lower_cased_sentences_are_tagged_whole() {
        let words = ["вчера", "путин", "прилетел", "в", "москву", "."];
        assert!(gate().may_name(&words));
        assert_eq!(gate().with_margin(Some(1)).regions(&words), vec![0..6]);
        // One capital is enough to trust the casing.
        assert!(!gate().may_name(&["В", "среду", "путин", "прилетел", "."]));
    }

    #[test]
    fn name_words_keep_the_sentence_open() {
        let g = gate();
        assert!(g.may_name(&["Полиция", "прибыла", "."]));
        assert!(g.may_name(&["Он", "видел", "японского", "посла", "."]));
        assert!(!g.may_name(&["Он", "видел", "посла", "."]));
    }

    #[test]
    fn regions_hold_each_possible_name_with_its_margin() {
        let words: Vec<&str> = "В понедельник в большом зале собрались люди , и Иван Петров из \
             далёкого города сказал очень долго и подробно о том что было раньше , а потом \
             ушёл в Кремль ."
            .split(' ')
            .collect();
        let whole = gate();
        assert_eq!(whole.regions(&words), vec![0..words.len()]);
        let g = gate().with_margin(Some(2));
        // "Иван" (9) and "Петров" (10) merge; "Кремль" (29) stands alone, clipped at the end.
        assert_eq!(g.regions(&words), vec![7..13, 27..31]);
        assert_eq!(g.with_margin(Some(0)).regions(&words), vec![9..11, 29..30]);
        let none: Vec<&str> = vec!["В", "пятницу", "было", "тепло", "."];
        assert!(gate().with_margin(Some(2)).regions(&none).is_empty());
        assert!(whole.regions(&none).is_empty());
    }

    #[test]
    fn entity_words_are_counted_from_gold_tags() {
        let mut c = EntityWordCounts::default();
        c.add_sentence(
            &["Полиция", "нашла", "японского", "посла"],
            &["B-ORG", "O", "B-LOC", "O"],
        );
        c.add_sentence(&["Полиция", "нашла", "японского"], &["B-ORG", "O", "B-LOC"]);
        c.add_sentence(&["В", "Москве", "."], &["O", "B-LOC", "O"]);
        c.add_sentence(&["В", "Москве", "."], &["O", "B-LOC", "O"]);
        let common: HashSet<&str> = ["полиция", "нашла", "в"].into_iter().collect();
        // "москве" is always capitalised and not common: it needs no name entry.
        assert_eq!(c.name_words(&common, 2, 0.5), vec!["полиция", "японского"]);
        assert_eq!(c.name_words(&common, 3, 0.5), Vec::<&str>::new());
    }

    #[test]
    fn counts_keep_frequent_lower_case_words() {
        let mut c = LowercaseCounts::default();
        for _ in 0..20 {
            c.add_sentence(&["Вчера", "он", "был", "в", "Москве", "."]);
        }
        c.add_sentence(&["И", "Он", "."]);
        c.add_sentence(&["И", "Он", "."]);
        // "Вчера" only ever starts a sentence: not counted.
        assert_eq!(c.common_words(3, 20), vec!["был", "в"]);
        assert_eq!(c.common_words(3, 10), vec!["был", "в", "он"]);
    }

    #[test]
    fn load_checks_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ru.name-gate.tsv");
        std::fs::write(
            &path,
            "# header\nmargin\t1\ncommon\tв\n\ncommon\tон\nname\tполиция\n",
        )
        .unwrap();
        let g = NameGate::load(&path).unwrap();
        assert_eq!(g.sizes(), (2, 1));
        assert_eq!(g.regions(&["а", "б", "в", "Г", "д", "е"]), vec![2..5]);
        for bad in [
            "common\tв\ncommon\tМосква\n",
            "common\tв\nв\n",
            "common\tв\nx\tв\n",
            "common\tв\nmargin\tfive\n",
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = NameGate::load(&path).unwrap_err().to_string();
            assert!(err.contains(":2:"), "{err}");
        }
    }
}
