//! Checks the speakers that attribution finds against opinion holders annotated with
//! code-point offsets (the RuOpinionNE JSON Lines format: `text` and `opinions`, each with a
//! `Source` of texts and `"start:end"` spans; `NULL` and `AUTHOR` are no span).
//!
//! Opinion holders are not the same thing as speakers (an opinion needs no speech, and many
//! claims carry no sentiment), so this measures the precision of our speaker spans where the
//! annotators named a holder, not recall.

use serde::{Deserialize, Serialize};

/// One annotated sentence.
#[derive(Clone, Debug, Deserialize)]
pub struct HolderSentence {
    /// The sentence id.
    pub sent_id: serde_json::Value,
    /// The sentence.
    pub text: String,
    /// Its opinions.
    #[serde(default)]
    pub opinions: Vec<Opinion>,
}

/// One opinion tuple; only its source matters here.
#[derive(Clone, Debug, Deserialize)]
pub struct Opinion {
    /// `[[texts...], ["start:end"...]]`.
    #[serde(rename = "Source")]
    pub source: (Vec<String>, Vec<String>),
}

impl HolderSentence {
    /// The holder spans (code points), without `NULL`/`AUTHOR`.
    pub fn holders(&self) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        for opinion in &self.opinions {
            for (text, span) in opinion.source.0.iter().zip(&opinion.source.1) {
                if text == "NULL" || text == "AUTHOR" {
                    continue;
                }
                if let Some((a, b)) = span.split_once(':')
                    && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
                {
                    spans.push((a, b));
                }
            }
        }
        spans
    }
}

/// Counts of the comparison.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SourceReport {
    /// Sentences read.
    pub sentences: usize,
    /// Claims found in all sentences.
    pub claims: usize,
    /// Claims with a speaker span in sentences that have at least one holder.
    pub compared: usize,
    /// Of those, speakers whose span equals a holder's.
    pub exact: usize,
    /// Of those, speakers that overlap a holder.
    pub partial: usize,
}

impl SourceReport {
    /// Adds one sentence's speaker spans.
    pub fn add(&mut self, holders: &[(usize, usize)], speakers: &[Option<(usize, usize)>]) {
        self.sentences += 1;
        self.claims += speakers.len();
        if holders.is_empty() {
            return;
        }
        for &(s, e) in speakers.iter().flatten() {
            self.compared += 1;
            if holders.iter().any(|&(a, b)| a == s && b == e) {
                self.exact += 1;
            }
            if holders.iter().any(|&(a, b)| a < e && s < b) {
                self.partial += 1;
            }
        }
    }

    /// Exact precision in percent.
    pub fn exact_precision(&self) -> f64 {
        percent(self.exact, self.compared)
    }

    /// Overlap precision in percent.
    pub fn partial_precision(&self) -> f64 {
        percent(self.partial, self.compared)
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_and_precision() {
        let line = r#"{"sent_id": 3, "text": "Иван сказал, что да.", "opinions": [{"Source": [["Иван", "NULL"], ["0:4", "0:0"]]}]}"#;
        let sentence: HolderSentence = serde_json::from_str(line).unwrap();
        assert_eq!(sentence.holders(), [(0, 4)]);
        let mut report = SourceReport::default();
        report.add(&sentence.holders(), &[Some((0, 4)), Some((0, 2)), None]);
        report.add(&[], &[Some((5, 9))]);
        assert_eq!(
            (
                report.sentences,
                report.claims,
                report.compared,
                report.exact,
                report.partial
            ),
            (2, 4, 2, 1, 2)
        );
        assert_eq!(report.exact_precision(), 50.0);
    }
}
