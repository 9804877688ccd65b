//! Head-noun typing: a name that ends with an organisation noun ("Baku TV", "Labour Party")
//! is an organisation, whatever the tagger's type. The nouns are data,
//! `models/<lang>/entity_heads.tsv`; [`super::WithPass`] applies them to any tagger.
//!
//! Why: the taggers learn types from the words they saw in training; "Baku TV" looks like
//! "Baku" (a city) to them, while the final noun settles the type for a reader.

use super::SpanPass;
use crate::document::{EntityType, Lang, TokenSpan};
use crate::resources::{DataFile, ResourceError};
use std::collections::HashMap;
use std::path::Path;

/// The head nouns of each language, keyed by [`Lang::match_key`].
#[derive(Clone, Debug, Default)]
pub struct EntityHeads {
    by_lang: [HashMap<String, EntityType>; 3],
}

impl EntityHeads {
    /// Reads `<dir>/<lang>/entity_heads.tsv` (rows `word<TAB>PER|ORG|LOC`) for az, ru, en.
    pub fn load(dir: &Path) -> Result<EntityHeads, ResourceError> {
        let mut heads = EntityHeads::default();
        for lang in [Lang::Az, Lang::Ru, Lang::En] {
            let path = dir.join(lang.code()).join("entity_heads.tsv");
            heads.by_lang[lang.slot()] = parse(&DataFile::read(&path)?, lang)?;
        }
        Ok(heads)
    }

    /// Sets the type of every span of two or more words whose last word is a head noun.
    pub fn retype(&self, lang: Lang, words: &[&str], spans: &mut [TokenSpan]) {
        let map = &self.by_lang[lang.slot()];
        if map.is_empty() {
            return;
        }
        for span in spans {
            if span.end - span.start < 2 || span.end > words.len() {
                continue;
            }
            if let Some(&kind) = map.get(&lang.match_key(words[span.end - 1])) {
                span.kind = kind;
            }
        }
    }
}

fn parse(file: &DataFile, lang: Lang) -> Result<HashMap<String, EntityType>, ResourceError> {
    let mut map = HashMap::new();
    for row in file.rows(2)? {
        let (line, fields) = row?;
        let kind = match fields[1] {
            "PER" => EntityType::Per,
            "ORG" => EntityType::Org,
            "LOC" => EntityType::Loc,
            other => {
                return Err(file.error(line, format!("expected PER, ORG or LOC, found {other:?}")));
            }
        };
        map.insert(lang.match_key(fields[0]), kind);
    }
    Ok(map)
}

/// Head-noun typing as a correction of any tagger's spans (`WithPass { inner, pass: heads }`).
impl SpanPass for EntityHeads {
    fn apply(&self, lang: Lang, words: &[&str], spans: &mut Vec<TokenSpan>) {
        self.retype(lang, words, spans);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads() -> EntityHeads {
        let file = DataFile::from_text("entity_heads.tsv", "word\ttype\ntv\tORG\nparty\tORG\n");
        let mut heads = EntityHeads::default();
        heads.by_lang[Lang::En.slot()] = parse(&file, Lang::En).unwrap();
        heads
    }

    fn span(start: usize, end: usize, kind: EntityType) -> TokenSpan {
        TokenSpan {
            start,
            end,
            kind,
            confidence: 1.0,
        }
    }

    #[test]
    fn a_final_head_noun_sets_the_type() {
        let words = ["servers", "of", "Baku", "TV", "and", "TV", "Baku"];
        let mut spans = vec![
            span(2, 4, EntityType::Loc),
            span(5, 6, EntityType::Per),
            span(5, 7, EntityType::Loc),
        ];
        heads().retype(Lang::En, &words, &mut spans);
        let kinds: Vec<_> = spans.iter().map(|s| s.kind).collect();
        // A lone head noun and a head noun that does not end the name change nothing.
        assert_eq!(kinds, [EntityType::Org, EntityType::Per, EntityType::Loc]);
        let mut ru = vec![span(2, 4, EntityType::Loc)];
        heads().retype(Lang::Ru, &words, &mut ru);
        assert_eq!(
            ru[0].kind,
            EntityType::Loc,
            "English heads only for English"
        );
    }

    #[test]
    fn an_unknown_type_is_an_error_naming_the_line() {
        let file = DataFile::from_text("entity_heads.tsv", "word\ttype\ntv\tMISC\n");
        let err = parse(&file, Lang::En).unwrap_err();
        assert!(err.to_string().contains("entity_heads.tsv"), "{err}");
    }
}
