//! A small labelled document for the content-boundary re-ranker's tests, and a one-claim
//! gold document for the trainers' tests.

use super::cues::CueLexicon;
use super::learned::{AttributionModel, N_LABELS, TokenLabels};
use super::learned_bounds::Labelled;
use super::learned_features::DocFeatures;
use super::patterns::DocView;
use crate::document::{Lang, Segmented};
use crate::eval::polnear::{GoldAttribution, GoldDocument, GoldSpan};
use crate::ner::decode::{DecodeScratch, viterbi};
use crate::ner::features::{Clusters, hash_bytes};
use crate::resources::DataFile;
use crate::segment::segment;

/// Text, tokens, lexicon, features and a labeller with hash-random transitions.
pub struct Doc {
    pub text: String,
    pub seg: Segmented,
    pub lexicon: CueLexicon,
    pub features: DocFeatures,
    pub model: AttributionModel,
}

/// Deterministic pseudo-random value in [-1, 1) from a seed.
pub fn noise(seed: u64) -> f32 {
    (hash_bytes(seed, b"bounds") % 2000) as f32 / 1000.0 - 1.0
}

pub fn doc(text: &str) -> Doc {
    let file = DataFile::from_text(
        "cues.tsv",
        "form\tkind\tentity\nsaid\tspeech\t\nhe\tpronoun\tPER\nthat\tcomplementizer\t\n",
    );
    let lexicon = CueLexicon::parse(&file, Lang::En).unwrap();
    let seg = segment(text, Lang::En, &Default::default());
    let features = DocFeatures::new(text, Lang::En, &seg, &[], &lexicon);
    let trans = (0..N_LABELS * N_LABELS).map(|i| noise(i as u64)).collect();
    let model = AttributionModel::new(
        vec![],
        vec![],
        vec![0.0; N_LABELS],
        trans,
        1.0,
        Default::default(),
        Clusters::default(),
    );
    Doc {
        text: text.to_string(),
        seg,
        lexicon,
        features,
        model,
    }
}

impl Doc {
    pub fn view(&self) -> DocView<'_> {
        DocView::new(&self.text, Lang::En, &self.seg, &[], &self.lexicon)
    }

    /// The re-ranker's view of this document, given its view and labels.
    pub fn labelled<'a>(&'a self, view: &'a DocView<'a>, labels: &'a TokenLabels) -> Labelled<'a> {
        Labelled {
            doc: view,
            features: &self.features,
            labels,
            model: &self.model,
        }
    }

    /// Labels with hash-random emissions, decoded per paragraph as the labeller does.
    pub fn labels(&self) -> TokenLabels {
        let n = self.seg.tokens.len();
        let emissions: Vec<f32> = (0..n * N_LABELS)
            .map(|i| 3.0 * noise(1000 + i as u64))
            .collect();
        let mut out = TokenLabels {
            tags: vec![0; n],
            margins: vec![0.0; n],
            emissions: emissions.clone(),
            forward: vec![0.0; n * N_LABELS],
            backward: vec![0.0; n * N_LABELS],
        };
        let (start, trans) = self.model.constrained_scores();
        let (mut scratch, mut tags, mut margins) = (DecodeScratch::default(), vec![], vec![]);
        for p in 0..self.features.paragraphs.len() {
            let r = self.features.paragraph_tokens(&self.seg, p);
            let cells = r.start * N_LABELS..r.end * N_LABELS;
            let em = &emissions[cells.clone()];
            viterbi(
                em,
                N_LABELS,
                start,
                trans,
                &mut scratch,
                &mut tags,
                Some(&mut margins),
            );
            out.tags[r.clone()].copy_from_slice(&tags);
            out.margins[r].copy_from_slice(&margins);
            out.forward[cells.clone()].copy_from_slice(scratch.forward());
            out.backward[cells].copy_from_slice(scratch.backward());
        }
        out
    }
}

/// A gold document with one attribution: source, cue and content as byte spans.
pub fn gold_document(
    name: &str,
    text: &str,
    source: (usize, usize),
    cue: (usize, usize),
    content: (usize, usize),
) -> GoldDocument {
    let span = |p: (usize, usize)| GoldSpan { pieces: vec![p] };
    GoldDocument {
        name: name.into(),
        annotator: "a".into(),
        text: text.into(),
        attributions: vec![GoldAttribution {
            source: Some(span(source)),
            cue: Some(span(cue)),
            contents: vec![span(content)],
        }],
    }
}
