"""Random sellers for the differential conformance test (run.py).

A seller is drawn from a fixed seed and a profile (marketplaces, config
overrides, which file variants to use) and rendered as the files a seller would
import, in several `import` calls: All Orders reports split across imports and
updated later, the Unshipped report, shipments, defects, Feedback reports in
each marketplace's date format, messages, and a file imported twice. The
encodings, line endings, compression, column orders and timestamp offsets vary
from file to file, and the events are spread around T and on the edges of every
window. The generator only writes inputs; what they must produce comes from
scripts/shd_oracle.py, which reads the written files back.

Contract: build_case(profile) -> Case (files as bytes, import batches, config,
as_of), deterministic for a profile. PROFILES lists the cases run.py runs.
Standard library only.
"""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import random
import sys
from dataclasses import dataclass, field
from decimal import Decimal, getcontext
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from shd_exports import (ALL_ORDERS_HEADER, DEFECTS_HEADER, FEEDBACK_HEADER,  # noqa: E402
                         ALL_ORDERS_HEADER_QUANTITY_PURCHASED, FEEDBACK_HEADER_RESPONSE,
                         MARKETPLACES, UNSHIPPED_HEADER_WITHOUT_SALES_CHANNEL,
                         MESSAGES_HEADER, SHIPMENTS_HEADER, UNSHIPPED_HEADER, csv_bytes,
                         iso_offset, tsv_bytes)
# The oracle places the window edges and finds exact thresholds; what the
# files must produce is computed by run.py, from the written files.
from shd_oracle import METRICS, Store, evaluate, thresholds  # noqa: E402

UTC = dt.timezone.utc
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# code: (marketplace ID, sales channel, order-id prefixes, usual UTC offsets in hours)
MARKETS = {
    "US": ("ATVPDKIKX0DER", "Amazon.com", ["111", "112", "113", "114"], [-7, -8, -5]),
    "CA": ("A2EUQ1WTGCTBG2", "Amazon.ca", ["701", "702"], [-4, -5, -8]),
    "MX": ("A1AM78C64UM0Y8", "Amazon.com.mx", ["701", "703"], [-6]),
    "UK": ("A1F83G8C2ARO7P", "Amazon.co.uk", ["202", "203", "204"], [0, 1]),
    "DE": ("A1PA6795UKMFR9", "Amazon.de", ["302", "303", "304"], [1, 2]),
    "FR": ("A13V1IB3VIYZZH", "Amazon.fr", ["402", "403"], [1, 2]),
    "IT": ("APJ6JRA9NG5V4", "Amazon.it", ["404", "405"], [1, 2]),
    "ES": ("A1RKKUPIHCS9HS", "Amazon.es", ["406", "407"], [1, 2]),
    "IN": ("A21TJRUUN4KGV", "Amazon.in", ["171", "402"], [5.5]),
    "JP": ("A1VC38T7YXB528", "Amazon.co.jp", ["249", "250", "503"], [9]),
    "AU": ("A39IBJ37TRP1C6", "Amazon.com.au", ["249", "250"], [10, 11]),
}
# The rest of Amazon's marketplace table.
for _code, _prefixes, _offsets in [
        ("BR", ["701", "704"], [-3]), ("IE", ["205", "206"], [0, 1]),
        ("NL", ["408", "409"], [1, 2]), ("SE", ["410", "411"], [1, 2]),
        ("BE", ["412", "413"], [1, 2]), ("ZA", ["501", "502"], [2]),
        ("PL", ["414", "415"], [1, 2]), ("EG", ["420", "421"], [2, 3]),
        ("TR", ["416", "417"], [3]), ("SA", ["418", "419"], [3]),
        ("AE", ["171", "172"], [4]), ("SG", ["503", "504"], [8])]:
    MARKETS[_code] = (MARKETPLACES[_code][0], MARKETPLACES[_code][1], _prefixes, _offsets)
# Amazon.se is not among formats.md's sales channels: Sweden appears only as a
# marketplace ID (messages, default_marketplace), which is enough for its
# Feedback date format (feedback on orders not imported yet).
SE = "A2NODRKZP88ZB9"
NL = "A1805IZSGTT6HS"
ID_OF = {code: m[0] for code, m in MARKETS.items()}
ODD_OFFSETS = [5.75, -3.5, 13.75, -9.5, 0]

# (sku, asin, name): names with Windows-1252 letters, commas and quotes.
CATALOG = [
    ("CK-SKL-10", "B0D1AA0001", 'Cast Iron Skillet 10" Pre-Seasoned'),
    ("CK-BRD-L", "B0D1AA0002", "Bamboo Cutting Board, Large"),
    ("CK-RAM-6", "B0D1AA0003", "Crème Brûlée Ramekins (6 pcs)"),
    ("CK-MSR-S", "B0D1AA0004", "Messbecher für Küche – 1 l"),
    ("CK-TWL-4", "B0D1AA0005", "Cotton Tea Towels – 4 pcs"),
    ("CK-KNF-8", "B0D1AA0006", "Chef's Knife 8 inch"),
    ("CK-SPT-3", "B0D1AA0007", "Spatule en silicone (3 pièces)"),
    ("CK-MUG-P", "B0D1AA0008", "Personalised Enamel Mug"),
    ("CK-GRT-4", "B0D1AA0009", "Box Grater, 4 Sides"),
    ("CK-THR-I", "B0D1AA0010", "Instant-Read Thermometer"),
    ("CK-KNF-J", "B0D1AA0011", "包丁 三徳 165mm"),
    # Amazon's reports have no text qualifier: a leading quote is data.
    ("CK-MUG-D", "B0D1AA0012", '"Deluxe" Mug, 12 oz'),
]

CLAIM_STATUSES = ["", "open", "granted", "refunded", "denied", "withdrawn", "protected"]
CHARGEBACK_STATUSES = ["", "open", "lost", "reversed"]
FEEDBACK_STATUSES = ["", "active", "removed"]


@dataclass
class Profile:
    name: str
    seed: int
    markets: list[str]                    # codes of MARKETS
    default_marketplace: str
    as_of: dt.datetime | None = None       # None: drawn from the seed
    at_text: str | None = None             # how --at is written, when not ...Z
    orders_per_day: float = 20.0           # all marketplaces; the first ones get more
    messages_per_day: float = 16.0
    badness: float = 1.0                   # scales late, defect, cancel, no-reply odds
    history_days: int = 0                  # 0: enough for every window
    metrics: dict = field(default_factory=dict)
    marketplaces: dict = field(default_factory=dict)
    message_only_marketplaces: list[str] = field(default_factory=list)
    minimal_orders_file: bool = False      # an All Orders file without optional columns
    gz_without_suffix: bool = False
    exact_thresholds: bool = True          # tune some thresholds onto exact boundaries
    # Reports as some marketplaces write them: the account marketplace's
    # Unshipped report without sales-channel (config `marketplace`), sales
    # channels as marketplace IDs, quantity-purchased, Response.
    amazon_variants: bool = False


