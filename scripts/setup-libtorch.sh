#!/usr/bin/env bash
# Unpacks a CPU-only libtorch 2.4.0 (what tch 0.17 / rust-bert 0.23 need) into
# third_party/libtorch, for `cargo build --features transformer`.
#
# Why wheels: libtorch's own download site is not reachable from every machine, while PyPI
# is. The torch 2.4.0 wheel holds the same C++ libraries and headers. We keep only the CPU
# parts (its CUDA libraries are deleted), plus the two small CUDA runtime libraries that
# libtorch_cpu still links against. `pip install torch` would pull ~2.85 GB of CUDA
# packages instead, so the wheels are downloaded without dependencies and unpacked by hand.
#
# Idempotent: does nothing when third_party/libtorch/.complete exists. Every wheel is
# checked against its pinned sha256 before it is unpacked.
# Afterwards use scripts/with-libtorch.sh to run cargo with LIBTORCH set.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/third_party/libtorch"
if [[ -f "$dest/.complete" ]]; then
  echo "libtorch already in $dest"
  exit 0
fi
# The wheels may be cached between runs (CI, several clones) with NEWSCLAIMS_WHEEL_CACHE.
cache="${NEWSCLAIMS_WHEEL_CACHE:-$root/third_party/wheels}"
mkdir -p "$cache"
cat >"$cache/SHA256SUMS" <<'SUMS'
e743adadd8c8152bb8373543964551a7cb7cc20ba898dc8f9c0cdbe47c283de0  torch-2.4.0-cp311-cp311-manylinux1_x86_64.whl
6e258468ddf5796e25f1dc591a31029fa317d97a0a94ed93468fc86301d61e40  nvidia_cuda_runtime_cu12-12.1.105-py3-none-manylinux1_x86_64.whl
e54fde3983165c624cb79254ae9818a456eb6e87a7fd4d56a2352c24ee542d7e  nvidia_cuda_cupti_cu12-12.1.105-py3-none-manylinux1_x86_64.whl
SUMS
cd "$cache"
if ! sha256sum --quiet -c SHA256SUMS 2>/dev/null; then
  python3 -m pip download --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux1_x86_64 -d "$cache" \
    torch==2.4.0 nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105
  sha256sum -c SHA256SUMS
fi
tmp="$root/third_party/libtorch.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
# Only the libraries and headers: the Python half of the wheel is not needed.
python3 - "$cache" "$tmp" <<'PY'
import sys, zipfile, os
cache, out = sys.argv[1], sys.argv[2]
wheels = {
    "torch-2.4.0-cp311-cp311-manylinux1_x86_64.whl": ("torch/lib/", "torch/include/"),
    "nvidia_cuda_runtime_cu12-12.1.105-py3-none-manylinux1_x86_64.whl": ("nvidia/",),
    "nvidia_cuda_cupti_cu12-12.1.105-py3-none-manylinux1_x86_64.whl": ("nvidia/",),
}
for wheel, prefixes in wheels.items():
    with zipfile.ZipFile(os.path.join(cache, wheel)) as z:
        for info in z.infolist():
            if info.filename.startswith(prefixes) and not info.is_dir():
                z.extract(info, out)
PY
cd "$tmp/torch/lib"
# CUDA kernels and the Python bindings: large, and the CPU build never loads them.
rm -f libtorch_cuda*.so libc10_cuda.so libcaffe2_nvrtc.so libcusparseLt* libtorch_python.so
# libtorch_cpu finds the CUDA runtime libraries next to itself.
for lib in "$tmp"/nvidia/*/lib/*.so*; do
  ln -sf "../../nvidia/$(basename "$(dirname "$(dirname "$lib")")")/lib/$(basename "$lib")" .
done
touch "$tmp/.complete"
rm -rf "$dest"
mv "$tmp" "$dest"
echo "libtorch unpacked in $dest ($(du -sh "$dest" | cut -f1))"
