"""Amazon's VAT invoice data report (``GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT``, sellers on the
VAT Calculation Service) → the state of each uploaded invoice. Pure, no ORM."""

from .tab_report import read_rows, required

REQUIRED_COLUMNS = ("order-id", "transaction-type", "invoice-status")
# transaction-type → the document type an upload names
DOCUMENT_TYPES = {"SHIPMENT": "Invoice", "REFUND": "CreditNote"}


def parse_vat_invoice_report(content):
    """({(order id, document type): (status, description)}, problems); several rows of one
    transaction (one per item) give one entry."""
    def make_row(_number, values):
        return (required(values, "order-id"), values.get("transaction-type", "").upper(),
                required(values, "invoice-status"), values.get("invoice-status-description", ""))

    rows, problems = read_rows(content, REQUIRED_COLUMNS, make_row)
    states = {}
    for order_id, transaction_type, status, description in rows:
        document = DOCUMENT_TYPES.get(transaction_type)
        if document:
            states[(order_id, document)] = (status, description)
    return states, problems
