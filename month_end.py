"""Month-end export of the Amazon payouts of a period, as an accountant ties it: every row of the
settlements paid out in the period summed per (month, Amazon account, marketplace, currency,
category, description, ledger account, tax), then a total per currency (the payouts) and one in
the company's currency. Pure, no ORM: the wizard reads the rows, converts them and writes the
file.
"""

from collections import defaultdict, namedtuple
from decimal import Decimal

from odoo.tools.translate import LazyGettext, LazyTranslate

_lt = LazyTranslate(__name__)

#: One summed group of settlement rows; ``amount`` in the settlement's currency and
#: ``company_amount`` in the company's, both Decimal.
Row = namedtuple("Row", "month account marketplace currency category description account_code "
                        "account_name tax amount company_amount")

HEADER = [_lt("Month"), _lt("Amazon account"), _lt("Marketplace"), _lt("Currency"),
          _lt("Category"), _lt("Fee type / description"), _lt("Account code"),
          _lt("Account name"), _lt("Tax"), _lt("Amount"), _lt("Amount in company currency")]

#: The categories of the settlement summary (``_summary_category``), storage and subscription
#: fees apart, in the order the export lists them.
CATEGORIES = {
    "sales": _lt("Sales"),
    "refund": _lt("Refunds"),
    "mf_tax": _lt("Facilitator tax"),
    "fee": _lt("Selling and FBA fees"),
    "storage": _lt("Storage fees"),
    "subscription": _lt("Subscription fees"),
    "advertising": _lt("Advertising costs"),
    "fee_tax": _lt("Tax on Amazon fees"),
    "reimbursement": _lt("Reimbursements by Amazon"),
    "reserve": _lt("Reserves"),
    "transfer": _lt("Transfers"),
}
TOTAL = _lt("Total payouts")
COMPANY_TOTAL = _lt("Total in company currency")

# Spreadsheets read a text cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_category(summary_category, payments_account):
    """The export's category of a rule: the settlement summary's, with the storage and the
    subscription fees out of the selling fees (``payments_account``: the rule's account of the
    Amazon Payments setup)."""
    if summary_category != "fee":
        return summary_category
    return {"storage_account_id": "storage",
            "subscription_account_id": "subscription"}.get(payments_account, "fee")


def month_end_rows(rows):
    """``rows`` summed per everything but their amounts, in reading order: month, Amazon account,
    marketplace, currency, the category's place, description, account code."""
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        amounts = sums[row[:9]]
        amounts[0] += row.amount
        amounts[1] += row.company_amount
    order = list(CATEGORIES)
    return sorted((Row(*key, *amounts) for key, amounts in sums.items()),
                  key=lambda row: (row.month, row.account, row.marketplace, row.currency,
                                   order.index(row.category), row.description, row.account_code))


def total_rows(rows, company_currency):
    """A total row per currency (what Amazon paid out in it, and its worth in the company's
    currency), then the total in the company's currency."""
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        totals[row.currency][0] += row.amount
        totals[row.currency][1] += row.company_amount
    result = [["", "", "", currency, TOTAL, "", "", "", "", amount, company_amount]
              for currency, (amount, company_amount) in sorted(totals.items())]
    company_total = sum((company_amount for _amount, company_amount in totals.values()),
                        Decimal(0))
    return result + [["", "", "", company_currency, COMPANY_TOTAL, "", "", "", "", "",
                      company_total]]


def month_end_table(rows, company_currency, translate):
    """(header, table) of the export: the summed rows, then the totals; ``translate`` turns the
    lazy terms (column names, categories, total labels) into text of the user's language."""
    table = [[*row[:4], CATEGORIES[row.category], *row[5:]] for row in month_end_rows(rows)]
    table += total_rows(rows, company_currency)
    header = [translate(term) for term in HEADER]
    return header, [[translate(cell) if isinstance(cell, LazyGettext) else cell for cell in row]
                    for row in table]


def csv_cell(value):
    """A cell a spreadsheet cannot run: text starting like a formula gets a leading apostrophe;
    numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value
