//! One document as the attribution rules see it: tokens with their lexicon keys, entities,
//! quotation pairs, and the span helpers every rule uses.

use super::quotes::{QuotePair, find_quotes};
use super::{ByteSpan, ClaimKind, CueKind, CueLexicon, SpeakerForm};
use crate::document::{Entity, EntityType, Lang, Segmented, Token};
use crate::segment::{is_closing_quote, is_dash, is_opening_quote};
use std::ops::Range;

/// Speakers longer than this many tokens are not a speaker but a clause.
pub(super) const MAX_SPEAKER_TOKENS: usize = 10;

/// A speaker found by a rule: its tokens and form.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Speaker {
    pub tokens: Range<usize>,
    pub form: SpeakerForm,
    pub entity: Option<EntityType>,
}

/// The bracket pairs around tickers, abbreviations and asides: "(NRC)", "<BOAL.S>".
const BRACKETS: [(&str, &str); 2] = [("(", ")"), ("<", ">")];

/// The opening bracket of a closing one (`)` → `(`, `>` → `<`).
pub(super) fn opener_of(closer: &str) -> Option<&'static str> {
    BRACKETS.iter().find(|(_, c)| *c == closer).map(|(o, _)| *o)
}

/// The closing bracket of an opening one (`(` → `)`, `<` → `>`).
pub(super) fn closer_of(opener: &str) -> Option<&'static str> {
    BRACKETS.iter().find(|(o, _)| *o == opener).map(|(_, c)| *c)
}

/// Whether a word is a web address ("Baku.tv", "weather.com"): a name, a dot and letters
/// (not "U.S.", "11.8").
pub(super) fn is_web_address(word: &str) -> bool {
    let mut parts = word.split('.');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !first.is_empty()
        && !rest.is_empty()
        && rest
            .iter()
            .all(|p| p.len() >= 2 && p.chars().all(char::is_alphabetic))
}

/// One document as the rules see it.
pub(super) struct DocView<'a> {
    pub text: &'a str,
    pub lang: Lang,
    pub segmented: &'a Segmented,
    pub entities: &'a [Entity],
    pub lexicon: &'a CueLexicon,
    /// [`Lang::match_key`] of every token.
    pub keys: Vec<String>,
    /// The entity that covers each token.
    pub entity_at: Vec<Option<usize>>,
    pub quotes: Vec<QuotePair>,
    /// Whether each token lies strictly inside a quotation.
    pub inside_quote: Vec<bool>,
}

