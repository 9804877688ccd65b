//! Speaker resolution: pronouns and role nouns point to the nearest compatible named speaker.

use super::cues::{CueKind, CueLexicon};
use super::doc_view::{is_web_address, opener_of};
use super::patterns::{DocView, Speaker};
use super::{Attribution, ByteSpan, ClaimKind, SpeakerForm};
use crate::document::{EntityType, Lang};
use std::ops::Range;

/// Whether a referent of type `candidate` can be meant by a mention of type `wanted`.
///
/// An unknown type is compatible with a person (people are by far the most frequent
/// speakers), but an organisation mention ("it", "the ministry") needs a known organisation.
fn compatible(wanted: Option<EntityType>, candidate: Option<EntityType>) -> bool {
    match (wanted, candidate) {
        (None, _) => true,
        (Some(EntityType::Org), None) => false,
        (_, None) => true,
        (Some(w), Some(c)) => w == c,
    }
}

/// Fills `speaker_resolved` (and `speaker_type` where the referent has one).
///
/// A named speaker resolves to itself. A pronoun or role noun resolves, in this order, to:
/// for "it"-like (ORG) mentions the first organisation named earlier in the same sentence (the
/// subject of "in which it accused"); the nearest earlier claim's named speaker of a
/// compatible type; the nearest earlier entity of a compatible type. An Azerbaijani
/// quotation with no speaker mention (a dropped subject) resolves like a pronoun
/// ([`zero_referent`]); its `speaker` stays empty.
pub(super) fn resolve_speakers(
    doc: &DocView<'_>,
    found: Vec<(Attribution, Option<Speaker>)>,
) -> Vec<Attribution> {
    let mut out: Vec<Attribution> = Vec::with_capacity(found.len());
    // Whether each resolved claim's speaker is a group ([`is_plural_mention`]), for the
    // claims after it.
    let mut groups: Vec<bool> = Vec::with_capacity(found.len());
    for (mut attribution, speaker) in found {
        if let Some(speaker) = speaker {
            // A role noun without an entity type names a group ("Mütəxəssislər", "rəsmilər":
            // the lexicon lists plurals so), not one earlier speaker: it stands for itself.
            // A headline stands alone ("Hizbullah lideri ... açıqladı" in a list of
            // headlines): its role noun is not the speaker of the line before either. Nor
            // is an organisation's role mention that names it ("пресс-службе пожарной
            // охраны города").
            let in_headline = doc
                .segmented
                .sentences
                .get(attribution.sentence)
                .is_some_and(|sentence| sentence.heading);
            let form = match speaker.form {
                SpeakerForm::Role
                    if speaker.entity.is_none()
                        || in_headline
                        || names_organisation(doc, &speaker) =>
                {
                    SpeakerForm::Phrase
                }
                form => form,
            };
            match form {
                SpeakerForm::Named => match head_entity(doc, &speaker, attribution.cue) {
                    // A noun phrase around a name ("chairman of the commission Ramid
                    // Namazov", as the labeller marks speakers) resolves to the name.
                    Some(e) => {
                        let entity = &doc.entities[e];
                        let tokens = doc.without_roles(entity.tokens.clone());
                        let (s, end) = doc.span(tokens);
                        attribution.speaker_resolved = Some(full_name(doc, &doc.text[s..end]));
                        attribution.speaker_type = Some(entity.kind);
                    }
                    None => {
                        attribution.speaker_resolved = attribution
                            .speaker
                            .map(|(s, e)| full_name(doc, &doc.text[s..e]));
                    }
                },
                SpeakerForm::Phrase => {
                    attribution.speaker_resolved =
                        attribution.speaker.map(|(s, e)| doc.text[s..e].to_string());
                }
                SpeakerForm::Pronoun | SpeakerForm::Role => {
                    let wanted = speaker.entity.or(attribution.speaker_type);
                    // Unnamed people, and groups ("officials", "the officials"): never
                    // one earlier name.
                    let anonymous = form == SpeakerForm::Role
                        && (is_anonymous(doc, &speaker)
                            || is_plural_mention(doc, speaker.tokens.clone(), attribution.cue)
                            || names_whose_title(doc, &speaker));
                    let resolved = if form == SpeakerForm::Role {
                        introduced_with_role(doc, &speaker)
                            .or_else(|| same_unnamed(doc, &out, &groups, &speaker, attribution.cue))
                            .or_else(|| {
                                if anonymous {
                                    None
                                } else if names_media(doc, &speaker) {
                                    last_outlet(doc, &out, &speaker).or_else(|| {
                                        referent(
                                            doc,
                                            &out,
                                            &groups,
                                            &speaker,
                                            attribution.cue,
                                            wanted,
                                        )
                                    })
                                } else {
                                    referent(doc, &out, &groups, &speaker, attribution.cue, wanted)
                                }
                            })
                    } else {
                        referent(doc, &out, &groups, &speaker, attribution.cue, wanted)
                    };
                    if let Some((name, kind)) = resolved {
                        attribution.speaker_resolved = Some(name);
                        attribution.speaker_type = kind.or(attribution.speaker_type);
                    } else if anonymous {
                        // "источник", "a spokesman", "другой представитель": someone not
                        // named; the mention is all there is to say.
                        attribution.speaker_resolved =
                            attribution.speaker.map(|(s, e)| doc.text[s..e].to_string());
                    }
                }
            }
        } else if doc.lang == Lang::Az && attribution.kind == ClaimKind::Direct {
            // Azerbaijani drops a known subject ("\"...\", - dedi."): the quotation is the
            // last named speaker's, as a pronoun's would be. (A Russian quotation without a
            // speaker is more often a quoted name than speech.)
            if let Some((name, kind)) = zero_referent(doc, &out, attribution.cue.0) {
                attribution.speaker_resolved = Some(name);
                attribution.speaker_type = kind;
            }
        }
        groups.push(
            attribution.speaker.is_some_and(|span| {
                is_plural_mention(doc, span_tokens(doc, span), attribution.cue)
            }),
        );
        out.push(attribution);
    }
    out
}

