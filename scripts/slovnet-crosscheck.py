#!/usr/bin/env python3
"""Checks the Rust port of slovnet (`src/ner/slovnet/`) against natasha's Python reference.

Runs both on the same tokenised sentences and compares the network's tag scores (largest
absolute difference) and the CRF's tag paths. The Python side is slovnet's own numpy code
(`slovnet.exec`), loaded from the two tar files of the natasha wheel; the Rust side is the
example `slovnet_dump` on the converted model. Needs numpy, slovnet, navec (and razdel,
which slovnet imports) in the Python environment, e.g.

    python3 -m venv out/venv && out/venv/bin/pip install numpy razdel
    out/venv/bin/pip install --no-deps slovnet==0.6.0 navec==0.10.0
    cargo build --release --example slovnet_dump
    D=out/wheels/x/natasha/data   # see scripts/convert-slovnet.py
    out/venv/bin/python scripts/slovnet-crosscheck.py --ner $D/model/slovnet_ner_news_v1.tar \
        --navec $D/emb/navec_news_v1_1B_250K_300d_100q.tar [--conll FILE.conll] [--limit N]

Without --conll it uses a few built-in sentences. The converted model may drop rare words
(`--max-words`), which then get `<unk>`; the script reads the kept vocabulary from the
converted file (--model) and maps the same words to `<unk>` on the Python side. Exits 1 when
a path differs or a score differs by more than --tolerance.
"""

import argparse
import gzip
import json
import struct
import subprocess
import sys

import numpy as np
from navec import Navec
from slovnet import NER

SENTENCES = [
    "Президент России Владимир Путин встретился в Москве с главой Газпрома Алексеем Миллером .",
    "По данным РИА Новости , в Санкт-Петербурге прошла встреча министров иностранных дел стран СНГ .",
    "Компания Apple и ООО « Ромашка » подписали соглашение в Нью-Йорке 12 марта 2020 года .",
    "ЦСКА обыграл « Зенит » , сообщает ТАСС .",
    "Глава МИД РФ Сергей Лавров заявил , что Вашингтон и Брюссель ... ?!",
    "А",
]


def read_conll(path, limit):
    sents, words = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if words:
                    sents.append(words)
                    words = []
                continue
            words.append(line.split("\t")[0].split(" ")[0])
    if words:
        sents.append(words)
    return sents[:limit] if limit else sents


def kept_vocab(path):
    """The vocabulary of a converted model file (see src/ner/slovnet/model_file.rs)."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 12
    (h,) = struct.unpack_from("<I", data, pos)
    pos += 4 + h
    (g,) = struct.unpack_from("<I", data, pos)
    return set(gzip.decompress(data[pos + 4 : pos + 4 + g]).decode("utf-8").split("\n"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ner", required=True)
    ap.add_argument("--navec", required=True)
    ap.add_argument("--model", default="models/ner/ru.slovnet")
    ap.add_argument("--dump", default="target/release/examples/slovnet_dump")
    ap.add_argument("--conll")
    ap.add_argument("--limit", type=int, default=0)
    # The convolutions' products run in 16-bit integers (src/ner/slovnet/cnn.rs): on the
    # factRuEval and NEREL dev sets they move scores (logits of about +-30) by at most 0.14
    # and change no tag path.
    ap.add_argument("--tolerance", type=float, default=0.25)
    args = ap.parse_args()

    sents = read_conll(args.conll, args.limit) if args.conll else [s.split(" ") for s in SENTENCES]
    ner = NER.load(args.ner).navec(Navec.load(args.navec))
    model = ner.infer.model
    encoder = ner.infer.encoder
    vocab = kept_vocab(args.model)
    unk = encoder.words_vocab.unk_id

    rust = subprocess.run(
        [args.dump, args.model],
        input="\n".join(" ".join(s) for s in sents) + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()

    worst = 0.0
    differing = 0
    for words, line in zip(sents, rust):
        word_ids, shape_ids = encoder.item(words)
        word_ids = [i if w.lower() in vocab else unk for i, w in zip(word_ids, words)]
        inp = encoder.input([(word_ids, shape_ids)])
        emissions = model(inp.word_id, inp.shape_id, inp.pad_mask)
        path = model.head.crf.decode(emissions, ~inp.pad_mask)[0].tolist()
        got = json.loads(line)
        diff = float(np.max(np.abs(np.array(got["emissions"], dtype=np.float64) - emissions[0])))
        worst = max(worst, diff)
        if got["path"] != path:
            differing += 1
            if differing <= 5:
                print("path differs: %s\n  python %s\n  rust   %s" % (" ".join(words), path, got["path"]))
    print(
        "%d sentences, %d words: largest score difference %.2e, %d tag paths differ"
        % (len(sents), sum(map(len, sents)), worst, differing)
    )
    if len(rust) != len(sents) or differing or worst > args.tolerance:
        sys.exit(1)


if __name__ == "__main__":
    main()
