//! The attribution lexicon of one language (`models/<lang>/cues.tsv`): reporting cues and the
//! function words the patterns need (negations, pronouns, role nouns, complementisers, words
//! to skip between a speaker and its verb, clause boundaries).

use crate::document::{EntityType, Lang};
use crate::ner::features::IdHasher;
use crate::resources::{DataFile, ResourceError};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// What a lexicon entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CueKind {
    /// A reporting verb: "said", "заявил", "bildirib", "qeyd edib".
    Speech,
    /// A verb of a news outlet: "reported", "сообщает", "xəbər verir". In a sentence with
    /// another claim its subject becomes that claim's `reported_by`.
    Report,
    /// A phrase before its source: "according to X", "по словам X".
    AccordingBefore,
    /// A phrase after its source: "X-in sözlərinə görə", "X fikrincə".
    AccordingAfter,
    /// An outlet phrase before its source: "как сообщает ТАСС", "as reported by".
    ReportBefore,
    /// The verb of "AGENCY quoted X as saying".
    QuotedAs,
    /// The word that closes "quoted X as ..." ("as").
    QuotedAsLink,
    /// The Azerbaijani quotative particle "deyə" ("\"...\", - deyə X bildirib").
    QuoteParticle,
    /// A negation before a verb ("not", "не"): no claim.
    Negation,
    /// A personal pronoun that can be a speaker; the entry's type says whom it refers to.
    Pronoun,
    /// A role noun that can be a speaker ("official", "министр", "nazir").
    Role,
    /// A complementiser after the verb ("that", "что", "ki").
    Complementizer,
    /// A word that may stand between a speaker and its verb ("also", "then", "has", "также").
    Skip,
    /// A relative pronoun ("which", "who", "который") whose antecedent is the speaker.
    Relative,
    /// A coordinating conjunction ("and", "и", "və").
    Conjunction,
    /// A word after the verb that introduces a time or place, not content ("on", "yesterday").
    Circumstance,
    /// A form of "be" before a participle: "has been accused" is passive.
    Passive,
    /// An article, dropped from the start of a name ("The" in "The Kremlin").
    Determiner,
    /// A topic particle that closes the subject (Azerbaijani "isə").
    Topic,
    /// A preposition that opens a two-word circumstance after a verb ("on Monday",
    /// "после игры").
    Preposition,
    /// A verb whose addressee may stand before "that" ("told a news conference that").
    Addressee,
    /// The word that introduces the agent of a passive ("by").
    Agent,
    /// A possessive clitic token ("'s"): the name before it owns the phrase's head.
    Possessive,
    /// A generic media noun after an outlet's name ("TV", "channel"): dropped from a
    /// resolved name that already names the outlet by its web address ("Baku.tv TV").
    Media,
    /// A phrase opening a sentence that points back to the previous one as what is reported
    /// ("Об этом сообщил X": "X reported this").
    Anaphor,
    /// An auxiliary verb that belongs to its reporting verb's cue ("has said", "would
    /// tell"), unlike an adverb before the verb ("actually accused": the verb alone).
    Auxiliary,
    /// A word that labels a section or a medium before a colon ("UPDATE:", "WATCH:",
    /// "ВИДЕО:"): never a speaker.
    Label,
    /// A passive reporting verb (Azerbaijani "bildirilib", "qeyd olunub"): its source, when
    /// named, stands right before it with a [`CueKind::SourceCase`] ending ("Nazirlikdən
    /// bildirilib ki, ..."); the subject of a verb-final passive is what was said, never a
    /// speaker.
    PassiveSpeech,
    /// A case ending, written `-dən` in the lexicon, that marks the source of a passive
    /// reporting verb (the Azerbaijani ablative).
    SourceCase,
    /// A reporting verb's adverbial participle ("заявив, что ...", "добавив"): it shares
    /// the subject of its clause, the speaker of the claim before it in the sentence or the
    /// nearest name to its left.
    Gerund,
    /// A case ending that marks an addressee, never a speaker: Azerbaijani datives such as
    /// `-lərə` ("müəllimlərə bildirib") or `--ya` after a hyphen ("OneIndia-ya söyləyib").
    AddresseeCase,
    /// A case ending that marks an object clause, never a speaker: the Azerbaijani
    /// accusative participles such as `-duğunu` ("... olduğunu söylədi").
    ObjectCase,
    /// A genitive ending: a name in it owns the noun after it ("Commerzbank-ın icraçı
    /// direktoru Martin Zielke"), which is the subject, not the name.
    GenitiveCase,
    /// A possessive ending: the noun a genitive name owns carries it ("Paşinyanın həyat
    /// yoldaşı", "Raul Kastronun nəvəsi"), so the owned subject ends at that word.
    PossessiveCase,
    /// A locative ending ("Nəticədə", "Bakıda"): a word in it is a circumstance, not a
    /// subject set off by a comma.
    LocativeCase,
    /// An Azerbaijani postposition ("ilə", "üçün", "haqqında"): the name before it is its
    /// object, not a subject.
    Postposition,
    /// A comitative ending ("Trampla", "İranla"): a later name in it is not part of the
    /// subject before it.
    ComitativeCase,
    /// An ending that looks like a possessive one but is not: an accusative after a vowel
    /// ("ölkəni", an object) or an adjective ("mərkəzli", "based in").
    NotPossessive,
    /// A preposition right after a reporting verb that opens its object, not what was said
    /// ("отвечает за безопасность"): no claim follows.
    ObjectPreposition,
    /// A phrase after an outlet that names the outlet's own source ("..., передает РИА
    /// Новости со ссылкой на министра"): the source is the speaker, the outlet reports it.
    Citing,
    /// An outlet's verb of quoting after a quotation, followed by the outlet and the person
    /// quoted in either order ("«...», — цитирует «Интерфакс» представителя Минздрава X" /
    /// "— цитирует X «Портал Дагестана»"): the person is the speaker, the outlet reports.
    Quoting,
    /// A word after which a cue's form is a noun or an infinitive, not a reporting verb
    /// ("the claims", "his claims", "those reports", "to tell"): no claim there.
    NounMarker,
    /// Words that open a content before its verb and are not part of it ("О том, что X,
    /// заявил Y": X was said).
    ContentOpener,
    /// The ending of a name's base form that an inflected form replaces (Russian `-а` in
    /// "Малявина", `-ь` in "Игорь"): see [`CueKind::NameObliqueEnding`].
    NameBaseEnding,
    /// An ending that replaces a [`CueKind::NameBaseEnding`] in an inflected name (`-ой` in
    /// "Малявиной", `-я` in "Игоря"): such a name resolves to the base form the document
    /// also writes.
    NameObliqueEnding,
    /// A word that makes a role mention someone the text does not name ("источник",
    /// "sources", "another", "a"): it resolves only to a person introduced with the same
    /// role noun, never to the nearest name.
    Anonymous,
    /// A preposition after a reporting verb that opens what was said ("объявил о
    /// мобилизации"): the phrase it opens is never the speaker.
    ContentPreposition,
    /// The ending of an (adverbial) participle that opens a clause set off by commas right
    /// after the subject ("Арафат, выступая в Газе, объявил", "Smith, speaking in Gaza,
    /// said"): the speaker stands before the clause.
    ParticipleEnding,
    /// A plural noun's ending ("sources", "источники", "mənbələr"): a pronoun points to an
    /// unnamed speaker of its own number ("he" not to "trade sources", "they" not to "a
    /// spokesman").
    PluralEnding,
    /// A word that is plural whatever its ending ("they", "police", "biz"): with
    /// [`CueKind::PluralEnding`], what makes a speaker mention stand for more than one.
    Plural,
    /// A plural verb's ending (Russian "-ли": "заявили"): a Russian noun with a plural
    /// ending (also a singular's genitive: "пресс-службы") is plural only as its subject.
    PluralVerbEnding,
    /// A word that marks someone else than the one named before ("another official",
    /// "другой представитель", "digər"): a role mention with it is not an earlier unnamed
    /// speaker.
    OtherReferent,
}

