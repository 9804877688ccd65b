#!/usr/bin/env python3
"""Converts natasha's Russian NER network (slovnet) and its navec embeddings into the
compact file that `newsclaims::ner::slovnet` loads (`models/ner/ru.slovnet`).

Python standard library only (no numpy, no slovnet): both inputs are tar files of JSON and
raw little-endian arrays, which this script copies into one file with a JSON header.
The inputs ship inside the `natasha` wheel on PyPI (MIT licence):

    pip download --no-deps natasha==1.6.0 -d out/wheels
    unzip -o -q out/wheels/natasha-1.6.0-py3-none-any.whl 'natasha/data/*' -d out/wheels/x
    D=out/wheels/x/natasha/data
    python3 scripts/convert-slovnet.py --ner $D/model/slovnet_ner_news_v1.tar \
        --navec $D/emb/navec_news_v1_1B_250K_300d_100q.tar --max-words 225000 \
        --out models/ner/ru.slovnet

`--max-words N` keeps the N most frequent words of navec's 250,000 (by its corpus counts,
ties by position) so that the file stays small; the other words then get navec's `<unk>`
vector, as any out-of-vocabulary word does. The layout is documented in
`src/ner/slovnet/model_file.rs`; the checksum is that module's `hash_bytes`.

usage: convert-slovnet.py --ner NER.tar --navec NAVEC.tar --out FILE [--max-words N]
"""

import argparse
import gzip
import json
import struct
import sys
import tarfile

MAGIC = b"NCSLOVNT"
FORMAT_VERSION = 1
CHECKSUM_SEED = 0x736C_6F76_6E65_7431
K = 0x517C_C1B7_2722_0A95
MASK = (1 << 64) - 1


def fx(h, v):
    h = ((h << 5) | (h >> 59)) & MASK
    return ((h ^ v) * K) & MASK


def hash_bytes(seed, data):
    """`newsclaims::ner::features::hash_bytes`: FxHash over little-endian u64s, then the length."""
    h = seed
    full = len(data) // 8 * 8
    for (v,) in struct.iter_unpack("<Q", data[:full]):
        h = fx(h, v)
    rem = data[full:]
    if rem:
        h = fx(h, int.from_bytes(rem + bytes(8 - len(rem)), "little"))
    return fx(h, len(data))


def read_member(tar, name):
    return tar.extractfile(tar.getmember(name)).read()


def load_ner(path):
    with tarfile.open(path) as tar:
        meta = json.loads(read_member(tar, "meta.json"))
        model = json.loads(read_member(tar, "model.json"))
        arrays = {}
        for member in tar.getmembers():
            if member.name.startswith("arrays/"):
                arrays[int(member.name[len("arrays/") : -len(".bin")])] = read_member(tar, member.name)
        vocabs = {}
        for name in ("word", "shape", "tag"):
            text = gzip.decompress(read_member(tar, "vocabs/%s.gz" % name)).decode("utf-8")
            vocabs[name] = text.splitlines()
    if meta.get("protocol") != 1:
        sys.exit("%s: slovnet protocol %r, expected 1" % (path, meta.get("protocol")))
    return meta, model, arrays, vocabs


