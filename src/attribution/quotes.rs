//! Quotation pairs over tokens: which opening mark goes with which closing mark.

use crate::document::Token;

/// A matched pair of quotation-mark tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotePair {
    /// Index of the opening quote token.
    pub open: usize,
    /// Index of the closing quote token.
    pub close: usize,
}

/// Stands for a doubled apostrophe `''` (two tokens), the quotation mark of some English
/// news archives (the New York Times' `''We won,'' he said.`); it pairs only with itself.
const DOUBLED_APOSTROPHE: char = '\u{2033}';

/// Quotes longer than this many tokens are taken as unbalanced marks, not a quotation.
const MAX_QUOTE_TOKENS: usize = 400;

/// How a quotation mark can act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Open,
    Close,
    /// `"`: decided by the spaces around it and by what is open.
    Either,
    /// `“`: closes a `„` (Russian/German style), opens otherwise.
    CloseLowOrOpen,
}

fn role(c: char) -> Option<Role> {
    Some(match c {
        '«' | '„' | '‹' | '‘' | '「' => Role::Open,
        '»' | '”' | '›' | '’' | '」' => Role::Close,
        '"' | DOUBLED_APOSTROPHE => Role::Either,
        '“' => Role::CloseLowOrOpen,
        _ => return None,
    })
}

/// Whether a closing mark closes an opening mark.
fn closes(open: char, close: char) -> bool {
    matches!(
        (open, close),
        ('«', '»')
            | ('„', '“')
            | ('„', '”')
            | ('“', '”')
            | ('‹', '›')
            | ('‘', '’')
            | ('"', '"')
            | (DOUBLED_APOSTROPHE, DOUBLED_APOSTROPHE)
            | ('「', '」')
            | ('“', '“')
    )
}

/// Pairs the quotation marks of a document. A paragraph break closes nothing: marks left
/// open at a blank line are dropped. A doubled apostrophe (`''`, two tokens) is one mark: a
/// pair spans from the first token of its opening mark to the last of its closing one.
pub fn find_quotes(text: &str, tokens: &[Token]) -> Vec<QuotePair> {
    let mut pairs = Vec::new();
    let mut stack: Vec<(usize, char)> = Vec::new();
    let single = |i: usize| -> Option<char> {
        let mut chars = tokens.get(i)?.text(text).chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if i > 0 && text[tokens[i - 1].end..token.start].matches('\n').count() >= 2 {
            stack.clear();
        }
        let Some(mut c) = single(i) else {
            i += 1;
            continue;
        };
        // The mark's last token: `i`, or `i + 1` for a doubled apostrophe.
        let mut last = i;
        if c == '\'' && single(i + 1) == Some('\'') && tokens[i + 1].start == token.end {
            c = DOUBLED_APOSTROPHE;
            last = i + 1;
        }
        let Some(role) = role(c) else {
            i += 1;
            continue;
        };
        if c == '’' && !stack.iter().any(|&(_, o)| o == '‘') {
            // An apostrophe, not a closing single quote.
            i += 1;
            continue;
        }
        let attached_right = tokens
            .get(last + 1)
            .is_some_and(|n| n.start == tokens[last].end);
        let attached_left = i > 0 && tokens[i - 1].end == token.start;
        let acts_as_close = match role {
            Role::Open => false,
            Role::Close => true,
            Role::CloseLowOrOpen => stack.last().is_some_and(|&(_, o)| o == '„'),
            Role::Either => {
                let open_same = stack.iter().any(|&(_, o)| o == c);
                if attached_left && !attached_right {
                    true
                } else if attached_right && !attached_left {
                    false
                } else {
                    open_same
                }
            }
        };
        if acts_as_close {
            if let Some(pos) = stack.iter().rposition(|&(_, o)| closes(o, c)) {
                let (open, _) = stack[pos];
                stack.truncate(pos);
                if last - open <= MAX_QUOTE_TOKENS {
                    pairs.push(QuotePair { open, close: last });
                }
            }
        } else {
            stack.push((i, c));
        }
        i = last + 1;
    }
    pairs.sort_by_key(|p| p.open);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Lang;
    use crate::segment::{Abbreviations, tokenize};

    fn pairs(text: &str) -> Vec<(String, String)> {
        let tokens = tokenize(text, Lang::En, &Abbreviations::default());
        find_quotes(text, &tokens)
            .iter()
            .map(|p| {
                (
                    tokens[p.open].text(text).to_string(),
                    text[tokens[p.open].end..tokens[p.close].start].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn pairs_every_style() {
        assert_eq!(
            pairs("«Мы „победим“», — сказал он."),
            [
                ("«".into(), "Мы „победим“".into()),
                ("„".into(), "победим".into())
            ]
        );
        assert_eq!(
            pairs("“We won,” he said of the “Russian House”."),
            [
                ("“".into(), "We won,".into()),
                ("“".into(), "Russian House".into())
            ]
        );
        assert_eq!(
            pairs("\"Biz\", - deyə o bildirib, \"gəldik\"."),
            [("\"".into(), "Biz".into()), ("\"".into(), "gəldik".into())]
        );
        assert_eq!(
            pairs("The group’s ‘red line’ held."),
            [("‘".into(), "red line".into())]
        );
        // Doubled apostrophes (two tokens each) are one mark; a lone apostrophe is none.
        assert_eq!(
            pairs("''I don't judge,'' he said. ''But 'most' do.''"),
            [
                ("'".into(), "'I don't judge,'".into()),
                ("'".into(), "'But 'most' do.'".into())
            ]
        );
    }

    #[test]
    fn unbalanced_marks_are_dropped_at_paragraphs() {
        assert!(pairs("“Open and never closed.\n\nNext ” paragraph.").is_empty());
    }
}
