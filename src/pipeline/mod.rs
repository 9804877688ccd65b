//! The pipeline driver: the only place with threads.
//!
//! Records are read sequentially into bounded chunks (a document count and a byte budget, so
//! one huge record is not multiplied), each chunk is processed with an indexed rayon
//! `par_iter` on the driver's own pool (input order is kept), written to the tables in order
//! and dropped. Reading and writing run on their own threads, overlapping the processing. Output is identical byte for byte whatever the number of threads, and memory
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
use std::sync::mpsc;
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
    records: impl Iterator<Item = Result<Record, RecordError>> + Send,
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
    let tables = Tables::create(out_dir)?;
    let settings = DocumentSettings { lang: options.lang };
    // Reading (JSON parsing, decompression) and writing (CSV) overlap with processing: a
    // reader thread fills the next chunk and a writer thread drains the last one while the
    // workers process the current one. The channels hold one chunk each, so at most four
    // chunks are in memory (being read, waiting, being processed, being written).
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Vec<Result<Record, RecordError>>>(1);
    let (output_tx, output_rx) = mpsc::sync_channel::<Vec<DocumentOutput>>(1);
    std::thread::scope(|scope| {
        let chunk_documents = options.chunk_documents.max(1);
        let chunk_bytes = options.chunk_bytes;
        scope.spawn(move || read_chunks(records, chunk_documents, chunk_bytes, &chunk_tx));
        let writer =
            scope.spawn(move || write_outputs(tables, &output_rx, options.progress, started));
        for chunk in chunk_rx {
            let outputs: Vec<DocumentOutput> = pool.install(|| {
                chunk
                    .par_iter()
                    .map(|item| match item {
                        Ok(record) => process_document(record, resources, tagger, settings),
                        Err(error) => DocumentOutput::from_error(error),
                    })
                    .collect()
            });
            if output_tx.send(outputs).is_err() {
                // The writer failed; its error is returned below. Dropping the chunk
                // receiver stops the reader.
                break;
            }
        }
        drop(output_tx);
        let mut summary = writer.join().map_err(|_| PipelineError::Threads {
            threads,
            message: "the writer thread panicked".to_string(),
        })??;
        summary.elapsed = started.elapsed();
        Ok(summary)
    })
}

/// Groups records into chunks of at most `documents` records and about `bytes` bytes of text
/// (at least one record each) and sends them in order.
fn read_chunks(
    records: impl Iterator<Item = Result<Record, RecordError>>,
    documents: usize,
    bytes: usize,
    chunks: &mpsc::SyncSender<Vec<Result<Record, RecordError>>>,
) {
    let mut records = records.peekable();
    while records.peek().is_some() {
        let mut chunk = Vec::with_capacity(documents);
        let mut size = 0;
        while chunk.len() < documents && size < bytes {
            let Some(item) = records.next() else { break };
            size += item.as_ref().map_or(0, |r| r.text.len());
            chunk.push(item);
        }
        if chunks.send(chunk).is_err() {
            // The driver stopped (the writer failed): stop reading.
            return;
        }
    }
}

/// Writes the outputs of each chunk in order, adds up the summary and finishes the tables.
fn write_outputs(
    mut tables: Tables,
    outputs: &mpsc::Receiver<Vec<DocumentOutput>>,
    progress: bool,
    started: Instant,
) -> Result<Summary, PipelineError> {
    let mut summary = Summary::default();
    let mut progress = Progress::new(progress);
    for chunk in outputs {
        let clock = Instant::now();
        for output in &chunk {
            tables.write_document(&output.document, &output.claims, &output.entities)?;
            summary.counts += output.counts;
            summary.times += output.times;
        }
        summary.times.write += clock.elapsed();
        progress.update(&summary.counts, started.elapsed());
    }
    tables.finish()?;
    progress.clear();
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
