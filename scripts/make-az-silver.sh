#!/bin/sh
# Builds silver Azerbaijani NER training data from the parallel NTREX news lines
# (../shared/data/raw/parallel, CC BY-SA 4.0): the English and Russian sides are tagged by
# newsclaims' own models, and scripts/az-silver-ner.py projects the names onto the
# Azerbaijani side. Lines 957-1000 (three whole documents) are left out: they are the
# hand-checked Azerbaijani news gold in corpora/ner-az-news/ (models/README.md).
#
# usage: scripts/make-az-silver.sh [OUT.conll]   (default out/ner-az/silver.conll)
set -eu
out=${1:-out/ner-az/silver.conll}
parallel=${PARALLEL:-../shared/data/raw/parallel}
bin=${NEWSCLAIMS:-target/release/newsclaims}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
for lang in en ru; do
  python3 - "$parallel/ntrex.$lang.txt" "$lang" > "$work/$lang.jsonl" <<'PY'
import json, sys
path, lang = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    for number, line in enumerate(f, start=1):
        print(json.dumps({"id": str(number), "text": line.rstrip("\n"), "lang": lang}, ensure_ascii=False))
PY
  "$bin" extract -q --lang "$lang" --out "$work/$lang" "$work/$lang.jsonl"
done
python3 scripts/az-silver-ner.py "$parallel/ntrex.az.txt" "$work/en/entities.csv" \
  "$work/ru/entities.csv" --lines 1-956 > "$out"
echo "wrote $out" >&2
