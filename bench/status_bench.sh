#!/usr/bin/env bash
# `status --json` against the seller's size (docs/performance.md, "status
# against the seller's size"): for each size, bench/gen_seller.py writes the
# seller's exports (the same generator and seed for every size; orders over
# the 90 days before T = 2026-03-01T00:00:00Z), `seller-healthd import` loads
# them into a fresh database as the daemon would (so whatever the store keeps
# beside the records is built the usual way), then `status --json --at T` runs
# RUNS times after one warm-up. Prints per size the import time, the median,
# min and max of status, and the ratio largest/smallest median (goal: 1M <=
# 1.5 x 10k). With BACKFILL_DAYS=N set, also times `backfill --days N` on
# each seller (a 90-day backfill is 90 x 24 evaluations).
#
# Usage: bench/status_bench.sh [BUILD_DIR] [RUNS] [SIZES...]
#   BUILD_DIR  a build tree with daemon/seller-healthd (default: build)
#   RUNS       timed runs of status per size (default: 10)
#   SIZES      orders per seller (default: 10000 100000 1000000)
# KEEP=DIR keeps the generated sellers in DIR (reused by the next run with
# the same KEEP: a seller whose database exists is not generated again).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${2:-10}"
shift 2 || shift $#
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
binary="$build/daemon/seller-healthd"
at="2026-03-01T00:00:00Z"
[ -x "$binary" ] || { echo "status_bench: $binary not built" >&2; exit 1; }

if [ -n "${KEEP:-}" ]; then
  work="$KEEP"; mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/shd-status-bench.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi

# Seconds, with milliseconds, of one command's wall time.
elapsed() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  printf "%.3f\n" "$(echo "scale=3; ($end - $start) / 1000000000" | bc)"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A medians
printf '%-10s %10s %10s %10s %10s %12s\n' orders import_s status_med status_min status_max backfill_s
for size in "${sizes[@]}"; do
  dir="$work/seller-$size"
  config="$dir/config.yaml"
  import_s="-"
  if [ ! -f "$dir/state.sqlite" ]; then
    rm -rf "$dir"
    python3 "$root/bench/gen_seller.py" --orders "$size" "$dir/files"
    printf 'database: "state.sqlite"\ninbox: "inbox"\nlog_level: "warn"\n' >"$config"
    sync
    import_s=$(elapsed "$binary" import --config "$config" "$dir"/files/*)
    rm -rf "$dir/files"
  fi
  "$binary" status --json --at "$at" --config "$config" >"$dir/status.json"
  times=()
  for _ in $(seq "$runs"); do
    times+=("$(elapsed "$binary" status --json --at "$at" --config "$config")")
  done
  med=$(printf '%s\n' "${times[@]}" | median)
  min=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
  max=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
  medians[$size]=$med
  backfill_s="-"
  if [ -n "${BACKFILL_DAYS:-}" ]; then
    backfill_s=$(elapsed "$binary" backfill --replace --days "$BACKFILL_DAYS" --at "$at" \
      --config "$config")
  fi
  printf '%-10s %10s %10s %10s %10s %12s\n' "$size" "$import_s" "$med" "$min" "$max" "$backfill_s"
done
smallest=${sizes[0]}
largest=${sizes[${#sizes[@]}-1]}
printf "ratio %s/%s: %.2f\n" "$largest" "$smallest" "$(echo "scale=3; ${medians[$largest]} / ${medians[$smallest]}" | bc)"
