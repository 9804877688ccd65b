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
    let (controls, invalid) = counts(bytes);
    (controls + invalid) * 10 > bytes.len()
}

/// The numbers of control bytes (see [`mostly_binary`]) and of invalid UTF-8 bytes.
fn counts(bytes: &[u8]) -> (usize, usize) {
    let controls = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    let mut invalid = 0;
    let mut rest = bytes;
    while let Err(e) = std::str::from_utf8(rest) {
        match e.error_len() {
            Some(n) => {
                invalid += n;
                rest = &rest[e.valid_up_to() + n..];
            }
            // A character cut by the end of a sample is not an error.
            None => break,
        }
    }
    (controls, invalid)
}

/// The message for bytes that [`mostly_binary`] rejects: text in a legacy 8-bit encoding
/// (no control bytes, just invalid UTF-8) is common in Russian and Azerbaijani corpora
/// and deserves a better hint than "binary data".
fn binary_message(bytes: &[u8]) -> String {
    match counts(bytes) {
        (0, _) => "not UTF-8 text (a legacy encoding such as Windows-1251 or KOI8-R?); \
                   convert it to UTF-8"
            .to_string(),
        _ => "binary data".to_string(),
    }
}

/// Why the first bytes of a file make it unreadable as text, if they do.
pub(crate) fn reject_file(sample: &[u8]) -> Option<String> {
    let sample = &sample[..sample.len().min(SAMPLE)];
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return Some("binary data (looks like UTF-16 text; convert it to UTF-8)".to_string());
    }
    mostly_binary(sample).then(|| binary_message(sample))
}

/// Decodes one record as UTF-8, or says why it cannot: "binary data" for NUL bytes or
/// mostly non-text bytes, otherwise where the first invalid UTF-8 sequence is.
pub(crate) fn text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.contains(&0) {
        return Err("binary data (NUL bytes)".to_string());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) if mostly_binary(bytes) => Err(binary_message(bytes)),
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
        assert_eq!(text(b"\x01\xFF\xFE\xFD"), Err("binary data".to_string()));
        // "Привет" in Windows-1251.
        let cp1251 = b"\xCF\xF0\xE8\xE2\xE5\xF2, \xEC\xE8\xF0";
        assert!(text(cp1251).is_err_and(|m| m.starts_with("not UTF-8 text")));
        assert!(reject_file(cp1251).is_some_and(|m| m.contains("Windows-1251")));
    }
}
