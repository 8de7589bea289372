"""Month-end export of Amazon money per order (seed 000's routine). Pure, no ORM.

Input: settlement rows as dicts (``order_ref``, ``account``, ``marketplace``, ``currency``,
``kind``, ``amount_type``, ``amount_description``, ``reimbursement``, ``amount`` as Decimal);
output: a header and one row per (account, order) with its sales, shipping charged, promotions,
refunds, fees by type, reimbursements, facilitator tax and net.
"""

from collections import defaultdict
from decimal import Decimal

FIXED_COLUMNS = ["Amazon account", "Amazon order", "Marketplace", "Currency", "Sales",
                 "Shipping charged", "Promotions", "Refunds", "Facilitator tax",
                 "Reimbursements"]
ZERO = Decimal(0)


def _bucket(row):
    """The column a row adds to (None: a fee column named by its description)."""
    description = row["amount_description"] or ""
    if row["kind"] == "refund":
        return "Refunds"
    if row["kind"] == "mf_tax":
        return "Facilitator tax"
    if row.get("reimbursement"):
        return "Reimbursements"
    if row["kind"] == "order" and row["amount_type"] == "Promotion":
        return "Promotions"
    if row["kind"] == "order" and description.startswith("Shipping"):
        return "Shipping charged"
    if row["kind"] == "order":
        return "Sales"
    return None


def month_end_table(rows):
    """(header, rows): one row per (account, order), fee columns sorted by name, then Net."""
    orders = {}
    fee_names = set()
    for row in rows:
        key = (row["account"], row["order_ref"])
        totals = orders.setdefault(key, {
            "marketplace": row["marketplace"], "currency": row["currency"],
            "amounts": defaultdict(lambda: ZERO)})
        bucket = _bucket(row)
        if bucket is None:
            bucket = f"Fee: {row['amount_description'] or row['amount_type']}"
            fee_names.add(bucket)
        totals["amounts"][bucket] += row["amount"]
        totals["amounts"]["Net"] += row["amount"]
    header = FIXED_COLUMNS + sorted(fee_names) + ["Net"]
    table = []
    for (account, order_ref), totals in sorted(orders.items()):
        amounts = totals["amounts"]
        table.append([account, order_ref, totals["marketplace"], totals["currency"]]
                     + [amounts[column] for column in header[4:]])
    return header, table
