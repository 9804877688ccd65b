//! The seed article and the sample corpus through `extract`.

use crate::util::{Dir, read_table, repo_root, slice_chars};
use std::collections::HashMap;

const SEED: &str = "corpora/sample/seed/article.en.txt";

type Rows = Vec<HashMap<String, String>>;

fn seed_claims() -> (String, Rows, Rows) {
    let dir = Dir::new();
    let seed = repo_root().join(SEED);
    dir.extract(&[seed.to_str().unwrap(), "--out", "out", "--quiet"]);
    let text = std::fs::read_to_string(&seed).unwrap();
    (
        text,
        dir.table("out/claims.csv"),
        dir.table("out/documents.csv"),
    )
}

fn find<'a>(
    claims: &'a [HashMap<String, String>],
    speaker: &str,
    cue: &str,
    content_has: &str,
) -> &'a HashMap<String, String> {
    claims
        .iter()
        .find(|c| {
            // The mention or the name it resolves to, as `eval claims` matches speakers.
            (c["speaker"] == speaker || c["speaker_resolved"] == speaker)
                && c["cue"] == cue
                && c["content"].contains(content_has)
        })
        .unwrap_or_else(|| panic!("no claim {speaker:?} {cue:?} {content_has:?} in {claims:#?}"))
}

#[test]
fn seed_article_yields_its_required_claims() {
    let (text, claims, docs) = seed_claims();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["status"], "ok");
    assert_eq!(docs[0]["lang"], "en");

    let said = find(
        &claims,
        "Ramid Namazov",
        "said",
        "APT29 (Cozy Bear) is involved in a cyber attack",
    );
    assert_eq!(said["reported_by"], "Azerbaijani media");
    assert_eq!(
        said["date"], "2025-09-27",
        "the date line becomes the document date"
    );

    let quoted = find(
        &claims,
        "the official",
        "quoted the official as saying",
        "a cyber espionage group called APT29 is completely taking over media resources",
    );
    assert_eq!(quoted["kind"], "direct");
    assert_eq!(quoted["reported_by"], "APA news agency");
    assert_eq!(quoted["speaker_resolved"], "Ramid Namazov");

    let primakov = find(
        &claims,
        "Yevgeny Primakov",
        "said",
        "exclusively in activities in the sphere of education, culture and science",
    );
    assert_eq!(primakov["kind"], "mixed");

    find(
        &claims,
        "Baku TV",
        "accused",
        "Russian House of involvement in espionage",
    );
    find(
        &claims,
        "Azerbaijani authorities",
        "announced",
        "the closure of the Rossotrudnichestvo representative office in Baku",
    );
    find(&claims, "Ilham Aliyev", "claimed", "Russian involvement");
    find(
        &claims,
        "it",
        "accused",
        "its employees of unfriendly and even spying activities",
    );

    // Every span points at its text in the original article.
    for claim in &claims {
        assert!(
            ["", "PER", "ORG", "LOC"].contains(&claim["speaker_type"].as_str()),
            "{claim:?}"
        );
        for field in ["speaker", "cue", "content", "reported_by"] {
            let (start, end) = (format!("{field}_start"), format!("{field}_end"));
            if claim[&start].is_empty() {
                continue;
            }
            let (s, e): (usize, usize) =
                (claim[&start].parse().unwrap(), claim[&end].parse().unwrap());
            assert_eq!(
                slice_chars(&text, s, e).replace('\n', " "),
                claim[field],
                "{field} offsets of {}",
                claim["claim_id"]
            );
        }
    }
}

#[test]
fn seed_article_names_its_people_and_organisations() {
    let dir = Dir::new();
    let seed = repo_root().join(SEED);
    dir.extract(&[seed.to_str().unwrap(), "--out", "out", "--quiet"]);
    let entities = dir.table("out/entities.csv");
    let has = |text: &str, kind: &str| {
        entities
            .iter()
            .any(|e| e["text"] == text && e["type"] == kind)
    };
    for name in ["Ramid Namazov", "Ilham Aliyev", "Yevgeny Primakov"] {
        assert!(has(name, "PER"), "{name} as PER in {entities:#?}");
    }
    // "Baku TV" is an organisation by its head noun (models/en/entity_heads.tsv).
    for name in ["APA", "Baku TV", "Rossotrudnichestvo"] {
        assert!(has(name, "ORG"), "{name} as ORG in {entities:#?}");
    }
}

