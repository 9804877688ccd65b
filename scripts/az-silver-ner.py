#!/usr/bin/env python3
"""Silver Azerbaijani NER labels from parallel news lines (NTREX az/en/ru).

The English and Russian sides are tagged by newsclaims itself (`extract`, entities.csv);
each name found there is looked for on the Azerbaijani side of the same line, where names
are transliterated and take case suffixes ("Trump" -> "Trampın", "Москва" -> "Moskvada"):
the Azerbaijani token run whose letters, folded to plain Latin, best match the name's
(ignoring what a suffix adds at the end) gets the type. A line is kept only if every name
of both sides found its place and the two sides agree on the types; all other tokens are O.

Usage (see models/README.md):
  scripts/az-silver-ner.py AZ.txt EN_ENTITIES.csv RU_ENTITIES.csv --lines A-B > OUT.conll

Standard library only. Deterministic.
"""

import argparse
import csv
import difflib
import re
import sys
import unicodedata

# Russian Cyrillic -> Azerbaijani-like Latin (as Azerbaijani transliterates Russian names).
RU = dict(zip("абвгдежзийклмнопрстуфхцчшщъыьэюяё",
              ["a", "b", "v", "q", "d", "e", "j", "z", "i", "y", "k", "l", "m", "n", "o",
               "p", "r", "s", "t", "u", "f", "x", "ts", "c", "s", "sc", "", "i", "", "e",
               "yu", "ya", "yo"]))
# Letters folded for comparison: Azerbaijani and English spellings of the same name.
FOLD = str.maketrans({"ə": "e", "ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u",
                      "x": "h", "q": "g", "w": "v", "j": "c", "y": "i", "k": "c"})

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


def fold(text, lang):
    text = unicodedata.normalize("NFC", text).lower()
    if lang == "ru":
        text = "".join(RU.get(c, c) for c in text)
    text = text.translate(FOLD)
    # English spellings: "ph" -> f, "th" -> t, doubled letters once.
    text = text.replace("ph", "f").replace("th", "t").replace("sh", "s").replace("ch", "c")
    text = re.sub(r"(\w)\1", r"\1", text)
    return re.sub(r"[^a-z0-9 ]", "", text)


def entities(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(int(row["doc_id"]), []).append((row["text"], row["type"]))
    return out


def best_place(name, lang, tokens, taken):
    """The token run of `tokens` that best spells `name` (score, start, end)."""
    target = fold(name, lang)
    n = len(name.split())
    best = (0.0, None, None)
    for length in {max(1, n - 1), n, n + 1}:
        for start in range(len(tokens) - length + 1):
            end = start + length
            if any(taken[start:end]) or not tokens[start][0].isupper():
                continue
            if not all(t[0].isalnum() for t in tokens[start:end]):
                continue
            words = [fold(t, "az") for t in tokens[start:end]]
            # A case suffix may follow the last word's stem: compare against prefixes of
            # it that are at least the name's last word long, less two letters.
            last = words[-1]
            head = " ".join(words[:-1])
            for cut in range(len(last), max(0, len(last) - 5), -1):
                cand = (head + " " + last[:cut]).strip()
                score = difflib.SequenceMatcher(None, target, cand).ratio()
                if score > best[0]:
                    best = (score, start, end)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("az")
    ap.add_argument("en_entities")
    ap.add_argument("ru_entities")
    ap.add_argument("--lines", default="1-1000", help="1-based line range to use, A-B")
    ap.add_argument("--min-score", type=float, default=0.8)
    ap.add_argument("--all", action="store_true",
                    help="keep every line, also those where a name found no place (a start for hand checking)")
    args = ap.parse_args()
    first, last = (int(x) for x in args.lines.split("-"))
    en, ru = entities(args.en_entities), entities(args.ru_entities)
    kept = dropped = names = 0
    with open(args.az, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not first <= number <= last:
                continue
            tokens = TOKEN.findall(line.strip())
            if not tokens:
                continue
            tags = ["O"] * len(tokens)
            taken = [False] * len(tokens)
            ok = True
            found = {}
            for lang, ents in (("en", en.get(number, [])), ("ru", ru.get(number, []))):
                for name, kind in ents:
                    score, start, end = best_place(name, lang, tokens, [False] * len(tokens))
                    if start is None or score < args.min_score:
                        if lang == "en":
                            ok = False
                        continue
                    if (start, end) in found and found[(start, end)] != kind:
                        ok = False
                    found[(start, end)] = kind
            for (start, end), kind in sorted(found.items()):
                if any(taken[start:end]):
                    ok = False
                    break
                for i in range(start, end):
                    taken[i] = True
                    tags[i] = ("B-" if i == start else "I-") + kind
            if not ok and not args.all:
                dropped += 1
                continue
            kept += 1
            names += len(found)
            for token, tag in zip(tokens, tags):
                print(f"{token}\t{tag}")
            print()
    print(f"az-silver-ner: kept {kept} lines with {names} names, dropped {dropped}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
