//! `newsclaims eval attribution`: span scores of our attribution on a PolNeAR-layout folder.
//!
//! Every article goes through the whole pipeline as an English record (normalise, segment,
//! embedded NER, attribute); the claim rows' code-point spans are scored with
//! [`newsclaims::eval::attribution`], whose documentation defines the matching.

use anyhow::Context;
use newsclaims::document::Lang;
use newsclaims::eval::attribution::{
    AttributionReport, AttributionScorer, SpanError, span_errors, spans_of_claims,
};
use newsclaims::eval::polnear;
use newsclaims::ingest::Record;
use newsclaims::ner::Tagger;
use newsclaims::pipeline::{DocumentSettings, process_document};
use std::io::Write;
use std::path::PathBuf;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// PolNeAR-layout folder: DIR/text/*.txt and DIR/attributions/*.ann.
    #[arg(long)]
    polnear: PathBuf,
    #[command(flatten)]
    pipeline: super::PipelineArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write every disagreement (boundary, missed, spurious span per role) to this TSV
    /// file, for error analysis.
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let (resources, loaded) = args.pipeline.load()?;
    let tagger: &dyn Tagger = loaded.as_ref();
    let docs = polnear::read_dir(&args.polnear)?;
    anyhow::ensure!(
        !docs.is_empty(),
        "{}: no annotated articles",
        args.polnear.display()
    );
    let settings = DocumentSettings {
        lang: Some(Lang::En),
        ..DocumentSettings::default()
    };
    let mut scorer = AttributionScorer::default();
    let mut errors = match &args.errors {
        Some(path) => {
            let mut w = csv::WriterBuilder::new()
                .delimiter(b'\t')
                .quote_style(csv::QuoteStyle::Never)
                .from_path(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            w.write_record([
                "document",
                "role",
                "kind",
                "gold_start",
                "gold_end",
                "gold",
                "pred_start",
                "pred_end",
                "pred",
            ])?;
            Some(w)
        }
        None => None,
    };
    for doc in &docs {
        let record = Record {
            id: doc.name.clone(),
            source: args.polnear.display().to_string(),
            record: format!("{}.txt", doc.name),
            text: doc.text.clone(),
            title: None,
            date: None,
            url: None,
            outlet: None,
            lang: Some("en".to_string()),
        };
        let out = process_document(&record, &resources, tagger, settings);
        // A document the pipeline could not process would score as all misses.
        anyhow::ensure!(
            out.document.status == newsclaims::output::Status::Ok,
            "{}: {}",
            record.record,
            out.document.message
        );
        let predicted = spans_of_claims(&out.claims);
        scorer.add(doc, &predicted);
        if let Some(w) = errors.as_mut() {
            write_errors(w, doc, &span_errors(doc, &predicted))?;
        }
    }
    if let Some(mut w) = errors {
        w.flush()?;
    }
    print_report(&scorer.report(), args.json)
}

/// Writes a document's disagreements as TSV rows; span texts have tabs and line breaks
/// replaced by spaces so that every row stays one line.
fn write_errors(
    w: &mut csv::Writer<std::fs::File>,
    doc: &polnear::GoldDocument,
    errors: &[SpanError],
) -> anyhow::Result<()> {
    let chars: Vec<char> = doc.text.chars().collect();
    let text = |s: Option<(usize, usize)>| -> [String; 3] {
        match s {
            Some((a, b)) => [
                a.to_string(),
                b.to_string(),
                chars[a..b]
                    .iter()
                    .map(|&c| {
                        if c == '\t' || c == '\n' || c == '\r' {
                            ' '
                        } else {
                            c
                        }
                    })
                    .collect(),
            ],
            None => Default::default(),
        }
    };
    for e in errors {
        let [gs, ge, gt] = text(e.gold);
        let [ps, pe, pt] = text(e.predicted);
        w.write_record([
            doc.name.as_str(),
            e.role.name(),
            e.kind,
            &gs,
            &ge,
            &gt,
            &ps,
            &pe,
            &pt,
        ])?;
    }
    Ok(())
}

fn print_report(report: &AttributionReport, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, report)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "documents: {}", report.documents)?;
    writeln!(
        out,
        "{:<8} {:>7} {:>7} {:>7}   {:>7} {:>7} {:>7}   {:>6} {:>6}",
        "role", "P", "R", "F1", "P~", "R~", "F1~", "gold", "pred"
    )?;
    for (name, s) in [
        ("source", &report.source),
        ("cue", &report.cue),
        ("content", &report.content),
    ] {
        writeln!(
            out,
            "{name:<8} {:>7.2} {:>7.2} {:>7.2}   {:>7.2} {:>7.2} {:>7.2}   {:>6} {:>6}",
            s.exact.p,
            s.exact.r,
            s.exact.f1,
            s.partial.p,
            s.partial.r,
            s.partial.f1,
            s.gold,
            s.predicted
        )?;
    }
    writeln!(out, "(exact spans; ~ = one-to-one overlap matching)")?;
    for (name, c) in &report.confidence {
        writeln!(
            out,
            "confidence {name}: exact P of the top half {:.2} vs {:.2} overall",
            c.top_half_p, c.overall_p
        )?;
    }
    Ok(())
}
