#!/usr/bin/env python3
"""Does the conformance test's data reach every rule? A mutation check.

run.py passes when the binary and scripts/shd_oracle.py agree on the random
sellers. That only means something if the sellers contain the cases each rule
decides. So this script breaks the oracle one rule at a time (a window edge
made inclusive, exactly 24 h counted as late, item cancellations ignored, a
Feedback date read in the wrong order, ...) and checks that at least one
random seller's rows change. A mutant that changes nothing is a rule the
random sellers do not exercise: the check fails and names it.

No binary needed: the unbroken oracle is the reference. Prints one line per
mutant and a closing `N passed, M failed`; exits 1 if any mutant survives.
"""

from __future__ import annotations

import sys
import tempfile
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
SCRIPTS = HERE.parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))
sys.path.insert(0, str(HERE))

import random_seller  # noqa: E402
import shd_oracle  # noqa: E402

# (what the mutant gets wrong, text in shd_oracle.py, replacement). Not here:
# "orders purchased after T are counted", which no consistent seller can show
# (such an order's events all lie after T too).
MUTANTS = [
    ("window start inclusive", "start < x <= end", "start <= x <= end"),
    ("window end exclusive", "start < x <= end", "start < x < end"),
    ("defects after T counted", "and store.defects[(order_id, k)][0] <= t", ""),
    ("removed feedback counts", 'return status != "removed" and (', "return ("),
    ("3-star feedback counts", "rating <= 2)", "rating <= 3)"),
    ("protected claims count", '("denied", "withdrawn", "protected")',
     '("denied", "withdrawn")'),
    ("granted claims do not count", '("denied", "withdrawn", "protected")',
     '("denied", "withdrawn", "protected", "granted")'),
    ("withdrawn claims count", '("denied", "withdrawn", "protected")', '("denied", "protected")'),
    ("denied claims count", '("denied", "withdrawn", "protected")', '("withdrawn", "protected")'),
    ("refunded claims do not count", '("denied", "withdrawn", "protected")',
     '("denied", "withdrawn", "protected", "refunded")'),
    ("lost chargebacks do not count", 'return status != "reversed"',
     'return status not in ("reversed", "lost")'),
    ("reversed chargebacks count", 'return status != "reversed"', "return True"),
    ("'Canceled' spelling not cancelled", 'cancelled=status in ("Cancelled", "Canceled")',
     'cancelled=status == "Cancelled"'),
    ("late dispatch: cancelled orders counted", "            if o.cancelled:\n"
     "                continue\n            shipment", "            shipment"),
    ("late dispatch: promise-date wins over shipments",
     "            if shipment:\n                latest, confirmed = shipment[0], shipment[1]\n"
     "            elif order_id in store.promise:",
     "            if order_id in store.promise:\n"
     "                latest, confirmed = store.promise[order_id][0], None\n"
     "            elif shipment:\n                latest, confirmed = shipment[0], shipment[1]\n"
     "            elif False:"),
    ("late dispatch: Unshipped promise-date ignored", "elif order_id in store.promise:",
     "elif False:"),
    ("late dispatch: confirmations after T count",
     "if confirmed is not None and confirmed > t:", "if False:"),
    ("late dispatch: unconfirmed due at T counted", "if confirmed is None and latest >= t:",
     "if confirmed is None and latest > t:"),
    ("late dispatch: confirmed at the latest ship date is late",
     "if confirmed is None or confirmed > latest:", "if confirmed is None or confirmed >= latest:"),
    ("cancellation: item cancellations ignored", "if (o.cancelled or o.item_cancelled) and",
     "if o.cancelled and"),
    ("cancellation: Unshipped report's buyer request ignored",
     "buyer = o.buyer_requested or store.promise.get(order_id, (None, False))[1]",
     "buyer = o.buyer_requested"),
    ("cancellation: buyer requests ignored",
     "buyer = o.buyer_requested or store.promise.get(order_id, (None, False))[1]",
     "buyer = False"),
    ("valid tracking: tracking_valid ignored",
     'if valid if valid is not None else tracking_id != "":', 'if tracking_id != "":'),
    ("valid tracking: cancelled orders counted", "or o.cancelled or o.purchased_at > t",
     "or o.purchased_at > t"),
    ("response: exactly 24 h is late", "if responded - received <= 24 * HOUR:",
     "if responded - received < 24 * HOUR:"),
    ("response: no reply after exactly 24 h is late", "elif t - received > 24 * HOUR:",
     "elif t - received >= 24 * HOUR:"),
    ("response: replies after T count", "if responded is not None and responded <= t:",
     "if responded is not None:"),
    ("response: pending messages counted as late", "elif t - received > 24 * HOUR:",
     "else:"),
    ("response: no_response_needed counted", "if no_response or message_marketplace(",
     "if message_marketplace("),
    ("message: order's marketplace ignored", "    if order and order.marketplace:\n"
     "        return order.marketplace\n", ""),
    ("message: order's marketplace wins over marketplace_id",
     "    if marketplace_id:\n        return marketplace_id\n"
     "    order = store.orders.get(order_id) if order_id else None\n"
     "    if order and order.marketplace:\n        return order.marketplace\n",
     "    order = store.orders.get(order_id) if order_id else None\n"
     "    if order and order.marketplace:\n        return order.marketplace\n"
     "    if marketplace_id:\n        return marketplace_id\n"),
    ("message-only marketplaces have no rows", "    marketplaces |= {message_marketplace(",
     "    marketplaces ^= set() and {message_marketplace("),
    ("feedback: US dates read D/M/Y", '"ATVPDKIKX0DER": "MDY"', '"ATVPDKIKX0DER": "DMY"'),
    ("feedback: JP dates read D/M/Y", '"A1VC38T7YXB528": "YMD"', '"A1VC38T7YXB528": "DMY"'),
    ("feedback: other marketplaces read M/D/Y", 'FEEDBACK_DATE_STYLE.get(marketplace, "DMY")',
     'FEEDBACK_DATE_STYLE.get(marketplace, "MDY")'),
    ("feedback: unknown orders read in the US format", "                           else "
     "self.default_marketplace)", "                           else US)"),
    ("orders: an older last-updated-date replaces",
     "and order.last_updated < old.last_updated", "and False"),
    ("orders: an equal last-updated-date does not replace",
     "and order.last_updated < old.last_updated", "and order.last_updated <= old.last_updated"),
    ("orders: Unshipped-only orders not stored",
     'if order_id not in self.orders or self.orders[order_id].source == "unshipped":',
     "if False:"),
    ("a file imported again is applied again", "if digest in self.imported:", "if False:"),
    ("headroom (lower is better) off by one at an exact target",
     "math.ceil(target * den) - 1 - num", "math.floor(target * den) - num"),
    ("headroom (higher is better) off by one at an exact target",
     "math.ceil(Fraction(num) / target - den) - 1", "math.floor(Fraction(num) / target - den)"),
    ("lower is better: rate at the target not breached",
     'status = "breached" if rate >= target', 'status = "breached" if rate > target'),
    ("lower is better: rate at warn not at risk",
     '"at_risk" if rate >= warn else "ok"', '"at_risk" if rate > warn else "ok"'),
    ("higher is better: rate at the target not breached",
     'status = "breached" if rate <= target', 'status = "breached" if rate < target'),
    ("higher is better: rate at warn not at risk",
     '"at_risk" if rate <= warn else "ok"', '"at_risk" if rate < warn else "ok"'),
    ("low_volume at min_orders", 'den < th["min_orders"]', 'den <= th["min_orders"]'),
    ("marketplace overrides ignored", "(marketplace_overrides or {}).get(marketplace))",
     "None)"),
    ("lag ignored", 'end = t - th["lag"] * DAY', "end = t"),
    ("Non-Amazon orders counted in default_marketplace",
     'marketplace=marketplace_of_channel(first["sales-channel"]),',
     'marketplace=marketplace_of_channel(first["sales-channel"]) or self.default_marketplace,'),
    ("defects: empty claim status read as closed",
     'status = r["status"].strip().lower() or (\n                "active" if kind == '
     '"negative_feedback" else "open")',
     'status = r["status"].strip().lower() or (\n                "active" if kind == '
     '"negative_feedback" else "denied")'),
    ("defects: empty feedback rating read as positive",
     'rating = int(r["rating"]) if r.get("rating", "").strip() else None',
     'rating = int(r["rating"]) if r.get("rating", "").strip() else 5'),
    ("ODR: an order with two defects counts twice", "            if kinds:\n"
     "                num += 1", "            num += len(kinds)"),
    ("ODR: components count one kind per order", "            for k in kinds:\n"
     "                components[k] += 1", "            for k in kinds[:1]:\n"
     "                components[k] += 1"),
    ("message: default_marketplace ignored", "    return store.default_marketplace\n",
     "    return US\n"),
    ("messages: a later row does not replace", "    def _messages(self, rows):\n"
     "        for r in rows:\n", "    def _messages(self, rows):\n        for r in rows:\n"
     '            if r["message_id"].strip() in self.messages:\n                continue\n'),
    ("shipments: a later row does not replace", "    def _shipments(self, rows):\n"
     "        for r in rows:\n", "    def _shipments(self, rows):\n        for r in rows:\n"
     '            if r["order_id"].strip() in self.shipments:\n                continue\n'),
    ("defects: a later row does not replace", "    def _defects(self, rows):\n"
     "        for r in rows:\n", "    def _defects(self, rows):\n        for r in rows:\n"
     '            if (r["order_id"].strip(), r["kind"].strip()) in self.defects:\n'
     "                continue\n"),
    ("feedback: a Feedback report row does not replace a defects row",
     "    def _feedback(self, rows):\n        for r in rows:\n            order_id = "
     'check_id(r["Order ID"].strip())\n', "    def _feedback(self, rows):\n        for r in rows:\n"
     '            order_id = check_id(r["Order ID"].strip())\n'
     '            if (order_id, "negative_feedback") in self.defects:\n                continue\n'),
    ("Unshipped report without sales-channel not in the configured marketplace",
     "else self.account_marketplace),", "else self.default_marketplace if False else None),"),
    ("sales channel written as a marketplace ID not read",
     "    if t in MARKETPLACE_IDS:\n        return t\n", ""),
    ("a Feedback report with Response (not Your Response) not recognised",
     '            if "Order ID" in header and "Rating" in header:',
     '            if "Order ID" in header and "Your Response" in header:'),
    ("Unshipped report replaces an All Orders order",
     'if order_id not in self.orders or self.orders[order_id].source == "unshipped":',
     "if True:"),
]


