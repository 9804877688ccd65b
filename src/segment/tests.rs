use super::*;
use crate::resources::DataFile;

fn abbreviations(lang: Lang) -> Abbreviations {
    let rows = match lang {
        Lang::En => {
            "abbreviation\tposition\nmr.\tinner\ndr.\tinner\netc.\tfinal\nu.s.\tbefore_starter\nthe\tstarter\n"
        }
        Lang::Ru => "abbreviation\tposition\nг.\tafter_number\nт.е.\tinner\nим.\tinner\n",
        Lang::Az => "abbreviation\tposition\ns.\tfinal\nb.\tfinal\n",
    };
    Abbreviations::parse(&DataFile::from_text("abbreviations.txt", rows), lang).unwrap()
}

fn words(text: &str, lang: Lang) -> Vec<&str> {
    tokenize(text, lang, &abbreviations(lang))
        .iter()
        .map(|t| t.text(text))
        .collect()
}

fn sentences(text: &str, lang: Lang) -> Vec<&str> {
    segment(text, lang, &abbreviations(lang))
        .sentences
        .iter()
        .map(|s| &text[s.start..s.end])
        .collect()
}

#[test]
fn tokens_peel_punctuation_but_keep_inner_marks() {
    assert_eq!(
        words(
            "“Baku.tv,” Mr. Smith said (11.8 C) of Moscow-linked APT29's...",
            Lang::En
        ),
        [
            "“",
            "Baku.tv",
            ",",
            "”",
            "Mr.",
            "Smith",
            "said",
            "(",
            "11.8",
            "C",
            ")",
            "of",
            "Moscow-linked",
            "APT29's",
            "..."
        ]
    );
    assert_eq!(
        words("«Роснефть», — сказал В.В. Путин.", Lang::Ru),
        [
            "«",
            "Роснефть",
            "»",
            ",",
            "—",
            "сказал",
            "В.В.",
            "Путин",
            "."
        ]
    );
    assert_eq!(
        words("APA-nın məlumatına görə, I. Əliyev", Lang::Az),
        ["APA-nın", "məlumatına", "görə", ",", "I.", "Əliyev"]
    );
}

#[test]
fn token_offsets_slice_the_text() {
    let text = "Əli «dedi»: bəli.";
    for token in tokenize(text, Lang::Az, &abbreviations(Lang::Az)) {
        assert!(!token.text(text).trim().is_empty());
    }
}

#[test]
fn english_sentences() {
    assert_eq!(
        sentences(
            "Mr. Smith arrived at 5 p.m. on Monday. He said: “We won. They lost,” and left. Dr. No etc. Then",
            Lang::En
        ),
        [
            "Mr. Smith arrived at 5 p.m. on Monday.",
            "He said: “We won.",
            "They lost,” and left.",
            "Dr. No etc.",
            "Then"
        ]
    );
}

#[test]
fn initials_do_not_end_sentences() {
    assert_eq!(
        sentences("В. В. Путин прибыл в г. Москву. Он выступил.", Lang::Ru),
        ["В. В. Путин прибыл в г. Москву.", "Он выступил."]
    );
    assert_eq!(
        sentences("Prezident İ. Əliyev çıxış edib.", Lang::Az),
        ["Prezident İ. Əliyev çıxış edib."]
    );
}

#[test]
fn russian_direct_speech_stays_together() {
    assert_eq!(
        sentences(
            "«Мы победим!» — заявил он. Т.е. всё. «Нет», — ответила она, т.е. отказала.",
            Lang::Ru
        ),
        [
            "«Мы победим!» — заявил он.",
            "Т.е. всё.",
            "«Нет», — ответила она, т.е. отказала."
        ]
    );
    assert_eq!(
        sentences("Это было в 1999 г. Потом всё изменилось.", Lang::Ru),
        ["Это было в 1999 г.", "Потом всё изменилось."]
    );
}

#[test]
fn azerbaijani_sentences_and_dashes() {
    assert_eq!(
        sentences(
            "\"Biz qalib gələcəyik\", - deyə nazir bildirib. Kitab, dəftər və s. Sonra getdi.",
            Lang::Az
        ),
        [
            "\"Biz qalib gələcəyik\", - deyə nazir bildirib.",
            "Kitab, dəftər və s.",
            "Sonra getdi."
        ]
    );
}

