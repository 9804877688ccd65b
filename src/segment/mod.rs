//! Segmentation: tokens with byte offsets and sentences over them.
//!
//! Tokens are whitespace-separated chunks with punctuation peeled off both ends, except where
//! the punctuation belongs to the word: abbreviations from `models/<lang>/abbreviations.txt`
//! ("Mr.", "г.", "т.е."), initials ("I." in "I. Aliyev"), acronyms with dots ("U.S."), and
//! anything inside a chunk (decimals "11.8", "Baku.tv", "Adana'da", "APA-nın").
//!
//! A sentence ends after final punctuation (and any closing quotes or brackets that follow)
//! when the next token starts a sentence (a capital, a digit, an opening quote); never before
//! a dash, a comma or a lower-case word, which keeps "«...», — сказал он" and
//! "“...,” he said" together. A blank line always ends a sentence, and so does a line break
//! after a short line (headlines, captions, datelines) unless the line ends in a word and the
//! next goes on in lower case, or, in Azerbaijani, after each line of a list (of headlines,
//! say; see `lines_are_items`).

mod abbreviations;

pub use abbreviations::Abbreviations;

use crate::document::{Lang, Segmented, Sentence, Token};
use crate::letter_case::{self, LetterCase};

/// Opening quotation marks in every form the three languages use.
pub fn is_opening_quote(c: char) -> bool {
    matches!(c, '«' | '“' | '„' | '‹' | '‚' | '"' | '\'' | '‘' | '「')
}

/// Closing quotation marks in every form the three languages use.
pub fn is_closing_quote(c: char) -> bool {
    matches!(c, '»' | '”' | '›' | '"' | '\'' | '’' | '“' | '‘' | '」')
}

/// Any quotation mark.
pub fn is_quote(c: char) -> bool {
    is_opening_quote(c) || is_closing_quote(c)
}

/// Dashes used for direct speech and parentheticals: hyphen-minus, en dash, em dash, minus,
/// horizontal bar.
pub fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '−' | '―' | '‒')
}

/// Splits a normalised text into tokens and sentences.
pub fn segment(text: &str, lang: Lang, abbreviations: &Abbreviations) -> Segmented {
    let tokens = tokenize(text, lang, abbreviations);
    let sentences = split_sentences(text, &tokens, lang, abbreviations);
    Segmented { tokens, sentences }
}

/// Characters peeled off the ends of a chunk.
fn is_peelable(c: char) -> bool {
    !letter_case::is_alphanumeric(c) && !matches!(c, '%' | '$' | '€' | '₼' | '#' | '@' | '&' | '°')
}

/// Splits the text into tokens.
pub fn tokenize(text: &str, lang: Lang, abbreviations: &Abbreviations) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut chunk_start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(start) = chunk_start.take() {
                split_chunk(text, start, i, lang, abbreviations, &mut tokens);
            }
        } else if chunk_start.is_none() {
            chunk_start = Some(i);
        }
    }
    if let Some(start) = chunk_start {
        split_chunk(text, start, text.len(), lang, abbreviations, &mut tokens);
    }
    tokens
}

/// Peels punctuation off one whitespace-separated chunk and pushes its tokens.
fn split_chunk(
    text: &str,
    start: usize,
    end: usize,
    lang: Lang,
    abbreviations: &Abbreviations,
    out: &mut Vec<Token>,
) {
    let chunk = &text[start..end];
    // Leading punctuation: one token per character, runs of dots together.
    let mut word_start = start;
    let mut leading = chunk.char_indices().peekable();
    while let Some((offset, c)) = leading.next() {
        if !is_peelable(c) {
            break;
        }
        // A leading apostrophe-like mark followed by a letter is part of the word only in
        // English contractions ("'90s", "'em"); treat it as a quote otherwise.
        let len = c.len_utf8();
        out.push(Token {
            start: start + offset,
            end: start + offset + len,
        });
        word_start = start + offset + len;
        if leading.peek().is_none() {
            return;
        }
    }
    // Trailing punctuation, collected from the end.
    let mut trailing: Vec<Token> = Vec::new();
    let mut word_end = end;
    while word_end > word_start {
        let word = &text[word_start..word_end];
        let Some(c) = word.chars().next_back() else {
            break;
        };
        if !is_peelable(c) {
            break;
        }
        if c == '.' && keeps_final_dot(word, lang, abbreviations) {
            break;
        }
        let mut cut = word_end - c.len_utf8();
        if c == '.' {
            // "..." is one token.
            while cut > word_start && text[..cut].ends_with('.') {
                cut -= 1;
            }
        }
        trailing.push(Token {
            start: cut,
            end: word_end,
        });
        word_end = cut;
    }
    if word_end > word_start {
        let clitic = abbreviations.clitic_len(&text[word_start..word_end]);
        let stem_end = word_end - clitic.unwrap_or(0);
        out.push(Token {
            start: word_start,
            end: stem_end,
        });
        if clitic.is_some() {
            out.push(Token {
                start: stem_end,
                end: word_end,
            });
        }
    }
    out.extend(trailing.into_iter().rev());
}

