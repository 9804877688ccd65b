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
//! The layers after the first (whose products are mostly replaced by cached word taps, see
//! [`super::SlovnetModel`]) multiply in 16-bit integers: each output channel's weights are
//! quantised with their own scale ([`QuantPacked`], [`WEIGHT_MAX`]), a sentence's
//! activations with one scale per sentence ([`quantise`], [`ACT_MAX`]), and the sums are
//! exact 32-bit integers (AVX2's multiply-add of 16-bit pairs, about 1.6 times the float
//! kernel's speed here), so a sentence gets the same numbers on every path and in any
//! batch. The first layer's word taps are computed the same way and kept in 16 bits
//! ([`TokenTaps`]). Against the float computation the tag scores move by at most 0.14 (on
//! logits of about ±30) on the factRuEval and NEREL dev sets, no tag path changes there,
//! and the dev F1 of slovnet and of the stacked model are unchanged to the second decimal.
//!
//! Batch normalisation is folded into one scale and shift per channel at load time. slovnet
//! zeroes padded positions after each layer; one sentence at a time there are none, and its
//! padding vectors (navec's `<pad>` and the shape `<pad>`) are all zero, so the batched
//! reference and this code compute the same function.

/// A token's first-layer taps (see [`ConvLayer::forward_taps`]): its word's, stored in 16
/// bits (`word[i] · word_scale`), and its shape's.
#[derive(Clone, Copy, Debug)]
pub struct TokenTaps<'a> {
    /// The word's taps, quantised.
    pub word: &'a [i16],
    /// The scale of `word`.
    pub word_scale: f32,
    /// The shape's taps.
    pub shape: &'a [f32],
}

