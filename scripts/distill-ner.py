"""Turns the transformer tagger's entities on raw news into CoNLL training data for an
embedded tagger (distillation: the slow accurate model labels text the fast one then learns
from). Used for Azerbaijani and Russian (scripts/make-distill.sh); nothing in it is
language-specific.

Input: the JSON-lines corpus that `newsclaims extract --ner transformer` read, and the
entities.csv it wrote (offsets are code points into each record's text). Each record is cut
into tokens (words with inner hyphens or apostrophes, or single punctuation marks) and into
sentences (after . ! ? and at line breaks); a token takes the type of the entity it starts
in. Sentences without a letter are dropped; records the extractor did not finish (status
other than ok) are left out.

usage: distill-ner.py CORPUS.jsonl EXTRACT_DIR > OUT.conll
"""

import csv
import json
import re
import sys

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)
SENTENCE_END = {".", "!", "?"}


def read_entities(path):
    spans = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            spans.setdefault(row["doc_id"], []).append(
                (int(row["start"]), int(row["end"]), row["type"]))
    return spans


def ok_documents(path):
    with open(path, encoding="utf-8") as f:
        return {row["doc_id"] for row in csv.DictReader(f) if row["status"] == "ok"}


def sentences(text, spans):
    """(token, tag) lists of `text`, tagged from the entity `spans`."""
    starts = sorted(spans)
    out, cur, prev_end, prev_entity, k = [], [], 0, None, 0
    for m in TOKEN.finditer(text):
        if cur and "\n" in text[prev_end: m.start()]:
            out.append(cur)
            cur, prev_entity = [], None
        # Tokens come in text order and the spans are sorted and disjoint: skip the spans
        # that end before this token, then the next one holds it or none does.
        while k < len(starts) and starts[k][1] <= m.start():
            k += 1
        entity = starts[k] if k < len(starts) and starts[k][0] <= m.start() else None
        if entity is None:
            tag = "O"
        else:
            tag = ("I-" if entity == prev_entity else "B-") + entity[2]
        cur.append((m.group(), tag))
        prev_entity, prev_end = entity, m.end()
        if m.group() in SENTENCE_END:
            out.append(cur)
            cur, prev_entity = [], None
    if cur:
        out.append(cur)
    return [s for s in out if any(any(c.isalpha() for c in tok) for tok, _ in s)]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    corpus, extract_dir = sys.argv[1], sys.argv[2]
    spans = read_entities(f"{extract_dir}/entities.csv")
    ok = ok_documents(f"{extract_dir}/documents.csv")
    n_sent = n_ent = 0
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["id"] not in ok:
                continue
            for sent in sentences(record["text"], spans.get(record["id"], [])):
                for tok, tag in sent:
                    print(f"{tok}\t{tag}")
                print()
                n_sent += 1
                n_ent += sum(tag.startswith("B-") for _, tag in sent)
    print(f"{n_sent} sentences, {n_ent} entities", file=sys.stderr)


if __name__ == "__main__":
    main()