#[test]
fn boilerplate_and_negated_speech_give_no_claims() {
    let (_, claims, _) = seed_claims();
    for claim in &claims {
        for field in ["speaker", "content", "reported_by"] {
            for junk in ["back to top", "11.8 C", "- Реклама -", "Реклама"] {
                assert!(!claim[field].contains(junk), "{junk:?} in {claim:?}");
            }
        }
        assert!(
            !claim["content"].contains("has not commented"),
            "negated speech became a claim: {claim:?}"
        );
        assert!(
            !claim["content"].starts_with("Azerbaijan accuses Russia"),
            "a headline became a claim"
        );
    }
}

#[test]
fn sample_corpus_runs_in_all_three_languages() {
    let dir = Dir::new();
    let sample = repo_root().join("corpora/sample");
    dir.extract(&[sample.to_str().unwrap(), "--out", "out", "--quiet"]);
    let docs = dir.table("out/documents.csv");
    let claims = dir.table("out/claims.csv");
    for lang in ["az", "ru", "en"] {
        let ok = docs
            .iter()
            .filter(|d| d["lang"] == lang && d["status"] == "ok")
            .count();
        assert!(ok >= 5, "{lang}: {ok} documents ok");
        let found = claims.iter().filter(|c| c["lang"] == lang).count();
        assert!(found >= 10, "{lang}: only {found} claims");
    }
    // No temporary tables are left behind.
    for name in [
        "claims.csv.partial",
        "entities.csv.partial",
        "documents.csv.partial",
    ] {
        assert!(!dir.path().join("out").join(name).exists());
    }
}

