//! The report of `bench`: one row per corpus and thread count (medians over the runs), as an
//! aligned text table or as JSON (`--json`, read by `examples/bench_chart.rs`).

use super::bench_measure::Measured;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Everything `bench` measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Cores available to the process.
    pub cores: usize,
    /// The 1-minute load average when the benchmark started (other work on the machine).
    pub load_average: Option<f64>,
    /// Runs per row.
    pub runs: usize,
    /// How many times each corpus was fed in one stream (`--repeat`; a row's own `repeat`
    /// is larger when `--min-seconds` fed a short corpus more often).
    pub repeat: usize,
    /// Records taken from each corpus per repetition, when limited.
    pub limit: Option<usize>,
    /// `--min-seconds`: a corpus whose one-thread pass was shorter was fed more often.
    pub min_seconds: f64,
    /// The tagger (`embedded` or `none`).
    pub ner: String,
    /// The rows.
    pub rows: Vec<Row>,
}

/// One corpus at one thread count: medians over the runs.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The corpus name (its language for the default corpora).
    pub corpus: String,
    /// Where it was read from.
    pub path: String,
    /// Worker threads.
    pub threads: usize,
    /// How many times the corpus was fed in one stream per run.
    pub repeat: usize,
    /// Documents (rows of documents.csv) per run.
    pub documents: usize,
    /// Words of the processed documents per run.
    pub words: usize,
    /// Bytes of text per run.
    pub bytes: usize,
    /// Claims written per run.
    pub claims: usize,
    /// Entities written per run.
    pub entities: usize,
    /// Median wall-clock seconds.
    pub wall_s: f64,
    /// Median CPU seconds (all threads).
    pub cpu_s: f64,
    /// Documents per wall-clock second.
    pub docs_per_s: f64,
    /// Words per wall-clock second.
    pub words_per_s: f64,
    /// Words per CPU-second.
    pub words_per_cpu_s: f64,
    /// Words per second against the one-thread row of the same corpus.
    pub scaling: Option<f64>,
    /// Largest peak resident memory of the runs, MiB.
    pub peak_rss_mib: f64,
    /// True when the peak covers the whole process, not just the run.
    pub peak_since_start: bool,
    /// Share of each stage in the time of all stages, in pipeline order (reading the input
    /// is not a stage and not included).
    pub stage_share: Vec<(String, f64)>,
    /// Attribution time over the time of all other stages.
    pub attribution_overhead: f64,
    /// Share of the wall time the driver spent outside the workers (reading records, writing
    /// tables, between chunks): the serial part that bounds scaling. Meaningful with one
    /// thread, where the worker's stage time and the driver's time add up to the wall time.
    pub driver_share: f64,
}

/// The median of a list (the lower middle for an even count); 0 for none.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0.0)
}

impl Row {
    /// Summarises the runs of one corpus at one thread count; `single` is the words per
    /// second of the same corpus with one thread, when measured.
    pub fn from_runs(
        corpus: &str,
        path: &Path,
        threads: usize,
        runs: &[Measured],
        single: Option<f64>,
    ) -> Row {
        let wall = median(runs.iter().map(|r| r.wall).collect());
        let cpu = median(runs.iter().map(|r| r.cpu).collect());
        // Stage times of the median run by wall time, so that shares add up within one run.
        let typical = runs
            .iter()
            .min_by(|a, b| (a.wall - wall).abs().total_cmp(&(b.wall - wall).abs()));
        let (counts, times) =
            typical.map_or_else(Default::default, |r| (r.summary.counts, r.summary.times));
        // Stage times are clock time inside each stage, summed over workers: on a busy
        // machine they include time the thread waited for a core, so they are compared with
        // each other, not with the process's CPU time.
        let staged = times.total().as_secs_f64().max(1e-9);
        let stage_share: Vec<(String, f64)> = times
            .named()
            .iter()
            .map(|(name, d)| (name.to_string(), d.as_secs_f64() / staged))
            .collect();
        let attribution = times.attribution.as_secs_f64();
        let rest = times.total().as_secs_f64() - attribution;
        let words_per_s = counts.words as f64 / wall.max(1e-9);
        let typical_wall = typical.map_or(wall, |r| r.wall).max(1e-9);
        let in_workers = (times.total() - times.write).as_secs_f64() / threads.max(1) as f64;
        let driver_share = (1.0 - in_workers / typical_wall).clamp(0.0, 1.0);
        Row {
            corpus: corpus.to_string(),
            path: path.display().to_string(),
            threads,
            repeat: 1,
            documents: counts.documents,
            words: counts.words,
            bytes: counts.bytes,
            claims: counts.claims,
            entities: counts.entities,
            wall_s: wall,
            cpu_s: cpu,
            docs_per_s: counts.documents as f64 / wall.max(1e-9),
            words_per_s,
            words_per_cpu_s: counts.words as f64 / cpu.max(1e-9),
            scaling: single.map(|s| words_per_s / s.max(1e-9)),
            peak_rss_mib: runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0) as f64 / 1024.0,
            peak_since_start: runs.iter().any(|r| r.peak_since_start),
            stage_share,
            attribution_overhead: attribution / rest.max(1e-9),
            driver_share,
        }
    }
}

