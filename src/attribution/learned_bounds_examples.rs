//! Examples for the content-boundary re-ranker's training (`learned_bounds_train.rs`):
//! a jackknifed labeller's linked contents, their candidates as feature indices and the
//! gold candidate.

use super::cues::CueLexicon;
use super::learned::{AttributionModel, TokenLabels};
use super::learned_bounds::{Candidates, Labelled, N_END, N_PAIR, N_START};
use super::learned_data::PreparedDoc;
use super::patterns::DocView;
use crate::document::Lang;
use std::collections::HashMap;

/// One content span of the jackknifed labeller: its candidates as feature indices, and
/// the gold candidate.
pub(super) struct Example {
    pub(super) starts: Vec<u32>,
    pub(super) ends: Vec<u32>,
    pub(super) pairs: Vec<(u16, u16)>,
    pub(super) pair_feats: Vec<u32>,
    pub(super) original: usize,
    pub(super) gold: usize,
}

/// What the examples were made of, for the report.
#[derive(Clone, Debug, Default)]
pub struct ExampleStats {
    /// Linked contents with more than one candidate.
    pub contents: usize,
    /// Of them, those with a gold candidate (the examples).
    pub reachable: usize,
    /// Of those, the ones whose original span is already gold.
    pub original_gold: usize,
}

/// Trims whitespace off a code-point span of `chars`.
pub(super) fn trim(chars: &[char], (mut s, mut e): (usize, usize)) -> (usize, usize) {
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// Feature hashes → dense indices.
#[derive(Default)]
pub(super) struct Index {
    pub(super) map: HashMap<u64, u32>,
    pub(super) keys: Vec<u64>,
}

impl Index {
    pub(super) fn of(&mut self, f: u64) -> u32 {
        let next = self.keys.len() as u32;
        *self.map.entry(f).or_insert_with(|| {
            self.keys.push(f);
            next
        })
    }
}

/// Runs `model` over one held-out article and turns its linked contents into examples.
pub(super) fn collect(
    model: &AttributionModel,
    d: &PreparedDoc,
    lexicon: &CueLexicon,
    radius: usize,
    index: &mut Index,
    stats: &mut ExampleStats,
    out: &mut Vec<Example>,
) {
    let text = d.aligned.text();
    let view = DocView::new(text, Lang::En, &d.segmented, &d.entities, lexicon);
    let mut features = d.features.clone();
    features.apply_cue_stats(&model.cue_stats);
    features.apply_clusters(&model.clusters);
    let mut labels = TokenLabels::default();
    let spans = model.label_tokens(&features, &d.segmented, &mut labels);
    let chars: Vec<char> = d.gold.text.chars().collect();
    // Gold content span (trimmed hull) → the cue spans of its attributions.
    let mut gold: HashMap<(usize, usize), Vec<(usize, usize)>> = HashMap::new();
    for a in &d.gold.attributions {
        let cue = a.cue.as_ref().map_or((0, 0), |c| c.hull());
        for c in &a.contents {
            gold.entry(trim(&chars, c.hull())).or_default().push(cue);
        }
    }
    let tokens = &d.segmented.tokens;
    let orig = |t: usize| d.aligned.original_span(tokens[t].start, tokens[t].end);
    let labelled = Labelled {
        doc: &view,
        features: &features,
        labels: &labels,
        model,
    };
    super::combine::link_spans(&view, &features, &spans, 1.0, &mut |c| {
        let Some(cands) = labelled.candidates(c, radius) else {
            return c.content.clone();
        };
        stats.contents += 1;
        let cue = (orig(c.cue.start).0, orig(c.cue.end - 1).1);
        let (s0, e0) = (c.content.start, c.content.end);
        let target = (0..cands.pairs.len())
            .filter_map(|p| {
                let r = cands.range(p);
                let span = (orig(r.start).0, orig(r.end - 1).1);
                let cues = gold.get(&span)?;
                let own = cues.iter().any(|g| g.0 < cue.1 && cue.0 < g.1);
                Some((!own, r.start.abs_diff(s0) + r.end.abs_diff(e0), p))
            })
            .min();
        if let Some((_, _, p)) = target {
            stats.reachable += 1;
            stats.original_gold += usize::from(p == cands.original);
            out.push(example(&cands, p, index));
        }
        c.content.clone()
    });
}

pub(super) fn example(c: &Candidates, gold: usize, index: &mut Index) -> Example {
    Example {
        starts: c.start_feats.iter().map(|&f| index.of(f)).collect(),
        ends: c.end_feats.iter().map(|&f| index.of(f)).collect(),
        pairs: c.pairs.clone(),
        pair_feats: (0..c.pairs.len())
            .flat_map(|p| c.pair_features(p))
            .map(|f| index.of(f))
            .collect(),
        original: c.original,
        gold,
    }
}

impl Example {
    /// The feature indices of pair `p`: its start's, its end's and its own.
    pub(super) fn feats(&self, p: usize) -> impl Iterator<Item = u32> + '_ {
        let (s, e) = (self.pairs[p].0 as usize, self.pairs[p].1 as usize);
        self.starts[s * N_START..(s + 1) * N_START]
            .iter()
            .chain(&self.ends[e * N_END..(e + 1) * N_END])
            .chain(&self.pair_feats[p * N_PAIR..(p + 1) * N_PAIR])
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_whitespace_off_gold_spans() {
        let chars: Vec<char> = " ab c  ".chars().collect();
        assert_eq!(trim(&chars, (0, 7)), (1, 5));
        assert_eq!(trim(&chars, (5, 7)), (7, 7));
    }
}
