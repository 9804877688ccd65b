//! Claim-level scoring against a hand-annotated gold file (the format of
//! `shared/seed/article.en.gold.json`).
//!
//! A predicted claim row matches a gold claim when all of these hold:
//! - its `speaker` or `speaker_resolved` equals the gold `speaker` (case and runs of
//!   whitespace ignored);
//! - its cue matches the gold `cue`, where `...` in the gold cue stands for any words
//!   ("quoted ... as saying"), again ignoring case and whitespace runs;
//! - its content contains the gold `content_has` (same folding).
//!
//! Gold claims are taken in file order, each pairing with the first still unpaired claim row
//! that matches it, so a row counts for at most one gold claim. Rows left unpaired are
//! spurious; a spurious row whose content lies inside one of the gold `not_claims`
//! sentences is flagged as such.

use crate::claims::ClaimRow;
use serde::{Deserialize, Serialize};

/// One gold claim.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct GoldClaim {
    /// The (resolved) speaker.
    pub speaker: String,
    /// The mention in the text, when it differs from the speaker ("the official").
    #[serde(default)]
    pub speaker_mention: Option<String>,
    /// The cue; `...` is a wildcard.
    pub cue: String,
    /// A phrase the content must contain.
    pub content_has: String,
    /// The reporting outlet, if any.
    #[serde(default)]
    pub reported_by: Option<String>,
    /// False for claims a strict system may skip.
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// A gold file.
#[derive(Clone, Debug, Deserialize)]
pub struct GoldClaims {
    /// The text file, relative to the gold file.
    pub document: String,
    /// Its language code.
    pub language: String,
    /// The claims.
    pub claims: Vec<GoldClaim>,
    /// Sentences that must not give claims.
    #[serde(default)]
    pub not_claims: Vec<String>,
}

/// A spurious claim row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spurious {
    /// Its claim id.
    pub claim_id: String,
    /// Whether its content lies inside a `not_claims` sentence.
    pub not_claim: bool,
}

/// The outcome of matching.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClaimsReport {
    /// (gold index, claim id) of every matched gold claim.
    pub found: Vec<(usize, String)>,
    /// Indices of the gold claims no row matches.
    pub missed: Vec<usize>,
    /// Rows that match no gold claim.
    pub spurious: Vec<Spurious>,
    /// Recall (%) over the required gold claims.
    pub required_recall: f64,
    /// Recall (%) over all gold claims.
    pub recall: f64,
}

/// Lower case with whitespace runs collapsed to one space.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `cue` matches the gold cue pattern (`...` = any text).
fn cue_matches(pattern: &str, cue: &str) -> bool {
    let (pattern, cue) = (fold(pattern), fold(cue));
    let parts: Vec<&str> = pattern.split("...").map(str::trim).collect();
    if parts.len() == 1 {
        return pattern == cue;
    }
    let mut rest = cue.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Whether a claim row matches a gold claim (see the module documentation).
pub fn claim_matches(gold: &GoldClaim, row: &ClaimRow) -> bool {
    let speaker = fold(&gold.speaker);
    (fold(&row.speaker) == speaker || fold(&row.speaker_resolved) == speaker)
        && cue_matches(&gold.cue, &row.cue)
        && fold(&row.content).contains(&fold(&gold.content_has))
}

/// Matches the claim rows of the gold document against its gold claims.
pub fn match_claims(gold: &GoldClaims, rows: &[ClaimRow]) -> ClaimsReport {
    let mut used = vec![false; rows.len()];
    let mut report = ClaimsReport::default();
    for (gi, g) in gold.claims.iter().enumerate() {
        let hit = (0..rows.len()).find(|&ri| !used[ri] && claim_matches(g, &rows[ri]));
        match hit {
            Some(ri) => {
                used[ri] = true;
                report.found.push((gi, rows[ri].claim_id.clone()));
            }
            None => report.missed.push(gi),
        }
    }
    let not_claims: Vec<String> = gold.not_claims.iter().map(|s| fold(s)).collect();
    for (ri, row) in rows.iter().enumerate() {
        if !used[ri] {
            let content = fold(&row.content);
            report.spurious.push(Spurious {
                claim_id: row.claim_id.clone(),
                not_claim: !content.is_empty() && not_claims.iter().any(|s| s.contains(&content)),
            });
        }
    }
    let percent = |found: usize, total: usize| {
        if total == 0 {
            0.0
        } else {
            (10000.0 * found as f64 / total as f64).round() / 100.0
        }
    };
    let required = gold.claims.iter().filter(|c| c.required).count();
    let required_found = report
        .found
        .iter()
        .filter(|(gi, _)| gold.claims[*gi].required)
        .count();
    report.required_recall = percent(required_found, required);
    report.recall = percent(report.found.len(), gold.claims.len());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, speaker: &str, resolved: &str, cue: &str, content: &str) -> ClaimRow {
        ClaimRow {
            claim_id: id.into(),
            doc_id: "d".into(),
            lang: "en".into(),
            sentence_index: 0,
            kind: "direct".into(),
            speaker: speaker.into(),
            speaker_type: String::new(),
            speaker_start: None,
            speaker_end: None,
            speaker_resolved: resolved.into(),
            cue: cue.into(),
            cue_start: 0,
            cue_end: 0,
            content: content.into(),
            content_start: 0,
            content_end: 0,
            reported_by: String::new(),
            reported_by_start: None,
            reported_by_end: None,
            date: String::new(),
            confidence: "0.9".into(),
        }
    }

    fn gold() -> GoldClaims {
        serde_json::from_str(
            r#"{"document": "a.txt", "language": "en", "claims": [
              {"speaker": "Ann Lee", "cue": "quoted ... as saying", "content_has": "tax cuts work",
               "required": true},
              {"speaker": "Bob", "cue": "said", "content_has": "rain", "required": false}],
             "not_claims": ["Russia has not commented on it."]}"#,
        )
        .unwrap()
    }

    #[test]
    fn wildcard_cues() {
        assert!(cue_matches(
            "quoted ... as saying",
            "quoted the official as saying"
        ));
        assert!(!cue_matches("quoted ... as saying", "quoted him"));
        assert!(cue_matches("said", "Said"));
        assert!(!cue_matches("said", "said on"));
    }

    #[test]
    fn found_missed_and_spurious() {
        let rows = vec![
            row(
                "d#1",
                "the official",
                "Ann Lee",
                "quoted the official as saying",
                "Tax  cuts work, she said",
            ),
            row("d#2", "Russia", "Russia", "commented", "on it"),
        ];
        let r = match_claims(&gold(), &rows);
        assert_eq!(r.found, vec![(0, "d#1".to_string())]);
        assert_eq!(r.missed, vec![1]);
        assert_eq!(
            r.spurious,
            vec![Spurious {
                claim_id: "d#2".into(),
                not_claim: true
            }]
        );
        assert_eq!(r.required_recall, 100.0);
        assert_eq!(r.recall, 50.0);
    }
}
