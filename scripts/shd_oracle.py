"""seller-healthd's metrics contract, read plainly, as an independent oracle.

Reads export files the way spec/formats.md describes them and computes the
`status --json` metric rows the way spec/metrics.md defines them, as of a time
T. It shares no code with the C++ engine: the demo's expected-status.json
(scripts/gen_demo.py) and the differential conformance test
(tests/conformance/run.py) compare the real binary against it.

Contract: evaluate_folder(folder, import_order, t, default_marketplace,
metrics_overrides, marketplace_overrides) -> rows, in the order and with the
fields of `status --json`'s `metrics`; compare(expected, got) prints every
difference and returns 1 if there is any. Exact arithmetic (fractions) for
rates against targets; Python 3 standard library only.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

US = "ATVPDKIKX0DER"

# ---------------------------------------------------------------------------
# Part 1: reading export files (spec/formats.md)
# ---------------------------------------------------------------------------


class BadFile(Exception):
    pass


# Amazon's marketplace ID table, every marketplace in it: sales channel -> ID.
SALES_CHANNELS = {
    "amazon.com": "ATVPDKIKX0DER",
    "amazon.ca": "A2EUQ1WTGCTBG2",
    "amazon.com.mx": "A1AM78C64UM0Y8",
    "amazon.com.br": "A2Q3Y263D00KWC",
    "amazon.ie": "A28R8C7NBKEWEA",
    "amazon.es": "A1RKKUPIHCS9HS",
    "amazon.co.uk": "A1F83G8C2ARO7P",
    "amazon.fr": "A13V1IB3VIYZZH",
    "amazon.com.be": "AMEN7PMS3EDWL",
    "amazon.nl": "A1805IZSGTT6HS",
    "amazon.de": "A1PA6795UKMFR9",
    "amazon.it": "APJ6JRA9NG5V4",
    "amazon.se": "A2NODRKZP88ZB9",
    "amazon.co.za": "AE08WJ6YKNBMC",
    "amazon.pl": "A1C3SOZRARQ6R3",
    "amazon.eg": "ARBP9OOSHTCHU",
    "amazon.com.tr": "A33AVAJ2PDY3EV",
    "amazon.sa": "A17E79C6D8DWNP",
    "amazon.ae": "A2VIGQ35RCS4UG",
    "amazon.in": "A21TJRUUN4KGV",
    "amazon.sg": "A19VAU5U5O7RUS",
    "amazon.com.au": "A39IBJ37TRP1C6",
    "amazon.co.jp": "A1VC38T7YXB528",
}
MARKETPLACE_IDS = set(SALES_CHANNELS.values())

# Amazon reports the daemon does not read, by a column none of ours has.
FOREIGN_REPORT_COLUMNS = {
    "shipment-item-id", "amazon-order-item-id", "estimated-arrival-date",
    "return request date", "return request status", "amazon rma id", "merchant rma id",
    "detailed-disposition", "license-plate-number", "return-date",
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date",
    "listing-id", "seller-sku", "item-name", "open-date", "asin1",
    "fnsku", "afn-warehouse-quantity", "afn-fulfillable-quantity", "mfn-fulfillable-quantity",
    "fulfillment-channel-sku", "quantity available",
}


def marketplace_of_channel(text: str) -> str | None:
    """A sales-channel cell: a name (any case), a marketplace ID, or Non-Amazon (None)."""
    t = text.strip()
    if t.lower() == "non-amazon":
        return None
    if t in MARKETPLACE_IDS:
        return t
    if t.lower() in SALES_CHANNELS:
        return SALES_CHANNELS[t.lower()]
    raise BadFile(f"unknown sales channel")


def check_id(value: str) -> str:
    """IDs carry no control characters (C0, DEL, C1)."""
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise BadFile("a control character in an ID")
    return value

# Day order of the Feedback report's Date column, by marketplace.
FEEDBACK_DATE_STYLE = {
    "ATVPDKIKX0DER": "MDY",   # US
    "A1VC38T7YXB528": "YMD",  # JP
    "A2NODRKZP88ZB9": "ISO",  # SE
    "A1PA6795UKMFR9": "DMY.",  # DE
}




def parse_instant(text: str) -> dt.datetime:
    text = text.strip()
    if len(text) == 10:
        d = dt.date.fromisoformat(text)
        return dt.datetime(d.year, d.month, d.day, tzinfo=UTC)
    value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    if value.tzinfo is None:
        raise BadFile(f"timestamp without offset: {text!r}")
    return value.astimezone(UTC).replace(microsecond=0)


def parse_optional_instant(text: str) -> dt.datetime | None:
    return parse_instant(text) if text.strip() else None


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("", "false"):
        return False
    if t == "true":
        return True
    raise BadFile(f"not a boolean: {text!r}")


def parse_feedback_date(text: str, marketplace: str) -> dt.datetime:
    style = FEEDBACK_DATE_STYLE.get(marketplace, "DMY")
    t = text.strip()
    if style == "ISO":
        y, m, d = (int(p) for p in t.split("-"))
    elif style == "DMY.":
        d, m, y = (int(p) for p in t.split("."))
    else:
        a, b, c = (int(p) for p in t.split("/"))
        if style == "MDY":
            m, d, y = a, b, c
        elif style == "YMD":
            y, m, d = a, b, c
        else:
            d, m, y = a, b, c
    if y < 100:
        y += 2000
    return dt.datetime(y, m, d, tzinfo=UTC)


def decode(raw: bytes) -> str:
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def check_header(header: list[str]) -> list[str]:
    """Column names trimmed; another Amazon report or a repeated column is refused."""
    header = [h.strip() for h in header]
    if any(h.lower() in FOREIGN_REPORT_COLUMNS for h in header):
        raise BadFile("an Amazon report seller-healthd does not read")
    names = [h.lower() for h in header if h]
    if len(names) != len(set(names)):
        raise BadFile("a column appears twice in the header")
    return header


def repeats_header(fields: list[str], header: list[str]) -> bool:
    if len(fields) < 2 or len(header) < 2:
        return False
    differing = max(0, len(header) - len(fields)) + sum(
        1 for f, h in zip(fields, header) if f.strip().lower() != h.lower())
    return differing <= (1 if len(header) >= 4 else 0)


def tsv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    first = text.lstrip(" \t\r\n").split("\n", 1)[0]
    if "\r" in first.rstrip("\r"):
        raise BadFile("lines end in CR alone")
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line]
    header = check_header(lines[0].split("\t"))
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) > len(header):
            raise BadFile(f"line {number}: more fields than the header")
        if repeats_header(fields, header):
            raise BadFile(f"line {number}: the header row again")
        fields += [""] * (len(header) - len(fields))
        rows.append(dict(zip(header, [f.strip(" \t") for f in fields])))
    return header, rows


def csv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    first = text.lstrip(" \t\r\n").split("\n", 1)[0]
    if "\r" in first.rstrip("\r"):
        raise BadFile("lines end in CR alone")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    while not header:
        header = next(reader)
    header = check_header(header)
    rows = []
    for fields in reader:
        if not fields:
            continue
        if len(fields) > len(header):
            raise BadFile("more fields than the header")
        if repeats_header(fields, header):
            raise BadFile("the header row again")
        fields += [""] * (len(header) - len(fields))
        rows.append(dict(zip(header, [f.strip(" \t") for f in fields])))
    return header, rows


@dataclass
class Order:
    marketplace: str | None
    channel: str  # MFN or AFN
    purchased_at: dt.datetime
    cancelled: bool
    item_cancelled: bool
    buyer_requested: bool
    last_updated: dt.datetime | None
    source: str


@dataclass
class Store:
    """What the database holds after the imports, reduced to what metrics use."""
    default_marketplace: str = US
    # Config's `marketplace`: the account's own, for an Unshipped report
    # without sales-channel; None when the config does not state it.
    account_marketplace: str | None = None
    orders: dict[str, Order] = field(default_factory=dict)
    promise: dict[str, tuple[dt.datetime, bool]] = field(default_factory=dict)
    shipments: dict[str, tuple] = field(default_factory=dict)
    defects: dict[tuple[str, str], tuple] = field(default_factory=dict)
    messages: dict[str, tuple] = field(default_factory=dict)
    imported: set[str] = field(default_factory=set)  # SHA-256 of every file's bytes

    def import_file(self, path: Path) -> str:
        return self.import_bytes(path.read_bytes(), path)

    def import_bytes(self, raw: bytes, path: Path | str) -> str:
        """Imports one file's content; returns its format, or "already_imported"."""
        # "Importing the same data again changes nothing": a file whose bytes
        # were imported before is skipped, even after newer files changed rows.
        digest = hashlib.sha256(raw).hexdigest()
        if digest in self.imported:
            return "already_imported"
        self.imported.add(digest)
        text = decode(raw)
        if text.lstrip().startswith("{"):
            json.loads(text)
            return "account_health"  # Amazon's own numbers: not part of the metrics
        first_line = text.split("\n", 1)[0]
        if "\t" in first_line:
            header, rows = tsv_rows(text)
            if "amazon-order-id" in header:
                self._all_orders(rows)
                return "all_orders"
            if "order-id" in header and "promise-date" in header:
                self._unshipped(rows, "sales-channel" in header)
                return "unshipped"
            if "Order ID" in header and "Rating" in header:
                self._feedback(rows)
                return "feedback"
        else:
            header, rows = csv_rows(text)
            if "message_id" in header:
                self._messages(rows)
                return "messages"
            if "kind" in header:
                self._defects(rows)
                return "defects"
            if "latest_ship_date" in header:
                self._shipments(rows)
                return "shipments"
        raise BadFile(f"{path}: unknown format")

    def _all_orders(self, rows):
        grouped: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            grouped.setdefault(r["amazon-order-id"], []).append(r)
        for order_id, items in grouped.items():
            check_id(order_id)
            first = items[0]
            status = first["order-status"].strip()
            order = Order(
                marketplace=marketplace_of_channel(first["sales-channel"]),
                channel={"Merchant": "MFN", "Amazon": "AFN"}[first["fulfillment-channel"].strip()],
                purchased_at=parse_instant(first["purchase-date"]),
                cancelled=status in ("Cancelled", "Canceled"),
                item_cancelled=any(
                    i.get("item-status", "").strip() in ("Cancelled", "Canceled") for i in items),
                buyer_requested=any(
                    parse_bool(i.get("is-buyer-requested-cancellation", "")) for i in items),
                last_updated=parse_optional_instant(first.get("last-updated-date", "")),
                source="all_orders",
            )
            old = self.orders.get(order_id)
            if (old and old.last_updated and order.last_updated
                    and order.last_updated < old.last_updated):
                continue
            self.orders[order_id] = order

    def _unshipped(self, rows, has_sales_channel: bool):
        if rows and not has_sales_channel and not self.account_marketplace:
            raise BadFile("no sales-channel column and no `marketplace` in the config")
        for r in rows:
            order_id = check_id(r["order-id"])
            buyer_requested = parse_bool(r.get("is-buyer-requested-cancellation", ""))
            self.promise[order_id] = (parse_instant(r["promise-date"]), buyer_requested)
            if order_id not in self.orders or self.orders[order_id].source == "unshipped":
                self.orders[order_id] = Order(
                    marketplace=(marketplace_of_channel(r["sales-channel"]) if has_sales_channel
                                 else self.account_marketplace),
                    channel="MFN", purchased_at=parse_instant(r["purchase-date"]),
                    cancelled=False, item_cancelled=False, buyer_requested=buyer_requested,
                    last_updated=None, source="unshipped")

    def _feedback(self, rows):
        for r in rows:
            order_id = check_id(r["Order ID"].strip())
            order = self.orders.get(order_id)
            marketplace = (order.marketplace if order and order.marketplace
                           else self.default_marketplace)
            occurred = parse_feedback_date(r["Date"], marketplace)
            self.defects[(order_id, "negative_feedback")] = (
                occurred, "active", int(r["Rating"]))

    def _defects(self, rows):
        for r in rows:
            kind = r["kind"].strip()
            status = r["status"].strip().lower() or (
                "active" if kind == "negative_feedback" else "open")
            rating = int(r["rating"]) if r.get("rating", "").strip() else None
            self.defects[(r["order_id"].strip(), kind)] = (
                parse_instant(r["occurred_at"]), status, rating)

    def _shipments(self, rows):
        for r in rows:
            valid = r.get("tracking_valid", "").strip()
            self.shipments[r["order_id"].strip()] = (
                parse_instant(r["latest_ship_date"]),
                parse_optional_instant(r.get("confirmed_at", "")),
                r.get("tracking_id", "").strip(),
                None if valid == "" else parse_bool(valid),
            )

    def _messages(self, rows):
        for r in rows:
            self.messages[r["message_id"].strip()] = (
                r.get("order_id", "").strip(),
                r.get("marketplace_id", "").strip(),
                parse_instant(r["received_at"]),
                parse_optional_instant(r.get("responded_at", "")),
                parse_bool(r.get("no_response_needed", "")),
            )


