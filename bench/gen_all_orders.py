#!/usr/bin/env python3
"""Writes a realistic All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL)
for the import benchmark: tab-separated, the report's 36 columns, one row per item.

Orders have 1-3 items (one line per SKU, items of one order on adjacent rows, as Amazon
writes them), 40% AFN, about 5% cancelled (30% of those by the buyer), 2% pending, 2%
unshipped, over 3 marketplaces; order IDs are scattered like Amazon's and rows come in
purchase-date order like the BY_ORDER_DATE report. The output is a pure function of --rows
and --seed, so runs are comparable.

Usage: gen_all_orders.py --rows 1000000 [--seed 1] [--start 2025-01-01 --days 300] [variations] OUTPUT

Variations (the default is the file above, byte for byte), so that the benchmark also runs on
files shaped like ones we did not make:
  --columns {report,full,minimal}  the 36 columns; every column Amazon's All Orders family has
                                   been seen with (50); or only the required and used ones
  --shuffle-columns                columns in a random order (the header says which is which)
  --names {plain,long,intl}        product names as above; 80-200 characters with commas,
                                   slashes and brackets; long and with accented and CJK
                                   characters (no `"`: the sqlite3 shell reads it as a quote)
  --max-items N                    1-N items an order (default 3)
  --statuses {basic,all}           also Shipping, PartiallyShipped and the API's "Canceled"
  --marketplaces N                 3 (default) to 11 Amazon marketplaces
  --offsets                        dates in the marketplace's local offset (-07:00, +01:00, ...)
  --crlf                           CRLF line ends
  --scatter-items P                a share P of multi-item orders has its later items written
                                   further down the file, not on adjacent rows
  --item-dates                     last-updated-date differs between the items of an order
  --random-ids                     order IDs drawn at random, as Amazon's are (the default's
                                   come from a counter times a constant: scattered, but in
                                   ascending runs of about 37,000 orders, which a B-tree
                                   takes far more kindly)
  --realistic                      all of the above at realistic settings: full, shuffled,
                                   long names, 11 marketplaces, all statuses, offsets,
                                   random IDs
"""

import argparse
import datetime
import random
import sys

HEADER = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date",
    "order-status", "fulfillment-channel", "sales-channel", "order-channel", "url",
    "ship-service-level", "product-name", "sku", "asin", "item-status", "quantity",
    "currency", "item-price", "item-tax", "shipping-price", "shipping-tax",
    "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
    "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code",
    "ship-country", "promotion-ids", "cpf", "is-business-order", "purchase-order-number",
    "price-designation", "signature-confirmation-recommended",
    "is-buyer-requested-cancellation", "buyer-requested-cancel-reason",
]

# (sales channel, currency, country, order-id prefix, cities)
MARKETPLACES = [
    ("Amazon.com", "USD", "US", "111", [("SPRINGFIELD", "IL", "62704"), ("AUSTIN", "TX", "73301"),
                                        ("SEATTLE", "WA", "98101")]),
    ("Amazon.ca", "CAD", "CA", "702", [("TORONTO", "ON", "M5H 2N2"), ("VANCOUVER", "BC", "V6B 1A1")]),
    ("Amazon.co.uk", "GBP", "GB", "203", [("LONDON", "", "SW1A 1AA"), ("LEEDS", "", "LS1 4AP")]),
]

# (sales channel, currency, country, order-id prefix, cities, UTC offset in hours)
MORE_MARKETPLACES = [
    ("Amazon.de", "EUR", "DE", "302", [("MÜNCHEN", "BY", "80331"), ("KÖLN", "NW", "50667")]),
    ("Amazon.fr", "EUR", "FR", "402", [("PARIS", "", "75001"), ("ORLÉANS", "", "45000")]),
    ("Amazon.it", "EUR", "IT", "403", [("MILANO", "MI", "20121")]),
    ("Amazon.es", "EUR", "ES", "404", [("MÁLAGA", "MA", "29001")]),
    ("Amazon.com.mx", "MXN", "MX", "701", [("CIUDAD DE MÉXICO", "CDMX", "06000")]),
    ("Amazon.co.jp", "JPY", "JP", "503", [("東京都", "", "100-0001")]),
    ("Amazon.in", "INR", "IN", "405", [("MUMBAI", "MH", "400001")]),
    ("Amazon.com.au", "AUD", "AU", "250", [("SYDNEY", "NSW", "2000")]),
]
OFFSETS = {"US": -7, "CA": -5, "GB": 0, "DE": 1, "FR": 1, "IT": 1, "ES": 1, "MX": -6, "JP": 9,
           "IN": 5.5, "AU": 10}