impl CueKind {
    fn parse(name: &str) -> Option<CueKind> {
        Some(match name {
            "speech" => CueKind::Speech,
            "report" => CueKind::Report,
            "according_before" => CueKind::AccordingBefore,
            "according_after" => CueKind::AccordingAfter,
            "report_before" => CueKind::ReportBefore,
            "quoted_as" => CueKind::QuotedAs,
            "quoted_as_link" => CueKind::QuotedAsLink,
            "quote_particle" => CueKind::QuoteParticle,
            "negation" => CueKind::Negation,
            "pronoun" => CueKind::Pronoun,
            "role" => CueKind::Role,
            "complementizer" => CueKind::Complementizer,
            "skip" => CueKind::Skip,
            "relative" => CueKind::Relative,
            "conjunction" => CueKind::Conjunction,
            "circumstance" => CueKind::Circumstance,
            "passive" => CueKind::Passive,
            "determiner" => CueKind::Determiner,
            "topic" => CueKind::Topic,
            "preposition" => CueKind::Preposition,
            "addressee" => CueKind::Addressee,
            "agent" => CueKind::Agent,
            "possessive" => CueKind::Possessive,
            "media" => CueKind::Media,
            "auxiliary" => CueKind::Auxiliary,
            "anaphor" => CueKind::Anaphor,
            "label" => CueKind::Label,
            "passive_speech" => CueKind::PassiveSpeech,
            "source_case" => CueKind::SourceCase,
            "addressee_case" => CueKind::AddresseeCase,
            "object_case" => CueKind::ObjectCase,
            "genitive_case" => CueKind::GenitiveCase,
            "possessive_case" => CueKind::PossessiveCase,
            "not_possessive" => CueKind::NotPossessive,
            "locative_case" => CueKind::LocativeCase,
            "comitative_case" => CueKind::ComitativeCase,
            "postposition" => CueKind::Postposition,
            "gerund" => CueKind::Gerund,
            "object_preposition" => CueKind::ObjectPreposition,
            "citing" => CueKind::Citing,
            "quoting" => CueKind::Quoting,
            "noun_marker" => CueKind::NounMarker,
            "content_opener" => CueKind::ContentOpener,
            "name_base_ending" => CueKind::NameBaseEnding,
            "name_oblique_ending" => CueKind::NameObliqueEnding,
            "anonymous" => CueKind::Anonymous,
            "content_preposition" => CueKind::ContentPreposition,
            "participle_ending" => CueKind::ParticipleEnding,
            "plural_ending" => CueKind::PluralEnding,
            "plural" => CueKind::Plural,
            "plural_verb_ending" => CueKind::PluralVerbEnding,
            "other_referent" => CueKind::OtherReferent,
            _ => return None,
        })
    }

