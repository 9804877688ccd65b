//! slovnet's CNN encoder (a port of `Conv1d`, `ReLU`, `BatchNorm1d` and `Linear` in
//! `slovnet/exec/model.py`), on one sentence at a time.
//!
//! Activations are token-major: row `t` holds the channels of token `t`. A convolution
//! layer reads a buffer with `padding` zero rows before and after the sentence, so the
//! `kernel` rows starting at row `t` are, contiguously, the window of token `t`: the layer is
//! one matrix product `windows (n × kernel·in) · weight (kernel·in × out)` with no copying
//! (numpy's reference builds the same windows with strides). The weights are packed at load
//! time into column panels of 16, read front to back by a small blocked kernel that the
//! compiler vectorises; on x86-64 CPUs with AVX2 and FMA a kernel written with those
//! instructions (6 rows × 16 columns of sums in registers) is chosen at run time (the results
//! then differ from the portable path in the last bits of the floats, not in the decoded
//! tags, except on exact ties).
//!
//! Batch normalisation is folded into one scale and shift per channel at load time. slovnet
//! zeroes padded positions after each layer; one sentence at a time there are none, and its
//! padding vectors (navec's `<pad>` and the shape `<pad>`) are all zero, so the batched
//! reference and this code compute the same function.

/// One `Conv1d → ReLU → BatchNorm1d` layer.
#[derive(Clone, Debug)]
pub struct ConvLayer {
    in_dim: usize,
    out_dim: usize,
    kernel: usize,
    padding: usize,
    /// The same weights as `in_dim × (kernel · out_dim)`: column block `k` holds the window
    /// position `k` weights, so one row of input gives a token's contribution to every
    /// window it is in (its *taps*, see [`ConvLayer::taps`]).
    tap_weight: Vec<f32>,
    /// `(kernel · in_dim) × out_dim`: row `k · in_dim + i` holds the weights of input
    /// channel `i` at window position `k` for every output channel.
    weight: Packed,
    bias: Vec<f32>,
    /// Batch norm as `relu(x) · scale + shift`.
    scale: Vec<f32>,
    shift: Vec<f32>,
}

