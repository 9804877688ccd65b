//! Draws the chart of BENCHMARKS.md from the JSON of `newsclaims bench --json`: throughput
//! (words per second and per CPU-second) against the number of threads per corpus, and the
//! share of time per stage at one thread.
//!
//! ```sh
//! newsclaims bench --json > bench.json
//! cargo run --release --example bench_chart -- bench.json bench.png [FONT.ttf]
//! ```
//!
//! Text needs a TrueType font; the default is DejaVu Sans, as installed by most Linux
//! distributions.

use plotters::prelude::*;
use plotters::style::FontStyle;
use serde::Deserialize;
use std::error::Error;

/// The part of `bench --json` the chart needs.
#[derive(Deserialize)]
struct Report {
    cores: usize,
    load_average: Option<f64>,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    corpus: String,
    threads: usize,
    words_per_s: f64,
    words_per_cpu_s: f64,
    stage_share: Vec<(String, f64)>,
}

const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        return Err("usage: bench_chart BENCH.json OUT.png [FONT.ttf]".into());
    };
    let font = args.get(2).map_or(DEFAULT_FONT, String::as_str);
    let bytes = std::fs::read(font).map_err(|e| format!("cannot read font {font}: {e}"))?;
    // plotters keeps registered fonts for the life of the process.
    plotters::style::register_font("sans-serif", FontStyle::Normal, Box::leak(bytes.into()))
        .map_err(|_| format!("{font} is not a usable font"))?;
    let text = std::fs::read_to_string(input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let report: Report =
        serde_json::from_str(&text).map_err(|e| format!("{input} is not bench JSON: {e}"))?;
    draw(&report, output)?;
    eprintln!("bench_chart: wrote {output}");
    Ok(())
}

fn corpora(report: &Report) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for row in &report.rows {
        if !names.contains(&row.corpus) {
            names.push(row.corpus.clone());
        }
    }
    names
}

fn draw(report: &Report, output: &str) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(output, (1200, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let load = report
        .load_average
        .map_or_else(String::new, |l| format!(", load average {l:.1} at start"));
    let root = root.titled(
        &format!("newsclaims throughput ({} cores{load})", report.cores),
        ("sans-serif", 22),
    )?;
    let (left, right) = root.split_horizontally(560);
    let names = corpora(report);

    // Throughput against threads.
    let max_threads = report.rows.iter().map(|r| r.threads).max().unwrap_or(1);
    let max_rate = report
        .rows
        .iter()
        .map(|r| r.words_per_s.max(r.words_per_cpu_s))
        .fold(0.0, f64::max)
        .max(1.0);
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "words/s (solid) and words/CPU-s (dashed) against threads",
            ("sans-serif", 16),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.5f64..max_threads as f64 + 0.5, 0.0..max_rate * 1.15)?;
    chart
        .configure_mesh()
        .x_desc("threads")
        .y_desc("words per second")
        .x_labels(max_threads.min(16))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{:.0}k", y / 1000.0))
        .draw()?;
    for (i, name) in names.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let points: Vec<(f64, f64)> = report
            .rows
            .iter()
            .filter(|r| &r.corpus == name)
            .map(|r| (r.threads as f64, r.words_per_s))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
        // Words per CPU-second: what the machine's other load affects least.
        let per_cpu: Vec<(f64, f64)> = report
            .rows
            .iter()
            .filter(|r| &r.corpus == name)
            .map(|r| (r.threads as f64, r.words_per_cpu_s))
            .collect();
        chart.draw_series(DashedLineSeries::new(per_cpu, 8, 5, color.stroke_width(2)))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;

    // Stage shares at one thread: one stacked bar per corpus.
    let single: Vec<&Row> = names
        .iter()
        .filter_map(|n| {
            report
                .rows
                .iter()
                .find(|r| &r.corpus == n && r.threads == 1)
        })
        .collect();
    let mut chart = ChartBuilder::on(&right)
        .caption("share of time per stage, 1 thread", ("sans-serif", 18))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..single.len().max(1) as f64 + 1.4, 0.0..100.0)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc("% of stage time")
        .draw()?;
    let stages: Vec<String> = single
        .first()
        .map(|r| r.stage_share.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    for (s, stage) in stages.iter().enumerate() {
        let color = Palette99::pick(s + 3).to_rgba();
        let bars: Vec<Rectangle<(f64, f64)>> = single
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let below: f64 = row.stage_share[..s].iter().map(|(_, v)| v * 100.0).sum();
                let share = row.stage_share.get(s).map_or(0.0, |(_, v)| v * 100.0);
                let x = i as f64 + 0.2;
                Rectangle::new([(x, below), (x + 0.6, below + share)], color.filled())
            })
            .collect();
        chart
            .draw_series(bars)?
            .label(stage.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    for (i, row) in single.iter().enumerate() {
        chart.draw_series(std::iter::once(Text::new(
            row.corpus.clone(),
            (i as f64 + 0.35, -3.0),
            ("sans-serif", 15),
        )))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}
