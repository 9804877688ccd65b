#!/bin/sh
# A cross-language check of attribution recall on parallel news: the NTREX-128 lines in
# ../shared/data/raw/parallel/ are the same 1,000 sentences in English, Russian and
# Azerbaijani. `newsclaims extract` runs on each side (one line per document, the language
# given), and the script counts the lines with at least one claim per language and the lines
# where English and Russian both find a claim but Azerbaijani does not (likely misses of the
# Azerbaijani rules; the English labeller also finds PolNeAR-style beliefs and plans, so not
# every English claim is a reported statement). With --list it prints those lines.
# Not an accuracy score: it points at constructions to cover.
#
# usage: scripts/ntrex-claims-check.sh [--list]   (NC: the binary, default target/release/newsclaims)
set -eu
data=${DATA:-../shared/data}
bin=${NC:-target/release/newsclaims}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for lang in en ru az; do
  python3 - "$data/raw/parallel/ntrex.$lang.txt" "$lang" > "$work/$lang.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    for number, line in enumerate(f, start=1):
        print(json.dumps({"id": f"n{number}", "text": line.rstrip("\n"), "lang": sys.argv[2]},
                         ensure_ascii=False))
PY
  "$bin" extract -q --lang "$lang" --out "$work/$lang" "$work/$lang.jsonl"
done
python3 - "$work" "${1:-}" <<'PY'
import csv, json, os, sys
work, listing = sys.argv[1], sys.argv[2] == "--list"
lines, claims = {}, {}
for lang in ("en", "ru", "az"):
    with open(os.path.join(work, lang, "claims.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    claims[lang] = len(rows)
    lines[lang] = {r["doc_id"] for r in rows}
    print(f"{lang}: {claims[lang]} claims on {len(lines[lang])} of 1000 lines")
missed = sorted(lines["en"] & lines["ru"] - lines["az"], key=lambda d: int(d[1:]))
print(f"lines with an English and a Russian claim but no Azerbaijani one: {len(missed)}")
print(f"lines with an Azerbaijani claim but no English one: {len(lines['az'] - lines['en'])}")
if listing:
    with open(os.path.join(work, "az.jsonl"), encoding="utf-8") as f:
        text = {json.loads(l)["id"]: json.loads(l)["text"] for l in f}
    for d in missed:
        print(f"{d}\t{text[d]}")
PY
