"""The verdict, once the crons have finished: Odoo against the simulator's own view.

1. Orders: every order the simulator serves to an account (searchOrders with the real client,
   all pages) that the addon must import (FBM UNSHIPPED / PARTIALLY_SHIPPED / SHIPPED, FBA
   SHIPPED) exists exactly once for that account; no order twice; none Odoo has that Amazon
   does not serve to that account.
2. Every imported order has Amazon's status, fulfilment channel, currency and total (to the
   unit of the currency's smallest coin).
3. Confirmations: per (order, packageReferenceId), successful (204) confirmShipment calls in the
   simulator's call log: exactly one for every delivery Odoo queued, none for anything else;
   each such delivery is 'sent', with the quantities it shipped; every delivery the warehouse
   user validated was queued. A package of an order Amazon cancelled before its confirmation is
   legitimately refused ('cancelled', or 'error' for a code without that state): counted apart.
   Any confirmShipment of a package after its 204 (not a fault injected before processing) is
   a second confirmation: the simulator refuses the reused packageReferenceId, so its 204
   count alone could never exceed one.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from .actors import CONFIRM_OPERATION, describe_call

IMPORTABLE = {"MERCHANT": {"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"}, "AMAZON": {"SHIPPED"}}
CHANNELS = {"MERCHANT": "fbm", "AMAZON": "fba"}
MAX_LISTED = 10

ODOO_ORDERS_SQL = """
SELECT so.amazon_account_id, so.amazon_order_ref, so.name, so.amazon_status,
       so.amazon_fulfillment_channel, so.amount_total, c.name, c.decimal_places, m.marketplace_id,
       so.state, so.amazon_last_update
  FROM sale_order so
  JOIN res_currency c ON c.id = so.currency_id
  LEFT JOIN amazon_seller_marketplace m ON m.id = so.amazon_marketplace_id
 WHERE so.amazon_account_id IS NOT NULL
"""
ODOO_PACKAGES_SQL = """
SELECT p.id, p.name, p.state, p.amazon_confirmation_state, p.amazon_package_ref,
       so.amazon_order_ref, so.amazon_account_id, p.carrier_tracking_ref,
       left(coalesce(p.amazon_confirmation_message, ''), 200)
  FROM stock_picking p
  JOIN sale_order so ON so.id = p.sale_id
 WHERE p.amazon_confirmation_state IS NOT NULL OR p.carrier_tracking_ref LIKE 'CHAOS-%'
"""
SHIPPED_QUANTITIES_SQL = """
SELECT m.picking_id, l.amazon_order_item_id, sum(m.quantity)
  FROM stock_move m
  JOIN sale_order_line l ON l.id = m.sale_line_id
 WHERE m.state = 'done' AND m.picking_id = ANY(%s) AND l.amazon_order_item_id IS NOT NULL
 GROUP BY 1, 2