#[test]
fn min_confidence_leaves_out_the_less_confident_claims() {
    let dir = Dir::new();
    let sample = repo_root().join("corpora/sample");
    let sample = sample.to_str().unwrap();
    dir.extract(&[sample, "--out", "all", "--quiet"]);
    dir.extract(&[
        sample,
        "--out",
        "some",
        "--quiet",
        "--min-confidence",
        "0.8",
    ]);
    let all = dir.table("all/claims.csv");
    let some = dir.table("some/claims.csv");
    let confidence = |c: &std::collections::HashMap<String, String>| -> f32 {
        c["confidence"].parse().expect("confidence")
    };
    let kept = all.iter().filter(|c| confidence(c) >= 0.8).count();
    assert!(kept < all.len(), "every sample claim is confident");
    assert_eq!(some.len(), kept);
    assert!(some.iter().all(|c| confidence(c) >= 0.8));
    // documents.csv counts the claims written.
    let counted: usize = dir
        .table("some/documents.csv")
        .iter()
        .map(|d| d["claims"].parse::<usize>().expect("count"))
        .sum();
    assert_eq!(counted, some.len());
    let bad = dir.run(&["extract", sample, "--out", "bad", "--min-confidence", "1.5"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("from 0 to 1"));
}

#[test]
fn offsets_count_code_points_of_the_original_record() {
    let dir = Dir::new();
    // Soft hyphens, a zero-width space and an HTML entity are normalised away; offsets must
    // still point into the original text.
    let text = "Back to top\n\nПре\u{ad}зидент Иван Петров за\u{200b}явил, что переговоры &laquo;продолжатся&raquo; в Баку.";
    let line = serde_json::json!({"id": "r1", "text": text}).to_string();
    dir.write("in.jsonl", format!("{line}\n"));
    dir.extract(&["in.jsonl", "--out", "out", "--quiet"]);
    let claims = dir.table("out/claims.csv");
    assert_eq!(claims.len(), 1, "{claims:?}");
    let claim = &claims[0];
    assert_eq!(claim["speaker"], "Иван Петров");
    let cue = slice_chars(
        text,
        claim["cue_start"].parse().unwrap(),
        claim["cue_end"].parse().unwrap(),
    );
    assert_eq!(cue, "за\u{200b}явил");
    let content = slice_chars(
        text,
        claim["content_start"].parse().unwrap(),
        claim["content_end"].parse().unwrap(),
    );
    assert_eq!(content, "переговоры &laquo;продолжатся&raquo; в Баку");
    assert_eq!(claim["content"], "переговоры «продолжатся» в Баку");
}

#[test]
fn shipped_sample_output_in_the_readme_is_reproducible() {
    // The README shows rows for the seed article; they must be what the binary writes.
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let (_, claims, _) = seed_claims();
    let first = &claims[0];
    assert!(
        readme.contains(&first["claim_id"]) && readme.contains(&first["content"]),
        "README example is stale"
    );
    let _ = read_table;
}

#[test]
fn every_input_form_reads_the_same_article() {
    use std::io::Write;
    let dir = Dir::new();
    let article = "The minister said the talks would continue next week in Baku.";
    // JSON Lines, gzip-compressed JSON Lines, CSV with its own column names, plain text,
    // HTML inside JSON, and standard input.
    let line = serde_json::json!({"id": "j1", "text": article}).to_string();
    dir.write("in/a.jsonl", format!("{line}\n"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(format!("{}\n", serde_json::json!({"id": "g1", "text": article})).as_bytes())
        .unwrap();
    dir.write("in/b.jsonl.gz", gz.finish().unwrap());
    dir.write("in/c.csv", format!("key,body\nc1,\"{article}\"\n"));
    dir.write("in/d.txt", article);
    let html = format!(
        "<html><body><p>{}</p><script>var x = 1;</script></body></html>",
        article.replace("minister", "<b>minister</b>")
    );
    dir.write(
        "in/e.jsonl",
        format!("{}\n", serde_json::json!({"id": "h1", "text": html})),
    );
    dir.extract(&[
        "in",
        "--out",
        "out",
        "--quiet",
        "--text-column",
        "text",
        "--id-column",
        "id",
    ]);
    let claims = dir.table("out/claims.csv");
    let docs = dir.table("out/documents.csv");
    // The CSV uses other column names: it is an error with these options, and works with its own.
    let csv_row = docs
        .iter()
        .find(|d| d["source"].ends_with("c.csv"))
        .unwrap();
    assert_eq!(csv_row["status"], "error", "{csv_row:?}");
    dir.extract(&[
        "in/c.csv",
        "--out",
        "out-csv",
        "--quiet",
        "--text-column",
        "body",
        "--id-column",
        "key",
    ]);
    let csv_claims = dir.table("out-csv/claims.csv");
    assert_eq!(csv_claims.len(), 1);
    assert_eq!(csv_claims[0]["doc_id"], "c1");
    for id in ["j1", "g1", "d.txt", "h1"] {
        let claim = claims
            .iter()
            .find(|c| c["doc_id"] == id)
            .unwrap_or_else(|| panic!("no claim for {id}: {claims:#?}"));
        assert_eq!(claim["speaker"], "The minister", "{id}");
        assert_eq!(
            claim["content"], "the talks would continue next week in Baku",
            "{id}"
        );
    }
    // HTML offsets point into the raw record: the span runs from the first to the last
    // character of the words, tags between them included.
    let h1 = claims.iter().find(|c| c["doc_id"] == "h1").unwrap();
    let speaker = crate::util::slice_chars(
        &html,
        h1["speaker_start"].parse().unwrap(),
        h1["speaker_end"].parse().unwrap(),
    );
    assert_eq!(speaker, "The <b>minister");

    // Standard input.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsclaims"))
        .args(["extract", "-", "--out", "out-stdin", "--quiet"])
        .current_dir(dir.path())
        .env("NEWSCLAIMS_MODELS", crate::util::models_dir())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{line}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let stdin_claims = dir.table("out-stdin/claims.csv");
    assert_eq!(stdin_claims.len(), 1);
    assert_eq!(stdin_claims[0]["doc_id"], "j1");
}

/// `--labeller transformer` in a build without the feature says how to get it and stops.
#[cfg(not(feature = "transformer"))]
#[test]
fn transformer_labeller_without_the_feature_explains_itself() {
    let dir = Dir::new();
    dir.write("a.txt", "The minister said the talks would resume.");
    let out = dir.run(&[
        "extract",
        "-q",
        "--lang",
        "en",
        "--labeller",
        "transformer",
        "--out",
        "out",
        "a.txt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--features transformer"), "{stderr}");
}
