//! The transformer attribution labeller (feature `transformer`): a token-classification
//! model whose labels are this crate's source / cue / content tags (`O`, `B-SRC`, `I-SRC`,
//! `B-CUE`, `I-CUE`, `B-CON`, `I-CON`), in place of the perceptron's labels.
//!
//! Why: most of the perceptron's errors are content edges (whole clauses more or less) and
//! open-class cues, which a contextual encoder decides better than hashed token features.
//! The model reads each paragraph as one sequence (a content may run over several
//! sentences), with up to `newsclaims_context_subwords` subwords of the neighbouring
//! paragraphs on each side, exactly as `scripts/ner_gpu_finetune.py pack --types
//! SRC,CUE,CON` packs the training paragraphs exported by `newsclaims train attribution
//! --export-conll`. Its per-word label probabilities are decoded by the same constrained
//! Viterbi as the perceptron's scores (log-probabilities as emissions), so no `I-` comes
//! without its `B-`; the spans then go through the same linking and combination with the
//! rules.

use super::combine::RoleLabeller;
use super::learned::{LABELS, N_LABELS, RoleSpan, constrain, spans_of_tags};
use crate::document::Segmented;
use crate::ner::decode::{self, DecodeScratch};
use crate::ner::transformer::{TokenClassifier, TransformerError, TransformerOptions};
use std::ops::Range;
use std::path::Path;

/// A fine-tuned token-classification model labelling sources, cues and contents.
#[derive(Debug)]
pub struct TransformerLabeller {
    classifier: TokenClassifier,
    /// Our label index of each model label.
    targets: Vec<usize>,
    /// Start and transition scores with the IOB2 constraints (0 where allowed).
    start: Vec<f32>,
    trans: Vec<f32>,
}

impl TransformerLabeller {
    /// Loads a model directory whose `id2label` names exactly our seven labels (in any
    /// order). Also sets libtorch's (process-wide) intra-op thread count.
    pub fn load(dir: &Path, options: TransformerOptions) -> Result<Self, TransformerError> {
        let classifier = TokenClassifier::load_with(dir, options)?;
        let targets =
            targets(classifier.id2label().values().map(String::as_str)).map_err(|reason| {
                TransformerError::Incompatible {
                    path: dir.join("config.json"),
                    reason,
                }
            })?;
        let mut start = vec![0.0; N_LABELS];
        let mut trans = vec![0.0; N_LABELS * N_LABELS];
        constrain(&mut start, &mut trans);
        Ok(TransformerLabeller {
            classifier,
            targets,
            start,
            trans,
        })
    }

    /// Decodes one paragraph's label probabilities (`words × model labels`) into our tags
    /// and the Viterbi margin of each word.
    fn decode(&self, probs: &[f32], scratch: &mut DecodeScratch) -> (Vec<u8>, Vec<f32>) {
        let m = self.targets.len();
        let mut emissions = Vec::with_capacity(probs.len() / m.max(1) * N_LABELS);
        for row in probs.chunks_exact(m.max(1)) {
            let mut mass = [0.0f32; N_LABELS];
            for (&p, &y) in row.iter().zip(&self.targets) {
                mass[y] += p;
            }
            emissions.extend(mass.iter().map(|&p| p.max(1e-12).ln()));
        }
        let (mut tags, mut margins) = (Vec::new(), Vec::new());
        decode::viterbi(
            &emissions,
            N_LABELS,
            &self.start,
            &self.trans,
            scratch,
            &mut tags,
            Some(&mut margins),
        );
        (tags, margins)
    }
}

/// Our label index of each model label; every one of ours must be there exactly once.
fn targets<'a>(names: impl Iterator<Item = &'a str>) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for name in names {
        let y = LABELS.iter().position(|l| *l == name).ok_or_else(|| {
            format!(
                "label {name:?} is not an attribution label ({})",
                LABELS.join(", ")
            )
        })?;
        if out.contains(&y) {
            return Err(format!("label {name:?} appears twice"));
        }
        out.push(y);
    }
    if out.len() != N_LABELS {
        return Err(format!(
            "{} labels, an attribution model has {N_LABELS} ({})",
            out.len(),
            LABELS.join(", ")
        ));
    }
    Ok(out)
}