# Columns seen in the All Orders family beyond the 36 above (archived variant, newer reports).
EXTRA_COLUMNS = [
    "ship-promotion-id", "customized-url", "customized-page", "is-heavy-or-bulky",
    "is-replacement-order", "original-order-id", "is-iba", "is-transparency", "is-prime",
    "is-premium-order", "is-sold-by-ab", "is-global-express-enabled", "licensee-name",
    "license-number",
]
REQUIRED_AND_USED = [
    "amazon-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "sku", "asin", "item-status", "quantity",
    "is-buyer-requested-cancellation",
]

LONG_WORDS = ["Premium", "Stainless", "Steel", "Deluxe", "Edition,", "Compatible", "with",
              "iPhone", "15/14/13", "Pro", "Max", "-", "2-Pack", "(Black)", "Heavy-Duty",
              "Organic", "Cotton", "Queen", "Size", "Bed", "Sheet", "Set,", "4", "Piece",
              "Dishwasher", "Safe", "BPA-Free", "12oz", "/", "355ml", "for", "Kids", "&", "Adults"]
INTL_WORDS = ["Crème", "brûlée", "Müsli", "Größe", "Fußball", "Café", "Señor", "Ørsted",
              "Kühlschrank", "Édition", "スマホ", "ケース", "防水", "日本製", "Süßigkeiten", "—"]

PRODUCTS = [
    "Bamboo Cutting Board (Large)", "Phone Stand for Desk", "Personalized Photo Mug",
    "Kids Rain Boots Size 10", "Cast Iron Skillet 10 inch", "Stainless Steel Water Bottle 750ml",
    "LED Desk Lamp with USB Port", "Yoga Mat 6mm Non-Slip", "Wireless Mouse, Silent Click",
    "Ceramic Plant Pot Set of 3", "Cotton Bath Towels (4 Pack)", "Mechanical Keyboard 87 Keys",
]


def sku_for(rng):
    chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "-".join("".join(rng.choice(chars) for _ in range(n)) for n in (2, 4, 4))


