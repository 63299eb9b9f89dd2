#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh DIR [cmake options...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$1"; shift
# ccache: paths under the checkout are hashed relative to it, so a fresh clone
# in another folder (CI) reuses what an earlier build on this machine compiled.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
# Warnings are errors here and in CI, not in a plain cmake build.
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$dir" "${generator[@]}" -DSHD_WERROR=ON "$@"
else
  cmake -S "$root" -B "$dir" -DSHD_WERROR=ON "$@" >/dev/null
fi
cmake --build "$dir" --parallel "$(nproc)"