    /// Whether the entry opens a claim.
    pub fn is_cue(self) -> bool {
        matches!(
            self,
            CueKind::Speech
                | CueKind::Report
                | CueKind::PassiveSpeech
                | CueKind::Gerund
                | CueKind::AccordingBefore
                | CueKind::AccordingAfter
                | CueKind::ReportBefore
                | CueKind::QuotedAs
                | CueKind::Quoting
        )
    }
}

/// One entry: its words after the first (for phrases), kind and entity type.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    rest: Vec<String>,
    kind: CueKind,
    entity: Option<EntityType>,
}

/// A lexicon match: how many tokens it covers, its kind and entity type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CueMatch {
    /// Number of tokens matched.
    pub len: usize,
    /// The entry's kind.
    pub kind: CueKind,
    /// The entity type of a pronoun or role noun.
    pub entity: Option<EntityType>,
}

/// A language's attribution lexicon, keyed by the [`Lang::match_key`] of each entry's first
/// word. Phrases match longest first.
#[derive(Clone, Debug, Default)]
pub struct CueLexicon {
    /// Keyed with a cheap hasher: the lexicon is probed for every token.
    by_first: HashMap<String, Vec<Entry>, BuildHasherDefault<IdHasher>>,
    /// Word endings (forms written with a leading hyphen) and their kinds.
    endings: Vec<(String, CueKind)>,
}

impl CueLexicon {
    /// Reads rows `form<TAB>kind[<TAB>entity type]`; a form of several words is a phrase.
    pub fn parse(file: &DataFile, lang: Lang) -> Result<CueLexicon, ResourceError> {
        let mut lexicon = CueLexicon::default();
        for row in file.rows(2)? {
            let (line, fields) = row?;
            let kind = CueKind::parse(fields[1])
                .ok_or_else(|| file.error(line, format!("unknown kind {:?}", fields[1])))?;
            let entity =
                match fields.get(2).copied().filter(|f| !f.is_empty()) {
                    Some(label) => Some(EntityType::parse(label).ok_or_else(|| {
                        file.error(line, format!("unknown entity type {label:?}"))
                    })?),
                    None => None,
                };
            if let Some(ending) = fields[0].strip_prefix('-') {
                if ending.is_empty() || ending.contains(char::is_whitespace) {
                    return Err(file.error(line, "an ending is one word after the hyphen"));
                }
                lexicon.endings.push((lang.match_key(ending), kind));
                continue;
            }
            let mut words = fields[0].split_whitespace().map(|w| lang.match_key(w));
            let Some(first) = words.next() else {
                return Err(file.error(line, "empty form"));
            };
            let entry = Entry {
                rest: words.collect(),
                kind,
                entity,
            };
            let entries = lexicon.by_first.entry(first).or_default();
            entries.push(entry);
            // Longest phrases first, so the first match is the longest.
            entries.sort_by_key(|e| std::cmp::Reverse(e.rest.len()));
        }
        Ok(lexicon)
    }

