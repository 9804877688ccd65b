#!/usr/bin/env bash
# Runs a command (usually cargo ... --features transformer) with the environment that
# tch's build script needs to find the libtorch unpacked by scripts/setup-libtorch.sh.
# Kept out of .cargo/config.toml so that the default build never depends on libtorch.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
torch="$root/third_party/libtorch/torch"
if [[ ! -d "$torch/lib" ]]; then
  echo "no libtorch in $torch: run scripts/setup-libtorch.sh first" >&2
  exit 1
fi
export LIBTORCH="$torch"
# The wheel's libraries were built with the pre-C++11 string ABI.
export LIBTORCH_CXX11_ABI=0
# build.rs turns this into an rpath, so binaries, tests and benches run without LD_LIBRARY_PATH.
export NEWSCLAIMS_LIBTORCH_RPATH="$torch/lib"
export LD_LIBRARY_PATH="$torch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$@"
