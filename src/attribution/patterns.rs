//! The attribution rules over one document's tokens: direct and indirect speech around a
//! cue, postposed and verb-final speakers, "according to" phrases, "quoted X as saying",
//! passives with their agent, and reporting chains.

pub(super) use super::doc_view::{DocView, Speaker};
use super::doc_view::{MAX_SPEAKER_TOKENS, is_web_address};
use super::quotes::QuotePair;
use super::{Attribution, ByteSpan, ClaimKind, CueKind, SpeakerForm};
use crate::document::EntityType;
use crate::document::Lang;
use std::ops::Range;

/// A descriptor before a postposed name ("chairman of ... Ramid Namazov said") is at most this long.
const MAX_DESCRIPTOR_TOKENS: usize = 16;

/// A claim found in one sentence before reporting chains are linked.
#[derive(Clone, Debug)]
pub(super) struct Candidate {
    pub attribution: Attribution,
    pub speaker: Option<Speaker>,
    /// A report cue ("media reported"): becomes `reported_by` of the sentence's other claims.
    pub is_report: bool,
}

impl DocView<'_> {
    /// Finds every attribution of the document, each with the speaker tokens it found.
    pub(super) fn find(&self) -> Vec<(Attribution, Option<Speaker>)> {
        let mut out: Vec<(Attribution, Option<Speaker>)> = Vec::new();
        // Where the previous sentence's claims are in `out`.
        let mut previous = 0..0;
        for (s, sentence) in self.segmented.sentences.iter().enumerate() {
            let labelled = self.label_candidates(s);
            if sentence.heading && self.lang == Lang::En {
                // English headlines compress claims ("Azerbaijan accuses Russia of ..."): the
                // body says the same with its speaker and cue. "Speaker: statement" is the
                // exception, which the labeller finds. Azerbaijani and Russian headlines keep
                // the verb and its subject ("Tramp ... olduğunu bildirib", "Лавров заявил о
                // ..."), and news feeds list them without a body, so the rules read them.
                out.extend(labelled.into_iter().map(|c| (c.attribution, c.speaker)));
                previous = out.len()..out.len();
                continue;
            }
            let mut candidates = self.sentence_candidates(s, sentence.tokens.clone());
            if !labelled.is_empty() {
                // A transcript turn's colon is not also "X: «...»".
                candidates.retain(|c| {
                    labelled
                        .iter()
                        .all(|l| l.attribution.cue != c.attribution.cue)
                });
                candidates.extend(labelled);
                candidates.sort_by_key(|c| c.attribution.cue.0);
            }
            // An outlet's verb whose content only points back reports nothing by itself.
            if candidates.iter().all(|c| c.is_report) {
                candidates.retain(|c| {
                    let content = self.token_range(c.attribution.content);
                    !self.starts_with_anaphor(&content)
                });
            }
            link_reports(&mut candidates, self.text, |sp| self.is_outlet(sp));
            // "Об этом сообщает ТАСС." after a sentence with claims: the outlet reported them,
            // it does not claim anything itself.
            let start = self.tokens()[sentence.tokens.start].start;
            candidates.retain(|c| {
                let reports_back = c.is_report && c.attribution.content.1 <= start;
                if !reports_back || previous.is_empty() {
                    return true;
                }
                for (a, _) in &mut out[previous.clone()] {
                    if a.reported_by.is_none() {
                        a.reported_by = c.attribution.speaker;
                    }
                }
                false
            });
            let first = out.len();
            out.extend(candidates.into_iter().map(|c| (c.attribution, c.speaker)));
            previous = first..out.len();
        }
        out
    }

    /// Whether the subject of an outlet's verb is an outlet: a name that is not a person's
    /// or a place's ("ТАСС", "New York Times", "Report"), a phrase with an outlet's noun
    /// ("The paper", "local press", "агентство"; lexicon kind `media`) or a web address
    /// ("weather.com"). Not "The company reported a loss", "its previously reported
    /// refinancing", "private U.S. exporters".
    fn is_outlet(&self, speaker: &Speaker) -> bool {
        let tokens = speaker.tokens.clone();
        let media = tokens
            .clone()
            .any(|t| self.is(t, CueKind::Media) || is_web_address(self.word(t)));
        // A quoted name ("сообщает \"Интерфакс\"") or an organisation the tagger found.
        let organisation = tokens
            .clone()
            .any(|t| self.entity_at[t].is_some_and(|e| self.entities[e].kind == EntityType::Org))
            || self.is_quote_token(tokens.start);
        let named = (speaker.form == SpeakerForm::Named || organisation)
            && !matches!(speaker.entity, Some(EntityType::Per | EntityType::Loc));
        media || named
    }

    pub(super) fn sentence_candidates(&self, s: usize, range: Range<usize>) -> Vec<Candidate> {
        let mut found: Vec<Candidate> = Vec::new();
        let mut t = range.start;
        while t < range.end {
            if self.inside_quote[t] {
                // «Мы ожидаем, — сказал министр, — что рост продолжится»: the author's words
                // inside one pair of marks.
                match self.interrupted_quote(s, t) {
                    Some(c) => {
                        let cue_end = c.attribution.cue.1;
                        found.push(c);
                        t = (t..range.end)
                            .find(|&i| self.tokens()[i].start >= cue_end)
                            .unwrap_or(range.end);
                    }
                    None => t += 1,
                }
                continue;
            }
            let Some(cue) = self.lexicon.match_at(&self.keys, t, CueKind::is_cue) else {
                t += 1;
                continue;
            };
            // A capitalised cue inside a sentence is part of a name ("United States Lines");
            // after a determiner or "to" it is a noun or an infinitive ("Republican claims" is
            // not, "those claims", "too early to tell" are).
            if (self.is_cap(t) && !self.is_sentence_start(t))
                || (t > range.start && self.is(t - 1, CueKind::NounMarker))
            {
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
                CueKind::Gerund => self.gerund(s, &range, cue_tokens.clone(), &found),
                CueKind::PassiveSpeech => {
                    self.passive_speech(s, &range, cue_tokens.clone(), &found)
                }
                CueKind::QuotedAs => self.quoted_as(s, &range, cue_tokens.clone()),
                CueKind::Quoting => self.quoting(s, &range, cue_tokens.clone()),
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
    pub(super) fn colon_quote_candidate(
        &self,
        s: usize,
        sentence: &Range<usize>,
    ) -> Option<Candidate> {
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
    pub(super) fn negated(&self, cue_start: usize, sentence_start: usize) -> bool {
        (sentence_start.max(cue_start.saturating_sub(3))..cue_start)
            .any(|i| self.is(i, CueKind::Negation))
    }

    /// "has been accused": a form of "be" before the participle, skipping adverbs. Returns
    /// the first token of the verb group ("has" in "has been accused").
    pub(super) fn passive(&self, cue_start: usize, sentence_start: usize) -> Option<usize> {
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
    pub(super) fn passive_with_agent(
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

    #[allow(clippy::too_many_arguments)]
    pub(super) fn candidate(
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
    pub(super) fn speech(
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
        // 0. "Об этом сообщил X.": the previous sentence is what X said.
        if let Some(candidate) = self.anaphoric(s, sentence, &cue, is_report) {
            return Some(candidate);
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
        // "Об этом говорится в ...": a phrase pointing back is never the speaker.
        let left = self
            .speaker_left_of_addressee(sentence.start, cue.start, earlier)
            .filter(|speaker| {
                self.lexicon
                    .match_at(&self.keys, speaker.tokens.start, |k| k == CueKind::Anaphor)
                    .is_none_or(|m| m.len != speaker.tokens.len())
            });
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
        // Azerbaijani is verb-final: what follows the verb is content only after "ki", as a
        // quotation, or after a colon ("X dedi: Nəticələr ...", speech whose quotation marks
        // the writer left out).
        let az_opens_content = self.lang != Lang::Az
            || (cue.end < sentence.end
                && (self.is(cue.end, CueKind::Complementizer)
                    || self.word(cue.end) == ":"
                    || self.quotes.iter().any(|p| p.open == cue.end)));
        if az_opens_content
            && let Some(speaker) = left.clone()
            && let Some(content) = self.content_right(sentence, cue.end)
            && !self.is(cue.end, CueKind::ObjectPreposition)
            && !self.is(speaker.tokens.start, CueKind::ObjectPreposition)
            && !self.is(sentence.start, CueKind::ObjectPreposition)
        {
            let kind = self.kind_of(&content);
            return Some(self.candidate(s, kind, Some(speaker), cue, content, 0.85, is_report));
        }
        // 5. Verb-final Azerbaijani: X CONTENT bildirib (və ...). A lone capitalised word
        // that is no name, pronoun or role noun is only the sentence's first word ("Məlumata
        // əsasən, ekspertiza ... təsdiq edib"), not a subject we can name.
        if self.lang == Lang::Az
            && (right_is_empty || self.is(cue.end, CueKind::Conjunction))
            && let Some(speaker) = self
                .sentence_subject(sentence, cue.start)
                .filter(|sp| {
                    !(sp.form == SpeakerForm::Phrase && sp.tokens.len() == 1)
                        || (self.segmented.sentences[s].heading
                            && self.bare_headline_subject(sp.tokens.start))
                })
                .or_else(|| self.comma_subject(sentence, cue.start))
                .or_else(|| self.described_person_subject(sentence, cue.start))
            && !self.in_addressee_case(&speaker)
        {
            let mut content_start = speaker.tokens.end;
            // A verb before this one closes its own claim: in "X A-nı bildirib və B-yə
            // çağırıb" the second verb's content is B.
            if let Some(previous_cue_end) = earlier
                .iter()
                .filter(|c| c.attribution.sentence == s)
                .map(|c| c.attribution.cue.1)
                .max()
            {
                while content_start < cue.start
                    && self.segmented.tokens[content_start].start < previous_cue_end
                {
                    content_start += 1;
                }
            }
            while content_start < cue.start
                && (self.is(content_start, CueKind::Skip)
                    || self.is(content_start, CueKind::Topic)
                    || self.is(content_start, CueKind::Conjunction)
                    || self.is_comma(content_start))
            {
                content_start += 1;
            }
            let content = self.trim_content(content_start..cue.start)?;
            // A headline compresses: "X nəticələri açıqlayıb" (disclosed the results), "X
            // səfiri XİN-ə çağırıb" (summoned the ambassador) name an act, not a statement.
            // There the content must be an object clause ("... olduğunu bildirib").
            if self.segmented.sentences[s].heading
                && !self.ends_in_any(content.end - 1, &[CueKind::ObjectCase])
            {
                return None;
            }
            let kind = self.kind_of(&content);
            return Some(self.candidate(s, kind, Some(speaker), cue, content, 0.7, is_report));
        }
        None
    }

    /// The pronoun at `i`, or the person or organisation the tagger found starting there.
    fn pronoun_or_name_at(&self, i: usize) -> Option<Speaker> {
        if let Some(entity) = self.lexicon.entity_of(&self.keys[i], CueKind::Pronoun) {
            return Some(Speaker {
                tokens: i..i + 1,
                form: SpeakerForm::Pronoun,
                entity,
            });
        }
        let entity = &self.entities[self.entity_at[i]?];
        (entity.tokens.start == i && matches!(entity.kind, EntityType::Per | EntityType::Org)).then(
            || Speaker {
                tokens: self.without_roles(entity.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(entity.kind),
            },
        )
    }

    /// "Polisin dəstəyi ilə ... çəkmiş 42 yaşlı Xoan Puiq ... qızışdırıldığını bildirib.": a
    /// long description (a participle phrase) before the person who speaks. The first person
    /// the tagger found within twenty words, in no oblique case, after a lower-case word and
    /// not before a postposition ("Meghan ilə"), with an object clause (words only: no comma
    /// that would close another clause) between the name and the verb.
    pub(super) fn described_person_subject(
        &self,
        sentence: &Range<usize>,
        cue_start: usize,
    ) -> Option<Speaker> {
        if cue_start == 0 || !self.ends_in_any(cue_start - 1, &[CueKind::ObjectCase]) {
            return None;
        }
        let person = (sentence.start + 1..cue_start.min(sentence.start + 20)).find_map(|i| {
            self.entity_at[i]
                .map(|e| &self.entities[e])
                .filter(|e| e.kind == EntityType::Per && e.tokens.start == i)
        })?;
        let last = person.tokens.end - 1;
        let oblique = self.ends_in_any(last, OBLIQUE_CASES)
            || self.ends_in_any(last, &[CueKind::ComitativeCase]);
        let before = person.tokens.start - 1;
        if oblique
            || person.tokens.end + 1 >= cue_start
            || !self.is_word(before)
            || self.is_cap(before)
            || !self.is_word(person.tokens.end)
            || self.is_cap(person.tokens.end)
            || self.is(person.tokens.end, CueKind::Postposition)
            || (person.tokens.end..cue_start).any(|k| !self.is_word(k))
        {
            return None;
        }
        Some(Speaker {
            tokens: self.without_roles(person.tokens.clone()),
            form: SpeakerForm::Named,
            entity: Some(EntityType::Per),
        })
    }

    /// Whether a headline's lone capitalised first word may be its subject ("Xamenei ...
    /// olduğunu açıqlayıb", "Husilər ... endirdiklərini açıqlayıblar"): a headline that
    /// claims has an object clause before its verb (checked by the caller), and its first
    /// word is then the subject unless the lexicon knows it or it is in an oblique case
    /// ("Bakıda", "Azərbaycanın", "Prezidentə").
    fn bare_headline_subject(&self, i: usize) -> bool {
        !self.lexicon.knows(&self.keys[i]) && !self.ends_in_any(i, OBLIQUE_CASES)
    }

    /// "Kreymer, ... səbəbinin olduğunu söylədi." / "Seneqal silahlı qüvvələri, ... öldüyünü
    /// söylədi.": translated Azerbaijani news sets the subject off with a comma. The words
    /// before the sentence's first comma (at most six, all words, the first capitalised, none
    /// in the lexicon but role nouns) are the subject when what follows up to the
    /// verb is an object clause (it ends in `object_case`), and they are a name (capitalised
    /// throughout), hold a person, organisation or role noun, or end in a possessive ("...
    /// qüvvələri"); the last word is in no adverbial case ("Nəticədə,"), and sentence
    /// adverbs ("Məsələn,", "Bundan sonra,") are lexicon words (`skip`), so they are none.
    pub(super) fn comma_subject(
        &self,
        sentence: &Range<usize>,
        cue_start: usize,
    ) -> Option<Speaker> {
        let start = sentence.start;
        let comma = (start + 1..cue_start.min(start + 7)).find(|&i| self.is_comma(i))?;
        let words = start..comma;
        let plain = |i: usize| {
            self.is_word(i) && (!self.lexicon.knows(&self.keys[i]) || self.is(i, CueKind::Role))
        };
        if !words.clone().all(plain)
            || !self.is_cap(start)
            || comma + 2 > cue_start
            || !self.ends_in_any(cue_start - 1, &[CueKind::ObjectCase])
            || self.ends_in_any(
                comma - 1,
                &[
                    CueKind::AddresseeCase,
                    CueKind::SourceCase,
                    CueKind::LocativeCase,
                ],
            )
        {
            return None;
        }
        let entity = words.clone().find_map(|i| {
            self.entity_at[i]
                .map(|e| &self.entities[e])
                .filter(|e| matches!(e.kind, EntityType::Per | EntityType::Org))
        });
        let named = words.clone().all(|i| self.is_cap(i));
        let role = words.clone().any(|i| self.is(i, CueKind::Role));
        let owned = self.is_possessive(comma - 1);
        if !(named || role || owned || entity.is_some()) {
            return None;
        }
        let form = if role {
            SpeakerForm::Role
        } else if named || entity.is_some() {
            SpeakerForm::Named
        } else {
            SpeakerForm::Phrase
        };
        Some(Speaker {
            tokens: words,
            form,
            entity: entity.map(|e| e.kind),
        })
    }

    /// "Об этом сообщил министр Сергей Лавров." / "Bu barədə nazir Ceyhun Bayramov bildirib.":
    /// a sentence that opens with a phrase pointing back (lexicon kind `anaphor`), with the
    /// speaker after the cue (Russian) or between the phrase and the final verb
    /// (Azerbaijani), reports the previous sentence, which is the content. A report cue ("Об этом
    /// сообщает ТАСС") then names the outlet of the previous sentence's claims, if it has any
    /// (see `find`).
    pub(super) fn anaphoric(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: &Range<usize>,
        is_report: bool,
    ) -> Option<Candidate> {
        let opening = self
            .lexicon
            .match_at(&self.keys, sentence.start, |k| k == CueKind::Anaphor)?;
        let after_opening = sentence.start + opening.len;
        let previous = self.segmented.sentences.get(s.checked_sub(1)?)?;
        if previous.heading {
            return None;
        }
        // Time words may stand between: "Об этом сегодня пишет ...", and so may a place
        // with its preposition: "Об этом в телепрограмме «Лицом к городу» заявил ...".
        let mut verb = after_opening;
        while verb < cue.start
            && (self.is(verb, CueKind::Circumstance) || self.is(verb, CueKind::Skip))
        {
            let preposition = self.lang == Lang::Ru && self.is_circumstance_preposition(verb);
            verb += 1;
            if preposition
                && verb < cue.start
                && self.is_word(verb)
                && !self.is_cap(verb)
                && !self.is(verb, CueKind::Circumstance)
            {
                verb += 1;
                if let Some(pair) = self
                    .quotes
                    .iter()
                    .find(|p| p.open == verb && p.close < cue.start)
                {
                    verb = pair.close + 1;
                }
            }
        }
        // "Об этом, передает РИА "Новости", сообщила пресс-служба": an outlet set off by
        // commas reports the claim.
        let mut outlet = None;
        if self.lang == Lang::Ru
            && verb < cue.start
            && self.is_comma(verb)
            && self.is_comma(cue.start - 1)
            && let Some(report) = self.lexicon.match_at(&self.keys, verb + 1, |k| {
                matches!(k, CueKind::Report | CueKind::ReportBefore)
            })
        {
            let name = self.speaker_right(&(verb + 1..cue.start - 1), verb + 1 + report.len)?;
            if name.tokens.end != cue.start - 1 {
                return None;
            }
            outlet = Some(self.span(name.tokens));
            verb = cue.start;
        }
        // "Об этом ИТАР-ТАСС сообщил зампредседателя избиркома X": the name before the verb
        // is whom it was told to, an outlet, when a speaker follows the verb.
        if self.lang == Lang::Ru
            && verb < cue.start
            && outlet.is_none()
            && self.addressee_end(verb, cue.start) == Some(cue.start)
            && self
                .speaker_right(sentence, cue.end)
                .is_some_and(|sp| matches!(sp.form, SpeakerForm::Named | SpeakerForm::Role))
        {
            outlet = Some(self.span(verb..cue.start));
            verb = cue.start;
        }
        let speaker = if verb == cue.start {
            // Whatever follows the speaker is circumstance ("в интервью радиостанции", "со
            // ссылкой на ...", "в среду на пресс-конференции"): the content is behind.
            self.speaker_right(sentence, cue.end)?
        } else if self.lang == Lang::Az {
            // Verb-final: "Bu barədə nazir Ceyhun Bayramov bildirib." The verb ends the
            // sentence and the speaker is all that stands between it and the phrase.
            if cue.end < sentence.end && !self.is_sentence_final(cue.end) {
                return None;
            }
            let speaker = self.speaker_left(after_opening, cue.start, &[])?;
            if speaker.tokens.start < after_opening {
                return None;
            }
            speaker
        } else {
            return None;
        };
        let content = self.trim_content(previous.tokens.clone())?;
        let kind = self.kind_of(&content);
        let mut candidate =
            self.candidate(s, kind, Some(speaker), cue.clone(), content, 0.8, is_report);
        candidate.attribution.reported_by = outlet;
        Some(candidate)
    }

    /// After the cue only circumstances follow (time, place, the end of the sentence, or a
    /// trailing ", media reported"): the content is before.
    pub(super) fn nothing_claimed_after(&self, sentence: &Range<usize>, from: usize) -> bool {
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
            || self.only_addressee_after(sentence, from)
    }

    /// Whether only whom it was told to follows a verb such as "told" (lexicon kind
    /// `addressee`) to the end of the sentence: "..., a GAO official told Reuters.", "...,
    /// Chairman Kenneth Douglas told analysts." (the content is before the speaker).
    fn only_addressee_after(&self, sentence: &Range<usize>, from: usize) -> bool {
        const MAX_ADDRESSEE_WORDS: usize = 5;
        if from == 0 || !self.is(from - 1, CueKind::Addressee) {
            return false;
        }
        let end = (from..sentence.end)
            .find(|&i| self.is_sentence_final(i))
            .unwrap_or(sentence.end);
        end > from
            && end - from <= MAX_ADDRESSEE_WORDS
            && (from..end).all(|i| {
                self.is_word(i)
                    && !self.is_boundary_word(i)
                    && !self.is(i, CueKind::Pronoun)
                    && !self.inside_quote[i]
            })
    }

    /// The closest quotation that ends before the cue with only punctuation, a quotative
    /// particle and the speaker between them. Returns the pair and the speaker (before the cue
    /// if there are words between, else after it).
    pub(super) fn quote_before(
        &self,
        sentence: &Range<usize>,
        cue: &Range<usize>,
    ) -> Option<(QuotePair, Option<Speaker>)> {
        // After the Azerbaijani quotative "deyə" the speaker may be a long description
        // ("... deyə ABŞ-da fəaliyyət göstərən ... layihəsinin icraçı direktoru Sinta Tai
        // bildirib"): the particle marks the quote as this verb's.
        let particle_follows = |p: &QuotePair| {
            (p.close + 1..cue.start)
                .find(|&i| !(self.is_comma(i) || self.is_dash_token(i)))
                .is_some_and(|i| self.is(i, CueKind::QuoteParticle))
        };
        let pair = *self
            .quotes
            .iter()
            .filter(|p| {
                p.close < cue.start
                    && (cue.start - p.close <= MAX_SPEAKER_TOKENS + 4
                        || (cue.start - p.close <= 3 * MAX_SPEAKER_TOKENS && particle_follows(p)))
            })
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
        // A quotation whose last word is followed by a comma, "?" or "!" inside the marks is
        // speech, not a name (English punctuation, kept by translated news: "“Yəni,
        // əlbəttə,” Kennedy dedi.").
        let punctuated_inside = pair.close > pair.open + 1
            && (self.is_comma(pair.close - 1) || matches!(self.word(pair.close - 1), "?" | "!"));
        // Translated Azerbaijani news also inverts right after the quote: "\"...\" dedi
        // Cannane." (the verb, then the name ending the sentence) or "\"...\" dedi." A quoted
        // name as the subject comes before its verb, not followed by another name.
        let ends_at = |k: usize| k >= sentence.end || self.is_sentence_final(k);
        let az_inverted = self.lang == Lang::Az
            && i == cue.start
            && (self
                .speaker_right(sentence, cue.end)
                .is_some_and(|sp| sp.form == SpeakerForm::Named && ends_at(sp.tokens.end))
                || (ends_at(cue.end) && pair.close - pair.open > 3));
        if i == pair.close + 1
            && self.is_word(i)
            && self.lang != Lang::En
            && !punctuated_inside
            && !(self.lang == Lang::Az && pair.close - pair.open > 5)
            && !az_inverted
        {
            // ru/az direct speech always has a comma or dash after the quote; without one the
            // quote is a name inside the sentence ("«Газпром» сообщил"). Translated
            // Azerbaijani news sometimes leaves the comma out after a quoted sentence
            // ("\"...\" Cənab Adams dedi."): five tokens or more are no name.
            return None;
        }
        if i == cue.start {
            let right = self.speaker_right(sentence, cue.end);
            // A long Russian phrase after the verb may end with the person who spoke
            // ("«...», - прокомментировал ситуацию в интервью «Российской газете» помощник
            // президента РФ Сергей Ястржембский.").
            let right = match right {
                Some(sp)
                    if self.lang == Lang::Ru
                        && !ends_at(sp.tokens.end)
                        && !self.is_comma(sp.tokens.end) =>
                {
                    self.person_ending_inversion(sentence, cue.end).or(Some(sp))
                }
                right => right,
            };
            return Some((pair, right));
        }
        // "\"...\", deyə o, ... çıxış edərkən qeyd edib" / "\"...\", o, avqustda vəd
        // vermişdi": in Azerbaijani a pronoun or a name right after the quotation, set off by
        // a comma, is the speaker; the words after it, up to the verb, are a circumstance.
        if self.lang == Lang::Az
            && let Some(speaker) = self.pronoun_or_name_at(i)
            && let after = speaker.tokens.end
            && after + 1 < cue.start
            && self.is_comma(after)
            && cue.start - after <= MAX_SPEAKER_TOKENS + 4
            && (after + 1..cue.start).all(|k| self.is_word(k))
        {
            return Some((pair, Some(speaker)));
        }
        // Words between: the speaker, directly before the cue, perhaps after a descriptor
        // ("- deyə nazir Ceyhun Bayramov bildirib"), in Azerbaijani perhaps set off by commas
        // ("–deyə, o, bildirib"; in Russian a comma there closes an apposition of a quoted
        // name: "«Амнистия», упомянутая в документе, обвинила").
        let mut end = cue.start;
        while self.lang == Lang::Az && end > i + 1 && self.is_comma(end - 1) {
            end -= 1;
        }
        let speaker = self.noun_phrase_left(i, end)?;
        let descriptor_only =
            (i..speaker.tokens.start).all(|k| self.is_word(k) && !self.is_boundary_word(k));
        descriptor_only.then_some((pair, Some(speaker)))
    }

    /// Russian and Azerbaijani direct speech interrupted by its author inside one pair of
    /// marks: «A, — сказал X, — B» / «A, — считает X. — B» / "A, - deyə o bildirib, - B" /
    /// "A, - заявил он. B" (the second part as a new sentence). The cue follows a dash after
    /// the first part's comma or final mark, the speaker follows the cue (perhaps with an
    /// apposition: "— сказал Фрэнк Уоррен, промоутер ... —"), and a dash or a final mark
    /// after it ends the author's words; the quotation goes on after them. The content is
    /// the whole quotation (its hull, as for an English quote interrupted by its speaker).
    pub(super) fn interrupted_quote(&self, s: usize, t: usize) -> Option<Candidate> {
        if self.lang == Lang::En || t < 2 || !self.is_dash_token(t - 1) {
            return None;
        }
        let before = t - 2;
        if !(self.is_comma(before) || self.is_sentence_final(before)) {
            return None;
        }
        let pair = *self
            .quotes
            .iter()
            .filter(|p| p.open < before && t < p.close)
            .max_by_key(|p| p.open)?;
        let mut t = t;
        // "— deyə o bildirib, —": the particle first, the verb last.
        let particle = self.is(t, CueKind::QuoteParticle);
        if particle {
            t += 1;
        }
        let stop =
            (t + 1..pair.close).find(|&i| self.is_dash_token(i) || self.is_sentence_final(i))?;
        if !(stop + 1..pair.close).any(|i| self.is_word(i)) {
            return None;
        }
        let mut end = stop;
        while end > t && self.is_comma(end - 1) {
            end -= 1;
        }
        let (cue, speaker) = if particle {
            let cue = self
                .lexicon
                .match_at(&self.keys, end - 1, CueKind::is_cue)?;
            if cue.kind != CueKind::Speech {
                return None;
            }
            let speaker = self.noun_phrase_left(t, end - 1)?;
            (end - 1..end, speaker)
        } else {
            let cue = self.lexicon.match_at(&self.keys, t, CueKind::is_cue)?;
            if !matches!(cue.kind, CueKind::Speech | CueKind::Report) || t + cue.len > end {
                return None;
            }
            let speaker = self.speaker_right(&(t..end), t + cue.len)?;
            (t..t + cue.len, speaker)
        };
        Some(self.quotation_candidate(s, speaker, cue, pair))
    }

    /// A direct claim whose content is a whole quotation.
    fn quotation_candidate(
        &self,
        s: usize,
        speaker: Speaker,
        cue: Range<usize>,
        pair: QuotePair,
    ) -> Candidate {
        let content = self.quotation(pair);
        self.candidate(
            s,
            ClaimKind::Direct,
            Some(speaker),
            cue,
            content,
            0.9,
            false,
        )
    }

    /// A quotation that starts right after the cue (after ":" or ",", or after an addressee
    /// and a colon: "told reporters: “...”") and ends the sentence.
    pub(super) fn quote_after(
        &self,
        sentence: &Range<usize>,
        cue: &Range<usize>,
    ) -> Option<QuotePair> {
        // Addressee, place and time may stand before the colon: "told the U.N. Security
        // Council on Thursday: “...”", "высказался в Совете Безопасности ООН в четверг: «...»".
        const MAX_WORDS_BEFORE_COLON: usize = 10;
        let mut i = cue.end;
        if let Some(colon) = (cue.end..sentence.end.min(cue.end + MAX_WORDS_BEFORE_COLON))
            .find(|&k| self.word(k) == ":")
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

    /// CONTENT, SPEAKER CUE — or CONTENT, CUE SPEAKER.
    pub(super) fn postposed(
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
            let citing_at = |i: usize| {
                self.lexicon
                    .match_at(&self.keys, i, |k| k == CueKind::Citing)
            };
            // Inversion ends the sentence ("..., said Smith." / "..., — заявил министр.",
            // perhaps with a circumstance after the name), a comma follows the speaker, or
            // the outlet names its source; else a long phrase may end with the person.
            let speaker = self
                .speaker_right(sentence, cue.end)
                .filter(|sp| {
                    let after = sp.tokens.end;
                    after >= sentence.end
                        || self.is_sentence_final(after)
                        || self.is_comma(after)
                        || self.circumstance_ends_sentence(sentence, after)
                        || citing_at(after).is_some()
                })
                .or_else(|| self.person_ending_inversion(sentence, cue.end))?;
            let after = speaker.tokens.end;
            if let Some(citing) = citing_at(after) {
                // "..., передает РИА "Новости" со ссылкой на министра X.": X said it, the
                // outlet reports it.
                let source = self.speaker_right(sentence, after + citing.len)?;
                let end = source.tokens.end;
                if end < sentence.end && !self.is_sentence_final(end) {
                    return None;
                }
                let content = self.trim_content(self.after_dateline(sentence.start, k)..k)?;
                let kind = self.kind_of(&content);
                let mut c =
                    self.candidate(s, kind, Some(source), cue.clone(), content, 0.85, false);
                c.attribution.reported_by = Some(self.span(speaker.tokens));
                return Some(c);
            }
            // "Однако, сказал Геращенко, судя по ..., этот показатель будет выше": after a
            // few opening words, the verb and its speaker set off by commas. What was said
            // goes on after them (the opening may be an adverbial or the subject: "Уровень
            // финансирования, сказал Касьянов, выходит ..."), so the claim is the whole
            // sentence, its hull, as for "X, как сообщает ТАСС, ...".
            if self.lang == Lang::Ru
                && after < sentence.end
                && self.is_comma(after)
                && (sentence.start..k).filter(|&i| self.is_word(i)).count() <= 3
                && after + 1 < sentence.end
                && !self.is_boundary_word(after + 1)
                && (after + 1..sentence.end)
                    .filter(|&i| self.is_word(i))
                    .nth(1)
                    .is_some()
            {
                let start = self.after_dateline(sentence.start, k);
                let content = self.trim_content(start..sentence.end)?;
                let kind = self.kind_of(&content);
                return Some(self.candidate(
                    s,
                    kind,
                    Some(speaker),
                    cue.clone(),
                    content,
                    0.8,
                    is_report,
                ));
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
        let mut start = self.after_dateline(sentence.start, comma);
        // "О том, что X, заявил Y": the content is X (lexicon kind `content_opener`).
        if let Some(opener) = self
            .lexicon
            .match_at(&self.keys, start, |k| k == CueKind::ContentOpener)
            && start + opener.len < comma
        {
            start += opener.len;
        }
        let content = self.trim_content(start..comma)?;
        if content.clone().filter(|&i| self.is_word(i)).count() < 2 {
            return None;
        }
        // "Об этом, передает РИА "Новости", сообщил ...": a phrase pointing back is not what
        // was said (the sentence before is, see `anaphoric`). An outlet's verb still names
        // the outlet of the sentence's claim ("Об этом заявил X, сообщает РИА "Новости"");
        // `find` drops it when there is none.
        if !is_report && self.starts_with_anaphor(&content) {
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

    /// "..., заявил в пятницу Владимир Путин в своем ежегодном послании." / "..., said Smith
    /// in a statement.": a phrase after the speaker that opens with a preposition of time,
    /// place or medium (lexicon kinds `circumstance`, `preposition`) and runs to the end of
    /// the sentence without another clause (no comma, quotation or cue) still ends the
    /// inversion.
    pub(super) fn circumstance_ends_sentence(&self, sentence: &Range<usize>, from: usize) -> bool {
        const MAX_TRAILING_TOKENS: usize = 10;
        let mut end = sentence.end;
        while end > from && self.is_sentence_final(end - 1) {
            end -= 1;
        }
        (self.is(from, CueKind::Circumstance) || self.is(from, CueKind::Preposition))
            && end - from <= MAX_TRAILING_TOKENS
            && (from..end).all(|i| {
                self.is_word(i)
                    && !self.is_boundary_word(i)
                    && !self.inside_quote[i]
                    && !self.is_quote_token(i)
            })
    }

    /// Whether a span opens with a phrase pointing back ("Об этом ...").
    pub(super) fn starts_with_anaphor(&self, tokens: &Range<usize>) -> bool {
        !tokens.is_empty()
            && self
                .lexicon
                .match_at(&self.keys, tokens.start, |k| k == CueKind::Anaphor)
                .is_some()
    }

    /// Skips a leading dateline ("GANJA, June 27 -", "МОСКВА, 18 марта —"): an upper-case
    /// place, a comma, a few words and a dash.
    pub(super) fn after_dateline(&self, start: usize, end: usize) -> usize {
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
    pub(super) fn content_right(
        &self,
        sentence: &Range<usize>,
        from: usize,
    ) -> Option<Range<usize>> {
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
        // "заявил в Москве, что ...": the time, place or addressee between the verb and ", что"
        // is not content.
        if self.lang != Lang::En
            && let Some(comma) = (from..sentence.end.min(from + 8)).find(|&i| self.is_comma(i))
            && comma + 1 < sentence.end
            && self.is(comma + 1, CueKind::Complementizer)
            && (from..comma)
                .all(|i| self.is_word(i) && !self.is_boundary_word(i) && !self.inside_quote[i])
        {
            start = start.max(comma);
        }
        // "заявил журналистам о намерении ...": whom it was told to, and when, stand before
        // what was said (words of kind circumstance that are no preposition).
        if self.lang == Lang::Ru {
            let mut k = start;
            while k < sentence.end
                && self.is(k, CueKind::Circumstance)
                && !self.is_circumstance_preposition(k)
            {
                k += 1;
            }
            if k > start && k < sentence.end && self.is(k, CueKind::ContentPreposition) {
                start = k;
            }
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

    /// "According to X, CONTENT" / "CONTENT, according to X" / "По словам X, CONTENT" /
    /// "Как сообщает ТАСС, CONTENT".
    pub(super) fn according_before(
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
        // "Как сообщило сегодня Центральное командование": the time is not the source, nor
        // is whom it was told to ("Как сообщил «Интерфаксу» источник в медицинских кругах").
        let first = if self.lang == Lang::En {
            cue.end
        } else {
            let first = self.skip_circumstances(cue.end, source_end);
            self.past_addressee(first, source_end)
        };
        // "По его словам, ...": the possessive pronoun inside the cue is the source (the
        // lexicon lists these cues whole); it is resolved like any pronoun speaker.
        let inner_pronoun = (cue.start + 1..cue.end.saturating_sub(1))
            .find(|&i| self.is(i, CueKind::Pronoun))
            .filter(|_| first == source_end);
        let speaker = match inner_pronoun {
            Some(p) => self.phrase_speaker(&(p..p + 1)),
            None => self.phrase_speaker(&self.trim_content(first..source_end)?),
        };
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

    /// "Nazirlikdən bildirilib ki, CONTENT" / "Nazirlikdən bildirilib: «...»": a passive
    /// reporting verb with its source in the ablative right before it, and its content after
    /// "ki" or as a quotation. Without such a source there is no claim ("Bəyanatda bildirilir
    /// ki", "... olduğu bildirilib": the phrase before the verb is a place or what was said).
    pub(super) fn passive_speech(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
        earlier: &[Candidate],
    ) -> Option<Candidate> {
        if self.negated(cue.start, sentence.start) {
            return None;
        }
        let speaker = self.speaker_left(sentence.start, cue.start, earlier)?;
        let last = speaker.tokens.end.checked_sub(1)?;
        if !self
            .lexicon
            .has_ending(&self.keys[last], CueKind::SourceCase)
        {
            return None;
        }
        let opens_clause = cue.end < sentence.end && self.is(cue.end, CueKind::Complementizer);
        self.claim_after(s, sentence, cue, speaker, opens_clause, 0.8)
    }

    /// The claim of a cue whose speaker is known and whose content follows it: a quotation
    /// (direct, `confidence` + 0.05) or, where `clause_allowed`, the clause after it.
    fn claim_after(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
        speaker: Speaker,
        clause_allowed: bool,
        confidence: f32,
    ) -> Option<Candidate> {
        let speaker = Some(speaker);
        if let Some(pair) = self.quote_after(sentence, &cue) {
            let content = self.quotation(pair);
            let direct = ClaimKind::Direct;
            return Some(self.candidate(
                s,
                direct,
                speaker,
                cue,
                content,
                confidence + 0.05,
                false,
            ));
        }
        if !clause_allowed {
            return None;
        }
        let content = self.content_right(sentence, cue.end)?;
        let kind = self.kind_of(&content);
        Some(self.candidate(s, kind, speaker, cue, content, confidence, false))
    }

    /// "Кавано дал показания, заявив, что CONTENT" / "«...», — объяснил Нугрохо, добавив,
    /// что CONTENT": an adverbial participle after a comma shares its clause's subject, the
    /// speaker of the sentence's claim before it or else the nearest name to its left.
    pub(super) fn gerund(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
        earlier: &[Candidate],
    ) -> Option<Candidate> {
        if cue.start <= sentence.start
            || !self.is_comma(cue.start - 1)
            || self.negated(cue.start, sentence.start)
        {
            return None;
        }
        let speaker = earlier
            .iter()
            .rev()
            .find_map(|c| c.speaker.clone())
            .or_else(|| self.nearest_name_left(sentence.start, cue.start - 1))?;
        self.claim_after(s, sentence, cue, speaker, true, 0.75)
    }

    /// "X-in sözlərinə görə, CONTENT" (the source before the phrase).
    pub(super) fn according_after(
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

    /// "«...», — цитирует «Интерфакс» заявление представителя Минздрава Софьи Малявиной." /
    /// "«...», — цитирует Абдулатипова «Портал Дагестана».": after a quotation, the outlet
    /// (a quoted name or an organisation) and the person it quotes, in either order. The
    /// person (the last one named, else the words beside the outlet) is the speaker, the
    /// outlet `reported_by`.
    pub(super) fn quoting(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
    ) -> Option<Candidate> {
        let (pair, _) = self.quote_before(sentence, &cue)?;
        let mut end = cue.end;
        while end < sentence.end
            && end - cue.end < 3 * MAX_SPEAKER_TOKENS
            && !self.is_comma(end)
            && !self.is_sentence_final(end)
        {
            end += 1;
        }
        let phrase = cue.end..end;
        if phrase.is_empty() {
            return None;
        }
        // The outlet: a quoted name, else an organisation.
        let quoted = (phrase.start..phrase.end)
            .find(|&i| self.is_quote_token(i))
            .and_then(|open| {
                (open + 1..phrase.end)
                    .find(|&i| self.is_quote_token(i))
                    .map(|close| open..close + 1)
            });
        let outlet = quoted.or_else(|| {
            phrase
                .clone()
                .filter_map(|i| self.entity_at[i])
                .map(|e| &self.entities[e])
                .find(|e| e.kind == EntityType::Org && e.tokens.end <= phrase.end)
                .map(|e| e.tokens.clone())
        });
        let outside = |i: usize| outlet.as_ref().is_none_or(|o| !o.contains(&i));
        let person = self
            .persons_within(phrase.clone())
            .rev()
            .find(|e| e.tokens.clone().all(outside));
        let speaker = match (person, &outlet) {
            (Some(p), _) => Speaker {
                tokens: self.without_roles(p.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(EntityType::Per),
            },
            // The words beside the outlet ("текст обращения премьера").
            (None, Some(o)) => {
                let rest = if o.start > phrase.start {
                    phrase.start..o.start
                } else {
                    o.end..phrase.end
                };
                let rest = self.trim_content(rest)?;
                self.phrase_speaker(&rest)
            }
            (None, None) => self.speaker_right(sentence, cue.end)?,
        };
        let mut candidate = self.quotation_candidate(s, speaker, cue, pair);
        candidate.attribution.reported_by = outlet.map(|o| self.span(o));
        Some(candidate)
    }

    /// "“...,” AGENCY quoted X as saying" / "AGENCY quoted X as saying (that) CONTENT".
    pub(super) fn quoted_as(
        &self,
        s: usize,
        sentence: &Range<usize>,
        cue: Range<usize>,
    ) -> Option<Candidate> {
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

/// The Azerbaijani endings of a word that cannot be a subject: the genitive, dative,
/// ablative, locative and accusative cases and the object-clause participles.
const OBLIQUE_CASES: &[CueKind] = &[
    CueKind::GenitiveCase,
    CueKind::AddresseeCase,
    CueKind::SourceCase,
    CueKind::LocativeCase,
    CueKind::ObjectCase,
    CueKind::NotPossessive,
];

/// A report cue ("..., Azerbaijani media reported") in a sentence with another claim is that
/// claim's outlet, not a claim of its own.
fn link_reports(candidates: &mut Vec<Candidate>, text: &str, is_outlet: impl Fn(&Speaker) -> bool) {
    let has_claim = candidates.iter().any(|c| !c.is_report);
    if !has_claim {
        return;
    }
    let outlets: Vec<ByteSpan> = candidates
        .iter()
        .filter(|c| c.is_report && c.speaker.as_ref().is_some_and(&is_outlet))
        .filter_map(|c| c.attribution.speaker)
        .collect();
    // Where each outlet's clause begins and what it reports ends ("..., сообщает Reuters."):
    // a claim's content that runs on into the clause ("объявил о назначении Дустума,
    // сообщает Reuters") ends where the outlet's content does.
    let set_off = |from: usize, to: usize| {
        text[from..to]
            .chars()
            .all(|c| c == ',' || c.is_whitespace() || crate::segment::is_dash(c))
    };
    // (Only a clause that ends the claim: "eurobonds, reported earlier today from Tokyo,
    // have now been launched" goes on after it.)
    let clauses: Vec<(usize, usize, usize)> = candidates
        .iter()
        .filter(|c| {
            c.is_report
                && c.attribution.content.1 <= c.attribution.cue.0
                && set_off(c.attribution.content.1, c.attribution.cue.0)
        })
        .map(|c| {
            let clause_end = c.attribution.speaker.map_or(c.attribution.cue.1, |s| s.1);
            (c.attribution.content.1, c.attribution.cue.0, clause_end)
        })
        .collect();
    candidates.retain(|c| !c.is_report);
    for c in candidates.iter_mut() {
        let content = &mut c.attribution.content;
        if let Some(&(end, _, _)) = clauses.iter().find(|&&(end, cue, clause_end)| {
            content.0 < end && content.1 > cue && content.1 <= clause_end
        }) {
            content.1 = end;
        }
    }
    if let Some(&outlet) = outlets.first() {
        for c in candidates.iter_mut() {
            if c.attribution.reported_by.is_none() {
                c.attribution.reported_by = Some(outlet);
            }
        }
    }
}
