#!/bin/sh
# Builds distilled NER training data: the transformer model (models/ner-transformer,
# `--ner transformer`) tags raw news, and scripts/distill-ner.py turns its entities into
# CoNLL for an embedded tagger (models/README.md, "distilled from the transformer").
#
#   az: ../shared/data/raw/az/news.jsonl (310 records, ~137 k words: X-WMT news
#       translations, headlines, crawled pages) -> distill.conll, and NTREX lines 1-956 of
#       the parallel news -> distill-ntrex.conll (lines 957-1000 are left out: they are the
#       hand-checked gold in corpora/ner-az-news/). About 7 min on a 2-core machine.
#   ru: every fifth record of ../shared/data/raw/ru/rucoco.jsonl, in file order, until
#       150,000 words (whitespace-separated; 476 records) -> distill.conll. About 13 min.
#
# Needs a newsclaims built with the transformer feature (NCT, default
# target/release/newsclaims; see README, "Accurate mode") and the base encoder
# (scripts/make-e5-encoder.sh). Deterministic.
#
# usage: scripts/make-distill.sh az|ru [OUTDIR]   (default out/ner-LANG)
set -eu
lang=${1:?usage: scripts/make-distill.sh az|ru [OUTDIR]}
outdir=${2:-out/ner-$lang}
data=${DATA:-../shared/data}
bin=${NCT:-target/release/newsclaims}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$outdir"
# Tags a JSON-lines corpus with the transformer and writes its CoNLL to the given file.
distill() {
  "$bin" extract -q --lang "$lang" --ner transformer --out "$work/out" "$1"
  python3 scripts/distill-ner.py "$1" "$work/out" > "$2"
  rm -rf "$work/out"
}
case $lang in
az)
  python3 - "$data/raw/parallel/ntrex.az.txt" > "$work/ntrex.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    for number, line in enumerate(f, start=1):
        if number > 956:
            break
        print(json.dumps({"id": f"ntrex-{number}", "text": line.rstrip("\n"), "lang": "az"},
                         ensure_ascii=False))
PY
  distill "$data/raw/az/news.jsonl" "$outdir/distill.conll"
  distill "$work/ntrex.jsonl" "$outdir/distill-ntrex.conll"
  echo "wrote $outdir/distill.conll $outdir/distill-ntrex.conll" >&2 ;;
ru)
  python3 - "$data/raw/ru/rucoco.jsonl" > "$work/rucoco.jsonl" <<'PY'
import json, sys
words = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for number, line in enumerate(f):
        if number % 5:
            continue
        words += len(json.loads(line)["text"].split())
        sys.stdout.write(line)
        if words >= 150_000:
            break
PY
  distill "$work/rucoco.jsonl" "$outdir/distill.conll"
  echo "wrote $outdir/distill.conll" >&2 ;;
*) echo "make-distill.sh: no distillation recipe for '$lang' (az or ru)" >&2; exit 2 ;;
esac