/// The largest quantised word tap: word taps keep 16 bits (a step of 1/32767 of the word's
/// largest tap), being only added, never multiplied.
pub const TAP_MAX: i16 = i16::MAX;

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
    /// The same weights in 16-bit integers, when the input width is even (see
    /// [`ConvLayer::forward_quantised`]).
    quantised: Option<QuantPacked>,
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
            quantised: if in_dim.is_multiple_of(2) {
                QuantPacked::new(&w, kernel * in_dim, out_dim)
            } else {
                None
            },
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

    /// The rows `channels` of the tap weights, row-major (`channels.len() × kernel ·
    /// out_dim`).
    pub fn tap_weights(&self, channels: std::ops::Range<usize>) -> &[f32] {
        let taps = self.kernel * self.out_dim;
        &self.tap_weight[channels.start * taps..channels.end * taps]
    }

    /// The rows `channels` of the tap weights, packed: `input rows · taps(channels)` gives
    /// each row's taps, `kernel · out_dim` floats (window position `k` at `k · out_dim`).
    pub fn taps(&self, channels: std::ops::Range<usize>) -> Packed {
        let rows = channels.len();
        Packed::new(self.tap_weights(channels), rows, self.kernel * self.out_dim)
    }

    /// Runs the layer on the tokens of one sentence given their taps in two parts
    /// ([`TokenTaps`]: the word's, quantised, and the shape's; each `kernel · out_dim`
    /// values, see [`ConvLayer::taps`]; a token's taps are their sum): output `t` adds the
    /// taps of the tokens in its window, window position `k` from token `t + k - padding`
    /// (none beyond the sentence: the zero padding). The same function as
    /// [`ConvLayer::forward`] up to the word taps' rounding, summed in another order. The
    /// parts are passed by reference because most come from a cache: copying them per
    /// token cost as much as the additions.
    pub fn forward_taps(&self, taps: &[TokenTaps<'_>], out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.forward_taps_avx2(taps, out) };
            return;
        }
        self.forward_taps_portable(taps, out);
    }

    /// [`ConvLayer::forward_taps`] compiled for AVX2 (the same operations, vectorised).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn forward_taps_avx2(&self, taps: &[TokenTaps<'_>], out: &mut [f32]) {
        self.forward_taps_portable(taps, out);
    }

    #[inline(always)]
    fn forward_taps_portable(&self, taps: &[TokenTaps<'_>], out: &mut [f32]) {
        let n = taps.len();
        let width = self.kernel * self.out_dim;
        debug_assert_eq!(out.len(), n * self.out_dim);
        for (t, row) in out.chunks_exact_mut(self.out_dim).enumerate() {
            row.copy_from_slice(&self.bias);
            for k in 0..self.kernel {
                let Some(u) = (t + k).checked_sub(self.padding).filter(|&u| u < n) else {
                    continue;
                };
                let at = k * self.out_dim..(k + 1) * self.out_dim;
                let tap = &taps[u];
                debug_assert!(tap.word.len() == width && tap.shape.len() == width);
                let scale = tap.word_scale;
                for ((x, &w), s) in row
                    .iter_mut()
                    .zip(&tap.word[at.clone()])
                    .zip(&tap.shape[at])
                {
                    *x += f32::from(w) * scale + s;
                }
            }
            self.activate(row);
        }
    }

    /// Whether [`ConvLayer::forward_quantised`] can run (the input width is even and the
    /// sums fit 32 bits).
    pub fn is_quantised(&self) -> bool {
        self.quantised.is_some()
    }

    /// Runs the layer on `n` tokens of quantised input ([`quantise`]): `input` is
    /// `(n + 2 · padding) × in_dim` with zero padding rows, `row_scale[t]` the scale of the
    /// inputs in output `t`'s window (a window never leaves its sentence, and a sentence has
    /// one scale), `out` is `n × out_dim`. Integer products are about 1.6 times as fast as
    /// float ones here; the quantisation moves the outputs by a fraction of a percent of
    /// their range.
    /// Falls back to [`ConvLayer::forward`] on the dequantised input when the layer has no
    /// integer weights.
    /// `sums` is a buffer for the integer sums, reused between calls (any contents).
    pub fn forward_quantised(
        &self,
        input: &[i16],
        row_scale: &[f32],
        n: usize,
        out: &mut [f32],
        sums: &mut Vec<i32>,
    ) {
        debug_assert_eq!(input.len(), (n + 2 * self.padding) * self.in_dim);
        debug_assert_eq!(row_scale.len(), n);
        debug_assert_eq!(out.len(), n * self.out_dim);
        let Some(q) = &self.quantised else {
            let mut scales = vec![0.0; n + 2 * self.padding];
            scales[self.padding..self.padding + n].copy_from_slice(row_scale);
            let x: Vec<f32> = input
                .chunks_exact(self.in_dim)
                .zip(&scales)
                .flat_map(|(row, &s)| row.iter().map(move |&v| f32::from(v) * s))
                .collect();
            return self.forward(&x, n, out);
        };
        let sums = reuse(sums, n * self.out_dim);
        gemm_i16(input, self.in_dim, n, q, sums);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.dequantise_avx2(q, sums, row_scale, out) };
            return;
        }
        self.dequantise(q, sums, row_scale, out);
    }

    /// [`ConvLayer::dequantise`] compiled for AVX2 (the same operations, vectorised).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn dequantise_avx2(&self, q: &QuantPacked, sums: &[i32], row_scale: &[f32], out: &mut [f32]) {
        self.dequantise(q, sums, row_scale, out);
    }

    /// The layer's outputs from the integer sums of its products: scaled back to floats,
    /// then the bias, ReLU and batch norm.
    #[inline(always)]
    fn dequantise(&self, q: &QuantPacked, sums: &[i32], row_scale: &[f32], out: &mut [f32]) {
        for ((row, sums), &s) in out
            .chunks_exact_mut(self.out_dim)
            .zip(sums.chunks_exact(self.out_dim))
            .zip(row_scale)
        {
            for ((((x, &sum), w), bias), (scale, shift)) in row
                .iter_mut()
                .zip(sums)
                .zip(q.scale())
                .zip(&self.bias)
                .zip(self.scale.iter().zip(&self.shift))
            {
                *x = (sum as f32 * (s * w) + bias).max(0.0) * scale + shift;
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
            self.activate(row);
        }
    }

    /// ReLU, then the batch norm, on one token's pre-activations (bias included).
    #[inline(always)]
    fn activate(&self, row: &mut [f32]) {
        for ((x, s), b) in row.iter_mut().zip(&self.scale).zip(&self.shift) {
            *x = x.max(0.0) * s + b;
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

/// Runs a register-blocked kernel over `rows` rows: `kernel::<6>` on each block of six rows
/// from `r0`, then the kernel for the 1 to 5 rows left (the block height is a const generic,
/// so each remainder needs its own instance).
#[cfg(target_arch = "x86_64")]
macro_rules! row_blocks {
    ($rows:expr, |$r0:ident| unsafe { $kernel:ident($($arg:expr),*) }) => {{
        let rows = $rows;
        let mut $r0 = 0;
        while $r0 < rows {
            let left = rows - $r0;
            unsafe {
                match left {
                    6.. => $kernel::<6>($($arg),*),
                    5 => $kernel::<5>($($arg),*),
                    4 => $kernel::<4>($($arg),*),
                    3 => $kernel::<3>($($arg),*),
                    2 => $kernel::<2>($($arg),*),
                    _ => $kernel::<1>($($arg),*),
                }
            }
            $r0 += left.min(6);
        }
    }};
}

/// The AVX2/FMA product: the same blocking as [`gemm_with`], with the `R × 16` sums held in
/// `2·R` vector registers by explicit intrinsics (written with plain arrays, the compiler
/// spilled some sums to the stack on every step, and the one-row remainder blocks were slow).
/// Each sum is built by fused multiply-adds in the order of `k`, then added to `out`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gemm_avx2_fma(a: &[f32], a_stride: usize, rows: usize, b: &Packed, out: &mut [f32]) {
    let panels = b.cols.div_ceil(NR);
    for p in 0..panels {
        let panel = &b.data[p * b.k * NR..(p + 1) * b.k * NR];
        // SAFETY (each call): AVX2 and FMA are enabled for this function; the kernel checks
        // its slice bounds before reading through pointers.
        row_blocks!(rows, |r0| unsafe {
            block_avx2(a, a_stride, r0, panel, b, p, out)
        });
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

/// The largest quantised activation: activations are stored as `round(x / scale)` with
/// `scale = max |x| / ACT_MAX` over the sentence.
pub const ACT_MAX: i32 = 2047;

/// The largest quantised weight: each output channel's weights are stored as
/// `round(w / scale)` with `scale = max |w| / WEIGHT_MAX` over the channel.
pub const WEIGHT_MAX: i32 = 1023;

/// A `k × cols` weight matrix in 16-bit integers for [`gemm_i16`], with one scale per column:
/// column panels of [`NR`] columns, each panel a run of row pairs, a pair's two rows
/// interleaved column by column (`w[2p][c], w[2p + 1][c]`), which is the operand layout of
/// the AVX2 multiply-add of 16-bit pairs (`vpmaddwd`). `k` is padded to even with a zero row.
#[derive(Clone, Debug)]
pub struct QuantPacked {
    k: usize,
    cols: usize,
    data: Vec<i16>,
    scale: Vec<f32>,
}

impl QuantPacked {
    /// Quantises and packs a row-major `k × cols` matrix, or `None` when `k` terms of
    /// [`ACT_MAX`] · [`WEIGHT_MAX`] could overflow the 32-bit sums.
    pub fn new(b: &[f32], k: usize, cols: usize) -> Option<QuantPacked> {
        assert_eq!(b.len(), k * cols);
        if (k as i64 + 1) * i64::from(ACT_MAX) * i64::from(WEIGHT_MAX) > i64::from(i32::MAX) {
            return None;
        }
        let scale: Vec<f32> = (0..cols)
            .map(|c| (0..k).map(|r| b[r * cols + c].abs()).fold(0.0, f32::max) / WEIGHT_MAX as f32)
            .collect();
        let pairs = k.div_ceil(2);
        let panels = cols.div_ceil(NR);
        let mut data = vec![0i16; panels * pairs * 2 * NR];
        for p in 0..panels {
            for r in 0..k {
                for j in 0..NR.min(cols - p * NR) {
                    let c = p * NR + j;
                    let q = if scale[c] > 0.0 {
                        (b[r * cols + c] / scale[c]).round() as i16
                    } else {
                        0
                    };
                    data[((p * pairs + r / 2) * NR + j) * 2 + r % 2] = q;
                }
            }
        }
        Some(QuantPacked {
            k,
            cols,
            data,
            scale,
        })
    }

    /// Rows of the matrix (before padding).
    pub fn k(&self) -> usize {
        self.k
    }

    /// Columns of the matrix.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Column `c`'s scale: its weights are `data · scale[c]`.
    pub fn scale(&self) -> &[f32] {
        &self.scale
    }
}

/// Quantises values to 16 bits with one scale: `out = round(x / scale)` (halves to even)
/// with `scale = max |x| / limit` (returned; 0 when `x` is all zeros). [`ACT_MAX`] for
/// activations of [`ConvLayer::forward_quantised`].
pub fn quantise(x: &[f32], out: &mut [i16], limit: i16) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { quantise_avx2(x, out, limit) };
    }
    quantise_portable(x, out, limit)
}

/// [`quantise`] compiled for AVX2, with the rounding in AVX2 instructions: the conversion
/// rounds halves to even as `round_ties_even` does, and no value is out of the 16-bit range,
/// so the results are the same (the compiler converted and saturated value by value).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn quantise_avx2(x: &[f32], out: &mut [i16], limit: i16) -> f32 {
    quantise_with(x, out, limit, |x, out, inverse| {
        use std::arch::x86_64::{
            _mm_storeu_si128, _mm256_castsi256_si128, _mm256_cvtps_epi32, _mm256_loadu_ps,
            _mm256_mul_ps, _mm256_packs_epi32, _mm256_permute4x64_epi64, _mm256_set1_ps,
        };
        let whole = x.len() / 8 * 8;
        let scale = _mm256_set1_ps(inverse);
        for i in (0..whole).step_by(8) {
            // SAFETY: i + 8 ≤ x.len() = out.len(); unaligned loads and stores. The
            // conversion uses the default rounding mode, to nearest with halves to even.
            unsafe {
                let q =
                    _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x.as_ptr().add(i)), scale));
                // Packing works within 128-bit lanes: the two halves' four values end up in
                // 64-bit blocks 0 and 2, gathered into the low 128 bits.
                let packed = _mm256_permute4x64_epi64::<0b00_00_10_00>(_mm256_packs_epi32(q, q));
                _mm_storeu_si128(
                    out.as_mut_ptr().add(i).cast(),
                    _mm256_castsi256_si128(packed),
                );
            }
        }
        round_portable(&x[whole..], &mut out[whole..], inverse);
    })
}

