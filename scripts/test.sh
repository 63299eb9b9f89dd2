#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: once in a normal build,
# then again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Idempotent; works in a fresh clone on Debian 12 as root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh"

jobs="$(nproc)"
export CTEST_OUTPUT_ON_FAILURE=1

echo "== build (RelWithDebInfo)"
"$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== tests"
ctest --test-dir "$root/build" --parallel "$jobs" --timeout 600

echo "== build (ASan + UBSan)"
"$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DSHD_SANITIZE=ON -DSHD_BUILD_BENCH=OFF
echo "== tests under sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" --parallel "$jobs" --timeout 900

echo "== fuzzing (tests/fuzz, clang-14; each target about 20 s)"
"$root/scripts/fuzz.sh" 20
