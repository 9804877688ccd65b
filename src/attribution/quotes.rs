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
        '"' => Role::Either,
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
            | ('「', '」')
            | ('“', '“')
    )
}

/// Pairs the quotation marks of a document. A paragraph break closes nothing: marks left
/// open at a blank line are dropped.
pub fn find_quotes(text: &str, tokens: &[Token]) -> Vec<QuotePair> {
    let mut pairs = Vec::new();
    let mut stack: Vec<(usize, char)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 && text[tokens[i - 1].end..token.start].matches('\n').count() >= 2 {
            stack.clear();
        }
        let mut chars = token.text(text).chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            continue;
        };
        let Some(role) = role(c) else { continue };
        if c == '’' && !stack.iter().any(|&(_, o)| o == '‘') {
            // An apostrophe, not a closing single quote.
            continue;
        }
        let attached_right = tokens.get(i + 1).is_some_and(|n| n.start == token.end);
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
                if i - open <= MAX_QUOTE_TOKENS {
                    pairs.push(QuotePair { open, close: i });
                }
            }
        } else {
            stack.push((i, c));
        }
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
    }

    #[test]
    fn unbalanced_marks_are_dropped_at_paragraphs() {
        assert!(pairs("“Open and never closed.\n\nNext ” paragraph.").is_empty());
    }
}