impl ConvLayer {
    /// A layer from slovnet's arrays: `weight` is `out × in × kernel` (PyTorch's layout),
    /// the batch-norm parameters are per output channel. `kernel` must be `2 · padding + 1`
    /// (the output is as long as the input).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        in_dim: usize,
        out_dim: usize,
        kernel: usize,
        padding: usize,
        weight: &[f32],
        bias: Vec<f32>,
        norm: [&[f32]; 4],
    ) -> Result<ConvLayer, String> {
        if kernel != 2 * padding + 1 {
            return Err(format!("kernel {kernel} with padding {padding}"));
        }
        if weight.len() != out_dim * in_dim * kernel
            || bias.len() != out_dim
            || norm.iter().any(|v| v.len() != out_dim)
        {
            return Err(format!("arrays do not fit {in_dim} → {out_dim}"));
        }
        let mut w = vec![0.0; weight.len()];
        for o in 0..out_dim {
            for i in 0..in_dim {
                for k in 0..kernel {
                    w[(k * in_dim + i) * out_dim + o] = weight[(o * in_dim + i) * kernel + k];
                }
            }
        }
        let taps = kernel * out_dim;
        let mut tap_weight = vec![0.0; in_dim * taps];
        for o in 0..out_dim {
            for i in 0..in_dim {
                for k in 0..kernel {
                    tap_weight[i * taps + k * out_dim + o] = weight[(o * in_dim + i) * kernel + k];
                }
            }
        }
        let [gamma, beta, mean, std] = norm;
        let scale: Vec<f32> = gamma.iter().zip(std).map(|(g, s)| g / s).collect();
        let shift = beta
            .iter()
            .zip(mean)
            .zip(&scale)
            .map(|((b, m), s)| b - m * s)
            .collect();
        Ok(ConvLayer {
            in_dim,
            out_dim,
            kernel,
            padding,
            tap_weight,
            weight: Packed::new(&w, kernel * in_dim, out_dim),
            bias,
            scale,
            shift,
        })
    }

    /// Input channels.
    pub fn in_dim(&self) -> usize {
        self.in_dim
    }

    /// Output channels.
    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// Zero rows the input needs on each side.
    pub fn padding(&self) -> usize {
        self.padding
    }

    /// The rows `channels` of the tap weights, packed: `input rows · taps(channels)` gives
    /// each row's taps, `kernel · out_dim` floats (window position `k` at `k · out_dim`).
    pub fn taps(&self, channels: std::ops::Range<usize>) -> Packed {
        let taps = self.kernel * self.out_dim;
        Packed::new(
            &self.tap_weight[channels.start * taps..channels.end * taps],
            channels.len(),
            taps,
        )
    }

    /// Runs the layer on the tokens of one sentence given their taps in two parts, `words[t]`
    /// and `shapes[t]` (each `kernel · out_dim` floats, see [`ConvLayer::taps`]; a token's
    /// taps are their sum): output `t` adds the taps of the tokens in its window, window
    /// position `k` from token `t + k - padding` (none beyond the sentence: the zero
    /// padding). The same function as [`ConvLayer::forward`], summed in another order. The
    /// parts are passed by reference because most come from a cache: copying 3 KB per token
    /// cost as much as the additions.
    pub fn forward_taps(&self, words: &[&[f32]], shapes: &[&[f32]], out: &mut [f32]) {
        let n = words.len();
        let width = self.kernel * self.out_dim;
        debug_assert_eq!(shapes.len(), n);
        debug_assert_eq!(out.len(), n * self.out_dim);
        for (t, row) in out.chunks_exact_mut(self.out_dim).enumerate() {
            row.copy_from_slice(&self.bias);
            for k in 0..self.kernel {
                let Some(u) = (t + k).checked_sub(self.padding).filter(|&u| u < n) else {
                    continue;
                };
                let at = k * self.out_dim..(k + 1) * self.out_dim;
                debug_assert!(words[u].len() == width && shapes[u].len() == width);
                for ((x, w), s) in row
                    .iter_mut()
                    .zip(&words[u][at.clone()])
                    .zip(&shapes[u][at])
                {
                    *x += w + s;
                }
            }
            for ((x, s), b) in row.iter_mut().zip(&self.scale).zip(&self.shift) {
                *x = x.max(0.0) * s + b;
            }
        }
    }

    /// Runs the layer on `n` tokens: `input` is `(n + 2 · padding) × in_dim` with zero
    /// padding rows, `out` is `n × out_dim`.
    pub fn forward(&self, input: &[f32], n: usize, out: &mut [f32]) {
        debug_assert_eq!(input.len(), (n + 2 * self.padding) * self.in_dim);
        debug_assert_eq!(out.len(), n * self.out_dim);
        for row in out.chunks_exact_mut(self.out_dim) {
            row.copy_from_slice(&self.bias);
        }
        gemm(input, self.in_dim, n, &self.weight, out);
        for row in out.chunks_exact_mut(self.out_dim) {
            for ((x, s), b) in row.iter_mut().zip(&self.scale).zip(&self.shift) {
                *x = x.max(0.0) * s + b;
            }
        }
    }
}

/// Width of a column panel of a [`Packed`] matrix.
pub const NR: usize = 16;

