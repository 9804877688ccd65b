//! The attribution rules over one document's tokens.

use super::quotes::{QuotePair, find_quotes};
use super::{Attribution, ByteSpan, ClaimKind, CueKind, CueLexicon, SpeakerForm};
use crate::document::{Entity, EntityType, Lang, Segmented, Token};
use crate::segment::{is_closing_quote, is_dash, is_opening_quote};
use std::ops::Range;

/// Speakers longer than this many tokens are not a speaker but a clause.
const MAX_SPEAKER_TOKENS: usize = 10;
/// A descriptor before a postposed name ("chairman of ... Ramid Namazov said") is at most this long.
const MAX_DESCRIPTOR_TOKENS: usize = 16;

/// A speaker found by a rule: its tokens and form.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Speaker {
    pub tokens: Range<usize>,
    pub form: SpeakerForm,
    pub entity: Option<EntityType>,
}

/// A claim found in one sentence before reporting chains are linked.
#[derive(Clone, Debug)]
struct Candidate {
    attribution: Attribution,
    speaker: Option<Speaker>,
    /// A report cue ("media reported"): becomes `reported_by` of the sentence's other claims.
    is_report: bool,
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
    quotes: Vec<QuotePair>,
    /// Whether each token lies strictly inside a quotation.
    inside_quote: Vec<bool>,
}

impl<'a> DocView<'a> {
    pub fn new(
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

    fn tokens(&self) -> &[Token] {
        &self.segmented.tokens
    }

    fn word(&self, i: usize) -> &str {
        self.tokens()[i].text(self.text)
    }

    fn is_word(&self, i: usize) -> bool {
        self.word(i)
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    }

    fn is_cap(&self, i: usize) -> bool {
        self.word(i)
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    }

    /// Whether token `i` opens its sentence (so its capital says nothing about a name).
    fn is_sentence_start(&self, i: usize) -> bool {
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

    fn is(&self, i: usize, kind: CueKind) -> bool {
        self.lexicon.is(&self.keys[i], kind)
    }

    fn is_comma(&self, i: usize) -> bool {
        self.word(i) == ","
    }

    fn is_quote_token(&self, i: usize) -> bool {
        let mut chars = self.word(i).chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_opening_quote(c) || is_closing_quote(c))
    }

    fn is_dash_token(&self, i: usize) -> bool {
        let mut chars = self.word(i).chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_dash(c))
    }

    fn is_sentence_final(&self, i: usize) -> bool {
        matches!(self.word(i), "." | "!" | "?" | "…" | "..." | ";")
    }

    /// A word that ends a noun phrase going left: function words of the clause and cues.
    fn is_boundary_word(&self, i: usize) -> bool {
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

    fn span(&self, tokens: Range<usize>) -> ByteSpan {
        let all = self.tokens();
        (all[tokens.start].start, all[tokens.end - 1].end)
    }

    /// Trims punctuation (except quotes that belong to the content) off both ends.
    fn trim_content(&self, mut range: Range<usize>) -> Option<Range<usize>> {
        while range.start < range.end && self.trimmable(range.start, true) {
            range.start += 1;
        }
        while range.start < range.end && self.trimmable(range.end - 1, false) {
            range.end -= 1;
        }
        (range.start < range.end && (range.start..range.end).any(|i| self.is_word(i)))
            .then_some(range)
    }

    fn trimmable(&self, i: usize, at_start: bool) -> bool {
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
            if matches!(c, '(' | ')' | '%' | '$') {
                return c == '(' && !at_start || c == ')' && at_start;
            }
        }
        true
    }

    /// Finds every attribution of the document, each with the speaker tokens it found.
    pub fn find(&self) -> Vec<(Attribution, Option<Speaker>)> {
        let mut out = Vec::new();
        for (s, sentence) in self.segmented.sentences.iter().enumerate() {
            if sentence.heading {
                // Headlines compress claims ("Azerbaijan accuses Russia of ..."): the body says
                // the same with its speaker and cue.
                continue;
            }
            let mut candidates = self.sentence_candidates(s, sentence.tokens.clone());
            link_reports(&mut candidates);
            out.extend(candidates.into_iter().map(|c| (c.attribution, c.speaker)));
        }
        out
    }

    fn sentence_candidates(&self, s: usize, range: Range<usize>) -> Vec<Candidate> {
        let mut found: Vec<Candidate> = Vec::new();
        let mut t = range.start;
        while t < range.end {
            if self.inside_quote[t] {
                t += 1;
                continue;
            }
            let Some(cue) = self.lexicon.match_at(&self.keys, t, CueKind::is_cue) else {
                t += 1;
                continue;
            };
            // A capitalised cue inside a sentence is part of a name ("United States Lines").
            if self.is_cap(t) && !self.is_sentence_start(t) {
                t += 1;
                continue;
            }
            let cue_tokens = t..(t + cue.len).min(range.end);
            let candidate = match cue.kind {
                CueKind::Speech | CueKind::Report => self.speech(
                    s,
                    &range,
                    cue_tokens.clone(),
                    cue.kind == CueKind::Report,
                    &found,
                ),
                CueKind::AccordingBefore | CueKind::ReportBefore => self.according_before(
                    s,
                    &range,
                    cue_tokens.clone(),
                    cue.kind == CueKind::ReportBefore,
                ),
                CueKind::AccordingAfter => self.according_after(s, &range, cue_tokens.clone()),
                CueKind::QuotedAs => self.quoted_as(s, &range, cue_tokens.clone()),
                _ => None,
            };
            match candidate {
                Some(c) => {
                    let cue_end = c.attribution.cue.1;
                    found.push(c);
                    // Continue after the whole cue ("quoted ... as saying").
                    t = (cue_tokens.end..range.end)
                        .find(|&i| self.tokens()[i].start >= cue_end)
                        .unwrap_or(range.end);
                }
                None => t = cue_tokens.end,
            }
        }
        if found.is_empty()
            && let Some(colon) = self.colon_quote_candidate(s, &range)
        {
            found.push(colon);
        }
        found
    }

