//! Linking the spans of the learned labeller ([`super::learned`]) into attributions.
//!
//! Per paragraph: every CONTENT span goes to the CUE span nearest to it (token gap, at most
//! [`MAX_CONTENT_GAP`]); the content spans of one cue that lie close together (an
//! interrupted quote: `"A," he said, "B."`) become one content, their hull (across the cue
//! only when both or neither are quotations, see [`group_pieces`]); a cue takes the nearest
//! SOURCE span of its own sentence, and a source and cue set off by commas inside their
//! content (`Back home, he said, he decided ...`) get the clause before them too. A cue
//! without content gives no attribution (our claims always have a content). A content crosses
//! a paragraph break only after a cue that ends its paragraph with a colon ([`signs_on`]),
//! and runs on over the next paragraphs while each piece fills its paragraph to the end.
//! Speakers are classified the way the rules classify them, so that [`super::resolve`] can
//! resolve pronouns and role nouns.

use super::cues::CueKind;
use super::doc_view::{closer_of, opener_of};
use super::learned::{ROLE_CONTENT, ROLE_CUE, ROLE_SOURCE, RoleSpan};
use super::learned_bounds::ContentSpan;
use super::patterns::{DocView, Speaker};
use super::{Attribution, ClaimKind, SpeakerForm};
use std::ops::Range;

/// Content pieces of one cue further apart than this many tokens stay separate claims.
const MAX_PIECE_GAP: usize = 12;
/// Two quotations on either side of their cue join across a longer speaker description
/// (`"A," said X, a developer who ... . "B."`) up to this many tokens apart.
const MAX_QUOTE_GAP: usize = 30;
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

/// A source span without a bracket at its edge whose partner is outside it ("Parlux
/// Fragrances Inc>", "(Ivaco Inc"). (A comma closing an apposition stays: PolNeAR's sources
/// keep it, "Brian Fallon, the campaign's press secretary,".)
fn trimmed_source(doc: &DocView<'_>, mut tokens: Range<usize>) -> Range<usize> {
    let inside = |tokens: &Range<usize>, mark: &str| tokens.clone().any(|t| doc.word(t) == mark);
    while tokens.len() > 1 {
        let unmatched_closer =
            opener_of(doc.word(tokens.end - 1)).is_some_and(|opener| !inside(&tokens, opener));
        let unmatched_opener =
            closer_of(doc.word(tokens.start)).is_some_and(|closer| !inside(&tokens, closer));
        if unmatched_closer {
            tokens.end -= 1;
        } else if unmatched_opener {
            tokens.start += 1;
        } else {
            break;
        }
    }
    tokens
}

/// A content that stops inside a bracket it opened takes the closing bracket right after it
/// ("... through underwriter Merrill Lynch and Co Inc <MER" | ">"), and one that ends on an
/// opening bracket drops it ("... its major shareholder, <").
fn closed_content(doc: &DocView<'_>, mut tokens: Range<usize>) -> Range<usize> {
    while tokens.len() > 1 && closer_of(doc.word(tokens.end - 1)).is_some() {
        tokens.end -= 1;
    }
    if tokens.end < doc.segmented.tokens.len()
        && let Some(opener) = opener_of(doc.word(tokens.end))
    {
        let closer = doc.word(tokens.end);
        let open = tokens.clone().filter(|&t| doc.word(t) == opener).count();
        let closed = tokens.clone().filter(|&t| doc.word(t) == closer).count();
        if open > closed {
            tokens.end += 1;
        }
    }
    tokens
}

/// Whether a character is a quotation mark.
fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '«' | '»' | '„' | '‘' | '’')
}

/// Whether a content text is one quotation: it opens with a quotation mark and closes with
/// one (before a final comma or full stop).
fn is_quotation(text: &str) -> bool {
    let end = text.trim_end_matches(['.', ',']);
    (text.starts_with(is_quote) || text.starts_with("''"))
        && (end.ends_with(is_quote) || end.ends_with("''"))
}