fn quantise_portable(x: &[f32], out: &mut [i16], limit: i16) -> f32 {
    quantise_with(x, out, limit, round_portable)
}

/// The body of [`quantise`]: the scale from the largest value, then `round` writes
/// `round(x · inverse)` into `out`.
#[inline(always)]
fn quantise_with(
    x: &[f32],
    out: &mut [i16],
    limit: i16,
    round: impl FnOnce(&[f32], &mut [i16], f32),
) -> f32 {
    assert_eq!(x.len(), out.len());
    let max = max_abs(x);
    if max == 0.0 {
        out.fill(0);
        return 0.0;
    }
    round(x, out, f32::from(limit) / max);
    max / f32::from(limit)
}

/// `out = round(x · inverse)`, halves to even.
#[inline(always)]
fn round_portable(x: &[f32], out: &mut [i16], inverse: f32) {
    for (q, v) in out.iter_mut().zip(x) {
        // |v · inverse| ≤ limit (up to rounding), so the cast does not saturate.
        *q = (v * inverse).round_ties_even() as i16;
    }
}

/// The largest absolute value (0 for none).
#[inline(always)]
fn max_abs(x: &[f32]) -> f32 {
    // Eight running maxima, in a form the compiler turns into vector max instructions.
    let mut lanes = [0.0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        for (m, v) in lanes.iter_mut().zip(chunk) {
            let a = v.abs();
            *m = if a > *m { a } else { *m };
        }
    }
    chunks
        .remainder()
        .iter()
        .chain(&lanes)
        .fold(0.0f32, |m, v| if v.abs() > m { v.abs() } else { m })
}

