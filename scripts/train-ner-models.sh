#!/bin/sh
# Retrains the shipped NER models (models/ner/{en,ru,az}.bin, and ru-stacked.bin, the Russian
# perceptron stacked on models/ner/ru.slovnet) and their name gates
# (models/ner/{en,ru,az}.name-gate.tsv) from the development data in ../shared/data
# (which must not be copied into this repository). Deterministic: the same data and seed
# give byte-identical models. Word-cluster caches go to out/ (git-ignored).
#
# usage: scripts/train-ner-models.sh [en|ru|ru-fast|az ...]   (default: en ru az; ru-fast
# retrains only ru.bin, the fast Russian perceptron, from the shipped default tagger)
set -eu
D=${DATA:-../shared/data}
NC=${NC:-target/release/newsclaims}
mkdir -p out models/ner
langs=${*:-en ru az}
for lang in $langs; do
  case $lang in
  en)
    "$NC" train ner --lang en --seed 1 --gazetteer \
      --train "$D/ner/en/conll2003.train.conll" --dev "$D/ner/en/conll2003.dev.conll" \
      --raw "$D/raw/en/reuters21578.jsonl" --clusters-cache out/clusters-en.tsv \
      --out models/ner/en.bin
    # The name gate (models/README.md, "Name gates"): 2 words each side, the perceptron's
    # context.
    "$NC" train name-gate --lang en --raw "$D/raw/en/reuters21578.jsonl" \
      --conll "$D/ner/en/conll2003.train.conll" --margin 2 --out models/ner/en.name-gate.tsv ;;
  ru)
    # The stacked model's word clusters come from navec's vectors (inside ru.slovnet), not
    # from raw text: see models/README.md, "Word clusters from navec". It also learns from
    # raw RuCoCo news labelled by the transformer model ("Russian news: distilled from the
    # transformer"; NCT as for az below; kept in out/ner-ru: delete it to relabel).
    if [ ! -s out/ner-ru/distill.conll ]; then
      DATA="$D" NCT="${NCT:-$NC}" scripts/make-distill.sh ru out/ner-ru
    fi
    "$NC" train ner --lang ru --seed 1 --gazetteer \
      --train "$D/ner/ru/nerel.train.conll" out/ner-ru/distill.conll \
      --dev "$D/ner/ru/nerel.dev.conll" \
      --navec-clusters models/ner/ru.slovnet --coarse-clusters 256 --fine-clusters 2048 \
      --navec-clusters-cache out/navec-clusters-ru-256-2048.tsv \
      --slovnet models/ner/ru.slovnet --out models/ner/ru-stacked.bin
    # The name gate: the tagger sees only the words within 5 of a possible name (slovnet's
    # three convolutions see 3 words each side, the perceptron over them 2 more).
    "$NC" train name-gate --lang ru --raw "$D/raw/ru/rucoco.jsonl" \
      --conll "$D/ner/ru/nerel.train.conll" --margin 5 --out models/ner/ru.name-gate.tsv
    # The fast perceptron learns from the default tagger just trained.
    DATA="$D" NC="$NC" "$0" ru-fast ;;
  ru-fast)
    # ru.bin (`--ner perceptron`): the plain perceptron, uptrained. The default tagger
    # (ru-stacked.bin on slovnet, with the name gate) labels all of RuCoCo (1.0 M words,
    # `extract`, then scripts/distill-ner.py), and the perceptron learns from NEREL train and
    # those labels, with navec's word clusters (models/README.md, "The fast Russian tagger").
    rm -rf out/ner-ru/uptrain
    mkdir -p out/ner-ru
    "$NC" extract -q --lang ru --out out/ner-ru/uptrain "$D/raw/ru/rucoco.jsonl"
    python3 scripts/distill-ner.py "$D/raw/ru/rucoco.jsonl" out/ner-ru/uptrain \
      > out/ner-ru/uptrain.conll
    "$NC" train ner --lang ru --seed 1 --gazetteer \
      --train "$D/ner/ru/nerel.train.conll" out/ner-ru/uptrain.conll \
      --dev "$D/ner/ru/nerel.dev.conll" \
      --navec-clusters models/ner/ru.slovnet --coarse-clusters 256 --fine-clusters 2048 \
      --navec-clusters-cache out/navec-clusters-ru-256-2048.tsv --out models/ner/ru.bin ;;
  az)
    scripts/split-az-dev.sh "$D/ner/az/aznerm.train.conll" out/ner-az
    # Raw Azerbaijani news labelled by the transformer model (models/README.md, "Azerbaijani
    # news: distilled from the transformer"); NCT must be a build with the transformer
    # feature. Kept in out/ner-az between runs: delete the files to relabel.
    if [ ! -s out/ner-az/distill.conll ] || [ ! -s out/ner-az/distill-ntrex.conll ]; then
      DATA="$D" NCT="${NCT:-$NC}" scripts/make-distill.sh az out/ner-az
    fi
    "$NC" train ner --lang az --seed 1 --gazetteer \
      --train out/ner-az/train.conll out/ner-az/distill.conll out/ner-az/distill-ntrex.conll \
      --dev out/ner-az/dev.conll \
      --transfer "$D/ner/tr/turkish-wiki-ner.train.conll" \
      --raw "$D/raw/az/news.jsonl" "$D/raw/az/legal.jsonl" "$D/raw/az/nutch.txt" \
      --clusters-cache out/clusters-az.tsv \
      --out models/ner/az.bin
    "$NC" train name-gate --lang az \
      --raw "$D/raw/az/news.jsonl" "$D/raw/az/legal.jsonl" "$D/raw/az/nutch.txt" \
      --conll out/ner-az/train.conll --margin 2 --out models/ner/az.name-gate.tsv ;;
  *) echo "unknown language $lang" >&2; exit 2 ;;
  esac
done
