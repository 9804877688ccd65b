use super::*;
use crate::document::{Entity, EntityType, Lang};
use crate::resources::{Resources, bundled_models_dir};
use crate::segment::segment;

/// (kind, speaker, cue, content, reported_by, resolved) of each attribution.
type Row = (String, String, String, String, String, String);

fn run_with(text: &str, lang: Lang, names: &[(&str, EntityType)]) -> Vec<Row> {
    let resources = Resources::load(&bundled_models_dir()).expect("models load");
    let data = resources.language(lang);
    let segmented = segment(text, lang, &data.abbreviations);
    let mut entities = Vec::new();
    for &(name, kind) in names {
        let mut from = 0;
        while let Some(pos) = text[from..].find(name) {
            let start = from + pos;
            let end = start + name.len();
            let first = segmented.tokens.iter().position(|t| t.start == start);
            let last = segmented.tokens.iter().position(|t| t.end == end);
            if let (Some(first), Some(last)) = (first, last) {
                let sentence = segmented
                    .sentences
                    .iter()
                    .position(|s| s.tokens.contains(&first))
                    .unwrap();
                entities.push(Entity {
                    sentence,
                    tokens: first..last + 1,
                    start,
                    end,
                    kind,
                    confidence: 1.0,
                });
            }
            from = end;
        }
    }
    entities.sort_by_key(|e| e.start);
    let slice =
        |span: Option<ByteSpan>| span.map_or(String::new(), |(s, e)| text[s..e].to_string());
    attribute(text, lang, &segmented, &entities, &data.cues)
        .into_iter()
        .map(|a| {
            (
                a.kind.as_str().to_string(),
                slice(a.speaker),
                slice(Some(a.cue)),
                slice(Some(a.content)),
                slice(a.reported_by),
                a.speaker_resolved.unwrap_or_default(),
            )
        })
        .collect()
}

fn run(text: &str, lang: Lang) -> Vec<Row> {
    run_with(text, lang, &[])
}

fn row(
    kind: &str,
    speaker: &str,
    cue: &str,
    content: &str,
    reported_by: &str,
    resolved: &str,
) -> Row {
    (
        kind.into(),
        speaker.into(),
        cue.into(),
        content.into(),
        reported_by.into(),
        resolved.into(),
    )
}

#[test]
fn english_postposed_with_outlet() {
    let got = run(
        "Hackers attacked a number of media outlets, chairman of the commission Ramid Namazov said on 2 May, Azerbaijani media reported.",
        Lang::En,
    );
    assert_eq!(
        got,
        [row(
            "indirect",
            "Ramid Namazov",
            "said",
            "Hackers attacked a number of media outlets",
            "Azerbaijani media",
            "Ramid Namazov"
        )]
    );
}

#[test]
fn english_quoted_as_saying_resolves_the_role() {
    let text = "Ramid Namazov said the attack was planned. “It was planned for years. We know the motive,” APA news agency quoted the official as saying.";
    let got = run(text, Lang::En);
    assert_eq!(
        got[1],
        row(
            "direct",
            "the official",
            "quoted the official as saying",
            "“It was planned for years. We know the motive,”",
            "APA news agency",
            "Ramid Namazov"
        )
    );
}

#[test]
fn english_relative_coordination_and_negation() {
    let text = "It targeted Baku TV, which accused Russian House of involvement in espionage, and then spread. Russia has not commented on the accusations. Ilham Aliyev claimed Russian involvement and criticised the fact that Russian authorities had not claimed responsibility.";
    let got = run_with(
        text,
        Lang::En,
        &[
            ("Ilham Aliyev", EntityType::Per),
            ("Baku TV", EntityType::Org),
        ],
    );
    assert_eq!(
        got,
        [
            row(
                "indirect",
                "Baku TV",
                "accused",
                "Russian House of involvement in espionage",
                "",
                "Baku TV"
            ),
            row(
                "indirect",
                "Ilham Aliyev",
                "claimed",
                "Russian involvement",
                "",
                "Ilham Aliyev"
            ),
            row(
                "indirect",
                "Ilham Aliyev",
                "criticised",
                "the fact that Russian authorities had not claimed responsibility",
                "",
                "Ilham Aliyev"
            ),
        ]
    );
}

