//! Splitting a top-level JSON array (`[{..}, {..}]`, pretty-printed or not) into its
//! elements, and a stream of pretty-printed objects (`jq .` output, a `.json` file holding
//! one article) into objects, so that such files stream like JSON Lines.
//!
//! The scanner tracks only string/escape state and bracket depth: enough to find the
//! commas and the closing bracket at depth 1 without parsing. Each element is then parsed
//! on its own, so one element stays bounded by the record limit.

use super::lines::Boundary;

/// Ends a record at each top-level `,` of a JSON array and at its closing `]`. The text
/// before the opening `[` (normally only whitespace) is a record of its own.
#[derive(Debug, Default)]
pub(crate) struct ArrayBoundary {
    depth: u32,
    in_string: bool,
    escaped: bool,
    opened: bool,
    closed: bool,
}

impl Boundary for ArrayBoundary {
    fn scan(&mut self, chunk: &[u8]) -> Option<usize> {
        for (i, &b) in chunk.iter().enumerate() {
            if self.closed {
                // Whatever follows the array is one last record, checked by the reader.
                return None;
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'[' if !self.opened => {
                    self.opened = true;
                    self.depth = 1;
                    return Some(i);
                }
                b'[' | b'{' => self.depth += 1,
                b']' if self.depth == 1 => {
                    self.depth = 0;
                    self.closed = true;
                    return Some(i);
                }
                b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                b',' if self.depth == 1 => return Some(i),
                _ => {}
            }
        }
        None
    }

    /// The scanner's state spans records (they all live inside one array): nothing to reset.
    fn reset(&mut self) {}

    fn unfinished(&self) -> Option<&'static str> {
        (self.opened && !self.closed)
            .then_some("the JSON array is not closed: the file ends inside it")
    }

    fn strips_cr(&self) -> bool {
        false
    }
}

/// Ends a record at each `}` that closes a top-level JSON object, for streams of
/// pretty-printed objects (one record may span many lines).
#[derive(Debug, Default)]
pub(crate) struct ObjectsBoundary {
    depth: u32,
    in_string: bool,
    escaped: bool,
}

impl Boundary for ObjectsBoundary {
    fn scan(&mut self, chunk: &[u8]) -> Option<usize> {
        for (i, &b) in chunk.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'[' | b'{' => self.depth += 1,
                b'}' if self.depth == 1 => {
                    self.depth = 0;
                    return Some(i);
                }
                b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }

    fn reset(&mut self) {
        *self = ObjectsBoundary::default();
    }

    fn unfinished(&self) -> Option<&'static str> {
        (self.depth > 0).then_some("the JSON object is not closed: the file ends inside it")
    }

    fn keeps_end(&self) -> bool {
        true
    }

    fn strips_cr(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines::{Piece, RecordReader};
    use super::*;

    fn split(data: &str) -> Vec<String> {
        split_with(data, &mut ArrayBoundary::default())
    }

    fn split_with(data: &str, b: &mut impl Boundary) -> Vec<String> {
        let mut r = RecordReader::new(std::io::BufReader::with_capacity(4, data.as_bytes()), 100);
        let mut out = Vec::new();
        while let Some(p) = r.next_piece(b) {
            match p {
                Ok(Piece::Record { line, bytes }) => {
                    out.push(format!("{line}:{}", String::from_utf8_lossy(&bytes)))
                }
                Ok(Piece::TooLarge { line, size }) => out.push(format!("{line}:big {size}")),
                Err(_) => out.push("ERR".to_string()),
            }
        }
        out
    }

    #[test]
    fn splits_elements_ignoring_nested_commas_and_strings() {
        let got = split("[\n {\"a\": [1, 2], \"t\": \"x, ] \\\" }\"},\n {\"b\": {}}\n]\n");
        assert_eq!(
            got,
            vec![
                "1:",
                "1:\n {\"a\": [1, 2], \"t\": \"x, ] \\\" }\"}",
                "2:\n {\"b\": {}}\n",
                "4:\n"
            ]
        );
    }

    #[test]
    fn unclosed_array_is_an_error() {
        assert_eq!(
            split("[{\"a\": 1},{\"b\""),
            vec!["1:", "1:{\"a\": 1}", "ERR"]
        );
    }

    #[test]
    fn splits_pretty_printed_objects() {
        let data = "{\n  \"t\": \"}{\",\n  \"n\": {\"a\": [1]}\n}\n{\"t\": 2}\n";
        assert_eq!(
            split_with(data, &mut ObjectsBoundary::default()),
            vec![
                "1:{\n  \"t\": \"}{\",\n  \"n\": {\"a\": [1]}\n}",
                "4:\n{\"t\": 2}",
                "5:\n"
            ]
        );
        assert_eq!(
            split_with("{\"a\": {", &mut ObjectsBoundary::default()),
            vec!["ERR"]
        );
    }
}
