#!/usr/bin/env python3
"""Writes a realistic All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL)
for the import benchmark: tab-separated, the report's 36 columns, one row per item.

Orders have 1-3 items (one line per SKU, items of one order on adjacent rows, as Amazon
writes them), 40% AFN, about 5% cancelled (30% of those by the buyer), 2% pending, 2%
unshipped, over 3 marketplaces; order IDs are scattered like Amazon's and rows come in
purchase-date order like the BY_ORDER_DATE report. The output is a pure function of --rows
and --seed, so runs are comparable.

Usage: gen_all_orders.py --rows 1000000 [--seed 1] OUTPUT
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
    parser.add_argument("output")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    catalogue = [(p, sku_for(rng), asin_for(rng)) for p in PRODUCTS * 4]
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    span_seconds = 300 * 86400

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


if __name__ == "__main__":
    main()
