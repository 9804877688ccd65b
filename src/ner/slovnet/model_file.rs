//! The slovnet model file (`models/ner/ru.slovnet`), written by `scripts/convert-slovnet.py`
//! from natasha's `slovnet_ner_news_v1.tar` and `navec_news_v1_1B_250K_300d_100q.tar`.
//!
//! Little-endian throughout:
//!
//! | field | bytes |
//! |---|---|
//! | magic `NCSLOVNT` | 8 |
//! | format version (u32) | 4 |
//! | header length h (u32), header: UTF-8 JSON ([`Header`]) | 4 + h |
//! | vocabulary length g (u32), gzip of the words joined by `\n`: sorted by UTF-8 bytes, then `<unk>`, `<pad>` | 4 + g |
//! | navec chunk indexes (u8 × words × qdim) | var |
//! | navec centroids (f32 × qdim × centroids × dim/qdim) | var |
//! | shape embeddings (f32 × shapes × shape_dim) | var |
//! | per layer: convolution weight (f32 × out × in × kernel), bias, batch-norm weight, bias, mean, std (f32 × out each) | var |
//! | projection weight (f32 × last out × tags), bias (f32 × tags), CRF transitions (f32 × tags × tags) | var |
//! | checksum: [`crate::ner::features::hash_bytes`] of every preceding byte (u64) | 8 |
//!
//! The arrays are slovnet's own, in its layouts; the loader rearranges them for
//! [`super::cnn`]. The checksum is verified before anything is parsed.

use super::SlovnetModel;
use super::cnn::ConvLayer;
use super::crf::Tag;
use super::navec::Navec;
use crate::ner::features;
use crate::ner::model_file::{ModelFileError, Reader, check_magic};
use std::io::Read;
use std::path::Path;

/// First bytes of a slovnet model file.
pub const MAGIC: [u8; 8] = *b"NCSLOVNT";
/// Version of the layout this build reads.
pub const FORMAT_VERSION: u32 = 1;
/// Seed of the checksum hash.
pub const CHECKSUM_SEED: u64 = 0x736c_6f76_6e65_7431;

/// The JSON header: sizes, and the tag and shape vocabularies.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Header {
    /// slovnet's model id (`slovnet_ner_news_v1`).
    pub ner_id: String,
    /// navec's table id (`news_v1_1B_250K_300d_100q`).
    pub navec_id: String,
    /// Tag vocabulary (`<pad>`, `O`, `B-PER`, ...).
    pub tags: Vec<String>,
    /// Shape vocabulary (`<pad>`, `RU_X`, ...).
    pub shapes: Vec<String>,
    /// Vocabulary entries, `<unk>` and `<pad>` included.
    pub words: usize,
    /// navec vector length.
    pub dim: usize,
    /// navec chunks per vector.
    pub qdim: usize,
    /// navec centroids per chunk.
    pub centroids: usize,
    /// Shape embedding length.
    pub shape_dim: usize,
    /// The convolution layers.
    pub layers: Vec<LayerHeader>,
}

/// Sizes of one convolution layer.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct LayerHeader {
    /// Input channels.
    #[serde(rename = "in")]
    pub in_dim: usize,
    /// Output channels.
    pub out: usize,
    /// Window length.
    pub kernel: usize,
    /// Zero rows added on each side.
    pub padding: usize,
}