#[test]
fn short_lines_and_paragraphs_end_sentences() {
    let text = "Azerbaijan accuses Russia\n\nThe long article text goes on and on across a wrapped\nline that continues here. End";
    let segmented = segment(text, Lang::En, &abbreviations(Lang::En));
    let got: Vec<_> = segmented
        .sentences
        .iter()
        .map(|s| (&text[s.start..s.end], s.heading))
        .collect();
    assert_eq!(
        got,
        [
            ("Azerbaijan accuses Russia", true),
            (
                "The long article text goes on and on across a wrapped\nline that continues here.",
                false
            ),
            ("End", true)
        ]
    );
}

#[test]
fn a_short_line_that_goes_on_in_lower_case_is_wrapped_text() {
    // Reuters' first line is short where its dateline was cut: the subject stays with its
    // verb. A short line followed by a capital still ends its sentence.
    let text = "President Reagan for the first time\n\
                admitted he was wrong to sell arms to Iran in an initiative.\n\
                Arms sales\n\
                The President said so on the radio.";
    assert_eq!(
        sentences(text, Lang::En),
        [
            "President Reagan for the first time\nadmitted he was wrong to sell arms to Iran in an initiative.",
            "Arms sales",
            "The President said so on the radio."
        ]
    );
}

#[test]
fn us_ends_a_sentence_only_before_a_word_that_opens_one() {
    let text = "The U.S. Treasury said U.S. Officials agreed. Sales rose in the U.S. The company said so in the U.S.\n    Prices fell.";
    assert_eq!(
        sentences(text, Lang::En),
        [
            "The U.S. Treasury said U.S. Officials agreed.",
            "Sales rose in the U.S.",
            "The company said so in the U.S.",
            "Prices fell."
        ]
    );
}

#[test]
fn a_list_of_headlines_is_one_sentence_per_line() {
    // No line ends in punctuation, three are longer than a short line, and each starts
    // with a capital.
    let text = "Samuxda qəza olub, ölənlər var\n\
                Tramp gələn həftə Netanyahu ilə Ağ Evdə görüşə biləcəklərini deyib\n\
                Paşinyan Ermənistandan Azərbaycana ixracın başlayacağını bildirib\n\
                Türkiyədə 4,2 bal gücündə zəlzələ olub";
    let segmented = segment(text, Lang::Az, &abbreviations(Lang::Az));
    let got: Vec<_> = segmented
        .sentences
        .iter()
        .map(|s| &text[s.start..s.end])
        .collect();
    assert_eq!(got, text.split('\n').collect::<Vec<_>>());
    assert!(segmented.sentences.iter().all(|s| s.heading));
}

#[test]
fn wrapped_prose_stays_together() {
    // Half the line breaks after a word go on in lower case: wrapped text, whose lines
    // followed by a capital ("and\nBrazil's", "about\nCocoa") do not end sentences.
    let text = "Showers continued throughout the week in the Bahia cocoa zone,\n\
                alleviating the drought that had lasted since early January and\n\
                Brazil's growers expect an improvement in the coming temporao\n\
                crop, traders said on Monday in a short note to clients about\n\
                Cocoa arrivals so far, which rose to 2.5 mln bags, up from 2.1\n\
                mln a year ago.";
    assert_eq!(sentences(text, Lang::En), [text]);
    // In Azerbaijani, where lists of headlines are read line by line, too.
    assert_eq!(sentences(text, Lang::Az), [text]);
}

#[test]
fn decimals_and_numbers() {
    assert_eq!(
        sentences("Growth was 3.5 percent in 2025. It fell.", Lang::En),
        ["Growth was 3.5 percent in 2025.", "It fell."]
    );
}

#[test]
fn english_clitics_become_tokens_of_their_own() {
    let clitics = DataFile::from_text("clitics.txt", "clitic\n's\n’s\nn't\n'll\n");
    let abbreviations = abbreviations(Lang::En).with_clitics(&clitics).unwrap();
    let text = "Trump's aide didn't say it; APT29’s She'll rock'n'roll";
    let words: Vec<&str> = tokenize(text, Lang::En, &abbreviations)
        .iter()
        .map(|t| t.text(text))
        .collect();
    assert_eq!(
        words,
        [
            "Trump",
            "'s",
            "aide",
            "did",
            "n't",
            "say",
            "it",
            ";",
            "APT29",
            "’s",
            "She",
            "'ll",
            "rock'n'roll"
        ]
    );
}

#[test]
fn a_clitic_without_an_apostrophe_is_an_error() {
    let clitics = DataFile::from_text("clitics.txt", "clitic\nst\n");
    let err = abbreviations(Lang::En).with_clitics(&clitics).unwrap_err();
    assert!(err.to_string().contains("clitics.txt"), "{err}");
}