/// Whether two words are forms of one word: the shorter is the longer's start, perhaps
/// without its last letter, and the longer has at most three letters more (one for a word
/// of three letters): "председатель" / "председателя", "мэр" / "мэра", "nazir" /
/// "naziri"; not "министр" / "министерства", "мэр" / "мэрия".
pub(super) fn same_word(a: &str, b: &str) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    let (short_len, long_len) = (short.chars().count(), long.chars().count());
    if short_len < 3 || long_len > short_len + 3 {
        return false;
    }
    let common = short
        .chars()
        .zip(long.chars())
        .take_while(|(x, y)| x == y)
        .count();
    // A word of three letters takes one ending letter at most ("мэр" / "мэра", not
    // "мэрия").
    if short_len == 3 {
        return common == 3 && long_len <= 4;
    }
    common + 1 >= short_len
}

/// The person the document introduced with the mention's role noun: "помощник президента
/// РФ Сергей Ястржембский ... сказал помощник президента", "Yuri Yarov, the chairman, ...
/// the chairman said". The nearest earlier person with a form of one of the mention's role
/// nouns among the words right before the name, or after it past a comma.
fn introduced_with_role(
    doc: &DocView<'_>,
    speaker: &Speaker,
) -> Option<(String, Option<EntityType>)> {
    const WORDS_BEFORE_NAME: usize = 10;
    const WORDS_AFTER_COMMA: usize = 3;
    // An organisation's role noun ("the company") is no person's title.
    if speaker.entity != Some(EntityType::Per) {
        return None;
    }
    // A person's titles: "компании" in "представители нефтяной компании" is whose.
    let is_title = |t: usize| doc.is_person_title(&doc.keys[t]);
    let roles: Vec<&str> = speaker
        .tokens
        .clone()
        .filter(|&t| is_title(t))
        .map(|t| doc.keys[t].as_str())
        .collect();
    if roles.is_empty() {
        return None;
    }
    // A title after another is that one's dependent ("заместитель мэра" is no mayor).
    let has_role = |t: usize| {
        is_title(t)
            && !(t > 0 && is_title(t - 1))
            && roles.iter().any(|r| same_word(r, &doc.keys[t]))
    };
    // The words that follow the first role noun in the mention say whose role it is
    // ("представитель оперативной группы" is not the "представитель ФСБ" named before):
    // the first two must come with the name too.
    let first_role = speaker.tokens.clone().find(|&t| is_title(t))?;
    let dependents: Vec<&str> = (first_role + 1..speaker.tokens.end)
        .take_while(|&t| doc.is_word(t) && !is_title(t))
        .take(2)
        .map(|t| doc.keys[t].as_str())
        .collect();
    let mention = speaker.tokens.start;
    let sentences = &doc.segmented.sentences;
    let person = doc.entities.iter().rposition(|e| {
        if e.kind != EntityType::Per || e.tokens.end > mention {
            return false;
        }
        let Some(sentence) = sentences.get(e.sentence) else {
            return false;
        };
        // The title stands right before the name, with its dependents: no verb, cue or
        // clause word between ("помощник президента РФ Сергей Ястржембский").
        let before = || {
            (sentence
                .tokens
                .start
                .max(e.tokens.start.saturating_sub(WORDS_BEFORE_NAME))..e.tokens.start)
                .rev()
                .take_while(|&t| {
                    !doc.is_sentence_final(t)
                        && (!doc.is_boundary_word(t) || doc.is(t, CueKind::Conjunction))
                })
        };
        // After the name only an apposition: words up to a cue, a clause word or an adverb
        // ("Yarov, the chairman," but not "Гезоева, - сообщил источник", "Арафата, однако
        // представители Израиля").
        let after_comma = || {
            (e.tokens.end < sentence.tokens.end && doc.is_comma(e.tokens.end))
                .then(|| {
                    (e.tokens.end + 1
                        ..(e.tokens.end + 1 + WORDS_AFTER_COMMA).min(sentence.tokens.end))
                        .take_while(|&t| {
                            doc.is_word(t) && !doc.is_boundary_word(t) && !doc.is(t, CueKind::Skip)
                        })
                })
                .into_iter()
                .flatten()
        };
        // The role nouns inside the tagger's entity count too ("Nazir Ceyhun Bayramov").
        let window = || e.tokens.clone().chain(before()).chain(after_comma());
        window().any(has_role)
            && dependents
                .iter()
                .all(|d| window().any(|t| same_word(d, &doc.keys[t])))
    })?;
    let entity = &doc.entities[person];
    let tokens = doc.without_roles(entity.tokens.clone());
    let (s, e) = doc.span(tokens);
    Some((full_name(doc, &doc.text[s..e]), Some(EntityType::Per)))
}

