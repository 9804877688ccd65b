//! Opening an input as a buffered byte stream, decompressing gzip on the fly.
//!
//! A stream is gzip when its name ends in `.gz` *or* it starts with the gzip magic bytes,
//! so `zcat`-less pipes (`cat x.jsonl.gz | newsclaims -`) and mis-named files just work.
//! Concatenated gzip members (`cat a.gz b.gz`) are read as one stream, like `gzip -d` does.

use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Read buffer size: large reads keep system-call overhead low on big corpora.
const BUF_SIZE: usize = 64 * 1024;

/// The first two bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An opened input stream.
pub(crate) struct Stream {
    /// The (decompressed) bytes.
    pub(crate) reader: Box<dyn BufRead + Send>,
    /// Whether the bytes pass through a gzip decoder, to word read errors as corruption.
    pub(crate) gzip: bool,
}

/// Opens a file; `gz_name` says whether its name ends in `.gz`.
pub(crate) fn open_file(path: &Path, gz_name: bool) -> io::Result<Stream> {
    let file = File::open(path)?;
    wrap(BufReader::with_capacity(BUF_SIZE, file), gz_name)
}

/// Opens standard input.
pub(crate) fn open_stdin() -> io::Result<Stream> {
    wrap(BufReader::with_capacity(BUF_SIZE, io::stdin()), false)
}

/// Puts a gzip decoder in front of `raw` when it is gzip.
pub(crate) fn wrap<R: Read + Send + 'static>(
    mut raw: BufReader<R>,
    gz_name: bool,
) -> io::Result<Stream> {
    let gzip = gz_name || raw.fill_buf()?.starts_with(&GZIP_MAGIC);
    let reader: Box<dyn BufRead + Send> = if gzip {
        Box::new(BufReader::with_capacity(BUF_SIZE, MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    Ok(Stream { reader, gzip })
}

/// Describes a read error for a message: decoder failures of a gzip stream are corruption.
pub(crate) fn describe(err: &io::Error, gzip: bool) -> String {
    let corrupt = matches!(
        err.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    );
    if gzip && corrupt {
        format!("corrupt gzip stream: {err}")
    } else {
        format!("read error: {err}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(data).expect("writing to a Vec cannot fail");
        enc.finish().expect("writing to a Vec cannot fail")
    }

    fn read_all(bytes: Vec<u8>, gz_name: bool) -> (bool, io::Result<Vec<u8>>) {
        let s = wrap(BufReader::new(io::Cursor::new(bytes)), gz_name).expect("in memory");
        let mut out = Vec::new();
        let mut r = s.reader;
        let res = r.read_to_end(&mut out).map(|_| out);
        (s.gzip, res)
    }

    #[test]
    fn sniffs_gzip_without_name_and_reads_concatenated_members() {
        let mut data = gz(b"hello ");
        data.extend(gz(b"world"));
        let (gzip, res) = read_all(data, false);
        assert!(gzip);
        assert_eq!(res.expect("valid gzip"), b"hello world");
    }

    #[test]
    fn plain_data_passes_through() {
        let (gzip, res) = read_all(b"plain".to_vec(), false);
        assert!(!gzip);
        assert_eq!(res.expect("plain"), b"plain");
    }

    #[test]
    fn truncated_gzip_is_reported_as_corrupt() {
        let mut data = gz(&b"some text that compresses ".repeat(100));
        data.truncate(data.len() / 2);
        let (_, res) = read_all(data, true);
        let err = res.expect_err("truncated stream must fail");
        assert!(describe(&err, true).starts_with("corrupt gzip stream"));
    }

    #[test]
    fn gz_name_on_plain_data_is_one_error_then_next_file() {
        use super::super::test_support::{read, write};
        let dir = tempfile::tempdir().expect("temp dir");
        let p = write(
            dir.path(),
            "a.jsonl.gz",
            b"{\"text\": \"not compressed\"}\n",
        );
        let q = write(dir.path(), "b.jsonl", b"{\"text\": \"next\"}\n");
        let got = read(&[p.clone(), q]);
        assert_eq!(got.len(), 2);
        let e = got[0].as_ref().expect_err("not gzip");
        assert!(
            e.to_string()
                .starts_with(&format!("{}:1: corrupt gzip stream", p.display())),
            "{e}"
        );
        assert_eq!(got[1].as_ref().map(|r| r.text.as_str()), Ok("next"));
    }
}