def load_navec(path):
    with tarfile.open(path) as tar:
        meta = json.loads(read_member(tar, "meta.json"))
        vocab = gzip.decompress(read_member(tar, "vocab.bin"))
        pq = read_member(tar, "pq.bin")
    (size,) = struct.unpack_from("<I", vocab, 0)
    counts = list(struct.unpack_from("<%dI" % size, vocab, 4))
    words = vocab[4 + 4 * size :].decode("utf-8").splitlines()
    vectors, dim, qdim, centroids = struct.unpack_from("<4I", pq, 0)
    indexes = pq[16 : 16 + vectors * qdim]
    codes = pq[16 + vectors * qdim :]
    if len(words) != size or vectors != size or len(codes) != qdim * centroids * (dim // qdim) * 4:
        sys.exit("%s: inconsistent navec sizes" % path)
    return meta, words, counts, dim, qdim, centroids, indexes, codes


def array(arrays, weight, shape=None):
    if weight["dtype"] != "float32":
        sys.exit("unexpected dtype %s" % weight["dtype"])
    if shape is not None and weight["shape"] != shape:
        sys.exit("unexpected shape %s, expected %s" % (weight["shape"], shape))
    data = arrays[weight["array"]]
    n = 1
    for d in weight["shape"]:
        n *= d
    if len(data) != 4 * n:
        sys.exit("array %d: %d bytes for shape %s" % (weight["array"], len(data), weight["shape"]))
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ner", required=True, help="slovnet_ner_news_v1.tar")
    ap.add_argument("--navec", required=True, help="navec_news_v1_1B_250K_300d_100q.tar")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-words", type=int, default=None)
    args = ap.parse_args()

    ner_meta, model, arrays, vocabs = load_ner(args.ner)
    navec_meta, words, counts, dim, qdim, centroids, indexes, codes = load_navec(args.navec)
    word_emb = model["emb"]["word"]
    if word_emb["id"] != navec_meta["id"]:
        sys.exit("the NER model expects navec %r, got %r" % (word_emb["id"], navec_meta["id"]))
    if vocabs["word"] != words:
        sys.exit("the NER word vocabulary differs from navec's")
    specials = ("<unk>", "<pad>")
    if words[-2:] != list(specials):
        sys.exit("navec's vocabulary does not end with <unk>, <pad>")

    # Keep the most frequent words; store them sorted by UTF-8 bytes (the loader
    # binary-searches them) followed by <unk> and <pad>.
    ids = list(range(len(words) - 2))
    if args.max_words is not None and args.max_words < len(ids):
        ids.sort(key=lambda i: (-counts[i], i))
        ids = ids[: args.max_words]
    ids.sort(key=lambda i: words[i].encode("utf-8"))
    ids += [len(words) - 2, len(words) - 1]
    kept_words = [words[i] for i in ids]
    kept_indexes = b"".join(indexes[i * qdim : (i + 1) * qdim] for i in ids)

    shape_w = model["emb"]["shape"]["weight"]
    layers = []
    body = []
    in_dim = dim + shape_w["shape"][1]
    for layer in model["encoder"]["layers"]:
        conv, norm = layer["conv"], layer["norm"]
        out_dim, conv_in, kernel = conv["weight"]["shape"]
        if conv_in != in_dim:
            sys.exit("layer input %d, expected %d" % (conv_in, in_dim))
        layers.append({"in": in_dim, "out": out_dim, "kernel": kernel, "padding": conv["padding"]})
        body.append(array(arrays, conv["weight"]))
        body.append(array(arrays, conv["bias"], [out_dim]))
        for part in ("weight", "bias", "mean", "std"):
            body.append(array(arrays, norm[part], [out_dim]))
        in_dim = out_dim
    proj = model["head"]["proj"]
    tags = vocabs["tag"]
    body.append(array(arrays, proj["weight"], [in_dim, len(tags)]))
    body.append(array(arrays, proj["bias"], [len(tags)]))
    body.append(array(arrays, model["head"]["crf"]["transitions"], [len(tags), len(tags)]))

    header = {
        "ner_id": ner_meta["id"],
        "navec_id": navec_meta["id"],
        "tags": tags,
        "shapes": vocabs["shape"],
        "words": len(kept_words),
        "dim": dim,
        "qdim": qdim,
        "centroids": centroids,
        "shape_dim": shape_w["shape"][1],
        "layers": layers,
    }
    if shape_w["shape"][0] != len(vocabs["shape"]):
        sys.exit("shape embedding rows differ from the shape vocabulary")
    header_bytes = json.dumps(header, ensure_ascii=False).encode("utf-8")
    words_gz = gzip.compress("\n".join(kept_words).encode("utf-8"), mtime=0)

    out = bytearray(MAGIC)
    out += struct.pack("<I", FORMAT_VERSION)
    out += struct.pack("<I", len(header_bytes)) + header_bytes
    out += struct.pack("<I", len(words_gz)) + words_gz
    out += kept_indexes
    out += codes
    out += array(arrays, shape_w)
    for part in body:
        out += part
    out += struct.pack("<Q", hash_bytes(CHECKSUM_SEED, bytes(out)))
    with open(args.out, "wb") as f:
        f.write(out)
    print(
        "%s: %d words (of %d), %d layers, %d bytes"
        % (args.out, len(kept_words), len(words), len(layers), len(out)),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