    /// "X: «...»" — a speaker, a colon and a quotation, with no verb (Russian and Azerbaijani
    /// news and English headlines write speech this way). The cue is the colon.
    fn colon_quote_candidate(&self, s: usize, sentence: &Range<usize>) -> Option<Candidate> {
        let colon = (sentence.start..sentence.end)
            .find(|&i| self.word(i) == ":" && !self.inside_quote[i])?;
        let pair = *self.quotes.iter().find(|p| p.open == colon + 1)?;
        if !(self.is_speech_quote(&pair) || pair.close - pair.open > 3)
            || colon - sentence.start > 8
        {
            return None;
        }
        let speaker = self.noun_phrase_left(sentence.start, colon)?;
        let named = speaker.form != SpeakerForm::Phrase || speaker.entity.is_some();
        if !named
            || speaker.tokens.start != sentence.start
                && !(sentence.start..speaker.tokens.start).all(|i| self.is_word(i))
        {
            return None;
        }
        let content = self.quotation(pair);
        Some(self.candidate(
            s,
            ClaimKind::Direct,
            Some(speaker),
            colon..colon + 1,
            content,
            0.8,
            false,
        ))
    }

    /// Negation right before the cue ("has not commented", "не заявил").
    fn negated(&self, cue_start: usize, sentence_start: usize) -> bool {
        (sentence_start.max(cue_start.saturating_sub(3))..cue_start)
            .any(|i| self.is(i, CueKind::Negation))
    }

    /// "has been accused": a form of "be" before the participle, skipping adverbs. Returns
    /// the first token of the verb group ("has" in "has been accused").
    fn passive(&self, cue_start: usize, sentence_start: usize) -> Option<usize> {
        let mut j = cue_start;
        while j > sentence_start
            && self.is(j - 1, CueKind::Skip)
            && !self.is(j - 1, CueKind::Passive)
        {
            j -= 1;
        }
        if !(j > sentence_start && self.is(j - 1, CueKind::Passive)) {
            return None;
        }
        let mut first = j - 1;
        while first > sentence_start
            && (self.is(first - 1, CueKind::Skip) || self.is(first - 1, CueKind::Passive))
        {
            first -= 1;
        }
        Some(first)
    }

    /// "SUBJECT has been accused by AGENT (of ...)": the agent is the speaker, the subject and
    /// what follows the agent are the content. Without an agent there is no claim.
    fn passive_with_agent(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
        verb_group: usize,
    ) -> Option<Candidate> {
        let by = (cue.end..sentence.end.min(cue.end + 3)).find(|&i| self.is(i, CueKind::Agent))?;
        let mut end = by + 1;
        while end < sentence.end
            && end - by <= MAX_SPEAKER_TOKENS
            && self.is_word(end)
            && !self.is(end, CueKind::Preposition)
            && !self.is(end, CueKind::Relative)
        {
            end += 1;
        }
        if end == by + 1 {
            return None;
        }
        let speaker = self.phrase_speaker(&(by + 1..end));
        let subject_start = (sentence.start..verb_group)
            .rev()
            .find(|&i| self.is_comma(i))
            .map_or(sentence.start, |i| i + 1);
        let content = self.trim_content(subject_start..verb_group)?;
        Some(self.candidate(
            s,
            ClaimKind::Passive,
            Some(speaker),
            cue,
            content,
            0.75,
            false,
        ))
    }

