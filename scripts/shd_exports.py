"""Writers for seller-healthd's input files, as spec/formats.md describes them.

The headers of Amazon's flat files (All Orders, Unshipped, Feedback) and of
the project's own CSV formats (shipments, defects, messages), and functions
that turn rows into the bytes of a file: tab-separated with a chosen encoding
and line ending, or RFC 4180 CSV. Shared by scripts/gen_demo.py and the
conformance test's random sellers (tests/conformance/). Standard library only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

ALL_ORDERS_HEADER = (
    "amazon-order-id merchant-order-id purchase-date last-updated-date order-status "
    "fulfillment-channel sales-channel order-channel url ship-service-level product-name sku "
    "asin item-status quantity currency item-price item-tax shipping-price shipping-tax "
    "gift-wrap-price gift-wrap-tax item-promotion-discount ship-promotion-discount ship-city "
    "ship-state ship-postal-code ship-country promotion-ids cpf is-business-order "
    "purchase-order-number price-designation signature-confirmation-recommended "
    "is-buyer-requested-cancellation buyer-requested-cancel-reason").split()

UNSHIPPED_HEADER = (
    "order-id order-item-id purchase-date payments-date reporting-date promise-date "
    "days-past-promise buyer-email buyer-name cpf buyer-phone-number sku number-of-items "
    "product-name quantity-purchased quantity-shipped quantity-to-ship ship-service-level "
    "ship-service-name recipient-name ship-address-1 ship-address-2 ship-address-3 ship-city "
    "ship-state ship-postal-code ship-country sales-channel customized-url customized-page "
    "is-business-order purchase-order-number price-designation is-prime "
    "is-buyer-requested-cancellation buyer-requested-cancel-reason verge-of-cancellation "
    "verge-of-lateShipment signature-confirmation-recommended buyer-identification-number "
    "buyer-identification-type").split()

FEEDBACK_HEADER = ["Date", "Rating", "Comments", "Your Response", "Order ID", "Rater Email"]

# Variants real reports come in (docs/formats.md): an Unshipped report without
# sales-channel (its orders are the account's marketplace, config `marketplace`)
# and with is-iba; "Response" for "Your Response"; "quantity-purchased" for
# "quantity".
UNSHIPPED_HEADER_WITHOUT_SALES_CHANNEL = (
    [c for c in UNSHIPPED_HEADER if c != "sales-channel"] + ["is-iba"])
FEEDBACK_HEADER_RESPONSE = ["Date", "Rating", "Comments", "Response", "Order ID", "Rater Email"]
ALL_ORDERS_HEADER_QUANTITY_PURCHASED = [
    "quantity-purchased" if c == "quantity" else c for c in ALL_ORDERS_HEADER]

# Amazon's marketplace ID table, every marketplace in it: code -> (ID, sales channel).
MARKETPLACES = {
    "US": ("ATVPDKIKX0DER", "Amazon.com"), "CA": ("A2EUQ1WTGCTBG2", "Amazon.ca"),
    "MX": ("A1AM78C64UM0Y8", "Amazon.com.mx"), "BR": ("A2Q3Y263D00KWC", "Amazon.com.br"),
    "IE": ("A28R8C7NBKEWEA", "Amazon.ie"), "ES": ("A1RKKUPIHCS9HS", "Amazon.es"),
    "UK": ("A1F83G8C2ARO7P", "Amazon.co.uk"), "FR": ("A13V1IB3VIYZZH", "Amazon.fr"),
    "BE": ("AMEN7PMS3EDWL", "Amazon.com.be"), "NL": ("A1805IZSGTT6HS", "Amazon.nl"),
    "DE": ("A1PA6795UKMFR9", "Amazon.de"), "IT": ("APJ6JRA9NG5V4", "Amazon.it"),
    "SE": ("A2NODRKZP88ZB9", "Amazon.se"), "ZA": ("AE08WJ6YKNBMC", "Amazon.co.za"),
    "PL": ("A1C3SOZRARQ6R3", "Amazon.pl"), "EG": ("ARBP9OOSHTCHU", "Amazon.eg"),
    "TR": ("A33AVAJ2PDY3EV", "Amazon.com.tr"), "SA": ("A17E79C6D8DWNP", "Amazon.sa"),
    "AE": ("A2VIGQ35RCS4UG", "Amazon.ae"), "IN": ("A21TJRUUN4KGV", "Amazon.in"),
    "SG": ("A19VAU5U5O7RUS", "Amazon.sg"), "AU": ("A39IBJ37TRP1C6", "Amazon.com.au"),
    "JP": ("A1VC38T7YXB528", "Amazon.co.jp"),
}

SHIPMENTS_HEADER = ["order_id", "latest_ship_date", "confirmed_at", "tracking_id", "carrier",
                    "tracking_valid"]
DEFECTS_HEADER = ["order_id", "kind", "occurred_at", "status", "rating"]
MESSAGES_HEADER = ["message_id", "order_id", "marketplace_id", "received_at", "responded_at",
                   "no_response_needed"]


def iso_utc(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def iso_z(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_offset(instant: dt.datetime, offset: dt.timedelta) -> str:
    """The instant written in local time at a fixed UTC offset (`-07:00`)."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return ((instant + offset).strftime("%Y-%m-%dT%H:%M:%S")
            + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")


def tsv_bytes(header: list[str], rows: list[list[str]], encoding="utf-8",
              newline="\n") -> bytes:
    """A tab-separated file; encoding "utf-8-sig" adds a byte-order mark."""
    text = newline.join("\t".join(row) for row in [header] + rows) + newline
    return text.encode(encoding)


def csv_bytes(header: list[str], rows: list[list[str]], encoding="utf-8",
              newline="\r\n", quote_all=False) -> bytes:
    """RFC 4180: fields quoted when they must be, or all of them."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_tsv(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8",
              newline="\n") -> None:
    path.write_bytes(tsv_bytes(header, rows, encoding, newline))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.write_bytes(csv_bytes(header, rows))
