//! Output is identical byte for byte whatever the number of threads and the chunking.

use crate::util::{Dir, repo_root};

#[test]
fn identical_output_whatever_the_threads_and_chunks() {
    let dir = Dir::new();
    let sample = repo_root().join("corpora/sample");
    let sample = sample.to_str().unwrap();
    let configurations: [&[&str]; 4] = [
        &["--threads", "1"],
        &["--threads", "2"],
        &["--threads", "2", "--chunk-documents", "1"],
        &["--threads", "3", "--chunk-documents", "7"],
    ];
    let mut outputs = Vec::new();
    for (n, config) in configurations.iter().enumerate() {
        let out = format!("out{n}");
        dir.extract(&[&[sample, "--out", &out, "--quiet"], *config].concat());
        let tables: Vec<Vec<u8>> = ["documents.csv", "claims.csv", "entities.csv"]
            .iter()
            .map(|t| std::fs::read(dir.path().join(&out).join(t)).unwrap())
            .collect();
        outputs.push((config.join(" "), tables));
    }
    let (first_config, first) = &outputs[0];
    for (config, tables) in &outputs[1..] {
        for (t, name) in ["documents.csv", "claims.csv", "entities.csv"]
            .iter()
            .enumerate()
        {
            assert!(
                tables[t] == first[t],
                "{name} differs between `{first_config}` and `{config}`"
            );
        }
    }
}
