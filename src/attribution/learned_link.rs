//! Linking the spans of the learned labeller ([`super::learned`]) into attributions.
//!
//! Per paragraph: every CONTENT span goes to the CUE span nearest to it (token gap, at most
//! [`MAX_CONTENT_GAP`]); the content spans of one cue that lie close together (an
//! interrupted quote: `"A," he said, "B."`) become one content, their hull; a cue takes the
//! nearest SOURCE span of its own sentence. A cue without content gives no attribution (our
//! claims always have a content). Speakers are classified the way the rules classify them, so
//! that [`super::resolve`] can resolve pronouns and role nouns.

use super::cues::CueKind;
use super::learned::{ROLE_CONTENT, ROLE_CUE, ROLE_SOURCE, RoleSpan};
use super::patterns::{DocView, Speaker};
use super::{Attribution, ClaimKind, SpeakerForm};
use std::ops::Range;

/// Content pieces of one cue further apart than this many tokens stay separate claims.
const MAX_PIECE_GAP: usize = 12;
/// A content span further than this many tokens from every cue is dropped.
const MAX_CONTENT_GAP: usize = 40;

/// Token gap between two ranges (0 when adjacent or overlapping).
fn gap(a: &Range<usize>, b: &Range<usize>) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

/// What a speaker span is, as the rules classify speakers.
fn speaker_of(doc: &DocView<'_>, tokens: Range<usize>) -> Speaker {
    let lexicon = doc.lexicon;
    let first_key = &doc.keys[tokens.start];
    if tokens.len() == 1 && lexicon.is(first_key, CueKind::Pronoun) {
        return Speaker {
            entity: lexicon.entity_of(first_key, CueKind::Pronoun).flatten(),
            tokens,
            form: SpeakerForm::Pronoun,
        };
    }
    // A relative pronoun ("Baku TV, which accused ...") resolves to its antecedent.
    if tokens.len() == 1 && lexicon.is(first_key, CueKind::Relative) {
        return Speaker {
            entity: None,
            tokens,
            form: SpeakerForm::Pronoun,
        };
    }
    if let Some(e) = tokens.clone().find_map(|t| doc.entity_at[t]) {
        return Speaker {
            entity: Some(doc.entities[e].kind),
            tokens,
            form: SpeakerForm::Named,
        };
    }
    let last_key = &doc.keys[tokens.end - 1];
    if lexicon.is(last_key, CueKind::Role) {
        return Speaker {
            entity: lexicon.entity_of(last_key, CueKind::Role).flatten(),
            tokens,
            form: SpeakerForm::Role,
        };
    }
    let word = doc.segmented.tokens[tokens.start].text(doc.text);
    let form = if word.chars().next().is_some_and(char::is_uppercase) && tokens.len() <= 4 {
        SpeakerForm::Named
    } else {
        SpeakerForm::Phrase
    };
    Speaker {
        entity: None,
        tokens,
        form,
    }
}

/// Whether a character is a quotation mark.
fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '«' | '»' | '„' | '‘' | '’')
}

/// Links labelled spans into attributions (see the module documentation).
pub(super) fn link(
    doc: &DocView<'_>,
    spans: &[RoleSpan],
    paragraph_of: impl Fn(usize) -> usize,
    sentence_of: impl Fn(usize) -> usize,
    confidence_scale: f32,
) -> Vec<(Attribution, Option<Speaker>)> {
    let cues: Vec<&RoleSpan> = spans.iter().filter(|s| s.role == ROLE_CUE).collect();
    let mut contents_of: Vec<Vec<&RoleSpan>> = vec![Vec::new(); cues.len()];
    for c in spans.iter().filter(|s| s.role == ROLE_CONTENT) {
        let para = paragraph_of(c.tokens.start);
        let best = cues
            .iter()
            .enumerate()
            .filter(|(_, q)| paragraph_of(q.tokens.start) == para)
            .min_by_key(|(_, q)| gap(&q.tokens, &c.tokens));
        if let Some((i, q)) = best
            && gap(&q.tokens, &c.tokens) <= MAX_CONTENT_GAP
        {
            contents_of[i].push(c);
        }
    }
    let tokens = &doc.segmented.tokens;
    let mut out = Vec::new();
    for (cue, mut contents) in cues.into_iter().zip(contents_of) {
        contents.sort_by_key(|c| c.tokens.start);
        let sentence = sentence_of(cue.tokens.start);
        let source = spans
            .iter()
            .filter(|s| s.role == ROLE_SOURCE && sentence_of(s.tokens.start) == sentence)
            .min_by_key(|s| gap(&s.tokens, &cue.tokens));
        // Group the pieces: close pieces are one interrupted content.
        let mut groups: Vec<(Range<usize>, f32)> = Vec::new();
        for c in contents {
            match groups.last_mut() {
                Some((g, m)) if c.tokens.start.saturating_sub(g.end) <= MAX_PIECE_GAP => {
                    g.end = g.end.max(c.tokens.end);
                    *m = m.min(c.margin);
                }
                _ => groups.push((c.tokens.clone(), c.margin)),
            }
        }
        let cue_bytes = (
            tokens[cue.tokens.start].start,
            tokens[cue.tokens.end - 1].end,
        );
        let according = doc
            .lexicon
            .match_at(&doc.keys, cue.tokens.start, |k| {
                matches!(k, CueKind::AccordingBefore | CueKind::AccordingAfter)
            })
            .is_some();
        for (g, margin) in groups {
            let content = (tokens[g.start].start, tokens[g.end - 1].end);
            let text = &doc.text[content.0..content.1];
            let kind = if according {
                ClaimKind::AccordingTo
            } else if text.starts_with(is_quote)
                && text.trim_end_matches(['.', ',']).ends_with(is_quote)
            {
                ClaimKind::Direct
            } else if text.contains(is_quote) {
                ClaimKind::Mixed
            } else {
                ClaimKind::Indirect
            };
            let m = margin.min(cue.margin);
            let speaker = source.map(|s| speaker_of(doc, s.tokens.clone()));
            let attribution = Attribution {
                sentence,
                kind,
                speaker: source
                    .map(|s| (tokens[s.tokens.start].start, tokens[s.tokens.end - 1].end)),
                speaker_form: speaker.as_ref().map(|s| s.form),
                speaker_type: speaker.as_ref().and_then(|s| s.entity),
                speaker_resolved: None,
                cue: cue_bytes,
                content,
                reported_by: None,
                confidence: (1.0 - (-confidence_scale * m).exp()).clamp(0.0, 1.0),
            };
            out.push((attribution, speaker));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_between_token_ranges() {
        assert_eq!(gap(&(0..2), &(5..7)), 3);
        assert_eq!(gap(&(5..7), &(0..2)), 3);
        assert_eq!(gap(&(0..4), &(2..6)), 0);
        assert!(is_quote('“') && !is_quote('a'));
    }
}