/// The unnamed speaker an earlier claim named with the same title, of the same number ("a
/// spokesman said ... The spokesman, reacting to ..., said"): the nearest such claim's
/// mention; none for "another" (lexicon kind `other_referent`).
fn same_unnamed(
    doc: &DocView<'_>,
    earlier: &[Attribution],
    groups: &[bool],
    speaker: &Speaker,
    cue: ByteSpan,
) -> Option<(String, Option<EntityType>)> {
    // "another official", "Other sources", "другой представитель": someone else.
    if speaker
        .tokens
        .clone()
        .any(|t| doc.is(t, CueKind::OtherReferent))
    {
        return None;
    }
    let plural = |key: &str| is_plural_word(doc, key);
    let titles: Vec<&str> = speaker
        .tokens
        .clone()
        .filter(|&t| doc.is(t, CueKind::Role))
        .map(|t| doc.keys[t].as_str())
        .collect();
    // Its own modifiers must be there too ("Ministry sources" are not "banking sources").
    let modifiers: Vec<&str> = speaker
        .tokens
        .clone()
        .filter(|&t| {
            doc.is_word(t)
                && !doc.is(t, CueKind::Role)
                && !doc.is(t, CueKind::Determiner)
                && !doc.is(t, CueKind::Anonymous)
        })
        .map(|t| doc.keys[t].as_str())
        .collect();
    let mention_start = doc.segmented.tokens[speaker.tokens.start].start;
    let plural_mention = is_plural_mention(doc, speaker.tokens.clone(), cue);
    let (a, _) = earlier.iter().zip(groups).rev().find(|&(a, &group)| {
        let Some((s, e)) = a.speaker.filter(|&(s, _)| s < mention_start) else {
            return false;
        };
        let mention = &doc.text[s..e];
        let words = span_keys(doc, (s, e));
        if !modifiers
            .iter()
            .all(|m| words.iter().any(|w| same_word(m, w)))
        {
            return false;
        }
        // The English head noun ends its phrase ("an official communique" is no official).
        let heads = if doc.lang == Lang::En {
            &words[words.len().saturating_sub(1)..]
        } else {
            words
        };
        a.speaker_form == Some(SpeakerForm::Role)
            && a.speaker_resolved.as_deref() == Some(mention)
            // "one of the officials" is not "the officials".
            && group == plural_mention
            && heads.iter().any(|key| {
                titles
                    .iter()
                    .any(|t| same_word(t, key) && plural(t) == plural(key))
            })
    })?;
    Some((a.speaker_resolved.clone()?, a.speaker_type))
}

/// The tokens that start inside a byte span (a claim's speaker).
fn span_tokens(doc: &DocView<'_>, (start, end): ByteSpan) -> Range<usize> {
    let tokens = &doc.segmented.tokens;
    tokens.partition_point(|t| t.start < start)..tokens.partition_point(|t| t.start < end)
}

/// The match keys of the tokens that start inside a byte span (a claim's speaker).
fn span_keys<'d>(doc: &'d DocView<'_>, span: ByteSpan) -> &'d [String] {
    &doc.keys[span_tokens(doc, span)]
}

/// Whether a word is plural: lexicon kinds `plural` ("they", "police") and `plural_ending`
/// ("sources", "источники", "mənbələr").
fn is_plural_word(doc: &DocView<'_>, key: &str) -> bool {
    doc.lexicon.is(key, CueKind::Plural) || doc.lexicon.has_ending(key, CueKind::PluralEnding)
}

/// Whether a speaker mention stands for more than one: it joins words with a conjunction
/// ("underwriters and traders", "De Havilland and Short Brothers"), lists names ("Hush
/// Puppies, Kodiak, and Santana") or its head noun is
/// plural ("dealers", "the officials", "BNL officials", "Sources close to ...", "они").
/// The head is in the mention's first phrase (up to a preposition or punctuation), outside
/// names: in Russian its first role noun ("представители МИД России"), else its last word;
/// elsewhere its last word ("official figures", "Prezident Administrasiyasının rəsmiləri")
/// or any role noun ("Sources close to ..."). In Russian an ending or a conjunction makes a
/// group only with a plural verb in `cue` ("заявили"): "пресс-службы" is also a genitive.
fn is_plural_mention(doc: &DocView<'_>, tokens: Range<usize>, cue: ByteSpan) -> bool {
    let end = tokens
        .clone()
        .find(|&t| {
            !doc.is_word(t)
                || doc.is(t, CueKind::Possessive)
                || doc.is(t, CueKind::Preposition)
                || doc.is(t, CueKind::Agent)
                || doc.is(t, CueKind::Relative)
        })
        .unwrap_or(tokens.end);
    let phrase = tokens.start..end;
    let common = |t: &usize| doc.entity_at[*t].is_none();
    // A Russian noun's plural ending is also a singular's genitive ("пресс-службы",
    // "компании"), and a conjunction may join the words of a title ("археолог из Музея и
    // Художественной галереи"): in Russian the verb must be plural too ("заявили", lexicon
    // kind `plural_verb_ending`).
    let verb_agrees = || {
        doc.lang != Lang::Ru
            || span_tokens(doc, cue).any(|t| doc.ends_in_any(t, &[CueKind::PluralVerbEnding]))
    };
    let joined = (phrase.start + 1..phrase.end.saturating_sub(1))
        .any(|t| common(&t) && doc.is(t, CueKind::Conjunction));
    // Past the first phrase, a name after ", and" ("Lee Hamilton, chairman of the House
    // committee, and Daniel Inoyue"), or a list of names and titles alone ("James
    // Mitchell, William Richardson and Steven Duin"); not names inside a description
    // ("head of research at stockbrokers Phillips and Drew").
    let names_only = |t: usize| {
        !common(&t)
            || !doc.is_word(t)
            || doc.is_cap(t)
            || doc.is(t, CueKind::Determiner)
            || doc.is(t, CueKind::Role)
            || doc.is(t, CueKind::Possessive)
    };
    let listed = || {
        (tokens.start + 1..tokens.end.saturating_sub(1)).any(|t| {
            let next = doc.entity_at[t + 1]
                .map(|e| &doc.entities[e])
                .filter(|e| e.tokens.start == t + 1 && e.kind != EntityType::Loc);
            common(&t)
                && doc.is(t, CueKind::Conjunction)
                && next.is_some_and(|next| {
                    doc.is_comma(t - 1)
                        || doc.entity_at[t - 1].is_some_and(|e| doc.entities[e].kind == next.kind)
                            && (tokens.start..t).all(names_only)
                })
        })
    };
    if (joined || listed()) && verb_agrees() {
        return true;
    }
    let plural = |t: usize| {
        let key = &doc.keys[t];
        doc.lexicon.is(key, CueKind::Plural)
            || doc.lexicon.has_ending(key, CueKind::PluralEnding) && verb_agrees()
    };
    let mut roles = phrase
        .clone()
        .filter(common)
        .filter(|&t| doc.is(t, CueKind::Role));
    if doc.lang == Lang::Ru {
        // The head noun comes first, its genitives after it.
        return roles
            .next()
            .or_else(|| phrase.clone().last().filter(common))
            .is_some_and(plural);
    }
    // The head noun ends the phrase ("official figures"), but for an adjective after it
    // ("Sources close to ...").
    phrase.clone().last().filter(common).is_some_and(plural) || roles.any(plural)
}

