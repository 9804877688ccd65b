//! Language-independent normalisation steps: HTML, entities, NFC, invisible characters,
//! whitespace, lines. Each step maps aligned characters to aligned characters.

use super::AlignedChar;
use std::ops::Range;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Whether a record is HTML rather than plain text: it holds a common block or inline tag.
pub(super) fn looks_like_html(text: &str) -> bool {
    const TAGS: [&str; 12] = [
        "<p>", "<p ", "<br", "<div", "</p>", "</div>", "<html", "<body", "<span", "<a href",
        "<li>", "<h1",
    ];
    let head = match text.char_indices().nth(20_000) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    let lower = head.to_ascii_lowercase();
    TAGS.iter().any(|tag| lower.contains(tag))
}

/// Tags after which the text continues on a new line.
const BLOCK_TAGS: [&str; 22] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "table",
    "article",
    "section",
    "header",
    "footer",
    "blockquote",
    "figcaption",
    "title",
];

/// Removes tags, comments, scripts and styles; block tags become line breaks.
pub(super) fn strip_html(chars: &[AlignedChar]) -> Vec<AlignedChar> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].c != '<' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // An HTML comment runs to "-->".
        if starts_with(chars, i, "<!--") {
            i = find(chars, i + 4, "-->").map_or(chars.len(), |j| j + 3);
            continue;
        }
        let Some(close) = chars[i..]
            .iter()
            .take(2_000)
            .position(|ac| ac.c == '>')
            .map(|p| i + p)
        else {
            // A lone "<" is text ("a < b").
            out.push(chars[i]);
            i += 1;
            continue;
        };
        let name: String = chars[i + 1..close]
            .iter()
            .map(|ac| ac.c)
            .skip_while(|&c| c == '/')
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let closing = chars.get(i + 1).is_some_and(|ac| ac.c == '/');
        let mut next = close + 1;
        if !closing && (name == "script" || name == "style") {
            let end_tag = format!("</{name}");
            next = find_ignore_case(chars, next, &end_tag)
                .and_then(|j| {
                    chars[j..]
                        .iter()
                        .position(|ac| ac.c == '>')
                        .map(|p| j + p + 1)
                })
                .unwrap_or(chars.len());
        }
        if BLOCK_TAGS.contains(&name.as_str()) {
            out.push(AlignedChar {
                c: '\n',
                start: chars[i].start,
                end: chars[close].end,
            });
        }
        i = next;
    }
    out
}

fn starts_with(chars: &[AlignedChar], at: usize, pattern: &str) -> bool {
    let mut k = at;
    for p in pattern.chars() {
        match chars.get(k) {
            Some(ac) if ac.c == p => k += 1,
            _ => return false,
        }
    }
    true
}

fn find(chars: &[AlignedChar], from: usize, pattern: &str) -> Option<usize> {
    (from..chars.len()).find(|&k| starts_with(chars, k, pattern))
}

fn find_ignore_case(chars: &[AlignedChar], from: usize, pattern: &str) -> Option<usize> {
    let pattern: Vec<char> = pattern.chars().collect();
    (from..chars.len()).find(|&k| {
        pattern.iter().enumerate().all(|(o, p)| {
            chars
                .get(k + o)
                .is_some_and(|ac| ac.c.to_ascii_lowercase() == *p)
        })
    })
}

/// The named HTML entities news pages use; anything else stays as written.
fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "laquo" => '«',
        "raquo" => '»',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "bdquo" => '„',
        "sbquo" => '‚',
        "lsaquo" => '‹',
        "rsaquo" => '›',
        "mdash" => '—',
        "ndash" => '–',
        "minus" => '−',
        "hellip" => '…',
        "shy" => '\u{ad}',
        "copy" => '©',
        "reg" => '®',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        "euro" => '€',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        _ => return None,
    })
}

