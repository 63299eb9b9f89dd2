#!/usr/bin/env python3
"""Writes the seller-healthd demo data set and its expected status.

The demo seller ("Northwind Kitchen") sells kitchen goods on Amazon.com and
Amazon.co.uk, ships most orders itself (MFN) and some through FBA (AFN). Over
the 90 days to the demo time its metrics are healthy, except that a missed
carrier pickup on Monday 10 November and one order still not shipped have
pushed the 10-day late dispatch rate in the US to between the warn level (3%)
and Amazon's target (4%): at risk, not breached yet.

Two separate things happen, on purpose, in two places:
  1. generate() (here): simulates the seller with a fixed seed and writes the
     exports (Amazon's formats and ours, spec/formats.md, with the writers of
     shd_exports.py) into examples/demo/.
  2. shd_oracle.evaluate_folder(): reads those files back, as an importer
     would, and computes the status rows with its own straightforward reading
     of spec/metrics.md. The result is examples/demo/expected-status.json,
     which the C++ engine is compared against. The oracle shares no code with
     the simulation; tests/conformance/ uses it on random sellers too.

Python 3 standard library only; deterministic (same output on every run).

Usage:
  scripts/gen_demo.py [--out DIR]        write the demo (default: examples/demo)
  scripts/gen_demo.py --check            regenerate in a temporary folder and
                                         fail if the committed files differ
  scripts/gen_demo.py --compare STATUS.json EXPECTED.json
                                         compare `status --json` output with an
                                         expected-status.json (exit 1 on a difference)
  scripts/gen_demo.py --worked-example DIR
                                         evaluate spec/worked-example and compare
                                         with its expected-status.json (needs
                                         PyYAML for its config.yaml)
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import math
import random
import sys
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

sys.dont_write_bytecode = True  # importing the modules beside it leaves no __pycache__

from shd_exports import (ALL_ORDERS_HEADER, DEFECTS_HEADER, FEEDBACK_HEADER,  # noqa: E402
                         MESSAGES_HEADER, SHIPMENTS_HEADER, UNSHIPPED_HEADER, iso_offset, iso_utc,
                         iso_z, write_csv, write_tsv)
from shd_oracle import (DAY, HOUR, UTC, US, compare, evaluate_folder,  # noqa: E402
                        evaluate_with_config, parse_instant)

UK = "A1F83G8C2ARO7P"

# ---------------------------------------------------------------------------
# The demo seller
# ---------------------------------------------------------------------------

SEED = 20251114
DEMO_TIME = dt.datetime(2025, 11, 14, 16, 0, 0, tzinfo=UTC)  # Friday 08:00 in Los Angeles
HISTORY_DAYS = 90
MISSED_PICKUP_DAY = dt.date(2025, 11, 10)  # Monday: the carrier did not come

# (sku, asin, name, US price, UK price, handling business days)
CATALOG = [
    ("NK-SKL-10", "B0C7KQ2M1A", "Cast Iron Skillet 10 inch", "34.99", "29.99", 1),
    ("NK-BRD-L", "B0C7KQ3X9D", "Bamboo Cutting Board (Large)", "24.99", "19.99", 1),
    ("NK-KNF-8", "B0C7KR11TC", "Chef Knife 8 inch", "49.99", "42.00", 1),
    ("NK-SPT-3", "B0C7KR5J0W", "Silicone Spatula Set (3 pcs)", "12.99", "10.99", 1),
    ("NK-MUG-P", "B0C7KS8B6E", "Personalised Enamel Mug", "19.99", "16.50", 2),
    ("NK-GRT-4", "B0C7KT0Y2F", "Box Grater, 4 Sides", "17.49", "14.99", 1),
    ("NK-RAM-6", "B0C7KT7N4P", "Crème Brûlée Ramekins (6 pcs)", "22.99", "18.99", 1),
    ("NK-TWL-4", "B0C7KV3H8L", "Cotton Tea Towels (4 pcs)", "14.99", "11.99", 1),
    ("NK-SCL-D", "B0C7KW1C5R", "Digital Kitchen Scale", "21.99", "17.99", 1),
    ("NK-THR-I", "B0C7KX6Q7S", "Instant-Read Meat Thermometer", "18.99", "15.49", 1),
    ("NK-SLT-M", "B0C7KY2D3T", "Salt and Pepper Mill Set", "27.99", "23.99", 1),
    ("NK-APR-C", "B0C7KZ9F1U", "Canvas Apron with Pockets", "23.49", "19.49", 1),
]

MARKETS = {
    US: {"code": "US", "channel": "Amazon.com", "currency": "USD", "orders_per_day": 27,
         "mfn_share": 0.63, "prefixes": ["111", "112", "113", "114"], "country": "US",
         "city": "SPRINGFIELD", "state": "IL", "postal": "62704-1234", "messages_per_day": 4.8},
    UK: {"code": "UK", "channel": "Amazon.co.uk", "currency": "GBP", "orders_per_day": 10,
         "mfn_share": 0.6, "prefixes": ["202", "203", "204", "205", "206"], "country": "GB",
         "city": "LEEDS", "state": "West Yorkshire", "postal": "LS1 4AP", "messages_per_day": 1.7},
}

BUYER_CANCEL_REASONS = ["Order Created by Mistake", "Found cheaper somewhere else",
                        "No longer needed", "Need to change shipping address"]


def utc_offset(marketplace: str, instant: dt.datetime) -> dt.timedelta:
    """The warehouse's UTC offset (Los Angeles for US, London for UK) in 2025."""
    if marketplace == UK:
        return HOUR if instant < dt.datetime(2025, 10, 26, 1, tzinfo=UTC) else dt.timedelta(0)
    dst = dt.datetime(2025, 3, 9, 10, tzinfo=UTC) <= instant < dt.datetime(2025, 11, 2, 9,
                                                                             tzinfo=UTC)
    return -7 * HOUR if dst else -8 * HOUR


