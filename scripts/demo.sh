#!/usr/bin/env bash
# The demo: installs what is needed, builds seller-healthd, imports the demo
# seller's exports (examples/demo, story in examples/README.md) into a fresh
# database and prints its account health as of the demo time; then, in a
# second act, fetches the same seller from a stand-in Amazon over the
# Selling Partner API and shows the same health.
# Idempotent; works in a fresh clone on Debian 12 as root. Each run starts
# from a fresh copy in build/demo (SHD_BUILD_DIR overrides build/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh"

# The same tree and build type as scripts/test.sh, so running both builds once.
build_dir="${SHD_BUILD_DIR:-$root/build}"
# As in scripts/build.sh: ccache reuses builds made in other folders.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
echo "== build seller-healthd ($build_dir)"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  cmake -S "$root" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" --target seller-healthd --parallel "$(nproc)"
bin="$build_dir/daemon/seller-healthd"
"$bin" --version

# A fresh copy: the demo's database and inbox live beside its config.
work="$build_dir/demo"
rm -rf "$work"
cp -R "$root/examples/demo" "$work"
config="$work/config.yaml"
expected="$work/expected-status.json"

# Import order and demo time come from the expectation, so they cannot drift.
mapfile -t batches < <(python3 -c '
import json, sys
for batch in json.load(open(sys.argv[1]))["import_order"]:
    print(" ".join(batch))' "$expected")
as_of="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["as_of"])' "$expected")"
last=$((${#batches[@]} - 1))

echo
echo "== import the demo seller's exports"
cd "$work"
for i in "${!batches[@]}"; do
  read -r -a files <<<"${batches[$i]}"
  if [ "$i" -eq "$last" ] && [[ "${batches[$i]}" == *.json ]]; then
    # Amazon's own report only adds the comparison column: the demo goes on
    # without it.
    "$bin" import --config "$config" "${files[@]}" ||
      echo "demo: Amazon's account-health report was not imported; continuing without it" >&2
  else
    "$bin" import --config "$config" "${files[@]}" || {
      echo "demo: import failed (see above)" >&2
      exit 1
    }
  fi
done

echo
echo "== account health as of $as_of"
"$bin" status --config "$config" --at "$as_of"

"$bin" status --config "$config" --at "$as_of" --json >"$work/status.json"
echo
python3 - "$work/status.json" <<'EOF'
import json, sys

codes = {"ATVPDKIKX0DER": "US", "A1F83G8C2ARO7P": "UK"}
titles = {"order_defect_rate": "order defect rate", "late_dispatch_rate": "late dispatch rate",
          "cancellation_rate": "cancellation rate", "valid_tracking_rate": "valid tracking rate",
          "response_rate_24h": "24-hour response rate"}
events = {"order_defect_rate": ("order defect", "order defects"),
          "late_dispatch_rate": ("late dispatch", "late dispatches"),
          "cancellation_rate": ("cancellation", "cancellations"),
          "valid_tracking_rate": ("untracked shipment", "untracked shipments"),
          "response_rate_24h": ("late reply", "late replies")}
rows = [r for r in json.load(open(sys.argv[1]))["metrics"]
        if r["status"] in ("at_risk", "breached")]
if not rows:
    print("demo: every metric is ok (the demo expects one at risk)")
for r in rows:
    where = f"{codes.get(r['marketplace'], r['marketplace'])} {r['channel']}"
    print(f"{r['status'].upper().replace('_', ' ')}: {titles[r['metric']]}, {where}, "
          f"last {r['window_days']} days: {r['numerator']} of {r['denominator']} = "
          f"{100 * r['rate']:.2f}% (warn {100 * r['warn']:g}%, "
          f"Amazon's target {100 * r['target']:g}%)")
    if r["status"] == "at_risk":
        more = r["headroom"] + 1
        event = events[r["metric"]][0 if more == 1 else 1]
        print(f"  Not breached yet: {more} more {event} in this window and it is. "
              "Amazon's own report shows nothing yet; see examples/README.md.")
EOF

echo
echo "== check against examples/demo/expected-status.json"
python3 "$root/scripts/gen_demo.py" --compare "$work/status.json" "$expected"

# The alert it sends: the same data through the daemon's own cycle
# (`run --once --at`), with a webhook channel pointing at a small receiver on
# 127.0.0.1. The demo's config.yaml itself has no channel.
echo
echo "== the alert seller-healthd sends (run --once, webhook on 127.0.0.1)"
received="$work/webhook-bodies.jsonl"
rm -rf "$received" "$work/alert-state.sqlite"* "$work/alert-inbox"
port_file="$work/receiver.port"
rm -f "$port_file"
python3 "$root/scripts/demo_receiver.py" "$received" >"$port_file" &
receiver_pid=$!
trap 'kill "$receiver_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port="$(head -n1 "$port_file")"
mkdir -p "$work/alert-inbox"
for batch in "${batches[@]}"; do
  read -r -a files <<<"$batch"
  for f in "${files[@]}"; do cp "$work/$f" "$work/alert-inbox/"; done
done
alert_config="$work/alert-config.yaml"
cat >"$alert_config" <<YAML
account: "Demo seller"
database: "alert-state.sqlite"
inbox: "alert-inbox"
default_marketplace: "ATVPDKIKX0DER"
alerts:
  channels:
    - name: demo-webhook
      type: webhook
      url: "http://127.0.0.1:$port/alerts"
YAML
"$bin" run --once --at "$as_of" --config "$alert_config" 2>"$work/run-once.log" || true
python3 - "$received" <<'PY'
import json, sys
try:
    bodies = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
except FileNotFoundError:
    bodies = []
if not bodies:
    print("demo: no alert arrived (see run-once.log in the demo folder)")
for body in bodies:
    print(f"webhook received {len(body['alerts'])} alert(s), "
          f"idempotency key {body['idempotency_key'][:16]}...")
    for a in body["alerts"]:
        print(f"  {a['title']}")
        for line in (a.get("headroom_text"), a.get("caveat"), a.get("advice")):
            if line:
                print(f"    {line}")
    for line in body.get("upcoming", []):
        print(f"  coming: {line}")
PY
kill "$receiver_pid" 2>/dev/null || true

# Act two: the same story fetched from Amazon's Selling Partner API, here a
# stand-in Amazon (tests/support/spapi_standin.py) on 127.0.0.1 over HTTPS
# with a CA made now. It serves the demo's reports (All Orders, Unshipped,
# Feedback per marketplace, account health) as Amazon does: createReport,
# getReport, getReportDocument, then the presigned document URL (gzipped).
# searchOrders and the finances reach only the recent past, so the story's
# shipments, claims and messages (months ago) still come as files.
echo
echo "== act two: the same seller fetched from a stand-in Amazon (SP-API over HTTPS)"
act2="$work/sp-api"
rm -rf "$act2"
mkdir -p "$act2"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$act2/ca.key" -out "$act2/ca.pem" -days 1 \
  -subj "/CN=demo stand-in Amazon CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$act2/key.pem" -out "$act2/leaf.csr" \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$act2/leaf.ext"
openssl x509 -req -in "$act2/leaf.csr" -CA "$act2/ca.pem" -CAkey "$act2/ca.key" \
  -CAcreateserial -out "$act2/cert.pem" -days 1 -extfile "$act2/leaf.ext" 2>/dev/null
python3 - "$work" "$act2/seller.json" <<'PY'
import json, sys
work, out = sys.argv[1], sys.argv[2]
us, uk = "ATVPDKIKX0DER", "A1F83G8C2ARO7P"
doc = lambda name: {"document_file": f"{work}/{name}", "gzip": True}
reports = {}
for market, suffix in ((us, "US"), (uk, "UK")):
    reports[f"GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL@{market}"] = doc(f"all-orders-{suffix}.txt")
    reports[f"GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING@{market}"] = doc(f"unshipped-{suffix}.txt")
    reports[f"GET_SELLER_FEEDBACK_DATA@{market}"] = doc(f"feedback-{suffix}.txt")
reports["GET_V2_SELLER_PERFORMANCE_REPORT"] = doc("account-health-US.json")
json.dump({"client_id": "amzn1.application-oa2-client.demo", "client_secret": "demo-client-secret",
           "refresh_token": "Atzr|demo-refresh-token", "marketplaces": [us, uk],
           "reports": reports, "behaviour": {"report_polls": 0}}, open(out, "w"))
PY
python3 "$root/tests/support/spapi_standin.py" --data "$act2/seller.json" --cert "$act2/cert.pem" \
  --key "$act2/key.pem" --log "$act2/requests.log" >"$act2/port" 2>"$act2/standin.err" &
standin_pid=$!
trap 'kill "$receiver_pid" "$standin_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$act2/port" ] && break; sleep 0.1; done
standin_port="$(head -n1 "$act2/port")"
cat >"$act2/config.yaml" <<YAML
account: "Northwind Kitchen (demo, fetched)"
database: "demo.sqlite"
inbox: "inbox"
default_marketplace: "ATVPDKIKX0DER"
sp_api:
  region: na
  marketplaces: [ATVPDKIKX0DER, A1F83G8C2ARO7P]
  client_id: amzn1.application-oa2-client.demo
  client_secret: demo-client-secret
  refresh_token: "Atzr|demo-refresh-token"
  endpoint: https://127.0.0.1:$standin_port
  token_url: https://127.0.0.1:$standin_port/auth/o2/token
  ca_file: $act2/ca.pem
YAML
"$bin" fetch --config "$act2/config.yaml" || {
  echo "demo: fetch from the stand-in failed (see $act2/standin.err)" >&2
  exit 1
}
(cd "$work" && "$bin" import --config "$act2/config.yaml" shipments.csv defects.csv messages.csv) |
  tail -n 1
echo
"$bin" status --config "$act2/config.yaml" --at "$as_of"
"$bin" status --config "$act2/config.yaml" --at "$as_of" --json >"$act2/status.json"
kill "$standin_pid" 2>/dev/null || true
echo
echo "== act two against examples/demo/expected-status.json (the same story, fetched)"
python3 "$root/scripts/gen_demo.py" --compare "$act2/status.json" "$expected"
python3 - "$act2/requests.log" <<'PY'
import json, sys
log = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
counts = {}
for entry in log:
    counts[entry["operation"]] = counts.get(entry["operation"], 0) + 1
print("requests to the stand-in:", ", ".join(f"{op} {n}" for op, n in sorted(counts.items())))
print("document downloads carrying the access token:",
      sum(1 for e in log if e["operation"] == "download" and e["token_sent"]))
PY

echo
echo "demo: done; the demo database is $work/demo.sqlite"
