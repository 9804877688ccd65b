//! The pipeline driver: the only place with threads.
//!
//! Records are read sequentially into bounded chunks (a document count and a byte budget, so
//! one huge record is not multiplied), each chunk is processed with an indexed rayon
//! `par_iter` on the driver's own pool, two chunks at a time so that workers never wait at a
//! chunk's end, written to the tables in input order and dropped. Reading and writing run on
//! their own threads, overlapping the processing. Output is identical byte for byte whatever
//! the number of threads, and memory does not grow with the corpus.

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
    /// Leave out claims whose confidence is below this (0 keeps all).
    pub min_confidence: f32,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            chunk_documents: 512,
            chunk_bytes: 16 * 1024 * 1024,
            lang: None,
            progress: false,
            min_confidence: 0.0,
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
    /// A worker stopped before its documents were written; the tables were left unfinished.
    #[error("a worker stopped before its documents were written; the tables were left unfinished")]
    Incomplete,
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
    let thread_error = |message: String| PipelineError::Threads { threads, message };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("newsclaims-{i}"))
        .build()
        .map_err(|err| thread_error(err.to_string()))?;
    let tables = Tables::create(out_dir)?;
    let settings = DocumentSettings {
        lang: options.lang,
        min_confidence: options.min_confidence,
    };
    // Reading (JSON parsing, decompression) and writing (CSV) overlap with processing: a
    // reader thread fills the next chunk and a writer thread drains finished ones. Chunks are
    // processed by tasks on the pool, up to `IN_FLIGHT` at once, so that a worker done with
    // its share of one chunk takes documents of the next instead of waiting for the last
    // (long) document of the chunk; the writer puts the chunks back in input order. Memory
    // stays bounded: one chunk being read, one waiting, `IN_FLIGHT` being processed or
    // waiting to be written, one being written.
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Vec<Result<Record, RecordError>>>(1);
    let (output_tx, output_rx) = mpsc::channel::<Written>();
    let (permit_tx, permit_rx) = mpsc::sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        // The channel has room for every permit and its receiver is alive.
        permit_tx.send(()).expect("permits fit the channel");
    }
    std::thread::scope(|scope| {
        let chunk_documents = options.chunk_documents.max(1);
        let chunk_bytes = options.chunk_bytes;
        // Named threads, so that profiles tell the serial parts apart from the workers.
        let spawned = |name: &str| std::thread::Builder::new().name(name.to_string());
        spawned("newsclaims-in")
            .spawn_scoped(scope, move || {
                read_chunks(records, chunk_documents, chunk_bytes, &chunk_tx)
            })
            .map_err(|err| thread_error(err.to_string()))?;
        let writer = spawned("newsclaims-out")
            .spawn_scoped(scope, move || {
                write_outputs(tables, &output_rx, &permit_tx, options.progress, started)
            })
            .map_err(|err| thread_error(err.to_string()))?;
        let chunks = pool.in_place_scope(|tasks| {
            let mut chunks = 0;
            for (sequence, chunk) in chunk_rx.into_iter().enumerate() {
                if permit_rx.recv().is_err() {
                    // The writer failed; its error is returned below. Dropping the chunk
                    // receiver stops the reader.
                    break;
                }
                let output_tx = output_tx.clone();
                tasks.spawn(move |_| {
                    let outputs: Vec<DocumentOutput> = chunk
                        .par_iter()
                        .map(|item| match item {
                            Ok(record) => process_document(record, resources, tagger, settings),
                            Err(error) => DocumentOutput::from_error(error),
                        })
                        .collect();
                    // A closed channel means the writer failed and returns its error.
                    let _ = output_tx.send(Written::Chunk(sequence, outputs));
                });
                chunks = sequence + 1;
            }
            chunks
        });
        // Only now, with every task done, may the writer finish the tables; a panicking task
        // unwinds past this, and the writer then leaves them unfinished.
        let _ = output_tx.send(Written::End(chunks));
        drop(output_tx);
        let mut summary = writer
            .join()
            .map_err(|_| thread_error("the writer thread panicked".to_string()))??;
        summary.elapsed = started.elapsed();
        Ok(summary)
    })
}

