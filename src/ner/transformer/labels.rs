//! The model's labels mapped onto our entity types, and per-word decoding into IOB2 spans.
//!
//! HF token-classification models name their labels in `config.json` (`id2label`), either
//! IOB2 (`B-PER`, `I-PER`, `O`) or plain types (`PER`, an IO scheme). Each model label is
//! mapped onto our IOB2 [`LabelSet`]; labels of types we do not know (`B-DATE`) count as
//! `O`, so a model trained on a richer scheme still works. Decoding reuses the constrained
//! Viterbi of [`crate::ner::decode`] over log-probabilities, which is what guarantees that
//! no `I-` is ever emitted without its `B-`, whatever the network predicts.

use crate::document::{EntityType, TokenSpan};
use crate::ner::decode::{self, DecodeScratch, LabelSet};
use std::collections::BTreeMap;

/// Where one model label goes in our label set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// `O` or a type we do not know.
    Outside,
    /// `B-T`: our label index.
    Begin(usize),
    /// `I-T`: our label index.
    Inside(usize),
    /// A bare type (IO scheme): both our `B-T` and `I-T` (given as the `B-` index).
    Either(usize),
}

/// The model's labels, mapped onto our IOB2 label set.
#[derive(Clone, Debug)]
pub struct LabelMap {
    set: LabelSet,
    targets: Vec<Target>,
}

/// Our entity type of a label's type part (`PER`, `PERSON`, `GPE`, ...), if we have one.
fn entity_type(name: &str) -> Option<EntityType> {
    match name.to_ascii_uppercase().as_str() {
        "PER" | "PERSON" => Some(EntityType::Per),
        "ORG" | "ORGANIZATION" | "ORGANISATION" => Some(EntityType::Org),
        "LOC" | "LOCATION" | "GPE" => Some(EntityType::Loc),
        "MISC" => Some(EntityType::Misc),
        _ => None,
    }
}

/// Splits `B-PER` / `I_PER` / `PER` into an optional prefix and the type part.
fn split_label(label: &str) -> (Option<char>, &str) {
    let mut chars = label.chars();
    if let (Some(p @ ('B' | 'I' | 'E' | 'S')), Some('-' | '_')) = (chars.next(), chars.next()) {
        return (Some(p), &label[2..]);
    }
    (None, label)
}

impl LabelMap {
    /// Builds the map from `id2label`. Ids must be `0..n` without gaps. Fails with a
    /// message when no label names PER, ORG or LOC (the model cannot serve this crate).
    pub fn new(id2label: &BTreeMap<usize, String>) -> Result<LabelMap, String> {
        for (expected, &id) in id2label.keys().enumerate() {
            if id != expected {
                return Err(format!("label ids are not 0..{}: {id}", id2label.len()));
            }
        }
        let mut types: Vec<EntityType> = Vec::new();
        for label in id2label.values() {
            if let Some(t) = entity_type(split_label(label).1)
                && !types.contains(&t)
            {
                types.push(t);
            }
        }
        if !types
            .iter()
            .any(|t| matches!(t, EntityType::Per | EntityType::Org | EntityType::Loc))
        {
            let names: Vec<&str> = id2label.values().map(String::as_str).collect();
            return Err(format!(
                "no PER, ORG or LOC among the labels [{}]",
                names.join(", ")
            ));
        }
        let targets = id2label
            .values()
            .map(|label| {
                let (prefix, name) = split_label(label);
                let Some(k) = entity_type(name).and_then(|t| types.iter().position(|&x| x == t))
                else {
                    return Target::Outside;
                };
                match prefix {
                    // Single-token (S-) and begin tags both open a span.
                    Some('B' | 'S') => Target::Begin(1 + 2 * k),
                    Some(_) => Target::Inside(2 + 2 * k),
                    None => Target::Either(1 + 2 * k),
                }
            })
            .collect();
        Ok(LabelMap {
            set: LabelSet { types },
            targets,
        })
    }

    /// Number of model labels (the classifier's output size).
    #[cfg(test)]
    pub fn model_labels(&self) -> usize {
        self.targets.len()
    }