def local_to_utc(marketplace: str, local: dt.datetime) -> dt.datetime:
    guess = local.replace(tzinfo=UTC)
    for _ in range(2):
        guess = local.replace(tzinfo=UTC) - utc_offset(marketplace, guess)
    return guess


def local_date(marketplace: str, instant: dt.datetime) -> dt.date:
    return (instant + utc_offset(marketplace, instant)).date()


def iso_local(marketplace: str, instant: dt.datetime) -> str:
    return iso_offset(instant, utc_offset(marketplace, instant))


def add_business_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += DAY
        if day.weekday() < 5:
            n -= 1
    return day


def next_business_day(day: dt.date) -> dt.date:
    return add_business_days(day, 1)


@dataclass
class Item:
    item_id: str
    product: tuple
    quantity: int
    cancelled: bool = False


@dataclass
class DemoOrder:
    order_id: str
    marketplace: str | None  # None: a multi-channel fulfilment order (Non-Amazon)
    channel: str
    purchased_at: dt.datetime
    items: list[Item]
    status: str = "Shipped"
    buyer_cancel_reason: str = ""
    latest_ship: dt.datetime | None = None   # MFN
    confirmed_at: dt.datetime | None = None  # MFN, None: not shipped yet
    carrier: str = ""
    tracking_id: str = ""
    tracking_valid: str = ""
    in_shipments_csv: bool = True
    shipments_latest_ship: dt.datetime | None = None  # when the shipping software differs
    buyer_requested_pending: bool = False

    @property
    def market(self) -> str:
        return self.marketplace or US


