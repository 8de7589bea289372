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
a file without the columns its report must have raises :class:`ReportFileError` (see
``tab_report``).
"""

from dataclasses import dataclass

from . import tab_report as cell
from .tab_report import ReportFileError, RowProblem, read_rows

FBA_REQUIRED = ("return-date", "order-id", "sku", "quantity", "detailed-disposition")
FBM_REQUIRED = ("Order ID", "Merchant SKU", "Return quantity", "Amazon RMA ID")
# The only condition Amazon puts back into sellable stock; every other one (CUSTOMER_DAMAGED,
# DEFECTIVE, CARRIER_DAMAGED, DISTRIBUTOR_DAMAGED, DAMAGED, EXPIRED...) is unsellable.
SELLABLE = "SELLABLE"
# An FBM return is back once Amazon says it was delivered to the seller or closed it.
FBM_CLOSED_STATUSES = ("closed", "completed")


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


def parse_fba_returns(content):
    """(rows, problems) of an FBA customer returns report (bytes or text)."""
    return read_rows(content, FBA_REQUIRED, _fba_row)


def parse_fbm_returns(content):
    """(rows, problems) of a merchant-fulfilled returns report (bytes or text)."""
    return read_rows(content, FBM_REQUIRED, _fbm_row)


def _fba_row(number, values):
    order_ref = cell.required(values, "order-id")
    sku = cell.required(values, "sku")
    returned_at = cell.moment(values, "return-date")
    disposition = cell.required(values, "detailed-disposition").upper()
    quantity = cell.quantity(values, "quantity")
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
    order_ref = cell.required(values, "Order ID")
    sku = cell.required(values, "Merchant SKU")
    rma = cell.required(values, "Amazon RMA ID")
    delivered = cell.moment(values, "Return delivery date", is_required=False)
    return ReturnRow(
        line=number, key=f"fbm:{rma}|{sku}", channel="fbm", order_ref=order_ref, sku=sku,
        asin=values.get("ASIN", ""), quantity=cell.quantity(values, "Return quantity"),
        returned_at=cell.moment(values, "Return request date", is_required=False),
        disposition="", sellable=True, reason=values.get("Return reason", ""),
        status=values.get("Return request status", ""), rma=rma,
        carrier=values.get("Return carrier", ""), tracking=values.get("Tracking ID", ""),
        delivered_on=delivered.date() if delivered else None,
        refunded=cell.amount(values, "Refunded Amount"), currency=values.get("Currency code", ""))


__all__ = ["ReportFileError", "ReturnRow", "RowProblem", "parse_fba_returns", "parse_fbm_returns"]