impl RoleLabeller for TransformerLabeller {
    fn name(&self) -> &str {
        "transformer"
    }

    fn label(
        &self,
        text: &str,
        segmented: &Segmented,
        paragraphs: &[Range<usize>],
    ) -> Result<Vec<RoleSpan>, String> {
        let words: Vec<Vec<&str>> = paragraphs
            .iter()
            .map(|range| {
                segmented.tokens[range.clone()]
                    .iter()
                    .map(|t| &text[t.start..t.end])
                    .collect()
            })
            .collect();
        // One document: every paragraph reads its neighbours as context.
        let document_of = vec![0; words.len()];
        let probs = self
            .classifier
            .word_probabilities(&words, &document_of)
            .map_err(|e| e.to_string())?;
        let mut scratch = DecodeScratch::default();
        let mut out = Vec::new();
        for (range, probs) in paragraphs.iter().zip(&probs) {
            let (tags, margins) = self.decode(probs, &mut scratch);
            out.extend(spans_of_tags(&tags, range.start, Some(&margins)));
        }
        Ok(out)
    }

    /// Margins are differences of log-probabilities: `1 - exp(-margin)` is already a
    /// confidence that orders precision.
    fn confidence_scale(&self) -> f32 {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::transformer::tiny::{TinySpec, write_tiny_model};
    use crate::segment::{Abbreviations, segment};
    use tch::Tensor;

    /// A tiny random model relabelled with the attribution labels, its classifier replaced
    /// by a constant: zero weights and `bias` (one value per label of [`LABELS`]).
    fn tiny_labeller(dir: &Path, bias: [f32; N_LABELS]) -> TransformerLabeller {
        write_tiny_model(dir, TinySpec::default()).unwrap();
        let config_path = dir.join("config.json");
        let mut config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&config_path).unwrap()).unwrap();
        config["id2label"] = LABELS
            .iter()
            .enumerate()
            .map(|(i, l)| (i.to_string(), serde_json::Value::from(*l)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        std::fs::write(&config_path, config.to_string()).unwrap();
        let weights = dir.join("model.safetensors");
        let tensors: Vec<(String, Tensor)> = Tensor::read_safetensors(&weights)
            .unwrap()
            .into_iter()
            .map(|(name, t)| match name.as_str() {
                "classifier.weight" => (name, t.zeros_like()),
                "classifier.bias" => (name, Tensor::from_slice(&bias)),
                _ => (name, t),
            })
            .collect();
        Tensor::write_safetensors(&tensors, &weights).unwrap();
        TransformerLabeller::load(dir, TransformerOptions::default()).unwrap()
    }

    const TEXT: &str = "The minister said that the bank reported news. Smith said today.\n\n\
                        Maria visited New York on Monday, the report said.";

    #[test]
    fn each_paragraph_is_one_sequence_decoded_under_iob2() {
        // Every word prefers I-CON: the constrained decoder must open each paragraph's
        // span with B-CON, giving one content span per paragraph, across its sentences.
        let dir = tempfile::tempdir().unwrap();
        let labeller = tiny_labeller(dir.path(), [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 3.0]);
        let segmented = segment(TEXT, crate::document::Lang::En, &Abbreviations::default());
        let first_end = segmented.sentences[1].tokens.end;
        let paragraphs = vec![0..first_end, first_end..segmented.tokens.len()];
        let spans = labeller.label(TEXT, &segmented, &paragraphs).unwrap();
        let got: Vec<(usize, std::ops::Range<usize>)> =
            spans.iter().map(|s| (s.role, s.tokens.clone())).collect();
        assert_eq!(
            got,
            vec![
                (super::super::learned::ROLE_CONTENT, paragraphs[0].clone()),
                (super::super::learned::ROLE_CONTENT, paragraphs[1].clone()),
            ]
        );
        // The margin is the log-probability gap the decoder saw: positive, finite.
        assert!(spans.iter().all(|s| s.margin > 0.0 && s.margin.is_finite()));
    }

    #[test]
    fn a_preferred_outside_label_gives_no_spans() {
        let dir = tempfile::tempdir().unwrap();
        let labeller = tiny_labeller(dir.path(), [3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let segmented = segment(TEXT, crate::document::Lang::En, &Abbreviations::default());
        let all = 0..segmented.tokens.len();
        let spans = labeller.label(TEXT, &segmented, std::slice::from_ref(&all));
        assert!(spans.unwrap().is_empty());
    }

    #[test]
    fn an_ner_model_is_refused_with_its_config_named() {
        let dir = tempfile::tempdir().unwrap();
        write_tiny_model(dir.path(), TinySpec::default()).unwrap();
        let err = TransformerLabeller::load(dir.path(), TransformerOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("config.json"), "{err}");
        assert!(err.contains("not an attribution label"), "{err}");
    }

    #[test]
    fn labels_map_in_any_order_and_must_all_be_there() {
        let names = ["B-CUE", "O", "I-CUE", "B-SRC", "I-SRC", "B-CON", "I-CON"];
        let t = targets(names.into_iter()).unwrap();
        assert_eq!(t, vec![3, 0, 4, 1, 2, 5, 6]);
        let err = targets(["O", "B-PER", "I-PER"].into_iter()).unwrap_err();
        assert!(err.contains("not an attribution label"), "{err}");
        let err = targets(["O", "B-SRC", "I-SRC"].into_iter()).unwrap_err();
        assert!(err.contains("3 labels"), "{err}");
        let err = targets(["O", "O"].into_iter()).unwrap_err();
        assert!(err.contains("twice"), "{err}");
    }

    /// The shipped model (models/attribution-transformer, over the base encoder that
    /// scripts/make-e5-encoder.sh builds) labels an open-class cue, its source and its
    /// content, and a quotation interrupted by its cue, in sentences written for this test.
    /// Skipped when the encoder has not been built.
    #[test]
    fn shipped_model_labels_sources_cues_and_contents() {
        let Some(dir) = crate::ner::transformer::shipped_model_dir("attribution-transformer")
        else {
            return;
        };
        let labeller = TransformerLabeller::load(&dir, TransformerOptions::default()).unwrap();
        let text = "Senator Mary Collins mocked the proposal as a giveaway to wealthy donors.\n\n\
                    \"We will not back down,\" the governor insisted on Tuesday.";
        let segmented = segment(text, crate::document::Lang::En, &Abbreviations::default());
        let second = segmented
            .tokens
            .iter()
            .position(|t| t.start >= text.find("\"We").unwrap())
            .unwrap();
        let paragraphs = [0..second, second..segmented.tokens.len()];
        let spans = labeller.label(text, &segmented, &paragraphs).unwrap();
        let got: Vec<(usize, &str)> = spans
            .iter()
            .map(|s| {
                let from = segmented.tokens[s.tokens.start].start;
                let to = segmented.tokens[s.tokens.end - 1].end;
                (s.role, &text[from..to])
            })
            .collect();
        use super::super::learned::{ROLE_CONTENT, ROLE_CUE, ROLE_SOURCE};
        for want in [
            (ROLE_SOURCE, "Senator Mary Collins"),
            (ROLE_CUE, "mocked"),
            (ROLE_CONTENT, "the proposal as a giveaway to wealthy donors"),
            (ROLE_SOURCE, "the governor"),
            (ROLE_CUE, "insisted"),
        ] {
            assert!(got.contains(&want), "{want:?} not in {got:?}");
        }
        assert!(
            got.iter()
                .any(|&(role, s)| role == ROLE_CONTENT && s.contains("We will not back down")),
            "{got:?}"
        );
    }
}
