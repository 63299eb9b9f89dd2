#!/usr/bin/env python3
"""Writes one seller's export files for the status benchmark (bench/status_bench.sh):
ORDERS orders purchased over the 90 days before T = 2026-03-01T00:00:00Z, with the
distributions of bench/metrics_bench.cpp, as files the daemon imports (so whatever the
store writer keeps beside the records is kept too):

  orders.txt     All Orders report (tab-separated, one item per order)
  shipments.csv  every MFN order not cancelled: ship-by 2 days after purchase, confirmed
                 2-60 h after it (about 8 % late), 3 % without tracking, 1 % invalid
  unshipped.txt  a tenth of the last two days' MFN orders (no shipment row yet)
  defects.csv    0.5 % of orders, a quarter of them decided for the seller or removed
  messages.csv   ORDERS / 20 buyer messages, 80 % answered

Marketplaces US/UK/DE at 50/30/20 %, half the orders MFN, 1.5 % cancelled (a fifth by
the buyer). A pure function of --orders and --seed.

--until now (or an ISO-8601 time) moves T, e.g. for a seller a running daemon evaluates.

Usage: gen_seller.py --orders 1000000 [--seed 1] [--until TIME] OUTPUT_DIR
"""
import argparse
import datetime as dt
import os
import random

T = 1772323200  # 2026-03-01T00:00:00Z, unless --until
DAY = 86400
MARKETPLACES = [("Amazon.com", "ATVPDKIKX0DER", 0.5), ("Amazon.co.uk", "A1F83G8C2ARO7P", 0.8),
                ("Amazon.de", "A1PA6795UKMFR9", 1.0)]


def iso(unix):
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--until")
    ap.add_argument("output")
    args = ap.parse_args()
    global T
    if args.until == "now":
        T = int(dt.datetime.now(dt.timezone.utc).timestamp()) // 3600 * 3600
    elif args.until:
        T = int(dt.datetime.fromisoformat(args.until.replace("Z", "+00:00")).timestamp())
    rng = random.Random(args.seed)
    os.makedirs(args.output, exist_ok=True)
    path = lambda name: os.path.join(args.output, name)
    n = args.orders
    with open(path("orders.txt"), "w") as orders, open(path("shipments.csv"), "w") as ships, \
            open(path("unshipped.txt"), "w") as unshipped, \
            open(path("defects.csv"), "w") as defects:
        orders.write("amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
                     "fulfillment-channel\tsales-channel\titem-status\t"
                     "is-buyer-requested-cancellation\n")
        ships.write("order_id,latest_ship_date,confirmed_at,tracking_id,carrier,tracking_valid\n")
        unshipped.write("order-id\tpurchase-date\tpromise-date\tsales-channel\n")
        defects.write("order_id,kind,occurred_at,status,rating\n")
        sample = []
        for i in range(n):
            # Unique, scattered like Amazon's: a bijection of the counter.
            s = (i + 1) * 2654435761 % 10**14
            oid = f"{100 + i % 900:03d}-{s // 10**7:07d}-{s % 10**7:07d}"
            pick = rng.random()
            channel = next(m for m in MARKETPLACES if pick < m[2])[0]
            mfn = rng.random() < 0.5
            purchased = T - 90 * DAY + 1 + int(rng.random() * (90 * DAY - 1))
            cancelled = rng.random() < 0.015
            buyer = cancelled and rng.random() < 0.2
            status = "Cancelled" if cancelled else "Shipped"
            orders.write(f"{oid}\t{iso(purchased)}\t{iso(purchased + 3600)}\t{status}\t"
                         f"{'Merchant' if mfn else 'Amazon'}\t{channel}\t{status}\t"
                         f"{'true' if buyer else 'false'}\n")
            if i % 20 == 0:
                sample.append(oid)
            latest_ship = purchased + 2 * DAY
            if mfn and not cancelled:
                if purchased > T - 2 * DAY and rng.random() < 0.1:
                    unshipped.write(f"{oid}\t{iso(purchased)}\t{iso(latest_ship)}\t{channel}\n")
                else:
                    confirmed = purchased + rng.randint(2 * 3600, 60 * 3600)
                    tracking = "" if rng.random() < 0.03 else "1Z" + oid.replace("-", "")
                    valid = "false" if rng.random() < 0.01 else ""
                    ships.write(f"{oid},{iso(latest_ship)},"
                                f"{iso(confirmed) if confirmed <= T else ''},{tracking},UPS,"
                                f"{valid}\n")
            if rng.random() < 0.005:
                kind = rng.choice(["negative_feedback", "a_to_z_claim", "chargeback"])
                occurred = purchased + rng.randint(DAY, 30 * DAY)
                if occurred <= T:
                    decided = rng.random() < 0.25
                    status = {"negative_feedback": "removed", "a_to_z_claim": "granted",
                              "chargeback": "reversed"}[kind] if decided else ""
                    rating = "1" if kind == "negative_feedback" else ""
                    defects.write(f"{oid},{kind},{iso(occurred)},{status},{rating}\n")
    with open(path("messages.csv"), "w") as messages:
        messages.write("message_id,order_id,marketplace_id,received_at,responded_at,"
                       "no_response_needed\n")
        for i in range(max(1, n // 20)):
            received = T - 90 * DAY + 1 + int(rng.random() * (90 * DAY - 1))
            roll = rng.random()
            order = rng.choice(sample) if roll < 0.8 else ""
            marketplace = rng.choice(MARKETPLACES)[1] if roll < 0.4 else ""
            replied = received + rng.randint(600, 40 * 3600)
            responded = iso(replied) if rng.random() < 0.8 and replied <= T else ""
            quiet = "true" if rng.random() < 0.1 else "false"
            messages.write(f"M{i:09d},{order},{marketplace},{iso(received)},{responded},{quiet}\n")


if __name__ == "__main__":
    main()