    /// The longest entry that starts at `keys[at]`, optionally only of the kinds `want` accepts.
    pub fn match_at(
        &self,
        keys: &[String],
        at: usize,
        want: impl Fn(CueKind) -> bool,
    ) -> Option<CueMatch> {
        let entries = self.by_first.get(keys.get(at)?)?;
        entries.iter().find_map(|entry| {
            let fits = want(entry.kind)
                && entry
                    .rest
                    .iter()
                    .enumerate()
                    .all(|(k, word)| keys.get(at + 1 + k).is_some_and(|key| key == word));
            fits.then_some(CueMatch {
                len: 1 + entry.rest.len(),
                kind: entry.kind,
                entity: entry.entity,
            })
        })
    }

    /// Whether the single word `key` has an entry of kind `kind`.
    pub fn is(&self, key: &str, kind: CueKind) -> bool {
        self.by_first
            .get(key)
            .is_some_and(|entries| entries.iter().any(|e| e.kind == kind && e.rest.is_empty()))
    }

    /// Whether the word `key` ends with an ending of kind `kind` (and is longer than it).
    pub fn has_ending(&self, key: &str, kind: CueKind) -> bool {
        self.endings
            .iter()
            .any(|(ending, k)| *k == kind && key.len() > ending.len() && key.ends_with(ending))
    }

    /// Whether `ending` is itself an ending of kind `kind`.
    pub fn is_ending(&self, ending: &str, kind: CueKind) -> bool {
        self.endings.iter().any(|(e, k)| *k == kind && e == ending)
    }

    /// Whether `key` starts any entry (a cue, a phrase or a function word).
    pub fn knows(&self, key: &str) -> bool {
        self.by_first.contains_key(key)
    }

    /// The entity type of a one-word pronoun or role noun.
    pub fn entity_of(&self, key: &str, kind: CueKind) -> Option<Option<EntityType>> {
        self.by_first
            .get(key)?
            .iter()
            .find(|e| e.kind == kind && e.rest.is_empty())
            .map(|e| e.entity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_longest_first() {
        let file = DataFile::from_text(
            "cues.tsv",
            "form\tkind\ttype\nqeyd edib\tspeech\nqeyd\tskip\nhe\tpronoun\tPER\n# comment\nsaid\tspeech\n",
        );
        let lexicon = CueLexicon::parse(&file, Lang::Az).unwrap();
        let keys: Vec<String> = ["nazir", "qeyd", "edib"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let found = lexicon.match_at(&keys, 1, CueKind::is_cue).unwrap();
        assert_eq!((found.len, found.kind), (2, CueKind::Speech));
        assert_eq!(
            lexicon.entity_of("he", CueKind::Pronoun),
            Some(Some(EntityType::Per))
        );
        assert!(lexicon.match_at(&keys, 0, |_| true).is_none());
    }

    #[test]
    fn endings_match_the_end_of_longer_words() {
        let file = DataFile::from_text(
            "cues.tsv",
            "form\tkind\n-dən\tsource_case\nbildirilib\tpassive_speech\n",
        );
        let lexicon = CueLexicon::parse(&file, Lang::Az).unwrap();
        assert!(lexicon.has_ending("nazirlikdən", CueKind::SourceCase));
        assert!(!lexicon.has_ending("dən", CueKind::SourceCase));
        assert!(!lexicon.has_ending("nazirlik", CueKind::SourceCase));
        assert!(!lexicon.has_ending("nazirlikdən", CueKind::Speech));
        let keys = vec!["bildirilib".to_string()];
        let found = lexicon.match_at(&keys, 0, CueKind::is_cue).unwrap();
        assert_eq!(found.kind, CueKind::PassiveSpeech);
        let bad = DataFile::from_text("cues.tsv", "form\tkind\n-\tsource_case\n");
        let err = CueLexicon::parse(&bad, Lang::Az).unwrap_err().to_string();
        assert!(err.contains("cues.tsv:2"), "{err}");
    }

    #[test]
    fn unknown_kinds_name_the_line() {
        let file = DataFile::from_text("cues.tsv", "form\tkind\nsaid\tverb\n");
        let err = CueLexicon::parse(&file, Lang::En).unwrap_err().to_string();
        assert!(err.contains("cues.tsv:2"), "{err}");
    }
}
