//! The pipeline driver: the only place with threads.
//!
//! Records are read sequentially into bounded chunks (a document count and a byte budget, so
//! one huge record is not multiplied), each chunk is processed with an indexed rayon
//! `par_iter` on the driver's own pool (input order is kept), written to the tables in order
//! and dropped. Output is identical byte for byte whatever the number of threads, and memory
//! does not grow with the corpus.

mod document;
mod stats;

pub use document::{DocumentOutput, DocumentSettings, process_document, tag_entities};
pub use stats::{Counts, StageTimes};

use crate::document::Lang;
use crate::ingest::{Record, RecordError};
use crate::ner::Tagger;
use crate::output::{OutputError, Tables};
use crate::resources::Resources;
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How to run the pipeline.
#[derive(Clone, Debug)]
pub struct PipelineOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Most documents in one chunk.
    pub chunk_documents: usize,
    /// Most bytes of text in one chunk (a chunk always holds at least one document).
    pub chunk_bytes: usize,
    /// Process every document as this language.
    pub lang: Option<Lang>,
    /// Show a progress line on standard error (only drawn when it is a terminal).
    pub progress: bool,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            chunk_documents: 512,
            chunk_bytes: 16 * 1024 * 1024,
            lang: None,
            progress: false,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Counts over all documents.
    pub counts: Counts,
    /// Time per stage, summed over workers.
    pub times: StageTimes,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Summary {
    /// The one-line summary printed at the end of `extract`.
    pub fn line(&self) -> String {
        let c = &self.counts;
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        format!(
            "{} documents ({} ok, {} skipped, {} errors), {} claims, {} entities, {} words in {:.2} s ({:.0} words/s)",
            c.documents,
            c.ok,
            c.skipped,
            c.errors,
            c.claims,
            c.entities,
            c.words,
            secs,
            c.words as f64 / secs
        )
    }
}

/// Errors that end a run (bad documents never do).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The worker pool could not be built.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why it failed.
        message: String,
    },
}

/// Runs the pipeline over a stream of records and writes the tables into `out_dir`.
pub fn run(
    records: impl Iterator<Item = Result<Record, RecordError>>,
    out_dir: &Path,
    resources: &Resources,
    tagger: &dyn Tagger,
    options: &PipelineOptions,
) -> Result<Summary, PipelineError> {
    let started = Instant::now();
    let threads = options.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("newsclaims-{i}"))
        .build()
        .map_err(|err| PipelineError::Threads {
            threads,
            message: err.to_string(),
        })?;
    let mut tables = Tables::create(out_dir)?;
    let settings = DocumentSettings { lang: options.lang };
    let mut summary = Summary::default();
    let mut progress = Progress::new(options.progress);
    let mut records = records.peekable();
    let mut chunk: Vec<Result<Record, RecordError>> = Vec::with_capacity(options.chunk_documents);
    while records.peek().is_some() {
        chunk.clear();
        let mut bytes = 0;
        while chunk.len() < options.chunk_documents.max(1) && bytes < options.chunk_bytes {
            let Some(item) = records.next() else { break };
            bytes += item.as_ref().map_or(0, |r| r.text.len());
            chunk.push(item);
        }
        let outputs: Vec<DocumentOutput> = pool.install(|| {
            chunk
                .par_iter()
                .map(|item| match item {
                    Ok(record) => process_document(record, resources, tagger, settings),
                    Err(error) => DocumentOutput::from_error(error),
                })
                .collect()
        });
        let clock = Instant::now();
        for output in &outputs {
            tables.write_document(&output.document, &output.claims, &output.entities)?;
            summary.counts += output.counts;
            summary.times += output.times;
        }
        summary.times.write += clock.elapsed();
        progress.update(&summary.counts, started.elapsed());
    }
    tables.finish()?;
    progress.clear();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A one-line progress display on standard error, drawn only on a terminal and at most a few
/// times a second.
struct Progress {
    enabled: bool,
    last: Option<Instant>,
}

impl Progress {
    fn new(requested: bool) -> Progress {
        Progress {
            enabled: requested && std::io::stderr().is_terminal(),
            last: None,
        }
    }

    fn update(&mut self, counts: &Counts, elapsed: Duration) {
        if !self.enabled
            || self
                .last
                .is_some_and(|t| t.elapsed() < Duration::from_millis(200))
        {
            return;
        }
        self.last = Some(Instant::now());
        let rate = counts.words as f64 / elapsed.as_secs_f64().max(1e-9);
        let mut err = std::io::stderr().lock();
        // Progress is best effort: a closed stderr must not stop the run.
        let _ = write!(
            err,
            "\r\x1b[2K{} documents, {} claims, {} entities, {:.0} words/s",
            counts.documents, counts.claims, counts.entities, rate
        );
        let _ = err.flush();
    }

    fn clear(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
