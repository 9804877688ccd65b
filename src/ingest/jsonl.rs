//! JSON Lines: one JSON object per line, the text under the configured key.
//!
//! Only the wanted keys are materialised (a custom serde visitor skips the rest with
//! `IgnoredAny`), because news dumps often carry large fields (HTML, embeddings) that
//! the pipeline never uses.

use super::array::{ArrayBoundary, ObjectsBoundary};
use super::lines::NewlineBoundary;
use super::{IngestOptions, Input, Record, RecordError, sniff};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// Indices of the wanted keys in [`Wanted::names`] and in the parsed fields.
const TEXT: usize = 0;
const ID: usize = 1;
const TITLE: usize = 2;
const DATE: usize = 3;
const URL: usize = 4;
const SOURCE: usize = 5;
const LANG: usize = 6;

/// How a JSON stream is split into records.
enum Mode {
    /// One object per line.
    Lines(NewlineBoundary),
    /// One top-level array; counts the elements seen, for ids.
    Array(ArrayBoundary, u64),
    /// Pretty-printed objects, one after the other.
    Objects(ObjectsBoundary),
}

impl Mode {
    /// Chooses from the first bytes: `[` starts an array; a first line that is only `{`
    /// starts a pretty-printed object (no JSON Lines record can be just `{`).
    fn detect(head: &[u8]) -> Mode {
        let start = head.iter().position(|b| !b.is_ascii_whitespace());
        let rest = start.map_or(&[][..], |i| &head[i..]);
        let first_line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
        if rest.starts_with(b"[") {
            Mode::Array(ArrayBoundary::default(), 0)
        } else if first_line.trim_ascii() == b"{" {
            Mode::Objects(ObjectsBoundary::default())
        } else {
            Mode::Lines(NewlineBoundary)
        }
    }
}

/// Reads the records of one JSON Lines stream (or of a JSON array or pretty-printed
/// objects, see [`super::array`]).
pub(crate) struct JsonlReader {
    input: Input,
    /// Chosen on the first read, from the first non-blank byte.
    mode: Option<Mode>,
}

impl JsonlReader {
    /// Reads from `input`.
    pub(crate) fn new(input: Input) -> JsonlReader {
        JsonlReader { input, mode: None }
    }

    /// The next record or error; blank lines (and empty array slots) are skipped.
    pub(crate) fn next(&mut self, opts: &IngestOptions) -> Option<Result<Record, RecordError>> {
        let input = &mut self.input;
        let mode = self.mode.get_or_insert_with(|| Mode::detect(input.head()));
        loop {
            let piece = match mode {
                Mode::Lines(b) => input.next_record(b),
                Mode::Array(b, _) => input.next_record(b),
                Mode::Objects(b) => input.next_record(b),
            };
            let (line, bytes) = match piece? {
                Ok(piece) => piece,
                Err(e) => return Some(Err(e)),
            };
            let blank = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if blank == bytes.len() {
                continue;
            }
            // An element starts where its first non-blank byte is, not after the comma.
            let line = line + bytes[..blank].iter().filter(|&&b| b == b'\n').count() as u64;
            let fallback = match mode {
                Mode::Lines(_) | Mode::Objects(_) => None,
                Mode::Array(_, n) => {
                    *n += 1;
                    Some(format!("{}[{n}]", input.source))
                }
            };
            return Some(parse(input, line, &bytes[blank..], opts, fallback));
        }
    }
}

/// Parses one line into a record; `fallback` is the id for a record without one
/// (`None`: the locator).
fn parse(
    input: &Input,
    line: u64,
    bytes: &[u8],
    opts: &IngestOptions,
    fallback: Option<String>,
) -> Result<Record, RecordError> {
    let text = sniff::text(bytes).map_err(|m| input.error(line, None, m))?;
    let names = [
        opts.text_column.as_str(),
        &opts.id_column,
        &opts.title_column,
        &opts.date_column,
        &opts.url_column,
        &opts.source_column,
        &opts.lang_column,
    ];
    let mut de = serde_json::Deserializer::from_str(text);
    let mut fields = Wanted { names }
        .deserialize(&mut de)
        .and_then(|f| de.end().map(|()| f))
        .map_err(|e| input.error(line, None, json_message(&e, line)))?;
    let locator = input.locator(line);
    let id = match fields[ID].take() {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            let m = format!(
                "`{}` must be a string or a number, found {}",
                names[ID],
                kind(&other)
            );
            return Err(input.error(line, None, m));
        }
    }
    .filter(|s| !s.is_empty());
    let doc_id = || id.clone();
    let text = match fields[TEXT].take() {
        Some(Value::String(s)) => s,
        None => {
            let m = format!("missing `{}` field", names[TEXT]);
            return Err(input.error(line, doc_id(), m));
        }
        Some(other) => {
            let m = format!("`{}` must be a string, found {}", names[TEXT], kind(&other));
            return Err(input.error(line, doc_id(), m));
        }
    };
    let mut meta = |i: usize| -> Result<Option<String>, RecordError> {
        match fields[i].take() {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s).filter(|s| !s.is_empty())),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
            Some(other) => {
                let m = format!("`{}` must be a string, found {}", names[i], kind(&other));
                Err(input.error(line, doc_id(), m))
            }
        }
    };
    let (title, date, url) = (meta(TITLE)?, meta(DATE)?, meta(URL)?);
    let (outlet, lang) = (meta(SOURCE)?, meta(LANG)?);
    Ok(Record {
        id: id.or(fallback).unwrap_or_else(|| locator.clone()),
        source: input.source.clone(),
        record: locator,
        text,
        title,
        date,
        url,
        outlet,
        lang,
    })
}