#[test]
fn english_mixed_and_according_to() {
    let text = "The head of “Rossotrudnichestvo” Yevgeny Primakov then defended the centre and said that it was engaged “exclusively in education and culture”. According to the ministry, prices will rise. Prices will fall, according to analysts.";
    let got = run(text, Lang::En);
    assert_eq!(
        got,
        [
            row(
                "mixed",
                "Yevgeny Primakov",
                "said",
                "that it was engaged “exclusively in education and culture”",
                "",
                "Yevgeny Primakov"
            ),
            row(
                "according_to",
                "the ministry",
                "According to",
                "prices will rise",
                "",
                ""
            ),
            row(
                "according_to",
                "analysts",
                "according to",
                "Prices will fall",
                "",
                "analysts"
            ),
        ]
    );
}

#[test]
fn english_direct_speech_both_orders() {
    let got = run(
        "“We will win,” said John Smith. Mary Jones told reporters: “We lost.” He has been accused of fraud.",
        Lang::En,
    );
    assert_eq!(
        got,
        [
            row(
                "direct",
                "John Smith",
                "said",
                "“We will win,”",
                "",
                "John Smith"
            ),
            row(
                "direct",
                "Mary Jones",
                "told",
                "“We lost.”",
                "",
                "Mary Jones"
            )
        ]
    );
}

#[test]
fn pronoun_it_resolves_to_the_first_organisation() {
    let text = "In January, the Baku.tv TV channel published a report on the “Russian House”, in which it actually accused its employees of spying.";
    let got = run_with(
        text,
        Lang::En,
        &[
            ("Baku.tv", EntityType::Org),
            ("Russian House", EntityType::Org),
        ],
    );
    assert_eq!(
        got,
        [row(
            "indirect",
            "it",
            "accused",
            "its employees of spying",
            "",
            "Baku.tv"
        )]
    );
}

#[test]
fn russian_constructions() {
    let text = "«Мы не допустим эскалации», — заявил министр Сергей Лавров. Пресс-секретарь Дмитрий Песков сообщил, что встреча состоится. По словам эксперта, цены вырастут. Как сообщает ТАСС, переговоры продолжатся. Он не заявлял об этом.";
    let got = run(text, Lang::Ru);
    assert_eq!(
        got,
        [
            row(
                "direct",
                "Сергей Лавров",
                "заявил",
                "«Мы не допустим эскалации»",
                "",
                "Сергей Лавров"
            ),
            row(
                "indirect",
                "Дмитрий Песков",
                "сообщил",
                "встреча состоится",
                "",
                "Дмитрий Песков"
            ),
            row(
                "according_to",
                "эксперта",
                "По словам",
                "цены вырастут",
                "",
                "эксперта"
            ),
            row(
                "indirect",
                "ТАСС",
                "Как сообщает",
                "переговоры продолжатся",
                "",
                "ТАСС"
            ),
        ]
    );
}

#[test]
fn azerbaijani_constructions() {
    let text = "\"Biz sülh istəyirik\", - deyə nazir Ceyhun Bayramov bildirib. Nazir bildirib ki, danışıqlar davam edəcək. Ekspertin sözlərinə görə, qiymətlər artacaq. Prezident iqtisadiyyatın böyüdüyünü qeyd edib.";
    let got = run(text, Lang::Az);
    assert_eq!(
        got,
        [
            row(
                "direct",
                "Ceyhun Bayramov",
                "bildirib",
                "\"Biz sülh istəyirik\"",
                "",
                "Ceyhun Bayramov"
            ),
            row(
                "indirect",
                "Nazir",
                "bildirib",
                "danışıqlar davam edəcək",
                "",
                "Ceyhun Bayramov"
            ),
            row(
                "according_to",
                "Ekspertin",
                "sözlərinə görə",
                "qiymətlər artacaq",
                "",
                "Ekspertin"
            ),
            row(
                "indirect",
                "Prezident",
                "qeyd edib",
                "iqtisadiyyatın böyüdüyünü",
                "",
                "Ceyhun Bayramov"
            ),
        ]
    );
}

#[test]
fn straight_quotes_spanning_sentences() {
    let text = "Alakbarov said farmers had been hit hardest. \"There was no rain in April and May. The yields will be the lowest in a decade,\" he told reporters during a visit to Ganja.";
    let got = run(text, Lang::En);
    assert_eq!(
        got[1],
        row(
            "direct",
            "he",
            "told",
            "\"There was no rain in April and May. The yields will be the lowest in a decade,\"",
            "",
            "Alakbarov"
        )
    );
}

#[test]
fn passives_need_their_agent() {
    let text = "The Cozy Bear hackers have been linked by several governments and investigative journalism to Russian foreign intelligence. The group has been accused of attacking government agencies.";
    let got = run(text, Lang::En);
    assert_eq!(
        got,
        [row(
            "passive",
            "several governments and investigative journalism",
            "linked",
            "The Cozy Bear hackers",
            "",
            "several governments and investigative journalism"
        )]
    );
}
