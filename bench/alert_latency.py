#!/usr/bin/env python3
"""File-to-alert latency (docs/performance.md, "From a dropped file to an alert").

Starts the real daemon (`seller-healthd run`, inotify on its inbox) with one
webhook channel pointing at a receiver on 127.0.0.1 in this process, then
drops DROPS files into the inbox, alternately one that breaches the
cancellation rate (10 % of 200 MFN orders cancelled) and one that brings it
back (the same orders, none cancelled): every drop fires or resolves the
alert, so every drop makes exactly one notification. A drop is a rename into
the inbox of a file written next to it, as an uploader should do; the time is
from just before the rename to the receiver reading the POST's first byte.
Prints every drop, the median and the worst; goal <= 2 s.

The drops' orders are sold on Amazon.ca, so that a seller given with
--database (sold elsewhere, e.g. bench/gen_seller.py --until now) keeps its
own numbers while every cycle still evaluates all of it.

Usage: bench/alert_latency.py [--build BUILD_DIR] [--drops 20] [--http]
                              [--database SELLER.sqlite]
  --http      also run the daemon's own HTTP endpoint (the dashboard's data
              is then read after every cycle, as on a host that serves it)
  --database  start from a copy of this database (a large seller) instead of
              an empty one
"""
import argparse
import datetime as dt
import http.server
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ORDERS = 200
CANCELLED = 20


def orders_file(drop, breaching, bought):
    # Each file differs (last-updated-date): the same bytes twice would be
    # "already imported".
    updated = (bought + dt.timedelta(minutes=10, seconds=drop)).strftime("%Y-%m-%dT%H:%M:%SZ")
    when = bought.strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = ["amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
             "fulfillment-channel\tsales-channel"]
    for i in range(ORDERS):
        status = "Cancelled" if breaching and i < CANCELLED else "Shipped"
        lines.append(f"702-0000000-{3000000 + i}\t{when}\t{updated}\t{status}\tMerchant\tAmazon.ca")
    return "\n".join(lines) + "\n"


class Receiver(http.server.BaseHTTPRequestHandler):
    arrivals = []  # (monotonic time, body)
    lock = threading.Lock()
    arrived = threading.Condition(lock)

    def do_POST(self):
        t = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        with Receiver.arrived:
            Receiver.arrivals.append((t, body))
            Receiver.arrived.notify_all()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--drops", type=int, default=20)
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--database")
    args = ap.parse_args()
    binary = os.path.join(args.build, "daemon", "seller-healthd")
    if not os.access(binary, os.X_OK):
        sys.exit(f"alert_latency: {binary} not built")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/alerts"

    with tempfile.TemporaryDirectory(prefix="shd-latency.") as work:
        inbox = os.path.join(work, "inbox")
        os.makedirs(inbox)
        if args.database:
            shutil.copyfile(args.database, os.path.join(work, "state.sqlite"))
        config = os.path.join(work, "config.yaml")
        with open(config, "w") as f:
            f.write('database: "state.sqlite"\ninbox: "inbox"\npoll_interval: "1h"\n'
                    'log_level: "info"\n')
            if args.http:
                f.write(f'http:\n  listen: "127.0.0.1:{free_port()}"\n')
            f.write(f'alerts:\n  channels:\n    - name: hook\n      type: webhook\n'
                    f'      url: "{url}"\n')
        log = open(os.path.join(work, "daemon.log"), "w+")
        daemon = subprocess.Popen([binary, "run", "--config", config], stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while "watching" not in open(log.name).read():
                if time.monotonic() > deadline or daemon.poll() is not None:
                    sys.exit("alert_latency: the daemon did not start:\n" + open(log.name).read())
                time.sleep(0.05)
            time.sleep(1.0 if not args.database else 15.0)  # the first cycle is done
            bought = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=1)
            latencies = []
            for drop in range(args.drops):
                breaching = drop % 2 == 0
                staged = os.path.join(work, f"drop-{drop}.txt")
                with open(staged, "w") as f:
                    f.write(orders_file(drop, breaching, bought))
                with Receiver.arrived:
                    before = len(Receiver.arrivals)
                t0 = time.monotonic()
                os.rename(staged, os.path.join(inbox, f"orders-{drop}.txt"))
                with Receiver.arrived:
                    ok = Receiver.arrived.wait_for(lambda: len(Receiver.arrivals) > before,
                                                   timeout=args.timeout)
                    if not ok:
                        sys.exit(f"alert_latency: drop {drop}: no notification in "
                                 f"{args.timeout} s\n" + open(log.name).read()[-3000:])
                    t1, body = Receiver.arrivals[before]
                state = "firing" if breaching else "resolved"
                if f'"state":"{state}"' not in body.decode().replace(" ", ""):
                    sys.exit(f"alert_latency: drop {drop}: expected a {state} notification, "
                             f"got {body[:300]!r}")
                latencies.append(t1 - t0)
                print(f"drop {drop + 1:2d} ({state:8s}): {1000 * (t1 - t0):7.1f} ms", flush=True)
                time.sleep(1.5)  # let the cycle and the delivery finish
            with Receiver.arrived:
                extra = len(Receiver.arrivals) - args.drops
            print(f"drops: {args.drops}, notifications: {args.drops + extra}")
            print(f"median: {1000 * statistics.median(latencies):.1f} ms, "
                  f"worst: {1000 * max(latencies):.1f} ms (goal <= 2000 ms)")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
            server.shutdown()


if __name__ == "__main__":
    main()
