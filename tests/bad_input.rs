//! Bad input is recorded in documents.csv and never stops the batch.

use crate::util::Dir;

#[test]
fn every_bad_record_is_recorded_and_the_batch_goes_on() {
    let dir = Dir::new();
    let good = r#"{"id": "good-1", "text": "The minister said the talks would continue next week in Baku."}"#;
    let mut jsonl = Vec::new();
    jsonl.extend_from_slice(format!("{good}\n").as_bytes());
    jsonl.extend_from_slice(b"{\"id\": \"broken\", \"text\": \n");
    jsonl.extend_from_slice(b"{\"id\": \"bad-utf8\", \"text\": \"caf\xff\xfe\"}\n");
    jsonl.extend_from_slice(b"{\"id\": \"empty\", \"text\": \"   \"}\n");
    jsonl.extend_from_slice(b"{\"id\": \"no-text\", \"title\": \"x\"}\n");
    jsonl.extend_from_slice(
        format!(
            "{{\"id\": \"huge\", \"text\": \"{}\"}}\n",
            "a".repeat(2 * 1024 * 1024 + 10)
        )
        .as_bytes(),
    );
    jsonl.extend_from_slice(
        r#"{"id": "good-2", "text": "«Мы продолжим переговоры», — заявил министр Иван Петров."}"#
            .as_bytes(),
    );
    jsonl.push(b'\n');
    dir.write("corpus/a.jsonl", &jsonl);
    dir.write("corpus/b.csv", "id,body\n1,hello\n");
    dir.write(
        "corpus/c.txt",
        b"\x00\x01\x02\x03binary\x00junk\xff\xfe\x00\x00",
    );
    let output = dir.run(&[
        "extract",
        "corpus",
        "--out",
        "out",
        "--quiet",
        "--max-record-mib",
        "2",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let docs = dir.table("out/documents.csv");
    let status = |id_part: &str| -> (String, String) {
        let row = docs
            .iter()
            .find(|d| d["doc_id"].contains(id_part) || d["record"].contains(id_part))
            .unwrap_or_else(|| panic!("no row for {id_part} in {docs:#?}"));
        (row["status"].clone(), row["message"].clone())
    };
    assert_eq!(status("good-1").0, "ok");
    assert_eq!(status("good-2").0, "ok");
    for (id, needle) in [
        ("a.jsonl:2", "json"),
        ("a.jsonl:3", "utf-8"),
        ("empty", "empty text"),
        ("a.jsonl:5", "text"),
        ("a.jsonl:6", "too large"),
        ("b.csv", "text"),
        ("c.txt", "binary"),
    ] {
        let (state, message) = status(id);
        assert_eq!(state, "error", "{id}: {message}");
        assert!(
            message.to_lowercase().contains(needle),
            "{id}: message {message:?} should mention {needle:?}"
        );
    }
    assert_eq!(docs.len(), 9, "{docs:#?}");
    let claims = dir.table("out/claims.csv");
    assert_eq!(
        claims.iter().filter(|c| c["doc_id"] == "good-2").count(),
        1,
        "{claims:#?}"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_recorded() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let locked = dir.write(
        "corpus/locked.txt",
        "The minister said the talks would go on.",
    );
    dir.write(
        "corpus/open.txt",
        "The minister said the talks would go on.",
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: then the file is simply read, which is also fine.
    let readable_anyway = std::fs::read(&locked).is_ok();
    let output = dir.run(&["extract", "corpus", "--out", "out", "--quiet"]);
    assert!(output.status.success());
    let docs = dir.table("out/documents.csv");
    assert_eq!(docs.len(), 2);
    let locked_row = docs
        .iter()
        .find(|d| d["source"].ends_with("locked.txt"))
        .unwrap();
    if !readable_anyway {
        assert_eq!(locked_row["status"], "error");
    }
    assert_eq!(
        docs.iter()
            .find(|d| d["source"].ends_with("open.txt"))
            .unwrap()["status"],
        "ok"
    );
}

#[test]
fn unusable_arguments_exit_with_an_error() {
    let dir = Dir::new();
    let output = dir.run(&["extract", "does-not-exist.jsonl", "--out", "out"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does-not-exist.jsonl"));
    dir.write("in.jsonl", "{\"text\": \"x\"}\n");
    dir.write("file-not-dir", "x");
    let output = dir.run(&["extract", "in.jsonl", "--out", "file-not-dir/out"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn other_languages_are_skipped_not_guessed() {
    let dir = Dir::new();
    dir.write(
        "in.jsonl",
        concat!(
            "{\"id\": \"de\", \"text\": \"Der Minister sagte am Montag, dass die Gespräche in der nächsten Woche fortgesetzt werden.\"}\n",
            "{\"id\": \"given\", \"lang\": \"fr\", \"text\": \"Le ministre a dit que les discussions continueront.\"}\n",
        ),
    );
    dir.extract(&["in.jsonl", "--out", "out", "--quiet"]);
    let docs = dir.table("out/documents.csv");
    assert_eq!(docs.len(), 2);
    for doc in &docs {
        assert_eq!(doc["status"], "skipped", "{doc:?}");
    }
    assert!(dir.table("out/claims.csv").is_empty());
}
