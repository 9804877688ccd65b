#!/bin/sh
# Splits the Azerbaijani NER training file into train (first 90 % of sentences) and dev
# (every sentence from index floor(0.9 * n) on), deterministically, without copying the data
# into the repository: the output goes to a directory of your choice (default out/ner-az,
# which git ignores).
#
# usage: scripts/split-az-dev.sh [INPUT.conll] [OUTDIR]
set -eu
in=${1:-../shared/data/ner/az/aznerm.train.conll}
outdir=${2:-out/ner-az}
mkdir -p "$outdir"
# Count sentences: a sentence is a maximal run of non-blank lines.
n=$(awk 'NF { if (!insent) { n++; insent = 1 } next } { insent = 0 } END { print n + 0 }' "$in")
cut=$(( n * 9 / 10 ))
awk -v cut="$cut" -v train="$outdir/train.conll" -v dev="$outdir/dev.conll" '
  NF { if (!insent) { idx++; insent = 1 } out = (idx <= cut) ? train : dev; print > out; next }
  { if (insent) print "" > out; insent = 0 }
' "$in"
echo "$in: $n sentences -> $outdir/train.conll (first $cut), $outdir/dev.conll ($(( n - cut )))" >&2
