//! The binary model file format (`models/ner/{lang}.bin`).
//!
//! Little-endian throughout:
//!
//! | field | bytes |
//! |---|---|
//! | magic `NCNERMDL` | 8 |
//! | format version (u32) | 4 |
//! | language code (2 ASCII bytes) + flags u16 (bit 0: stacked on slovnet; bits 1-15: the stacked features' [`features::HINT_FEATURE_VERSION`]) | 4 |
//! | feature-set version (u32) | 4 |
//! | number of entity types (u16), then each as u8 length + ASCII label | var |
//! | confidence scale (f32), weight quantisation step (f32) | 8 |
//! | start scores (f32 × L), transitions (f32 × L × L) | var |
//! | number of features n (u32), feature hashes (u64 × n), weights (i16 × n × L) | var |
//! | number of cluster entries c (u32), then c × (word hash u64, coarse u16, fine u16) | var |
//! | number of name-list entries g (u32), then g × (sequence key u64, type bits u8) | var |
//! | checksum: [`features::hash_bytes`] of every preceding byte (u64) | 8 |
//!
//! Weights are quantised to i16 with one step for the whole model: four times smaller than
//! f32, with no measurable loss. The checksum is verified before anything else is parsed,
//! so a damaged or truncated file fails cleanly instead of tagging garbage.

use super::decode::LabelSet;
use super::features::{self, Clusters, FEATURE_SET_VERSION, HINT_FEATURE_VERSION};
use super::gazetteer::Gazetteer;
use super::model::{MAX_LABELS, NerModel};
use crate::document::{EntityType, Lang};
use std::path::{Path, PathBuf};

/// First bytes of every model file.
pub const MAGIC: [u8; 8] = *b"NCNERMDL";
/// Version of the layout written by this build.
pub const FORMAT_VERSION: u32 = 2;
/// Seed of the checksum hash.
const CHECKSUM_SEED: u64 = 0x6e65_725f_6d6f_6465;