    /// Decodes one sentence. `probs` holds, per word, the softmax over the model labels of
    /// the word's first subword (`words × model_labels`, row-major). A span's confidence is
    /// the mean probability its words give to their decoded labels.
    pub fn decode(&self, probs: &[f32], scratch: &mut DecodeScratch) -> Vec<TokenSpan> {
        let m = self.targets.len();
        let l = self.set.len();
        let n = probs.len().checked_div(m).unwrap_or(0);
        // Probability mass of each of our labels per word.
        let mut mass = vec![0.0f32; n * l];
        for (w, row) in probs.chunks_exact(m.max(1)).take(n).enumerate() {
            let out = &mut mass[w * l..(w + 1) * l];
            for (&p, target) in row.iter().zip(&self.targets) {
                match *target {
                    Target::Outside => out[0] += p,
                    Target::Begin(y) | Target::Inside(y) => out[y] += p,
                    Target::Either(b) => {
                        out[b] += p;
                        out[b + 1] += p;
                    }
                }
            }
        }
        let mut emissions: Vec<f32> = mass.iter().map(|&p| p.max(1e-12).ln()).collect();
        // In an IO scheme B- and I- tie; prefer continuing a span over restarting it.
        for (w, row) in emissions.chunks_exact_mut(l).enumerate() {
            for (j, target) in self.targets.iter().enumerate() {
                if let Target::Either(b) = *target
                    && probs[w * m + j] > 0.0
                {
                    row[b + 1] += 1e-4;
                }
            }
        }
        let mut start = vec![0.0f32; l];
        let mut trans = vec![0.0f32; l * l];
        self.set.constrain(&mut start, &mut trans);
        let mut tags = Vec::new();
        decode::viterbi(&emissions, l, &start, &trans, scratch, &mut tags, None);
        let mut spans = decode::spans(&self.set, &tags, None, 1.0);
        for span in &mut spans {
            let total: f32 = (span.start..span.end)
                .map(|w| mass[w * l + tags[w] as usize])
                .sum();
            span.confidence = (total / (span.end - span.start) as f32).clamp(0.0, 1.0);
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(labels: &[&str]) -> LabelMap {
        let id2label = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (i, l.to_string()))
            .collect();
        LabelMap::new(&id2label).unwrap()
    }

    /// One-hot-ish rows: `best` gets 0.9, the rest share 0.1.
    fn rows(n_labels: usize, best: &[usize]) -> Vec<f32> {
        let rest = 0.1 / (n_labels - 1) as f32;
        best.iter()
            .flat_map(|&b| (0..n_labels).map(move |j| if j == b { 0.9 } else { rest }))
            .collect()
    }

    #[test]
    fn iob2_labels_decode_to_spans() {
        let m = map(&["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]);
        let spans = m.decode(&rows(5, &[1, 2, 0, 3]), &mut DecodeScratch::default());
        assert_eq!(spans.len(), 2);
        assert_eq!(
            (spans[0].start, spans[0].end, spans[0].kind),
            (0, 2, EntityType::Per)
        );
        assert_eq!(
            (spans[1].start, spans[1].end, spans[1].kind),
            (3, 4, EntityType::Loc)
        );
        assert!((spans[0].confidence - 0.9).abs() < 1e-4);
    }

    #[test]
    fn a_stray_inside_never_starts_a_span_by_itself() {
        let m = map(&["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]);
        // O I-PER I-ORG: the decoder must repair both I- tags into valid IOB2.
        let spans = m.decode(&rows(5, &[0, 2, 4]), &mut DecodeScratch::default());
        for s in &spans {
            assert!(s.start < s.end);
        }
        let mut prev_end = 0;
        for s in &spans {
            assert!(s.start >= prev_end);
            prev_end = s.end;
        }
    }

    #[test]
    fn io_labels_merge_runs_of_one_type() {
        let m = map(&["O", "PER", "ORG"]);
        let spans = m.decode(&rows(3, &[1, 1, 0, 2]), &mut DecodeScratch::default());
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].start, spans[0].end), (0, 2));
        assert_eq!(spans[1].kind, EntityType::Org);
    }

    #[test]
    fn unknown_types_count_as_outside_and_aliases_map() {
        let m = map(&["O", "B-DATE", "B-PERSON", "I-PERSON", "B-GPE"]);
        let spans = m.decode(&rows(5, &[1, 2, 3, 4]), &mut DecodeScratch::default());
        let kinds: Vec<_> = spans.iter().map(|s| (s.start, s.end, s.kind)).collect();
        assert_eq!(
            kinds,
            vec![(1, 3, EntityType::Per), (3, 4, EntityType::Loc)]
        );
    }

    #[test]
    fn labels_without_our_types_are_rejected() {
        let id2label = [(0, "O".to_string()), (1, "B-DATE".to_string())].into();
        let err = LabelMap::new(&id2label).unwrap_err();
        assert!(err.contains("no PER, ORG or LOC"), "{err}");
        let gap = [(0, "O".to_string()), (2, "B-PER".to_string())].into();
        assert!(LabelMap::new(&gap).is_err());
    }

    #[test]
    fn empty_sentence_gives_no_spans() {
        let m = map(&["O", "B-PER", "I-PER"]);
        assert!(m.decode(&[], &mut DecodeScratch::default()).is_empty());
    }
}
