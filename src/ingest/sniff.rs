//! Telling text from binary junk, and validating UTF-8 with a useful message.
//!
//! Corpora scraped from the web contain images, archives and UTF-16 exports with text
//! extensions. Decoding them as UTF-8 would give one confusing error per "line", so a
//! file whose first bytes look binary is rejected once, as "binary data".

/// How many leading bytes of a file are examined.
pub(crate) const SAMPLE: usize = 8 * 1024;

/// Whether `bytes` are mostly not text: more than a tenth of them are NUL, other control
/// characters (tab, newlines, form feed and escape excepted) or invalid UTF-8.
pub(crate) fn mostly_binary(bytes: &[u8]) -> bool {
    let mut suspicious = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    let mut rest = bytes;
    while let Err(e) = std::str::from_utf8(rest) {
        match e.error_len() {
            Some(n) => {
                suspicious += n;
                rest = &rest[e.valid_up_to() + n..];
            }
            // A character cut by the end of a sample is not an error.
            None => break,
        }
    }
    suspicious * 10 > bytes.len()
}

/// Why the first bytes of a file make it unreadable as text, if they do.
pub(crate) fn reject_file(sample: &[u8]) -> Option<String> {
    let sample = &sample[..sample.len().min(SAMPLE)];
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return Some("binary data (looks like UTF-16 text; convert it to UTF-8)".to_string());
    }
    mostly_binary(sample).then(|| "binary data".to_string())
}

/// Decodes one record as UTF-8, or says why it cannot: "binary data" for NUL bytes or
/// mostly non-text bytes, otherwise where the first invalid UTF-8 sequence is.
pub(crate) fn text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.contains(&0) {
        return Err("binary data (NUL bytes)".to_string());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) if mostly_binary(bytes) => Err("binary data".to_string()),
        Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_not_binary() {
        assert!(!mostly_binary(
            "Bakı, 12 may — «Xəbər».\r\n\tЦитата".as_bytes()
        ));
        assert!(reject_file(b"{\"text\": \"x\"}\n").is_none());
        // A multi-byte character cut by the sample's end is fine.
        assert!(!mostly_binary(&"ə".as_bytes()[..1]));
    }

    #[test]
    fn junk_is_binary() {
        let junk: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert_eq!(reject_file(&junk).as_deref(), Some("binary data"));
        assert!(reject_file(b"\xFF\xFEh\0i\0").is_some_and(|m| m.contains("UTF-16")));
    }

    #[test]
    fn record_text_messages() {
        assert_eq!(text(b"ok"), Ok("ok"));
        assert_eq!(text(b"a\0b"), Err("binary data (NUL bytes)".to_string()));
        assert_eq!(
            text(b"caf\xE9 au lait, long enough to be text"),
            Err("invalid UTF-8 at byte 3".to_string())
        );
        assert_eq!(text(b"\xFF\xFE\xFD"), Err("binary data".to_string()));
    }
}