class Seller:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.t = DEMO_TIME
        self.orders: list[DemoOrder] = []
        self.by_id: dict[str, DemoOrder] = {}
        self.feedback: dict[str, list[tuple]] = {US: [], UK: []}
        self.defects: list[tuple] = []
        self.messages: list[tuple] = []
        self.orphan_shipments: list[tuple] = []
        self._used_ids: set[str] = set()

    # -- helpers -----------------------------------------------------------
    def new_order_id(self, prefix: str) -> str:
        while True:
            oid = f"{prefix}-{self.rng.randrange(10**7):07d}-{self.rng.randrange(10**7):07d}"
            if oid not in self._used_ids:
                self._used_ids.add(oid)
                return oid

    def new_item_id(self) -> str:
        return f"{self.rng.randrange(10**13, 10**14)}"

    def tracking(self, marketplace: str) -> tuple[str, str]:
        r = self.rng
        if marketplace == US:
            carrier = r.choice(["USPS", "USPS", "UPS", "FedEx"])
            if carrier == "USPS":
                return carrier, "9400" + "".join(r.choice("0123456789") for _ in range(18))
            if carrier == "UPS":
                return carrier, "1Z" + "".join(r.choice("0123456789ABCDEF") for _ in range(16))
            return carrier, "".join(r.choice("0123456789") for _ in range(12))
        carrier = r.choice(["Royal Mail", "Royal Mail", "DPD", "Evri"])
        if carrier == "Royal Mail":
            return carrier, ("".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
                             + "".join(r.choice("0123456789") for _ in range(9)) + "GB")
        if carrier == "DPD":
            return carrier, "1550" + "".join(r.choice("0123456789") for _ in range(10))
        return carrier, "H" + "".join(r.choice("0123456789ABCDEF") for _ in range(15))

    def make_order(self, marketplace: str | None, channel: str, purchased: dt.datetime,
                   n_items: int | None = None) -> DemoOrder:
        r = self.rng
        if n_items is None:
            n_items = r.choices([1, 2, 3], weights=[85, 12, 3])[0]
        products = r.sample(CATALOG, n_items)
        items = [Item(self.new_item_id(), p, r.choices([1, 2], weights=[88, 12])[0])
                 for p in products]
        prefix = "S01" if marketplace is None else r.choice(MARKETS[marketplace]["prefixes"])
        order = DemoOrder(self.new_order_id(prefix), marketplace, channel, purchased, items)
        self.orders.append(order)
        self.by_id[order.order_id] = order
        return order

    # -- the simulation ------------------------------------------------------
    def simulate(self) -> None:
        r = self.rng
        start = self.t - HISTORY_DAYS * DAY
        hour_weights = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 5, 5, 5, 6, 7, 8, 8, 7, 5, 3]
        for marketplace, m in MARKETS.items():
            day = local_date(marketplace, start)
            while day <= local_date(marketplace, self.t):
                weekday_factor = [1.05, 1.0, 1.0, 1.0, 0.95, 0.9, 1.1][day.weekday()]
                n = round(m["orders_per_day"] * weekday_factor * r.uniform(0.8, 1.2))
                for _ in range(n):
                    hour = r.choices(range(24), weights=hour_weights)[0]
                    local = dt.datetime.combine(day, dt.time(hour, r.randrange(60),
                                                             r.randrange(60)))
                    purchased = local_to_utc(marketplace, local)
                    if not start < purchased <= self.t - 10 * 60 * dt.timedelta(seconds=1):
                        continue
                    channel = "MFN" if r.random() < m["mfn_share"] else "AFN"
                    self.make_order(marketplace, channel, purchased)
                day += DAY
        # Multi-channel fulfilment: orders from the seller's own web shop that
        # FBA ships. Stored, never counted.
        for _ in range(24):
            purchased = start + dt.timedelta(seconds=r.randrange(HISTORY_DAYS * 86400 - 86400))
            self.make_order(None, "AFN", purchased)
        self.orders.sort(key=lambda o: o.purchased_at)
        for order in self.orders:
            if order.channel == "MFN":
                self.ship(order)
            else:
                order.status = "Shipped" if self.t - order.purchased_at > 20 * HOUR else (
                    "Pending" if self.t - order.purchased_at < 2 * HOUR else "Unshipped")
        self.cancellations()
        self.late_history()
        self.edge_cases()
        self.defect_events()
        self.buyer_messages()

    def ship(self, order: DemoOrder) -> None:
        """Latest ship date and confirmation for an MFN order shipped on time."""
        r, mkt = self.rng, order.marketplace
        handling = max(i.product[5] for i in order.items)
        bought_local = order.purchased_at + utc_offset(mkt, order.purchased_at)
        latest_day = add_business_days(bought_local.date(), handling)
        order.latest_ship = local_to_utc(
            mkt, dt.datetime.combine(latest_day, dt.time(23, 59, 59)))
        ship_day = bought_local.date()
        if ship_day.weekday() >= 5 or bought_local.hour >= 12 or handling > 1:
            ship_day = next_business_day(ship_day)
        if handling > 1:
            ship_day = add_business_days(ship_day, handling - 1)
        at = dt.datetime.combine(ship_day, dt.time(13, 0)) + dt.timedelta(
            seconds=r.randrange(int(4.5 * 3600)))
        confirmed = local_to_utc(mkt, at)
        order.carrier, order.tracking_id = self.tracking(mkt)
        if confirmed <= self.t:
            order.confirmed_at = confirmed
            order.status = "Shipped"
        else:
            order.status = "Pending" if self.t - order.purchased_at < 30 * 60 * dt.timedelta(
                seconds=1) else "Unshipped"
            order.carrier = order.tracking_id = ""
            # Half of the open orders are already in the shipping software.
            order.in_shipments_csv = r.random() < 0.5 and order.status == "Unshipped"

    def pick(self, marketplace: str | None, channel: str, since: dt.datetime,
             until: dt.datetime, predicate=lambda o: True) -> DemoOrder:
        candidates = [o for o in self.orders
                      if o.marketplace == marketplace and o.channel == channel
                      and since < o.purchased_at <= until and o.status == "Shipped"
                      and not getattr(o, "special", False) and predicate(o)]
        order = self.rng.choice(candidates)
        order.special = True
        return order

    def cancel(self, order: DemoOrder, buyer_reason: str = "",
               in_shipments: bool | None = None) -> None:
        order.status = "Cancelled"
        order.buyer_cancel_reason = buyer_reason
        for item in order.items:
            item.cancelled = True
        order.confirmed_at = None
        order.carrier = order.tracking_id = ""
        # The shipping software had the order before it was cancelled.
        if in_shipments is None:
            in_shipments = self.rng.random() < 0.6
        order.in_shipments_csv = order.channel == "MFN" and in_shipments

    def cancellations(self) -> None:
        r, t = self.rng, self.t
        reasons = BUYER_CANCEL_REASONS
        for marketplace, n_buyer, n_seller in ((US, 26, 4), (UK, 8, 1)):
            for _ in range(n_buyer):
                self.cancel(self.pick(marketplace, "MFN", t - 89 * DAY, t - 2 * HOUR),
                            r.choice(reasons))
            for _ in range(n_seller):  # out of stock, older than the 7-day window
                self.cancel(self.pick(marketplace, "MFN", t - 80 * DAY, t - 9 * DAY))
        # In the 7-day window: buyer-requested ones (not counted) in both marketplaces.
        for marketplace, n in ((US, 2), (UK, 1)):
            for _ in range(n):
                # The shipping software still lists them, unconfirmed and past
                # their latest ship date: a cancelled order is never late.
                self.cancel(self.pick(marketplace, "MFN", t - 6 * DAY, t - 2 * DAY,
                                      lambda o: o.latest_ship < t),
                            r.choice(reasons), in_shipments=True)
        # FBA cancellations (buyer-requested) still count in the ODR denominator.
        for marketplace, n in ((US, 5), (UK, 2)):
            for _ in range(n):
                self.cancel(self.pick(marketplace, "AFN", t - 85 * DAY, t - 3 * DAY),
                            r.choice(reasons))
        # Out of stock, bought exactly 7 days before the demo time: just outside
        # the (T - 7 days, T] window, so it does not count.
        edge = self.pick(US, "MFN", t - 8 * DAY, t - 7 * DAY - HOUR)
        edge.purchased_at = t - 7 * DAY
        self.ship(edge)
        self.cancel(edge)
        # Amazon cancelled an order never confirmed in time: counts against the seller.
        self.cancel(self.pick(US, "MFN", t - 45 * DAY, t - 35 * DAY))
        # One item of a two-item order was out of stock; the rest shipped. An item
        # cancellation counts in the cancel rate (inside the 7-day window).
        partial = self.pick(US, "MFN", t - 5 * DAY, t - 3 * DAY,
                            lambda o: len(o.items) == 1 and o.items[0].product != CATALOG[6])
        partial.items.append(Item(self.new_item_id(), CATALOG[6], 1, cancelled=True))
        # The buyer asked to cancel an order still open: not cancelled yet.
        waiting = [o for o in self.orders if o.marketplace == US and o.status == "Unshipped"]
        waiting[0].buyer_requested_pending = True
        waiting[0].buyer_cancel_reason = "Order Created by Mistake"

    def late_history(self) -> None:
        """Occasional late shipments before the last 30 days (about 1%)."""
        r = self.rng
        for o in self.orders:
            if (o.channel == "MFN" and o.status == "Shipped" and o.confirmed_at
                    and o.latest_ship < self.t - 31 * DAY and r.random() < 0.01):
                day = next_business_day(local_date(o.marketplace, o.latest_ship))
                o.confirmed_at = local_to_utc(o.marketplace, dt.datetime.combine(
                    day, dt.time(10, r.randrange(60), r.randrange(60))))

    def edge_cases(self) -> None:
        r, t = self.rng, self.t
        mfn_us = lambda o: o.marketplace == US and o.channel == "MFN"  # noqa: E731

        # Late within the last 30 days but before the 10-day window.
        for days_ago in (25, 21):
            o = self.pick(US, "MFN", t - (days_ago + 3) * DAY, t - days_ago * DAY)
            day = next_business_day(local_date(US, o.latest_ship))
            o.confirmed_at = local_to_utc(US, dt.datetime.combine(day, dt.time(9, 41, 12)))
        # Confirmed one second after the latest ship date: late.
        o = self.pick(US, "MFN", t - 19 * DAY, t - 17 * DAY)
        o.confirmed_at = o.latest_ship + dt.timedelta(seconds=1)
        # Confirmed exactly at the latest ship date: on time (inside the 10-day window).
        o = self.pick(US, "MFN", t - 6 * DAY, t - 4 * DAY, lambda o: o.latest_ship < t - HOUR)
        o.confirmed_at = o.latest_ship
        # Latest ship date exactly at the start of the 10-day window (excluded from
        # it, counted in the 30-day window), shipped late.
        o = self.pick(US, "MFN", t - 13 * DAY, t - 11 * DAY)
        o.shipments_latest_ship = t - 10 * DAY
        o.confirmed_at = t - 10 * DAY + 20 * HOUR
        # UK: one late shipment in the last 30 days.
        o = self.pick(UK, "MFN", t - 20 * DAY, t - 16 * DAY)
        day = next_business_day(local_date(UK, o.latest_ship))
        o.confirmed_at = local_to_utc(UK, dt.datetime.combine(day, dt.time(11, 5, 0)))

        # Stuck: bought Wednesday, due Thursday night, never confirmed. Only the
        # Unshipped report knows its latest ship date.
        stuck = self.pick(US, "MFN", t - 52 * HOUR, t - 44 * HOUR,
                          lambda o: o.latest_ship < t - HOUR and len(o.items) == 1
                          and o.items[0].product[5] == 1)
        stuck.status, stuck.confirmed_at, stuck.carrier, stuck.tracking_id = (
            "Unshipped", None, "", "")
        stuck.in_shipments_csv = False
        self.stuck = stuck
        # Extended in the shipping software: Amazon's promise-date is past, but
        # the shipments row wins and its date is still ahead.
        extended = self.pick(US, "MFN", t - 60 * HOUR, t - 40 * HOUR,
                             lambda o: o.latest_ship < t - HOUR)
        extended.status, extended.confirmed_at, extended.carrier, extended.tracking_id = (
            "Unshipped", None, "", "")
        extended.shipments_latest_ship = extended.latest_ship + 4 * DAY
        # Bought twelve minutes ago, payment not yet authorised: Pending, in no
        # Unshipped report and no shipping software, so no latest ship date.
        pending = self.make_order(US, "MFN", t - 12 * 60 * dt.timedelta(seconds=1), n_items=1)
        self.ship(pending)
        pending.status, pending.in_shipments_csv = "Pending", False
        # Due exactly now and not confirmed: not counted yet.
        due_now = [o for o in self.orders if mfn_us(o) and o.status == "Unshipped"
                   and o.latest_ship > t and o is not self.stuck][-1]
        due_now.in_shipments_csv = True
        due_now.shipments_latest_ship = t

        # Valid tracking: a few shipments without a usable number.
        for marketplace, n in ((US, 3), (UK, 2)):
            for _ in range(n):
                o = self.pick(marketplace, "MFN", t - 26 * DAY, t - 2 * DAY)
                if marketplace == UK:
                    o.carrier, o.tracking_id = "Royal Mail", ""  # a large letter, untracked
                else:
                    o.tracking_valid = "false"  # a mistyped number the carrier rejects
        o = self.pick(US, "MFN", t - 24 * DAY, t - 2 * DAY)
        o.carrier, o.tracking_id = "USPS", ""
        # Confirmed exactly at the start of the 30-day window: outside it.
        o = self.pick(US, "MFN", t - 33 * DAY, t - 31 * DAY)
        o.confirmed_at = t - 30 * DAY
        o.carrier, o.tracking_id = "USPS", ""
        # Parcels for the web shop, from the same shipping software: no Amazon order.
        for _ in range(3):
            when = t - dt.timedelta(seconds=r.randrange(20 * 86400))
            self.orphan_shipments.append((
                f"SHOP-{r.randrange(1000, 9999)}", when + 30 * HOUR, when, *self.tracking(US)))

    def defect_events(self) -> None:
        r, t = self.rng, self.t
        odr_start, odr_end = t - 74 * DAY, t - 14 * DAY

        def feedback(marketplace, order, when, rating, comment):
            self.feedback[marketplace].append((when, rating, comment, order.order_id))

        # Inside the ODR window, and old enough for every later event to be
        # before the demo time.
        s, e = odr_start + 3 * DAY, t - 30 * DAY
        # US MFN, inside the ODR window: five orders with counting defects.
        o = self.pick(US, "MFN", s, e)
        feedback(US, o, o.purchased_at + 9 * DAY, 1, "Arrived with a cracked handle")
        o = self.pick(US, "MFN", t - 28 * DAY, t - 26 * DAY)
        # Dated 12 Nov: read as D/M/Y it would be 11 December, after the demo time.
        feedback(US, o, dt.datetime(2025, 11, 12, tzinfo=UTC), 2,
                 "Took a week longer than promised")
        double = self.pick(US, "MFN", s, e)
        feedback(US, double, double.purchased_at + 8 * DAY, 1, "Never arrived")
        self.defects.append((double.order_id, "chargeback",
                             iso_z(double.purchased_at + 20 * DAY + 5 * HOUR), "", ""))
        o = self.pick(US, "MFN", s, e)
        self.defects.append((o.order_id, "a_to_z_claim",
                             iso_local(US, o.purchased_at + 16 * DAY), "granted", ""))
        edge = self.pick(US, "MFN", odr_end - 2 * DAY, odr_end - DAY)
        edge.purchased_at = odr_end  # exactly the window's end: inside
        self.ship(edge)
        self.defects.append((edge.order_id, "a_to_z_claim",
                             iso_z(t - 4 * DAY - 3 * HOUR), "", ""))
        # US MFN, not counting: denied claim, reversed chargeback, removed and
        # neutral feedback; defects on orders outside the window.
        o = self.pick(US, "MFN", s, e)
        self.defects.append((o.order_id, "a_to_z_claim",
                             iso_local(US, o.purchased_at + 12 * DAY), "denied", ""))
        o = self.pick(US, "MFN", s, e)
        self.defects.append((o.order_id, "chargeback",
                             iso_utc(o.purchased_at + 25 * DAY), "reversed", ""))
        o = self.pick(US, "MFN", s, e)
        self.defects.append((o.order_id, "negative_feedback",
                             iso_local(US, o.purchased_at + 6 * DAY), "removed", "1"))
        o = self.pick(US, "MFN", s, e)
        feedback(US, o, o.purchased_at + 7 * DAY, 3, "Smaller than I expected")
        o = self.pick(US, "MFN", t - 10 * DAY, t - 7 * DAY)  # in the 14-day lag
        feedback(US, o, t - 2 * DAY, 1, "Wrong colour sent")
        o = self.pick(US, "MFN", t - 85 * DAY, t - 80 * DAY)  # before the window
        self.defects.append((o.order_id, "a_to_z_claim",
                             iso_local(US, o.purchased_at + 15 * DAY), "refunded", ""))
        early = self.pick(US, "MFN", odr_start - 2 * DAY, odr_start - DAY)
        early.purchased_at = odr_start  # exactly the window's start: outside
        self.ship(early)
        feedback(US, early, odr_start + 10 * DAY, 2, "Handle came loose")
        # US AFN: one negative feedback, one positive.
        o = self.pick(US, "AFN", s, e)
        feedback(US, o, o.purchased_at + 9 * DAY, 2, "Box was damaged")
        # UK MFN: one negative feedback dated 12 Nov (D/M/YY: "12/11/25").
        o = self.pick(UK, "MFN", t - 26 * DAY, t - 24 * DAY)
        feedback(UK, o, dt.datetime(2025, 11, 12, tzinfo=UTC), 2, "Arrived a day late")
        # UK feedback dated after the 12th of a month (D/M/YY cannot be read as M/D/YY).
        o = self.pick(UK, "MFN", dt.datetime(2025, 10, 1, tzinfo=UTC),
                      dt.datetime(2025, 10, 10, tzinfo=UTC))
        feedback(UK, o, dt.datetime(2025, 10, 25, tzinfo=UTC), 4, "Lovely ramekins")
        # UK AFN: a claim the buyer withdrew.
        o = self.pick(UK, "AFN", s, e)
        self.defects.append((o.order_id, "a_to_z_claim",
                             iso_local(UK, o.purchased_at + 14 * DAY), "withdrawn", ""))

        # Ordinary feedback, mostly good and never below 3 stars, on other
        # orders (one feedback per order, so no row replaces another).
        comments = {5: ["Great product, fast delivery", "Exactly as described",
                        "Perfect, thank you", "Excellent seller"],
                    4: ["Good, arrived on time", "Nice quality"],
                    3: ["OK, packaging could be better"]}
        for o in self.orders:
            if (o.marketplace and o.status == "Shipped" and not getattr(o, "special", False)
                    and r.random() < 0.018):
                when = o.purchased_at + dt.timedelta(days=r.randrange(3, 16))
                if when <= t:
                    rating = r.choices([5, 4, 3], weights=[80, 15, 5])[0]
                    feedback(o.marketplace, o, when, rating, r.choice(comments[rating]))

    def buyer_messages(self) -> None:
        r, t = self.rng, self.t
        start = t - HISTORY_DAYS * DAY
        counter = 0

        def add(marketplace_field, order_id, received, responded, no_response=False):
            nonlocal counter
            counter += 1
            self.messages.append((f"nk-{counter:05d}", order_id, marketplace_field, received,
                                  responded, no_response))

        by_market = {m: [o for o in self.orders if o.marketplace == m] for m in MARKETS}
        plain = []
        for marketplace, m in MARKETS.items():
            n = int(m["messages_per_day"] * HISTORY_DAYS)
            for _ in range(n):
                received = start + dt.timedelta(seconds=r.randrange(HISTORY_DAYS * 86400))
                if received > t - 26 * HOUR:
                    continue
                kind = r.random()
                if kind < 0.15:  # "thank you": no response needed
                    order = r.choice([o for o in by_market[marketplace][::7]
                                      if o.purchased_at < received] or by_market[marketplace])
                    add("", order.order_id, received, None, True)
                    continue
                delay = dt.timedelta(seconds=int(r.triangular(900, 20 * 3600, 3 * 3600)))
                if kind < 0.40:  # a question before buying: no order to go by
                    # UK questions carry their marketplace; US ones sometimes
                    # not, and fall back to default_marketplace.
                    field_value = marketplace if marketplace == UK else r.choice(["", US])
                    plain.append(len(self.messages))
                    add(field_value, "", received, received + delay)
                else:
                    earlier = [o for o in by_market[marketplace][::3]
                               if o.purchased_at < received]
                    if not earlier:
                        continue
                    order = earlier[-r.randrange(1, min(40, len(earlier)) + 1)]
                    field_value = r.choice(["", marketplace])
                    add(field_value, order.order_id, received, received + delay)
        self.messages.sort(key=lambda m: m[3])

        def late(marketplace, since, until, hours):
            candidates = [i for i, m in enumerate(self.messages)
                          if since < m[3] <= until and not m[5] and m[4]
                          and message_market(m) == marketplace]
            i = r.choice(candidates)
            m = self.messages[i]
            self.messages[i] = (m[0], m[1], m[2], m[3], m[3] + hours * HOUR, m[5])

        def message_market(m):
            if m[2]:
                return m[2]
            order = self.by_id.get(m[1])
            return order.marketplace if order and order.marketplace else US

        # A few late replies: older history and the last 30 days.
        for since_days, until_days, n in ((90, 30, 4), (30, 8, 2)):
            for _ in range(n):
                late(US, t - since_days * DAY, t - until_days * DAY, r.choice([27, 31, 40]))
        late(UK, t - 80 * DAY, t - 30 * DAY, 29)
        late(UK, t - 28 * DAY, t - 10 * DAY, 26)

        # The last day, and the edges of the windows.
        recent = [o for o in by_market[US] if t - 4 * DAY < o.purchased_at < t - 30 * HOUR]
        uk_recent = [o for o in by_market[UK] if t - 4 * DAY < o.purchased_at < t - 30 * HOUR]
        add("", r.choice(recent).order_id, t - 24 * HOUR, t - 6 * HOUR)  # replied 18 h later
        add("", r.choice(recent).order_id, t - 24 * HOUR - dt.timedelta(seconds=1), None)  # late
        add(US, "", t - 24 * HOUR, None)        # exactly 24 h, no reply yet: pending
        add("", r.choice(recent).order_id, t - 5 * HOUR, None)    # pending
        add("", r.choice(uk_recent).order_id, t - 3 * HOUR, None)  # pending, UK
        add("", "", t - 50 * 60 * dt.timedelta(seconds=1), None)  # pending, default marketplace
        received = t - 3 * DAY - 7 * HOUR
        add("", r.choice(recent).order_id, received, received + 24 * HOUR)  # exactly 24 h: on time
        add(US, "", t - 7 * DAY, t - 7 * DAY + 30 * HOUR)  # at the 7-day edge: 30-day only, late
        add(UK, "", t - 26 * HOUR, t - 25 * HOUR)
        self.messages.sort(key=lambda m: m[3])

    # -- the story ------------------------------------------------------------
    def miss_pickup(self, n: int) -> None:
        """The carrier did not come on Monday: n parcels left on Tuesday morning."""
        r = self.rng
        due = [o for o in self.orders
               if o.marketplace == US and o.channel == "MFN" and o.status == "Shipped"
               and not getattr(o, "special", False)
               and local_date(US, o.confirmed_at) == MISSED_PICKUP_DAY
               and local_date(US, o.latest_ship) == MISSED_PICKUP_DAY]
        for o in r.sample(due, n):
            o.special = True
            tuesday = dt.datetime.combine(MISSED_PICKUP_DAY + DAY, dt.time(9, 0))
            o.confirmed_at = local_to_utc(US, tuesday + dt.timedelta(
                seconds=r.randrange(2 * 3600)))


