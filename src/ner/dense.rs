//! Dense weight rows for feature templates whose values take few values (capitalisation
//! class, sentence position, another tagger's tag, a word cluster id, a distance bucket).
//!
//! The perceptron taggers hash every feature and find its weight row in an open-addressing
//! table ([`crate::ner::model::FeatureTable`]); each lookup is a likely cache miss. For a
//! template whose three values stay under small bounds, every possible feature can be
//! enumerated once, its row copied out of the table into one small array, and read by
//! index: no hashing, no probing, and the array stays in the core's cache. The rows are the
//! table's own, so scores do not change; a value at or past its bound (a sentinel for "no
//! cluster", say) takes the hashed path.

use super::features::feat;
use super::model::{FeatureTable, MAX_LABELS};

/// One feature before hashing: template id and three values (`feat` hashes them).
pub type Template = [u64; 4];

/// The places of some templates' rows in one array: each template listed with a bound on
/// each of its three values.
#[derive(Clone, Debug, Default)]
pub struct DenseLayout {
    templates: Vec<(u64, [u64; 3])>,
    /// Template id → first row and the value bounds, for dense templates.
    spec: Vec<Option<(usize, [u64; 3])>>,
    /// Rows in all.
    len: usize,
}

impl DenseLayout {
    /// The layout of `templates` (template id, bounds of its three values).
    pub fn new(templates: &[(u64, [u64; 3])]) -> DenseLayout {
        let top = templates.iter().map(|&(t, _)| t).max().unwrap_or(0);
        let mut spec = vec![None; top as usize + 1];
        let mut len = 0;
        for &(t, bounds) in templates {
            spec[t as usize] = Some((len, bounds));
            len += bounds.iter().product::<u64>() as usize;
        }
        DenseLayout {
            templates: templates.to_vec(),
            spec,
            len,
        }
    }

    /// The row of a feature, if its template is dense and its values are within bounds.
    #[inline]
    pub fn index(&self, f: &Template) -> Option<usize> {
        let &[t, a, b, c] = f;
        let (first, [ra, rb, rc]) = (*self.spec.get(t as usize)?)?;
        (a < ra && b < rb && c < rc).then(|| first + (a + ra * (b + rb * c)) as usize)
    }

    /// The rows of one template (empty when it is not dense).
    pub fn rows_of(&self, template: u64) -> std::ops::Range<usize> {
        match self.spec.get(template as usize).copied().flatten() {
            Some((first, bounds)) => first..first + bounds.iter().product::<u64>() as usize,
            None => 0..0,
        }
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
        for &(t, [ra, rb, rc]) in &self.templates {
            for c in 0..rc {
                for b in 0..rb {
                    for a in 0..ra {
                        if let Some(i) = self.index(&[t, a, b, c]) {
                            out[i] = feat(t, a, b, c);
                        }
                    }
                }
            }
        }
        out
    }

    /// Every row's weights, copied from the table (zeros for features it lacks).
    pub fn rows(&self, table: &FeatureTable) -> Vec<[i16; MAX_LABELS]> {
        self.features()
            .into_iter()
            .map(|f| table.get(f).copied().unwrap_or([0; MAX_LABELS]))
            .collect()
    }
}

/// A model's dense rows: the layout and the weight rows copied from its table.
#[derive(Clone, Debug, Default)]
pub struct DenseRows {
    layout: DenseLayout,
    rows: Vec<[i16; MAX_LABELS]>,
}

impl DenseRows {
    /// The rows of `templates` (see [`DenseLayout::new`]) with `table`'s weights.
    pub fn new(templates: &[(u64, [u64; 3])], table: &FeatureTable) -> DenseRows {
        let layout = DenseLayout::new(templates);
        let rows = layout.rows(table);
        DenseRows { layout, rows }
    }

    /// The layout.
    pub fn layout(&self) -> &DenseLayout {
        &self.layout
    }