/// serde_json's reason, with its position (relative to the record) made a column of the
/// line, or a line of the file for a record that spans lines (`line`: where it starts).
fn json_message(e: &serde_json::Error, line: u64) -> String {
    let full = e.to_string();
    let reason = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(r, _)| r);
    if e.line() > 1 {
        let abs = line + e.line() as u64 - 1;
        format!(
            "invalid JSON at line {abs}, column {}: {reason}",
            e.column()
        )
    } else if e.column() > 0 {
        format!("invalid JSON at column {}: {reason}", e.column())
    } else {
        format!("invalid JSON: {reason}")
    }
}

/// A JSON type name for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Deserialises an object keeping only the values of `names` (last one wins on
/// duplicate keys), without allocating for the keys or the skipped values.
struct Wanted<'n> {
    names: [&'n str; 7],
}

impl<'de> DeserializeSeed<'de> for Wanted<'_> {
    type Value = [Option<Value>; 7];

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Wanted<'_> {
    type Value = [Option<Value>; 7];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out: [Option<Value>; 7] = Default::default();
        while let Some(slot) = map.next_key_seed(Key { names: &self.names })? {
            match slot {
                Some(i) => out[i] = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// Deserialises a key into its index in `names`, if wanted.
struct Key<'a, 'n> {
    names: &'a [&'n str; 7],
}

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.names.iter().position(|n| *n == key))
    }
}

#[cfg(test)]
mod tests {
    use super::super::IngestOptions;
    use super::super::test_support::{gz, read, read_with, write};