/// Whether a role mention is someone the text does not name (lexicon kind `anonymous`:
/// "источник", "sources", "another", "a spokesman", "digər"): it resolves only to a person
/// introduced with its role noun, never to the nearest name.
fn is_anonymous(doc: &DocView<'_>, speaker: &Speaker) -> bool {
    speaker
        .tokens
        .clone()
        .any(|t| doc.is(t, CueKind::Anonymous))
}

/// Whether an organisation's role mention names its organisation ("пресс-службе пожарной
/// охраны города", tagged as an organisation): it stands for itself.
fn names_organisation(doc: &DocView<'_>, speaker: &Speaker) -> bool {
    speaker.entity == Some(EntityType::Org)
        && speaker
            .tokens
            .clone()
            .any(|t| doc.entity_at[t].is_some_and(|e| doc.entities[e].kind == EntityType::Org))
}

/// Whether an English title names whose it is after a preposition ("The head of the
/// International Monetary Fund", "A spokesman for Exxon Corp"): unless the document
/// introduced a person with it, the mention says all there is, not the nearest name.
fn names_whose_title(doc: &DocView<'_>, speaker: &Speaker) -> bool {
    doc.lang == Lang::En
        && speaker
            .tokens
            .clone()
            .any(|t| doc.is(t, CueKind::Preposition))
        && speaker.tokens.clone().any(|t| doc.entity_at[t].is_some())
}

/// Whether a role mention is a news outlet's generic noun ("агентство", "the agency":
/// lexicon kind `media`).
fn names_media(doc: &DocView<'_>, speaker: &Speaker) -> bool {
    speaker.tokens.clone().any(|t| doc.is(t, CueKind::Media))
}

/// The outlet an outlet's generic noun points back to ("..., сообщает РИА «Новости» ... ,
/// сообщает агентство"): the nearest earlier claim's `reported_by`, else the speaker of
/// an earlier outlet's verb.
fn last_outlet(
    doc: &DocView<'_>,
    earlier: &[Attribution],
    speaker: &Speaker,
) -> Option<(String, Option<EntityType>)> {
    let mention_start = doc.segmented.tokens[speaker.tokens.start].start;
    earlier
        .iter()
        .rev()
        .filter(|a| a.cue.0 < mention_start)
        .find_map(|a| {
            if let Some((s, e)) = a.reported_by {
                return Some(doc.text[s..e].to_string());
            }
            let (s, e) = a.cue;
            let cue = doc.lang.match_key(&doc.text[s..e]);
            let report = doc.lexicon.is(&cue, CueKind::Report);
            report
                .then(|| a.speaker_resolved.clone())
                .flatten()
                .filter(|name| name.chars().next().is_some_and(char::is_uppercase))
                .filter(|_| !matches!(a.speaker_type, Some(EntityType::Per | EntityType::Loc)))
        })
        .map(|name| (name, Some(EntityType::Org)))
}

/// Whom a quotation without a speaker mention is by: the nearest earlier claim's named
/// speaker, else the nearest earlier person the tagger found.
fn zero_referent(
    doc: &DocView<'_>,
    earlier: &[Attribution],
    cue_start: usize,
) -> Option<(String, Option<EntityType>)> {
    let from_claims = earlier.iter().rev().find(|a| {
        a.speaker_form == Some(SpeakerForm::Named)
            && matches!(a.speaker_type, Some(EntityType::Per | EntityType::Org))
            && a.cue.0 < cue_start
            && a.speaker_resolved.is_some()
    });
    if let Some(a) = from_claims {
        return Some((a.speaker_resolved.clone()?, a.speaker_type));
    }
    let person = doc
        .entities
        .iter()
        .rposition(|e| e.end <= cue_start && e.kind == EntityType::Per)?;
    let entity = &doc.entities[person];
    Some((
        full_name(doc, &doc.text[entity.start..entity.end]),
        Some(EntityType::Per),
    ))
}