# ---------------------------------------------------------------------------
# Part 2: the metrics (spec/metrics.md), evaluated as of T
# ---------------------------------------------------------------------------

# key: (channels, windows, lag, target, warn, lower_is_better)
METRICS = {
    "order_defect_rate": (["MFN", "AFN"], [60], 14, "0.01", "0.0075", True),
    "late_dispatch_rate": (["MFN"], [10, 30], 0, "0.04", "0.03", True),
    "cancellation_rate": (["MFN"], [7], 0, "0.025", "0.02", True),
    "valid_tracking_rate": (["MFN"], [30], 0, "0.95", "0.97", False),
    "response_rate_24h": (["all"], [7, 30, 90], 0, "0.90", "0.95", False),
}
DEFECT_KINDS = ("negative_feedback", "a_to_z_claim", "chargeback")


def thresholds(overrides: dict | None, marketplace_overrides: dict | None = None) -> dict:
    """The settings in effect: defaults, then `metrics.<key>`, then
    `marketplaces.<id>.<key>` (marketplace_overrides), merged field by field."""
    result = {}
    for key, (channels, windows, lag, target, warn, lower) in METRICS.items():
        o = {**(overrides or {}).get(key, {}), **(marketplace_overrides or {}).get(key, {})}
        result[key] = {
            "channels": channels,
            "windows": sorted(o.get("windows", windows)),
            "lag": o.get("lag_days", lag),
            "target": Fraction(str(o.get("target", target))),
            "warn": Fraction(str(o.get("warn", warn))),
            "min_orders": o.get("min_orders", 100),
            "lower": lower,
        }
    return result