"""


@dataclass
class Verdict:
    figures: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)     # (check, message, [evidence lines])

    def fail(self, check, message, evidence=()):
        self.failures.append((check, message, list(evidence)))

    @property
    def ok(self):
        return not self.failures


def amazon_orders(simulator_url, marketplace_ids):
    """Every order of these marketplaces as the simulator serves it (real client, all pages)."""
    from sp_api.api import Orders  # noqa: PLC0415

    from ..spapi_simulator.testing import client  # noqa: PLC0415

    api = client(SimpleNamespace(url=simulator_url), Orders, version="2026-01-01")
    params = {"lastUpdatedAfter": "2020-01-01T00:00:00Z", "marketplaceIds": list(marketplace_ids),
              "includedData": ["FULFILLMENT", "PROCEEDS", "PACKAGES"], "maxResultsPerPage": 100}
    orders, token = [], None
    for _page in range(10_000):
        response = api.search_orders(**params, **({"paginationToken": token} if token else {}))
        orders += response.payload["orders"]
        token = (response.pagination or {}).get("nextToken")
        if not token:
            return orders
    raise RuntimeError("searchOrders never ended")


def sim_total(order):
    grand_total = (order.get("proceeds") or {}).get("grandTotal") or {}
    if grand_total.get("amount") in (None, ""):
        return None, None
    return Decimal(str(grand_total["amount"])), grand_total.get("currencyCode")


def check(run, amazon_by_account, confirm_calls):
    """Compare; return a Verdict. ``amazon_by_account``: {account id: [Amazon order dicts]}."""
    verdict = Verdict()
    with run.db_connection.cursor() as cr:
        cr.execute(ODOO_ORDERS_SQL)
        odoo_rows = cr.fetchall()
        cr.execute(ODOO_PACKAGES_SQL)
        packages = cr.fetchall()
    check_orders(run, verdict, amazon_by_account, odoo_rows)
    check_confirmations(run, verdict, amazon_by_account, packages, confirm_calls)
    return verdict


# === 1 and 2: orders === #

def check_orders(run, verdict, amazon_by_account, odoo_rows):
    odoo = defaultdict(list)
    for row in odoo_rows:
        odoo[(row[0], row[1])].append(row)
    figures = Counter()
    missing, duplicates, unexpected, mismatches = [], [], [], []
    for account_id, orders in amazon_by_account.items():
        by_ref = {order["orderId"]: order for order in orders}
        for ref, order in by_ref.items():
            fulfillment = order.get("fulfillment") or {}
            importable = fulfillment.get("fulfillmentStatus") in IMPORTABLE.get(
                fulfillment.get("fulfilledBy"), ())
            rows = odoo.get((account_id, ref), [])
            figures["amazon orders"] += 1
            figures["importable"] += importable
            if importable and not rows:
                missing.append(f"{ref} ({fulfillment.get('fulfilledBy')} "
                               f"{fulfillment.get('fulfillmentStatus')}, account {account_id})")
            if len(rows) > 1:
                duplicates.append(f"{ref}: {len(rows)} orders {', '.join(r[2] for r in rows)}")
            for row in rows:
                figures["compared"] += 1
                mismatches += compare_order(order, row)
        for (odoo_account, ref), rows in odoo.items():
            if odoo_account == account_id and ref not in by_ref:
                unexpected.append(f"{ref} ({rows[0][2]}, account {account_id})")
    known_accounts = set(amazon_by_account)
    unexpected += [f"{ref} ({rows[0][2]}, unknown account {account})"
                   for (account, ref), rows in odoo.items() if account not in known_accounts]
    figures["odoo orders"] = len(odoo_rows)
    verdict.figures.update({f"orders: {key}": value for key, value in figures.items()})
    verdict.figures.update({"orders: missing": len(missing), "orders: duplicates": len(duplicates),
                            "orders: unexpected": len(unexpected),
                            "orders: mismatches": len(mismatches)})
    if missing:
        verdict.fail(1, f"{len(missing)} importable Amazon orders are missing in Odoo",
                     evidence_for_orders(run, [m.split()[0] for m in missing], missing))
    if duplicates:
        verdict.fail(1, f"{len(duplicates)} Amazon orders exist more than once",
                     evidence_for_orders(run, [d.split(":")[0] for d in duplicates], duplicates))
    if unexpected:
        verdict.fail(1, f"{len(unexpected)} Odoo orders are not Amazon's orders of their account",
                     unexpected[:MAX_LISTED])
    if mismatches:
        verdict.fail(2, f"{len(mismatches)} differences of status, channel or total",
                     evidence_for_orders(run, [m.split(":")[0] for m in mismatches], mismatches))


def compare_order(order, row):
    (_account, ref, name, status, channel, amount_total, currency, decimals, marketplace,
     _state, _last_update) = row
    fulfillment = order.get("fulfillment") or {}
    problems = []
    if status != fulfillment.get("fulfillmentStatus"):
        problems.append(f"status {status} in Odoo, {fulfillment.get('fulfillmentStatus')} on Amazon")
    if channel != CHANNELS.get(fulfillment.get("fulfilledBy")):
        problems.append(f"channel {channel} in Odoo, {fulfillment.get('fulfilledBy')} on Amazon")
    if marketplace != (order.get("salesChannel") or {}).get("marketplaceId"):
        problems.append(f"marketplace {marketplace} in Odoo, "
                        f"{(order.get('salesChannel') or {}).get('marketplaceId')} on Amazon")
    total, code = sim_total(order)
    if total is not None:
        quantum = Decimal(1).scaleb(-int(decimals))
        odoo_total = Decimal(str(amount_total)).quantize(quantum)
        if odoo_total != total.quantize(quantum) or code != currency:
            problems.append(f"total {odoo_total} {currency} in Odoo, {total} {code} on Amazon")
    return [f"{ref}: {name}: {'; '.join(problems)}"] if problems else []


# === 3: confirmations === #

def package_key(call):
    params = call.get("params") or {}
    detail = (params.get("body") or {}).get("packageDetail") or {}
    return params.get("orderId"), str(detail.get("packageReferenceId"))


def check_confirmations(run, verdict, amazon_by_account, packages, confirm_calls):
    cancelled_on_amazon = {order["orderId"] for orders in amazon_by_account.values() for order in orders
                           if (order.get("fulfillment") or {}).get("fulfillmentStatus") == "CANCELLED"}
    calls = defaultdict(list)
    for call in confirm_calls:
        calls[package_key(call)].append(call)
    accepted = {key: [c for c in key_calls if c["status"] == 204] for key, key_calls in calls.items()}
    queued = {}
    figures = Counter()
    problems = defaultdict(list)     # check message -> [(key, line)]
    for (picking_id, name, state, confirmation, package_ref, order_ref, _account, tracking,
         message) in packages:
        if confirmation is None:
            if tracking and tracking.startswith("CHAOS-") and state == "done":
                problems["validated deliveries without a queued confirmation"].append(
                    ((order_ref, None), f"{name} of {order_ref}: done, no confirmation state"))
            continue
        key = (order_ref, str(package_ref))
        queued[key] = picking_id
        figures["queued"] += 1
        ok = len(accepted.get(key, []))
        if ok > 1:
            figures["confirmed more than once"] += 1
            problems["packages confirmed more than once"].append(
                (key, f"{order_ref} package {package_ref} ({name}): {ok} successful confirmShipment"))
        elif ok == 0 and order_ref in cancelled_on_amazon and confirmation in ("cancelled", "error"):
            figures["refused: order cancelled on Amazon"] += 1
        elif ok == 0:
            problems["queued packages never confirmed"].append(
                (key, f"{order_ref} package {package_ref} ({name}): '{confirmation}' {message}"))
        elif confirmation != "sent":
            problems["confirmed packages not marked sent in Odoo"].append(
                (key, f"{order_ref} package {package_ref} ({name}): '{confirmation}' {message}"))
        else:
            figures["confirmed once and sent"] += 1
    for key, key_accepted in accepted.items():
        if key_accepted and key not in queued:
            problems["packages confirmed that Odoo never queued"].append(
                (key, f"{key[0]} package {key[1]}: {len(key_accepted)} successful confirmShipment"))
    problems_quantities = compare_quantities(run, queued, accepted)
    if problems_quantities:
        problems["packages whose items differ from the delivery"] = problems_quantities
    resent = []
    for key, key_calls in calls.items():
        first_ok = next((i for i, c in enumerate(key_calls) if c["status"] == 204), None)
        if first_ok is not None:
            later = [c for c in key_calls[first_ok + 1:] if not c.get("fault")]
            if later:
                resent.append((key, key_calls))
    figures["confirmShipment calls"] = len(confirm_calls)
    figures["confirmShipment 204"] = sum(len(v) for v in accepted.values())
    figures["re-sent after a 204"] = len(resent)
    verdict.figures.update({f"confirmations: {key}": value for key, value in figures.items()})
    for message, entries in problems.items():
        verdict.fail(3, f"{len(entries)} {message}",
                     evidence_for_packages(run, entries, calls))
    if resent:
        verdict.fail(3, f"{len(resent)} packages were sent again after Amazon had accepted them "
                        f"(the simulator refuses a reused packageReferenceId, so this is how a "
                        f"second confirmation shows)",
                     [f"{key[0]} package {key[1]}: " + " | ".join(describe_call(c) for c in key_calls)
                      for key, key_calls in resent[:MAX_LISTED]]
                     + [f"  {key[0]}: {line}" for key, _calls in resent[:3]
                        for line in run.order_story(key[0], calls=False)])


def compare_quantities(run, queued, accepted):
    """The items and quantities of each accepted package against the delivery's done moves."""
    picking_ids = [queued[key] for key in queued if accepted.get(key)]
    if not picking_ids:
        return []
    shipped = defaultdict(dict)
    with run.db_connection.cursor() as cr:
        cr.execute(SHIPPED_QUANTITIES_SQL, [picking_ids])
        for picking_id, item_id, quantity in cr.fetchall():
            shipped[picking_id][item_id] = int(round(quantity))
    problems = []
    for key, picking_id in queued.items():
        if not accepted.get(key):
            continue
        detail = (accepted[key][0]["params"].get("body") or {}).get("packageDetail") or {}
        sent = {item["orderItemId"]: int(item["quantity"]) for item in detail.get("orderItems") or []}
        if sent != shipped[picking_id]:
            problems.append((key, f"{key[0]} package {key[1]}: sent {sent}, delivered {shipped[picking_id]}"))
    return problems


# === Evidence === #

def evidence_for_orders(run, refs, lines):
    """The listed lines, then for the first few orders their call-log lines, their sync errors,
    and the kills around."""
    out = list(lines[:MAX_LISTED])
    for ref in refs[:3]:
        out += [f"  {ref}: {line}" for line in run.order_story(ref)]
    return out


def evidence_for_packages(run, entries, calls):
    out = [line for _key, line in entries[:MAX_LISTED]]
    for key, _line in entries[:3]:
        out += [f"  call: {describe_call(c)}" for c in calls.get(key, [])]
        if key[0]:
            out += [f"  {key[0]}: {line}" for line in run.order_story(key[0], calls=False)]
    return out
