//! Word clusters from navec embeddings, for the tagger's cluster features.
//!
//! The clusters learned by [`super::clusters`] see only the raw text at hand (a million words
//! of news for Russian), so rare names get no class or a noisy one. navec's vectors
//! (natasha's `navec_news`, shipped inside `models/ner/ru.slovnet`) were trained on about a
//! billion tokens of news, so grouping them gives classes for its 200,000 words that
//! generalise better. The grouping is spherical k-means (cosine similarity on unit vectors),
//! seeded with k-means++ from a fixed seed, so the same table and seed give the same
//! clusters.
//!
//! The cost is `words × dim × k` multiply-adds per pass. The assignment kernel scores eight
//! contiguous rows (four without AVX2) against one centroid at a time, so it vectorises and
//! reuses each loaded centroid chunk for every row of the block: 200,000 words × 300 dims ×
//! 2,048 clusters take roughly 20 s a pass on one core.

use super::features::{self, Clusters, KeyMap};
use super::slovnet::navec::Navec;
use crate::document::Lang;
use rayon::prelude::*;

/// Lanes of the accumulators in the dot-product kernel; rows are padded to a multiple.
const LANES: usize = 8;
/// Rows the assignment kernel scores together against one centroid (with AVX2; half as
/// many at a time without).
const ROW_BLOCK: usize = 8;

/// Unit-length vectors stored row by row, each padded with zeros to a multiple of
/// `LANES` so that the kernel needs no remainder loop.
#[derive(Clone, Debug)]
pub struct UnitRows {
    data: Vec<f32>,
    /// Padded row length.
    stride: usize,
    rows: usize,
}

impl UnitRows {
    /// Normalises `rows` vectors of length `dim` taken from `flat` (row by row). A zero
    /// vector stays zero (it then joins whichever cluster the tie-break picks).
    pub fn new(flat: &[f32], dim: usize) -> UnitRows {
        assert!(
            dim > 0 && flat.len().is_multiple_of(dim),
            "rows of {dim} floats"
        );
        let rows = flat.len() / dim;
        let stride = dim.div_ceil(LANES) * LANES;
        let mut data = vec![0.0f32; rows * stride];
        for (src, dst) in flat.chunks_exact(dim).zip(data.chunks_exact_mut(stride)) {
            dst[..dim].copy_from_slice(src);
            normalise(dst);
        }
        UnitRows { data, stride, rows }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Row `i`, padding included.
    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.stride..(i + 1) * self.stride]
    }
}

/// Scales `v` to unit length (leaves a zero vector alone).
fn normalise(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Dot product of two equally long slices whose length is a multiple of [`LANES`]; summed in
/// [`LANES`] independent lanes so that the compiler can vectorise it.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum()
}

/// Dot products of the `R` rows starting at `first` with `centroid`. Each row's sum is
/// formed in the same order whatever `R` and whatever vector width the compiler picks, so
/// every code path gives bit-identical results.
#[inline(always)]
fn dot_block<const R: usize>(rows: &UnitRows, first: usize, centroid: &[f32]) -> [f32; R] {
    let s = rows.stride;
    let block = &rows.data[first * s..(first + R) * s];
    let mut acc = [[0.0f32; LANES]; R];
    for (j, c) in centroid.chunks_exact(LANES).enumerate() {
        for (r, a) in acc.iter_mut().enumerate() {
            let x = &block[r * s + j * LANES..r * s + (j + 1) * LANES];
            for l in 0..LANES {
                a[l] += x[l] * c[l];
            }
        }
    }
    acc.map(|a| a.iter().sum())
}

/// Writes the best centroid (highest cosine; ties to the lower index) of the `out.len()`
/// rows from `first` on, `R` rows at a time (`out.len()` must be a multiple of `R`).
#[inline(always)]
fn best_centroids<const R: usize>(
    rows: &UnitRows,
    first: usize,
    centroids: &[f32],
    k: usize,
    out: &mut [u16],
) {
    let s = rows.stride;
    for (b, chunk) in out.chunks_exact_mut(R).enumerate() {
        let mut best = [(f32::NEG_INFINITY, 0u16); R];
        for c in 0..k {
            let sims = dot_block::<R>(rows, first + b * R, &centroids[c * s..(c + 1) * s]);
            for (r, &sim) in sims.iter().enumerate() {
                if sim > best[r].0 {
                    best[r] = (sim, c as u16);
                }
            }
        }
        for (o, (_, c)) in chunk.iter_mut().zip(best) {
            *o = c;
        }
    }
}

