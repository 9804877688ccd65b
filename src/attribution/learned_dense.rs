//! The dense part of the labeller's features: templates whose values take few values
//! have their weight rows laid out in one array, read by index instead of hashing the
//! feature and probing the hashed table (see [`super::learned`]'s scoring). The weights are
//! the table's own, copied when the model is built, so scores do not change.

// The template ids.
use super::learned_features::*;
use crate::ner::features::feat;

/// Templates whose values have small ranges, with a bound on each of the three values.
/// Their weight rows fit one small array (about 7,000 rows, 110 KB), read by index instead
/// of hashing the feature and probing the table: half the labeller's lookups. A value at
/// or past its bound goes to the hashed table, so a bound too low costs speed, never a
/// different score.
const DENSE_TEMPLATES: [(u64, [u64; 3]); 27] = [
    (T_BIAS, [1, 1, 1]),
    (T_CAP, [6, 1, 1]),
    (T_CAP3, [6, 6, 6]),
    (T_LEX, [7, 8, 1]),
    (T_LEX_M1, [7, 8, 7]),
    (T_LEX_P1, [7, 8, 7]),
    (T_NER, [9, 1, 1]),
    (T_NER_CTX, [9, 9, 9]),
    (T_QUOTE, [3, 3, 3]),
    (T_LEFT, [8, 4, 1]),
    (T_RIGHT, [8, 4, 1]),
    (T_LEFT_RIGHT, [8, 8, 1]),
    (T_LEFT_QUOTE, [8, 3, 1]),
    (T_RIGHT_QUOTE, [8, 3, 1]),
    (T_SENT_POS, [4, 6, 1]),
    (T_SENT_INDEX, [4, 1, 1]),
    (T_PUNCT_CTX, [6, 6, 6]),
    (T_LEFT_SEP, [8, 8, 3]),
    (T_RIGHT_SEP, [8, 8, 3]),
    (T_PARA_CUE, [2, 3, 1]),
    (T_LEX_NER, [7, 9, 9]),
    (T_LEARNED, [5, 5, 5]),
    (T_LEARNED_LEFT, [10, 6, 3]),
    (T_LEARNED_RIGHT, [10, 6, 3]),
    (T_SENT_DIST, [6, 6, 3]),
    (T_CLUSTER_LEFT, [64, 8, 3]),
    (T_CLUSTER_RIGHT, [64, 8, 3]),
];

/// The places of the dense templates' rows ([`DENSE_TEMPLATES`]) in one array.
#[derive(Clone, Debug)]
pub struct DenseLayout {
    /// Template id → first row and the value bounds, for dense templates.
    spec: Vec<Option<(usize, [u64; 3])>>,
    /// Rows in all.
    len: usize,
}

impl Default for DenseLayout {
    fn default() -> Self {
        DenseLayout::new()
    }
}

impl DenseLayout {
    /// The layout of [`DENSE_TEMPLATES`].
    pub fn new() -> DenseLayout {
        let top = DENSE_TEMPLATES.iter().map(|&(t, _)| t).max().unwrap_or(0);
        let mut spec = vec![None; top as usize + 1];
        let mut len = 0;
        for &(t, bounds) in &DENSE_TEMPLATES {
            spec[t as usize] = Some((len, bounds));
            len += bounds.iter().product::<u64>() as usize;
        }
        DenseLayout { spec, len }
    }

    /// The row of a feature, if its template is dense and its values are within bounds.
    #[inline]
    pub fn index(&self, f: &Template) -> Option<usize> {
        let &[t, a, b, c] = f;
        let (first, [ra, rb, rc]) = (*self.spec.get(t as usize)?)?;
        (a < ra && b < rb && c < rc).then(|| first + (a + ra * (b + rb * c)) as usize)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The hashed feature of every row, in row order.
    pub fn features(&self) -> Vec<u64> {
        let mut out = vec![0; self.len];
        for &(t, [ra, rb, rc]) in &DENSE_TEMPLATES {
            for c in 0..rc {
                for b in 0..rb {
                    for a in 0..ra {
                        let f = [t, a, b, c];
                        if let Some(i) = self.index(&f) {
                            out[i] = feat(t, a, b, c);
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_one_feature_and_values_past_the_bounds_have_none() {
        let layout = DenseLayout::new();
        let features = layout.features();
        assert_eq!(features.len(), layout.len());
        let mut seen = vec![false; layout.len()];
        for &(t, [ra, rb, rc]) in &DENSE_TEMPLATES {
            for (a, b, c) in [
                (0, 0, 0),
                (ra - 1, rb - 1, rc - 1),
                (ra / 2, rb / 2, rc / 2),
            ] {
                let i = layout.index(&[t, a, b, c]).unwrap();
                assert_eq!(features[i], feat(t, a, b, c));
                seen[i] = true;
            }
            assert_eq!(layout.index(&[t, ra, 0, 0]), None);
            assert_eq!(layout.index(&[t, 0, 0, rc]), None);
        }
        // Templates that are not dense (the word itself) are hashed.
        assert_eq!(layout.index(&[T_W0, 1, 0, 0]), None);
        assert_eq!(layout.index(&[999, 0, 0, 0]), None);
        let distinct: std::collections::HashSet<u64> = features.iter().copied().collect();
        assert_eq!(distinct.len(), features.len(), "one row per feature");
    }
}