# -- writers ------------------------------------------------------------------

def all_orders_rows(seller: Seller, markets: set[str | None]) -> list[list[str]]:
    rows = []
    for o in seller.orders:
        if o.marketplace not in markets:
            continue
        m = MARKETS[o.market]
        last_updated = min(seller.t, max(o.purchased_at + HOUR,
                                         (o.confirmed_at or o.purchased_at) + 3 * HOUR))
        cancelled = o.status == "Cancelled"
        buyer = bool(o.buyer_cancel_reason) and (cancelled or o.buyer_requested_pending)
        for item in o.items:
            sku, asin, name, usd, gbp, _ = item.product
            price = usd if o.market == US else gbp
            item_status = ("Cancelled" if item.cancelled else
                           "Shipped" if o.status == "Shipped" else
                           "Unshipped" if o.status == "Unshipped" else "")
            quantity = "0" if item.cancelled else str(item.quantity)
            amount = "" if item.cancelled else f"{float(price) * item.quantity:.2f}"
            tax = "" if item.cancelled or o.market == UK else f"{float(amount) * 0.07:.2f}"
            rows.append([
                o.order_id, "", iso_utc(o.purchased_at), iso_utc(last_updated), o.status,
                "Merchant" if o.channel == "MFN" else "Amazon",
                "Non-Amazon" if o.marketplace is None else m["channel"],
                "WebsiteOrderChannel" if o.marketplace else "", "",
                "Expedited" if o.order_id.endswith(("3", "7")) else "Standard",
                name, sku, asin, item_status, quantity, m["currency"], amount, tax,
                "", "", "", "", "", "", m["city"], m["state"] if o.market == US else "",
                m["postal"], m["country"], "", "", "false", "", "", "false",
                "true" if buyer else "false", o.buyer_cancel_reason if buyer else "",
            ])
    return rows


