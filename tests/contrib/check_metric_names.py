#!/usr/bin/env python3
"""Every metric name the Grafana dashboard and the Prometheus rules in contrib/
query is one the daemon exports (or a recording rule of the rules file).

The exported names come from a real scrape: the binary imports an All
Orders report of a few orders placed two days ago into a fresh database (so
every window has data and every family is there), runs with an HTTP endpoint
on a free loopback port, and /metrics is read once it answers.

Usage: check_metric_names.py --binary BIN --source-dir DIR
Exit 0 when every name is known, 1 listing the unknown ones.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

NAME = re.compile(r"(?<![\w:\"'$.{])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{\[(]|\s|$|\)|==|>|<|\*|\+|-|/)")
FUNCTIONS_AND_KEYWORDS = {
    "sum", "max", "min", "avg", "count", "by", "without", "on", "ignoring", "group_left",
    "group_right", "time", "increase", "rate", "label_values", "and", "or", "unless", "bool",
    "up", "offset", "humanizeDuration",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recent_orders(path):
    placed = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 2 * 86400))
    rows = ["amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\tasin"]
    for i, status in enumerate(["Shipped", "Shipped", "Cancelled"]):
        rows.append(f"111-000000{i}-000000{i}\t{placed}\t{status}\tMerchant\tAmazon.com\tS{i}\tB0{i}")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")


def scrape(binary):
    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        config = os.path.join(work, "acme.yaml")
        with open(config, "w") as f:
            # One channel, so the per-channel delivery families exist.
            f.write(f'database: "db.sqlite"\ninbox: "inbox"\nhttp:\n  listen: "127.0.0.1:{port}"\n'
                    f'alerts:\n  channels:\n    - name: ops\n      type: webhook\n'
                    f'      url: "http://127.0.0.1:{free_port()}/hook"\n')
        os.mkdir(os.path.join(work, "inbox"))
        orders = os.path.join(work, "orders.txt")
        recent_orders(orders)
        subprocess.run([binary, "import", "--config", config, orders], check=True,
                       stdout=subprocess.DEVNULL)
        daemon = subprocess.Popen([binary, "run", "--config", config],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                        text = r.read().decode()
                    if "seller_healthd_metric_ratio" in text:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or daemon.poll() is not None:
                    raise SystemExit("check_metric_names: the daemon did not serve /metrics")
                time.sleep(0.2)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=15)
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def names_in(expr):
    # Strings inside {...} are label matchers, not names.
    expr = re.sub(r"\{[^}]*\}", "{}", expr)
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)
    expr = re.sub(r'"[^"]*"', '""', expr)
    # Label lists of by (...), without (...), on (...), and label_values' label.
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    expr = re.sub(r",\s*\w+\s*\)", ")", expr)
    return {m for m in NAME.findall(expr) if m not in FUNCTIONS_AND_KEYWORDS
            and not re.fullmatch(r"[0-9.]+|[a-z]", m) and not m.startswith("$")}


def dashboard_exprs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str):
                yield value
            else:
                yield from dashboard_exprs(value)
    elif isinstance(node, list):
        for item in node:
            yield from dashboard_exprs(item)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--source-dir", required=True)
    args = parser.parse_args()
    contrib = os.path.join(args.source_dir, "contrib")

    exported = scrape(args.binary)
    with open(os.path.join(contrib, "prometheus", "seller-healthd.rules.yml")) as f:
        rules = yaml.safe_load(f)
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    rule_exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    with open(os.path.join(contrib, "grafana", "seller-healthd.json")) as f:
        dashboard = json.load(f)
    panel_exprs = list(dashboard_exprs(dashboard))

    problems = []
    used = set()
    for where, exprs in (("rules", rule_exprs), ("dashboard", panel_exprs)):
        for expr in exprs:
            for name in names_in(expr):
                used.add(name)
                if name in exported or name in recorded:
                    continue
                if name == "up" and where == "rules":
                    continue
                problems.append(f"{where}: {name} is neither exported nor recorded (in: {expr.strip()})")
    if not any(n.startswith("seller_healthd_metric_") for n in used):
        problems.append("no seller_healthd_metric_* name found: the expression parsing is broken")
    for p in problems:
        print(f"check_metric_names: {p}", file=sys.stderr)
    print(f"{len(used)} names used, {len(exported)} exported, {len(recorded)} recorded")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