/// Groups the content pieces of one cue (sorted by start) into contents. Pieces at most
/// [`MAX_PIECE_GAP`] tokens apart are one interrupted content, their hull, with the smallest
/// margin. Across the cue itself, pieces join only when both or neither are quotations
/// (`quoted(range)`): `"A," he said, "B."` (two quotations may then lie up to
/// [`MAX_QUOTE_GAP`] tokens apart, around a long description of the speaker), and
/// `A, he said, B` or `what she called a rant` as PolNeAR annotates them. A quotation and an
/// unquoted piece on either side of the cue are the quotation alone: the other piece is
/// mostly a mislabelled adjunct (`"A," X recalled of the talks`, `Asked about it, X said,
/// "A."`), and the hull would swallow the source and cue. Unquoted pieces join only within
/// one sentence (`same_sentence(a, b)`); in different sentences each is its own content.
fn group_pieces(
    pieces: impl IntoIterator<Item = (Range<usize>, f32)>,
    cue: &Range<usize>,
    quoted: impl Fn(&Range<usize>) -> bool,
    same_sentence: impl Fn(&Range<usize>, &Range<usize>) -> bool,
) -> Vec<(Range<usize>, f32)> {
    let mut groups: Vec<(Range<usize>, f32)> = Vec::new();
    for (piece, margin) in pieces {
        let Some((g, m)) = groups.last_mut().filter(|(g, _)| {
            // Unquoted pieces in different sentences are different statements ("that A.
            // Clinton now says B"), though the labeller may give both to one cue.
            if !same_sentence(g, &piece) && !quoted(g) && !quoted(&piece) {
                return false;
            }
            let gap = piece.start.saturating_sub(g.end);
            gap <= MAX_PIECE_GAP
                || (gap <= MAX_QUOTE_GAP
                    && g.end <= cue.start
                    && cue.end <= piece.start
                    && quoted(g)
                    && quoted(&piece))
        }) else {
            groups.push((piece, margin));
            continue;
        };
        let across_cue = g.end <= cue.start && cue.end <= piece.start;
        if !across_cue || quoted(g) == quoted(&piece) {
            g.end = g.end.max(piece.end);
            *m = m.min(margin);
        } else if quoted(&piece) {
            (*g, *m) = (piece, margin);
        }
    }
    groups
}

/// Whether `cue` ends its paragraph with a colon and `content` opens the next one ("The
/// governor added:" | "It's typical of ..."): a block quotation signed in the paragraph
/// before it, the one content that crosses a paragraph break.
fn signs_on(doc: &DocView<'_>, cue: &RoleSpan, content: &RoleSpan) -> bool {
    let tokens = &doc.segmented.tokens;
    if cue.tokens.end > content.tokens.start {
        return false;
    }
    let cue_text = &doc.text[tokens[cue.tokens.start].start..tokens[cue.tokens.end - 1].end];
    let between = &doc.text[tokens[cue.tokens.end - 1].end..tokens[content.tokens.start].start];
    let mut rest = between
        .chars()
        .filter(|&c| !c.is_whitespace() && !is_quote(c));
    match (rest.next(), rest.next()) {
        (Some(':'), None) => true,
        (None, _) => cue_text.ends_with(':'),
        _ => false,
    }
}

/// Whether token boundary `t` is the edge of its paragraph but for quotation marks and
/// full stops: its start (`t` a first token) or, with `at_end`, its end (`t` one past a
/// last token).
fn edge_of_paragraph(
    doc: &DocView<'_>,
    paragraph_of: &impl Fn(usize) -> usize,
    t: usize,
    at_end: bool,
) -> bool {
    let tokens = &doc.segmented.tokens;
    let skippable = |k: usize| {
        tokens[k]
            .text(doc.text)
            .chars()
            .all(|c| is_quote(c) || c == '.' || c == '…')
    };
    if at_end {
        let Some(inside) = t.checked_sub(1) else {
            return false;
        };
        let para = paragraph_of(inside);
        let mut k = t;
        while k < tokens.len() && paragraph_of(k) == para && skippable(k) {
            k += 1;
        }
        k == tokens.len() || paragraph_of(k) != para
    } else {
        let para = paragraph_of(t);
        let mut k = t;
        while k > 0 && paragraph_of(k - 1) == para && skippable(k - 1) {
            k -= 1;
        }
        k == 0 || paragraph_of(k - 1) != para
    }
}

