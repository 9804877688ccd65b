//! navec: product-quantised word embeddings (a port of `navec/pq.py` and `navec/vocab.py`).
//!
//! A vector of `dim` floats is cut into `qdim` chunks of `dim / qdim` floats; each chunk is
//! stored as one byte, the index of its centroid among `centroids` per chunk. A word's vector
//! is rebuilt by concatenating its chunks' centroids. The vocabulary is kept as one sorted
//! byte blob followed by the `<unk>` and `<pad>` entries, looked up through an open-addressing
//! hash index built at load time (a few milliseconds for 250 k words; a binary search over
//! the blob cost a tenth of the Russian tagging time in cache misses).

/// The embedding table and its vocabulary.
#[derive(Clone, Debug)]
pub struct Navec {
    /// The words, sorted by their UTF-8 bytes, then `<unk>`, `<pad>`, concatenated.
    blob: String,
    /// `starts[i]..starts[i + 1]` is word `i` in `blob`.
    starts: Vec<u32>,
    /// Open addressing over the sorted words: slot `word_hash(w) & mask`, then the next ones,
    /// holds `id + 1` (0: empty). At most half full.
    index: Vec<u32>,
    /// Centroid index of every chunk of every word: `words × qdim`.
    indexes: Vec<u8>,
    /// Centroids: `qdim × centroids × chunk`.
    codes: Vec<f32>,
    qdim: usize,
    centroids: usize,
    chunk: usize,
}

/// Why a navec table is inconsistent.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NavecError {
    /// The sizes do not fit together.
    #[error("navec sizes do not fit: {0}")]
    Sizes(String),
    /// The vocabulary is not sorted or lacks `<unk>`/`<pad>` at its end.
    #[error("navec vocabulary: {0}")]
    Vocabulary(String),
}