/// The first `len` elements of a buffer kept between calls, grown (with zeros) when it is
/// too short. What it held before stays: for outputs that are written in full, this saves
/// zeroing them on every call.
pub fn reuse<T: Copy + Default>(buf: &mut Vec<T>, len: usize) -> &mut [T] {
    if buf.len() < len {
        buf.resize(len, T::default());
    }
    &mut buf[..len]
}

/// `out (rows × b.cols) = A · B` in integers, where row `r` of `A` is
/// `a[r · a_stride ..][.. b.k]` (rows may overlap, as convolution windows do). The rows are
/// read in pairs, so `b.k` and `a_stride` must be even. The sums are exact, so every path
/// gives the same result. `out` is overwritten, so it needs no zeroing (a reused buffer).
pub fn gemm_i16(a: &[i16], a_stride: usize, rows: usize, b: &QuantPacked, out: &mut [i32]) {
    assert!(b.k.is_multiple_of(2) && a_stride.is_multiple_of(2));
    assert!(rows == 0 || (rows - 1) * a_stride + b.k <= a.len());
    assert!(out.len() >= rows * b.cols);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { gemm_i16_avx2(a, a_stride, rows, b, out) };
        return;
    }
    gemm_i16_portable(a, a_stride, rows, b, out);
}