def counting_defect(kind: str, status: str, rating: int | None) -> bool:
    if kind == "negative_feedback":
        return status != "removed" and (rating is None or rating <= 2)
    if kind == "a_to_z_claim":
        return status not in ("denied", "withdrawn", "protected")
    return status != "reversed"  # chargeback


def message_marketplace(store: Store, order_id: str, marketplace_id: str) -> str:
    if marketplace_id:
        return marketplace_id
    order = store.orders.get(order_id) if order_id else None
    if order and order.marketplace:
        return order.marketplace
    return store.default_marketplace


def count(store: Store, metric: str, marketplace: str, channel: str,
          start: dt.datetime, end: dt.datetime, t: dt.datetime):
    """Numerator, denominator (and ODR components) for the window (start, end]."""
    def in_window(x):
        return x is not None and start < x <= end

    def orders_of(chan):
        for order_id, o in store.orders.items():
            if o.marketplace == marketplace and o.channel == chan and o.purchased_at <= t:
                yield order_id, o

    if metric == "order_defect_rate":
        components = {k: 0 for k in DEFECT_KINDS}
        num = den = 0
        for order_id, o in orders_of(channel):
            if not in_window(o.purchased_at):
                continue
            den += 1
            kinds = [k for k in DEFECT_KINDS
                     if (order_id, k) in store.defects
                     and store.defects[(order_id, k)][0] <= t
                     and counting_defect(k, *store.defects[(order_id, k)][1:])]
            if kinds:
                num += 1
            for k in kinds:
                components[k] += 1
        return num, den, components

    if metric == "late_dispatch_rate":
        num = den = 0
        for order_id, o in orders_of("MFN"):
            if o.cancelled:
                continue
            shipment = store.shipments.get(order_id)
            if shipment:
                latest, confirmed = shipment[0], shipment[1]
            elif order_id in store.promise:
                latest, confirmed = store.promise[order_id][0], None
            else:
                continue
            if confirmed is not None and confirmed > t:
                confirmed = None
            if not in_window(latest):
                continue
            if confirmed is None and latest >= t:
                continue  # can still ship on time
            den += 1
            if confirmed is None or confirmed > latest:
                num += 1
        return num, den, None

    if metric == "cancellation_rate":
        num = den = 0
        for order_id, o in orders_of("MFN"):
            if not in_window(o.purchased_at):
                continue
            den += 1
            buyer = o.buyer_requested or store.promise.get(order_id, (None, False))[1]
            if (o.cancelled or o.item_cancelled) and not buyer:
                num += 1
        return num, den, None

    if metric == "valid_tracking_rate":
        num = den = 0
        for order_id, (latest, confirmed, tracking_id, valid) in store.shipments.items():
            o = store.orders.get(order_id)
            if (o is None or o.marketplace != marketplace or o.channel != "MFN"
                    or o.cancelled or o.purchased_at > t):
                continue
            if confirmed is None or confirmed > t or not in_window(confirmed):
                continue
            den += 1
            if valid if valid is not None else tracking_id != "":
                num += 1
        return num, den, None

    if metric == "response_rate_24h":
        num = den = 0
        for order_id, marketplace_id, received, responded, no_response in store.messages.values():
            if no_response or message_marketplace(store, order_id, marketplace_id) != marketplace:
                continue
            if not in_window(received):
                continue
            if responded is not None and responded <= t:
                den += 1
                if responded - received <= 24 * HOUR:
                    num += 1
            elif t - received > 24 * HOUR:
                den += 1  # late: no reply and the 24 hours are over
            # else pending: left out
        return num, den, None

    raise AssertionError(metric)


