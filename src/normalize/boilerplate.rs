//! Boilerplate lines (navigation, weather widgets, advertisement markers) and the leading date
//! line of scraped pages. The rules are data: `models/common/boilerplate.tsv` and
//! `models/common/dates.tsv`.

use super::AlignedChar;
use crate::resources::{DataFile, ResourceError, Resources};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Lines dropped before any other stage sees the text.
#[derive(Clone, Debug, Default)]
pub struct BoilerplateRules {
    exact: HashSet<String>,
    patterns: Vec<Regex>,
}

impl BoilerplateRules {
    /// Reads `kind<TAB>pattern` rows (`exact` or `regex`).
    pub fn parse(file: &DataFile) -> Result<BoilerplateRules, ResourceError> {
        let mut rules = BoilerplateRules::default();
        for row in file.rows(2)? {
            let (line, fields) = row?;
            match fields[0] {
                "exact" => {
                    rules.exact.insert(fields[1].to_lowercase());
                }
                "regex" => {
                    let anchored = format!("^(?:{})$", fields[1]);
                    let regex =
                        Regex::new(&anchored).map_err(|err| file.error(line, err.to_string()))?;
                    rules.patterns.push(regex);
                }
                other => return Err(file.error(line, format!("unknown rule kind {other:?}"))),
            }
        }
        Ok(rules)
    }

    /// Whether a whole (trimmed) line is boilerplate.
    pub fn is_boilerplate(&self, line: &str) -> bool {
        let line = line.trim();
        // Long lines are article text whatever they contain.
        if line.is_empty() || line.len() > 120 {
            return false;
        }
        self.exact.contains(&line.to_lowercase())
            || self.patterns.iter().any(|re| re.is_match(line))
    }
}

/// Month names and the filler words a date line may hold, in all three languages.
#[derive(Clone, Debug, Default)]
pub struct DateWords {
    months: HashMap<String, u32>,
    fillers: HashSet<String>,
}

impl DateWords {
    /// Reads `kind<TAB>word<TAB>value` rows (`month` with its number, or `filler`).
    pub fn parse(file: &DataFile) -> Result<DateWords, ResourceError> {
        let mut words = DateWords::default();
        for row in file.rows(2)? {
            let (line, fields) = row?;
            let word = fields[1].to_lowercase();
            match fields[0] {
                "month" => {
                    let value = fields.get(2).and_then(|v| v.parse::<u32>().ok());
                    match value {
                        Some(m @ 1..=12) => {
                            words.months.insert(word, m);
                        }
                        _ => return Err(file.error(line, "a month needs a number from 1 to 12")),
                    }
                }
                "filler" => {
                    words.fillers.insert(word);
                }
                other => return Err(file.error(line, format!("unknown kind {other:?}"))),
            }
        }
        Ok(words)
    }

    /// Reads a line that is only a date ("Saturday, September 27, 2025", "27 сентября 2025 г.",
    /// "2025-09-27", "27.09.2025 14:30") and returns it as `YYYY-MM-DD`.
    pub fn parse_date_line(&self, line: &str) -> Option<String> {
        let line = line.trim();
        if line.is_empty() || line.chars().count() > 60 {
            return None;
        }
        let without_time = strip_times(line);
        let numeric = numeric_date(&without_time);
        let (mut day, mut month, mut year) =
            numeric.map_or((None, None, None), |(d, m, y)| (Some(d), Some(m), Some(y)));
        let words = without_time
            .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '.' && c != '/')
            .flat_map(|w| w.split(['.', '/']))
            .filter(|w| !w.is_empty());
        for word in words {
            if numeric.is_some() && word.chars().all(|c| c.is_ascii_digit() || c == '-') {
                continue;
            }
            let lower = word.to_lowercase();
            if let Some(&m) = self.months.get(&lower) {
                if month.replace(m).is_some() {
                    return None;
                }
            } else if self.fillers.contains(&lower) {
            } else if let Ok(n) = word.parse::<u32>() {
                let slot = if word.len() == 4 { &mut year } else { &mut day };
                if slot.replace(n).is_some() {
                    return None;
                }
            } else {
                return None;
            }
        }
        match (day, month, year) {
            (Some(d @ 1..=31), Some(m), Some(y @ 1900..=2100)) => {
                Some(format!("{y:04}-{m:02}-{d:02}"))
            }
            _ => None,
        }
    }
}

