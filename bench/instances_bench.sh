#!/usr/bin/env bash
# Many-instances benchmark (docs/performance.md, "Many accounts on one host"):
# starts 1, then COUNT idle instances of the real daemon, each with its own
# configuration, database (the demo seller's data), inbox and HTTP port under
# a temporary folder, waits until every one answers /healthz, then measures
#   - memory: the sum of VmRSS over the instances (from /proc/PID/status), and
#   - CPU: the sum of utime+stime over SECONDS seconds (from /proc/PID/stat),
# and prints the figures. Every /metrics answer must carry its own account
# label. Only the processes it started are stopped (SIGTERM, by PID).
#
# Usage: bench/instances_bench.sh [BUILD_DIR] [COUNT] [SECONDS]
#   BUILD_DIR  a build tree with daemon/seller-healthd (default: build)
#   COUNT      instances in the second round (default: 50)
#   SECONDS    measuring time per round (default: 60)
# Needs curl.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
count="${2:-50}"
seconds="${3:-60}"
binary="$build/daemon/seller-healthd"
[ -x "$binary" ] || { echo "instances_bench: $binary not built" >&2; exit 1; }
command -v curl >/dev/null || { echo "instances_bench: curl is missing" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/shd-instances-bench.XXXXXX")"
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

# One demo database, imported once and copied for every account.
demo="$root/examples/demo"
printf 'database: "%s"\n' "$work/demo.sqlite" >"$work/import.yaml"
"$binary" import --config "$work/import.yaml" \
  "$demo"/all-orders-*.txt "$demo"/unshipped-*.txt "$demo"/feedback-*.txt \
  "$demo"/shipments.csv "$demo"/defects.csv "$demo"/messages.csv \
  "$demo"/account-health-US.json >/dev/null
ticks="$(getconf CLK_TCK)"
base_port=$((20000 + RANDOM % 20000))

# start N: instances acct-1..acct-N on ports base_port+1..; sets pids.
start() {
  local n="$1" i dir
  for ((i = 1; i <= n; i++)); do
    dir="$work/acct-$i"
    mkdir -p "$dir/inbox"
    cp "$work/demo.sqlite" "$dir/acct-$i.sqlite"
    cat >"$dir/acct-$i.yaml" <<YAML
database: "acct-$i.sqlite"
inbox: "inbox"
poll_interval: 60s
http:
  listen: "127.0.0.1:$((base_port + i))"
YAML
    "$binary" run --config "$dir/acct-$i.yaml" >"$dir/out.log" 2>&1 &
    pids+=("$!")
  done
  # Every instance answers /healthz (it has evaluated once) within 120 s.
  local deadline=$((SECONDS + 120))
  for ((i = 1; i <= n; i++)); do
    until curl -sf -o /dev/null "http://127.0.0.1:$((base_port + i))/healthz"; do
      if ((SECONDS > deadline)); then
        echo "instances_bench: acct-$i did not answer /healthz:" >&2
        tail -5 "$work/acct-$i/out.log" >&2
        exit 1
      fi
      sleep 0.2
    done
    curl -sf "http://127.0.0.1:$((base_port + i))/metrics" |
      grep -q "^seller_healthd_build_info{account=\"acct-$i\"," ||
      { echo "instances_bench: acct-$i: /metrics without its account label" >&2; exit 1; }
  done
}

cpu_ticks() {  # the sum of utime+stime of the running instances
  local total=0 pid fields
  for pid in "${pids[@]}"; do
    # Fields after the ")" that ends the command name: utime is the 12th, stime the 13th.
    fields="$(sed 's/.*) //' "/proc/$pid/stat")"
    total=$((total + $(echo "$fields" | awk '{print $12 + $13}')))
  done
  echo "$total"
}

rss_kib() {
  local total=0 pid
  for pid in "${pids[@]}"; do
    total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")))
  done
  echo "$total"
}

round() {
  local n="$1"
  start "$n"
  sleep 5  # let the start-up cycle's work settle
  local before after rss
  before="$(cpu_ticks)"
  sleep "$seconds"
  after="$(cpu_ticks)"
  rss="$(rss_kib)"
  awk -v n="$n" -v rss="$rss" -v cpu="$((after - before))" -v hz="$ticks" -v s="$seconds" 'BEGIN {
    printf "%3d instance(s): RSS %.1f MiB total, %.1f MiB each; CPU %.3f s in %d s (%.3f%% of one core), %.4f s per instance\n",
      n, rss / 1024, rss / 1024 / n, cpu / hz, s, 100 * cpu / hz / s, cpu / hz / n
  }'
  stop_all
}

echo "seller-healthd $("$binary" --version | awk '{print $2}'), $(nproc) CPUs, demo data in every database"
round 1
round "$count"