def unshipped_rows(seller: Seller, marketplace: str) -> list[list[str]]:
    rows = []
    t = seller.t
    for o in seller.orders:
        if o.marketplace != marketplace or o.channel != "MFN" or o.status != "Unshipped":
            continue
        m = MARKETS[marketplace]
        days_past = max(0, (t - o.latest_ship) // DAY)
        for item in o.items:
            sku, asin, name, *_ = item.product
            buyer = "true" if o.buyer_requested_pending else "false"
            rows.append([
                o.order_id, item.item_id, iso_utc(o.purchased_at),
                iso_local(marketplace, o.purchased_at + 5 * 60 * dt.timedelta(seconds=1)),
                iso_utc(t - 20 * 60 * dt.timedelta(seconds=1)), iso_utc(o.latest_ship),
                str(days_past), f"{o.order_id[-7:]}@marketplace.amazon.com",
                "Jane Smith", "", "+1 222-222-2222" if marketplace == US else "+44 20 7946 0000",
                sku, str(len(o.items)), name, str(item.quantity), "0", str(item.quantity),
                "Standard", "Std US D2D Dom" if marketplace == US else "Std UK Dom",
                "Jane Smith", "456 Example Ave" if marketplace == US else "12 Sample Street",
                "", "", m["city"], m["state"], m["postal"], m["country"], m["channel"],
                "", "", "false", "", "", "false", buyer,
                o.buyer_cancel_reason if o.buyer_requested_pending else "",
                "false", "true" if o.latest_ship - t < 12 * HOUR else "false", "false", "", "",
            ])
    return rows


def shipments_rows(seller: Seller) -> list[list[str]]:
    rows = []
    for o in seller.orders:
        if o.channel != "MFN" or not o.in_shipments_csv:
            continue
        mkt = o.marketplace
        latest = o.shipments_latest_ship or o.latest_ship
        rows.append([
            o.order_id, iso_local(mkt, latest),
            iso_local(mkt, o.confirmed_at) if o.confirmed_at else "",
            o.tracking_id, o.carrier, o.tracking_valid,
        ])
    for order_id, latest, confirmed, carrier, tracking_id in seller.orphan_shipments:
        rows.append([order_id, iso_local(US, latest), iso_local(US, confirmed), tracking_id,
                     carrier, ""])
    return rows


def feedback_rows(seller: Seller, marketplace: str) -> list[list[str]]:
    rows = []
    for when, rating, comment, order_id in sorted(seller.feedback[marketplace],
                                                  key=lambda f: f[0], reverse=True):
        d = when.date()
        date = (f"{d.month}/{d.day}/{d.year % 100:02d}" if marketplace == US
                else f"{d.day}/{d.month}/{d.year % 100:02d}")
        reply = ("We are sorry to hear this. Please contact us so we can put it right."
                 if rating <= 2 else "")
        rater = f"{order_id[-7:]}@marketplace.amazon.{'com' if marketplace == US else 'co.uk'}"
        rows.append([date, str(rating), comment, reply, order_id, rater])
    return rows


def defects_rows(seller: Seller) -> list[list[str]]:
    return [list(d) for d in sorted(seller.defects, key=lambda d: d[2])]


def messages_rows(seller: Seller) -> list[list[str]]:
    rows = []
    for i, (_, order_id, marketplace_field, received, responded, no_response) in \
            enumerate(seller.messages):
        message_id = f"nk-{i + 1:05d}"  # numbered in the order they arrived
        # The helpdesk writes UTC with Z; replies typed in the warehouse carry its offset.
        market = marketplace_field or (seller.by_id[order_id].marketplace
                                       if order_id in seller.by_id else US)
        rows.append([
            message_id, order_id, marketplace_field, iso_z(received),
            iso_local(market, responded) if responded else "",
            "true" if no_response else ("false" if i % 3 == 0 else ""),
        ])
    return rows


def account_health_document(rows_at_snapshot: list[dict], snapshot: dt.datetime) -> dict:
    """Amazon's own numbers for the US, as the SP-API report would have them."""
    def find(metric, channel, window):
        for row in rows_at_snapshot:
            if (row["metric"], row["marketplace"], row["channel"], row["window_days"]) == (
                    metric, US, channel, window):
                return row
        raise KeyError(metric)

    def date_range(days, lag=0):
        end = (snapshot - lag * DAY).replace(hour=23, minute=59, second=59) - DAY
        begin = (end - (days - 1) * DAY).replace(hour=0, minute=0, second=0)
        return {"reportingDateFrom": iso_z(begin), "reportingDateTo": iso_z(end)}

    def good(row):
        return "GOOD" if row["status"] != "breached" else "BAD"

    def odr(channel):
        row = find("order_defect_rate", channel, 60)
        c = row["components"]
        return {
            "reportingDateRange": date_range(60, 14), "orderCount": row["denominator"],
            "orderWithDefects": {"count": row["numerator"], "status": good(row)},
            "claims": {"count": c["a_to_z_claim"], "status": "NONE"},
            "chargebacks": {"count": c["chargeback"], "status": "NONE"},
            "negativeFeedback": {"count": c["negative_feedback"], "status": "NONE"},
            "fulfillmentType": channel.lower(), "status": good(row),
            "rate": round(row["rate"], 4), "targetValue": 0.01, "targetCondition": "LESS_THAN",
        }

    lsr = find("late_dispatch_rate", "MFN", 30)
    cancel = find("cancellation_rate", "MFN", 7)
    vtr = find("valid_tracking_rate", "MFN", 30)
    return {
        "accountStatuses": [{"marketplaceId": US, "status": "NORMAL"}],
        "performanceMetrics": [{
            "marketplaceId": US,
            "accountHealthRating": {"ahrStatus": "GREAT", "ahrScore": 812,
                                    "reportingDateRange": date_range(180)},
            "orderDefectRate": {"mfn": odr("MFN"), "afn": odr("AFN")},
            "lateShipmentRate": {
                "reportingDateRange": date_range(30), "orderCount": lsr["denominator"],
                "lateShipmentCount": lsr["numerator"], "status": good(lsr),
                "rate": round(lsr["rate"], 4), "targetValue": 0.04,
                "targetCondition": "LESS_THAN"},
            "preFulfillmentCancellationRate": {
                "reportingDateRange": date_range(7), "orderCount": cancel["denominator"],
                "cancellationCount": cancel["numerator"], "status": good(cancel),
                "rate": round(cancel["rate"], 4), "targetValue": 0.025,
                "targetCondition": "LESS_THAN"},
            "validTrackingRate": {
                "reportingDateRange": date_range(30), "shipmentCount": vtr["denominator"],
                "validTrackingCount": vtr["numerator"], "status": good(vtr),
                "rate": round(vtr["rate"], 4), "targetValue": 0.95,
                "targetCondition": "GREATER_THAN"},
        }],
    }


FILES = {
    "orders": "all-orders-US.txt",
    "orders_uk": "all-orders-UK.txt",
    "unshipped": "unshipped-US.txt",
    "unshipped_uk": "unshipped-UK.txt",
    "shipments": "shipments.csv",
    "defects": "defects.csv",
    "feedback": "feedback-US.txt",
    "feedback_uk": "feedback-UK.txt",
    "messages": "messages.csv",
    "account_health": "account-health-US.json",
}
IMPORT_ORDER = [
    [FILES["orders"], FILES["orders_uk"], FILES["unshipped"], FILES["unshipped_uk"]],
    [FILES["shipments"], FILES["defects"], FILES["feedback"], FILES["feedback_uk"],
     FILES["messages"]],
    [FILES["account_health"]],
]


def write_exports(seller: Seller, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # The US report as Amazon sends it; the UK one in Windows-1252 with CRLF,
    # as EU reports sometimes come.
    write_tsv(out / FILES["orders"], ALL_ORDERS_HEADER, all_orders_rows(seller, {US, None}))
    write_tsv(out / FILES["orders_uk"], ALL_ORDERS_HEADER, all_orders_rows(seller, {UK}),
              encoding="cp1252", newline="\r\n")
    write_tsv(out / FILES["unshipped"], UNSHIPPED_HEADER, unshipped_rows(seller, US))
    write_tsv(out / FILES["unshipped_uk"], UNSHIPPED_HEADER, unshipped_rows(seller, UK))
    write_csv(out / FILES["shipments"], SHIPMENTS_HEADER, shipments_rows(seller))
    write_csv(out / FILES["defects"], DEFECTS_HEADER, defects_rows(seller))
    write_tsv(out / FILES["feedback"], FEEDBACK_HEADER, feedback_rows(seller, US))
    # A byte-order mark, as spreadsheet programs add.
    write_tsv(out / FILES["feedback_uk"], FEEDBACK_HEADER, feedback_rows(seller, UK),
              encoding="utf-8-sig")
    write_csv(out / FILES["messages"], MESSAGES_HEADER, messages_rows(seller))


def metric_rows(folder: Path, t: dt.datetime) -> list[dict]:
    return evaluate_folder(folder, IMPORT_ORDER[:2], t)


def find_row(rows, metric, marketplace, channel, window):
    for row in rows:
        if (row["metric"], row["marketplace"], row["channel"], row["window_days"]) == (
                metric, marketplace, channel, window):
            return row
    raise KeyError((metric, marketplace, channel, window))


def generate(out: Path) -> list[dict]:
    seller = Seller()
    seller.simulate()
    t = seller.t
    # Size the missed pickup so the 10-day rate lands between warn and target:
    # count the window first (moving a confirmation later keeps it counted).
    with tempfile.TemporaryDirectory() as scratch:
        write_exports(seller, Path(scratch))
        before = find_row(metric_rows(Path(scratch), t), "late_dispatch_rate", US, "MFN", 10)
    late_target = math.ceil(Fraction(34, 1000) * before["denominator"])
    seller.miss_pickup(late_target - before["numerator"])

    write_exports(seller, out)
    rows = metric_rows(out, t)

    # Amazon's report of the night before. Its counts are ours as of T, so the
    # demo's "Amazon" column agrees with us and the story stays on the 10-day
    # window, which the report does not cover.
    snapshot = account_health_document(rows, t - 8 * HOUR)
    (out / FILES["account_health"]).write_text(json.dumps(snapshot, indent=2) + "\n")

    expected = {"as_of": iso_z(t), "import_order": IMPORT_ORDER, "metrics": rows}
    (out / "expected-status.json").write_text(json.dumps(expected, indent=1) + "\n")
    check_story(rows)
    return rows


def check_story(rows: list[dict]) -> None:
    """The demo must tell its story: a warning before the breach, nothing else."""
    ldr10 = find_row(rows, "late_dispatch_rate", US, "MFN", 10)
    problems = []
    if ldr10["status"] != "at_risk" or ldr10["low_volume"]:
        problems.append(f"US 10-day late dispatch is {ldr10['status']}, expected at_risk")
    others = [r for r in rows if r is not ldr10 and r["status"] != "ok"]
    if others:
        problems.append("other rows not ok: " + ", ".join(
            f"{r['metric']}/{r['marketplace']}/{r['window_days']}={r['status']}" for r in others))
    if problems:
        raise SystemExit("gen_demo: the demo lost its story: " + "; ".join(problems))


def print_table(rows: list[dict]) -> None:
    for r in rows:
        rate = "-" if r["rate"] is None else f"{100 * r['rate']:.2f}%"
        print(f"  {r['marketplace']:<15} {r['metric']:<20} {r['channel']:<4} "
              f"{r['window_days']:>3}d {r['numerator']:>4}/{r['denominator']:<5} {rate:>7} "
              f"{r['status']:<9} headroom={r['headroom']} low_volume={r['low_volume']}")


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------

def check_worked_example(folder: Path) -> int:
    try:
        import yaml  # only for this self-check
    except ImportError:
        print("gen_demo: --worked-example needs PyYAML (python3-yaml)", file=sys.stderr)
        return 2
    expected = json.loads((folder / "expected-status.json").read_text())
    config = yaml.safe_load((folder / "config.yaml").read_text())
    rows = evaluate_with_config(folder, expected["import_order"],
                                parse_instant(expected["as_of"]), config)
    return compare(expected["metrics"], rows)


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=root / "examples" / "demo")
    parser.add_argument("--check", action="store_true",
                        help="fail if the committed demo differs from a fresh generation")
    parser.add_argument("--worked-example", type=Path, metavar="DIR",
                        help="evaluate spec/worked-example and compare with its expectation")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("STATUS", "EXPECTED"),
                        help="compare `status --json` output with expected-status.json")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    if args.worked_example:
        return check_worked_example(args.worked_example)
    if args.compare:
        actual = json.loads(args.compare[0].read_text())
        expected = json.loads(args.compare[1].read_text())
        return compare(expected["metrics"], actual["metrics"])
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            generate(Path(scratch))
            names = sorted(set(FILES.values()) | {"expected-status.json"})
            _, mismatch, errors = filecmp.cmpfiles(args.out, scratch, names, shallow=False)
            if mismatch or errors:
                print(f"gen_demo: out of date: {mismatch + errors}", file=sys.stderr)
                return 1
            print("gen_demo: examples are up to date")
            return 0
    rows = generate(args.out)
    if not args.quiet:
        print(f"gen_demo: wrote {args.out} (as of {iso_z(DEMO_TIME)})")
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