/// Errors reading or writing a model file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelFileError {
    /// The file could not be read.
    #[error("cannot read NER model {path}: {source}")]
    Read {
        /// The model file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write NER model {path}: {source}")]
    Write {
        /// The model file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file does not start with the magic bytes.
    #[error("{path}: not a newsclaims NER model (bad magic bytes)")]
    BadMagic {
        /// The model file.
        path: PathBuf,
    },
    /// The file was written by another format version.
    #[error(
        "{path}: NER model format version {found}, this build reads version {expected}; retrain or update"
    )]
    WrongVersion {
        /// The model file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// The file ends before its declared content.
    #[error("{path}: truncated NER model ({len} bytes, needs more at offset {offset})")]
    Truncated {
        /// The model file.
        path: PathBuf,
        /// File length.
        len: usize,
        /// Where reading ran out.
        offset: usize,
    },
    /// The checksum does not match the content.
    #[error("{path}: corrupt NER model (checksum mismatch)")]
    Checksum {
        /// The model file.
        path: PathBuf,
    },
    /// The content is inconsistent.
    #[error("{path}: corrupt NER model: {what}")]
    Corrupt {
        /// The model file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The model is for another language than requested.
    #[error("{path}: NER model is for language {found}, expected {expected}")]
    WrongLanguage {
        /// The model file.
        path: PathBuf,
        /// Language code in the file.
        found: String,
        /// Language requested.
        expected: Lang,
    },
    /// The name gate's word list beside the models is unreadable or malformed.
    #[error(transparent)]
    NameGate(#[from] super::name_gate::NameGateError),
}

/// Serialises a model to bytes.
pub fn to_bytes(model: &NerModel) -> Vec<u8> {
    let l = model.labels.len();
    let mut b = Vec::with_capacity(64 + model.keys.len() * (8 + 2 * l));
    b.extend_from_slice(&MAGIC);
    b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    b.extend_from_slice(model.lang.code().as_bytes());
    let flags = if model.uses_slovnet {
        1 | HINT_FEATURE_VERSION << 1
    } else {
        0
    };
    b.extend_from_slice(&flags.to_le_bytes());
    b.extend_from_slice(&FEATURE_SET_VERSION.to_le_bytes());
    b.extend_from_slice(&(model.labels.types.len() as u16).to_le_bytes());
    for t in &model.labels.types {
        b.push(t.as_str().len() as u8);
        b.extend_from_slice(t.as_str().as_bytes());
    }
    b.extend_from_slice(&model.confidence_scale.to_le_bytes());
    b.extend_from_slice(&model.step.to_le_bytes());
    for x in model.start.iter().chain(&model.trans) {
        b.extend_from_slice(&x.to_le_bytes());
    }
    b.extend_from_slice(&(model.keys.len() as u32).to_le_bytes());
    for k in &model.keys {
        b.extend_from_slice(&k.to_le_bytes());
    }
    for w in &model.weights {
        b.extend_from_slice(&w.to_le_bytes());
    }
    let clusters = model.clusters.as_ref();
    b.extend_from_slice(&(clusters.map_or(0, |c| c.len()) as u32).to_le_bytes());
    if let Some(c) = clusters {
        c.encode(&mut b);
    }
    let mut names: Vec<(u64, u8)> = match &model.gazetteer {
        Some(g) => g.map.iter().map(|(&k, &v)| (k, v)).collect(),
        None => Vec::new(),
    };
    names.sort_unstable();
    b.extend_from_slice(&(names.len() as u32).to_le_bytes());
    for (k, bits) in names {
        b.extend_from_slice(&k.to_le_bytes());
        b.push(bits);
    }
    let sum = features::hash_bytes(CHECKSUM_SEED, &b);
    b.extend_from_slice(&sum.to_le_bytes());
    b
}

/// Writes a model file.
pub fn save(model: &NerModel, path: &Path) -> Result<(), ModelFileError> {
    std::fs::write(path, to_bytes(model)).map_err(|source| ModelFileError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a model file, checking that it is for `expected` (when given).
pub fn load(path: &Path, expected: Option<Lang>) -> Result<NerModel, ModelFileError> {
    let bytes = std::fs::read(path).map_err(|source| ModelFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    from_bytes(&bytes, path, expected)
}

/// A bounds-checked little-endian reader (also used by the slovnet model file).
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    /// Reads `b` from offset `pos`; `path` names the file in errors.
    pub(crate) fn new(b: &'a [u8], pos: usize, path: &'a Path) -> Reader<'a> {
        Reader { b, pos, path }
    }
    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ModelFileError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        match end {
            Some(end) => {
                let s = &self.b[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(ModelFileError::Truncated {
                path: self.path.to_path_buf(),
                len: self.b.len(),
                offset: self.pos,
            }),
        }
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], ModelFileError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u16(&mut self) -> Result<u16, ModelFileError> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    /// The next little-endian u32.
    pub(crate) fn u32(&mut self) -> Result<u32, ModelFileError> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    /// The next `n` little-endian f32s.
    pub(crate) fn f32s(&mut self, n: usize) -> Result<Vec<f32>, ModelFileError> {
        let bytes = self.take(n.saturating_mul(4))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("chunks_exact(4) yields 4 bytes")))
            .collect())
    }
    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }
    fn f32(&mut self) -> Result<f32, ModelFileError> {
        Ok(f32::from_le_bytes(self.arr()?))
    }
}

/// Checks that `bytes` start with a model file's `magic` bytes (shared by the model files
/// of this module and of slovnet's).
pub(crate) fn check_magic(bytes: &[u8], magic: &[u8], path: &Path) -> Result<(), ModelFileError> {
    if bytes.starts_with(magic) {
        Ok(())
    } else {
        Err(ModelFileError::BadMagic {
            path: path.to_path_buf(),
        })
    }
}

