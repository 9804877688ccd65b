//! Per-stage times and counts, merged with `+=` across documents and threads.

use std::ops::AddAssign;
use std::time::Duration;

/// Time spent in each stage, summed over documents (CPU time of the workers, not wall time).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageTimes {
    /// Normalisation (both passes).
    pub normalize: Duration,
    /// Language detection.
    pub language: Duration,
    /// Sentence and token segmentation.
    pub segment: Duration,
    /// Named-entity tagging.
    pub ner: Duration,
    /// Attribution.
    pub attribution: Duration,
    /// Building the output rows (offset mapping).
    pub rows: Duration,
    /// Writing the CSV tables (in the driver).
    pub write: Duration,
}

impl StageTimes {
    /// The stages with their names, in pipeline order.
    pub fn named(&self) -> [(&'static str, Duration); 7] {
        [
            ("normalize", self.normalize),
            ("language", self.language),
            ("segment", self.segment),
            ("ner", self.ner),
            ("attribution", self.attribution),
            ("rows", self.rows),
            ("write", self.write),
        ]
    }

    /// The sum of all stages.
    pub fn total(&self) -> Duration {
        self.named().iter().map(|(_, d)| *d).sum()
    }
}

impl AddAssign for StageTimes {
    fn add_assign(&mut self, other: StageTimes) {
        self.normalize += other.normalize;
        self.language += other.language;
        self.segment += other.segment;
        self.ner += other.ner;
        self.attribution += other.attribution;
        self.rows += other.rows;
        self.write += other.write;
    }
}

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    /// Documents seen (every row of documents.csv).
    pub documents: usize,
    /// Documents processed.
    pub ok: usize,
    /// Documents skipped.
    pub skipped: usize,
    /// Documents with an error.
    pub errors: usize,
    /// Claims written.
    pub claims: usize,
    /// Entities written.
    pub entities: usize,
    /// Words (tokens that start with a letter or digit) of processed documents.
    pub words: usize,
    /// Bytes of the text of all documents.
    pub bytes: usize,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.documents += other.documents;
        self.ok += other.ok;
        self.skipped += other.skipped;
        self.errors += other.errors;
        self.claims += other.claims;
        self.entities += other.entities;
        self.words += other.words;
        self.bytes += other.bytes;
    }
}