impl<'a> DocView<'a> {
    pub(super) fn new(
        text: &'a str,
        lang: Lang,
        segmented: &'a Segmented,
        entities: &'a [Entity],
        lexicon: &'a CueLexicon,
    ) -> DocView<'a> {
        let tokens = &segmented.tokens;
        let keys = tokens
            .iter()
            .map(|t| lang.match_key(t.text(text)))
            .collect();
        let mut entity_at = vec![None; tokens.len()];
        for (e, entity) in entities.iter().enumerate() {
            for slot in &mut entity_at[entity.tokens.clone()] {
                *slot = Some(e);
            }
        }
        let quotes = find_quotes(text, tokens);
        let mut inside_quote = vec![false; tokens.len()];
        for pair in &quotes {
            for flag in &mut inside_quote[pair.open + 1..pair.close] {
                *flag = true;
            }
        }
        DocView {
            text,
            lang,
            segmented,
            entities,
            lexicon,
            keys,
            entity_at,
            quotes,
            inside_quote,
        }
    }

    pub(super) fn tokens(&self) -> &[Token] {
        &self.segmented.tokens
    }

    pub(super) fn word(&self, i: usize) -> &str {
        self.tokens()[i].text(self.text)
    }

    /// Whether token `i` is a word: it starts with a letter or digit, or it is a clitic that
    /// the tokeniser split off a word ("'s" in "parliament's commission").
    pub(super) fn is_word(&self, i: usize) -> bool {
        self.word(i)
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
            || self.is(i, CueKind::Possessive)
    }

    pub(super) fn is_cap(&self, i: usize) -> bool {
        self.word(i)
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    }

    /// Whether token `i` opens its sentence (so its capital says nothing about a name).
    pub(super) fn is_sentence_start(&self, i: usize) -> bool {
        i == 0
            || self.segmented.sentences.iter().any(|s| s.tokens.start == i)
            || (i > 0
                && !self.is_word(i - 1)
                && self
                    .segmented
                    .sentences
                    .iter()
                    .any(|s| s.tokens.start == i - 1))
    }

    pub(super) fn is(&self, i: usize, kind: CueKind) -> bool {
        self.lexicon.is(&self.keys[i], kind)
    }

    /// Whether a match key is a person's title (a role noun of type PER: "министр",
    /// "spokesman"), not an organisation's ("компании").
    pub(super) fn is_person_title(&self, key: &str) -> bool {
        self.lexicon.entity_of(key, CueKind::Role) == Some(Some(EntityType::Per))
    }

    /// The nearest token before `t` that is no determiner, not below `floor`: where the
    /// preposition of "The head of the International Monetary Fund" stands. None at the
    /// document's start.
    pub(super) fn before_determiners(&self, t: usize, floor: usize) -> Option<usize> {
        let mut k = t.checked_sub(1)?;
        while k > floor && self.is(k, CueKind::Determiner) {
            k -= 1;
        }
        Some(k)
    }

    pub(super) fn is_comma(&self, i: usize) -> bool {
        self.word(i) == ","
    }

    pub(super) fn is_quote_token(&self, i: usize) -> bool {
        let mut chars = self.word(i).chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_opening_quote(c) || is_closing_quote(c))
    }

    pub(super) fn is_dash_token(&self, i: usize) -> bool {
        let mut chars = self.word(i).chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_dash(c))
    }

    /// Whether token `i` ends with an ending of any of `kinds` (Azerbaijani cases).
    pub(super) fn ends_in_any(&self, i: usize, kinds: &[CueKind]) -> bool {
        kinds
            .iter()
            .any(|&kind| self.lexicon.has_ending(&self.keys[i], kind))
    }

    /// Whether token `i` is in a possessive case ("yoldaşı", "qüvvələri"), not a form that
    /// only looks like one (`not_possessive`: "ölkəni", "mərkəzli").
    pub(super) fn is_possessive(&self, i: usize) -> bool {
        self.ends_in_any(i, &[CueKind::PossessiveCase])
            && !self.ends_in_any(i, &[CueKind::NotPossessive])
    }

    /// Whether token `i` is in a headline (a sentence without final punctuation).
    pub(super) fn in_headline(&self, i: usize) -> bool {
        let sentences = &self.segmented.sentences;
        let k = sentences.partition_point(|s| s.tokens.end <= i);
        sentences
            .get(k)
            .is_some_and(|s| s.tokens.contains(&i) && s.heading)
    }

    /// Whether token `i` is a preposition among the circumstance words ("в", "на", "во":
    /// two letters at most), which takes a noun after it, unlike "сегодня" or "журналистам".
    pub(super) fn is_circumstance_preposition(&self, i: usize) -> bool {
        self.is(i, CueKind::Circumstance) && self.word(i).chars().count() <= 2
    }

    pub(super) fn is_sentence_final(&self, i: usize) -> bool {
        matches!(self.word(i), "." | "!" | "?" | "…" | "..." | ";")
    }

    /// A word that ends a noun phrase going left: function words of the clause and cues.
    pub(super) fn is_boundary_word(&self, i: usize) -> bool {
        [
            CueKind::Complementizer,
            CueKind::Relative,
            CueKind::Conjunction,
            CueKind::Negation,
            CueKind::Passive,
        ]
        .iter()
        .any(|&k| self.is(i, k))
            || self
                .lexicon
                .match_at(&self.keys, i, CueKind::is_cue)
                .is_some()
    }

    /// An entity without the role nouns the tagger took into it ("Nazir Ceyhun Bayramov" →
    /// "Ceyhun Bayramov"): the speaker is the name.
    pub(super) fn without_roles(&self, mut tokens: Range<usize>) -> Range<usize> {
        while tokens.len() > 1
            && (self.is(tokens.start, CueKind::Role) || self.is(tokens.start, CueKind::Determiner))
        {
            tokens.start += 1;
        }
        tokens
    }

    /// The person entities lying wholly within `tokens`, in text order (one entity comes
    /// once per token it covers).
    pub(super) fn persons_within(
        &self,
        tokens: Range<usize>,
    ) -> impl DoubleEndedIterator<Item = &Entity> + '_ {
        let (start, end) = (tokens.start, tokens.end);
        tokens
            .filter_map(|i| self.entity_at[i])
            .map(|e| &self.entities[e])
            .filter(move |e| {
                e.kind == EntityType::Per && e.tokens.start >= start && e.tokens.end <= end
            })
    }

    /// The tokens of a byte span (those that start inside it).
    pub(super) fn token_range(&self, (start, end): ByteSpan) -> Range<usize> {
        let tokens = self.tokens();
        let first = tokens.partition_point(|t| t.start < start);
        let last = tokens.partition_point(|t| t.start < end);
        first..last
    }

    pub(super) fn span(&self, tokens: Range<usize>) -> ByteSpan {
        let all = self.tokens();
        (all[tokens.start].start, all[tokens.end - 1].end)
    }

    /// Trims punctuation (except quotes that belong to the content) off both ends.
    pub(super) fn trim_content(&self, mut range: Range<usize>) -> Option<Range<usize>> {
        while range.start < range.end && self.trimmable(range.start, true) {
            range.start += 1;
        }
        while range.start < range.end && self.trimmable(range.end - 1, false) {
            range.end -= 1;
        }
        (range.start < range.end && (range.start..range.end).any(|i| self.is_word(i)))
            .then_some(range)
    }

    pub(super) fn trimmable(&self, i: usize, at_start: bool) -> bool {
        if self.is_word(i) {
            return false;
        }
        let w = self.word(i);
        let mut chars = w.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            // A quote stays when its partner is inside the content.
            if is_opening_quote(c) && at_start && self.quotes.iter().any(|p| p.open == i) {
                return false;
            }
            if is_closing_quote(c) && !at_start && self.quotes.iter().any(|p| p.close == i) {
                return false;
            }
            // Brackets stay where they can close or open what the content holds
            // ("Waste Management Inc <WNX>", "(ASCS)").
            if matches!(c, '(' | ')' | '<' | '>' | '%' | '$') {
                return matches!(c, '(' | '<') && !at_start || matches!(c, ')' | '>') && at_start;
            }
        }
        true
    }

    /// The content of a direct quotation: the marks and everything between them, as PolNeAR
    /// and PARC annotate it ("“We will win,”").
    pub(super) fn quotation(&self, pair: QuotePair) -> Range<usize> {
        pair.open..pair.close + 1
    }

    /// Direct or indirect, by the quotation marks in the content.
    pub(super) fn kind_of(&self, content: &Range<usize>) -> ClaimKind {
        let whole_quote = self
            .quotes
            .iter()
            .any(|p| p.open == content.start && p.close + 1 == content.end);
        if whole_quote {
            ClaimKind::Direct
        } else if self
            .quotes
            .iter()
            .any(|p| content.contains(&p.open) && p.close < content.end && self.is_speech_quote(p))
        {
            ClaimKind::Mixed
        } else {
            ClaimKind::Indirect
        }
    }

    /// Whether a quotation inside content quotes words rather than a name: it starts with a
    /// lower-case word («полностью под контролем») or is long; «Север — Юг» is a name.
    pub(super) fn is_speech_quote(&self, pair: &QuotePair) -> bool {
        let first_word = (pair.open + 1..pair.close).find(|&i| self.is_word(i));
        first_word.is_some_and(|i| !self.is_cap(i)) || pair.close - pair.open > 5
    }

    pub(super) fn is_comma_or_dash_before(&self, i: usize, start: usize) -> bool {
        i > start && (self.is_comma(i - 1) || self.is_dash_token(i - 1))
    }
}
