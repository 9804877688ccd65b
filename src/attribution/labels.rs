//! Speech marked by a label instead of a verb:
//! - a headline "Speaker: statement" ("Pence: Gennifer Flowers Won't Be at Debate",
//!   "Путин: Россия не будет ...", "Əliyev: ..."): the one kind of headline that names its
//!   speaker, so the one kind the rules take claims from;
//! - a transcript turn, a line opening with a speaker in capitals and a colon ("WALLACE: Let's
//!   start with ...", "ПУТИН: ..."): the rest of the line is what the speaker said;
//! - a signed quotation, a quotation followed by a dash and a name ("“...” ― Sonya
//!   Herridge"), and an embedded post signed the same way ("text — Paul Ryan (@SpeakerRyan)
//!   July 5, 2016").
//!
//! The cue is the colon or the dash, as PolNeAR annotates these. A colon after a label word
//! (`label` in the lexicon: "UPDATE:", "WATCH:", "ВИДЕО:") is not speech.

use super::doc_view::{DocView, Speaker};
use super::patterns::Candidate;
use super::{ClaimKind, CueKind, SpeakerForm};
use crate::document::EntityType;
use std::ops::Range;

/// A headline speaker ("Former President Bill Clinton") is at most this many tokens.
const MAX_HEADLINE_SPEAKER_TOKENS: usize = 6;
/// A transcript speaker ("KATE BOULDUAN") is at most this many tokens.
const MAX_TURN_SPEAKER_TOKENS: usize = 4;
/// A signature after a dash ("Christina N Luis Olidem") is at most this many tokens.
const MAX_SIGNATURE_TOKENS: usize = 5;
/// A signed quotation has at least this many words.
const MIN_SIGNED_WORDS: usize = 3;