/// [`best_centroids`] compiled for AVX2: eight rows' accumulators then fit in the sixteen
/// 256-bit registers, about twice the SSE2 speed. No FMA, so results stay bit-identical.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn best_centroids_avx2(
    rows: &UnitRows,
    first: usize,
    centroids: &[f32],
    k: usize,
    out: &mut [u16],
) {
    best_centroids::<ROW_BLOCK>(rows, first, centroids, k, out);
}

/// [`best_centroids`] for one block of [`ROW_BLOCK`] rows, on the widest vectors the CPU has.
fn best_centroids_of_block(
    rows: &UnitRows,
    first: usize,
    centroids: &[f32],
    k: usize,
    out: &mut [u16],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { best_centroids_avx2(rows, first, centroids, k, out) };
        return;
    }
    // Four rows' accumulators fill the sixteen 128-bit registers of baseline x86-64.
    best_centroids::<{ ROW_BLOCK / 2 }>(rows, first, centroids, k, out);
}

/// A SplitMix64 generator: tiny, seeded, and the same on every platform.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The best centroid (highest cosine) of every row: ties go to the lower centroid index.
fn assign(rows: &UnitRows, centroids: &[f32], k: usize, out: &mut [u16]) {
    let full = rows.rows / ROW_BLOCK * ROW_BLOCK;
    // Blocks of rows are independent: rayon splits them over the cores, and each block's
    // result depends only on its rows, so the output is the same with any thread count.
    out[..full]
        .par_chunks_mut(ROW_BLOCK)
        .enumerate()
        .for_each(|(b, best)| best_centroids_of_block(rows, b * ROW_BLOCK, centroids, k, best));
    for (i, o) in out.iter_mut().enumerate().skip(full) {
        best_centroids::<1>(rows, i, centroids, k, std::slice::from_mut(o));
    }
}

/// k-means++ seeding on cosine distance (`1 - cos`): the first centroid is a random row,
/// each next one a row drawn with probability proportional to its squared distance to the
/// nearest centroid so far, which spreads the seeds over the data.
fn seed_centroids(rows: &UnitRows, k: usize, rng: &mut SplitMix) -> Vec<f32> {
    let s = rows.stride;
    let n = rows.rows;
    let mut centroids = Vec::with_capacity(k * s);
    let first = (rng.next_u64() % n as u64) as usize;
    centroids.extend_from_slice(rows.row(first));
    // Squared distance of every row to its nearest centroid so far.
    let mut nearest = vec![f32::INFINITY; n];
    for c in 1..k {
        let last = &centroids[(c - 1) * s..c * s];
        nearest.par_iter_mut().enumerate().for_each(|(i, d)| {
            let dist = (1.0 - dot(rows.row(i), last)).max(0.0);
            *d = d.min(dist * dist);
        });
        // Summed in f64 in a fixed order, so the draw is the same on every run.
        let total: f64 = nearest.iter().map(|&d| f64::from(d)).sum();
        let pick = if total > 0.0 {
            let target = rng.next_f64() * total;
            let mut run = 0.0f64;
            nearest
                .iter()
                .position(|&d| {
                    run += f64::from(d);
                    run > target
                })
                .unwrap_or(n - 1)
        } else {
            // Fewer distinct rows than clusters: any row will do.
            (rng.next_u64() % n as u64) as usize
        };
        centroids.extend_from_slice(rows.row(pick));
    }
    centroids
}