/// Reads a slovnet model file.
pub fn load(path: &Path) -> Result<SlovnetModel, ModelFileError> {
    let bytes = std::fs::read(path).map_err(|source| ModelFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    from_bytes(&bytes, path)
}

/// Parses a slovnet model from bytes; `path` is only used in error messages.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<SlovnetModel, ModelFileError> {
    let corrupt = |what: String| ModelFileError::Corrupt {
        path: path.to_path_buf(),
        what,
    };
    check_magic(bytes, &MAGIC, path)?;
    let mut r = Reader::new(bytes, MAGIC.len(), path);
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(ModelFileError::WrongVersion {
            path: path.to_path_buf(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    if bytes.len() < MAGIC.len() + 4 + 8 {
        return Err(ModelFileError::Truncated {
            path: path.to_path_buf(),
            len: bytes.len(),
            offset: bytes.len(),
        });
    }
    let body = &bytes[..bytes.len() - 8];
    let sum = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("8 bytes"));
    if features::hash_bytes(CHECKSUM_SEED, body) != sum {
        return Err(ModelFileError::Checksum {
            path: path.to_path_buf(),
        });
    }
    let mut r = Reader::new(body, MAGIC.len() + 4, path);
    let len = r.u32()? as usize;
    let header: Header =
        serde_json::from_slice(r.take(len)?).map_err(|e| corrupt(format!("header: {e}")))?;
    let len = r.u32()? as usize;
    let mut words = String::new();
    flate2::read::GzDecoder::new(r.take(len)?)
        .read_to_string(&mut words)
        .map_err(|e| corrupt(format!("vocabulary: {e}")))?;
    let size = |dims: &[usize]| {
        dims.iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| corrupt(format!("sizes {dims:?} overflow")))
    };
    let indexes = r.take(size(&[header.words, header.qdim])?)?.to_vec();
    let codes = r.f32s(size(&[header.dim, header.centroids])?)?;
    let navec = Navec::new(
        &words,
        indexes,
        codes,
        header.qdim,
        header.centroids,
        header.dim,
    )
    .map_err(|e| corrupt(e.to_string()))?;
    if navec.len() != header.words {
        return Err(corrupt(format!(
            "{} words, the header says {}",
            navec.len(),
            header.words
        )));
    }
    let shape_emb = r.f32s(size(&[header.shapes.len(), header.shape_dim])?)?;
    let mut layers = Vec::with_capacity(header.layers.len());
    for (i, l) in header.layers.iter().enumerate() {
        let weight = r.f32s(size(&[l.out, l.in_dim, l.kernel])?)?;
        let bias = r.f32s(l.out)?;
        let norm: Vec<Vec<f32>> = (0..4).map(|_| r.f32s(l.out)).collect::<Result<_, _>>()?;
        let layer = ConvLayer::new(
            l.in_dim,
            l.out,
            l.kernel,
            l.padding,
            &weight,
            bias,
            [&norm[0], &norm[1], &norm[2], &norm[3]],
        )
        .map_err(|e| corrupt(format!("layer {i}: {e}")))?;
        layers.push(layer);
    }
    let tags = header.tags.len();
    let last = header.layers.last().map_or(0, |l| l.out);
    let proj_weight = r.f32s(size(&[last, tags])?)?;
    let proj_bias = r.f32s(tags)?;
    let transitions = r.f32s(size(&[tags, tags])?)?;
    if r.remaining() != 0 {
        return Err(corrupt(format!("{} bytes left over", r.remaining())));
    }
    let tag_set = header
        .tags
        .iter()
        .map(|t| Tag::parse(t).ok_or_else(|| corrupt(format!("unknown tag {t:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    SlovnetModel::from_parts(
        navec,
        header.shapes,
        shape_emb,
        layers,
        proj_weight,
        proj_bias,
        transitions,
        tag_set,
    )
    .map_err(corrupt)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny model in the file format: the navec table of `navec::tests::tiny`, every
    /// slovnet shape, one layer of 2 channels, the 8 tags of the shipped model.
    pub(crate) fn tiny_bytes() -> Vec<u8> {
        let shapes: Vec<String> = std::iter::once("<pad>".to_string())
            .chain(super::super::shape::all_shapes())
            .collect();
        let tags = [
            "<pad>", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG",
        ];
        let header = Header {
            ner_id: "tiny".into(),
            navec_id: "tiny".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            shapes: shapes.clone(),
            words: 5,
            dim: 4,
            qdim: 2,
            centroids: 2,
            shape_dim: 1,
            layers: vec![LayerHeader {
                in_dim: 5,
                out: 2,
                kernel: 3,
                padding: 1,
            }],
        };
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"ab\nb\n\xd1\x8f\n<unk>\n<pad>").unwrap();
        let words = gz.finish().unwrap();
        let json = serde_json::to_vec(&header).unwrap();
        let mut b = MAGIC.to_vec();
        b.extend(FORMAT_VERSION.to_le_bytes());
        b.extend((json.len() as u32).to_le_bytes());
        b.extend(&json);
        b.extend((words.len() as u32).to_le_bytes());
        b.extend(&words);
        b.extend([0, 1, 1, 0, 1, 1, 0, 0, 1, 1]);
        let mut floats: Vec<f32> = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        floats.extend((0..shapes.len()).map(|i| i as f32 / 10.0));
        floats.extend((0..2 * 5 * 3).map(|i| (i % 7) as f32 / 7.0 - 0.4));
        floats.extend([0.1, -0.1, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
        floats.extend((0..2 * 8).map(|i| (i % 5) as f32 - 2.0));
        floats.extend([0.0; 8]);
        floats.extend((0..64).map(|i| if i % 9 == 0 { 0.5 } else { 0.0 }));
        for f in floats {
            b.extend(f.to_le_bytes());
        }
        let sum = features::hash_bytes(CHECKSUM_SEED, &b);
        b.extend(sum.to_le_bytes());
        b
    }

    #[test]
    fn a_tiny_file_loads_and_tags() {
        let m = from_bytes(&tiny_bytes(), Path::new("tiny")).unwrap();
        let spans = m.tag(&["Ab", "b", "Я", "."]);
        let mut prev = 0;
        for s in &spans {
            assert!(
                s.start >= prev && s.start < s.end && s.end <= 4,
                "{spans:?}"
            );
            prev = s.end;
        }
        assert_eq!(m.emissions(&["Ab", "b"]).len(), 2 * 8);
    }

    #[test]
    fn damaged_files_give_clear_errors() {
        let good = tiny_bytes();
        let p = Path::new("x.slovnet");
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(matches!(
            from_bytes(&bad, p),
            Err(ModelFileError::BadMagic { .. })
        ));
        let mut bad = good.clone();
        bad[8] = 9;
        assert!(matches!(
            from_bytes(&bad, p),
            Err(ModelFileError::WrongVersion { found: 9, .. })
        ));
        let mut bad = good.clone();
        let n = bad.len();
        bad[n - 20] ^= 1;
        assert!(matches!(
            from_bytes(&bad, p),
            Err(ModelFileError::Checksum { .. })
        ));
        assert!(from_bytes(&good[..good.len() - 30], p).is_err());
        assert!(matches!(
            from_bytes(&good[..10], p),
            Err(ModelFileError::Truncated { .. })
        ));
        let err = load(Path::new("no/such/ru.slovnet")).unwrap_err();
        assert!(err.to_string().contains("no/such/ru.slovnet"), "{err}");
    }
}
