#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang-14, ASan + UBSan) in
# build-fuzz/ and runs each for SECONDS, after replaying every input in
# tests/fuzz/regressions/<target>/. Prints, per target, executions, exec/s,
# corpus size and findings; exits non-zero on any crash, leak, timeout or OOM.
#
#   scripts/fuzz.sh SECONDS [TARGET...]      e.g. scripts/fuzz.sh 20, scripts/fuzz.sh 60 config
#   SHD_FUZZ_RUNS=10000000 scripts/fuzz.sh 36000 parse   stop after that many executions
#
# Corpora grow in build-fuzz/corpus/<target>; the seeds are read in place from
# the directories listed below. Findings land in build-fuzz/findings/<target>/.
# docs/fuzzing.md says how to turn one into a regression.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2
  exit 2
fi
seconds="$1"
shift

all_targets=(parse format_all_orders format_unshipped format_feedback format_shipments
  format_defects format_messages account_health delimited decode time config http mail
  imap_response spapi)
targets=("${@:-${all_targets[@]}}")

# Seed directories per target (read-only; libFuzzer reads them recursively).
export_seeds=(tests/data/samples tests/data/gzip tests/data/worked-example examples/demo)
seeds_for() {
  case "$1" in
    parse | format_* | account_health | delimited | decode) echo "${export_seeds[@]}" ;;
    time) echo tests/fuzz/seeds/time ;;
    config) echo config examples/demo tests/data/worked-example ;;
    http) echo tests/fuzz/seeds/http ;;
    mail) echo tests/fuzz/seeds/mail ;;
    imap_response) echo tests/fuzz/seeds/imap_response ;;
    spapi) echo tests/fuzz/seeds/spapi ;;
    *) echo "fuzz.sh: unknown target $1" >&2; exit 2 ;;
  esac
}

for t in "${targets[@]}"; do
  seeds_for "$t" >/dev/null
done

build="$root/build-fuzz"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSHD_FUZZ=ON -DSHD_BUILD_TESTS=OFF -DSHD_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" --target fuzz_targets -j "$(nproc)"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
common=(-rss_limit_mb=512 -timeout=5 -max_len=16384)
runs=()
if [ -n "${SHD_FUZZ_RUNS:-}" ]; then
  runs=(-runs="$SHD_FUZZ_RUNS")
fi

failed=()
printf '%-18s %12s %9s %8s  %s\n' target executions exec/s corpus findings
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  read -r -a seeds <<<"$(seeds_for "$t")"
  log_dir="$build/logs"
  mkdir -p "$build/corpus/$t" "$build/findings/$t" "$log_dir"

  # Every input that once failed must pass now.
  regressions=(tests/fuzz/regressions/"$t"/*)
  if [ -e "${regressions[0]}" ]; then
    if ! "$bin" "${common[@]}" "${regressions[@]}" >"$log_dir/$t.regressions.log" 2>&1; then
      echo "$t: a regression input fails again (see $log_dir/$t.regressions.log)" >&2
      failed+=("$t")
      continue
    fi
  fi

  status=0
  "$bin" "${common[@]}" "${runs[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$build/findings/$t/" "$build/corpus/$t" "${seeds[@]}" \
    >"$log_dir/$t.log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log_dir/$t.log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log_dir/$t.log" | tail -1)"
  corpus="$(find "$build/corpus/$t" -type f | wc -l)"
  findings=0  # libFuzzer stops at its first finding
  if [ "$status" -ne 0 ]; then
    findings="$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error|SUMMARY: [A-Za-z]+' "$log_dir/$t.log" || echo "exit $status") (log: $log_dir/$t.log)"
    failed+=("$t")
  fi
  printf '%-18s %12s %9s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "${findings:-0}"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in: ${failed[*]} (inputs in build-fuzz/findings/<target>/)" >&2
  exit 1
fi
echo "fuzz: no findings"
