//! `newsclaims bench [CORPUS...]`: measures the `extract` pipeline on whole corpora.
//!
//! Each corpus is run through the library's `pipeline::run` (tables written to a scratch
//! directory, as `extract` does) with one worker thread and with all cores, `--runs` times
//! each; the table reports the median: documents and words per second, words per CPU-second
//! (user + system time of the whole process, all threads), the scaling factor against one
//! thread, the peak resident memory of the run and the share of CPU time per stage.
//! `--repeat K` streams each corpus K times in a row (reading the file again, never holding
//! K copies), to show that memory does not grow with the corpus. A corpus whose one-thread
//! pass takes less than `--min-seconds` is fed enough times more to take about that long
//! (a calibration pass first): a pass of a tenth of a second gives rates and scaling that
//! vary by a third from run to run. Measuring helpers live in
//! `bench_measure.rs`, the table and JSON report in `bench_report.rs`.

use super::bench_measure::{Measured, cpu_seconds, load_average, peak_rss, reset_peak_rss};
use super::bench_report::{Report, Row, print_table};
use super::models_dir;
use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::ingest::{IngestOptions, read_inputs};
use newsclaims::ner::Tagger;
use newsclaims::pipeline::{PipelineOptions, run};
use newsclaims::resources::Resources;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Corpora to measure, one table row group each (files or directories, as for
    /// `extract`). Default: the shared raw corpora ../shared/data/raw/{en,ru,az} when present,
    /// else corpora/sample/{en,ru,az}.jsonl.
    corpora: Vec<PathBuf>,
    /// Runs per corpus and thread count; the table shows the median.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Thread counts to measure, comma separated (default: 1 and all cores); rows scale
    /// against the 1-thread row when 1 is among them.
    #[arg(long, value_delimiter = ',')]
    threads: Vec<usize>,
    /// Feed each corpus this many times in one stream (memory must not grow with it).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Feed a corpus whose one-thread pass (with --repeat) takes less than this many seconds
    /// enough times more to take about this long, so that short corpora give stable rates
    /// and scaling; 0 turns it off.
    #[arg(long, default_value_t = 2.0)]
    min_seconds: f64,
    /// Use only the first N records of each corpus (per repetition).
    #[arg(long)]
    limit: Option<usize>,
    /// Process every document as this language instead of the input's or detected one.
    #[arg(long, value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Directory of the models and data files (default: ./models, else the one built in).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Named-entity tagger: `embedded` (default), `perceptron`, `slovnet`, `transformer` or
    /// `none` (as for `extract`).
    #[arg(long, default_value = "embedded", value_parser = super::ner_choice::NER_CHOICES)]
    ner: String,
    /// Scratch directory for the tables (default: a new directory under the system's
    /// temporary directory, removed at the end).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the report as JSON to this file (for `examples/bench_chart.rs`).
    #[arg(long)]
    json_out: Option<PathBuf>,
}

fn parse_lang(value: &str) -> Result<Lang, String> {
    Lang::from_code(value)
        .ok_or_else(|| format!("unsupported language {value:?}: expected az, ru or en"))
}

/// One corpus to measure: a name for the table and the inputs it is read from.
#[derive(Debug)]
struct Corpus {
    name: String,
    path: PathBuf,
}