/// Removes clock times ("14:30", "9:05:11") so that their numbers are not read as a day.
fn strip_times(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == ':') {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            if run.contains(':') {
                out.push(' ');
            } else {
                out.push_str(&run);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `2025-09-27` or `27.09.2025` / `27/09/2025` (day first, as in az/ru/European English).
fn numeric_date(line: &str) -> Option<(u32, u32, u32)> {
    for token in line.split_whitespace() {
        let token = token.trim_matches(|c: char| !c.is_ascii_digit());
        let parts: Vec<&str> = token.split(['-', '.', '/']).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        let (d, m, y) = if parts[0].len() == 4 {
            (nums[2], nums[1], nums[0])
        } else if parts[2].len() == 4 {
            (nums[0], nums[1], nums[2])
        } else {
            continue;
        };
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Some((d, m, y));
        }
    }
    None
}

/// How many non-empty lines at the top may hold the date line.
const DATE_LINE_WINDOW: usize = 6;

/// Marks boilerplate lines (`None`) and finds the leading date line, which is dropped too.
/// Returns the kept lines, the date and the number of dropped lines.
pub(super) fn filter_lines(
    chars: &[AlignedChar],
    lines: &[Range<usize>],
    resources: &Resources,
) -> (Vec<Option<Range<usize>>>, Option<String>, usize) {
    let mut kept = Vec::with_capacity(lines.len());
    let mut date = None;
    let mut dropped = 0;
    let mut seen_text_lines = 0;
    for range in lines {
        let line: String = chars[range.clone()].iter().map(|ac| ac.c).collect();
        if line.trim().is_empty() {
            kept.push(Some(range.clone()));
            continue;
        }
        if resources.boilerplate.is_boilerplate(&line) {
            kept.push(None);
            dropped += 1;
            continue;
        }
        if date.is_none()
            && seen_text_lines < DATE_LINE_WINDOW
            && let Some(found) = resources.date_words.parse_date_line(&line)
        {
            date = Some(found);
            kept.push(None);
            dropped += 1;
            continue;
        }
        seen_text_lines += 1;
        kept.push(Some(range.clone()));
    }
    (kept, date, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date_words() -> DateWords {
        let file = DataFile::from_text(
            "dates.tsv",
            "kind\tword\tvalue\nmonth\tseptember\t9\nmonth\tсентября\t9\nmonth\tsentyabr\t9\nfiller\tsaturday\t\nfiller\tг\t\n",
        );
        DateWords::parse(&file).unwrap()
    }

    #[test]
    fn date_lines_in_three_languages() {
        let words = date_words();
        assert_eq!(
            words
                .parse_date_line("Saturday, September 27, 2025")
                .as_deref(),
            Some("2025-09-27")
        );
        assert_eq!(
            words.parse_date_line("27 сентября 2025 г.").as_deref(),
            Some("2025-09-27")
        );
        assert_eq!(
            words.parse_date_line("27 sentyabr 2025, 14:30").as_deref(),
            Some("2025-09-27")
        );
        assert_eq!(
            words.parse_date_line("2025-09-27").as_deref(),
            Some("2025-09-27")
        );
        assert_eq!(
            words.parse_date_line("27.09.2025 10:15").as_deref(),
            Some("2025-09-27")
        );
        assert_eq!(words.parse_date_line("September was hot in 2025"), None);
        assert_eq!(words.parse_date_line("Europe"), None);
    }

    #[test]
    fn boilerplate_rules_match_whole_lines() {
        let file = DataFile::from_text(
            "b.tsv",
            "kind\tpattern\nexact\tback to top\nregex\t[+\\-−]?\\d{1,2}([.,]\\d)?\\s?°?\\s?[CFС]\nregex\t(?i)[-–—\\s]*реклама[-–—\\s]*\n",
        );
        let rules = BoilerplateRules::parse(&file).unwrap();
        assert!(rules.is_boilerplate("Back to top"));
        assert!(rules.is_boilerplate("11.8 C"));
        assert!(rules.is_boilerplate("- Реклама -"));
        assert!(!rules.is_boilerplate("The temperature was 11.8 C on Monday."));
    }

    #[test]
    fn the_shipped_rules_drop_a_news_agency_sign_off() {
        let resources = crate::resources::Resources::load(&crate::resources::bundled_models_dir())
            .expect("models load");
        assert!(resources.boilerplate.is_boilerplate("REUTER"));
        assert!(resources.boilerplate.is_boilerplate("Reuter"));
        assert!(
            !resources
                .boilerplate
                .is_boilerplate("Reuters said talks failed.")
        );
    }
}
