"""Amazon's customer-returns reports → one :class:`ReturnRow` per returned item. Pure, no ORM.

Two reports, both tab-separated text with a header line:

- ``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA``: what Amazon's fulfilment centres received back
  from FBA customers (``return-date`` is when the centre processed it), the condition it came
  back in (``detailed-disposition``: only ``SELLABLE`` goes back to sellable stock), the
  reason, the unit's license plate. Refunds given without a return never appear in it, and
  Amazon updates rows of earlier days (a later status), so one return is read several times;
- ``GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE``: the returns buyers of merchant-fulfilled
  orders requested, with Amazon's RMA, the carrier and tracking number of the return label, and
  whether the parcel arrived (``Return delivery date``).

Each row gets a ``key`` that stays the same whenever Amazon lists that return again (the license
plate, else the order, SKU, day and condition; the RMA and SKU for FBM), so that a return is
stored once. A row that cannot be read becomes a :class:`RowProblem` naming its line and field;
a file without the columns its report must have raises :class:`ReturnsFileError`.
"""

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
import io
import re

from odoo.tools.translate import LazyTranslate

from ..utils import AmazonDataError, shorten

_lt = LazyTranslate(__name__)

FBA_REQUIRED = ("return-date", "order-id", "sku", "quantity", "detailed-disposition")
FBM_REQUIRED = ("Order ID", "Merchant SKU", "Return quantity", "Amazon RMA ID")
# The only condition Amazon puts back into sellable stock; every other one (CUSTOMER_DAMAGED,
# DEFECTIVE, CARRIER_DAMAGED, DISTRIBUTOR_DAMAGED, DAMAGED, EXPIRED...) is unsellable.
SELLABLE = "SELLABLE"
# An FBM return is back once Amazon says it was delivered to the seller or closed it.
FBM_CLOSED_STATUSES = ("closed", "completed")
DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y", "%d.%m.%Y", "%d/%m/%Y", "%b %d, %Y")
ENCODINGS = ("utf-8-sig", "cp1252")
_QUANTITY = re.compile(r"\d{1,6}")


@dataclass(frozen=True)
class ReturnRow:
    line: int
    key: str
    channel: str  # "fba" or "fbm"
    order_ref: str
    sku: str
    asin: str
    quantity: int
    returned_at: object  # naive UTC datetime: processed (FBA), requested (FBM)
    disposition: str
    sellable: bool
    reason: str
    status: str
    license_plate: str = ""
    fulfillment_center: str = ""
    comments: str = ""
    rma: str = ""
    carrier: str = ""
    tracking: str = ""
    delivered_on: object = None  # date the FBM return reached the seller, or None
    refunded: object = None  # Decimal refunded amount (FBM report), or None
    currency: str = ""

    @property
    def received(self):
        """Whether the goods are back: FBA rows always, FBM once delivered or closed."""
        return self.channel == "fba" or bool(self.delivered_on) \
            or self.status.casefold() in FBM_CLOSED_STATUSES


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: object  # a lazy translation (_lt)


class ReturnsFileError(AmazonDataError):
    """The report as a whole cannot be read (encoding, no header, missing columns)."""


def parse_fba_returns(content):
    """(rows, problems) of an FBA customer returns report (bytes or text)."""
    return _read(content, FBA_REQUIRED, _fba_row)


def parse_fbm_returns(content):
    """(rows, problems) of a merchant-fulfilled returns report (bytes or text)."""
    return _read(content, FBM_REQUIRED, _fbm_row)


def _read(content, required, make_row):
    text = _decode(content)
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ReturnsFileError(_lt("the returns report is empty: it has no header line"))
    names = [cell.strip() for cell in header]
    missing = [column for column in required if column not in names]
    if missing:
        raise ReturnsFileError(_lt(
            "the returns report lacks the column(s) %(columns)s", columns=", ".join(missing)))
    rows, problems = [], []
    for number, cells in enumerate(reader, 2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[index].strip() if index < len(cells) else "")
                  for index, name in enumerate(names)}
        try:
            rows.append(make_row(number, values))
        except _Problem as problem:
            problems.append(RowProblem(number, problem.reason))
    return rows, problems


def _decode(content):
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReturnsFileError(_lt("the returns report is neither UTF-8 nor Windows-1252 text"))


class _Problem(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _required(values, column):
    value = values.get(column, "")
    if not value:
        raise _Problem(_lt("%(column)s is empty", column=column))
    return value


def _quantity(values, column):
    value = _required(values, column)
    if not _QUANTITY.fullmatch(value) or int(value) == 0:
        raise _Problem(_lt("%(column)s %(value)s is not a whole number of units",
                           column=column, value=shorten(value)))
    return int(value)


def _moment(values, column, required=True):
    """A date-time (ISO-8601 with offset) or a date of the report as a naive UTC datetime."""
    value = values.get(column, "")
    if not value:
        if required:
            raise _Problem(_lt("%(column)s is empty", column=column))
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = next((parsed for parsed in (_strptime(value, f) for f in DATE_FORMATS)
                       if parsed), None)
        if moment is None:
            raise _Problem(_lt("%(column)s %(value)s is not a date", column=column,
                               value=shorten(value))) from None
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _strptime(value, date_format):
    try:
        return datetime.strptime(value, date_format)
    except ValueError:
        return None


def _amount(values, column):
    value = values.get(column, "").replace(",", ".")
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise _Problem(_lt("%(column)s %(value)s is not an amount", column=column,
                           value=shorten(value))) from None


def _fba_row(number, values):
    order_ref = _required(values, "order-id")
    sku = _required(values, "sku")
    returned_at = _moment(values, "return-date")
    disposition = _required(values, "detailed-disposition").upper()
    quantity = _quantity(values, "quantity")
    plate = values.get("license-plate-number", "")
    key = "fba:" + (plate if plate else "|".join(
        [order_ref, sku, returned_at.isoformat(), disposition, str(quantity)]))
    return ReturnRow(
        line=number, key=key, channel="fba", order_ref=order_ref, sku=sku,
        asin=values.get("asin", ""), quantity=quantity, returned_at=returned_at,
        disposition=disposition, sellable=disposition == SELLABLE,
        reason=values.get("reason", ""), status=values.get("status", ""),
        license_plate=plate, fulfillment_center=values.get("fulfillment-center-id", ""),
        comments=values.get("customer-comments", ""))


def _fbm_row(number, values):
    order_ref = _required(values, "Order ID")
    sku = _required(values, "Merchant SKU")
    rma = _required(values, "Amazon RMA ID")
    delivered = _moment(values, "Return delivery date", required=False)
    return ReturnRow(
        line=number, key=f"fbm:{rma}|{sku}", channel="fbm", order_ref=order_ref, sku=sku,
        asin=values.get("ASIN", ""), quantity=_quantity(values, "Return quantity"),
        returned_at=_moment(values, "Return request date", required=False),
        disposition="", sellable=True, reason=values.get("Return reason", ""),
        status=values.get("Return request status", ""), rma=rma,
        carrier=values.get("Return carrier", ""), tracking=values.get("Tracking ID", ""),
        delivered_on=delivered.date() if delivered else None,
        refunded=_amount(values, "Refunded Amount"), currency=values.get("Currency code", ""))
