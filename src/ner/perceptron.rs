//! The perceptron's weight store: updates with lazy averaging, and export of the averaged
//! weights as a quantised, pruned [`NerModel`].

use super::decode::LabelSet;
use super::features::Clusters;
use super::model::{NerModel, quantise};
use crate::document::Lang;

/// One training sentence as feature indices.
pub(super) struct Example {
    /// Feature indices of all tokens, back to back.
    pub feats: Vec<u32>,
    /// Start of each token's run in `feats`, plus the end.
    pub offsets: Vec<u32>,
    /// Gold label per token.
    pub gold: Vec<u8>,
}

/// Perceptron weights with the lazy-averaging accumulators.
pub(super) struct Weights {
    pub(super) l: usize,
    pub(super) w: Vec<f32>,
    pub(super) acc: Vec<f32>,
    pub(super) start: Vec<f32>,
    pub(super) start_acc: Vec<f32>,
    pub(super) trans: Vec<f32>,
    pub(super) trans_acc: Vec<f32>,
}

impl Weights {
    pub(super) fn new(n: usize, l: usize) -> Weights {
        Weights {
            l,
            w: vec![0.0; n],
            acc: vec![0.0; n],
            start: vec![0.0; l],
            start_acc: vec![0.0; l],
            trans: vec![0.0; l * l],
            trans_acc: vec![0.0; l * l],
        }
    }

    /// Standard perceptron update towards the gold path and away from the predicted one;
    /// `acc` collects `c × delta` so the average is `w - acc / c`.
    pub(super) fn update(&mut self, ex: &Example, pred: &[u8], c: f32) {
        let l = self.l;
        let gold = &ex.gold;
        for t in 0..gold.len() {
            let (g, p) = (gold[t] as usize, pred[t] as usize);
            if g != p {
                for &f in &ex.feats[ex.offsets[t] as usize..ex.offsets[t + 1] as usize] {
                    let base = f as usize * l;
                    self.w[base + g] += 1.0;
                    self.acc[base + g] += c;
                    self.w[base + p] -= 1.0;
                    self.acc[base + p] -= c;
                }
            }
            let (gp, pp) = if t == 0 {
                (None, None)
            } else {
                (Some(gold[t - 1] as usize), Some(pred[t - 1] as usize))
            };
            if (gp, g) != (pp, p) {
                match (gp, pp) {
                    (Some(gp), Some(pp)) => {
                        self.trans[gp * l + g] += 1.0;
                        self.trans_acc[gp * l + g] += c;
                        self.trans[pp * l + p] -= 1.0;
                        self.trans_acc[pp * l + p] -= c;
                    }
                    _ => {
                        self.start[g] += 1.0;
                        self.start_acc[g] += c;
                        self.start[p] -= 1.0;
                        self.start_acc[p] -= c;
                    }
                }
            }
        }
    }
}

/// Builds the averaged, quantised and pruned model: exactly what would be saved, so the
/// dev score is the shipped model's.
#[allow(clippy::too_many_arguments)]
pub(super) fn export(
    lang: Lang,
    labels: &LabelSet,
    w: &Weights,
    c: f32,
    keys: &[u64],
    general: &[bool],
    target_copy: &[Option<usize>],
    clusters: Option<Clusters>,
) -> NerModel {
    let l = labels.len();
    let avg =
        |v: &[f32], a: &[f32]| -> Vec<f32> { v.iter().zip(a).map(|(x, y)| x - y / c).collect() };
    let mut out_keys = Vec::new();
    let mut out_w = Vec::new();
    let mut row = vec![0.0f32; l];
    for (i, &key) in keys.iter().enumerate() {
        if !general[i] {
            continue;
        }
        for (y, r) in row.iter_mut().enumerate() {
            *r = w.w[i * l + y] - w.acc[i * l + y] / c;
            if let Some(j) = target_copy[i] {
                *r += w.w[j * l + y] - w.acc[j * l + y] / c;
            }
        }
        out_keys.push(key);
        out_w.extend_from_slice(&row);
    }
    // Quantise, then drop rows that became all zero: they carry nothing.
    let (q, step) = quantise(&out_w);
    let (mut keys_kept, mut q_kept) = (Vec::new(), Vec::new());
    for (i, &key) in out_keys.iter().enumerate() {
        let r = &q[i * l..(i + 1) * l];
        if r.iter().any(|&x| x != 0) {
            keys_kept.push(key);
            q_kept.extend_from_slice(r);
        }
    }
    NerModel::from_quantised(
        lang,
        labels.clone(),
        avg(&w.start, &w.start_acc),
        avg(&w.trans, &w.trans_acc),
        keys_kept,
        q_kept,
        step,
        clusters,
        1.0,
    )
}