/// Prints the throughput table and the stage-share table.
pub fn print_table(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let load = report
        .load_average
        .map_or_else(|| "unknown".to_string(), |l| format!("{l:.2}"));
    writeln!(
        out,
        "{} cores, load average {load} at start, median of {} run(s), corpus fed {} time(s){}, NER {}",
        report.cores,
        report.runs,
        report.repeat,
        report
            .limit
            .map_or_else(String::new, |n| format!(", first {n} records")),
        report.ner
    )?;
    let mut more: Vec<String> = Vec::new();
    for row in report.rows.iter().filter(|r| r.repeat != report.repeat) {
        let said = format!("{} {} times", row.corpus, row.repeat);
        if !more.contains(&said) {
            more.push(said);
        }
    }
    if !more.is_empty() {
        writeln!(
            out,
            "fed more often to last at least {} s at one thread: {}",
            report.min_seconds,
            more.join(", ")
        )?;
    }
    writeln!(out)?;
    // The corpus column is as wide as the longest name (at least "corpus").
    let w = report
        .rows
        .iter()
        .map(|r| r.corpus.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    writeln!(
        out,
        "{:<w$} {:>7} {:>8} {:>10} {:>8} {:>9} {:>10} {:>12} {:>7} {:>9}",
        "corpus",
        "threads",
        "docs",
        "words",
        "wall s",
        "docs/s",
        "words/s",
        "words/CPU-s",
        "scaling",
        "peak MiB"
    )?;
    for row in &report.rows {
        writeln!(
            out,
            "{:<w$} {:>7} {:>8} {:>10} {:>8.2} {:>9.0} {:>10.0} {:>12.0} {:>7} {:>9.1}",
            row.corpus,
            row.threads,
            row.documents,
            row.words,
            row.wall_s,
            row.docs_per_s,
            row.words_per_s,
            row.words_per_cpu_s,
            row.scaling
                .map_or_else(|| "-".to_string(), |s| format!("{s:.2}x")),
            row.peak_rss_mib
        )?;
    }
    writeln!(out)?;
    let Some(first) = report.rows.first() else {
        return Ok(());
    };
    write!(out, "{:<w$} {:>7}", "corpus", "threads")?;
    for (name, _) in &first.stage_share {
        write!(out, " {name:>11}")?;
    }
    writeln!(out, " {:>11} {:>8}", "attr/rest", "driver")?;
    for row in &report.rows {
        write!(out, "{:<w$} {:>7}", row.corpus, row.threads)?;
        for (_, share) in &row.stage_share {
            write!(out, " {:>10.1}%", share * 100.0)?;
        }
        writeln!(
            out,
            " {:>10.1}% {:>7.1}%",
            row.attribution_overhead * 100.0,
            row.driver_share * 100.0
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "stage shares are of the time of all stages (input reading excluded); attr/rest is \
         attribution time over the other stages (target: at most 30%); driver is the share of \
         wall time outside the workers (reading, writing: the serial part, read it at 1 thread)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsclaims::pipeline::{Counts, StageTimes, Summary};
    use std::time::Duration;

    fn run(wall: f64, cpu: f64) -> Measured {
        let summary = Summary {
            counts: Counts {
                documents: 2,
                words: 1000,
                ..Counts::default()
            },
            times: StageTimes {
                ner: Duration::from_secs_f64(cpu / 2.0),
                attribution: Duration::from_secs_f64(cpu / 8.0),
                ..StageTimes::default()
            },
            elapsed: Duration::ZERO,
        };
        Measured {
            summary,
            wall,
            cpu,
            peak_rss_kib: 2048,
            peak_since_start: false,
        }
    }

    #[test]
    fn median_takes_the_middle() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(median(Vec::new()), 0.0);
    }

    #[test]
    fn row_summarises_runs() {
        let runs = [run(2.0, 2.0), run(1.0, 1.0), run(4.0, 4.0)];
        let row = Row::from_runs("en", Path::new("x.jsonl"), 2, &runs, Some(250.0));
        assert_eq!(row.wall_s, 2.0);
        assert_eq!(row.words_per_s, 500.0);
        assert_eq!(row.words_per_cpu_s, 500.0);
        assert_eq!(row.scaling, Some(2.0));
        assert_eq!(row.peak_rss_mib, 2.0);
        let share = |name: &str| {
            row.stage_share
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| *s)
        };
        assert_eq!(share("ner"), Some(0.8));
        assert_eq!(share("attribution"), Some(0.2));
        assert!((row.attribution_overhead - 0.25).abs() < 1e-9);
        // 2 s of wall time, 1.25 s of stage time shared by 2 threads.
        assert!((row.driver_share - (1.0 - 0.625 / 2.0)).abs() < 1e-9);
    }

    #[test]
    fn table_has_a_line_per_row() {
        let report = Report {
            cores: 2,
            load_average: Some(1.5),
            runs: 3,
            repeat: 1,
            limit: None,
            min_seconds: 2.0,
            ner: "embedded".into(),
            rows: vec![Row::from_runs(
                "ru",
                Path::new("r"),
                1,
                &[run(1.0, 1.0)],
                None,
            )],
        };
        let mut out = Vec::new();
        print_table(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("load average 1.50"));
        assert_eq!(text.lines().filter(|l| l.starts_with("ru ")).count(), 2);
        assert!(!text.contains("fed more often"));
        // A corpus fed more often than --repeat is named once, with its count.
        let mut report = report;
        for threads in [1, 2] {
            let mut row = Row::from_runs("az", Path::new("a"), threads, &[run(1.0, 1.0)], None);
            row.repeat = 12;
            report.rows.push(row);
        }
        let mut out = Vec::new();
        print_table(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("fed more often to last at least 2 s at one thread: az 12 times\n"),
            "{text}"
        );
    }
}