impl Navec {
    /// Builds the table from its parts; `words` must be sorted by bytes (strictly) and end
    /// with `<unk>`, `<pad>`.
    pub fn new(
        words: &str,
        indexes: Vec<u8>,
        codes: Vec<f32>,
        qdim: usize,
        centroids: usize,
        dim: usize,
    ) -> Result<Navec, NavecError> {
        let sizes = |what: String| Err(NavecError::Sizes(what));
        if qdim == 0 || !dim.is_multiple_of(qdim) || centroids == 0 || centroids > 256 {
            return sizes(format!("dim {dim}, qdim {qdim}, centroids {centroids}"));
        }
        let chunk = dim / qdim;
        if codes.len() != qdim * centroids * chunk {
            return sizes(format!("{} centroid floats", codes.len()));
        }
        let mut starts = Vec::with_capacity(indexes.len() / qdim + 1);
        let mut pos = 0u32;
        for w in words.split('\n') {
            starts.push(pos);
            pos += w.len() as u32 + 1;
        }
        starts.push(pos);
        let n = starts.len() - 1;
        if indexes.len() != n * qdim {
            return sizes(format!("{n} words but {} chunk indexes", indexes.len()));
        }
        if indexes.iter().any(|&c| usize::from(c) >= centroids) {
            return sizes("a chunk index beyond the centroids".to_string());
        }
        let mut navec = Navec {
            blob: words.to_string(),
            starts,
            index: Vec::new(),
            indexes,
            codes,
            qdim,
            centroids,
            chunk,
        };
        if n < 2 || navec.word(n - 2) != "<unk>" || navec.word(n - 1) != "<pad>" {
            return Err(NavecError::Vocabulary(
                "does not end with <unk>, <pad>".to_string(),
            ));
        }
        for i in 1..n - 2 {
            if navec.word(i - 1).as_bytes() >= navec.word(i).as_bytes() {
                return Err(NavecError::Vocabulary(format!(
                    "not sorted at {:?}",
                    navec.word(i)
                )));
            }
        }
        let mut index = vec![0u32; (2 * n).next_power_of_two()];
        let mask = index.len() - 1;
        for id in 0..n - 2 {
            let mut slot = word_hash(navec.word(id)) as usize & mask;
            while index[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            index[slot] = id as u32 + 1;
        }
        navec.index = index;
        Ok(navec)
    }

    /// Number of entries, `<unk>` and `<pad>` included.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Always false: a valid table holds at least `<unk>` and `<pad>`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Word `id`'s vector rebuilt from `table`, a copy of the centroids in another number
    /// type (same layout, `qdim × centroids × chunk`, e.g. from [`Navec::map_centroids`]).
    pub fn vector_from<T: Copy>(&self, id: usize, table: &[T], out: &mut [T]) {
        assert_eq!(table.len(), self.codes.len());
        let codes = &self.indexes[id * self.qdim..(id + 1) * self.qdim];
        for (q, (&c, part)) in codes
            .iter()
            .zip(out.chunks_exact_mut(self.chunk))
            .enumerate()
        {
            let at = (q * self.centroids + usize::from(c)) * self.chunk;
            copy_chunk(part, &table[at..at + self.chunk]);
        }
    }

    /// Every centroid value mapped by `f`, for [`Navec::vector_from`].
    pub fn map_centroids<T>(&self, f: impl Fn(f32) -> T) -> Vec<T> {
        self.codes.iter().map(|&v| f(v)).collect()
    }

    /// The largest absolute value in any vector (of any centroid).
    pub fn max_abs(&self) -> f32 {
        self.codes.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// Vector length.
    pub fn dim(&self) -> usize {
        self.qdim * self.chunk
    }

    /// Entry `i` of the vocabulary.
    pub fn word(&self, i: usize) -> &str {
        let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize - 1);
        &self.blob[a..b]
    }

    /// The id of `<unk>`, which every unknown word gets.
    pub fn unk_id(&self) -> usize {
        self.len() - 2
    }

    /// The id of a (lower-cased) word, or of `<unk>`. A literal `<pad>` also gets `<unk>`:
    /// in slovnet it would be taken for padding and masked out of the sentence.
    pub fn id(&self, word: &str) -> usize {
        let mask = self.index.len() - 1;
        let mut slot = word_hash(word) as usize & mask;
        loop {
            match self.index[slot] {
                0 => return self.unk_id(),
                id if self.word(id as usize - 1) == word => return id as usize - 1,
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// Writes the vector of entry `id` into `out` (length [`Navec::dim`]).
    pub fn vector(&self, id: usize, out: &mut [f32]) {
        self.vector_from(id, &self.codes, out);
    }
}

/// Copies one chunk. navec's chunks are 3 values: copied as a fixed-size array rather than
/// by a memcpy call per chunk (which a loop over the slices also compiles to), which cost 4 %
/// of Russian tagging.
#[inline(always)]
fn copy_chunk<T: Copy>(dst: &mut [T], src: &[T]) {
    match (<&mut [T; 3]>::try_from(&mut *dst), <&[T; 3]>::try_from(src)) {
        (Ok(d), Ok(s)) => *d = *s,
        _ => dst.copy_from_slice(src),
    }
}

/// FxHash-style hash of a word's bytes, eight at a time (fast, and good enough for an index
/// that compares the words it finds).
fn word_hash(word: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = word.len() as u64;
    let mut chunks = word.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().unwrap_or_default());
        h = (h.rotate_left(5) ^ x).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    // The low bits pick the slot: fold the well-mixed high bits into them.
    h ^ (h >> 29)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Three words, dim 4 as 2 chunks of 2 with 2 centroids each.
    pub(crate) fn tiny() -> Navec {
        let words = "ab\nb\nя\n<unk>\n<pad>";
        // chunk indexes per word (2 chunks)
        let indexes = vec![0, 1, 1, 0, 1, 1, 0, 0, 1, 1];
        // qdim 0: centroid 0 = [1, 2], centroid 1 = [3, 4]; qdim 1: [5, 6], [7, 8]
        let codes = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        Navec::new(words, indexes, codes, 2, 2, 4).unwrap()
    }

    #[test]
    fn lookup_and_vectors() {
        let n = tiny();
        assert_eq!(n.len(), 5);
        assert_eq!(n.id("ab"), 0);
        assert_eq!(n.id("я"), 2);
        assert_eq!(n.id("a"), 3);
        assert_eq!(n.id("zz"), 3);
        assert_eq!(n.id("<pad>"), 3);
        assert_eq!(n.id("<unk>"), 3);
        for id in 0..n.unk_id() {
            assert_eq!(n.id(n.word(id)), id);
        }
        let mut v = [0.0; 4];
        n.vector(0, &mut v);
        assert_eq!(v, [1.0, 2.0, 7.0, 8.0]);
        n.vector(1, &mut v);
        assert_eq!(v, [3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn inconsistent_tables_are_rejected() {
        let codes = vec![0.0; 8];
        assert!(matches!(
            Navec::new("b\na\n<unk>\n<pad>", vec![0; 8], codes.clone(), 2, 2, 4),
            Err(NavecError::Vocabulary(_))
        ));
        assert!(matches!(
            Navec::new("a\nb", vec![0; 4], codes.clone(), 2, 2, 4),
            Err(NavecError::Vocabulary(_))
        ));
        assert!(matches!(
            Navec::new("a\n<unk>\n<pad>", vec![0; 4], codes.clone(), 2, 2, 4),
            Err(NavecError::Sizes(_))
        ));
        assert!(matches!(
            Navec::new("a\n<unk>\n<pad>", vec![0, 0, 0, 0, 0, 2], codes, 2, 2, 4),
            Err(NavecError::Sizes(_))
        ));
    }
}