def asin_for(rng):
    chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "B0" + "".join(rng.choice(chars) for _ in range(8))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="item rows to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--columns", choices=["report", "full", "minimal"], default="report")
    parser.add_argument("--shuffle-columns", action="store_true")
    parser.add_argument("--names", choices=["plain", "long", "intl"], default="plain")
    parser.add_argument("--max-items", type=int, default=3)
    parser.add_argument("--statuses", choices=["basic", "all"], default="basic")
    parser.add_argument("--marketplaces", type=int, default=3, choices=range(3, 12))
    parser.add_argument("--offsets", action="store_true")
    parser.add_argument("--crlf", action="store_true")
    parser.add_argument("--scatter-items", type=float, default=0.0)
    parser.add_argument("--item-dates", action="store_true")
    parser.add_argument("--random-ids", action="store_true")
    parser.add_argument("--realistic", action="store_true")
    parser.add_argument("--start", default="2025-01-01",
                        help="first purchase date, YYYY-MM-DD (UTC)")
    parser.add_argument("--days", type=int, default=300, help="days the purchases span")
    parser.add_argument("output")
    args = parser.parse_args()
    if args.realistic:
        args.columns, args.shuffle_columns, args.names = "full", True, "intl"
        args.statuses, args.marketplaces, args.offsets = "all", 11, True
        args.random_ids = True
    varied = (args.columns != "report" or args.shuffle_columns or args.names != "plain"
              or args.max_items != 3 or args.statuses != "basic" or args.marketplaces != 3
              or args.offsets or args.crlf or args.scatter_items > 0 or args.item_dates
              or args.random_ids)
    if varied:
        return write_varied(args)

    rng = random.Random(args.seed)
    catalogue = [(p, sku_for(rng), asin_for(rng)) for p in PRODUCTS * 4]
    start = datetime.datetime.fromisoformat(args.start).replace(tzinfo=datetime.timezone.utc)
    span_seconds = args.days * 86400

    estimated_orders = max(1, args.rows * 6 // 10)  # 1-3 items, 1.67 on average
    written = 0
    order_number = 0
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        out.write("\t".join(HEADER) + "\n")
        while written < args.rows:
            order_number += 1
            channel, currency, country, prefix, cities = MARKETPLACES[order_number % 3]
            # Amazon's order IDs look random; a bijection of the counter keeps them unique.
            scrambled = order_number * 2654435761 % 10**14
            order_id = f"{prefix}-{scrambled // 10**7:07d}-{scrambled % 10**7:07d}"
            # The report is sorted by purchase date, as Amazon's BY_ORDER_DATE report is.
            purchased = start + datetime.timedelta(
                seconds=span_seconds * order_number // estimated_orders)
            updated = purchased + datetime.timedelta(hours=rng.randint(1, 72))
            afn = rng.random() < 0.4
            roll = rng.random()
            if roll < 0.05:
                status = "Cancelled"
            elif roll < 0.07:
                status = "Pending"
            elif roll < 0.10 and not afn:
                status = "Unshipped"
            else:
                status = "Shipped"
            buyer_cancel = status == "Cancelled" and rng.random() < 0.3
            city, state, postal = rng.choice(cities)
            ship_level = rng.choice(["Standard", "Expedited", "SecondDay"])
            items = min(rng.choice([1, 1, 1, 2, 2, 3]), args.rows - written)
            # One line per SKU, as Amazon writes it (two of a SKU is quantity 2).
            for product, sku, asin in rng.sample(catalogue, items):
                item_status = {"Cancelled": "Cancelled", "Pending": "",
                               "Unshipped": "Unshipped"}.get(status, "Shipped")
                price = f"{rng.randint(500, 9999) / 100:.2f}"
                row = [
                    order_id, "", purchased.isoformat(), updated.isoformat(), status,
                    "Amazon" if afn else "Merchant", channel, "WebsiteOrderChannel", "",
                    ship_level, product, sku, asin, item_status, str(rng.randint(1, 3)),
                    currency, price, "1.05", "0.00", "0.00", "", "", "", "",
                    city, state, postal, country, "", "", "false", "", "", "false",
                    "true" if buyer_cancel else "false",
                    "Order created by mistake" if buyer_cancel else "",
                ]
                out.write("\t".join(row) + "\n")
                written += 1
    print(f"{args.output}: {written} item rows, {order_number} orders", file=sys.stderr)


def write_varied(args):
    """The variations of the usage text; the default file is written by main() unchanged."""
    rng = random.Random(args.seed)
    vary = random.Random(args.seed + 1000)  # the variations' own draws
    catalogue = [(p, sku_for(rng), asin_for(rng)) for p in PRODUCTS * 4]
    if args.names != "plain":
        words = LONG_WORDS + (INTL_WORDS if args.names == "intl" else [])
        renamed = []
        for _, sku, asin in catalogue:
            name = ""
            target = vary.randint(80, 200)
            while len(name) < target:
                name += ("" if not name else " ") + vary.choice(words)
            renamed.append((name, sku, asin))
        catalogue = renamed
    marketplaces = [m + (OFFSETS[m[2]],) for m in MARKETPLACES]
    marketplaces += [m + (OFFSETS[m[2]],) for m in MORE_MARKETPLACES[:args.marketplaces - 3]]
    header = {"report": HEADER, "full": HEADER + EXTRA_COLUMNS, "minimal": REQUIRED_AND_USED}
    columns = list(header[args.columns])
    if args.shuffle_columns:
        vary.shuffle(columns)
    end = "\r\n" if args.crlf else "\n"
    start = datetime.datetime.fromisoformat(args.start).replace(tzinfo=datetime.timezone.utc)
    span_seconds = args.days * 86400
    average_items = (1 + args.max_items) / 2
    estimated_orders = max(1, int(args.rows / average_items))

    def stamp(t, hours):
        if not args.offsets:
            return t.isoformat()
        zone = datetime.timezone(datetime.timedelta(hours=hours))
        return t.astimezone(zone).isoformat()

    written = 0
    order_number = 0
    deferred = []  # (row number to write at, line) of scattered items
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        out.write("\t".join(columns) + end)

        def emit(line):
            nonlocal written
            out.write(line)
            written += 1
            while deferred and deferred[0][0] <= written and written < args.rows:
                out.write(deferred.pop(0)[1])
                written += 1

        while written + len(deferred) < args.rows:
            order_number += 1
            channel, currency, country, prefix, cities, hours = marketplaces[
                order_number % len(marketplaces)]
            if args.random_ids:
                # Unique with overwhelming odds (10^14 values); a clash would
                # only make two orders one.
                scrambled = vary.randrange(10**14)
            else:
                scrambled = order_number * 2654435761 % 10**14
            order_id = f"{prefix}-{scrambled // 10**7:07d}-{scrambled % 10**7:07d}"
            purchased = start + datetime.timedelta(
                seconds=span_seconds * order_number // estimated_orders)
            updated = purchased + datetime.timedelta(hours=rng.randint(1, 72))
            afn = rng.random() < 0.4
            roll = rng.random()
            if roll < 0.05:
                status = "Cancelled"
                if args.statuses == "all" and vary.random() < 0.3:
                    status = "Canceled"
            elif roll < 0.07:
                status = "Pending"
            elif roll < 0.10 and not afn:
                status = "Unshipped"
            elif args.statuses == "all" and roll < 0.13:
                status = vary.choice(["Shipping", "PartiallyShipped"])
            else:
                status = "Shipped"
            cancelled = status in ("Cancelled", "Canceled")
            buyer_cancel = cancelled and rng.random() < 0.3
            city, state, postal = rng.choice(cities)
            ship_level = rng.choice(["Standard", "Expedited", "SecondDay"])
            items = min(rng.randint(1, args.max_items), args.rows - written - len(deferred))
            scatter = items > 1 and vary.random() < args.scatter_items
            for index, (product, sku, asin) in enumerate(rng.sample(catalogue, items)):
                item_status = {"Cancelled": "Cancelled", "Canceled": "Cancelled", "Pending": "",
                               "Unshipped": "Unshipped"}.get(status, "Shipped")
                if status == "PartiallyShipped" and index > 0:
                    item_status = "Unshipped"
                item_updated = updated
                if args.item_dates:
                    item_updated = updated + datetime.timedelta(minutes=vary.randint(0, 600))
                price = f"{rng.randint(500, 9999) / 100:.2f}"
                value = {
                    "amazon-order-id": order_id, "merchant-order-id": "",
                    "purchase-date": stamp(purchased, hours),
                    "last-updated-date": stamp(item_updated, hours),
                    "order-status": status, "fulfillment-channel": "Amazon" if afn else "Merchant",
                    "sales-channel": channel, "order-channel": "WebsiteOrderChannel",
                    "url": "", "ship-service-level": ship_level, "product-name": product,
                    "sku": sku, "asin": asin, "item-status": item_status,
                    "quantity": str(rng.randint(1, 3)), "currency": currency,
                    "item-price": price, "item-tax": "1.05", "shipping-price": "0.00",
                    "shipping-tax": "0.00", "ship-city": city, "ship-state": state,
                    "ship-postal-code": postal, "ship-country": country,
                    "promotion-ids": ("Core Free Shipping Promotion 18374659201,"
                                      f"{country} Core Free Shipping Promotion 5544332211"
                                      if vary.random() < 0.3 else ""),
                    "is-business-order": "false", "signature-confirmation-recommended": "false",
                    "is-buyer-requested-cancellation": "true" if buyer_cancel else "false",
                    "buyer-requested-cancel-reason":
                        "Order created by mistake" if buyer_cancel else "",
                    "is-replacement-order": "false", "is-heavy-or-bulky": "false",
                    "is-iba": "false", "is-transparency": "false", "is-prime":
                        "true" if afn else "false",
                    "is-premium-order": "false", "is-sold-by-ab": "false",
                    "is-global-express-enabled": "false",
                }
                line = "\t".join(value.get(c, "") for c in columns) + end
                if scatter and index > 0:
                    deferred.append((written + vary.randint(50, 5000), line))
                    deferred.sort(key=lambda d: d[0])
                else:
                    emit(line)
        for _, line in deferred:
            out.write(line)
            written += 1
    print(f"{args.output}: {written} item rows, {order_number} orders", file=sys.stderr)


if __name__ == "__main__":
    main()