/// The name a speaker phrase is about, when the phrase ends with it in apposition: "chairman
/// of the commission Ramid Namazov", "Clinton's campaign manager Robby Mook" (as the
/// labeller marks speakers), a bracketed ticker or party after it aside. Not when the name
/// depends on the head: after a preposition or inside quotes ("representatives of
/// Gazprom", "компании «Газпром»"); an English phrase then has its head before the
/// preposition ("Stephen Slifer of Shearson Lehman"). In Russian and Azerbaijani, whose
/// names often stand in the genitive after their head, only role words may precede the name
/// ("министр Иван Петров"), and not a person's title before an organisation. None for a
/// group ([`is_plural_mention`]); an English name before a comma first
/// ([`apposition_head`]).
fn head_entity(doc: &DocView<'_>, speaker: &Speaker, cue: ByteSpan) -> Option<usize> {
    // Names joined ("S and P", "Baker and Volcker") or after a plural head ("Sources close
    // to Deputy Prime Minister Arnaldo Forlani"): the mention is no one name.
    if is_plural_mention(doc, speaker.tokens.clone(), cue) {
        return None;
    }
    if doc.lang == Lang::En
        && let Some(e) = apposition_head(doc, speaker, cue)
    {
        return Some(e);
    }
    let tokens = without_trailing_brackets(doc, speaker.tokens.clone());
    let last = (tokens.start..tokens.end).rev().find(|&t| doc.is_word(t))?;
    let e = doc.entity_at[last]?;
    let entity = &doc.entities[e];
    if entity.tokens.end != last + 1 || entity.tokens.start < tokens.start {
        return None;
    }
    if entity.tokens.start == tokens.start {
        return Some(e);
    }
    // A determiner between: "The head of the International Monetary Fund".
    let before = doc.before_determiners(entity.tokens.start, tokens.start)?;
    if doc.is(before, CueKind::Preposition)
        || doc.is(before, CueKind::Agent)
        || doc.is_quote_token(before) && doc.inside_quote[entity.tokens.start]
        || doc.is(before, CueKind::Possessive) && doc.lang != crate::document::Lang::En
    {
        // In English the words before the preposition hold the head: "William Johnson of
        // the Jofree Corp", "Senate Republican Leader Robert Dole of Kansas" (not "Analysts
        // polled by Reuters", "A Fiat spokesman contacted by Reuters").
        if doc.lang != Lang::En || before <= tokens.start {
            return None;
        }
        let before_preposition = Speaker {
            tokens: tokens.start..before,
            ..speaker.clone()
        };
        return head_entity(doc, &before_preposition, cue)
            .or_else(|| opening_name(doc, tokens.start..before));
    }
    let only_roles = (tokens.start..entity.tokens.start)
        .all(|t| doc.is(t, CueKind::Role) || doc.is(t, CueKind::Determiner));
    // In Russian and Azerbaijani an organisation after a person's title is whose title it
    // is ("президент Ассоциации российских банков (АРБ)"), not the speaker.
    let title_of_organisation = doc.lang != Lang::En
        && entity.kind != EntityType::Per
        && (tokens.start..entity.tokens.start).any(|t| doc.is_person_title(&doc.keys[t]));
    (doc.lang == Lang::En || only_roles && !title_of_organisation).then_some(e)
}

/// The person or organisation that opens `tokens` (after determiners) and ends within them,
/// not as a possessor ("Zorinsky's replacement").
fn opening_name(doc: &DocView<'_>, tokens: Range<usize>) -> Option<usize> {
    let first = tokens.clone().find(|&t| !doc.is(t, CueKind::Determiner))?;
    let e = doc.entity_at[first]?;
    let name = &doc.entities[e];
    (name.tokens.start == first
        && name.tokens.end <= tokens.end
        && matches!(name.kind, EntityType::Per | EntityType::Org)
        && !(name.tokens.end < tokens.end && doc.is(name.tokens.end, CueKind::Possessive)))
    .then_some(e)
}

/// A mention without the bracketed groups and commas that end it: a ticker, an
/// abbreviation or a party (`American Express Co <AXP>,`, "the National Association of
/// Realtors (NAR)", "Sen. Charles Grassley (R-Iowa)"), which are not whom it names.
fn without_trailing_brackets(doc: &DocView<'_>, tokens: Range<usize>) -> Range<usize> {
    let mut end = tokens.end;
    while end > tokens.start + 1 {
        let last = doc.word(end - 1);
        if last == "," {
            end -= 1;
            continue;
        }
        let Some(opener) = opener_of(last) else {
            break;
        };
        match (tokens.start + 1..end - 1)
            .rev()
            .find(|&t| doc.word(t) == opener)
        {
            Some(open) => end = open,
            None => break,
        }
    }
    tokens.start..end
}

/// The name an English mention opens before a comma, whose apposition only describes it
/// ("Bergsten, now the director of the Institute for International Economics,", "House
/// Budget Committee Chairman William Gray, a Democrat,", "The Belcher Co of New York, a
/// subsidiary of Coastal Corp"): the head of the words before the first comma, else the
/// organisation or person that opens them (not a possessor: "Zorinsky's replacement,
/// Republican David Karnes"). Not when a title and a name close the mention ("Chicago Board
/// of Trade, CBT, chairman Karsten Mahlmann").
fn apposition_head(doc: &DocView<'_>, speaker: &Speaker, cue: ByteSpan) -> Option<usize> {
    let tokens = speaker.tokens.clone();
    let comma = tokens.clone().find(|&t| doc.is_comma(t))?;
    if comma == tokens.start {
        return None;
    }
    let last = tokens.end - 1;
    let closing_title = doc.is_word(last)
        && doc.entity_at[last].is_some_and(|e| {
            let name = &doc.entities[e];
            name.kind == EntityType::Per
                && name.tokens.end == tokens.end
                && name.tokens.start > comma + 1
                && doc.is(name.tokens.start - 1, CueKind::Role)
        });
    if closing_title {
        return None;
    }
    let opening = Speaker {
        tokens: tokens.start..comma,
        ..speaker.clone()
    };
    head_entity(doc, &opening, cue).or_else(|| opening_name(doc, tokens.start..comma))
}

/// The antecedent of a relative pronoun speaker ("Baku TV, which accused ..."): the entity
/// that ends just before it (a comma or bracket between), else the last entity earlier in
/// its sentence.
fn antecedent(doc: &DocView<'_>, speaker: &Speaker) -> Option<usize> {
    let mention = speaker.tokens.start;
    let sentence = doc
        .segmented
        .sentences
        .iter()
        .find(|s| s.tokens.contains(&mention))?;
    let near = (sentence.tokens.start..mention)
        .rev()
        .take(3)
        .find_map(|t| doc.entity_at[t]);
    near.or_else(|| {
        (sentence.tokens.start..mention)
            .rev()
            .find_map(|t| doc.entity_at[t])
    })
}