/// Whether the final dot of `word` belongs to it: an abbreviation, an initial or a dotted
/// acronym.
fn keeps_final_dot(word: &str, lang: Lang, abbreviations: &Abbreviations) -> bool {
    if abbreviations.contains(&lang.match_key(word)) {
        return true;
    }
    // "I." "В." and "U.S." "т.е." style: single letters each followed by a dot.
    let mut letters = 0;
    let mut expect_letter = true;
    for c in word.chars() {
        if expect_letter && LetterCase::of(c).is_alphabetic() {
            letters += 1;
            expect_letter = false;
        } else if !expect_letter && c == '.' {
            expect_letter = true;
        } else {
            return false;
        }
    }
    letters >= 1
        && expect_letter
        && (letters > 1 || word.chars().next().is_some_and(char::is_uppercase))
}

/// Whether a token is sentence-final punctuation.
fn is_final_punct(token: &str) -> bool {
    matches!(token, "." | "!" | "?" | "…" | "?!" | "!?")
        || (token.len() >= 2 && token.chars().all(|c| c == '.'))
}

/// Whether a token is closing material that stays with the sentence before it.
fn is_closing(token: &str) -> bool {
    let mut chars = token.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => is_closing_quote(c) || matches!(c, ')' | ']' | '}'),
        _ => false,
    }
}

/// Whether a token can start a sentence.
fn starts_sentence(token: &str) -> bool {
    match token.chars().next() {
        Some(c) => {
            c.is_uppercase() || c.is_ascii_digit() || is_opening_quote(c) || matches!(c, '(' | '[')
        }
        None => false,
    }
}

/// Lines shorter than this (in bytes) end their sentence at the line break: headlines,
/// datelines and captions. Longer lines are wrapped text (Reuters' fixed-width layout).
const SHORT_LINE: usize = 50;

/// Groups tokens into sentences.
fn split_sentences(
    text: &str,
    tokens: &[Token],
    lang: Lang,
    abbreviations: &Abbreviations,
) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    // Azerbaijani only: the learned English models were trained on PolNeAR segmented
    // without this rule, and the Russian taggers' training data (RuCoCo labelled by
    // `extract`) would change with it; Azerbaijani news feeds are where the lists are.
    let lines_are_items = lang == Lang::Az && lines_are_items(text);
    let mut first = 0;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].text(text);
        let mut boundary_after = None;
        let is_abbrev_final = token.ends_with('.') && token.len() > 1 && {
            let key = lang.match_key(token);
            // Dotted acronyms ("U.S.") may end a sentence; single initials ("I.") never do.
            let after_number =
                i > 0 && tokens[i - 1].text(text).chars().all(|c| c.is_ascii_digit());
            abbreviations.may_end_sentence(&key, after_number)
                || (!abbreviations.is_inner(&key)
                    && token.chars().filter(|c| c.is_alphabetic()).count() > 1
                    && token.matches('.').count() > 1)
        };
        if is_final_punct(token) || is_abbrev_final {
            let mut last = i;
            // A straight quote glued to the next word opens the next sentence instead.
            while last + 1 < tokens.len()
                && is_closing(tokens[last + 1].text(text))
                && !has_newline(text, tokens[last].end, tokens[last + 1].start)
                && !opens_next_word(text, tokens, last + 1)
            {
                last += 1;
            }
            // "U.S. Treasury": an acronym that mostly goes on needs a word that opens
            // sentences after it, or a new paragraph (wrapped text breaks lines anywhere).
            let needs_starter =
                !is_final_punct(token) && abbreviations.needs_starter(&lang.match_key(token));
            match tokens.get(last + 1) {
                None => boundary_after = Some(last),
                Some(next) => {
                    let gap = &text[tokens[last].end..next.start];
                    let ends = if needs_starter {
                        new_paragraph(gap)
                            || starts_sentence(next.text(text))
                                && abbreviations.is_starter(&lang.match_key(next.text(text)))
                    } else {
                        gap.contains('\n') || starts_sentence(next.text(text))
                    };
                    if ends {
                        boundary_after = Some(last);
                    }
                }
            }
        }
        if boundary_after.is_none()
            && let Some(next) = tokens.get(i + 1)
        {
            let gap = &text[tokens[i].end..next.start];
            let newlines = gap.matches('\n').count();
            if newlines >= 2
                || (newlines == 1
                    && ((line_length(text, tokens[i].end) < SHORT_LINE
                        && !wraps_on(text, tokens, i))
                        || (lines_are_items && item_ends(text, tokens, i))))
            {
                boundary_after = Some(i);
            }
        }
        if let Some(last) = boundary_after {
            sentences.push(make_sentence(text, tokens, first, last + 1));
            first = last + 1;
            i = last + 1;
        } else {
            i += 1;
        }
    }
    if first < tokens.len() {
        sentences.push(make_sentence(text, tokens, first, tokens.len()));
    }
    sentences
}