    fn speaker_type(&self, speaker: &Speaker) -> Option<EntityType> {
        speaker.entity.or_else(|| {
            speaker
                .tokens
                .clone()
                .rev()
                .find_map(|i| self.entity_at[i])
                .map(|e| self.entities[e].kind)
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn candidate(
        &self,
        s: usize,
        kind: ClaimKind,
        speaker: Option<Speaker>,
        cue: Range<usize>,
        content: Range<usize>,
        base: f32,
        is_report: bool,
    ) -> Candidate {
        let content_words = content.clone().filter(|&i| self.is_word(i)).count();
        let mut confidence = base;
        match speaker.as_ref().map(|sp| sp.form) {
            Some(SpeakerForm::Named) => {}
            Some(SpeakerForm::Pronoun) | Some(SpeakerForm::Role) => confidence -= 0.1,
            Some(SpeakerForm::Phrase) => confidence -= 0.15,
            None => confidence -= 0.3,
        }
        if !(3..=80).contains(&content_words) {
            confidence -= 0.1;
        }
        let speaker_type = speaker.as_ref().and_then(|sp| self.speaker_type(sp));
        Candidate {
            attribution: Attribution {
                sentence: s,
                kind,
                speaker: speaker.as_ref().map(|sp| self.span(sp.tokens.clone())),
                speaker_form: speaker.as_ref().map(|sp| sp.form),
                speaker_type,
                speaker_resolved: None,
                cue: self.span(cue),
                content: self.span(content),
                reported_by: None,
                confidence: confidence.clamp(0.05, 1.0),
            },
            speaker,
            is_report,
        }
    }

    /// Direct, indirect and postposed speech around a reporting verb.
    fn speech(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
        is_report: bool,
        earlier: &[Candidate],
    ) -> Option<Candidate> {
        if self.negated(cue.start, sentence.start) {
            return None;
        }
        if let Some(aux) = self.passive(cue.start, sentence.start) {
            return self.passive_with_agent(s, sentence, cue, aux);
        }
        // "..., saying ..." hangs on another verb; "saying" alone is only part of "quoted X as
        // saying".
        if self.lang == Lang::En && self.keys[cue.start].ends_with("ing") {
            return None;
        }
        // 1. A quotation right before: “...,” X said / «...», — сказал X / "...", - deyə X bildirib.
        if let Some((pair, speaker)) = self.quote_before(sentence, &cue) {
            let content = self.quotation(pair);
            return Some(self.candidate(
                s,
                ClaimKind::Direct,
                speaker,
                cue,
                content,
                0.95,
                is_report,
            ));
        }
        let left = self.speaker_left(sentence.start, cue.start, earlier);
        // 2. A quotation right after: X said: “...”.
        if let Some(pair) = self.quote_after(sentence, &cue) {
            let content = self.quotation(pair);
            return Some(self.candidate(s, ClaimKind::Direct, left, cue, content, 0.9, is_report));
        }
        let right_is_empty = self.nothing_claimed_after(sentence, cue.end);
        // 3. Postposed: CONTENT, X said (on Monday) / CONTENT, said X / ..., — сообщил X.
        if (right_is_empty || self.is_comma_or_dash_before(cue.start, sentence.start))
            && let Some(candidate) = self.postposed(s, sentence, &cue, left.clone(), is_report)
        {
            return Some(candidate);
        }
        // 4. Preposed: X said (that) CONTENT / X bildirib ki, CONTENT.
        // Azerbaijani is verb-final: what follows the verb is content only after "ki" or as
        // a quotation.
        let az_opens_content = self.lang != Lang::Az
            || (cue.end < sentence.end
                && (self.is(cue.end, CueKind::Complementizer)
                    || self.quotes.iter().any(|p| p.open == cue.end)));
        if az_opens_content
            && let Some(speaker) = left.clone()
            && let Some(content) = self.content_right(sentence, cue.end)
        {
            let kind = self.kind_of(&content);
            return Some(self.candidate(s, kind, Some(speaker), cue, content, 0.85, is_report));
        }
        // 5. Verb-final Azerbaijani: X CONTENT bildirib.
        if self.lang == Lang::Az
            && right_is_empty
            && let Some(speaker) = self.sentence_subject(sentence, cue.start)
        {
            let mut content_start = speaker.tokens.end;
            while content_start < cue.start
                && (self.is(content_start, CueKind::Skip)
                    || self.is(content_start, CueKind::Topic)
                    || self.is_comma(content_start))
            {
                content_start += 1;
            }
            let content = self.trim_content(content_start..cue.start)?;
            let kind = self.kind_of(&content);
            return Some(self.candidate(s, kind, Some(speaker), cue, content, 0.7, is_report));
        }
        None
    }

    /// The content of a direct quotation: the marks and everything between them, as PolNeAR
    /// and PARC annotate it ("“We will win,”").
    fn quotation(&self, pair: QuotePair) -> Range<usize> {
        pair.open..pair.close + 1
    }

    /// Direct or indirect, by the quotation marks in the content.
    fn kind_of(&self, content: &Range<usize>) -> ClaimKind {
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
    fn is_speech_quote(&self, pair: &QuotePair) -> bool {
        let first_word = (pair.open + 1..pair.close).find(|&i| self.is_word(i));
        first_word.is_some_and(|i| !self.is_cap(i)) || pair.close - pair.open > 5
    }

    fn is_comma_or_dash_before(&self, i: usize, start: usize) -> bool {
        i > start && (self.is_comma(i - 1) || self.is_dash_token(i - 1))
    }

    /// After the cue only circumstances follow (time, place, the end of the sentence, or a
    /// trailing ", media reported"): the content is before.
    fn nothing_claimed_after(&self, sentence: &Range<usize>, from: usize) -> bool {
        if from >= sentence.end {
            return true;
        }
        // "заявил, что ...": a comma before a complementiser opens the content.
        if self.is_comma(from)
            && from + 1 < sentence.end
            && self.is(from + 1, CueKind::Complementizer)
        {
            return false;
        }
        self.is_sentence_final(from)
            || self.is_comma(from)
            || self.is(from, CueKind::Circumstance)
            || self.is(from, CueKind::Preposition)
            || self.is_dash_token(from)
    }

    /// The closest quotation that ends before the cue with only punctuation, a quotative
    /// particle and the speaker between them. Returns the pair and the speaker (before the cue
    /// if there are words between, else after it).
    fn quote_before(
        &self,
        sentence: &Range<usize>,
        cue: &Range<usize>,
    ) -> Option<(QuotePair, Option<Speaker>)> {
        let pair = *self
            .quotes
            .iter()
            .filter(|p| p.close < cue.start && cue.start - p.close <= MAX_SPEAKER_TOKENS + 4)
            .max_by_key(|p| p.close)?;
        // The quote must reach into this sentence or end right before it, and it must be
        // direct speech: opening its sentence (or after a colon or dash), not a name inside one
        // ("коридора «Север — Юг», сообщили ...").
        if pair.close + 1 < sentence.start {
            return None;
        }
        let opens_sentence = pair.open == 0
            || self.is_sentence_start(pair.open)
            || self.word(pair.open - 1) == ":"
            || self.is_dash_token(pair.open - 1);
        if !opens_sentence {
            return None;
        }
        let mut i = pair.close + 1;
        while i < cue.start
            && (self.is_comma(i)
                || self.is_dash_token(i)
                || self.word(i) == ":"
                || self.is(i, CueKind::QuoteParticle))
        {
            i += 1;
        }
        if i == pair.close + 1 && self.is_word(i) && self.lang != Lang::En {
            // ru/az direct speech always has a comma or dash after the quote; without one the
            // quote is a name inside the sentence ("«Газпром» сообщил").
            return None;
        }
        if i == cue.start {
            return Some((pair, self.speaker_right(sentence, cue.end)));
        }
        // Words between: the speaker, directly before the cue, perhaps after a descriptor
        // ("- deyə nazir Ceyhun Bayramov bildirib").
        let speaker = self.noun_phrase_left(i, cue.start)?;
        let descriptor_only =
            (i..speaker.tokens.start).all(|k| self.is_word(k) && !self.is_boundary_word(k));
        descriptor_only.then_some((pair, Some(speaker)))
    }

    /// A quotation that starts right after the cue (after ":" or ",", or after an addressee
    /// and a colon: "told reporters: “...”") and ends the sentence.
    fn quote_after(&self, sentence: &Range<usize>, cue: &Range<usize>) -> Option<QuotePair> {
        let mut i = cue.end;
        if let Some(colon) = (cue.end..sentence.end.min(cue.end + 5)).find(|&k| self.word(k) == ":")
            && (cue.end..colon).all(|k| self.is_word(k))
        {
            i = colon;
        }
        while i < sentence.end && matches!(self.word(i), ":" | ",") {
            i += 1;
        }
        let pair = *self.quotes.iter().find(|p| p.open == i)?;
        // A quoted name after the verb ("передает «Интерфакс»") is not a quotation.
        if !(self.is_speech_quote(&pair) || pair.close - pair.open > 3) {
            return None;
        }
        let rest_is_punct = (pair.close + 1..sentence.end).all(|k| !self.is_word(k));
        (pair.close >= sentence.end || rest_is_punct).then_some(pair)
    }

    /// The speaker before a cue: skips adverbs and auxiliaries, follows "which"/"who" to its
    /// antecedent and "and" to the subject of the first verb.
    fn speaker_left(
        &self,
        start: usize,
        cue_start: usize,
        earlier: &[Candidate],
    ) -> Option<Speaker> {
        let mut j = cue_start;
        // Adverbs, auxiliaries and (in Russian) time phrases stand between the subject and the
        // verb: "Представители партии в четверг объявили".
        while j > start
            && (self.is(j - 1, CueKind::Skip)
                || (self.lang != Lang::En
                    && (self.is(j - 1, CueKind::Circumstance)
                        || self.is(j - 1, CueKind::Preposition))))
        {
            j -= 1;
        }
        if j == start {
            return None;
        }
        let head = j - 1;
        if let Some(pair) = self
            .quotes
            .iter()
            .find(|p| p.close == head && p.open >= start && p.close - p.open <= 6)
        {
            // A quoted name ends the subject: "Представители компании «Газпром» отметили".
            let first = match self.noun_phrase_left(start, pair.open) {
                Some(np) if np.form != SpeakerForm::Pronoun => np.tokens.start,
                _ => pair.open,
            };
            return Some(Speaker {
                tokens: first..head + 1,
                form: SpeakerForm::Named,
                entity: (pair.open..head)
                    .find_map(|i| self.entity_at[i])
                    .map(|e| self.entities[e].kind),
            });
        }
        if self.is(head, CueKind::Relative) {
            // "Baku TV, which accused ...": the antecedent ends before the relative's comma.
            let mut end = head;
            if end > start && self.is_comma(end - 1) {
                end -= 1;
            }
            return self.noun_phrase_left(start, end);
        }
        if self.is_comma(head) {
            // A relative clause between subject and verb: "Адвокат Эдуард Чернин, который
            // призывал оправдать Лапшина, заявил".
            let relative = (start..head)
                .rev()
                .take_while(|&i| !self.is_comma(i))
                .last();
            if let Some(first) = relative
                && self.is(first, CueKind::Relative)
                && first > start
                && self.is_comma(first - 1)
            {
                return self.noun_phrase_left(start, first - 1);
            }
            // An appositive: "Its head, Nurlan Seitkali, said ...".
            return self
                .noun_phrase_left(start, head)
                .filter(|sp| sp.form == SpeakerForm::Named);
        }
        if self.is(head, CueKind::Conjunction) {
            // "X claimed ... and criticised ...": the first verb's speaker.
            if let Some(previous) = earlier.iter().rev().find_map(|c| c.speaker.clone()) {
                return Some(previous);
            }
            return self.nearest_name_left(start, head);
        }
        let phrase = self.noun_phrase_left(start, j)?;
        // In Russian and Azerbaijani a phrase that is no name ("в своём Telegram-канале") may
        // stand between a named subject and its verb: prefer a person or organisation earlier in
        // the same clause.
        if self.lang == Lang::En
            || phrase.entity.is_some()
            || !matches!(phrase.form, SpeakerForm::Phrase | SpeakerForm::Named)
        {
            return Some(phrase);
        }
        let clause_start = (start..phrase.tokens.start)
            .rev()
            .find(|&i| !self.is_word(i) || self.is_boundary_word(i))
            .map_or(start, |i| i + 1);
        // The nearest person, else the nearest organisation ("Генеральный директор клуба ЦСКА
        // Игорь Есмантович от лица клуба сообщил").
        let nearest = |kind: EntityType| {
            (clause_start..phrase.tokens.start).rev().find_map(|i| {
                self.entity_at[i].map(|e| &self.entities[e]).filter(|e| {
                    e.kind == kind
                        && e.tokens.start >= clause_start
                        && e.tokens.end <= phrase.tokens.start
                })
            })
        };
        let earlier = nearest(EntityType::Per).or_else(|| nearest(EntityType::Org));
        Some(match earlier {
            Some(entity) => Speaker {
                tokens: self.without_roles(entity.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(entity.kind),
            },
            None => phrase,
        })
    }

    /// The noun phrase that ends right before `end`: a pronoun, an entity, a name (a run of
    /// capitalised words after the last role noun), or a phrase up to the clause boundary.
    fn noun_phrase_left(&self, start: usize, end: usize) -> Option<Speaker> {
        if end <= start || !self.is_word(end - 1) {
            return None;
        }
        let head = end - 1;
        if self.is_boundary_word(head) {
            return None;
        }
        if let Some(entity) = self.lexicon.entity_of(&self.keys[head], CueKind::Pronoun) {
            return Some(Speaker {
                tokens: head..end,
                form: SpeakerForm::Pronoun,
                entity,
            });
        }
        if let Some(e) = self.entity_at[head] {
            let entity = &self.entities[e];
            if entity.tokens.end == end && entity.tokens.start >= start {
                return Some(Speaker {
                    tokens: self.without_roles(entity.tokens.clone()),
                    form: SpeakerForm::Named,
                    entity: Some(entity.kind),
                });
            }
        }
        // A sentence's first word is capitalised whatever it is: a function word there ("Как",
        // "However") is no name.
        let function_word_at_start =
            self.is_sentence_start(head) && self.lexicon.knows(&self.keys[head]);
        if function_word_at_start
            && self
                .lexicon
                .entity_of(&self.keys[head], CueKind::Role)
                .is_none()
        {
            return None;
        }
        if self.is_cap(head)
            && !self.is_boundary_word(head)
            && !self.is(head, CueKind::Role)
            && !function_word_at_start
        {
            let mut k = head;
            while k > start
                && self.is_word(k - 1)
                && self.is_cap(k - 1)
                && !self.is(k - 1, CueKind::Role)
                && !self.is_boundary_word(k - 1)
            {
                k -= 1;
            }
            while k < head && self.is(k, CueKind::Determiner) {
                k += 1;
            }
            return Some(Speaker {
                tokens: k..end,
                form: SpeakerForm::Named,
                entity: None,
            });
        }
        // A common noun phrase: back to punctuation, a clause word or a preposition. Russian
        // and Azerbaijani phrases are kept short: their modifiers are often a whole clause.
        let max_tokens = if self.lang == Lang::En {
            MAX_SPEAKER_TOKENS
        } else {
            4
        };
        let mut k = head;
        while k > start
            && head - k + 1 < max_tokens
            && self.is_word(k - 1)
            && !self.is_boundary_word(k - 1)
            && !(self.lang != Lang::En
                && (self.is(k - 1, CueKind::Circumstance) || self.is(k - 1, CueKind::Preposition)))
        {
            k -= 1;
        }
        while k < head
            && (self.is(k, CueKind::Circumstance)
                || self.is(k, CueKind::Skip)
                || self.is(k, CueKind::Conjunction))
        {
            k += 1;
        }
        // A name first and adverbs after it: "Анна Политковская нередко" (in English a name
        // first is an adjective: "Azerbaijani media").
        if self.lang != Lang::En
            && let Some(e) = self.entity_at[k]
            && self.entities[e].tokens.start == k
            && self.entities[e].tokens.end < end
            && matches!(self.entities[e].kind, EntityType::Per | EntityType::Org)
        {
            let entity = &self.entities[e];
            return Some(Speaker {
                tokens: self.without_roles(entity.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(entity.kind),
            });
        }
        let role = (k..end).find_map(|i| self.lexicon.entity_of(&self.keys[i], CueKind::Role));
        Some(Speaker {
            tokens: k..end,
            form: if role.is_some() {
                SpeakerForm::Role
            } else {
                SpeakerForm::Phrase
            },
            entity: role.flatten(),
        })
    }

    /// The closest name (entity or capitalised run) left of `end`, not crossing quotes.
    fn nearest_name_left(&self, start: usize, end: usize) -> Option<Speaker> {
        let mut i = end;
        while i > start {
            i -= 1;
            if !self.is_word(i) && !self.is_comma(i) {
                return None;
            }
            if self.entity_at[i].is_some()
                || (self.is_cap(i) && i > start && !self.is_boundary_word(i))
            {
                return self.noun_phrase_left(start, i + 1);
            }
        }
        None
    }

    /// The speaker right after a cue ("said Smith", "заявил министр Лавров").
    fn speaker_right(&self, sentence: &Range<usize>, from: usize) -> Option<Speaker> {
        // Time, place and addressee come first in Russian inversion: "сообщили во вторник
        // участники", "заявил журналистам министр". A short word (a preposition) takes its
        // noun with it.
        let mut from = from;
        loop {
            if from < sentence.end && self.is(from, CueKind::Preposition) {
                from += 2;
            } else if from < sentence.end && self.is(from, CueKind::Circumstance) {
                from += 1;
            } else {
                break;
            }
        }
        if from >= sentence.end {
            return None;
        }
        // Quoted names belong to the phrase: "главный тренер «Спартака» Виктор Лебедев".
        let mut end = from;
        while end < sentence.end
            && end - from < MAX_SPEAKER_TOKENS
            && (self.is_word(end) || self.is_quote_token(end))
            && !self.is_boundary_word(end)
        {
            end += 1;
        }
        while end > from && !self.is_word(end - 1) {
            end -= 1;
        }
        if end == from {
            return None;
        }
        let speaker_like = (from..end).any(|i| {
            (self.is_cap(i) && !self.is_sentence_start(i))
                || self.entity_at[i].is_some()
                || self.is(i, CueKind::Role)
                || self.is(i, CueKind::Pronoun)
        });
        // Russian and Azerbaijani put plain noun phrases after the verb at the end of a
        // sentence ("..., сообщили участники переговоров."); English inversion has a name.
        let ends_sentence = end >= sentence.end || self.is_sentence_final(end);
        if !(speaker_like || (self.lang != Lang::En && ends_sentence)) {
            return None;
        }
        // A person named in the phrase is the speaker ("министр Сергей Лавров").
        if let Some(person) = (from..end)
            .filter_map(|i| self.entity_at[i])
            .map(|e| &self.entities[e])
            .find(|e| e.kind == EntityType::Per && e.tokens.end <= end)
        {
            return Some(Speaker {
                tokens: self.without_roles(person.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(EntityType::Per),
            });
        }
        // A name after a role noun ("министр Сергей Лавров") is the speaker.
        if let Some(name) = self.noun_phrase_left(from, end)
            && name.form == SpeakerForm::Named
            && name.tokens.start > from
            && self.is(name.tokens.start - 1, CueKind::Role)
        {
            return Some(name);
        }
        // A name first ("said John Smith"): the capitalised run.
        if self.is_cap(from) {
            let mut name_end = from + 1;
            while name_end < end && self.is_cap(name_end) {
                name_end += 1;
            }
            return self.noun_phrase_left(from, name_end);
        }
        // Otherwise the phrase, head first as Russian puts it ("участники переговоров в Москве").
        let role = (from..end).find_map(|i| self.lexicon.entity_of(&self.keys[i], CueKind::Role));
        let pronoun = self.lexicon.entity_of(&self.keys[from], CueKind::Pronoun);
        let form = if pronoun.is_some() && end - from == 1 {
            SpeakerForm::Pronoun
        } else if role.is_some() {
            SpeakerForm::Role
        } else {
            SpeakerForm::Phrase
        };
        Some(Speaker {
            tokens: from..end,
            form,
            entity: pronoun.flatten().or(role.flatten()),
        })
    }

    /// CONTENT, SPEAKER CUE — or CONTENT, CUE SPEAKER.
    fn postposed(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: &Range<usize>,
        left: Option<Speaker>,
        is_report: bool,
    ) -> Option<Candidate> {
        let (speaker, comma) = if self.is_comma_or_dash_before(cue.start, sentence.start) {
            let mut k = cue.start;
            while k > sentence.start && (self.is_comma(k - 1) || self.is_dash_token(k - 1)) {
                k -= 1;
            }
            let speaker = self.speaker_right(sentence, cue.end)?;
            // Inversion ends the sentence: "..., said Smith." / "..., — заявил министр.".
            let after = speaker.tokens.end;
            if after < sentence.end && !(self.is_sentence_final(after) || self.is_comma(after)) {
                return None;
            }
            (speaker, k)
        } else {
            let speaker = left?;
            // Azerbaijani is verb-final: a lower-case phrase right before the verb is the
            // content's end ("... endirilə biləcəyini deyib"), not a speaker.
            if self.lang == Lang::Az && speaker.form == SpeakerForm::Phrase {
                return None;
            }
            // A descriptor may stand between the comma and the name: "chairman of ... Namazov".
            let mut k = speaker.tokens.start;
            while k > sentence.start
                && speaker.tokens.start - k < MAX_DESCRIPTOR_TOKENS
                && self.is_word(k - 1)
                && !self.is_boundary_word(k - 1)
            {
                k -= 1;
            }
            if k == sentence.start || !(self.is_comma(k - 1) || self.is_dash_token(k - 1)) {
                return None;
            }
            while k > sentence.start && (self.is_comma(k - 1) || self.is_dash_token(k - 1)) {
                k -= 1;
            }
            (speaker, k)
        };
        let content = self.trim_content(self.after_dateline(sentence.start, comma)..comma)?;
        if content.clone().filter(|&i| self.is_word(i)).count() < 2 {
            return None;
        }
        let kind = self.kind_of(&content);
        Some(self.candidate(
            s,
            kind,
            Some(speaker),
            cue.clone(),
            content,
            0.85,
            is_report,
        ))
    }

    /// Skips a leading dateline ("GANJA, June 27 -", "МОСКВА, 18 марта —"): an upper-case
    /// place, a comma, a few words and a dash.
    fn after_dateline(&self, start: usize, end: usize) -> usize {
        let all_caps = |i: usize| {
            let w = self.word(i);
            w.chars().count() > 1
                && w.chars().all(|c| !c.is_lowercase())
                && w.chars().any(char::is_alphabetic)
        };
        if start + 2 < end
            && all_caps(start)
            && self.is_comma(start + 1)
            && let Some(dash) = (start + 2..end.min(start + 7)).find(|&i| self.is_dash_token(i))
        {
            return dash + 1;
        }
        start
    }

    /// The content after a cue: starts at English "that" (part of the content clause, as
    /// PolNeAR and PARC annotate it) or after Russian "что" / Azerbaijani "ki" and punctuation;
    /// ends at the sentence end, at ", and/which/but ..." or before "and" + another cue.
    fn content_right(&self, sentence: &Range<usize>, from: usize) -> Option<Range<usize>> {
        let mut start = from;
        // "told a news conference that ...": the addressee before "that" is not content.
        if from > 0
            && self.is(from - 1, CueKind::Addressee)
            && let Some(that) =
                (from..sentence.end.min(from + 6)).find(|&i| self.is(i, CueKind::Complementizer))
            && (from..that).all(|i| self.is_word(i) && !self.is_boundary_word(i))
        {
            start = that;
        }
        while start < sentence.end
            && ((self.is(start, CueKind::Complementizer) && self.lang != Lang::En)
                || matches!(self.word(start), "," | ":"))
        {
            start += 1;
        }
        let mut end = start;
        while end < sentence.end {
            // ", and then spread ..." ends an English clause; in Russian and Azerbaijani a
            // comma before a conjunction is mostly inside one ("не только ..., но и ...").
            if self.is_comma(end)
                && end + 1 < sentence.end
                && (self.is(end + 1, CueKind::Relative)
                    || (self.lang == Lang::En && self.is(end + 1, CueKind::Conjunction)))
            {
                break;
            }
            if self.is(end, CueKind::Conjunction) && !self.inside_quote[end] {
                let mut next = end + 1;
                while next < sentence.end && self.is(next, CueKind::Skip) {
                    next += 1;
                }
                if next < sentence.end
                    && self
                        .lexicon
                        .match_at(&self.keys, next, |k| k == CueKind::Speech)
                        .is_some()
                {
                    break;
                }
            }
            end += 1;
        }
        self.trim_content(start..end)
    }

    /// The subject at the start of a sentence (for verb-final Azerbaijani): an entity, a
    /// name, a pronoun or a role noun phrase among the first words.
    fn sentence_subject(&self, sentence: &Range<usize>, cue_start: usize) -> Option<Speaker> {
        let first = sentence.start;
        if first >= sentence.end || !self.is_word(first) {
            return None;
        }
        // A topic particle closes the subject: "[... nümayəndəsi Klara Dümon] isə ... vurğulayıb".
        if let Some(particle) = (first..cue_start).find(|&i| self.is(i, CueKind::Topic))
            && let Some(speaker) = self.noun_phrase_left(first, particle)
        {
            return Some(speaker);
        }
        // A person or organisation among the first words: "Qazaxıstan nümayəndə heyətinin
        // rəhbəri Nurlan Seytkali ... bildirib".
        let early = (first..cue_start.min(first + 8)).find_map(|i| {
            self.entity_at[i].map(|e| &self.entities[e]).filter(|e| {
                matches!(e.kind, EntityType::Per | EntityType::Org) && e.tokens.end < cue_start
            })
        });
        if let Some(entity) = early {
            return Some(Speaker {
                tokens: self.without_roles(entity.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(entity.kind),
            });
        }
        if let Some(entity) = self.lexicon.entity_of(&self.keys[first], CueKind::Pronoun) {
            return Some(Speaker {
                tokens: first..first + 1,
                form: SpeakerForm::Pronoun,
                entity,
            });
        }
        if let Some(e) = self.entity_at[first] {
            let entity = &self.entities[e];
            return Some(Speaker {
                tokens: self.without_roles(entity.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(entity.kind),
            });
        }
        let mut end = first;
        while end < sentence.end
            && end - first < 4
            && self.is_word(end)
            && (self.is_cap(end) || self.is(end, CueKind::Role))
        {
            end += 1;
            if self.is(end - 1, CueKind::Role) {
                break;
            }
        }
        if end == first {
            return None;
        }
        let role = (first..end).find_map(|i| self.lexicon.entity_of(&self.keys[i], CueKind::Role));
        // Every sentence starts with a capital: one capitalised word alone is no name.
        let form = if role.is_some() {
            SpeakerForm::Role
        } else if end - first > 1 {
            SpeakerForm::Named
        } else {
            SpeakerForm::Phrase
        };
        Some(Speaker {
            tokens: first..end,
            form,
            entity: role.flatten(),
        })
    }

    /// "According to X, CONTENT" / "CONTENT, according to X" / "По словам X, CONTENT" /
    /// "Как сообщает ТАСС, CONTENT".
    fn according_before(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
        is_report: bool,
    ) -> Option<Candidate> {
        let mut source_end = cue.end;
        while source_end < sentence.end
            && source_end - cue.end < MAX_SPEAKER_TOKENS
            && !self.is_comma(source_end)
            && !self.is_sentence_final(source_end)
        {
            source_end += 1;
        }
        let source = self.trim_content(cue.end..source_end)?;
        let speaker = self.phrase_speaker(&source);
        let parenthetical = self.is_comma_or_dash_before(cue.start, sentence.start)
            && source_end < sentence.end
            && self.is_comma(source_end);
        let content = if parenthetical {
            // "X, как сообщает ТАСС, предложила ...": the claim is the whole sentence around the
            // parenthetical (its hull).
            self.trim_content(sentence.start..sentence.end)
        } else if source_end < sentence.end && self.is_comma(source_end) {
            // "According to X, who heads ..., CONTENT": skip the relative clause.
            let mut after = source_end + 1;
            if after < sentence.end
                && self.is(after, CueKind::Relative)
                && let Some(comma) = (after..sentence.end).find(|&i| self.is_comma(i))
            {
                after = comma + 1;
            }
            self.content_right(sentence, after)
        } else if self.is_comma_or_dash_before(cue.start, sentence.start) {
            self.trim_content(sentence.start..cue.start)
        } else {
            None
        }?;
        let kind = if is_report {
            ClaimKind::Indirect
        } else {
            ClaimKind::AccordingTo
        };
        Some(self.candidate(s, kind, Some(speaker), cue, content, 0.85, is_report))
    }

    /// "X-in sözlərinə görə, CONTENT" (the source before the phrase).
    fn according_after(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
    ) -> Option<Candidate> {
        let mut k = cue.start;
        while k > sentence.start
            && cue.start - k < MAX_SPEAKER_TOKENS
            && self.is_word(k - 1)
            && !self.is_boundary_word(k - 1)
        {
            k -= 1;
        }
        let source = self.trim_content(k..cue.start)?;
        let speaker = self.phrase_speaker(&source);
        let content = if cue.end < sentence.end && self.is_comma(cue.end) {
            self.content_right(sentence, cue.end + 1)
        } else {
            self.content_right(sentence, cue.end)
        }?;
        Some(self.candidate(
            s,
            ClaimKind::AccordingTo,
            Some(speaker),
            cue,
            content,
            0.85,
            false,
        ))
    }

    /// A speaker that is a whole phrase ("the ministry", "эксперта", "Ekspertin"), or the
    /// person named in it ("аналитика компании «Капитал-Траст» Игоря Мельникова").
    fn phrase_speaker(&self, tokens: &Range<usize>) -> Speaker {
        if let Some(person) = tokens
            .clone()
            .filter_map(|i| self.entity_at[i])
            .map(|e| &self.entities[e])
            .find(|e| {
                e.kind == EntityType::Per
                    && e.tokens.start >= tokens.start
                    && e.tokens.end <= tokens.end
            })
        {
            return Speaker {
                tokens: self.without_roles(person.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(EntityType::Per),
            };
        }
        let entity = tokens
            .clone()
            .rev()
            .find_map(|i| self.entity_at[i])
            .map(|e| self.entities[e].kind);
        let pronoun = self
            .lexicon
            .entity_of(&self.keys[tokens.start], CueKind::Pronoun);
        let role = tokens
            .clone()
            .find_map(|i| self.lexicon.entity_of(&self.keys[i], CueKind::Role));
        let form = if tokens.len() == 1 && pronoun.is_some() {
            SpeakerForm::Pronoun
        } else if entity.is_some()
            || tokens
                .clone()
                .any(|i| self.is_cap(i) && !self.is_sentence_start(i))
        {
            SpeakerForm::Named
        } else if role.is_some() {
            SpeakerForm::Role
        } else {
            SpeakerForm::Phrase
        };
        Speaker {
            tokens: tokens.clone(),
            form,
            entity: entity.or(pronoun.flatten()).or(role.flatten()),
        }
    }

    /// "“...,” AGENCY quoted X as saying" / "AGENCY quoted X as saying (that) CONTENT".
    fn quoted_as(&self, s: usize, sentence: &Range<usize>, cue: Range<usize>) -> Option<Candidate> {
        let link = (cue.end..sentence.end.min(cue.end + MAX_SPEAKER_TOKENS + 1))
            .find(|&i| self.is(i, CueKind::QuotedAsLink))?;
        let verb = link + 1;
        if verb >= sentence.end
            || self
                .lexicon
                .match_at(&self.keys, verb, |k| k == CueKind::Speech)
                .is_none()
        {
            return None;
        }
        let speaker_tokens = cue.end..link;
        if speaker_tokens.is_empty() {
            return None;
        }
        let speaker = self.noun_phrase_left(cue.end, link).map(|mut sp| {
            if sp.form != SpeakerForm::Named {
                sp.tokens = speaker_tokens.clone();
            }
            sp
        })?;
        let reporter = self.speaker_left(sentence.start, cue.start, &[]);
        let whole_cue = cue.start..verb + 1;
        // A quotation that ends right before the reporter, or the content after the verb.
        let reporter_start = reporter.as_ref().map_or(cue.start, |r| r.tokens.start);
        let quote = self.quotes.iter().find(|p| {
            p.close < reporter_start
                && (p.close + 1..reporter_start).all(|i| self.is_comma(i) || self.is_dash_token(i))
        });
        let (kind, content) = match quote {
            Some(pair) => (ClaimKind::Direct, self.quotation(*pair)),
            None => {
                let content = self.content_right(sentence, verb + 1)?;
                (self.kind_of(&content), content)
            }
        };
        let mut candidate = self.candidate(s, kind, Some(speaker), whole_cue, content, 0.95, false);
        candidate.attribution.reported_by = reporter.map(|r| self.span(r.tokens));
        Some(candidate)
    }
}

/// A report cue ("..., Azerbaijani media reported") in a sentence with another claim is that
/// claim's outlet, not a claim of its own.
fn link_reports(candidates: &mut Vec<Candidate>) {
    let has_claim = candidates.iter().any(|c| !c.is_report);
    if !has_claim {
        return;
    }
    let outlets: Vec<ByteSpan> = candidates
        .iter()
        .filter(|c| c.is_report)
        .filter_map(|c| c.attribution.speaker)
        .collect();
    candidates.retain(|c| !c.is_report);
    if let Some(&outlet) = outlets.first() {
        for c in candidates.iter_mut() {
            if c.attribution.reported_by.is_none() {
                c.attribution.reported_by = Some(outlet);
            }
        }
    }
}
