#!/bin/sh
# Builds distilled Azerbaijani NER training data: the transformer model
# (models/ner-transformer, `--ner transformer`) tags raw Azerbaijani news, and
# scripts/az-distill-ner.py turns its entities into CoNLL for the embedded tagger.
# Two sources: ../shared/data/raw/az/news.jsonl (310 records, ~137 k words: X-WMT news
# translations, headlines, crawled pages) and NTREX lines 1-956 of the parallel news
# (lines 957-1000 are left out: they are the hand-checked gold in corpora/ner-az-news/).
#
# Needs a newsclaims built with the transformer feature (NCT, default
# target/release/newsclaims; see README, "Accurate mode") and the base encoder
# (scripts/make-e5-encoder.sh). About 7 min on a 2-core machine. Deterministic.
#
# usage: scripts/make-az-distill.sh [OUTDIR]   (default out/ner-az: distill.conll, distill-ntrex.conll)
set -eu
outdir=${1:-out/ner-az}
data=${DATA:-../shared/data}
bin=${NCT:-target/release/newsclaims}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$outdir"
python3 - "$data/raw/parallel/ntrex.az.txt" > "$work/ntrex.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    for number, line in enumerate(f, start=1):
        if number > 956:
            break
        print(json.dumps({"id": f"ntrex-{number}", "text": line.rstrip("\n"), "lang": "az"},
                         ensure_ascii=False))
PY
"$bin" extract -q --lang az --ner transformer --out "$work/news" "$data/raw/az/news.jsonl"
python3 scripts/az-distill-ner.py "$data/raw/az/news.jsonl" "$work/news" > "$outdir/distill.conll"
"$bin" extract -q --lang az --ner transformer --out "$work/ntrex" "$work/ntrex.jsonl"
python3 scripts/az-distill-ner.py "$work/ntrex.jsonl" "$work/ntrex" > "$outdir/distill-ntrex.conll"
echo "wrote $outdir/distill.conll $outdir/distill-ntrex.conll" >&2
