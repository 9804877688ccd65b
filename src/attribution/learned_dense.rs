//! The labeller's templates whose values take few values: their weight rows are read from
//! a dense array by index ([`crate::ner::dense`]) instead of hashing and probing.

// The template ids.
use super::learned_features::*;

/// Templates whose values have small ranges, with a bound on each of the three values:
/// about 7,000 rows (170 KB), half the labeller's lookups per token. A value at or past its
/// bound goes to the hashed table, so a bound too low costs speed, never a different score.
pub const DENSE_TEMPLATES: [(u64, [u64; 3]); 27] = [
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::dense::DenseLayout;

    #[test]
    fn the_listed_templates_are_dense_and_the_word_is_not() {
        let layout = DenseLayout::new(&DENSE_TEMPLATES);
        let distinct: std::collections::HashSet<u64> = layout.features().into_iter().collect();
        assert_eq!(distinct.len(), layout.len(), "one row per feature");
        assert!(layout.index(&[T_BIAS, 0, 0, 0]).is_some());
        assert!(layout.index(&[T_CLUSTER_LEFT, 63, 7, 2]).is_some());
        assert_eq!(layout.index(&[T_W0, 1, 0, 0]), None);
    }
}