def mutant_module(source: str, name: str, old: str, new: str) -> types.ModuleType:
    if source.count(old) != 1:
        raise SystemExit(f"coverage: mutant {name!r}: its text is not in shd_oracle.py "
                         f"exactly once ({source.count(old)} times); update MUTANTS")
    module = types.ModuleType("shd_oracle_mutant")
    module.__file__ = str(SCRIPTS / "shd_oracle.py")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source.replace(old, new), module.__file__, "exec"), module.__dict__)
    return module


def main() -> int:
    started = time.monotonic()
    source = (SCRIPTS / "shd_oracle.py").read_text()
    with tempfile.TemporaryDirectory(prefix="shd-coverage-") as scratch:
        cases = []
        for profile in random_seller.PROFILES:
            case = random_seller.build_case(profile)
            folder = Path(scratch) / case.name
            folder.mkdir()
            for name, data in case.files.items():
                (folder / name).write_bytes(data)
            reference = shd_oracle.evaluate_with_config(folder, case.batches, case.as_of,
                                                        case.config)
            cases.append((case, folder, reference))
        passed = failed = 0
        for name, old, new in MUTANTS:
            module = mutant_module(source, name, old, new)
            caught = None
            for case, folder, reference in cases:
                try:
                    rows = module.evaluate_with_config(folder, case.batches, case.as_of,
                                                       case.config)
                except Exception as e:  # a mutant that cannot read the files is caught too
                    caught = f"{case.name} ({type(e).__name__})"
                    break
                found = shd_oracle.differences(reference, rows)
                if found:
                    caught = f"{case.name} ({len(found)} differences)"
                    break
            if caught:
                passed += 1
                print(f"caught   {name}: {caught}")
            else:
                failed += 1
                print(f"SURVIVED {name}: no random seller exercises this rule")
    print(f"{passed} passed, {failed} failed ({time.monotonic() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