/// Whether token `k` is a quotation mark glued to the word after it (`"In` opens a quote).
fn opens_next_word(text: &str, tokens: &[Token], k: usize) -> bool {
    let mark = tokens[k].text(text).chars().next().unwrap_or(' ');
    tokens.get(k + 1).is_some_and(|next| {
        next.start == tokens[k].end
            && is_opening_quote(mark)
            && next
                .text(text)
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    })
}

/// Whether the space between two tokens starts a paragraph: a blank line, or a line break
/// before an indented line.
fn new_paragraph(gap: &str) -> bool {
    gap.matches('\n').count() >= 2 || gap.contains("\n ") || gap.contains("\n\t")
}

/// Whether the line that ends after token `i` goes on in the next line although it is
/// short: it ends in a word and the next starts in lower case. Reuters' first lines are
/// short where the dateline was cut ("President Reagan for the first time\nadmitted he
/// was wrong"); a headline or caption is followed by a capital.
fn wraps_on(text: &str, tokens: &[Token], i: usize) -> bool {
    word_then(text, tokens, i, |next| {
        next.chars().next().is_some_and(char::is_lowercase)
    })
}

/// Whether the line that ends after token `i` ends an item of a list: it ends in a word and
/// the next line starts as a sentence starts.
fn item_ends(text: &str, tokens: &[Token], i: usize) -> bool {
    word_then(text, tokens, i, starts_sentence)
}

/// Whether token `i` ends in a letter or digit and the token after it passes `next`.
fn word_then(text: &str, tokens: &[Token], i: usize, next: impl Fn(&str) -> bool) -> bool {
    tokens.get(i + 1).is_some_and(|after| {
        tokens[i]
            .text(text)
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
            && next(after.text(text))
    })
}

/// Whether the document's line breaks separate items (a list of headlines, a ticker:
/// "Tramp ... olduğunu bildirib\nPaşinyan ... bildirib") rather than wrap prose: of the
/// single line breaks after a word, at least three, and nine in ten or more, start the next
/// line as a sentence starts. Wrapped prose goes on in lower case after most of its breaks.
/// (Where a line was not filled to the wrapping width is no surer sign: tables and headers
/// make some lines of wrapped news longer than its prose.)
fn lines_are_items(text: &str) -> bool {
    let (mut breaks, mut capitalised) = (0usize, 0usize);
    let mut lines = text.split('\n');
    let Some(mut line) = lines.next() else {
        return false;
    };
    for following in lines {
        let (ends_in_word, next) = (
            line.trim_end()
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric),
            following.trim_start(),
        );
        line = following;
        if next.is_empty() || !ends_in_word {
            continue;
        }
        breaks += 1;
        if next
            .split(char::is_whitespace)
            .next()
            .is_some_and(starts_sentence)
        {
            capitalised += 1;
        }
    }
    breaks >= 3 && capitalised * 10 >= breaks * 9
}

fn has_newline(text: &str, from: usize, to: usize) -> bool {
    text[from..to].contains('\n')
}

/// The length in bytes of the line that ends at `end`.
fn line_length(text: &str, end: usize) -> usize {
    let line_start = text[..end].rfind('\n').map_or(0, |p| p + 1);
    end - line_start
}

fn make_sentence(text: &str, tokens: &[Token], first: usize, end: usize) -> Sentence {
    let last = tokens[end - 1].text(text);
    let ends_properly =
        is_final_punct(last) || is_closing(last) || last.ends_with('.') || last == ":";
    Sentence {
        start: tokens[first].start,
        end: tokens[end - 1].end,
        tokens: first..end,
        heading: !ends_properly,
    }
}

#[cfg(test)]
mod tests;