    /// Adds the rows of the dense ones among `features` to `acc` (one sum per label, all
    /// [`MAX_LABELS`] lanes: a fixed width the compiler turns into a few vector additions)
    /// and pushes the hashes of the others to `hashed`, for the table.
    #[inline]
    pub fn split(&self, features: &[Template], acc: &mut [i32; MAX_LABELS], hashed: &mut Vec<u64>) {
        self.split_except(features, 0, acc, hashed);
    }

    /// [`DenseRows::split`] leaving out the features whose template id has its bit set in
    /// `skip` (ids below 64): the caller adds their rows another way.
    #[inline]
    pub fn split_except(
        &self,
        features: &[Template],
        skip: u64,
        acc: &mut [i32; MAX_LABELS],
        hashed: &mut Vec<u64>,
    ) {
        for f in features {
            if f[0] < 64 && skip >> f[0] & 1 == 1 {
                continue;
            }
            match self.layout.index(f) {
                Some(i) => {
                    for (o, &x) in acc.iter_mut().zip(&self.rows[i]) {
                        *o += i32::from(x);
                    }
                }
                None => hashed.push(feat(f[0], f[1], f[2], f[3])),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_one_feature_and_values_past_the_bounds_have_none() {
        let templates = [(3u64, [4u64, 1, 1]), (7, [2, 3, 5]), (9, [1, 1, 1])];
        let layout = DenseLayout::new(&templates);
        assert_eq!(layout.len(), 4 + 30 + 1);
        let features = layout.features();
        let mut seen = vec![false; layout.len()];
        for &(t, [ra, rb, rc]) in &templates {
            for c in 0..rc {
                for b in 0..rb {
                    for a in 0..ra {
                        let i = layout.index(&[t, a, b, c]).unwrap();
                        assert!(!seen[i], "one feature per row");
                        seen[i] = true;
                        assert_eq!(features[i], feat(t, a, b, c));
                    }
                }
            }
            assert_eq!(layout.index(&[t, ra, 0, 0]), None);
            assert_eq!(layout.index(&[t, 0, rb, 0]), None);
            assert_eq!(layout.index(&[t, 0, 0, rc]), None);
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(layout.rows_of(7), 4..34);
        assert_eq!(layout.rows_of(8), 0..0);
        assert_eq!(layout.index(&[8, 0, 0, 0]), None, "not a dense template");
        assert_eq!(layout.index(&[999, 0, 0, 0]), None);
    }

    #[test]
    fn rows_are_the_tables_weights() {
        let layout = DenseLayout::new(&[(5, [3, 1, 1])]);
        let f = layout.features();
        let table = FeatureTable::new(&[f[1], 77], &[1, 2, 3, 4], 2);
        let rows = layout.rows(&table);
        assert_eq!(rows[0], [0; MAX_LABELS]);
        assert_eq!(&rows[1][..2], &[1, 2]);
        assert_eq!(rows[2], [0; MAX_LABELS]);
        // Split: the dense feature's row is added, the others hashed.
        let dense = DenseRows::new(&[(5, [3, 1, 1])], &table);
        let (mut acc, mut hashed) = ([0; MAX_LABELS], Vec::new());
        acc[..2].copy_from_slice(&[10, 20]);
        dense.split(
            &[[5, 1, 0, 0], [5, 3, 0, 0], [6, 0, 0, 0]],
            &mut acc,
            &mut hashed,
        );
        assert_eq!(acc[..3], [11, 22, 0]);
        assert_eq!(hashed, vec![feat(5, 3, 0, 0), feat(6, 0, 0, 0)]);
        // Skipped templates are neither added nor hashed.
        let (mut acc, mut hashed) = ([0; MAX_LABELS], Vec::new());
        dense.split_except(
            &[[5, 1, 0, 0], [5, 3, 0, 0], [6, 0, 0, 0]],
            1 << 5,
            &mut acc,
            &mut hashed,
        );
        assert_eq!(acc, [0; MAX_LABELS]);
        assert_eq!(hashed, vec![feat(6, 0, 0, 0)]);
    }
}