/// What the driver and its tasks send the writer.
enum Written {
    /// The outputs of the chunk with this sequence number.
    Chunk(usize, Vec<DocumentOutput>),
    /// All chunks were processed; this many were sent.
    End(usize),
}

/// Chunks processed at once. Two are enough for a worker never to wait at the end of a
/// chunk while another finishes its last document; more would only hold more memory.
const IN_FLIGHT: usize = 2;

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

/// Writes the outputs of each chunk in input order (chunks finish in any order; a finished
/// chunk waits for the ones before it), gives a permit back for each chunk written, adds up
/// the summary and finishes the tables.
fn write_outputs(
    mut tables: Tables,
    outputs: &mpsc::Receiver<Written>,
    permits: &mpsc::SyncSender<()>,
    progress: bool,
    started: Instant,
) -> Result<Summary, PipelineError> {
    let mut summary = Summary::default();
    let mut progress = Progress::new(progress);
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 0;
    let mut sent = None;
    for message in outputs {
        let (sequence, chunk) = match message {
            Written::Chunk(sequence, chunk) => (sequence, chunk),
            Written::End(chunks) => {
                sent = Some(chunks);
                continue;
            }
        };
        waiting.insert(sequence, chunk);
        while let Some(chunk) = waiting.remove(&next) {
            let clock = Instant::now();
            for output in &chunk {
                tables.write_document(&output.document, &output.claims, &output.entities)?;
                summary.counts += output.counts;
                summary.times += output.times;
            }
            summary.times.write += clock.elapsed();
            progress.update(&summary.counts, started.elapsed());
            next += 1;
            // The driver may have stopped taking permits (no more chunks): not an error.
            let _ = permits.try_send(());
        }
    }
    if sent != Some(next) || !waiting.is_empty() {
        // A task stopped (panicked) before its chunk reached us: the tables stay partial.
        progress.clear();
        return Err(PipelineError::Incomplete);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk of one unreadable record named `name` (the simplest output to build).
    fn chunk(name: &str) -> Vec<DocumentOutput> {
        vec![DocumentOutput::from_error(&RecordError {
            source: "input.jsonl".to_string(),
            record: name.to_string(),
            doc_id: Some(name.to_string()),
            message: "unreadable".to_string(),
        })]
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("newsclaims-writer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn chunks_finishing_out_of_order_are_written_in_input_order() {
        let dir = temp_dir("order");
        let (tx, rx) = mpsc::channel();
        let (permit_tx, permit_rx) = mpsc::sync_channel(IN_FLIGHT);
        for (sequence, name) in [(2, "c"), (0, "a"), (1, "b")] {
            tx.send(Written::Chunk(sequence, chunk(name))).unwrap();
        }
        tx.send(Written::End(3)).unwrap();
        drop(tx);
        let tables = Tables::create(&dir).unwrap();
        let summary = write_outputs(tables, &rx, &permit_tx, false, Instant::now()).unwrap();
        assert_eq!(summary.counts.documents, 3);
        let documents = std::fs::read_to_string(dir.join("documents.csv")).unwrap();
        let ids: Vec<&str> = documents
            .lines()
            .skip(1)
            .map(|line| line.split(',').next().unwrap())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        // A permit came back for each chunk written (the channel holds IN_FLIGHT of them).
        assert_eq!(permit_rx.try_iter().count(), IN_FLIGHT);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_lost_chunk_leaves_the_tables_unfinished() {
        let dir = temp_dir("lost");
        let (tx, rx) = mpsc::channel();
        let (permit_tx, _permit_rx) = mpsc::sync_channel(IN_FLIGHT);
        // Chunk 1 never arrives (its task panicked), and so neither does the end marker.
        tx.send(Written::Chunk(0, chunk("a"))).unwrap();
        tx.send(Written::Chunk(2, chunk("c"))).unwrap();
        drop(tx);
        let tables = Tables::create(&dir).unwrap();
        let result = write_outputs(tables, &rx, &permit_tx, false, Instant::now());
        assert!(
            matches!(result, Err(PipelineError::Incomplete)),
            "{result:?}"
        );
        assert!(!dir.join("documents.csv").exists());
        assert!(dir.join("documents.csv.partial").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