/// Spherical k-means: groups unit-length `rows` into `k` clusters by cosine similarity,
/// with k-means++ seeding from `seed` and at most `iterations` assignment/update passes
/// (stopping early when fewer than 0.1 % of the rows move). Returns each row's cluster.
///
/// Deterministic: the same rows, `k` and seed give the same clusters with any number of
/// threads. An emptied cluster keeps its old centroid.
pub fn spherical_kmeans(rows: &UnitRows, k: usize, iterations: usize, seed: u64) -> Vec<u16> {
    let n = rows.rows;
    if n == 0 {
        return Vec::new();
    }
    let k = k.clamp(1, n.min(usize::from(u16::MAX)));
    let s = rows.stride;
    let mut rng = SplitMix(seed);
    let mut centroids = seed_centroids(rows, k, &mut rng);
    let mut assignment = vec![0u16; n];
    let mut next = vec![0u16; n];
    assign(rows, &centroids, k, &mut assignment);
    for _ in 0..iterations {
        // New centroid = normalised sum of its members (the spherical k-means update),
        // summed in row order so the result does not depend on threads.
        let mut sums = vec![0.0f32; k * s];
        let mut counts = vec![0usize; k];
        for (i, &c) in assignment.iter().enumerate() {
            let c = usize::from(c);
            counts[c] += 1;
            for (acc, x) in sums[c * s..(c + 1) * s].iter_mut().zip(rows.row(i)) {
                *acc += x;
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                let sum = &mut sums[c * s..(c + 1) * s];
                normalise(sum);
                centroids[c * s..(c + 1) * s].copy_from_slice(sum);
            }
        }
        assign(rows, &centroids, k, &mut next);
        let moved = assignment.iter().zip(&next).filter(|(a, b)| a != b).count();
        std::mem::swap(&mut assignment, &mut next);
        if moved * 1000 < n {
            break;
        }
    }
    assignment
}

/// Coarse and fine clusters of every navec word, keyed as the tagger keys words
/// ([`features::word_key`]: the folded word's hash). navec's words are lower case already;
/// folding can still merge two of them (`ёлка`, `елка` in Russian), and then the one that
/// is already folded wins, or else the first in the table's (byte) order.
///
/// `<unk>`, `<pad>` and words without a letter or digit are left out: punctuation and
/// placeholders get no cluster features, as with the raw-text clusters of rare words.
pub fn navec_clusters(
    lang: Lang,
    navec: &Navec,
    coarse: usize,
    fine: usize,
    iterations: usize,
    seed: u64,
) -> Clusters {
    let dim = navec.dim();
    let mut words: Vec<usize> = Vec::new();
    let mut keys: KeyMap<usize> = KeyMap::default();
    for i in 0..navec.len() {
        if i == navec.unk_id() || i + 1 == navec.len() {
            continue; // <unk>, <pad>
        }
        let word = navec.word(i);
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        let key = features::word_key(lang, word);
        let is_folded = features::fold(lang, word) == word;
        match keys.get(&key) {
            None => {
                keys.insert(key, words.len());
                words.push(i);
            }
            // Keep the earlier word unless only this one is spelled as folded.
            Some(&slot) => {
                let kept = navec.word(words[slot]);
                if is_folded && features::fold(lang, kept) != kept {
                    words[slot] = i;
                }
            }
        }
    }
    let mut flat = vec![0.0f32; words.len() * dim];
    for (&id, out) in words.iter().zip(flat.chunks_exact_mut(dim)) {
        navec.vector(id, out);
    }
    let rows = UnitRows::new(&flat, dim);
    drop(flat);
    let coarse_of = spherical_kmeans(&rows, coarse, iterations, seed);
    let fine_of = spherical_kmeans(&rows, fine, iterations, seed.wrapping_add(1));
    let map = words
        .iter()
        .enumerate()
        .map(|(slot, &id)| {
            (
                features::word_key(lang, navec.word(id)),
                [coarse_of[slot], fine_of[slot]],
            )
        })
        .collect();
    Clusters::new(map)
}