/// A `k × cols` matrix stored as column panels of [`NR`] columns (the last one padded with
/// zeros), each panel row-major: the product kernel then reads each panel front to back.
#[derive(Clone, Debug)]
pub struct Packed {
    k: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Packed {
    /// Columns of the matrix.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Packs a row-major `k × cols` matrix.
    pub fn new(b: &[f32], k: usize, cols: usize) -> Packed {
        assert_eq!(b.len(), k * cols);
        let panels = cols.div_ceil(NR);
        let mut data = vec![0.0; panels * k * NR];
        for p in 0..panels {
            for kk in 0..k {
                for j in 0..NR.min(cols - p * NR) {
                    data[(p * k + kk) * NR + j] = b[kk * cols + p * NR + j];
                }
            }
        }
        Packed { k, cols, data }
    }
}

/// `out (rows × b.cols) += A · B`, where row `r` of `A` is `a[r · a_stride ..][.. b.k]`
/// (rows may overlap, as convolution windows do).
pub fn gemm(a: &[f32], a_stride: usize, rows: usize, b: &Packed, out: &mut [f32]) {
    assert!(rows == 0 || (rows - 1) * a_stride + b.k <= a.len());
    assert!(out.len() >= rows * b.cols);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { gemm_avx2_fma(a, a_stride, rows, b, out) };
        return;
    }
    gemm_with::<2>(a, a_stride, rows, b, out);
}

/// The AVX2/FMA product: the same blocking as [`gemm_with`], with the `R × 16` sums held in
/// `2·R` vector registers by explicit intrinsics (written with plain arrays, the compiler
/// spilled some sums to the stack on every step, and the one-row remainder blocks were slow).
/// Each sum is built by fused multiply-adds in the order of `k`, then added to `out`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gemm_avx2_fma(a: &[f32], a_stride: usize, rows: usize, b: &Packed, out: &mut [f32]) {
    const MR: usize = 6;
    let panels = b.cols.div_ceil(NR);
    for p in 0..panels {
        let panel = &b.data[p * b.k * NR..(p + 1) * b.k * NR];
        let mut r0 = 0;
        while r0 < rows {
            let left = rows - r0;
            // SAFETY (each call): AVX2 and FMA are enabled for this function; the kernel
            // checks its slice bounds before reading through pointers.
            unsafe {
                match left {
                    6.. => block_avx2::<MR>(a, a_stride, r0, panel, b, p, out),
                    5 => block_avx2::<5>(a, a_stride, r0, panel, b, p, out),
                    4 => block_avx2::<4>(a, a_stride, r0, panel, b, p, out),
                    3 => block_avx2::<3>(a, a_stride, r0, panel, b, p, out),
                    2 => block_avx2::<2>(a, a_stride, r0, panel, b, p, out),
                    _ => block_avx2::<1>(a, a_stride, r0, panel, b, p, out),
                }
            }
            r0 += left.min(MR);
        }
    }
}

/// `R` rows of `A` times one column panel, added to `out`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn block_avx2<const R: usize>(
    a: &[f32],
    a_stride: usize,
    r0: usize,
    panel: &[f32],
    b: &Packed,
    p: usize,
    out: &mut [f32],
) {
    use std::arch::x86_64::{
        __m256, _mm256_broadcast_ss, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_setzero_ps,
        _mm256_storeu_ps,
    };
    let k = b.k;
    // The pointer reads below stay inside these bounds.
    assert!((r0 + R - 1) * a_stride + k <= a.len());
    assert!(panel.len() >= k * NR);
    let width = NR.min(b.cols - p * NR);
    let mut acc: [[__m256; 2]; R] = [[_mm256_setzero_ps(); 2]; R];
    let rows: [*const f32; R] = std::array::from_fn(|r| a[(r0 + r) * a_stride..].as_ptr());
    let mut bp = panel.as_ptr();
    for kk in 0..k {
        // SAFETY: kk < k, so bp + 16 ≤ panel end and rows[r] + kk < a.len() (asserted).
        unsafe {
            let b0 = _mm256_loadu_ps(bp);
            let b1 = _mm256_loadu_ps(bp.add(8));
            for (sums, row) in acc.iter_mut().zip(&rows) {
                let av = _mm256_broadcast_ss(&*row.add(kk));
                sums[0] = _mm256_fmadd_ps(av, b0, sums[0]);
                sums[1] = _mm256_fmadd_ps(av, b1, sums[1]);
            }
            bp = bp.add(NR);
        }
    }
    for (r, sums) in acc.iter().enumerate() {
        let mut tmp = [0.0f32; NR];
        // SAFETY: tmp holds 16 floats, two 8-float stores.
        unsafe {
            _mm256_storeu_ps(tmp.as_mut_ptr(), sums[0]);
            _mm256_storeu_ps(tmp.as_mut_ptr().add(8), sums[1]);
        }
        let dst = &mut out[(r0 + r) * b.cols + p * NR..][..width];
        for (d, s) in dst.iter_mut().zip(&tmp) {
            *d += s;
        }
    }
}

