"""Amazon's FBA removal-order reports → plain rows. Pure, no ORM.

- ``GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA``: one row per removal order, SKU and
  disposition, as the order stands (``order-status``, requested / cancelled / disposed /
  shipped / in-process quantities, the removal fee so far). ``Return`` orders come back to the
  seller's address, ``Disposal`` and ``Liquidations`` orders never do;
- ``GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA``: one row per package line shipped back
  (the carrier and its tracking number).

Amazon lists an order again whenever it moves on: the rows are states, keyed by order, SKU and
disposition (details) or order, SKU, disposition, tracking number and shipment time
(shipments), so that what changed is found again. Bad lines become ``RowProblem`` s (see
``tab_report``).
"""

from dataclasses import dataclass

from . import tab_report as cell
from .tab_report import ReportFileError, RowProblem, read_rows

DETAIL_REQUIRED = ("request-date", "order-id", "order-type", "order-status", "sku",
                   "disposition", "requested-quantity")
SHIPMENT_REQUIRED = ("order-id", "shipment-date", "sku", "disposition", "shipped-quantity")
# Amazon's order types as the addon names them; anything else reads as a disposal.
ORDER_TYPES = {"return": "return", "disposal": "disposal", "liquidations": "liquidation",
               "liquidation": "liquidation"}


@dataclass(frozen=True)
class RemovalLine:
    line: int
    order_ref: str
    order_type: str  # return, disposal, liquidation
    status: str
    requested_at: object
    updated_at: object
    sku: str
    sellable: bool
    requested: int
    cancelled: int
    disposed: int
    shipped: int
    in_process: int
    fee: object  # Decimal or None
    currency: str

    @property
    def key(self):
        return f"{self.order_ref}|{self.sku}|{'sellable' if self.sellable else 'unsellable'}"


@dataclass(frozen=True)
class RemovalShipment:
    line: int
    order_ref: str
    shipped_at: object
    sku: str
    sellable: bool
    quantity: int
    carrier: str
    tracking: str

    @property
    def key(self):
        return "|".join([self.order_ref, self.sku, "sellable" if self.sellable else "unsellable",
                         self.tracking, self.shipped_at.isoformat()])


def parse_removal_details(content):
    """(lines, problems) of a removal order detail report (bytes or text)."""
    return read_rows(content, DETAIL_REQUIRED, _detail)


def parse_removal_shipments(content):
    """(shipments, problems) of a removal shipment detail report (bytes or text)."""
    return read_rows(content, SHIPMENT_REQUIRED, _shipment)


def _sellable(values):
    return cell.required(values, "disposition").casefold() == "sellable"


def _detail(number, values):
    return RemovalLine(
        line=number, order_ref=cell.required(values, "order-id"),
        order_type=ORDER_TYPES.get(cell.required(values, "order-type").casefold(), "disposal"),
        status=cell.required(values, "order-status"),
        requested_at=cell.moment(values, "request-date"),
        updated_at=cell.moment(values, "last-updated-date", is_required=False),
        sku=cell.required(values, "sku"), sellable=_sellable(values),
        requested=cell.quantity(values, "requested-quantity"),
        cancelled=cell.quantity(values, "cancelled-quantity", zero=True, default=0),
        disposed=cell.quantity(values, "disposed-quantity", zero=True, default=0),
        shipped=cell.quantity(values, "shipped-quantity", zero=True, default=0),
        in_process=cell.quantity(values, "in-process-quantity", zero=True, default=0),
        fee=cell.amount(values, "removal-fee"), currency=values.get("currency", ""))


def _shipment(number, values):
    return RemovalShipment(
        line=number, order_ref=cell.required(values, "order-id"),
        shipped_at=cell.moment(values, "shipment-date"), sku=cell.required(values, "sku"),
        sellable=_sellable(values), quantity=cell.quantity(values, "shipped-quantity"),
        carrier=values.get("carrier", ""), tracking=values.get("tracking-number", ""))


__all__ = ["RemovalLine", "RemovalShipment", "ReportFileError", "RowProblem",
           "parse_removal_details", "parse_removal_shipments"]