    #[test]
    fn reads_fields_ids_and_locators() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = concat!(
            "{\"id\": \"a1\", \"text\": \"Hello\", \"title\": \"T\", \"date\": \"2024-01-02\",",
            " \"url\": \"http://x\", \"source\": \"Trend\", \"lang\": \"az\", \"html\": [1,{}]}\n",
            "\n",
            "{\"id\": 42, \"text\": \"\"}\r\n",
            "{\"text\": \"no id\", \"title\": null, \"id\": \"\"}\n",
        );
        let p = write(dir.path(), "a.jsonl", body.as_bytes());
        let got = read(std::slice::from_ref(&p));
        let src = p.display().to_string();
        let r0 = got[0].as_ref().expect("valid record");
        assert_eq!((r0.id.as_str(), r0.text.as_str()), ("a1", "Hello"));
        assert_eq!(r0.record, format!("{src}:1"));
        assert_eq!(r0.source, src);
        assert_eq!(r0.title.as_deref(), Some("T"));
        assert_eq!(r0.date.as_deref(), Some("2024-01-02"));
        assert_eq!(r0.url.as_deref(), Some("http://x"));
        assert_eq!(r0.outlet.as_deref(), Some("Trend"));
        assert_eq!(r0.lang.as_deref(), Some("az"));
        let r1 = got[1].as_ref().expect("empty text is not an ingest error");
        assert_eq!((r1.id.as_str(), r1.text.as_str()), ("42", ""));
        assert_eq!(r1.record, format!("{src}:3"));
        let r2 = got[2].as_ref().expect("valid record");
        assert_eq!(r2.id, format!("{src}:4"));
        assert_eq!(r2.title, None);
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn bad_lines_are_errors_and_reading_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut body = Vec::new();
        body.extend(b"{\"text\": \"ok\"}\n");
        body.extend(b"{\"text\": oops}\n");
        body.extend(b"{\"id\": \"d3\"}\n");
        body.extend(b"{\"id\": \"d4\", \"text\": 5}\n");
        body.extend(b"{\"text\": \"caf\xE9 \"}\n");
        body.extend(b"[1, 2]\n");
        body.extend(b"{\"text\": \"a\0b\"}\n");
        body.extend(b"{\"text\": \"x\"} trailing\n");
        body.extend(b"{\"text\": \"last\"}");
        let p = write(dir.path(), "b.jsonl", &body);
        let src = p.display().to_string();
        let got = read(&[p]);
        let errs: Vec<String> = got
            .iter()
            .filter_map(|r| r.as_ref().err().map(ToString::to_string))
            .collect();
        assert_eq!(got.len(), 9);
        assert!(
            errs[0].starts_with(&format!("{src}:2: invalid JSON at column")),
            "{errs:?}"
        );
        assert!(errs[0].contains("expected value"), "{errs:?}");
        assert_eq!(errs[1], format!("{src}:3: missing `text` field"));
        assert_eq!(
            errs[2],
            format!("{src}:4: `text` must be a string, found a number")
        );
        assert_eq!(errs[3], format!("{src}:5: invalid UTF-8 at byte 13"));
        assert!(errs[4].contains("expected a JSON object"), "{errs:?}");
        assert_eq!(errs[5], format!("{src}:7: binary data (NUL bytes)"));
        assert!(
            errs[6].starts_with(&format!("{src}:8: invalid JSON")),
            "{errs:?}"
        );
        let doc_ids: Vec<_> = got
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| e.doc_id.clone())
            .collect();
        assert_eq!(doc_ids[1], Some("d3".to_string()));
        assert_eq!(got[8].as_ref().map(|r| r.text.as_str()), Ok("last"));
    }

    #[test]
    fn huge_line_is_skipped_with_its_size() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut body = b"{\"text\": \"a\"}\n{\"text\": \"".to_vec();
        body.extend(std::iter::repeat_n(b'x', 100 * 1024));
        body.extend(b"\"}\n{\"text\": \"b\"}\n");
        let p = write(dir.path(), "big.jsonl", &body);
        let src = p.display().to_string();
        let opts = IngestOptions {
            max_record_bytes: 1024,
            ..IngestOptions::default()
        };
        let got = read_with(&[p], &opts);
        assert_eq!(got.len(), 3);
        let e = got[1].as_ref().expect_err("line over the limit");
        assert_eq!(
            e.to_string(),
            format!(
                "{src}:2: record too large ({} bytes > limit 1024)",
                100 * 1024 + 12
            )
        );
        assert_eq!(got[2].as_ref().map(|r| r.text.as_str()), Ok("b"));
    }

    #[test]
    fn custom_keys_bom_and_gzip() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = "\u{FEFF}{\"body\": \"Mətn\", \"doc\": \"x\"}\n";
        let p = write(dir.path(), "c.ndjson.gz", &gz(body.as_bytes()));
        let opts = IngestOptions {
            text_column: "body".to_string(),
            id_column: "doc".to_string(),
            ..IngestOptions::default()
        };
        let got = read_with(&[p], &opts);
        let r = got[0].as_ref().expect("valid record");
        assert_eq!((r.id.as_str(), r.text.as_str()), ("x", "Mətn"));
    }

    #[test]
    fn json_array_files_stream_element_by_element() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = "[\n  {\"id\": \"a\", \"text\": \"x, [y]\"},\n  {\"text\": \"z\"},\n  {\"text\":\n   oops},\n  7\n]\n";
        let p = write(dir.path(), "dump.json", body.as_bytes());
        let src = p.display().to_string();
        let got = read(&[p]);
        assert_eq!(got.len(), 4);
        let r0 = got[0].as_ref().expect("element 1");
        assert_eq!((r0.id.as_str(), r0.text.as_str()), ("a", "x, [y]"));
        assert_eq!(r0.record, format!("{src}:2"));
        let r1 = got[1].as_ref().expect("element 2");
        assert_eq!(
            (r1.id.clone(), r1.record.clone()),
            (format!("{src}[2]"), format!("{src}:3"))
        );
        let e2 = got[2].as_ref().expect_err("bad element");
        assert!(
            e2.to_string()
                .starts_with(&format!("{src}:4: invalid JSON at line 5, column")),
            "{e2}"
        );
        let e3 = got[3].as_ref().expect_err("not an object");
        assert!(
            e3.to_string()
                .starts_with(&format!("{src}:6: invalid JSON")),
            "{e3}"
        );
    }

    #[test]
    fn pretty_printed_objects_are_records() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body = "{\n  \"id\": \"p1\",\n  \"text\": \"A {b}\"\n}\n{\n  \"text\": \"C\"\n}\n";
        let p = write(dir.path(), "pretty.json", body.as_bytes());
        let src = p.display().to_string();
        let got = read(&[p]);
        let ids: Vec<_> = got
            .iter()
            .map(|r| r.as_ref().map(|r| (r.id.clone(), r.text.clone())))
            .collect();
        assert_eq!(
            ids,
            vec![
                Ok(("p1".to_string(), "A {b}".to_string())),
                Ok((format!("{src}:5"), "C".to_string()))
            ]
        );
    }

    #[test]
    fn corrupt_gzip_names_the_line_and_moves_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body: String = (0..2000)
            .map(|i| format!("{{\"text\": \"line {i}\"}}\n"))
            .collect();
        let mut data = gz(body.as_bytes());
        data.truncate(data.len() - 40);
        let p = write(dir.path(), "a.jsonl.gz", &data);
        let q = write(dir.path(), "b.jsonl", b"{\"text\": \"next\"}\n");
        let src = p.display().to_string();
        let got = read(&[p, q]);
        let (last, rest) = got.split_last().expect("records");
        assert_eq!(last.as_ref().map(|r| r.text.as_str()), Ok("next"));
        let err = rest
            .last()
            .and_then(|r| r.as_ref().err())
            .expect("an error");
        assert!(err.to_string().starts_with(&format!("{src}:")), "{err}");
        assert!(err.message.starts_with("corrupt gzip stream"), "{err}");
        assert!(rest[..rest.len() - 1].iter().all(Result::is_ok));
    }
}
