#!/usr/bin/env bash
# Import benchmark (docs/performance.md, "Import"): generates a realistic All
# Orders report, then times, alternately and RUNS times each,
#   - the sqlite3 shell: `.mode tabs` + `.import` into a bare table with the
#     report's columns (the floor for "read a TSV into SQLite"), and
#   - `seller-healthd import` of the same file into a fresh database,
# and prints the medians, the ratio ours/sqlite3 (goal <= 1.0) and our peak RSS
# (goal < 64 MB), measured by /usr/bin/time -v.
#
# Usage: bench/import_bench.sh [BUILD_DIR] [ROWS] [RUNS]
#   BUILD_DIR  a build tree with daemon/seller-healthd (default: build)
#   ROWS       item rows to generate (default: 1000000)
#   RUNS       runs of each importer (default: 3)
#   COUNTS=off in the environment: the same import with the triggers that keep
#   metric_counts dropped beforehand (the cost of the kept counts).
# GEN_ARGS: options for gen_all_orders.py, to time files shaped unlike the
#   default one (e.g. GEN_ARGS="--realistic --scatter-items 0.3"; see its --help).
# Needs python3, sqlite3 and GNU time (scripts/install-deps.sh installs them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
rows="${2:-1000000}"
runs="${3:-3}"
binary="$build/daemon/seller-healthd"

for tool in python3 sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || { echo "import_bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "import_bench: $binary not built" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/shd-import-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
orders="$work/orders.txt"

# shellcheck disable=SC2086  # GEN_ARGS is a list of options
python3 "$root/bench/gen_all_orders.py" --rows "$rows" ${GEN_ARGS:-} "$orders"
echo "file: $(du -h "$orders" | cut -f1), $(($(wc -l <"$orders") - 1)) item rows"

# The bare table: every column of the report, as text, no keys.
columns="$(head -n1 "$orders" | tr '\t' '\n' | sed 's/.*/"&" TEXT/' | paste -sd, -)"
echo "CREATE TABLE all_orders($columns);" >"$work/bare.sql"
printf 'database: "%s"\ninbox: "%s"\n' "$work/shd.sqlite" "$work/inbox" >"$work/config.yaml"

# Both read the file from the page cache, not the disk.
cat "$orders" >/dev/null

# Prints "WALL USER SYS MAXRSS_KB" of the command, from GNU time's -v report.
# Each run starts with nothing left to write back from the previous one, so
# neither importer pays for the other's disk writes.
measure() {
  sync
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
    echo "import_bench: failed: $*" >&2; cat "$work/err.txt" "$work/out.txt" >&2; exit 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
    /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 }
    END { printf "%.2f %.2f %.2f %d\n", wall, user, sys, rss }' "$work/time.txt"
}

: >"$work/sqlite3.txt"
: >"$work/ours.txt"
for run in $(seq 1 "$runs"); do
  rm -f "$work/bare.sqlite"
  measure sqlite3 "$work/bare.sqlite" -cmd ".read $work/bare.sql" -cmd ".mode tabs" \
    ".import --skip 1 $orders all_orders" >>"$work/sqlite3.txt"
  [ "$(sqlite3 "$work/bare.sqlite" 'SELECT COUNT(*) FROM all_orders')" = "$rows" ] ||
    { echo "import_bench: sqlite3 did not import $rows rows" >&2; exit 1; }

  rm -f "$work/shd.sqlite" "$work/shd.sqlite-wal" "$work/shd.sqlite-shm"
  if [ "${COUNTS:-on}" = off ]; then
    # The import without the kept metric counts: the schema created first,
    # then the triggers that keep metric_counts dropped.
    "$binary" check-db --config "$work/config.yaml" >/dev/null
    sqlite3 "$work/shd.sqlite" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_schema
      WHERE type = 'trigger' AND sql LIKE '%metric_counts%'" | sqlite3 "$work/shd.sqlite"
  fi
  measure "$binary" import --config "$work/config.yaml" "$orders" >>"$work/ours.txt"
  grep -q "^imported: .* ($rows rows, " "$work/out.txt" ||
    { echo "import_bench: unexpected output: $(cat "$work/out.txt")" >&2; exit 1; }
  echo "run $run: sqlite3 $(tail -n1 "$work/sqlite3.txt" | cut -d' ' -f1) s, seller-healthd $(tail -n1 "$work/ours.txt" | cut -d' ' -f1) s"
done
echo "seller-healthd: $(cat "$work/out.txt")"

python3 - "$work/sqlite3.txt" "$work/ours.txt" <<'EOF'
import statistics, sys
def load(path):
    rows = [list(map(float, line.split())) for line in open(path) if line.strip()]
    return {k: [r[i] for r in rows] for i, k in enumerate(("wall", "user", "sys", "rss"))}
base, ours = load(sys.argv[1]), load(sys.argv[2])
med = statistics.median
for name, m in (("sqlite3 .import", base), ("seller-healthd import", ours)):
    cpu = [u + s for u, s in zip(m["user"], m["sys"])]
    print(f"{name:<22} wall {med(m['wall']):6.2f} s (median of {len(m['wall'])})"
          f"  cpu {med(cpu):6.2f} s  peak RSS {max(m['rss']) / 1024:6.1f} MB")
ratio = med(ours["wall"]) / med(base["wall"])
print(f"ratio ours/sqlite3 (wall, medians): {ratio:.2f}  (goal <= 1.0)")
print(f"peak RSS of seller-healthd import: {max(ours['rss']) / 1024:.1f} MB  (goal < 64 MB)")
EOF