/// Decodes `&name;`, `&#NNN;` and `&#xHH;`; the decoded character covers the whole entity.
pub(super) fn decode_entities(chars: &[AlignedChar]) -> Vec<AlignedChar> {
    if !chars.iter().any(|ac| ac.c == '&') {
        return chars.to_vec();
    }
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].c == '&' {
            let semi = chars[i + 1..]
                .iter()
                .take(10)
                .position(|ac| ac.c == ';')
                .map(|p| i + 1 + p);
            if let Some(semi) = semi {
                let body: String = chars[i + 1..semi].iter().map(|ac| ac.c).collect();
                let decoded = if let Some(num) = body.strip_prefix('#') {
                    let value = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse::<u32>().ok(),
                    };
                    value.and_then(char::from_u32)
                } else {
                    named_entity(&body)
                };
                if let Some(c) = decoded {
                    out.push(AlignedChar {
                        c,
                        start: chars[i].start,
                        end: chars[semi].end,
                    });
                    i = semi + 1;
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Unicode NFC. A base character and its combining marks compose together, and every
/// resulting character covers the whole cluster.
pub(super) fn compose_nfc(chars: Vec<AlignedChar>) -> Vec<AlignedChar> {
    let as_string: String = chars.iter().map(|ac| ac.c).collect();
    if is_nfc_quick(as_string.chars()) == IsNormalized::Yes {
        return chars;
    }
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let mut j = i + 1;
        while j < chars.len() && is_combining_mark(chars[j].c) {
            j += 1;
        }
        let (start, end) = (chars[i].start, chars[j - 1].end);
        if j - i == 1 && !needs_decomposition(chars[i].c) {
            out.push(chars[i]);
        } else {
            let cluster: String = chars[i..j].iter().map(|ac| ac.c).collect();
            out.extend(cluster.nfc().map(|c| AlignedChar { c, start, end }));
        }
        i = j;
    }
    out
}

/// Characters that NFC changes even when they stand alone (singletons such as U+212B).
fn needs_decomposition(c: char) -> bool {
    let mut buf = [0u8; 4];
    is_nfc_quick(c.encode_utf8(&mut buf).chars()) != IsNormalized::Yes
}

/// Removes invisible characters, unifies spaces and line breaks, collapses runs of spaces and
/// trims every line.
pub(super) fn clean_characters(chars: &[AlignedChar]) -> Vec<AlignedChar> {
    let mut out: Vec<AlignedChar> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let ac = chars[i];
        let mapped = match ac.c {
            // Zero-width characters, the BOM and the soft hyphen are invisible: drop them.
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => None,
            '\r' => {
                // CRLF is one line break; a lone CR is a line break too.
                if chars.get(i + 1).is_some_and(|n| n.c == '\n') {
                    None
                } else {
                    Some('\n')
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' | '\u{85}' => Some('\n'),
            c if c == '\t' || (c.is_whitespace() && c != '\n') => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        };
        i += 1;
        let Some(c) = mapped else { continue };
        if c == ' ' {
            // No space at a line start and no run of spaces.
            match out.last() {
                None => continue,
                Some(prev) if prev.c == ' ' || prev.c == '\n' => continue,
                _ => {}
            }
        }
        if c == '\n' {
            // No space at a line end.
            if out.last().is_some_and(|prev| prev.c == ' ') {
                out.pop();
            }
        }
        out.push(AlignedChar { c, ..ac });
    }
    if out.last().is_some_and(|prev| prev.c == ' ') {
        out.pop();
    }
    out
}

/// The character ranges of the lines (without their line breaks).
pub(super) fn split_lines(chars: &[AlignedChar]) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, ac) in chars.iter().enumerate() {
        if ac.c == '\n' {
            lines.push(start..i);
            start = i + 1;
        }
    }
    lines.push(start..chars.len());
    lines
}

/// Rebuilds the text from the kept lines: one line break between lines of a paragraph, one
/// blank line between paragraphs, none at either end.
pub(super) fn join_lines(chars: &[AlignedChar], kept: &[Option<Range<usize>>]) -> Vec<AlignedChar> {
    let mut out = Vec::with_capacity(chars.len());
    let mut pending_breaks = 0usize;
    for line in kept {
        match line {
            Some(range) if !range.is_empty() => {
                if !out.is_empty() {
                    // The line break is aligned to the original break that follows the previous
                    // kept text, so it maps to a real position.
                    let anchor: AlignedChar = *out.last().expect("checked non-empty");
                    let at = chars.get(range.start.wrapping_sub(1)).copied();
                    let newline = AlignedChar {
                        c: '\n',
                        start: at.map_or(anchor.end, |a| a.start),
                        end: at.map_or(anchor.end, |a| a.end),
                    };
                    out.push(newline);
                    if pending_breaks > 0 {
                        out.push(newline);
                    }
                }
                out.extend_from_slice(&chars[range.clone()]);
                pending_breaks = 0;
            }
            // A blank line separates paragraphs; a dropped line keeps its neighbours apart.
            Some(_) => pending_breaks += 1,
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{aligned_original as aligned, text_of as text};

    #[test]
    fn html_tags_become_breaks_and_entities_decode() {
        let src = "<p>A&amp;B said &laquo;no&raquo;</p><script>x=1</script><p>Next</p>";
        let out = decode_entities(&strip_html(&aligned(src)));
        assert_eq!(text(&out), "\nA&B said «no»\n\nNext\n");
        let amp = out.iter().find(|ac| ac.c == '&').unwrap();
        assert_eq!(&src[amp.start as usize..amp.end as usize], "&amp;");
    }

    #[test]
    fn nfc_composes_and_keeps_the_cluster() {
        let out = compose_nfc(aligned("e\u{301}x"));
        assert_eq!(text(&out), "éx");
        assert_eq!((out[0].start, out[0].end), (0, 2));
        assert_eq!((out[1].start, out[1].end), (2, 3));
    }

    #[test]
    fn invisible_characters_and_spaces() {
        let out = clean_characters(&aligned("  a\u{ad}b\u{200b} \u{a0} c \r\n\td\t"));
        assert_eq!(text(&out), "ab c\nd");
    }

    #[test]
    fn lines_join_with_paragraphs() {
        let chars = aligned("a\n\nb\nX\nc");
        let lines = split_lines(&chars);
        let kept: Vec<_> = lines
            .into_iter()
            .map(|r| {
                if text(&chars[r.clone()]) == "X" {
                    None
                } else {
                    Some(r)
                }
            })
            .collect();
        assert_eq!(text(&join_lines(&chars, &kept)), "a\n\nb\nc");
    }
}