@dataclass
class Item:
    sku: str
    asin: str
    name: str
    quantity: int
    cancelled: bool = False


@dataclass
class Order:
    order_id: str
    market: str | None            # code; None: Non-Amazon (multi-channel fulfilment)
    channel: str                  # MFN or AFN
    purchased_at: dt.datetime
    items: list[Item]
    status: str = "Shipped"
    buyer_requested: bool = False
    last_updated: dt.datetime | None = None
    # MFN shipping
    latest_ship: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    tracking_id: str = ""
    carrier: str = ""
    tracking_valid: str = ""
    in_shipments: bool = False
    shipments_latest: dt.datetime | None = None   # the shipping software's own date
    in_unshipped: bool = False
    unshipped_buyer_flag: bool = False
    in_all_orders: bool = True
    # packaging
    part: str = "A"               # A: first All Orders import, B: a later one
    history: str = ""             # "", progress, stale, equal, minimal
    edge: str = ""

    @property
    def marketplace(self) -> str | None:
        return ID_OF[self.market] if self.market else None


@dataclass
class Message:
    message_id: str
    order_id: str
    marketplace_id: str
    received_at: dt.datetime
    responded_at: dt.datetime | None
    no_response: str              # "", "false", "true"
    early: tuple | None = None    # (responded_at, no_response) of a first version


@dataclass
class Case:
    name: str
    as_of: dt.datetime
    at_text: str
    config: dict
    files: dict[str, bytes]
    batches: list[list[str]]
    data_rows: dict[str, int]     # file name -> records after the header
    duplicates: set[str]          # files whose bytes were imported before
    summary: str