impl DocView<'_> {
    /// The label constructions whose cue is in sentence `s`.
    pub(super) fn label_candidates(&self, s: usize) -> Vec<Candidate> {
        let sentence = &self.segmented.sentences[s];
        let range = sentence.tokens.clone();
        let mut found = Vec::new();
        if sentence.heading {
            found.extend(self.headline_colon(s, &range));
        }
        if !found.is_empty() {
            return found;
        }
        found.extend(self.transcript_turn(s, &range));
        found.extend(self.signed_quotations(s, &range));
        found
    }

    /// "Speaker: statement" in a headline: the speaker is a person or an organisation the
    /// tagger found, ending right before the colon.
    fn headline_colon(&self, s: usize, sentence: &Range<usize>) -> Option<Candidate> {
        let start = (sentence.start..sentence.end).find(|&i| self.is_word(i))?;
        let colon = (start..sentence.end.min(start + MAX_HEADLINE_SPEAKER_TOKENS + 1))
            .find(|&i| self.word(i) == ":")?;
        if colon == start || !(start..colon).all(|i| self.is_word(i)) || self.labelled(start..colon)
        {
            return None;
        }
        let entity = &self.entities[self.entity_at[colon - 1]?];
        if !matches!(entity.kind, EntityType::Per | EntityType::Org) || entity.tokens.end != colon {
            return None;
        }
        let content = self.without_trailing_labels(colon + 1..self.line_end(colon))?;
        if content.clone().filter(|&i| self.is_word(i)).count() < 2 {
            return None;
        }
        let speaker = self.phrase_speaker(&(start..colon));
        let kind = self.kind_of(&content);
        Some(self.candidate(
            s,
            kind,
            Some(speaker),
            colon..colon + 1,
            content,
            0.7,
            false,
        ))
    }

    /// "SPEAKER: words" at the start of a line, in a document with at least two such turns
    /// (one capitalised word and a colon alone is as often a section label or a dateline).
    fn transcript_turn(&self, s: usize, sentence: &Range<usize>) -> Option<Candidate> {
        let (speaker, colon) = self.turn_label(sentence.start)?;
        let turns = self
            .segmented
            .sentences
            .iter()
            .filter(|other| self.turn_label(other.tokens.start).is_some())
            .take(2)
            .count();
        if turns < 2 {
            return None;
        }
        let mut end = self.line_end(colon);
        // A turn quoted whole ("\"PENCE: ... \"") keeps its words, not the marks.
        let opened = (self.line_start(colon)..speaker.start).any(|i| self.is_quote_token(i));
        if opened && end > colon + 1 && self.is_quote_token(end - 1) {
            end -= 1;
        }
        // The turn's words up to the end of the line, its final punctuation included. Speech
        // is written in lower case too; a line of capitals is a table ("PARANA STATE:
        // UMUARAMA NIL, ...").
        let mut content = self.trim_content(colon + 1..end)?.start..end;
        // Tags end the line, perhaps before its final punctuation ("... VİDEO.").
        if self.is(end - 1, CueKind::Label) || self.is(end.saturating_sub(2), CueKind::Label) {
            content = self.without_trailing_labels(content)?;
        }
        let (from, to) = self.span(content.clone());
        if !self.text[from..to].chars().any(char::is_lowercase) {
            return None;
        }
        let speaker = Speaker {
            tokens: speaker,
            form: SpeakerForm::Named,
            entity: Some(EntityType::Per),
        };
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

    /// The speaker tokens and the colon of a transcript turn starting at token `first` (the
    /// first token of a line, after any opening quotation marks).
    fn turn_label(&self, first: usize) -> Option<(Range<usize>, usize)> {
        let n = self.tokens().len();
        if first >= n || !self.breaks_line_before(first) {
            return None;
        }
        let start = (first..n.min(first + 2)).find(|&i| !self.is_quote_token(i))?;
        let colon =
            (start..n.min(start + MAX_TURN_SPEAKER_TOKENS + 1)).find(|&i| self.word(i) == ":")?;
        let speaker = start..colon;
        let shouted = !speaker.is_empty()
            && speaker.clone().all(|i| {
                let w = self.word(i);
                w.chars().filter(|c| c.is_alphabetic()).count() >= 2
                    && w.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
                    && self.is_word(i)
            });
        let words_follow = colon + 1 < n && !self.breaks_line_before(colon + 1);
        (shouted && !self.labelled(speaker.clone()) && words_follow).then_some((speaker, colon))
    }

    /// Quotations signed with a dash in sentence `s`: "“...” ― Name", and a post with its
    /// author's handle: "text — Name (@handle) date".
    fn signed_quotations(&self, s: usize, sentence: &Range<usize>) -> Vec<Candidate> {
        let mut found = Vec::new();
        for dash in sentence.clone() {
            if dash == 0 || !self.is_dash_token(dash) {
                continue;
            }
            let Some((name, handle)) = self.signature(dash + 1) else {
                continue;
            };
            let line = self.line_start(dash);
            let pair = self
                .quotes
                .iter()
                .find(|p| p.close == dash - 1 && p.open >= line);
            let content = if let Some(pair) = pair {
                // A quoted name ("\"Ротора\" - Евгений Алдонин") is not a statement.
                let words = (pair.open..pair.close).filter(|&i| self.is_word(i)).count();
                if words < MIN_SIGNED_WORDS {
                    continue;
                }
                self.quotation(*pair)
            } else if self.is_quote_token(dash - 1) && self.is_quote_token(line) && line < dash - 1
            {
                // A quoted line whose marks do not pair (a closing mark opening it, as in
                // ”...”, or pairs that run across lines without a blank one between).
                line..dash
            } else if handle.is_some() && !self.inside_quote[dash] {
                // The post's words up to the dash, its final punctuation included.
                match self.trim_content(line..dash) {
                    Some(text) => text.start..dash,
                    None => continue,
                }
            } else {
                continue;
            };
            let signed = name.start..handle.map_or(name.end, |h| h.end);
            let entity = name
                .clone()
                .find_map(|i| self.entity_at[i])
                .map(|e| self.entities[e].kind)
                .filter(|&k| k != EntityType::Loc);
            let speaker = Speaker {
                tokens: signed,
                form: SpeakerForm::Named,
                entity: entity.or(Some(EntityType::Per)),
            };
            let kind = self.kind_of(&content);
            found.push(self.candidate(s, kind, Some(speaker), dash..dash + 1, content, 0.8, false));
        }
        found
    }

    /// A signature starting at token `first`: a name (capitalised words, or an entity of the
    /// tagger, a person's or an organisation's) that ends its line, or is followed by a full
    /// stop, a comma (a description: "― John Smith, CEO of ...") or an `(@handle)` (returned
    /// too).
    fn signature(&self, first: usize) -> Option<(Range<usize>, Option<Range<usize>>)> {
        // Every check here looks a few tokens ahead: a long line with many dashes stays
        // linear.
        let n = self.tokens().len();
        let mut end = first;
        while end < n.min(first + MAX_SIGNATURE_TOKENS)
            && (end == first || !self.breaks_line_before(end))
            && self.is_word(end)
            && self
                .word(end)
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        {
            end += 1;
        }
        let name = first..end;
        let entity = name
            .clone()
            .find_map(|i| self.entity_at[i])
            .map(|e| self.entities[e].kind);
        let named = match entity {
            Some(EntityType::Per | EntityType::Org) => true,
            Some(_) => false,
            None => name.len() >= 2,
        };
        if name.is_empty() || !named || self.labelled(name.clone()) {
            return None;
        }
        // Whether the line ends before token `i`.
        let line_ends = |i: usize| i >= n || self.breaks_line_before(i);
        let handle = (!line_ends(end)
            && self.word(end) == "("
            && !line_ends(end + 1)
            && self.word(end + 1).starts_with('@'))
        .then(|| {
            (end + 2..n.min(end + 5))
                .take_while(|&i| !line_ends(i))
                .find(|&i| self.word(i) == ")")
        })
        .flatten()
        .map(|close| end..close + 1);
        let closes = line_ends(end)
            || handle.is_some()
            || self.word(end) == ","
            || (self.word(end) == "." && line_ends(end + 1));
        closes.then_some((name, handle))
    }

    /// Whether a line break separates token `i` from the token before it (or `i` is the
    /// first token).
    fn breaks_line_before(&self, i: usize) -> bool {
        let tokens = self.tokens();
        i == 0 || self.text[tokens[i - 1].end..tokens[i].start].contains('\n')
    }

    /// `tokens` trimmed, without the tags an outlet puts after a headline or a line ("...
    /// saxlanılıb - FOTO - VİDEO", "... MÜSAHİBƏ"): they are not what was said.
    fn without_trailing_labels(&self, tokens: Range<usize>) -> Option<Range<usize>> {
        let mut content = self.trim_content(tokens)?;
        while content.end > content.start + 1 && self.is(content.end - 1, CueKind::Label) {
            content = self.trim_content(content.start..content.end - 1)?;
        }
        Some(content)
    }

    /// Whether a speaker-like range is a label word ("UPDATE", "WATCH", "ВИДЕО").
    fn labelled(&self, tokens: Range<usize>) -> bool {
        tokens.clone().any(|i| self.is(i, CueKind::Label))
    }

    /// The first token of the line that holds token `i`.
    fn line_start(&self, i: usize) -> usize {
        let tokens = self.tokens();
        let mut j = i;
        while j > 0 && !self.text[tokens[j - 1].end..tokens[j].start].contains('\n') {
            j -= 1;
        }
        j
    }

    /// One past the last token of the line that holds token `i`.
    fn line_end(&self, i: usize) -> usize {
        let tokens = self.tokens();
        let mut j = i + 1;
        while j < tokens.len() && !self.text[tokens[j - 1].end..tokens[j].start].contains('\n') {
            j += 1;
        }
        j
    }
}