/// The default corpora: the shared raw corpora next to the checkout (from the current
/// directory, else from the source tree), else the sample corpus shipped in `corpora/`.
fn default_corpora() -> Vec<Corpus> {
    const SHARED: [(&str, &str); 3] = [
        ("en", "en/reuters21578.jsonl"),
        ("ru", "ru/rucoco.jsonl"),
        ("az", "az/news.jsonl"),
    ];
    let source_tree = Path::new(env!("CARGO_MANIFEST_DIR"));
    for root in [Path::new("."), source_tree] {
        let shared = root.join("../shared/data/raw");
        let found: Vec<Corpus> = SHARED
            .iter()
            .map(|(name, rel)| Corpus {
                name: name.to_string(),
                path: shared.join(rel),
            })
            .filter(|c| c.path.is_file())
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    for root in [Path::new("."), source_tree] {
        let sample = root.join("corpora/sample");
        let found: Vec<Corpus> = ["en", "ru", "az"]
            .iter()
            .map(|name| Corpus {
                name: name.to_string(),
                path: sample.join(format!("{name}.jsonl")),
            })
            .filter(|c| c.path.is_file())
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// A scratch directory that is removed when dropped (unless the user chose it).
struct Scratch {
    path: PathBuf,
    remove: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.remove {
            // Best effort: a left-over temporary directory is not worth failing the run.
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Runs `bench`.
pub fn run_bench(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.runs > 0, "--runs must be at least 1");
    anyhow::ensure!(args.repeat > 0, "--repeat must be at least 1");
    anyhow::ensure!(
        args.min_seconds.is_finite() && args.min_seconds >= 0.0,
        "--min-seconds must be a number of seconds, at least 0"
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut threads = if args.threads.is_empty() {
        vec![1, cores]
    } else {
        args.threads.clone()
    };
    anyhow::ensure!(
        threads.iter().all(|&t| t > 0),
        "--threads must be at least 1"
    );
    // Ascending, so the one-thread row is measured first and the others scale against it.
    threads.sort_unstable();
    threads.dedup();

    let corpora = if args.corpora.is_empty() {
        default_corpora()
    } else {
        args.corpora
            .iter()
            .map(|path| Corpus {
                name: path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                path: path.clone(),
            })
            .collect()
    };
    anyhow::ensure!(
        !corpora.is_empty(),
        "no corpora given and none found in ../shared/data/raw or corpora/sample"
    );

    let models = models_dir(args.models.as_deref());
    let resources = Resources::load(&models)
        .with_context(|| format!("cannot load models from {}", models.display()))?;
    let loaded = super::ner_choice::load_tagger(&args.ner, &models, None, 1)?;
    let tagger: &dyn Tagger = loaded.as_ref();
    let scratch = match &args.out {
        Some(dir) => Scratch {
            path: dir.clone(),
            remove: false,
        },
        None => Scratch {
            path: std::env::temp_dir().join(format!("newsclaims-bench-{}", std::process::id())),
            remove: true,
        },
    };
    let ingest = IngestOptions::default();
    let mut report = Report {
        cores,
        load_average: load_average(),
        runs: args.runs,
        repeat: args.repeat,
        limit: args.limit,
        min_seconds: args.min_seconds,
        ner: args.ner.clone(),
        rows: Vec::new(),
    };
    for corpus in &corpora {
        // Check the inputs once; a bad path ends the run before anything is measured.
        read_inputs(std::slice::from_ref(&corpus.path), &ingest)
            .with_context(|| format!("cannot read corpus {}", corpus.path.display()))?;
        let measure_with = |threads: usize, repeat: usize| {
            let options = PipelineOptions {
                threads,
                lang: args.lang,
                ..PipelineOptions::default()
            };
            let feed = Feed {
                repeat,
                limit: args.limit,
            };
            measure(
                corpus,
                feed,
                &ingest,
                &scratch.path,
                &resources,
                tagger,
                &options,
            )
        };
        let mut repeat = args.repeat;
        if args.min_seconds > 0.0 {
            // The calibration pass also warms the caches and the page cache.
            let pass = measure_with(1, args.repeat)?.wall;
            repeat = args.repeat * times_to_last(pass, args.min_seconds);
        }
        let mut single_rate = None;
        for &n in &threads {
            let mut runs = Vec::with_capacity(args.runs);
            for _ in 0..args.runs {
                runs.push(measure_with(n, repeat)?);
            }
            let mut row = Row::from_runs(&corpus.name, &corpus.path, n, &runs, single_rate);
            row.repeat = repeat;
            if n == 1 {
                single_rate = Some(row.words_per_s);
            }
            if !args.json {
                eprintln!(
                    "newsclaims bench: {} with {n} thread(s): {:.0} words/s",
                    corpus.name, row.words_per_s
                );
            }
            report.rows.push(row);
        }
    }
    let json = serde_json::to_string_pretty(&report)?;
    if let Some(path) = &args.json_out {
        std::fs::write(path, format!("{json}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        println!("{json}");
    } else {
        print_table(&report, &mut std::io::stdout().lock())?;
    }
    Ok(())
}

/// How many times a pass of `pass` seconds must be fed to last at least `min` seconds.
fn times_to_last(pass: f64, min: f64) -> usize {
    if pass >= min {
        return 1;
    }
    // A pass too short to time (an empty corpus) is not fed without end.
    (min / pass.max(1e-3)).ceil().min(1000.0) as usize
}

/// What one run reads of a corpus.
#[derive(Clone, Copy, Debug)]
struct Feed {
    /// Passes over the corpus in one stream.
    repeat: usize,
    /// Records taken per pass.
    limit: Option<usize>,
}

/// One run of the pipeline over a corpus (fed `feed.repeat` times in one stream).
fn measure(
    corpus: &Corpus,
    feed: Feed,
    ingest: &IngestOptions,
    out: &Path,
    resources: &Resources,
    tagger: &dyn Tagger,
    options: &PipelineOptions,
) -> anyhow::Result<Measured> {
    let path = corpus.path.clone();
    let limit = feed.limit.unwrap_or(usize::MAX);
    let ingest = ingest.clone();
    // Each repetition opens the corpus again lazily: the stream is K times the corpus but
    // only one record of it is in memory at a time (plus the driver's chunk).
    let records = (0..feed.repeat).flat_map(move |_| {
        read_inputs(std::slice::from_ref(&path), &ingest)
            .into_iter()
            .flatten()
            .take(limit)
    });
    let peak_reset = reset_peak_rss();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let summary = run(records, out, resources, tagger, options)
        .with_context(|| format!("benchmark of {} failed", corpus.path.display()))?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    Ok(Measured {
        summary,
        wall,
        cpu,
        peak_rss_kib: peak_rss(),
        peak_since_start: !peak_reset,
    })
}

#[cfg(test)]
mod tests {
    use super::times_to_last;

    #[test]
    fn short_passes_are_fed_until_they_last() {
        assert_eq!(times_to_last(3.0, 2.0), 1);
        assert_eq!(times_to_last(2.0, 2.0), 1);
        assert_eq!(times_to_last(0.18, 2.0), 12);
        assert_eq!(times_to_last(0.0, 2.0), 1000);
    }
}