def judge(num: int, den: int, th: dict) -> dict:
    target, warn = th["target"], th["warn"]
    if den == 0:
        return {"rate": None, "status": "no_data", "headroom": None}
    rate = Fraction(num, den)
    if th["lower"]:
        status = "breached" if rate >= target else "at_risk" if rate >= warn else "ok"
        # largest k with (num + k) / den < target
        headroom = max(0, math.ceil(target * den) - 1 - num)
    else:
        status = "breached" if rate <= target else "at_risk" if rate <= warn else "ok"
        # largest k with num / (den + k) > target
        headroom = max(0, math.ceil(Fraction(num) / target - den) - 1)
    if status == "breached":
        headroom = 0
    return {"rate": num / den, "status": status, "headroom": headroom}


def evaluate(store: Store, t: dt.datetime, overrides: dict | None = None,
             marketplace_overrides: dict | None = None) -> list[dict]:
    """overrides: the config's `metrics`; marketplace_overrides: its `marketplaces`."""
    marketplaces = {o.marketplace for o in store.orders.values() if o.marketplace}
    marketplaces |= {message_marketplace(store, m[0], m[1]) for m in store.messages.values()}
    rows = []
    for marketplace in sorted(marketplaces):
        th_all = thresholds(overrides, (marketplace_overrides or {}).get(marketplace))
        for metric, th in th_all.items():
            for channel in th["channels"]:
                for window in th["windows"]:
                    end = t - th["lag"] * DAY
                    start = end - window * DAY
                    num, den, components = count(store, metric, marketplace, channel,
                                                 start, end, t)
                    verdict = judge(num, den, th)
                    row = {
                        "metric": metric, "marketplace": marketplace, "channel": channel,
                        "window_days": window, "lag_days": th["lag"],
                        "numerator": num, "denominator": den, "rate": verdict["rate"],
                        "target": float(th["target"]), "warn": float(th["warn"]),
                        "status": verdict["status"], "headroom": verdict["headroom"],
                        "low_volume": den < th["min_orders"],
                    }
                    if components is not None:
                        row["components"] = components
                    rows.append(row)
    return rows