/// Adds `extra` clusters for the words `base` lacks, their ids shifted past `base`'s
/// (by `coarse_offset` and `fine_offset`, the numbers of `base`'s classes) so that the two
/// clusterings never share an id, and so never a feature.
pub fn fill_missing(
    base: &mut Clusters,
    extra: &Clusters,
    coarse_offset: u16,
    fine_offset: u16,
) -> usize {
    let mut added = 0;
    for (&key, &[c, f]) in extra.map() {
        if let std::collections::hash_map::Entry::Vacant(e) = base.map_mut().entry(key) {
            let shift = |id: u16, by: u16| {
                if id == u16::MAX {
                    u16::MAX
                } else {
                    id.saturating_add(by)
                }
            };
            e.insert([shift(c, coarse_offset), shift(f, fine_offset)]);
            added += 1;
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points scattered around `centres` (unit vectors along different axes), `per` each.
    fn blobs(centres: &[[f32; 3]], per: usize) -> Vec<f32> {
        let mut rng = SplitMix(7);
        let mut out = Vec::new();
        for c in centres {
            for _ in 0..per {
                for &x in c {
                    out.push(x + (rng.next_f64() as f32 - 0.5) * 0.2);
                }
            }
        }
        out
    }

    #[test]
    fn separable_points_cluster_together() {
        let centres = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        // 21 rows per blob: the last block of rows is not a full ROW_BLOCK, which the
        // remainder loop must handle too.
        let per = 21;
        let rows = UnitRows::new(&blobs(&centres, per), 3);
        let of = spherical_kmeans(&rows, 3, 20, 1);
        for b in 0..3 {
            let blob = &of[b * per..(b + 1) * per];
            assert!(blob.iter().all(|&c| c == blob[0]), "blob {b}: {blob:?}");
        }
        assert_ne!(of[0], of[per]);
        assert_ne!(of[per], of[2 * per]);
        assert_ne!(of[0], of[2 * per]);
    }

    #[test]
    fn cosine_ignores_length() {
        // Long and short vectors in one direction belong together.
        let flat = [1.0, 0.1, 100.0, 9.0, 0.1, 1.0, 10.0, 99.0];
        let of = spherical_kmeans(&UnitRows::new(&flat, 2), 2, 10, 3);
        assert_eq!(of[0], of[1]);
        assert_eq!(of[2], of[3]);
        assert_ne!(of[0], of[2]);
    }

    #[test]
    fn same_seed_same_clusters() {
        let centres = [
            [1.0, 1.0, 0.0],
            [0.0, 1.0, 1.0],
            [1.0, 0.0, 1.0],
            [1.0, 1.0, 1.0],
        ];
        let rows = UnitRows::new(&blobs(&centres, 50), 3);
        let a = spherical_kmeans(&rows, 6, 10, 42);
        assert_eq!(a, spherical_kmeans(&rows, 6, 10, 42));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(a, pool.install(|| spherical_kmeans(&rows, 6, 10, 42)));
        assert!(a.iter().all(|&c| c < 6));
    }

    #[test]
    fn more_clusters_than_rows_and_no_rows() {
        let rows = UnitRows::new(&[1.0, 0.0, 0.0, 1.0], 2);
        let of = spherical_kmeans(&rows, 10, 5, 1);
        assert_eq!(of.len(), 2);
        assert_ne!(of[0], of[1]);
        assert!(spherical_kmeans(&UnitRows::new(&[], 2), 4, 5, 1).is_empty());
    }

    #[test]
    fn the_kernel_matches_a_plain_dot_product() {
        let flat: Vec<f32> = (0..9 * 13).map(|i| ((i * 37) % 11) as f32 - 5.0).collect();
        let rows = UnitRows::new(&flat, 13);
        let c = rows.row(8).to_vec();
        let block = dot_block::<4>(&rows, 2, &c);
        for (r, &got) in block.iter().enumerate() {
            let want: f32 = rows.row(2 + r).iter().zip(&c).map(|(a, b)| a * b).sum();
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
    }

    #[test]
    fn navec_words_are_keyed_as_the_tagger_keys_them() {
        let navec = crate::ner::slovnet::navec::tests::tiny();
        let c = navec_clusters(Lang::Ru, &navec, 2, 2, 5, 1);
        assert_eq!(c.len(), 3, "ab, b, я; not <unk>, <pad>");
        for w in ["ab", "b", "Я"] {
            assert!(
                c.map().contains_key(&features::word_key(Lang::Ru, w)),
                "{w}"
            );
        }
        assert_eq!(c, navec_clusters(Lang::Ru, &navec, 2, 2, 5, 1));
    }

    #[test]
    fn filling_shifts_the_extra_ids() {
        let mut base = Clusters::default();
        base.map_mut().insert(1, [0, 5]);
        let mut extra = Clusters::default();
        extra.map_mut().insert(1, [3, 3]);
        extra.map_mut().insert(2, [3, 7]);
        extra.map_mut().insert(3, [u16::MAX, 1]);
        assert_eq!(fill_missing(&mut base, &extra, 64, 256), 2);
        assert_eq!(base.map()[&1], [0, 5]);
        assert_eq!(base.map()[&2], [67, 263]);
        assert_eq!(base.map()[&3], [u16::MAX, 257]);
    }
}