/// [`gemm_i16`] without vector instructions.
fn gemm_i16_portable(a: &[i16], a_stride: usize, rows: usize, b: &QuantPacked, out: &mut [i32]) {
    let pairs = b.k / 2;
    for p in 0..b.cols.div_ceil(NR) {
        let panel = &b.data[p * pairs * 2 * NR..(p + 1) * pairs * 2 * NR];
        let width = NR.min(b.cols - p * NR);
        for r in 0..rows {
            let row = &a[r * a_stride..][..b.k];
            let mut acc = [0i32; NR];
            for (pair, w) in row.chunks_exact(2).zip(panel.chunks_exact(2 * NR)) {
                for (j, s) in acc.iter_mut().enumerate() {
                    *s += i32::from(pair[0]) * i32::from(w[2 * j])
                        + i32::from(pair[1]) * i32::from(w[2 * j + 1]);
                }
            }
            out[r * b.cols + p * NR..][..width].copy_from_slice(&acc[..width]);
        }
    }
}

/// The AVX2 integer product: `R × 16` sums in `2·R` registers, each step multiplying a
/// broadcast pair of activations with 16 columns' pairs of weights (`vpmaddwd`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn gemm_i16_avx2(a: &[i16], a_stride: usize, rows: usize, b: &QuantPacked, out: &mut [i32]) {
    let pairs = b.k / 2;
    for p in 0..b.cols.div_ceil(NR) {
        let panel = &b.data[p * pairs * 2 * NR..(p + 1) * pairs * 2 * NR];
        // SAFETY (each call): AVX2 is enabled for this function; the kernel checks its slice
        // bounds before reading through pointers.
        row_blocks!(rows, |r0| unsafe {
            block_i16_avx2(a, a_stride, r0, panel, b, p, out)
        });
    }
}