def evaluate_folder(folder: Path, import_order: list[list[str]], t: dt.datetime,
                    default_marketplace: str = US, overrides: dict | None = None,
                    marketplace_overrides: dict | None = None,
                    account_marketplace: str | None = None) -> list[dict]:
    store = Store(default_marketplace=default_marketplace,
                  account_marketplace=account_marketplace)
    for batch in import_order:
        for name in batch:
            store.import_file(folder / name)
    return evaluate(store, t, overrides, marketplace_overrides)


def evaluate_with_config(folder: Path, import_order: list[list[str]], t: dt.datetime,
                         config: dict) -> list[dict]:
    """The rows for a parsed config.yaml (default_marketplace, marketplace, metrics,
    marketplaces)."""
    return evaluate_folder(folder, import_order, t, config.get("default_marketplace") or US,
                           config.get("metrics"), config.get("marketplaces"),
                           config.get("marketplace"))


# ---------------------------------------------------------------------------
# Comparing rows
# ---------------------------------------------------------------------------

def row_key(row: dict) -> tuple:
    return (row["metric"], row["marketplace"], row["channel"], row["window_days"])


def same_value(expected, got) -> bool:
    """JSON values equal, numbers within 1e-9; a bool is never a number here."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(expected - got) <= 1e-9
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(
            same_value(v, got[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(
            same_value(a, b) for a, b in zip(expected, got))
    return type(expected) is type(got) and expected == got


def differences(expected_rows: list[dict], rows: list[dict],
                labels: tuple[str, str] = ("expected", "computed")) -> list[str]:
    """One line per difference: rows missing on either side, duplicate rows,
    and every field of an expected row that the other row does not match.
    labels name the two sides in the lines."""
    want_label, got_label = labels
    found = []
    got: dict[tuple, dict] = {}
    for r in rows:
        if row_key(r) in got:
            found.append(f"DUPLICATE {got_label} row {row_key(r)}")
        got[row_key(r)] = r
    want = {row_key(r): r for r in expected_rows}
    for k in sorted(set(want) | set(got)):
        a, b = want.get(k), got.get(k)
        if a is None or b is None:
            found.append(f"MISSING {want_label if a is None else got_label} row {k}")
            continue
        # The expectation lists the fields it pins; the engine may say more
        # (window_start, window_end).
        for name in sorted(a):
            x, y = a.get(name), b.get(name, "<missing>")
            if not same_value(x, y):
                found.append(f"DIFF {k} {name}: {want_label} {x!r}, {got_label} {y!r}")
    return found


def compare(expected_rows: list[dict], rows: list[dict]) -> int:
    """Prints every difference and a summary line; 1 if there is any."""
    found = differences(expected_rows, rows)
    for line in found:
        print(line)
    print(f"{len(expected_rows)} expected rows, {len(rows)} computed, "
          f"{len(found)} differences")
    return 1 if found else 0