/// Parses a model from bytes; `path` is only used in error messages.
pub fn from_bytes(
    bytes: &[u8],
    path: &Path,
    expected: Option<Lang>,
) -> Result<NerModel, ModelFileError> {
    let corrupt = |what: String| ModelFileError::Corrupt {
        path: path.to_path_buf(),
        what,
    };
    check_magic(bytes, &MAGIC, path)?;
    let mut r = Reader {
        b: bytes,
        pos: MAGIC.len(),
        path,
    };
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(ModelFileError::WrongVersion {
            path: path.to_path_buf(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    // Header (16 bytes) plus checksum is the least a file can hold.
    if bytes.len() < 16 + 8 {
        return Err(ModelFileError::Truncated {
            path: path.to_path_buf(),
            len: bytes.len(),
            offset: bytes.len(),
        });
    }
    let body = &bytes[..bytes.len() - 8];
    let mut sum = [0u8; 8];
    sum.copy_from_slice(&bytes[bytes.len() - 8..]);
    if features::hash_bytes(CHECKSUM_SEED, body) != u64::from_le_bytes(sum) {
        return Err(ModelFileError::Checksum {
            path: path.to_path_buf(),
        });
    }
    let mut r = Reader {
        b: body,
        pos: r.pos,
        path,
    };
    let code = r.take(2)?;
    let code = String::from_utf8_lossy(code).into_owned();
    let lang =
        Lang::from_code(&code).ok_or_else(|| corrupt(format!("unknown language code {code:?}")))?;
    if let Some(expected) = expected
        && expected != lang
    {
        return Err(ModelFileError::WrongLanguage {
            path: path.to_path_buf(),
            found: code,
            expected,
        });
    }
    let flags = r.u16()?;
    let fset = r.u32()?;
    if fset != FEATURE_SET_VERSION {
        return Err(corrupt(format!(
            "feature set version {fset}, this build extracts version {FEATURE_SET_VERSION}"
        )));
    }
    // A stacked model's slovnet features have a version of their own (files from before
    // it have 0 there).
    let hint_version = flags >> 1;
    if flags & 1 != 0 && hint_version != HINT_FEATURE_VERSION {
        return Err(corrupt(format!(
            "stacked on slovnet with hint feature version {hint_version}, this build extracts \
             version {HINT_FEATURE_VERSION}; retrain it (scripts/train-ner-models.sh ru)"
        )));
    }
    let n_types = r.u16()? as usize;
    let mut types = Vec::with_capacity(n_types);
    for _ in 0..n_types {
        let len = r.take(1)?[0] as usize;
        let name = String::from_utf8_lossy(r.take(len)?).into_owned();
        let ty = EntityType::parse(&name)
            .ok_or_else(|| corrupt(format!("unknown entity type {name:?}")))?;
        types.push(ty);
    }
    if types.is_empty() || 1 + 2 * types.len() > MAX_LABELS {
        return Err(corrupt(format!("{} entity types", types.len())));
    }
    let labels = LabelSet { types };
    let l = labels.len();
    let confidence_scale = r.f32()?;
    let step = r.f32()?;
    if !step.is_finite() || !confidence_scale.is_finite() {
        return Err(corrupt("non-finite scale".to_string()));
    }
    let mut start = Vec::with_capacity(l);
    for _ in 0..l {
        start.push(r.f32()?);
    }
    let mut trans = Vec::with_capacity(l * l);
    for _ in 0..l * l {
        trans.push(r.f32()?);
    }
    let n = r.u32()? as usize;
    let key_bytes = r.take(
        n.checked_mul(8)
            .ok_or_else(|| corrupt("feature count overflows".into()))?,
    )?;
    let keys = u64s_le(key_bytes);
    let w_bytes = r.take(n * l * 2)?;
    let weights: Vec<i16> = w_bytes
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let nc = r.u32()? as usize;
    let c_bytes = r.take(
        nc.checked_mul(Clusters::ENTRY_BYTES)
            .ok_or_else(|| corrupt("cluster count overflows".into()))?,
    )?;
    let clusters = (nc != 0).then(|| Clusters::decode(c_bytes));
    let ng = r.u32()? as usize;
    let g_bytes = r.take(
        ng.checked_mul(9)
            .ok_or_else(|| corrupt("name list size overflows".into()))?,
    )?;
    let gazetteer = if ng == 0 {
        None
    } else {
        let map = g_bytes
            .chunks_exact(9)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(&c[..8]);
                (u64::from_le_bytes(a), c[8])
            })
            .collect();
        Some(Gazetteer { map })
    };
    if r.pos != body.len() {
        return Err(corrupt(format!(
            "{} unexpected trailing bytes",
            body.len() - r.pos
        )));
    }
    let mut model = NerModel::from_quantised(
        lang,
        labels,
        start,
        trans,
        keys,
        weights,
        step,
        clusters,
        confidence_scale,
    );
    model.uses_slovnet = flags & 1 != 0;
    model.gazetteer = gazetteer;
    Ok(model)
}

/// Little-endian `u64`s from bytes (a trailing partial value is ignored). Shared by the
/// model files of the NER tagger and of the attribution labeller.
pub(crate) fn u64s_le(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("chunks_exact(8) yields 8 bytes")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> NerModel {
        let labels = LabelSet {
            types: vec![EntityType::Per, EntityType::Loc],
        };
        let l = labels.len();
        let keys = vec![11u64, 22, 33];
        let weights: Vec<f32> = (0..keys.len() * l).map(|i| i as f32 * 0.25 - 1.0).collect();
        let mut map = features::KeyMap::default();
        map.insert(7u64, [1u16, 2u16]);
        NerModel::new(
            Lang::Az,
            labels,
            vec![0.5; l],
            vec![-0.25; l * l],
            keys,
            &weights,
            Some(Clusters::new(map)),
            0.7,
        )
    }

    #[test]
    fn round_trip_keeps_everything() {
        let m = tiny();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("az.bin");
        save(&m, &path).unwrap();
        let back = load(&path, Some(Lang::Az)).unwrap();
        assert_eq!(back.lang, Lang::Az);
        assert_eq!(back.labels, m.labels);
        assert_eq!(back.keys, m.keys);
        assert_eq!(back.start, m.start);
        assert_eq!(back.trans, m.trans);
        assert_eq!(back.clusters, m.clusters);
        assert_eq!(back.confidence_scale, m.confidence_scale);
        assert_eq!(back.weights, m.weights);
        assert_eq!(back.step, m.step);
        assert!(!back.uses_slovnet);
        let mut stacked = m.clone();
        stacked.uses_slovnet = true;
        save(&stacked, &path).unwrap();
        assert!(load(&path, None).unwrap().uses_slovnet);
        // A stacked model whose slovnet features are of another version is refused by name.
        let mut old = to_bytes(&stacked);
        let flags = 8 + 4 + 2;
        old[flags..flags + 2].copy_from_slice(&1u16.to_le_bytes());
        let body = old.len() - 8;
        let sum = features::hash_bytes(CHECKSUM_SEED, &old[..body]);
        old[body..].copy_from_slice(&sum.to_le_bytes());
        std::fs::write(&path, &old).unwrap();
        let err = load(&path, None).unwrap_err().to_string();
        assert!(err.contains("hint feature version 0"), "{err}");
        save(&m, &path).unwrap();
        // Saving again is byte-identical (deterministic format).
        assert_eq!(to_bytes(&back), to_bytes(&load(&path, None).unwrap()));
    }

    #[test]
    fn damaged_files_give_clear_errors() {
        let bytes = to_bytes(&tiny());
        let p = Path::new("x.bin");
        let mut flipped = bytes.clone();
        flipped[40] ^= 0x10;
        assert!(matches!(
            from_bytes(&flipped, p, None),
            Err(ModelFileError::Checksum { .. })
        ));
        let truncated = &bytes[..bytes.len() - 20];
        let err = from_bytes(truncated, p, None).unwrap_err();
        assert!(
            matches!(
                err,
                ModelFileError::Checksum { .. } | ModelFileError::Truncated { .. }
            ),
            "{err}"
        );
        assert!(matches!(
            from_bytes(&bytes[..10], p, None),
            Err(ModelFileError::Truncated { .. })
        ));
        assert!(matches!(
            from_bytes(b"hello world, not a model", p, None),
            Err(ModelFileError::BadMagic { .. })
        ));
        let mut v2 = bytes.clone();
        v2[8] = 9;
        let err = from_bytes(&v2, p, None).unwrap_err();
        assert!(matches!(err, ModelFileError::WrongVersion { found: 9, .. }));
        assert!(err.to_string().contains("x.bin"));
        let err = from_bytes(&bytes, p, Some(Lang::Ru)).unwrap_err();
        assert!(matches!(err, ModelFileError::WrongLanguage { .. }));
        assert!(err.to_string().contains("expected ru"), "{err}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = load(Path::new("/nonexistent/dir/en.bin"), None).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/dir/en.bin"));
    }
}
