//! Finding the speaker of a cue: before it, after it, at the start of a verb-final
//! sentence, or inside an "according to" phrase.

use super::doc_view::{DocView, MAX_SPEAKER_TOKENS, Speaker, opener_of};
use super::patterns::Candidate;
use super::{CueKind, SpeakerForm};
use crate::document::{Entity, EntityType, Lang};
use std::ops::Range;

/// The most tokens a bracketed ticker, abbreviation or name before a verb spans.
const MAX_BRACKETED: usize = 8;

/// The most words of an English title before its preposition ("A close aide to").
const TITLE_WORDS: usize = 4;

impl DocView<'_> {
    pub(super) fn speaker_type(&self, speaker: &Speaker) -> Option<EntityType> {
        speaker.entity.or_else(|| {
            speaker
                .tokens
                .clone()
                .rev()
                .find_map(|i| self.entity_at[i])
                .map(|e| self.entities[e].kind)
        })
    }

    /// The speaker before a cue: skips adverbs and auxiliaries, follows "which"/"who" to its
    /// antecedent and "and" to the subject of the first verb.
    pub(super) fn speaker_left(
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
        // A bracketed ticker or abbreviation after the name ("Boral Ltd <BOAL.S> said", "the
        // Nuclear Regulatory Commission (NRC) said", "Rep. John Mica (R-Fla.) said") is
        // skipped; a name in angle brackets ("<British Caledonian Airways> said", as
        // Reuters marks companies) is the speaker.
        let closer = self.word(head);
        if let Some(opener) = opener_of(closer)
            && let Some(open) = (start.max(head.saturating_sub(MAX_BRACKETED))..head)
                .rev()
                .find(|&i| self.word(i) == opener)
        {
            if open > start && self.is_word(open - 1) && !self.is_boundary_word(open - 1) {
                return self.speaker_left(start, open, earlier);
            }
            if closer == ">" && open + 1 < head {
                return self.noun_phrase_left(open + 1, head);
            }
        }
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
            // A participle clause set off by commas ("Ясир Арафат, выступая в Газе,
            // объявил", "Smith, speaking in Gaza, said"; lexicon kind `participle_ending`),
            // or adverbs ("Он, в частности, заявил"): the subject stands before it.
            if self.lang != Lang::Az
                && let Some(first) = relative
                && first > start
                && self.is_comma(first - 1)
                && self.is_word(first)
                && !self.is_cap(first)
                && (self
                    .lexicon
                    .has_ending(&self.keys[first], CueKind::ParticipleEnding)
                    || (first..head)
                        .all(|i| self.is(i, CueKind::Skip) || self.is(i, CueKind::Circumstance)))
                && let Some(subject) = self.noun_phrase_left(start, first - 1)
                && matches!(
                    subject.form,
                    SpeakerForm::Named | SpeakerForm::Pronoun | SpeakerForm::Role
                )
            {
                return Some(subject);
            }
            // An appositive: "Its head, Nurlan Seitkali, said ...". A title set off by commas
            // after a name is the name's: "Джон Голдсмит, председатель Общества памяти
            // Кромвеля, заявил".
            return match self.noun_phrase_left(start, head) {
                Some(sp) if sp.form == SpeakerForm::Named => Some(sp),
                Some(sp)
                    if sp.form == SpeakerForm::Role
                        && self.lang == Lang::Ru
                        && let Some(first) = relative
                        && first > start
                        && self.is_comma(first - 1) =>
                {
                    self.noun_phrase_left(start, first - 1)
                        .filter(|name| name.form == SpeakerForm::Named)
                }
                _ => None,
            };
        }
        if self.is(head, CueKind::Conjunction) {
            // "X claimed ... and criticised ...": the first verb's speaker.
            if let Some(previous) = earlier.iter().rev().find_map(|c| c.speaker.clone()) {
                return Some(previous);
            }
            return self.nearest_name_left(start, head);
        }
        let mut phrase = self.noun_phrase_left(start, j)?;
        // "При этом палестинцы считают": a preposition takes its noun with it, the subject
        // follows.
        if self.lang != Lang::En
            && phrase.form == SpeakerForm::Phrase
            && phrase.tokens.len() >= 2
            && phrase.tokens.start > start
            && self.is(phrase.tokens.start - 1, CueKind::Preposition)
        {
            phrase.tokens.start += 1;
        }
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

    /// The first token from `from` (before `end`) past the time, place and addressee words
    /// that Russian and Azerbaijani put between a verb and the speaker after it ("сообщили
    /// во вторник участники"); a preposition takes its noun with it, except an
    /// organisation's in the impersonal "сообщили в пресс-службе МВД", which speaks.
    pub(super) fn skip_circumstances(&self, mut from: usize, end: usize) -> usize {
        loop {
            if self.org_locative(from, end) {
                return from + 1;
            }
            if from < end && self.is(from, CueKind::Preposition) {
                from += 2;
            } else if from < end && self.is(from, CueKind::Circumstance) {
                from += 1;
            } else {
                return from;
            }
        }
    }

    /// Whether a Russian "в"/"во" at `at` opens the organisation that speaks in the
    /// impersonal "сообщили в пресс-службе МВД", "заявили в МВД страны": a role noun of an
    /// organisation or an organisation's name follows it.
    fn org_locative(&self, at: usize, end: usize) -> bool {
        self.lang == Lang::Ru
            && at + 1 < end
            && matches!(self.keys[at].as_str(), "в" | "во")
            && (self.lexicon.entity_of(&self.keys[at + 1], CueKind::Role)
                == Some(Some(EntityType::Org))
                || self.entity_at[at + 1].is_some_and(|e| {
                    let entity = &self.entities[e];
                    entity.kind == EntityType::Org && entity.tokens.start == at + 1
                }))
    }

    /// Where a name that may be an addressee ends, when one starts at `from` (before
    /// `end`): a short quoted name («Интерфаксу»), an organisation the tagger found with its
    /// quoted part (РИА «Новости»), or a capitalised word that is no role noun (ИТАР-ТАСС).
    pub(super) fn addressee_end(&self, from: usize, end: usize) -> Option<usize> {
        const MAX_ADDRESSEE_TOKENS: usize = 6;
        if from >= end {
            return None;
        }
        let quoted_after = |after: usize| {
            self.quotes
                .iter()
                .find(|p| p.open == after && p.close < end)
                .map_or(after, |p| p.close + 1)
        };
        if let Some(pair) = self
            .quotes
            .iter()
            .find(|p| p.open == from && p.close < end && p.close - p.open <= MAX_ADDRESSEE_TOKENS)
        {
            Some(pair.close + 1)
        } else if let Some(e) = self.entity_at[from] {
            let entity = &self.entities[e];
            (entity.kind == EntityType::Org && entity.tokens.start == from)
                .then(|| quoted_after(entity.tokens.end.min(end)))
        } else if self.is_cap(from) && !self.is(from, CueKind::Role) {
            Some(quoted_after(from + 1))
        } else {
            None
        }
    }

    /// Whether a phrase naming an outlet's own source starts at `i` ("со ссылкой на",
    /// lexicon kind `citing`).
    pub(super) fn cites_at(&self, i: usize) -> bool {
        self.lexicon
            .match_at(&self.keys, i, |k| k == CueKind::Citing)
            .is_some()
    }

    /// Past the addressee that Russian puts between a verb and its speaker ("сообщили РИА
    /// «Новости» источники в Минфине", "сообщил «Интерфаксу» в пятницу оперативный
    /// дежурный"): a quoted name, an organisation or a capitalised word at `from`, when a
    /// speaker follows it in its clause (a person, a person's title, or an organisation
    /// after "в"). Otherwise `from`: the name is the speaker ("сообщает РИА «Новости»").
    pub(super) fn past_addressee(&self, from: usize, end: usize) -> usize {
        // A name after a preposition is its object ("в департаменте"), no addressee.
        let after_preposition = from > 0
            && (self.is(from - 1, CueKind::Preposition)
                || self.is(from - 1, CueKind::Circumstance));
        if self.lang != Lang::Ru || from >= end || after_preposition {
            return from;
        }
        let Some(addressee_end) = self.addressee_end(from, end) else {
            return from;
        };
        let mut rest = self.skip_circumstances(addressee_end, end);
        while rest < end && self.is(rest, CueKind::Skip) {
            rest = self.skip_circumstances(rest + 1, end);
        }
        // "сообщает РИА «Новости» со ссылкой на ...": the outlet is the speaker of its verb.
        if rest >= end || !self.is_word(rest) || self.cites_at(rest) {
            return from;
        }
        let clause_end = (rest..end)
            .find(|&i| {
                !self.is_word(i) && !self.is_quote_token(i) && !self.is_dash_token(i)
                    || self.cites_at(i)
            })
            .unwrap_or(end);
        let speaker_follows = self.org_locative(rest - 1, end)
            || (rest..clause_end).any(|i| {
                self.is_person_title(&self.keys[i])
                    || self.entity_at[i].is_some_and(|e| self.entities[e].kind == EntityType::Per)
            });
        if speaker_follows { rest } else { from }
    }

    /// [`DocView::speaker_left`], past an addressee: "Manitoba fermeri CBC News telekanalına
    /// bildirmişdi" is said by the farmer, not the channel. `None` when only addressees stand
    /// before the verb.
    pub(super) fn speaker_left_of_addressee(
        &self,
        start: usize,
        cue_start: usize,
        earlier: &[Candidate],
    ) -> Option<Speaker> {
        let mut end = cue_start;
        // One addressee, perhaps after a second one ("... Reuters-ə telefonla müsahibəsində"
        // is one; two datives in a row are rare).
        for _ in 0..3 {
            // The word before the verb (past adverbs and circumstances) in an addressee's
            // case ends the addressee: with the name it belongs to ("Senat Məhkəmə
            // Komitəsinə"), a common noun with the name before it ("Reuters agentliyinə"),
            // or alone ("APA-ya").
            let mut j = end;
            while j > start
                && (self.is(j - 1, CueKind::Skip) || self.is(j - 1, CueKind::Circumstance))
            {
                j -= 1;
            }
            if j > start
                && self
                    .lexicon
                    .has_ending(&self.keys[j - 1], CueKind::AddresseeCase)
            {
                let last = j - 1;
                let mut first =
                    self.entity_at[last].map_or(last, |e| self.entities[e].tokens.start);
                if first == last
                    && last > start
                    && !self.is_cap(last)
                    && let Some(e) = self.entity_at[last - 1]
                    && self.entities[e].tokens.end == last
                {
                    first = self.entities[e].tokens.start;
                }
                end = first.max(start);
            } else {
                let speaker = self.speaker_left(start, end, earlier)?;
                // An object clause ("O, ... fürsət olduğunu söylədi") is what was said; the
                // speaker is the subject at the start of the sentence, if any.
                if speaker.form != SpeakerForm::Pronoun
                    && self
                        .lexicon
                        .has_ending(&self.keys[speaker.tokens.end - 1], CueKind::ObjectCase)
                {
                    return self
                        .sentence_subject(&(start..cue_start), speaker.tokens.start)
                        .filter(|subject| {
                            subject.tokens.end <= speaker.tokens.start
                                && !(subject.form == SpeakerForm::Phrase
                                    && subject.tokens.len() == 1)
                        });
                }
                if !self.in_addressee_case(&speaker) {
                    return Some(speaker);
                }
                end = speaker.tokens.start;
            }
            // A quoted name belongs to its addressee: "“Report” agentliyinə".
            if let Some(pair) = self
                .quotes
                .iter()
                .find(|p| p.close + 1 == end && p.open >= start && p.close - p.open <= 6)
            {
                end = pair.open;
            }
        }
        None
    }

    /// Whether a speaker's last word carries an addressee's case ending (lexicon kind
    /// `addressee_case`): "müəllimlərə bildirmişdir" names whom it was told to.
    pub(super) fn in_addressee_case(&self, speaker: &Speaker) -> bool {
        speaker.form != SpeakerForm::Pronoun
            && speaker.tokens.end > speaker.tokens.start
            && self
                .lexicon
                .has_ending(&self.keys[speaker.tokens.end - 1], CueKind::AddresseeCase)
    }

    /// The noun phrase that ends right before `end`: a pronoun, an entity, a name (a run of
    /// capitalised words after the last role noun), or a phrase up to the clause boundary.
    pub(super) fn noun_phrase_left(&self, start: usize, end: usize) -> Option<Speaker> {
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
            if entity.tokens.end == end
                && entity.tokens.start >= start
                && let Some(title) = self.title_with_preposition(start, entity)
            {
                return Some(title);
            }
            if entity.tokens.end == end && entity.tokens.start >= start {
                // A place or organisation after a person's title is whose title it is: the
                // speaker is the title ("Представитель МИД России заявил", "Сотрудник ФБР
                // сообщил"), a role mention (Russian).
                if let Some(title) = self.title_before(start, entity) {
                    return Some(Speaker {
                        tokens: title..end,
                        form: SpeakerForm::Role,
                        entity: Some(EntityType::Per),
                    });
                }
                let mut tokens = self.without_roles(entity.tokens.clone());
                // Russian and English names joined by a conjunction speak together
                // ("Иванов и Петров заявили", "Shultz and Weinberger have said"), as after
                // the verb.
                if self.lang != Lang::Az
                    && entity.tokens.start > start + 1
                    && self.is(entity.tokens.start - 1, CueKind::Conjunction)
                    && let Some(first) = self.entity_at[entity.tokens.start - 2]
                    && self.entities[first].kind == entity.kind
                    && self.entities[first].tokens.start >= start
                {
                    tokens.start = self
                        .without_roles(self.entities[first].tokens.clone())
                        .start;
                }
                return Some(Speaker {
                    tokens,
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
        // A name first (a person perhaps after its role nouns) and adverbs or an addressee
        // after it: "Анна Политковская нередко", "naziri Pərviz Şahbazov parlamentə" (in
        // English a name first is an adjective: "Azerbaijani media").
        let name_at = (k..end).find(|&i| !self.is(i, CueKind::Role)).unwrap_or(k);
        if self.lang != Lang::En
            && let Some(e) = self.entity_at[name_at]
            && self.entities[e].tokens.start == name_at
            && self.entities[e].tokens.end < end
            // After a role noun only a person is the speaker: "Глава администрации" is
            // the head of the administration.
            && (self.entities[e].kind == EntityType::Per
                || (name_at == k && self.entities[e].kind == EntityType::Org))
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

    /// In Russian, the person's title that a place or organisation in the genitive depends on
    /// ("Представитель МИД России": the title's token), a few words before it with nothing
    /// but words between; `None` for a person or when no title stands there. (Azerbaijani
    /// puts the owner first; a title before a name there is the name's: "nazir Vilayət
    /// Eyvazov", whatever type the tagger gave it.)
    fn title_before(&self, start: usize, entity: &Entity) -> Option<usize> {
        const MAX_WORDS_BETWEEN: usize = 3;
        if self.lang != Lang::Ru || entity.kind == EntityType::Per {
            return None;
        }
        let first = entity.tokens.start;
        (start.max(first.saturating_sub(MAX_WORDS_BETWEEN + 1))..first)
            .rev()
            .take_while(|&t| {
                self.is_word(t)
                    && !self.is_boundary_word(t)
                    && self.entity_at[t].is_none_or(|e| self.entities[e].kind != EntityType::Per)
            })
            .find(|&t| self.is_person_title(&self.keys[t]))
    }

    /// An English person's title that a preposition ties to the name ending the subject: "A
    /// spokesman for Exxon Corp", "The head of the International Monetary Fund", "A close
    /// aide to Yasuhiro Nakasone", "Officials at the Bank of Japan": the unnamed person
    /// speaks, not the name.
    fn title_with_preposition(&self, start: usize, entity: &Entity) -> Option<Speaker> {
        if self.lang != Lang::En {
            return None;
        }
        let preposition = self.before_determiners(entity.tokens.start, start)?;
        if preposition <= start || !self.is(preposition, CueKind::Preposition) {
            return None;
        }
        let mut first = (start..preposition)
            .rev()
            .take(TITLE_WORDS)
            .take_while(|&i| {
                self.is_word(i) && !self.is_boundary_word(i) && self.entity_at[i].is_none()
            })
            .last()?;
        // "vice-president" is a president's title.
        let titled = (first..preposition).any(|i| {
            let key = &self.keys[i];
            let last_part = key.rsplit('-').next().unwrap_or(key);
            self.is_person_title(key) || self.is_person_title(last_part)
        });
        if !titled {
            return None;
        }
        // Whose title it is, when a name stands before it: "Israel's Minister for Industry
        // and Trade"; "James Fry, vice-president of GM Overseas Distribution Corporation".
        if first > start
            && let Some(owner) =
                self.entity_at[first - 1].filter(|_| self.is(first, CueKind::Possessive))
        {
            first = self.entities[owner].tokens.start.max(start);
        } else if first > start + 1
            && self.is_comma(first - 1)
            && let Some(name) = self.entity_at[first - 2]
                .map(|e| &self.entities[e])
                .filter(|e| e.kind == EntityType::Per && e.tokens.start >= start)
        {
            return Some(Speaker {
                tokens: self.without_roles(name.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(EntityType::Per),
            });
        }
        Some(Speaker {
            tokens: first..entity.tokens.end,
            form: SpeakerForm::Role,
            entity: Some(EntityType::Per),
        })
    }

    /// The closest name (entity or capitalised run) left of `end`, not crossing quotes.
    pub(super) fn nearest_name_left(&self, start: usize, end: usize) -> Option<Speaker> {
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

    /// Russian inversion with a long phrase after the verb ("..., рассказал на заседании
    /// комитета Совета Федерации по обороне и безопасности начальник Генштаба ... Николай
    /// Макаров."): the person named last, when the sentence ends with the name and no
    /// clause (comma, quotation or cue) stands between the verb and it.
    pub(super) fn person_ending_inversion(
        &self,
        sentence: &Range<usize>,
        from: usize,
    ) -> Option<Speaker> {
        const MAX_INVERSION_TOKENS: usize = 25;
        const MAX_QUOTED_NAME_TOKENS: usize = 6;
        if self.lang != Lang::Ru {
            return None;
        }
        let mut end = sentence.end;
        while end > from && self.is_sentence_final(end - 1) {
            end -= 1;
        }
        if end <= from || end - from > MAX_INVERSION_TOKENS {
            return None;
        }
        let person = &self.entities[self.entity_at[end - 1]?];
        if person.kind != EntityType::Per || person.tokens.end != end {
            return None;
        }
        // Conjunctions may join parts of a long title ("по обороне и безопасности"), a dash
        // two titles ("председатель исполкома - исполнительный секретарь СНГ Юрий Яров"),
        // and a short quoted name may be the addressee or the place ("сообщил «Интерфаксу»
        // в четверг помощник ...", "в интервью «Российской газете» помощник ..."); a longer
        // quotation is content.
        let short_quote = |i: usize| {
            self.quotes.iter().any(|p| {
                p.open <= i
                    && i <= p.close
                    && p.close < person.tokens.start
                    && p.close - p.open <= MAX_QUOTED_NAME_TOKENS
            })
        };
        let clean = (from..person.tokens.start).all(|i| {
            if self.is_dash_token(i) {
                return i > from;
            }
            if self.is_quote_token(i) || self.inside_quote[i] {
                return short_quote(i);
            }
            self.is_word(i) && (!self.is_boundary_word(i) || self.is(i, CueKind::Conjunction))
        });
        clean.then(|| Speaker {
            tokens: self.without_roles(person.tokens.clone()),
            form: SpeakerForm::Named,
            entity: Some(EntityType::Per),
        })
    }

    /// A whole phrase as a named speaker, typed by the first entity in it.
    fn named_phrase(&self, tokens: Range<usize>) -> Speaker {
        let entity = tokens
            .clone()
            .find_map(|i| self.entity_at[i])
            .map(|e| self.entities[e].kind);
        Speaker {
            tokens,
            form: SpeakerForm::Named,
            entity,
        }
    }

    /// The speaker right after a cue ("said Smith", "заявил министр Лавров").
    pub(super) fn speaker_right(&self, sentence: &Range<usize>, from: usize) -> Option<Speaker> {
        // Time, place and addressee come first in Russian inversion: "сообщили во вторник
        // участники", "заявил журналистам министр"; so do adverbs such as "также" ("заявил
        // также министр"; lexicon kind `skip`).
        let mut from = self.skip_circumstances(from, sentence.end);
        while self.lang == Lang::Ru && from < sentence.end && self.is(from, CueKind::Skip) {
            from = self.skip_circumstances(from + 1, sentence.end);
        }
        from = self.past_addressee(from, sentence.end);
        if from >= sentence.end || self.is(from, CueKind::ContentPreposition) {
            return None;
        }
        // Quoted names belong to the phrase: "главный тренер «Спартака» Виктор Лебедев".
        let mut end = from;
        // Two names joined by a conjunction make one speaker in Russian inversion
        // ("сообщает полиция округа Эйвон и Сомерсет", "заявили Иванов и Петров").
        let joins_names = |i: usize| {
            self.lang == Lang::Ru
                && self.is(i, CueKind::Conjunction)
                && i + 1 < sentence.end
                && (self.is_cap(i + 1) || self.entity_at[i + 1].is_some())
        };
        // Russian news also quotes names with apostrophes ("РИА 'Новости'"), which are no
        // quotation marks elsewhere.
        let is_mark = |i: usize| self.is_quote_token(i) || self.word(i) == "'";
        while end < sentence.end
            && end - from < MAX_SPEAKER_TOKENS
            && (self.is_word(end) || is_mark(end))
            && (!self.is_boundary_word(end) || (end > from && joins_names(end)))
            // "со ссылкой на X" after an outlet names the outlet's source (see `postposed`).
            && !(end > from && self.cites_at(end))
        {
            end += 1;
        }
        while end > from && !self.is_word(end - 1) {
            end -= 1;
        }
        if end == from {
            return None;
        }
        // A long Russian title may reach the length limit inside the name that ends it
        // ("... начальник управления ... ГУВД российской столицы Кирилл Мазурин"): the
        // whole name belongs to the speaker.
        if self.lang == Lang::Ru
            && end < sentence.end
            && let Some(e) = self.entity_at[end - 1]
            && self.entity_at[end] == Some(e)
        {
            end = self.entities[e].tokens.end.min(sentence.end);
            while !self.is_word(end - 1) {
                end -= 1;
            }
        }
        // A quoted name at the end keeps its closing mark ("пресс-служба ОАО "АВТОВАЗ"").
        let marks = (from..end).filter(|&i| is_mark(i)).count();
        if marks % 2 == 1 && end < sentence.end && is_mark(end) {
            end += 1;
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
        // Coordinated names speak together: the whole phrase, typed by its first entity (a
        // conjunction inside a name joins none: "управления информации и общественных
        // связей").
        if (from + 1..end).any(|i| self.is(i, CueKind::Conjunction) && self.entity_at[i].is_none())
        {
            return Some(self.named_phrase(from..end));
        }
        // A person named in the phrase is the speaker ("министр Сергей Лавров"), the last
        // one when several are ("представитель Масхадова Ахмед Закаев": the name in
        // apposition ends the phrase).
        if let Some(person) = self.persons_within(from..end).next_back() {
            return Some(Speaker {
                tokens: self.without_roles(person.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(EntityType::Per),
            });
        }
        // A name after a role noun ("министр Сергей Лавров", "агентство Интерфакс") is the
        // speaker; a place or an organisation after a person's role is what the role belongs
        // to ("избранный президент США").
        if let Some(name) = self.noun_phrase_left(from, end)
            && name.form == SpeakerForm::Named
            && name.tokens.start > from
            && self.is(name.tokens.start - 1, CueKind::Role)
            && !(matches!(name.entity, Some(EntityType::Loc | EntityType::Org))
                && self
                    .lexicon
                    .entity_of(&self.keys[name.tokens.start - 1], CueKind::Role)
                    == Some(Some(EntityType::Per)))
        {
            return Some(name);
        }
        // A name first ("said John Smith"): the capitalised run.
        if self.is_cap(from) {
            let mut name_end = from + 1;
            while name_end < end && (self.is_cap(name_end) || is_mark(name_end)) {
                name_end += 1;
            }
            // A name with a quoted part ("РИА "Новости"") is the whole phrase, and so is a
            // Russian name with its genitive that ends the sentence ("сообщили в МВД страны").
            let russian_phrase_ends = self.lang == Lang::Ru && ends_sentence;
            if (name_end == end && (from..end).any(is_mark)) || russian_phrase_ends {
                return Some(self.named_phrase(from..end));
            }
            while name_end > from + 1 && is_mark(name_end - 1) {
                name_end -= 1;
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

    /// The subject at the start of a sentence (for verb-final Azerbaijani): an entity, a
    /// name, a pronoun or a role noun phrase among the first words.
    pub(super) fn sentence_subject(
        &self,
        sentence: &Range<usize>,
        cue_start: usize,
    ) -> Option<Speaker> {
        let speaker = self.sentence_subject_unsplit(sentence, cue_start)?;
        Some(self.split_merged_names(speaker))
    }

    /// A headline's subject the tagger ran together with the next name ("Tramp Afrikada
    /// ... açıqlayıb", "Zelenski Trampla ... deyib", "Paşinyan Ermənistandan Azərbaycana
    /// ... bildirib") ends before the first later capitalised word in a case no name
    /// inside a subject takes: the ablative, locative or comitative (`source_case`,
    /// `locative_case`, `comitative_case`). The type stays only if it was a person's or an
    /// organisation's.
    fn split_merged_names(&self, speaker: Speaker) -> Speaker {
        // Only in headlines, where the tagger lacks the punctuation and context of a
        // sentence; in running text such a span is more often one name in that case
        // ("Donald Trampla görüşdü", "Bakı Dövlət Universitetindən").
        if speaker.form != SpeakerForm::Named
            || speaker.tokens.len() < 2
            || !self.in_headline(speaker.tokens.start)
        {
            return speaker;
        }
        let cut = (speaker.tokens.start + 1..speaker.tokens.end).find(|&i| {
            self.is_cap(i)
                && self.ends_in_any(
                    i,
                    &[
                        CueKind::SourceCase,
                        CueKind::LocativeCase,
                        CueKind::ComitativeCase,
                    ],
                )
        });
        match cut {
            Some(cut) => Speaker {
                tokens: speaker.tokens.start..cut,
                form: SpeakerForm::Named,
                entity: speaker
                    .entity
                    .filter(|kind| matches!(kind, EntityType::Per | EntityType::Org)),
            },
            None => speaker,
        }
    }

    /// The subject as found, before `split_merged_names`.
    fn sentence_subject_unsplit(
        &self,
        sentence: &Range<usize>,
        cue_start: usize,
    ) -> Option<Speaker> {
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
        // (Not one before a postposition: "Meghan ilə", "with Meghan".)
        let early = (first..cue_start.min(first + 8)).find_map(|i| {
            self.entity_at[i].map(|e| &self.entities[e]).filter(|e| {
                matches!(e.kind, EntityType::Per | EntityType::Org)
                    && e.tokens.end < cue_start
                    && !self.is(e.tokens.end, CueKind::Postposition)
            })
        });
        if let Some(entity) = early {
            if let Some(owned) = self.owned_subject(entity.tokens.clone(), cue_start) {
                return Some(owned);
            }
            // A role noun in the possessive right after the name is the subject, the name
            // its owner: "bir JAL sözçüsü bu xüsusiyyəti təsdiqlədi" (someone not named;
            // not when the person's name follows: "Fed başçısı Patrik Harker").
            let after = entity.tokens.end;
            if after + 1 < cue_start
                && self.is(after, CueKind::Role)
                && self.is_possessive(after)
                && self.entity_at[after + 1].is_none()
            {
                return Some(Speaker {
                    tokens: entity.tokens.start..after + 1,
                    form: SpeakerForm::Phrase,
                    entity: self
                        .lexicon
                        .entity_of(&self.keys[after], CueKind::Role)
                        .flatten(),
                });
            }
            if let Some(joined) = self.joined_names(entity, cue_start) {
                return Some(joined);
            }
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
            if let Some(joined) = self.joined_names(entity, cue_start) {
                return Some(joined);
            }
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
            // A role noun ends the subject, unless another follows ("Polis sözçüsü").
            if self.is(end - 1, CueKind::Role)
                && !(end < sentence.end && end - first < 4 && self.is(end, CueKind::Role))
            {
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

    /// Two names of one type joined by a conjunction before the verb speak together: "İran
    /// və Oman ... elan ediblər" (not when the second is a postposition's object).
    fn joined_names(&self, entity: &Entity, cue_start: usize) -> Option<Speaker> {
        let after = entity.tokens.end;
        if after + 1 >= cue_start || !self.is(after, CueKind::Conjunction) {
            return None;
        }
        let second = &self.entities[self.entity_at[after + 1]?];
        (second.kind == entity.kind
            && second.tokens.start == after + 1
            && second.tokens.end < cue_start
            && !self.is(second.tokens.end, CueKind::Postposition))
        .then(|| self.named_phrase(entity.tokens.start..second.tokens.end))
    }

    /// The subject a name in the genitive owns: the person named after it ("Commerzbank-ın
    /// icraçı direktoru Martin Zielke"), else the phrase up to a role noun right after it
    /// ("Xarici İşlər Nazirliyinin müşaviri"), else up to the first of the next two words
    /// in a possessive case ("Paşinyanın həyat yoldaşı"; an accusative looks the same after
    /// a vowel and is an object: "Putin ölkəni"). `None` when the name is not in the
    /// genitive or owns none of these.
    fn owned_subject(&self, name: Range<usize>, cue_start: usize) -> Option<Speaker> {
        let after = name.end;
        if after >= cue_start
            || !self.is_word(after)
            || self.is_cap(after)
            || !self
                .lexicon
                .has_ending(&self.keys[name.end - 1], CueKind::GenitiveCase)
        {
            return None;
        }
        let window = after..cue_start.min(after + 6);
        let person = window.clone().find_map(|i| {
            self.entity_at[i].map(|e| &self.entities[e]).filter(|e| {
                e.kind == EntityType::Per && e.tokens.start >= after && e.tokens.end < cue_start
            })
        });
        if let Some(person) = person {
            return Some(Speaker {
                tokens: self.without_roles(person.tokens.clone()),
                form: SpeakerForm::Named,
                entity: Some(EntityType::Per),
            });
        }
        let role = (after..cue_start.min(after + 3))
            .take_while(|&i| self.is_word(i) && !self.is_cap(i))
            .find(|&i| self.is(i, CueKind::Role));
        let Some(role) = role else {
            let head = (after..cue_start.min(after + 2))
                .take_while(|&i| self.is_word(i) && !self.is_cap(i))
                .find(|&i| self.is_possessive(i) && !self.ends_in_any(i, &[CueKind::ObjectCase]))?;
            return Some(Speaker {
                tokens: name.start..head + 1,
                form: SpeakerForm::Role,
                entity: None,
            });
        };
        Some(Speaker {
            tokens: name.start..role + 1,
            form: SpeakerForm::Role,
            entity: self
                .lexicon
                .entity_of(&self.keys[role], CueKind::Role)
                .flatten(),
        })
    }

    /// A speaker that is a whole phrase ("the ministry", "эксперта", "Ekspertin"), or the
    /// person named in it ("аналитика компании «Капитал-Траст» Игоря Мельникова").
    pub(super) fn phrase_speaker(&self, tokens: &Range<usize>) -> Speaker {
        if let Some(person) = self.persons_within(tokens.clone()).next() {
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
}