/// The blocked product: for each column panel (which stays in cache while every row block
/// passes over it), blocks of `MR` rows whose `MR × NR` sums live in registers.
#[inline(always)]
fn gemm_with<const MR: usize>(
    a: &[f32],
    a_stride: usize,
    rows: usize,
    b: &Packed,
    out: &mut [f32],
) {
    let panels = b.cols.div_ceil(NR);
    for p in 0..panels {
        let panel = &b.data[p * b.k * NR..(p + 1) * b.k * NR];
        let width = NR.min(b.cols - p * NR);
        let mut r0 = 0;
        while r0 + MR <= rows {
            block::<MR>(a, a_stride, r0, panel, b, p, width, out);
            r0 += MR;
        }
        while r0 < rows {
            block::<1>(a, a_stride, r0, panel, b, p, width, out);
            r0 += 1;
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block<const R: usize>(
    a: &[f32],
    a_stride: usize,
    r0: usize,
    panel: &[f32],
    b: &Packed,
    p: usize,
    width: usize,
    out: &mut [f32],
) {
    let k = b.k;
    let arows: [&[f32]; R] = std::array::from_fn(|r| &a[(r0 + r) * a_stride..][..k]);
    let mut acc = [[0.0f32; NR]; R];
    for (kk, brow) in panel.chunks_exact(NR).enumerate() {
        for r in 0..R {
            let av = arows[r][kk];
            for j in 0..NR {
                acc[r][j] += av * brow[j];
            }
        }
    }
    for (r, sums) in acc.iter().enumerate() {
        let dst = &mut out[(r0 + r) * b.cols + p * NR..][..width];
        for (d, s) in dst.iter_mut().zip(sums) {
            *d += s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook product, for comparison.
    fn naive(
        a: &[f32],
        a_stride: usize,
        rows: usize,
        k: usize,
        b: &[f32],
        cols: usize,
    ) -> Vec<f32> {
        let mut out = vec![0.0; rows * cols];
        for r in 0..rows {
            for c in 0..cols {
                out[r * cols + c] = (0..k)
                    .map(|kk| a[r * a_stride + kk] * b[kk * cols + c])
                    .sum();
            }
        }
        out
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| (((i as u32).wrapping_mul(2_654_435_761) ^ seed) % 1000) as f32 / 500.0 - 1.0)
            .collect()
    }

    #[test]
    fn gemm_matches_the_textbook_product() {
        for (rows, k, cols, stride) in [
            (1, 3, 5, 3),
            (7, 30, 40, 10),
            (9, 12, 16, 12),
            (0, 4, 8, 4),
            (5, 9, 33, 3),
        ] {
            let a = values(rows.max(1) * stride + k, 1);
            let b = values(k * cols, 2);
            let mut out = vec![0.0; rows * cols];
            gemm(&a, stride, rows, &Packed::new(&b, k, cols), &mut out);
            let want = naive(&a, stride, rows, k, &b, cols);
            for (x, y) in out.iter().zip(&want) {
                assert!((x - y).abs() < 1e-4, "{rows}×{k}×{cols}: {x} vs {y}");
            }
        }
    }

    /// The AVX2/FMA kernel computes each sum as fused multiply-adds in the order of `k`
    /// (the documented order, which the Python cross-check's tolerance relies on).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_kernel_fuses_in_order_for_every_remainder() {
        if !(std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma"))
        {
            return;
        }
        let (k, cols, stride) = (37, 40, 11);
        for rows in 0..=13 {
            let a = values(rows.max(1) * stride + k, 3);
            let b = values(k * cols, 4);
            let mut out = vec![0.5; rows * cols];
            gemm(&a, stride, rows, &Packed::new(&b, k, cols), &mut out);
            for r in 0..rows {
                for c in 0..cols {
                    let sum = (0..k).fold(0.0f32, |acc, kk| {
                        a[r * stride + kk].mul_add(b[kk * cols + c], acc)
                    });
                    assert_eq!(out[r * cols + c], 0.5 + sum, "rows {rows}: ({r}, {c})");
                }
            }
        }
    }

    #[test]
    fn a_layer_convolves_with_zero_padding() {
        // 1 input channel, 1 output channel, kernel [1, 2, 3]: out[t] = x[t-1] + 2x[t] + 3x[t+1].
        let layer = ConvLayer::new(
            1,
            1,
            3,
            1,
            &[1.0, 2.0, 3.0],
            vec![0.5],
            [&[2.0], &[1.0], &[0.0], &[4.0]],
        )
        .unwrap();
        let input = [0.0, 1.0, -1.0, 2.0, 0.0];
        let mut out = [0.0; 3];
        layer.forward(&input, 3, &mut out);
        // pre-activation: 0+2-3+0.5 = -0.5, 1-2+6+0.5 = 5.5, -1+4+0+0.5 = 3.5
        // relu · 2/4 + 1
        assert_eq!(out, [1.0, 3.75, 2.75]);
    }

    #[test]
    fn a_layer_from_taps_is_the_same_function() {
        let (inp, out, kernel, pad, n) = (5, 7, 3, 1, 4);
        let weight = values(out * inp * kernel, 5);
        let norm = [
            values(out, 6),
            values(out, 7),
            values(out, 8),
            vec![2.0; out],
        ];
        let layer = ConvLayer::new(
            inp,
            out,
            kernel,
            pad,
            &weight,
            values(out, 9),
            [&norm[0], &norm[1], &norm[2], &norm[3]],
        )
        .unwrap();
        let x = values(n * inp, 10);
        let mut padded = vec![0.0; (n + 2 * pad) * inp];
        padded[pad * inp..(pad + n) * inp].copy_from_slice(&x);
        let mut want = vec![0.0; n * out];
        layer.forward(&padded, n, &mut want);
        // Taps of the input in two parts of its channels, passed separately, as the slovnet
        // model does for the word and shape parts.
        let mut taps = vec![0.0; n * kernel * out];
        let mut part = vec![0.0; n * kernel * out];
        gemm(&x, inp, n, &layer.taps(0..3), &mut taps);
        let rest: Vec<f32> = x.chunks_exact(inp).flat_map(|r| r[3..].to_vec()).collect();
        gemm(&rest, 2, n, &layer.taps(3..5), &mut part);
        let words: Vec<&[f32]> = taps.chunks_exact(kernel * out).collect();
        let shapes: Vec<&[f32]> = part.chunks_exact(kernel * out).collect();
        let mut got = vec![0.0; n * out];
        layer.forward_taps(&words, &shapes, &mut got);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-4, "{g} vs {w}");
        }
    }

    #[test]
    fn bad_shapes_are_rejected() {
        assert!(ConvLayer::new(1, 1, 3, 0, &[0.0; 3], vec![0.0], [&[1.0]; 4]).is_err());
        assert!(ConvLayer::new(2, 1, 3, 1, &[0.0; 3], vec![0.0], [&[1.0]; 4]).is_err());
    }
}