/// `R` rows of `A` times one column panel of pairs, written to `out`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn block_i16_avx2<const R: usize>(
    a: &[i16],
    a_stride: usize,
    r0: usize,
    panel: &[i16],
    b: &QuantPacked,
    p: usize,
    out: &mut [i32],
) {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi32, _mm256_loadu_si256, _mm256_madd_epi16, _mm256_set1_epi32,
        _mm256_setzero_si256, _mm256_storeu_si256,
    };
    let pairs = b.k / 2;
    // The pointer reads below stay inside these bounds.
    assert!((r0 + R - 1) * a_stride + b.k <= a.len());
    assert!(panel.len() >= pairs * 2 * NR);
    let width = NR.min(b.cols - p * NR);
    let mut acc: [[__m256i; 2]; R] = [[_mm256_setzero_si256(); 2]; R];
    let rows: [*const i16; R] = std::array::from_fn(|r| a[(r0 + r) * a_stride..].as_ptr());
    let mut bp = panel.as_ptr();
    for kp in 0..pairs {
        // SAFETY: kp < pairs, so bp + 32 ≤ panel end and rows[r] + 2·kp + 2 ≤ a.len()
        // (asserted); the reads are unaligned.
        unsafe {
            let b0 = _mm256_loadu_si256(bp.cast());
            let b1 = _mm256_loadu_si256(bp.add(16).cast());
            for (sums, row) in acc.iter_mut().zip(&rows) {
                let pair = row.add(2 * kp).cast::<i32>().read_unaligned();
                let av = _mm256_set1_epi32(pair);
                sums[0] = _mm256_add_epi32(sums[0], _mm256_madd_epi16(av, b0));
                sums[1] = _mm256_add_epi32(sums[1], _mm256_madd_epi16(av, b1));
            }
            bp = bp.add(2 * NR);
        }
    }
    for (r, sums) in acc.iter().enumerate() {
        let dst = &mut out[(r0 + r) * b.cols + p * NR..][..width];
        if width == NR {
            // SAFETY: dst holds 16 integers, two 8-integer stores.
            unsafe {
                _mm256_storeu_si256(dst.as_mut_ptr().cast(), sums[0]);
                _mm256_storeu_si256(dst.as_mut_ptr().add(8).cast(), sums[1]);
            }
            continue;
        }
        let mut tmp = [0i32; NR];
        // SAFETY: tmp holds 16 integers, two 8-integer stores.
        unsafe {
            _mm256_storeu_si256(tmp.as_mut_ptr().cast(), sums[0]);
            _mm256_storeu_si256(tmp.as_mut_ptr().add(8).cast(), sums[1]);
        }
        dst.copy_from_slice(&tmp[..width]);
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
    fn integer_products_are_exact_on_every_path() {
        for (rows, k, cols, stride) in [
            (1, 2, 5, 2),
            (7, 30, 40, 10),
            (13, 36, 16, 12),
            (0, 4, 8, 4),
        ] {
            let a: Vec<i16> = values(rows.max(1) * stride + k, 11)
                .iter()
                .map(|v| (v * ACT_MAX as f32) as i16)
                .collect();
            let b = values(k * cols, 12);
            let q = QuantPacked::new(&b, k, cols).unwrap();
            // The weights as stored: within half a step of the floats.
            let mut w = vec![0i64; k * cols];
            for (c, &scale) in q.scale().iter().enumerate() {
                for r in 0..k {
                    let p = c / NR;
                    let stored = q.data[((p * k.div_ceil(2) + r / 2) * NR + c % NR) * 2 + r % 2];
                    assert!((f32::from(stored) * scale - b[r * cols + c]).abs() <= scale * 0.501);
                    w[r * cols + c] = i64::from(stored);
                }
            }
            let mut out = vec![7i32; rows * cols];
            gemm_i16(&a, stride, rows, &q, &mut out);
            let mut portable = vec![7i32; rows * cols];
            gemm_i16_portable(&a, stride, rows, &q, &mut portable);
            assert_eq!(out, portable);
            for r in 0..rows {
                for c in 0..cols {
                    let want: i64 = (0..k)
                        .map(|kk| i64::from(a[r * stride + kk]) * w[kk * cols + c])
                        .sum();
                    // The 7s were overwritten.
                    assert_eq!(i64::from(out[r * cols + c]), want, "({r}, {c})");
                }
            }
        }
        assert!(
            QuantPacked::new(&[1.0; 1100], 1100, 1).is_none(),
            "sums could overflow"
        );
    }

    #[test]
    fn quantising_rounds_to_the_same_integers_on_every_path() {
        let x: Vec<f32> = values(203, 13).iter().map(|v| v * 3.5).collect();
        let mut fast = vec![0i16; x.len()];
        let mut portable = vec![0i16; x.len()];
        let scale = quantise(&x, &mut fast, ACT_MAX as i16);
        assert_eq!(quantise_portable(&x, &mut portable, ACT_MAX as i16), scale);
        assert_eq!(fast, portable);
        let max = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert_eq!(scale, max / ACT_MAX as f32);
        assert!(fast.iter().any(|&q| i32::from(q).abs() == ACT_MAX));
        for (q, v) in fast.iter().zip(&x) {
            assert!((f32::from(*q) * scale - v).abs() <= scale / 2.0 * 1.0001);
        }
        assert_eq!(quantise(&[0.0; 9], &mut [1; 9], ACT_MAX as i16), 0.0);
    }

    /// A kernel-3 layer with made-up weights and batch norm.
    fn made_up_layer(inp: usize, out: usize, seed: u32) -> ConvLayer {
        let norm = [
            values(out, seed + 1),
            values(out, seed + 2),
            values(out, seed + 3),
            vec![2.0; out],
        ];
        ConvLayer::new(
            inp,
            out,
            3,
            1,
            &values(out * inp * 3, seed),
            values(out, seed + 4),
            [&norm[0], &norm[1], &norm[2], &norm[3]],
        )
        .unwrap()
    }

    #[test]
    fn a_quantised_layer_stays_close_to_the_float_one() {
        let (inp, out, pad, n) = (16, 20, 1, 9);
        let layer = made_up_layer(inp, out, 14);
        assert!(layer.is_quantised());
        let mut padded = vec![0.0; (n + 2 * pad) * inp];
        padded[pad * inp..(pad + n) * inp].copy_from_slice(&values(n * inp, 19));
        let mut want = vec![0.0; n * out];
        layer.forward(&padded, n, &mut want);
        let mut q = vec![0i16; padded.len()];
        let scale = quantise(&padded, &mut q, ACT_MAX as i16);
        let mut got = vec![0.0; n * out];
        // A buffer holding other numbers: the sums overwrite them.
        layer.forward_quantised(&q, &vec![scale; n], n, &mut got, &mut vec![-5; 3]);
        let range = want.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 0.005 * range, "{g} vs {w}");
        }
        // An odd input width has no integer weights: the same call runs the float layer
        // on the dequantised input.
        let odd = ConvLayer::new(
            3,
            2,
            3,
            1,
            &values(2 * 3 * 3, 20),
            vec![0.1; 2],
            [&[1.0; 2], &[0.0; 2], &[0.0; 2], &[1.0; 2]],
        )
        .unwrap();
        assert!(!odd.is_quantised());
        // Four tokens of three channels between zero padding rows.
        let mut zeroed: Vec<i16> = (0..(4 + 2) * 3).map(|i| (i % 7) as i16 - 3).collect();
        zeroed[..3].fill(0);
        zeroed[15..].fill(0);
        let x: Vec<f32> = zeroed.iter().map(|&v| f32::from(v) * 0.5).collect();
        let mut want = vec![0.0; 4 * 2];
        odd.forward(&x, 4, &mut want);
        let mut got = vec![0.0; 4 * 2];
        odd.forward_quantised(&zeroed, &[0.5; 4], 4, &mut got, &mut Vec::new());
        assert_eq!(got, want);
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
        let layer = made_up_layer(inp, out, 5);
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
        let width = kernel * out;
        let mut quantised = vec![0i16; taps.len()];
        let scales: Vec<f32> = taps
            .chunks_exact(width)
            .zip(quantised.chunks_exact_mut(width))
            .map(|(t, q)| quantise(t, q, TAP_MAX))
            .collect();
        let token_taps: Vec<TokenTaps> = quantised
            .chunks_exact(width)
            .zip(&scales)
            .zip(part.chunks_exact(width))
            .map(|((word, &word_scale), shape)| TokenTaps {
                word,
                word_scale,
                shape,
            })
            .collect();
        let mut got = vec![0.0; n * out];
        layer.forward_taps(&token_taps, &mut got);
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