fn referent(
    doc: &DocView<'_>,
    earlier: &[Attribution],
    groups: &[bool],
    speaker: &Speaker,
    cue: ByteSpan,
    wanted: Option<EntityType>,
) -> Option<(String, Option<EntityType>)> {
    let mention_start = doc.segmented.tokens[speaker.tokens.start].start;
    let entity_name = |e: usize| {
        let entity = &doc.entities[e];
        (
            full_name(doc, &doc.text[entity.start..entity.end]),
            Some(entity.kind),
        )
    };
    if speaker.tokens.len() == 1
        && doc
            .lexicon
            .is(&doc.keys[speaker.tokens.start], CueKind::Relative)
    {
        return antecedent(doc, speaker).map(entity_name);
    }
    if wanted == Some(EntityType::Org) {
        let sentence = doc
            .segmented
            .sentences
            .iter()
            .position(|s| s.tokens.contains(&speaker.tokens.start))?;
        let first_org = doc.entities.iter().position(|e| {
            e.sentence == sentence && e.kind == EntityType::Org && e.end <= mention_start
        });
        if let Some(e) = first_org {
            return Some(entity_name(e));
        }
    }
    let pronoun = speaker.form == SpeakerForm::Pronoun;
    // The earlier claims, nearest first, with whether their speaker is a group.
    let before = || {
        earlier.iter().zip(groups).rev().filter(|(a, _)| {
            a.speaker_resolved.is_some() && a.speaker.is_some_and(|(s, _)| s < mention_start)
        })
    };
    let is_named = |a: &Attribution| {
        a.speaker_resolved
            .as_deref()
            .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase))
    };
    if pronoun && is_plural_mention(doc, speaker.tokens.clone(), cue) {
        // "they", "они", "onlar": the nearest group that spoke before ("dealers said ...
        // they said"), else the nearest named organisation; never one person.
        let (group, _) = before().find(|&(_, &group)| group).or_else(|| {
            before().find(|(a, _)| {
                a.speaker_form != Some(SpeakerForm::Phrase)
                    && a.speaker_type == Some(EntityType::Org)
                    && is_named(a)
            })
        })?;
        return Some((group.speaker_resolved.clone()?, group.speaker_type));
    }
    let from_claims = before().find(|&(a, &group)| {
        a.speaker_form != Some(SpeakerForm::Phrase)
            && compatible(wanted, a.speaker_type)
            // "he", "it", "the official" is one: not a group that spoke ("U.S. officials",
            // "Sources close to Arnaldo Forlani"). (Plural role nouns never get here.)
            && !group
            && {
                // An unnamed speaker stands for itself ("A company spokesman"): a pronoun
                // may point to it ("... he said"), a role noun may not.
                let unnamed = a.speaker_form == Some(SpeakerForm::Role)
                    && a.speaker.map(|(s, e)| &doc.text[s..e]) == a.speaker_resolved.as_deref();
                if unnamed {
                    pronoun
                } else {
                    is_named(a)
                }
            }
    });
    if let Some((a, _)) = from_claims {
        return Some((
            full_name(doc, a.speaker_resolved.as_deref()?),
            a.speaker_type,
        ));
    }
    doc.entities
        .iter()
        .rposition(|e| {
            e.end <= mention_start && compatible(wanted, Some(e.kind)) && e.kind != EntityType::Loc
        })
        .map(entity_name)
}

/// The longest name of the document that ends with `name` ("Namazov" → "Ramid Namazov"):
/// news give a person's full name once and the surname after. In Russian and Azerbaijani,
/// a person named in an oblique case ("По словам Игоря Мельникова", "Əliyevin") takes the
/// document's own mention of the same words in their base form ([`base_form`]).
fn full_name(doc: &DocView<'_>, name: &str) -> String {
    let name = name.trim();
    let mut best = name;
    for entity in doc.entities {
        let tokens = doc.without_roles(entity.tokens.clone());
        let all = &doc.segmented.tokens;
        let candidate = &doc.text[all[tokens.start].start..all[tokens.end - 1].end];
        if candidate.len() > best.len()
            && candidate.ends_with(name)
            && candidate[..candidate.len() - name.len()].ends_with(' ')
        {
            best = candidate;
        }
    }
    if matches!(doc.lang, Lang::Ru | Lang::Az)
        && let Some(base) = base_form(doc, best)
    {
        return base;
    }
    without_media_noun(doc, best).to_string()
}

/// The person the document names with the same words as `name` in a more basic form
/// ([`more_basic`] for every word, and not all the same): "Игорь Мельников" for "Игоря
/// Мельникова", "Владимир Путин" for "Путину", "Əliyev" for "Əliyevin"; a surname seen only
/// in oblique forms stays as written ("Пичугин", not "Алексея Пичугина"). Among matches the
/// one with more words, then the shortest, then the first, stands for them. `None` when the
/// document has no such form.
fn base_form(doc: &DocView<'_>, name: &str) -> Option<String> {
    const MAX_NAME_WORDS: usize = 3;
    let words: Vec<String> = name.split(' ').map(|w| doc.lang.match_key(w)).collect();
    if words.is_empty() || words.len() > MAX_NAME_WORDS {
        return None;
    }
    let all = &doc.segmented.tokens;
    let mut best: Option<(usize, usize, &str)> = None;
    for entity in doc.entities.iter().filter(|e| e.kind == EntityType::Per) {
        let tokens = doc.without_roles(entity.tokens.clone());
        // The words of the name, as keys: the view's token keys (no allocation).
        let cwords = &doc.keys[tokens.clone()];
        if cwords.len() < words.len() || cwords.len() > MAX_NAME_WORDS {
            continue;
        }
        let aligned = &cwords[cwords.len() - words.len()..];
        let basic = words
            .iter()
            .zip(aligned)
            .all(|(m, c)| more_basic(doc.lexicon, c, m));
        if !basic || (aligned == words.as_slice() && cwords.len() == words.len()) {
            continue;
        }
        let candidate = &doc.text[all[tokens.start].start..all[tokens.end - 1].end];
        let length = candidate.chars().count();
        if best.is_none_or(|(w, l, _)| cwords.len() > w || (cwords.len() == w && length < l)) {
            best = Some((cwords.len(), length, candidate));
        }
    }
    best.map(|(_, _, base)| base.to_string())
}