/// Links labelled spans into attributions (see the module documentation). Every content's
/// token range, once linked, goes through `bounds` (the content-boundary re-ranker, or the
/// identity), which may move its edges.
pub(super) fn link(
    doc: &DocView<'_>,
    spans: &[RoleSpan],
    paragraph_of: impl Fn(usize) -> usize,
    sentence_of: impl Fn(usize) -> usize,
    confidence_scale: f32,
    bounds: &mut dyn FnMut(&ContentSpan) -> Range<usize>,
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
        } else if let Some(i) = cues.iter().position(|q| {
            para > 0 && paragraph_of(q.tokens.start) + 1 == para && signs_on(doc, q, c)
        }) {
            contents_of[i].push(c);
        } else if para > 0
            && edge_of_paragraph(doc, &paragraph_of, c.tokens.start, false)
            && let Some(i) = (0..cues.len()).find(|&i| {
                // A block quotation running on: the cue's last piece crossed a paragraph
                // break into the paragraph before this one and ran to its end.
                contents_of[i].last().is_some_and(|last| {
                    let last_para = paragraph_of(last.tokens.start);
                    last_para + 1 == para
                        && last_para > paragraph_of(cues[i].tokens.start)
                        && edge_of_paragraph(doc, &paragraph_of, last.tokens.end, true)
                })
            })
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
        let mut groups = group_pieces(
            contents.iter().map(|c| (c.tokens.clone(), c.margin)),
            &cue.tokens,
            |r| is_quotation(&doc.text[tokens[r.start].start..tokens[r.end - 1].end]),
            // A block quotation's paragraphs (see `signs_on`) are one content.
            |a, b| {
                sentence_of(a.end - 1) == sentence_of(b.start)
                    || paragraph_of(a.start) != paragraph_of(b.start)
            },
        );
        // "Back home, Mr. Clarke said, he decided ...": a source and cue set off by commas
        // inside their content; the labeller tends to take only the part after them.
        let aside = source.map_or(cue.tokens.clone(), |s| {
            s.tokens.start.min(cue.tokens.start)..s.tokens.end.max(cue.tokens.end)
        });
        let sentence_start = doc.segmented.sentences[sentence].tokens.start;
        let is_comma = |t: usize| tokens.get(t).is_some_and(|t| t.text(doc.text) == ",");
        if aside.start > sentence_start + 1
            && is_comma(aside.start - 1)
            && is_comma(aside.end)
            && let Some((g, _)) = groups.iter_mut().find(|(g, _)| g.start == aside.end + 1)
            && !is_quotation(&doc.text[tokens[g.start].start..tokens[g.end - 1].end])
            && !contents
                .iter()
                .any(|c| c.tokens.end <= aside.start && c.tokens.end > sentence_start)
        {
            // The clause before the aside: from the sentence start, or after its last
            // conjunction ("And perhaps, he said, ...", "..., but the air, he noted, ...").
            let conjunction = |t: usize| doc.lexicon.is(&doc.keys[t], CueKind::Conjunction);
            g.start = (sentence_start..aside.start - 1)
                .rev()
                .find(|&t| conjunction(t) && (t == sentence_start || is_comma(t - 1)))
                .map_or(sentence_start, |t| t + 1);
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
            let g = bounds(&ContentSpan {
                content: g,
                cue: cue.tokens.clone(),
                source: source.map(|s| s.tokens.clone()),
                paragraph: paragraph_of(cue.tokens.start),
            });
            let g = closed_content(doc, g);
            let content = (tokens[g.start].start, tokens[g.end - 1].end);
            let text = &doc.text[content.0..content.1];
            let kind = if according {
                ClaimKind::AccordingTo
            } else if is_quotation(text) {
                ClaimKind::Direct
            } else if text.contains(is_quote) || text.contains("''") {
                ClaimKind::Mixed
            } else {
                ClaimKind::Indirect
            };
            let m = margin.min(cue.margin);
            let source_tokens = source.map(|s| trimmed_source(doc, s.tokens.clone()));
            let speaker = source_tokens.clone().map(|s| speaker_of(doc, s));
            let attribution = Attribution {
                sentence,
                kind,
                speaker: source_tokens
                    .as_ref()
                    .map(|s| (tokens[s.start].start, tokens[s.end - 1].end)),
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
    take_in_nested(doc.text, &mut out);
    out
}

/// A content that stops at the source of another attribution of its sentence takes that
/// attribution in: "X said it declared a dividend" labels "it" as the source of "declared",
/// so the labeller's content of "said" is "it" alone; what was said is "it declared a
/// dividend" (PolNeAR's outer contents hold the nested attribution).
fn take_in_nested(text: &str, out: &mut [(Attribution, Option<Speaker>)]) {
    for i in 0..out.len() {
        let (outer, _) = &out[i];
        let nested = out.iter().find(|(inner, _)| {
            // The outer content holds the inner source, or stops right before the inner
            // cue (the source the labeller gave it is another one).
            let holds_source = inner
                .speaker
                .is_some_and(|source| outer.content.0 <= source.0 && outer.content.1 >= source.0);
            let reaches_cue = outer.content.1 <= inner.cue.0
                && text[outer.content.1..inner.cue.0].trim().is_empty();
            inner.sentence == outer.sentence
                && inner.cue.0 > outer.cue.1
                && outer.content.0 > outer.cue.0
                && outer.content.1 <= inner.cue.0
                && inner.content.0 >= inner.cue.1
                && (holds_source || reaches_cue)
        });
        if let Some((inner, _)) = nested {
            let end = inner.content.1;
            out[i].0.content.1 = out[i].0.content.1.max(end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An attribution with byte spans (speaker, cue, content) in sentence 0.
    fn spans(
        speaker: Option<(usize, usize)>,
        cue: (usize, usize),
        content: (usize, usize),
    ) -> (Attribution, Option<Speaker>) {
        let attribution = Attribution {
            sentence: 0,
            kind: ClaimKind::Indirect,
            speaker,
            speaker_form: None,
            speaker_type: None,
            speaker_resolved: None,
            cue,
            content,
            reported_by: None,
            confidence: 1.0,
        };
        (attribution, None)
    }

    #[test]
    fn a_content_takes_in_the_attribution_nested_in_it() {
        // "MFS said it declared a dividend": "it" alone was the content of "said".
        let text = "MFS said it declared a dividend of five cts.";
        let mut out = vec![
            spans(Some((0, 3)), (4, 8), (9, 11)),
            spans(Some((0, 3)), (12, 20), (21, 43)),
        ];
        take_in_nested(text, &mut out);
        assert_eq!(
            &text[out[0].0.content.0..out[0].0.content.1],
            "it declared a dividend of five cts"
        );
        assert_eq!(out[1].0.content, (21, 43));
        // A content that ends elsewhere stays as it is.
        let mut apart = vec![
            spans(Some((0, 3)), (4, 8), (9, 11)),
            spans(None, (21, 29), (30, 43)),
        ];
        take_in_nested(text, &mut apart);
        assert_eq!(apart[0].0.content, (9, 11));
    }

    /// Links `spans` (role, first token text, its occurrence, token count) of `text`.
    fn link_text(text: &str, spans: &[(usize, &str, usize, usize)]) -> Vec<(usize, usize)> {
        let d = super::super::learned_bounds_fixture::doc(text);
        let view = d.view();
        let starts: Vec<usize> = spans
            .iter()
            .map(|&(_, word, nth, _)| {
                (0..d.seg.tokens.len())
                    .filter(|&t| d.seg.tokens[t].text(text) == word)
                    .nth(nth)
                    .unwrap_or_else(|| panic!("no token {word:?} #{nth}"))
            })
            .collect();
        let role_spans: Vec<RoleSpan> = spans
            .iter()
            .zip(starts)
            .map(|(&(role, _, _, len), start)| RoleSpan {
                role,
                tokens: start..start + len,
                margin: 1.0,
            })
            .collect();
        super::super::combine::link_spans(&view, &d.features, &role_spans, 1.0, &mut |c| {
            c.content.clone()
        })
        .into_iter()
        .map(|(a, _)| a.content)
        .collect()
    }

    #[test]
    fn a_block_quotation_signed_with_a_colon_runs_over_its_paragraphs() {
        let text = "Rivals spoke at length.\n\nThe governor added:\n\n\"It is typical. She knows \
                    nothing.\n\nAnd she has no idea.\"\n\nOthers disagreed.";
        let contents = link_text(
            text,
            &[
                (ROLE_SOURCE, "The", 0, 2),
                (ROLE_CUE, "added", 0, 2),
                (ROLE_CONTENT, "It", 0, 8),
                (ROLE_CONTENT, "And", 0, 6),
            ],
        );
        let contents: Vec<&str> = contents.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(
            contents,
            ["It is typical. She knows nothing.\n\nAnd she has no idea."]
        );
        // Without the colon the cue keeps to its paragraph: no content, no claim; and a
        // piece that does not open its paragraph is not a continuation.
        let plain = text.replace("added:", "added it.");
        assert!(
            link_text(
                &plain,
                &[(ROLE_CUE, "added", 0, 1), (ROLE_CONTENT, "It", 0, 7)]
            )
            .is_empty()
        );
        let contents = link_text(
            text,
            &[
                (ROLE_CUE, "added", 0, 2),
                (ROLE_CONTENT, "It", 0, 8),
                (ROLE_CONTENT, "she", 0, 4),
            ],
        );
        assert_eq!(contents.len(), 1);
        assert_eq!(
            &text[contents[0].0..contents[0].1],
            "It is typical. She knows nothing."
        );
    }

    #[test]
    fn a_content_that_stops_inside_a_bracket_takes_its_closer() {
        let text = "It said it sold the unit to Transamerica Corp <TA>, a buyer, for cash.";
        // "it sold ... <TA" (9 tokens): the labeller stopped before ">".
        let contents = link_text(
            text,
            &[
                (ROLE_SOURCE, "It", 0, 1),
                (ROLE_CUE, "said", 0, 1),
                (ROLE_CONTENT, "it", 0, 9),
            ],
        );
        assert_eq!(
            &text[contents[0].0..contents[0].1],
            "it sold the unit to Transamerica Corp <TA>"
        );
        // A content ending on an opening bracket drops it.
        let contents = link_text(
            text,
            &[(ROLE_CUE, "said", 0, 1), (ROLE_CONTENT, "it", 0, 8)],
        );
        assert_eq!(
            &text[contents[0].0..contents[0].1],
            "it sold the unit to Transamerica Corp"
        );
    }

    #[test]
    fn gaps_between_token_ranges() {
        assert_eq!(gap(&(0..2), &(5..7)), 3);
        assert_eq!(gap(&(5..7), &(0..2)), 3);
        assert_eq!(gap(&(0..4), &(2..6)), 0);
        assert!(is_quote('“') && !is_quote('a'));
        assert!(is_quotation("“We won,”") && is_quotation("\"Yes.\""));
        assert!(!is_quotation("“We won,” he said") && !is_quotation("we won"));
        assert!(is_quotation("''We won,''") && !is_quotation("'90s were fine"));
    }

    #[test]
    fn content_pieces_join_across_their_cue_when_both_or_neither_are_quotations() {
        // `" A , " he said , " B . "`: tokens 0-4 and 8-11 around the cue at 6.
        let cue = 6..7;
        let quoted = |r: &Range<usize>| [0..5, 8..12, 3..5, 30..34].contains(r);
        let joined = group_pieces([(0..5, 0.5), (8..12, 0.25)], &cue, quoted, |_, _| true);
        assert_eq!(joined, [(0..12, 0.25)]);
        // A quotation and an unquoted piece around the cue: the quotation alone.
        let kept = group_pieces([(0..5, 0.5), (9..11, 0.25)], &cue, quoted, |_, _| true);
        assert_eq!(kept, [(0..5, 0.5)]);
        let kept = group_pieces([(1..3, 0.5), (8..12, 0.25)], &cue, quoted, |_, _| true);
        assert_eq!(kept, [(8..12, 0.25)]);
        // Unquoted pieces around their cue join (`what she called a rant`).
        let joined = group_pieces([(1..3, 0.5), (9..11, 0.25)], &cue, quoted, |_, _| true);
        assert_eq!(joined, [(1..11, 0.25)]);
        // Two quotations join across a long speaker description, other pieces do not.
        let joined = group_pieces([(0..5, 0.5), (30..34, 0.25)], &cue, quoted, |_, _| true);
        assert_eq!(joined, [(0..34, 0.25)]);
        let apart = group_pieces([(1..3, 0.5), (30..33, 0.25)], &cue, quoted, |_, _| true);
        assert_eq!(apart.len(), 2);
        // Pieces on one side of the cue join; far pieces stay separate contents.
        let same_side = group_pieces(
            [(8..10, 0.5), (11..14, 0.75), (40..42, 0.1)],
            &cue,
            |_| false,
            |_, _| true,
        );
        assert_eq!(same_side, [(8..14, 0.5), (40..42, 0.1)]);
        // Unquoted pieces of different sentences stay apart ("that A. Clinton now says B");
        // quotations of different sentences join.
        let sentence = |r: &Range<usize>| usize::from(r.start >= 11);
        let apart = group_pieces(
            [(8..10, 0.5), (11..14, 0.75)],
            &cue,
            |_| false,
            |a, b| sentence(a) == sentence(b),
        );
        assert_eq!(apart, [(8..10, 0.5), (11..14, 0.75)]);
        let joined = group_pieces(
            [(8..10, 0.5), (11..14, 0.75)],
            &cue,
            |_| true,
            |a, b| sentence(a) == sentence(b),
        );
        assert_eq!(joined, [(8..14, 0.5)]);
    }
}