class Seller:
    def __init__(self, profile: Profile) -> None:
        self.p = profile
        self.r = random.Random(profile.seed)
        r = self.r
        if profile.as_of is not None:
            self.t = profile.as_of
        else:
            self.t = (dt.datetime(2025, 3, 1, tzinfo=UTC)
                      + dt.timedelta(seconds=r.randrange(300 * 86400)))
        self.settings = {}
        for code in profile.markets:
            self.settings[ID_OF[code]] = thresholds(profile.metrics,
                                                    profile.marketplaces.get(ID_OF[code]))
        for mid in profile.message_only_marketplaces + [profile.default_marketplace]:
            self.settings.setdefault(mid, thresholds(profile.metrics,
                                                     profile.marketplaces.get(mid)))
        reach = max(th["lag"] + max(th["windows"])
                    for s in self.settings.values() for th in s.values())
        self.history = profile.history_days or reach + 6
        self.orders: list[Order] = []
        self.by_id: dict[str, Order] = {}
        self.used_ids: set[str] = set()
        self.orphan_shipments: list[list[str]] = []
        self.edge_defects: set[tuple[str, str]] = set()
        self.defects: list[tuple] = []          # (order_id, kind, occurred, status, rating, file)
        self.feedback: list[tuple] = []         # (order_id, date, rating, comment, market, file)
        self.messages: list[Message] = []

    # -- helpers -------------------------------------------------------------
    def new_order_id(self, prefix: str) -> str:
        while True:
            oid = f"{prefix}-{self.r.randrange(10**7):07d}-{self.r.randrange(10**7):07d}"
            if oid not in self.used_ids:
                self.used_ids.add(oid)
                return oid

    def when(self, since: dt.datetime, until: dt.datetime) -> dt.datetime:
        span = int((until - since).total_seconds())
        return since + dt.timedelta(seconds=self.r.randrange(max(1, span)))

    def tracking(self) -> tuple[str, str]:
        r = self.r
        carrier = r.choice(["UPS", "USPS", "DHL", "Royal Mail", "Yamato"])
        return carrier, "1Z" + "".join(r.choice("0123456789ABCDEF") for _ in range(16))

    def windows(self, marketplace: str, metric: str) -> list[tuple[dt.datetime, dt.datetime]]:
        th = self.settings[marketplace][metric]
        end = self.t - th["lag"] * DAY
        return [(end - w * DAY, end) for w in th["windows"]]

    # -- orders --------------------------------------------------------------
    def make_order(self, market: str | None, channel: str, purchased: dt.datetime,
                   n_items: int | None = None) -> Order:
        r = self.r
        n = n_items or r.choices([1, 2, 3], weights=[78, 17, 5])[0]
        items = [Item(sku, asin, name, r.choice([1, 1, 1, 2, 3]))
                 for sku, asin, name in r.sample(CATALOG, n)]
        prefix = "S01" if market is None else r.choice(MARKETS[market][2])
        order = Order(self.new_order_id(prefix), market, channel, purchased, items)
        self.orders.append(order)
        self.by_id[order.order_id] = order
        return order

    def ship(self, o: Order) -> None:
        """Latest ship date, and a confirmation that is usually on time."""
        r, t = self.r, self.t
        o.latest_ship = o.purchased_at + r.choice([1, 1, 2, 3]) * DAY + r.randrange(-6, 7) * HOUR
        kind, q = r.random(), self.p.badness
        if kind < 0.01 * q:
            confirmed = o.latest_ship + r.choice([SECOND, 3 * HOUR, 20 * HOUR, 2 * DAY])
        elif kind < 0.01 * q + 0.01:
            confirmed = o.latest_ship  # exactly on time
        elif kind < 0.013 * q + 0.01:
            confirmed = None  # never confirmed: late once the date passes
        else:
            confirmed = self.when(o.purchased_at + 10 * MINUTE, o.latest_ship)
        o.confirmed_at = confirmed
        o.carrier, o.tracking_id = self.tracking()
        v = r.random() / q
        if v < 0.01:
            o.tracking_id = ""
        elif v < 0.02:
            o.tracking_valid = "false"
        elif v < 0.03:
            o.tracking_id, o.tracking_valid = "", "true"
        elif v < 0.05:
            o.tracking_valid = "true"
        elif v < 0.055:
            o.tracking_id, o.tracking_valid = "", "false"
        if confirmed is not None and confirmed <= t:
            o.status = r.choice(["Shipped"] * 6 + ["Shipping"])
            o.in_shipments = r.random() < 0.96
            # An Unshipped report older than the confirmation still lists it:
            # the shipments row (confirmed) wins.
            o.in_unshipped = o.in_shipments and confirmed > t - 2 * DAY and r.random() < 0.3
        else:
            # Confirmed after T (known to the shipping software, not yet as of
            # T) or not at all.
            o.status = r.choice(["Unshipped", "Unshipped", "Pending", "PartiallyShipped"]) \
                if confirmed is None else r.choice(["Shipped", "Unshipped"])
            o.in_shipments = confirmed is not None or r.random() < 0.5
            o.in_unshipped = o.purchased_at <= t and r.random() < 0.8
            if o.in_unshipped and r.random() < 0.3 and o.history == "":
                o.in_all_orders = False  # known from the Unshipped report only
        # The shipping software's latest ship date wins over promise-date;
        # sometimes it was extended.
        o.shipments_latest = None
        if o.in_shipments and r.random() < 0.2:
            o.shipments_latest = o.latest_ship + r.choice([1, 2]) * DAY

    def cancel(self, o: Order, buyer: bool, whole: bool = True) -> None:
        r = self.r
        o.buyer_requested = buyer
        if whole:
            o.status = r.choice(["Cancelled", "Cancelled", "Canceled"])
            for item in o.items:
                item.cancelled = True
            if o.channel == "MFN" and o.confirmed_at and o.confirmed_at <= self.t \
                    and r.random() < 0.2:
                # Confirmed in the shipping software, then cancelled: a
                # cancelled order's shipment is not counted anywhere.
                o.in_shipments, o.in_unshipped, o.in_all_orders = True, False, True
            elif o.channel == "MFN":
                o.confirmed_at = None
                o.tracking_id = o.carrier = o.tracking_valid = ""
                o.in_shipments = r.random() < 0.4  # still listed, unconfirmed
                o.in_unshipped = r.random() < 0.3 and o.purchased_at <= self.t
                o.unshipped_buyer_flag = buyer
                o.in_all_orders = True
        else:
            o.items[-1].cancelled = True

    def simulate_orders(self) -> None:
        r, t, p = self.r, self.t, self.p
        start = t - self.history * DAY
        n = int(p.orders_per_day * (self.history + 2))
        weights = [1 / (i + 1) for i in range(len(p.markets))]
        for _ in range(n):
            market = r.choices(p.markets, weights)[0]
            channel = "MFN" if r.random() < 0.65 else "AFN"
            self.make_order(market, channel, self.when(start, t + 2 * DAY))
        for _ in range(max(3, n // 40)):
            self.make_order(None, "AFN", self.when(start, t))
        self.orders.sort(key=lambda o: o.purchased_at)
        for o in self.orders:
            o.part = "A" if r.random() < 0.72 else "B"
            if o.channel == "MFN":
                self.ship(o)
            else:
                o.status = "Shipped" if t - o.purchased_at > DAY else r.choice(
                    ["Pending", "Unshipped", "Shipping"])
            c = r.random() / p.badness
            if c < 0.025:
                self.cancel(o, buyer=r.random() < 0.5)
            elif c < 0.045 and len(o.items) > 1:
                self.cancel(o, buyer=r.random() < 0.3, whole=False)
            elif c < 0.06 and o.status in ("Unshipped", "Pending"):
                o.buyer_requested = True  # asked, not cancelled yet: changes nothing
                o.unshipped_buyer_flag = True
            o.last_updated = min(t + 3 * DAY, max(o.purchased_at + HOUR, (
                o.confirmed_at or o.purchased_at) + 2 * HOUR))
            cancelled = any(i.cancelled for i in o.items)
            if o.in_all_orders and o.part == "A" and r.random() < (0.6 if cancelled else 0.12):
                # A cancelled order first seen open (progress, equal), or seen
                # again in an older state (stale, to be ignored).
                o.history = r.choice(["progress", "progress", "stale", "equal"] if not cancelled
                                     else ["progress", "stale", "stale", "equal"])
            if (self.p.minimal_orders_file and o.in_all_orders and o.history == ""
                    and r.random() < 0.08):
                o.history = "minimal"
        # A cancellation the buyer asked for, known only from the Unshipped
        # report: the minimal All Orders file that cancels it has no
        # is-buyer-requested-cancellation column.
        if self.p.minimal_orders_file:
            for o in [o for o in self.orders if o.channel == "MFN" and o.market
                      and t - 6 * DAY < o.purchased_at < t - HOUR and not o.edge][:3]:
                self.cancel(o, buyer=True)
                o.in_unshipped, o.unshipped_buyer_flag, o.history = True, True, "minimal"
                o.edge = "buyer-flag-from-unshipped"

    def edge_orders(self) -> None:
        """Orders, shipments and confirmations exactly on window edges."""
        r, t = self.r, self.t
        for code in self.p.markets:
            mid = ID_OF[code]
            for start, end in self.windows(mid, "order_defect_rate"):
                for at in (start, end, start + SECOND, end + SECOND):
                    for channel in ("MFN", "AFN"):
                        o = self.make_order(code, channel, at, 1)
                        o.edge = "odr-window"
                        if channel == "MFN":
                            self.ship(o)
                        o.last_updated = at + HOUR
                        if at not in (start, end):
                            continue  # counted or not, without a defect
                        kind = r.choice(["a_to_z_claim", "chargeback", "negative_feedback"])
                        self.edge_defects.add((o.order_id, kind))
                        self.defects.append((o.order_id, kind, min(at + 3 * DAY, t),
                                             "open" if kind != "negative_feedback" else "",
                                             "1" if kind == "negative_feedback" else "", 1))
            for start, end in self.windows(mid, "cancellation_rate"):
                for at in (start, end):
                    o = self.make_order(code, "MFN", at, 1)
                    o.edge = "cancel-window"
                    self.ship(o)
                    self.cancel(o, buyer=False)
                    o.last_updated = at + HOUR
            for start, end in self.windows(mid, "late_dispatch_rate"):
                for latest, confirmed in ((start, start + HOUR), (end, None), (end, end),
                                          (end, end + SECOND), (t, None),
                                          (t - SECOND, None)):
                    o = self.make_order(code, "MFN", latest - 2 * DAY, 1)
                    o.edge = "ldr-window"
                    self.ship(o)
                    o.latest_ship, o.shipments_latest, o.confirmed_at = latest, None, confirmed
                    o.status = "Shipped" if confirmed and confirmed <= t else "Unshipped"
                    o.in_shipments, o.in_unshipped = confirmed is not None, confirmed is None
                    o.in_all_orders = True
                    o.last_updated = latest - 2 * DAY + HOUR
            # The shipments row's latest ship date wins over promise-date,
            # both ways: extended past T, and earlier than Amazon's.
            for promise, latest in ((t - 5 * HOUR, t + 2 * DAY), (t + DAY, t - 3 * HOUR)):
                o = self.make_order(code, "MFN", t - 3 * DAY, 1)
                o.edge = "shipments-win"
                self.ship(o)
                o.latest_ship, o.shipments_latest, o.confirmed_at = promise, latest, None
                o.status, o.in_shipments, o.in_unshipped = "Unshipped", True, True
                o.in_all_orders, o.last_updated = True, t - 3 * DAY + HOUR
            for start, end in self.windows(mid, "valid_tracking_rate"):
                for at in (start, end, start + SECOND, t, t + SECOND):
                    o = self.make_order(code, "MFN", at - DAY, 1)
                    o.edge = "vtr-window"
                    self.ship(o)
                    o.latest_ship, o.confirmed_at, o.shipments_latest = at + DAY, at, None
                    o.status, o.in_shipments, o.in_unshipped = "Shipped", True, False
                    o.in_all_orders = True
                    o.tracking_id, o.tracking_valid = "", ""  # invalid: visible if counted
                    o.last_updated = at - DAY + HOUR

    # -- defects and feedback ------------------------------------------------
    def simulate_defects(self) -> None:
        r, t = self.r, self.t
        # One row per (order, kind) in the first files: a second row for the
        # same defect comes only later, on purpose.
        used: set[tuple[str, str]] = set(self.edge_defects)

        def free(o: Order, kind: str) -> bool:
            if (o.order_id, kind) in used:
                return False
            used.add((o.order_id, kind))
            return True

        for o in list(self.orders):
            x = r.random()
            if x < 0.006 * self.p.badness:
                kinds = r.sample(["a_to_z_claim", "chargeback", "negative_feedback"],
                                 r.choice([1, 1, 1, 2, 3]))
            else:
                kinds = []
            for kind in kinds:
                if not free(o, kind):
                    continue
                occurred = o.purchased_at + dt.timedelta(seconds=r.randrange(30 * 86400))
                if kind == "a_to_z_claim":
                    self.defects.append((o.order_id, kind, occurred,
                                         r.choice(CLAIM_STATUSES), "", 1))
                elif kind == "chargeback":
                    self.defects.append((o.order_id, kind, occurred,
                                         r.choice(CHARGEBACK_STATUSES), "", 1))
                elif r.random() < 0.5 and o.market:
                    date = occurred.date()
                    self.feedback.append((o.order_id, date, r.choice([1, 1, 2, 2, 3, 4, 5]),
                                          "Arrived late, box damaged", o.market))
                else:
                    self.defects.append((o.order_id, kind, occurred, r.choice(FEEDBACK_STATUSES),
                                         r.choice(["", "1", "2", "3", "4", "5"]), 1))
            if x > 0.97 and o.market and free(o, "negative_feedback"):  # good feedback
                self.feedback.append((o.order_id, (o.purchased_at + 5 * DAY).date(),
                                      r.choice([3, 4, 5]), "Great, thanks", o.market))
        # Events right at T: known exactly at T, not one second later.
        recent = [o for o in self.orders if t - 40 * DAY < o.purchased_at < t - 15 * DAY
                  and o.market]
        for offset in (dt.timedelta(0), SECOND, -SECOND):
            kind = r.choice(["a_to_z_claim", "chargeback"])
            o = r.choice([o for o in recent if (o.order_id, kind) not in used])
            free(o, kind)
            self.defects.append((o.order_id, kind, t + offset, "open", "", 1))
        # Feedback dated on T's day, the day after and the day before.
        for days in (0, 1, -1):
            o = r.choice([o for o in recent if (o.order_id, "negative_feedback") not in used])
            free(o, "negative_feedback")
            self.feedback.append((o.order_id, (t + days * DAY).date(), 1, "Never came",
                                  o.market))
        # Every status of every kind once, on an order in some marketplace's
        # ODR window.
        every = ([("a_to_z_claim", st, "") for st in CLAIM_STATUSES]
                 + [("chargeback", st, "") for st in CHARGEBACK_STATUSES]
                 + [("negative_feedback", st, rating) for st in FEEDBACK_STATUSES
                    for rating in ("", "2", "3")])
        weights = [1 / (i + 1) for i in range(len(self.p.markets))]
        for kind, status, rating in every:
            code = r.choices(self.p.markets, weights)[0]
            start, end = self.windows(ID_OF[code], "order_defect_rate")[0]
            pool = [o for o in self.orders if o.market == code and start < o.purchased_at <= end
                    and (o.order_id, kind) not in used]
            if pool:
                o = r.choice(pool)
                free(o, kind)
                self.defects.append((o.order_id, kind, min(o.purchased_at + 9 * DAY, t - HOUR),
                                     status, rating, 1))
        # Per marketplace, on orders in the ODR window: a negative feedback
        # dated after T, and one whose day and month read the wrong way round
        # would move it past T.
        for code in self.p.markets:
            start, end = self.windows(ID_OF[code], "order_defect_rate")[0]
            candidates = [o for o in self.orders if o.market == code and start < o.purchased_at
                          <= end and (o.order_id, "negative_feedback") not in used]
            today = t.date()
            swaps = [dt.date(today.year, m, d) for m in range(1, 13) for d in range(1, 13)
                     if m != d and dt.date(today.year, m, d) < today
                     and dt.date(today.year, d, m) > today]
            for date in [today + 3 * DAY] + ([r.choice(swaps)] if swaps else []):
                if candidates:
                    o = candidates.pop(r.randrange(len(candidates)))
                    free(o, "negative_feedback")
                    self.feedback.append((o.order_id, date, 1, "Not as described", code))
            # Feedback first entered by hand in defects.csv, then revised in
            # Amazon's Feedback report (imported after it): the report's row
            # replaces the hand-entered one, both ways.
            for by_hand, revised in (("2", 5), ("4", 1)):
                if candidates:
                    o = candidates.pop(r.randrange(len(candidates)))
                    free(o, "negative_feedback")
                    when = min(o.purchased_at + 4 * DAY, t - DAY)
                    self.defects.append((o.order_id, "negative_feedback", when, "active",
                                         by_hand, 1))
                    self.feedback.append((o.order_id, (when + DAY).date(), revised,
                                          "Revised", code))
        # Defects and feedback for orders never imported.
        for _ in range(3):
            oid = self.new_order_id("999")
            self.defects.append((oid, "a_to_z_claim", self.when(t - 30 * DAY, t), "open", "", 1))
            self.feedback.append((oid, (t - r.randrange(1, 30) * DAY).date(), 1, "Bad", None))
        # Second thoughts in a later file: a claim denied, a chargeback reversed,
        # a negative feedback removed (the Feedback report had it active).
        claims = [d for d in self.defects if d[1] == "a_to_z_claim" and d[3] in ("", "open")]
        for d in r.sample(claims, min(3, len(claims))):
            self.defects.append((d[0], d[1], d[2], r.choice(["denied", "granted"]), "", 2))
        backs = [d for d in self.defects if d[1] == "chargeback" and d[3] in ("", "open")]
        for d in r.sample(backs, min(2, len(backs))):
            self.defects.append((d[0], d[1], d[2], "reversed", "", 2))
        negative = [f for f in self.feedback if f[2] <= 2 and f[4]]
        for f in r.sample(negative, min(3, len(negative))):
            occurred = dt.datetime.combine(f[1], dt.time(), UTC)
            self.defects.append((f[0], "negative_feedback", occurred, "removed", str(f[2]), 2))

    # -- messages ------------------------------------------------------------
    def simulate_messages(self) -> None:
        r, t, p = self.r, self.t, self.p
        start = t - self.history * DAY
        markets = [ID_OF[c] for c in p.markets] + p.message_only_marketplaces
        placed = [o for o in self.orders if o.purchased_at < t]
        n = int(p.messages_per_day * self.history)
        weights = [1 / (i + 1) for i in range(len(markets))]

        def pick() -> str:
            return r.choices(markets, weights)[0]
        counter = 0

        def add(order_id, marketplace_id, received, responded, no_response="", early=None):
            nonlocal counter
            counter += 1
            self.messages.append(Message(f"{p.name}-m{counter:05d}", order_id, marketplace_id,
                                         received, responded, no_response, early))

        for _ in range(n):
            received = self.when(start, t + DAY)
            x = r.random()
            if x < 0.55:
                before = [o for o in placed if o.purchased_at < received][-300:]
                order = r.choice(before) if before else None
                order_id = order.order_id if order else ""
                if order and r.random() < 0.5:
                    mid = order.marketplace or pick()
                elif order and r.random() < 0.1:
                    mid = pick()  # the message's own marketplace wins
                else:
                    mid = ""
            elif x < 0.62:
                order_id, mid = self.new_order_id("998"), r.choice(["", pick()])
            else:
                order_id, mid = "", r.choice(["", pick(), pick()])
            y = r.random()
            q = p.badness
            if y < 0.03:
                responded = received + 24 * HOUR
            elif y < 0.03 + 0.01 * q:
                responded = received + 24 * HOUR + SECOND
            elif y < 0.03 + 0.03 * q:
                responded = received + dt.timedelta(seconds=r.randrange(25 * 3600, 5 * 86400))
            elif y < 0.03 + 0.04 * q:
                responded = None
            else:
                responded = received + dt.timedelta(seconds=r.randrange(60, 23 * 3600))
            nr = r.choices(["", "false", "true"], weights=[70, 20, 10])[0]
            early = None
            if r.random() < 0.08:
                # First seen unanswered (or with the other no_response_needed),
                # then updated by a later file.
                early = (None, nr) if responded else (None, "" if nr == "true" else "true")
            add(order_id, mid, received, responded, nr, early)
        # The edges of every response window, and of the 24 hours.
        for mid in markets:
            for start_w, end_w in self.windows(mid, "response_rate_24h"):
                add("", mid, start_w, start_w + 30 * HOUR)            # outside, late
                add("", mid, start_w + SECOND, start_w + 30 * HOUR)   # inside, late
                add("", mid, end_w, end_w + HOUR if end_w + HOUR <= t else None)
            add("", mid, t - 24 * HOUR, None)              # pending: exactly 24 h
            add("", mid, t - 24 * HOUR - SECOND, None)     # late
            add("", mid, t - 24 * HOUR, t + HOUR)          # replied after T: pending
            add("", mid, t - 30 * HOUR, t + HOUR)          # replied after T: late
            add("", mid, t - 20 * HOUR, t)                 # replied exactly at T
            add("", mid, t - 3 * DAY, t - 2 * DAY)         # exactly 24 h: on time
            add("", mid, t, None)                          # received at T: pending
            add("", mid, t + SECOND, None)                 # after T: not yet
            add("", mid, t - 2 * DAY, None, "true")        # needs no reply
        add("", "", t - 2 * DAY, t - 2 * DAY + 25 * HOUR)  # default marketplace, late
        non_amazon = [o for o in self.orders if o.market is None and o.purchased_at < t - DAY]
        if non_amazon:  # a web-shop order has no marketplace: the default one
            add(non_amazon[0].order_id, "", t - 10 * HOUR, t - 9 * HOUR)

    def simulate(self) -> None:
        self.simulate_orders()
        self.edge_orders()
        self.simulate_defects()
        self.simulate_messages()
        for _ in range(3):  # parcels of the web shop, from the same shipping software
            at = self.when(self.t - 20 * DAY, self.t)
            carrier, tracking_id = self.tracking()
            self.orphan_shipments.append([f"SHOP-{self.r.randrange(10000, 99999)}",
                                          self.ts(at + DAY), self.ts(at), tracking_id, carrier,
                                          ""])

    # -- rendering -----------------------------------------------------------
    def ts(self, instant: dt.datetime, market: str | None = None) -> str:
        """An instant as a seller's tools write it: Z, +00:00, a local offset,
        an unusual offset, or a bare date at midnight UTC."""
        r = self.r
        if instant.time() == dt.time() and r.random() < 0.5:
            return instant.date().isoformat()
        x = r.random()
        if x < 0.3:
            return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
        if x < 0.5:
            return instant.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        hours = r.choice(MARKETS[market][3]) if market and x < 0.9 else r.choice(ODD_OFFSETS)
        return iso_offset(instant, dt.timedelta(hours=hours))

    def feedback_date(self, date: dt.date, marketplace: str) -> str:
        yy = f"{date.year % 100:02d}"
        if marketplace == ID_OF["US"]:
            return f"{date.month}/{date.day}/{yy}"
        if marketplace == ID_OF["JP"]:
            return f"{yy}/{date.month}/{date.day}"
        if marketplace == SE:
            return date.isoformat()
        if marketplace == ID_OF["DE"]:
            return f"{date.day}.{date.month}.{yy}"
        return f"{date.day}/{date.month}/{yy}"

    def all_orders_rows(self, order: Order, version: str) -> list[dict]:
        """version: final, early (before it shipped or was cancelled), stale
        (an early state with an older last-updated-date)."""
        o, t = order, self.t
        status, buyer, updated = o.status, o.buyer_requested, o.last_updated
        item_cancelled = [i.cancelled for i in o.items]
        if version in ("early", "stale"):
            status = "Pending" if version == "stale" else "Unshipped"
            buyer, item_cancelled = False, [False] * len(o.items)
            updated = o.purchased_at + 30 * MINUTE
            if version == "stale":
                updated = min(o.last_updated - SECOND, o.purchased_at + 20 * MINUTE)
        if o.history == "equal" and version == "early":
            updated = o.last_updated
        rows = []
        for item, cancelled in zip(o.items, item_cancelled):
            shipped = status in ("Shipped", "Shipping") or (
                status == "PartiallyShipped" and item is o.items[0])
            rows.append({
                "amazon-order-id": o.order_id, "merchant-order-id": "",
                "purchase-date": self.ts(o.purchased_at, o.market),
                "last-updated-date": self.ts(updated, o.market) if updated else "",
                "order-status": status,
                "fulfillment-channel": "Merchant" if o.channel == "MFN" else "Amazon",
                "sales-channel": MARKETS[o.market][1] if o.market else "Non-Amazon",
                "order-channel": "" if o.market else "Web",
                "url": "", "ship-service-level": "Standard", "product-name": item.name,
                "sku": item.sku, "asin": item.asin,
                "item-status": "Cancelled" if cancelled else ("Shipped" if shipped else
                                                              "Unshipped"),
                "quantity": "0" if cancelled else str(item.quantity),
                "currency": "EUR", "item-price": "" if cancelled else "19.99",
                "item-tax": "", "ship-country": o.market or "US",
                "is-business-order": "false",
                "is-buyer-requested-cancellation": "true" if buyer else "false",
                "buyer-requested-cancel-reason": "No longer needed" if buyer else "",
            })
        return rows

    def unshipped_rows(self, o: Order) -> list[dict]:
        promise = o.latest_ship or (o.purchased_at + 2 * DAY)
        return [{
            "order-id": o.order_id, "order-item-id": f"{o.order_id[4:11]}{n:03d}{o.order_id[-4:]}",
            "purchase-date": self.ts(o.purchased_at, o.market),
            "payments-date": self.ts(o.purchased_at + 5 * MINUTE, o.market),
            "reporting-date": self.ts(self.t - HOUR),
            "promise-date": self.ts(promise, o.market),
            "days-past-promise": "0", "buyer-email": "b@marketplace.amazon.com",
            "buyer-name": "Jane Smith", "sku": i.sku, "number-of-items": str(len(o.items)),
            "product-name": i.name, "quantity-purchased": str(i.quantity),
            "quantity-shipped": "0", "quantity-to-ship": str(i.quantity),
            "sales-channel": MARKETS[o.market][1], "is-business-order": "false",
            "is-prime": "false",
            "is-buyer-requested-cancellation": "true" if o.unshipped_buyer_flag else "false",
            "buyer-requested-cancel-reason": "Ordered by mistake"
            if o.unshipped_buyer_flag else "",
        } for n, i in enumerate(o.items)]

    def shipment_row(self, o: Order, confirmed: dt.datetime | None, tracking_id: str,
                     tracking_valid: str) -> dict:
        latest = o.shipments_latest or o.latest_ship
        return {"order_id": o.order_id, "latest_ship_date": self.ts(latest, o.market),
                "confirmed_at": self.ts(confirmed, o.market) if confirmed else "",
                "tracking_id": tracking_id, "carrier": o.carrier if tracking_id else "",
                "tracking_valid": tracking_valid}


def encode_file(r: random.Random, kind: str, header: list[str], rows: list[dict],
                variant: dict) -> bytes:
    """Rows as the bytes of a file, with the variant's column order, extra
    columns, encoding, line ending, short rows and compression."""
    columns = list(header)
    if variant.get("drop"):
        columns = [c for c in columns if c not in variant["drop"]]
    extra = variant.get("extra")
    if extra:
        columns.insert(r.randrange(len(columns) + 1), extra)
        # Free text: commas, quotes and line breaks (quoted, RFC 4180) in
        # CSV; in a tab-separated report, quotes inside a field.
        notes = (['ring twice, then wait', 'said "urgent"', 'two\nlines', 'crlf\r\ninside',
                  '"quoted", with comma', ''] if kind == "csv" else
                 ['10" pan', 'size 7 1/2', "it's fine", 'Größe: M', ''])
        rows = [{**row, extra: r.choice(notes)} for row in rows]
    if variant.get("shuffle"):
        r.shuffle(columns)
    table = [[row.get(c, "") for c in columns] for row in rows]
    if variant.get("short"):
        # Trailing empty fields left out: the reader pads short rows.
        table = [cells[:max(i for i, c in enumerate(cells) if c != "" or i == 0) + 1]
                 if r.random() < 0.5 else cells for cells in table]
    encoding = variant.get("encoding", "utf-8")
    newline = variant.get("newline", "\n" if kind == "tsv" else "\r\n")
    if encoding == "cp1252":
        # Only letters Windows-1252 has: the file must not be valid UTF-8.
        table = [[c.encode("cp1252", "replace").decode("cp1252") for c in cells]
                 for cells in table]
    if kind == "tsv":
        data = tsv_bytes(columns, table, encoding, newline)
    else:
        data = csv_bytes(columns, table, encoding, newline, variant.get("quote_all", False))
    if variant.get("no_final_newline"):
        data = data[:-len(newline.encode())]
    if variant.get("gzip"):
        data = gzip.compress(data, mtime=0)
    return data


def build_case(profile: Profile) -> Case:
    s = Seller(profile)
    s.simulate()
    r, t = s.r, s.t
    files: dict[str, bytes] = {}
    data_rows: dict[str, int] = {}
    known: dict[str, str | None] = {}   # order_id -> marketplace ID, as imported so far
    sequence: list[list[str]] = []

    variants = [
        {}, {"encoding": "utf-8-sig"}, {"newline": "\r\n"}, {"shuffle": True},
        {"extra": "notes"}, {"gzip": True}, {"encoding": "utf-8-sig", "newline": "\r\n",
                                             "shuffle": True},
        {"gzip": True, "encoding": "cp1252", "extra": "Anmerkung"},
        {"fake_gz_name": True, "extra": "subject"},
    ]
    pending_variants = list(variants)
    r.shuffle(pending_variants)

    def variant_for(kind: str) -> dict:
        # Every variant is used at least once per case, then at random.
        v = dict(pending_variants.pop() if pending_variants else r.choice(variants))
        if r.random() < 0.4:
            v["short"] = True
        if kind == "csv" and r.random() < 0.3:
            v["quote_all"] = True
        if r.random() < 0.2:
            v["no_final_newline"] = True
        return v

    def add(name: str, kind: str, header: list[str], rows: list[dict],
            variant: dict | None = None) -> str:
        v = variant if variant is not None else variant_for(kind)
        if v.get("gzip"):
            name = name if profile.gz_without_suffix else name + ".gz"
        elif v.get("fake_gz_name"):
            name += ".gz"  # not compressed: the magic bytes decide, not the name
        files[name] = encode_file(r, kind, header, rows, v)
        data_rows[name] = len(rows)
        sequence[-1].append(name)
        return name

    def know(orders: list[Order]) -> None:
        for o in orders:
            known[o.order_id] = o.marketplace

    ordered = sorted(s.orders, key=lambda o: (o.market or "", o.purchased_at))
    in_a = [o for o in ordered if o.in_all_orders and (o.part == "A" or o.history)
            and o.history != "minimal"]
    in_b = [o for o in ordered if o.in_all_orders and o.part == "B" and not o.history]

    # Import 1: the All Orders reports (one per marketplace group), the
    # Unshipped report.
    sequence.append([])
    groups: dict[str, list[Order]] = {}
    for o in in_a:
        groups.setdefault(r.choice(["1", "2"]) if o.market is None else o.market, []).append(o)
    for n, key in enumerate(sorted(groups, key=lambda k: (len(k) < 2, k))):
        rows = []
        header = ALL_ORDERS_HEADER
        for i, o in enumerate(groups[key]):
            version = "early" if o.history in ("progress", "equal") else "final"
            order_rows = s.all_orders_rows(o, version)
            if profile.amazon_variants and o.market and i % 2 == 1:
                for row in order_rows:
                    row["sales-channel"] = MARKETS[o.market][0]
            rows += order_rows
        if profile.amazon_variants and n == 1:
            header = ALL_ORDERS_HEADER_QUANTITY_PURCHASED
            rows = [{("quantity-purchased" if k == "quantity" else k): v for k, v in row.items()}
                    for row in rows]
        # The first report in Windows-1252 with CRLF, as EU reports sometimes
        # come (its product names are not valid UTF-8 then).
        add(f"all-orders-{key}-1.txt", "tsv", header, rows,
            {"encoding": "cp1252", "newline": "\r\n"} if n == 0 else None)
        know(groups[key])
    unshipped = [o for o in ordered if o.in_unshipped and o.channel == "MFN" and o.market]
    if profile.amazon_variants:
        own = [o for o in unshipped if o.market and ID_OF[o.market] == profile.default_marketplace]
        unshipped = [o for o in unshipped if o not in own]
        rows = [{**row, "is-iba": "false"} for o in own for row in s.unshipped_rows(o)]
        add("unshipped-own-marketplace.txt", "tsv", UNSHIPPED_HEADER_WITHOUT_SALES_CHANNEL, rows)
        know(own)
    rows = [row for o in unshipped for row in s.unshipped_rows(o)]
    add("unshipped.txt", "tsv", UNSHIPPED_HEADER, rows)
    know(unshipped)

    # Import 2: shipments, defects, feedback and messages, some for orders
    # that arrive only in import 3.
    sequence.append([])
    shipments_1, shipments_2 = [], []
    for o in ordered:
        if not o.in_shipments or o.latest_ship is None:
            continue
        row = s.shipment_row(o, o.confirmed_at, o.tracking_id, o.tracking_valid)
        if o.confirmed_at and r.random() < 0.1:
            # First listed unconfirmed (or without its tracking number), then
            # updated by a later file.
            shipments_1.append(s.shipment_row(o, None, "", "") if r.random() < 0.5 else
                               s.shipment_row(o, o.confirmed_at, "", ""))
            shipments_2.append(row)
        elif r.random() < 0.85:
            shipments_1.append(row)
        else:
            shipments_2.append(row)
    afn = [o for o in ordered if o.channel == "AFN" and o.market][:2]
    for o in afn:  # rows for FBA orders: never counted
        shipments_1.append({"order_id": o.order_id, "latest_ship_date": s.ts(o.purchased_at
                                                                              + DAY),
                            "confirmed_at": s.ts(o.purchased_at + HOUR), "tracking_id": "",
                            "carrier": "", "tracking_valid": ""})
    for cells in s.orphan_shipments:
        shipments_1.append(dict(zip(SHIPMENTS_HEADER, cells)))
    r.shuffle(shipments_1)
    add("shipments-1.csv", "csv", SHIPMENTS_HEADER, shipments_1)

    def defect_row(d):
        return {"order_id": d[0], "kind": d[1], "occurred_at": s.ts(d[2]), "status": d[3],
                "rating": d[4]}
    add("defects-1.csv", "csv", DEFECTS_HEADER, [defect_row(d) for d in s.defects if d[5] == 1])

    by_market: dict[str, list[tuple]] = {}
    for f in s.feedback:
        by_market.setdefault(f[4] or r.choice(profile.markets), []).append(f)
    for market in sorted(by_market):
        rows = []
        for order_id, date, rating, comment, _ in sorted(by_market[market], key=lambda f: f[1],
                                                         reverse=True):
            # The Date column is read in the format of the order's marketplace,
            # or of default_marketplace while the order is unknown.
            style = known.get(order_id) or profile.default_marketplace
            rows.append({"Date": s.feedback_date(date, style), "Rating": str(rating),
                         "Comments": comment, "Your Response": "", "Response": "",
                         "Order ID": order_id, "Rater Email": "rater@marketplace.amazon.com"})
        add(f"feedback-{market}.txt", "tsv",
            FEEDBACK_HEADER_RESPONSE if profile.amazon_variants else FEEDBACK_HEADER, rows)

    def message_row(m: Message, responded, no_response) -> dict:
        return {"message_id": m.message_id, "order_id": m.order_id,
                "marketplace_id": m.marketplace_id, "received_at": s.ts(m.received_at),
                "responded_at": s.ts(responded) if responded else "",
                "no_response_needed": no_response}
    messages_1 = [message_row(m, *(m.early or (m.responded_at, m.no_response)))
                  for m in s.messages if m.early or r.random() < 0.85]
    in_first = {row["message_id"] for row in messages_1}
    messages_1_name = add("messages-1.csv", "csv", MESSAGES_HEADER, messages_1)

    # Import 3: later All Orders reports (new orders, updates, stale rows), the
    # second shipments, defects and messages files, and a file again.
    sequence.append([])
    rows = []
    for o in in_b:
        rows += s.all_orders_rows(o, "final")
    for o in in_a:
        if o.history in ("progress", "equal"):
            rows += s.all_orders_rows(o, "final")
        elif o.history == "stale":
            rows += s.all_orders_rows(o, "stale")
    add("all-orders-3.txt", "tsv", ALL_ORDERS_HEADER, rows)
    know(in_b)
    if profile.minimal_orders_file:
        minimal = [o for o in ordered if o.history == "minimal"]
        rows = [row for o in minimal for row in s.all_orders_rows(o, "final")]
        add("all-orders-minimal.txt", "tsv", ALL_ORDERS_HEADER, rows, {
            "drop": [c for c in ALL_ORDERS_HEADER if c not in (
                "amazon-order-id", "purchase-date", "order-status", "fulfillment-channel",
                "sales-channel", "sku", "asin", "item-status", "quantity")],
            "shuffle": True})
        know(minimal)
    add("shipments-2.csv", "csv", SHIPMENTS_HEADER, shipments_2)
    add("defects-2.csv", "csv", DEFECTS_HEADER, [defect_row(d) for d in s.defects if d[5] == 2])
    messages_2 = [message_row(m, m.responded_at, m.no_response) for m in s.messages
                  if m.early or m.message_id not in in_first]
    add("messages-2.csv", "csv", MESSAGES_HEADER, messages_2)
    # A report with a header and no rows: a valid, empty export.
    add("unshipped-empty.txt", "tsv", UNSHIPPED_HEADER, [], {"newline": "\r\n"})
    # The first messages file again, under another name: already imported, so
    # the updates of messages-2.csv stand.
    files["messages-1-again.csv"] = files[messages_1_name]
    data_rows["messages-1-again.csv"] = data_rows[messages_1_name]
    sequence[-1].append("messages-1-again.csv")

    config = {"database": "conformance.sqlite", "inbox": "inbox",
              "default_marketplace": profile.default_marketplace}
    if profile.amazon_variants:
        config["marketplace"] = profile.default_marketplace
    if profile.metrics:
        config["metrics"] = copy.deepcopy(profile.metrics)
    overrides = copy.deepcopy(profile.marketplaces)
    if profile.exact_thresholds:
        store = Store(default_marketplace=profile.default_marketplace,
                      account_marketplace=config.get("marketplace"))
        for batch in sequence:
            for name in batch:
                store.import_bytes(files[name], name)
        rows = evaluate(store, t, profile.metrics, overrides)
        exact_thresholds(rows, r, overrides)
    if overrides:
        config["marketplaces"] = overrides
    n_orders = sum(1 for o in s.orders)
    summary = (f"T={t.isoformat()}, {n_orders} orders, {len(s.messages)} messages, "
               f"{len(s.defects) + len(s.feedback)} defect/feedback rows, {len(files)} files "
               f"in {len(sequence)} imports")
    return Case(profile.name, t, profile.at_text or t.strftime("%Y-%m-%dT%H:%M:%SZ"), config,
                files, sequence, data_rows, {"messages-1-again.csv"}, summary)


def short_decimal(value: Fraction) -> float | None:
    """value as a float if it has a short exact decimal form (0.0125), else None."""
    if value.denominator > 10**6 or 10**6 % value.denominator:
        return None
    getcontext().prec = 30
    text = str(Decimal(value.numerator) / Decimal(value.denominator))
    return float(text) if Fraction(text) == value else None


def exact_thresholds(rows: list[dict], r: random.Random, overrides: dict) -> list[str]:
    """Per-marketplace targets, warn levels and min_orders that put some rows
    exactly on a boundary: the rate equal to its target or warn level, a
    headroom where (numerator + k) / denominator meets the target exactly, a
    denominator equal to min_orders. Numerators and denominators do not depend
    on these settings, so the rows found before still hold. Edits overrides
    (the config's `marketplaces`); returns what it did."""
    done, used = [], set()
    rows = [row for row in rows if row["denominator"] > 0]
    r.shuffle(rows)

    def place(mode: str, lower: bool) -> None:
        for row in rows:
            key = (row["marketplace"], row["metric"])
            if key in used or METRICS[row["metric"]][5] != lower:
                continue
            num, den = row["numerator"], row["denominator"]
            rate = Fraction(num, den)
            exact = short_decimal(rate) if 0 < rate < 1 else None
            setting = None
            if mode == "min_orders":
                setting = {"min_orders": den}
            elif mode == "headroom" and lower:
                for target in ("0.5", "0.25", "0.2", "0.1", "0.05", "0.04", "0.025", "0.02",
                               "0.0125", "0.01"):
                    product = Fraction(target) * den
                    if product.denominator == 1 and product > num + 1:
                        setting = {"target": float(target), "warn": float(target) / 2}
                        break
            elif mode == "headroom":
                for target in ("0.9", "0.8", "0.75", "0.6", "0.5", "0.4", "0.25", "0.2"):
                    quotient = num / Fraction(target)
                    if quotient.denominator == 1 and rate > Fraction(target):
                        setting = {"target": float(target),
                                   "warn": short_decimal((Fraction(target) + 1) / 2)}
                        break
            elif exact is None:
                continue
            elif mode == "at_target":
                setting = {"target": exact,
                           "warn": short_decimal(rate / 2 if lower else (rate + 1) / 2)}
            elif mode == "at_warn" and (rate < Fraction(1, 2) or not lower):
                setting = {"warn": exact, "target": short_decimal(rate * 2 if lower
                                                                  else rate / 2)}
            if not setting or None in setting.values():
                continue
            used.add(key)
            overrides.setdefault(row["marketplace"], {}).setdefault(row["metric"], {}).update(
                setting)
            done.append(f"{mode} {row['metric']} {row['marketplace']} "
                        f"{row['window_days']}d {num}/{den}")
            return

    for lower in (True, False):
        for mode in ("headroom", "at_target", "at_warn", "min_orders"):
            place(mode, lower)
    return done


def _midnight(y, m, d):
    return dt.datetime(y, m, d, tzinfo=UTC)


PROFILES = [
    Profile("us-jp-defaults", 101, ["US", "JP"], ID_OF["US"], exact_thresholds=False),
    Profile("eu-overrides", 202, ["UK", "DE", "FR", "ES"], ID_OF["DE"],
            metrics={"late_dispatch_rate": {"windows": [7, 10, 30]},
                     "cancellation_rate": {"min_orders": 10, "target": 0.05, "warn": 0.03}},
            marketplaces={
                ID_OF["UK"]: {"order_defect_rate": {"windows": [30, 60], "lag_days": 7,
                                                    "min_orders": 20}},
                ID_OF["DE"]: {"late_dispatch_rate": {"target": 0.05, "warn": 0.045}},
                ID_OF["FR"]: {"response_rate_24h": {"windows": [14], "target": 0.85,
                                                    "warn": 0.92}},
            }),
    Profile("se-default-americas", 303, ["US", "CA", "MX"], SE,
            metrics={"response_rate_24h": {"windows": [1, 7, 30], "min_orders": 20},
                     "valid_tracking_rate": {"target": 0.9, "warn": 0.93, "min_orders": 20}},
            message_only_marketplaces=[SE]),
    Profile("us-updates-lags", 404, ["US"], ID_OF["US"], orders_per_day=7,
            minimal_orders_file=True, gz_without_suffix=True,
            metrics={"cancellation_rate": {"lag_days": 1, "windows": [7, 14]},
                     "valid_tracking_rate": {"lag_days": 2},
                     "late_dispatch_rate": {"lag_days": 1, "target": 0.1, "warn": 0.05},
                     "order_defect_rate": {"min_orders": 50}}),
    Profile("midnight-edges", 505, ["US", "UK", "DE"], ID_OF["UK"],
            as_of=_midnight(2025, 11, 3), at_text="2025-11-02T16:00:00-08:00",
            metrics={"order_defect_rate": {"target": 0.05, "warn": 0.02},
                     "response_rate_24h": {"target": 0.8, "warn": 0.9}}),
    Profile("asia-pacific", 606, ["JP", "AU", "IN"], ID_OF["JP"], orders_per_day=12,
            metrics={"order_defect_rate": {"windows": [90], "lag_days": 0, "target": 0.04,
                                           "warn": 0.02},
                     "late_dispatch_rate": {"min_orders": 0}},
            marketplaces={ID_OF["AU"]: {"cancellation_rate": {"windows": [3, 30],
                                                              "target": 0.1, "warn": 0.05}}}),
    Profile("sparse-marketplaces", 707, ["IT", "CA"], ID_OF["IT"], orders_per_day=0.6,
            as_of=_midnight(2025, 3, 8), at_text="2025-03-08",
            metrics={"valid_tracking_rate": {"min_orders": 0}, "order_defect_rate": {
                "target": 0.2, "warn": 0.1}},
            message_only_marketplaces=[NL, ID_OF["ES"]]),
    Profile("everything", 808, ["US", "CA", "UK", "DE", "FR", "IT", "ES", "JP", "AU", "IN",
                                "MX"], ID_OF["US"], orders_per_day=40, messages_per_day=30,
            minimal_orders_file=True,
            metrics={"response_rate_24h": {"windows": [7, 30, 90], "lag_days": 1},
                     "order_defect_rate": {"target": 0.03, "warn": 0.015},
                     "late_dispatch_rate": {"target": 0.08, "warn": 0.05}},
            marketplaces={ID_OF["JP"]: {"late_dispatch_rate": {"windows": [10, 30, 60],
                                                               "warn": 0.035}},
                          ID_OF["MX"]: {"valid_tracking_rate": {"target": 0.5, "warn": 0.6}}}),
    Profile("rest-of-world", 909, ["AE", "ZA", "BR", "IE", "SE", "NL", "PL", "BE", "TR", "SA",
                                   "EG", "SG"], ID_OF["AE"], orders_per_day=16,
            amazon_variants=True),
]
