#!/bin/sh
# The benchmark run of BENCHMARKS.md: builds the release binary, runs `newsclaims bench` on
# the shared raw corpora (1 thread and all cores, median of RUNS runs), draws the chart, and
# measures the peak memory of `newsclaims extract` with /usr/bin/time -v on the three full
# corpora and on them concatenated ten times through a pipe (no 10x file on disk).
# Results go to target/bench/ (git-ignored); the chart to docs/benchmarks.png.
#
# usage: scripts/bench.sh [RUNS]      (default 3)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
raw=../shared/data/raw
corpora="$raw/en/reuters21578.jsonl $raw/ru/rucoco.jsonl $raw/az/news.jsonl"
for f in $corpora; do
  [ -f "$f" ] || { echo "bench: $f not found (needs the shared data)" >&2; exit 2; }
done
bin=target/release/newsclaims
out=target/bench
mkdir -p "$out" docs
cargo build --release -q
cargo build --release -q --example bench_chart

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== newsclaims bench --runs $runs (shared corpora, 1 thread and all cores)"
$bin bench --runs "$runs" --json-out "$out/bench.json" | tee "$out/bench.txt"
target/release/examples/bench_chart "$out/bench.json" docs/benchmarks.png

echo "== newsclaims bench --repeat 10 --runs 1 (Russian corpus fed 10 times in one stream)"
$bin bench --runs 1 --repeat 10 --threads "$(nproc)" "$raw/ru/rucoco.jsonl" | tee "$out/bench-repeat.txt"

peak() { grep -E 'Maximum resident|Elapsed \(wall|User time|System time'; }
echo "== /usr/bin/time -v newsclaims extract (three full corpora)"
# shellcheck disable=SC2086 # the corpus list is meant to split
/usr/bin/time -v $bin extract $corpora --out "$out/extract-1x" --quiet 2>&1 | peak | tee "$out/time-1x.txt"
echo "== /usr/bin/time -v newsclaims extract - (three full corpora, 10 times, through a pipe)"
# shellcheck disable=SC2086
for _ in 1 2 3 4 5 6 7 8 9 10; do cat $corpora; done |
  /usr/bin/time -v $bin extract - --out "$out/extract-10x" --quiet 2>&1 | peak | tee "$out/time-10x.txt"
wc -l "$out"/extract-1x/documents.csv "$out"/extract-10x/documents.csv