/// Whether `candidate` is `mention` itself or a more basic form of the same word (match
/// keys): the mention with an ending of up to three letters added ("путин" → "путину",
/// "əliyev" → "əliyevin"), or the same stem with a base ending (lexicon kind
/// `name_base_ending`: "-ь", "-а") where the mention has an oblique one
/// (`name_oblique_ending`: "игорь" → "игоря", "малявина" → "малявиной").
fn more_basic(lexicon: &CueLexicon, candidate: &str, mention: &str) -> bool {
    if candidate == mention {
        return true;
    }
    let letters = candidate.chars().count();
    if letters < 3 {
        return false;
    }
    let extra = mention.chars().count().saturating_sub(letters);
    if (1..=3).contains(&extra) && mention.starts_with(candidate) {
        return true;
    }
    let Some((last, _)) = candidate.char_indices().last() else {
        return false;
    };
    let stem = &candidate[..last];
    if !mention.starts_with(stem) || mention.len() == stem.len() {
        return false;
    }
    lexicon.is_ending(&candidate[last..], CueKind::NameBaseEnding)
        && lexicon.is_ending(&mention[stem.len()..], CueKind::NameObliqueEnding)
}

/// Drops generic media nouns (lexicon kind `media`) from the end of an outlet's name that
/// already names it by its web address: "Baku.tv TV" → "Baku.tv", while "Baku TV" stays.
fn without_media_noun<'n>(doc: &DocView<'_>, name: &'n str) -> &'n str {
    let mut name = name;
    while let Some((head, last)) = name.rsplit_once(' ') {
        let media = doc.lexicon.is(&doc.lang.match_key(last), CueKind::Media);
        if !(media && head.split(' ').any(is_web_address)) {
            break;
        }
        name = head.trim_end();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Entity, Lang};
    use crate::resources::{Resources, bundled_models_dir};
    use crate::segment::segment;
    use std::ops::Range;

    /// Runs `check` on a document view of `text` with the given (name, type) entities and
    /// the token range of `phrase` (its first occurrence).
    fn with_view(
        text: &str,
        lang: Lang,
        names: &[(&str, EntityType)],
        phrase: &str,
        check: impl FnOnce(&DocView<'_>, Range<usize>),
    ) {
        let resources = Resources::load(&bundled_models_dir()).expect("models load");
        let data = resources.language(lang);
        let segmented = segment(text, lang, &data.abbreviations);
        let tokens_of = |s: &str| {
            let start = text.find(s).expect("in text");
            let end = start + s.len();
            let first = segmented.tokens.iter().position(|t| t.start == start);
            let last = segmented.tokens.iter().position(|t| t.end == end);
            (
                start,
                end,
                first.expect("token start")..last.expect("token end") + 1,
            )
        };
        let entities: Vec<Entity> = names
            .iter()
            .map(|&(name, kind)| {
                let (start, end, tokens) = tokens_of(name);
                Entity {
                    sentence: 0,
                    tokens,
                    start,
                    end,
                    kind,
                    confidence: 1.0,
                }
            })
            .collect();
        let view = DocView::new(text, lang, &segmented, &entities, &data.cues);
        check(&view, tokens_of(phrase).2);
    }

    fn phrase(tokens: Range<usize>) -> Speaker {
        Speaker {
            tokens,
            form: SpeakerForm::Named,
            entity: None,
        }
    }

    /// The text of the head entity of `mention` in `text`, if any.
    fn head_of(text: &str, names: &[(&str, EntityType)], mention: &str) -> Option<String> {
        let mut out = None;
        with_view(text, Lang::En, names, mention, |doc, t| {
            out = head_entity(doc, &phrase(t), (0, 0))
                .map(|e| text[doc.entities[e].start..doc.entities[e].end].to_string());
        });
        out
    }

    #[test]
    fn a_name_before_a_comma_is_what_its_apposition_describes() {
        let text = "Stephen Lewis, economist at stockbrokers Phillips and Drew, said rates fell.";
        let names = [
            ("Stephen Lewis", EntityType::Per),
            ("Phillips", EntityType::Org),
            ("Drew", EntityType::Org),
        ];
        let mention = "Stephen Lewis, economist at stockbrokers Phillips and Drew,";
        assert_eq!(
            head_of(text, &names, mention).as_deref(),
            Some("Stephen Lewis")
        );
        // A title and a name closing the mention are the speaker.
        let text = "Chicago Board of Trade, CBT, chairman Karsten Mahlmann said volume rose.";
        let names = [
            ("Chicago Board of Trade", EntityType::Org),
            ("Karsten Mahlmann", EntityType::Per),
        ];
        let mention = "Chicago Board of Trade, CBT, chairman Karsten Mahlmann";
        assert_eq!(
            head_of(text, &names, mention).as_deref(),
            Some("Karsten Mahlmann")
        );
        // A possessor opens no apposition: the name after it is the speaker.
        let text = "Zorinsky's replacement, Republican David Karnes, said it would pass.";
        let names = [
            ("Zorinsky", EntityType::Per),
            ("David Karnes", EntityType::Per),
        ];
        let mention = "Zorinsky's replacement, Republican David Karnes";
        assert_eq!(
            head_of(text, &names, mention).as_deref(),
            Some("David Karnes")
        );
        // A party or ticker in brackets ending the mention is not the name.
        let text = "Sen. Charles Grassley (R-Iowa) said the bill would pass.";
        let names = [
            ("Charles Grassley", EntityType::Per),
            ("R-Iowa", EntityType::Org),
        ];
        let mention = "Sen. Charles Grassley (R-Iowa)";
        assert_eq!(
            head_of(text, &names, mention).as_deref(),
            Some("Charles Grassley")
        );
        // A name before a preposition is the head: not its organisation, nor the agent of a
        // participle.
        let text = "Stephen Slifer of Shearson Lehman Brothers Inc said rates would rise. Analysts polled by Reuters said so too.";
        let names = [
            ("Stephen Slifer", EntityType::Per),
            ("Shearson Lehman Brothers Inc", EntityType::Org),
            ("Reuters", EntityType::Org),
        ];
        let mention = "Stephen Slifer of Shearson Lehman Brothers Inc";
        assert_eq!(
            head_of(text, &names, mention).as_deref(),
            Some("Stephen Slifer")
        );
        assert_eq!(head_of(text, &names, "Analysts polled by Reuters"), None);
        // Names listed together are no one name.
        let text = "James Mitchell, William Richardson and Steven Duin said they would sell.";
        let names = [
            ("James Mitchell", EntityType::Per),
            ("William Richardson", EntityType::Per),
            ("Steven Duin", EntityType::Per),
        ];
        let mention = "James Mitchell, William Richardson and Steven Duin";
        assert_eq!(head_of(text, &names, mention), None);
    }

    #[test]
    fn a_phrase_resolves_to_the_name_in_apposition_at_its_end() {
        let text = "Clinton's campaign manager Robby Mook said it was over.";
        let names = [
            ("Clinton", EntityType::Per),
            ("Robby Mook", EntityType::Per),
        ];
        with_view(
            text,
            Lang::En,
            &names,
            "Clinton's campaign manager Robby Mook",
            |doc, t| {
                let head = head_entity(doc, &phrase(t), (0, 0)).expect("a head");
                assert_eq!(
                    &text[doc.entities[head].start..doc.entities[head].end],
                    "Robby Mook"
                );
            },
        );
        with_view(text, Lang::En, &names, "Clinton's campaign", |doc, t| {
            assert_eq!(
                head_entity(doc, &phrase(t), (0, 0)),
                None,
                "a possessor is no head"
            );
        });
        let text = "Representatives of Gazprom said prices would rise.";
        with_view(
            text,
            Lang::En,
            &[("Gazprom", EntityType::Org)],
            "Representatives of Gazprom",
            |doc, t| {
                assert_eq!(
                    head_entity(doc, &phrase(t), (0, 0)),
                    None,
                    "a name after a preposition"
                );
            },
        );
        let text = "Представители компании «Газпром» отметили рост.";
        with_view(
            text,
            Lang::Ru,
            &[("Газпром", EntityType::Org)],
            "Представители компании «Газпром»",
            |doc, t| {
                assert_eq!(
                    head_entity(doc, &phrase(t), (0, 0)),
                    None,
                    "a quoted name depends on its head"
                );
            },
        );
        let text = "Министр Иван Петров заявил, что всё хорошо.";
        with_view(
            text,
            Lang::Ru,
            &[("Иван Петров", EntityType::Per)],
            "Министр Иван Петров",
            |doc, t| {
                assert!(
                    head_entity(doc, &phrase(t), (0, 0)).is_some(),
                    "a role word before a name"
                );
            },
        );
    }

    #[test]
    fn a_relative_pronoun_resolves_to_its_antecedent() {
        let text = "Hackers hit the servers of Baku TV, which accused Russian House of spying.";
        let names = [
            ("Baku TV", EntityType::Org),
            ("Russian House", EntityType::Org),
        ];
        with_view(text, Lang::En, &names, "which", |doc, t| {
            let e = antecedent(doc, &phrase(t)).expect("an antecedent");
            assert_eq!(&text[doc.entities[e].start..doc.entities[e].end], "Baku TV");
        });
    }

    #[test]
    fn a_media_noun_goes_only_after_a_web_address() {
        let text = "The Baku.tv TV channel and Baku TV reported it.";
        with_view(text, Lang::En, &[], "Baku TV", |doc, _| {
            assert_eq!(without_media_noun(doc, "Baku.tv TV"), "Baku.tv");
            assert_eq!(without_media_noun(doc, "Baku.tv TV channel"), "Baku.tv");
            assert_eq!(without_media_noun(doc, "Baku TV"), "Baku TV");
            assert_eq!(without_media_noun(doc, "U.S. TV"), "U.S. TV");
        });
    }

    #[test]
    fn a_more_basic_form_is_the_word_without_its_case_ending() {
        let resources = Resources::load(&bundled_models_dir()).expect("models load");
        let lexicon = &resources.language(Lang::Ru).cues;
        let basic = |c: &str, m: &str| more_basic(lexicon, c, m);
        assert!(basic("путин", "путину"));
        assert!(basic("мельников", "мельникова"));
        assert!(basic("игорь", "игоря"));
        assert!(basic("сергей", "сергеем"));
        assert!(basic("малявина", "малявиной"));
        assert!(basic("софья", "софьи"));
        assert!(basic("əliyev", "əliyevin"));
        assert!(basic("корреа", "корреа"));
        // Another oblique form, a different name, or a longer word are not.
        assert!(!basic("алехину", "алехиной"));
        assert!(!basic("рафаэля", "рафаэль"));
        assert!(!basic("пичугина", "пичугин"));
        assert!(!basic("олланда", "олландом"));
    }

    #[test]
    fn an_inflected_name_takes_the_documents_base_form() {
        let text = "Министр Игорь Мельников выступил. Пичугин молчал. Позже Алексея Пичугина вызвали. По словам Игоря Мельникова, рост будет.";
        let names = [
            ("Игорь Мельников", EntityType::Per),
            ("Алексея Пичугина", EntityType::Per),
            ("Игоря Мельникова", EntityType::Per),
            ("Пичугин", EntityType::Per),
        ];
        with_view(
            text,
            Lang::Ru,
            &names,
            "Игоря Мельникова",
            |doc, _| {
                assert_eq!(full_name(doc, "Игоря Мельникова"), "Игорь Мельников");
                assert_eq!(full_name(doc, "Мельникова"), "Игорь Мельников");
                // Only an oblique full form: the surname stays as written.
                assert_eq!(full_name(doc, "Пичугин"), "Пичугин");
            },
        );
    }
}
