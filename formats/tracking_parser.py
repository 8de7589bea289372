"""A carrier's export of tracking numbers (CSV) → rows to ship. Pure, no ORM.

Carriers and shipping tools export in every flavour: UTF-8 (with or without BOM), Windows-1252,
separators ``,`` ``;`` tab or ``|``, headers in English or as Amazon's upload templates name them.
Columns are found by header name; each row becomes a :class:`TrackingRow` or a
:class:`RowProblem` naming its line and what is wrong. The reasons are lazy translations, for the
wizard to show in its user's language.
"""

import csv
from dataclasses import dataclass
from datetime import datetime
import io

from odoo.tools.translate import LazyTranslate

from ..utils import AmazonDataError, shorten

_lt = LazyTranslate(__name__)

# Header names (compared case- and punctuation-insensitively) of each column.
COLUMNS = {
    "order": ("amazon order id", "amazon-order-id", "order id", "order-id", "order", "amazon order",
              "order number", "bestellnummer"),
    "delivery": ("delivery", "delivery reference", "picking", "reference", "shipment reference"),
    "carrier": ("carrier", "carrier name", "carrier-name", "carrier code", "carrier-code",
                "shipping carrier", "transporteur", "versanddienstleister"),
    "tracking": ("tracking number", "tracking-number", "tracking", "tracking id", "tracking no",
                 "tracking-id", "sendungsnummer", "numéro de suivi"),
    "ship_date": ("ship date", "ship-date", "shipping date", "shipped", "date"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y", "%d/%m/%Y",
                "%d.%m.%Y %H:%M", "%m/%d/%Y")
ENCODINGS = ("utf-8-sig", "cp1252")
SEPARATORS = ",;\t|"
MAX_TRACKING_LENGTH = 100


@dataclass(frozen=True)
class TrackingRow:
    line: int
    order_ref: str
    delivery_ref: str
    carrier: str
    tracking: str
    ship_date: object  # datetime or None


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: object  # a lazy translation (_lt) or a text in the user's language


class TrackingFileError(AmazonDataError):
    """The file as a whole cannot be read (encoding, no header, missing columns)."""


def parse_tracking_file(content):
    """(rows, problems) of a tracking CSV given as bytes; TrackingFileError when unreadable."""
    text = _decode(content)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise TrackingFileError(_lt("the file is empty"))
    reader = csv.reader(io.StringIO(text), delimiter=_separator(lines[0]))
    header = next(reader)
    columns = _columns(header)
    rows, problems = [], []
    for line_number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        row = _row(line_number, values, columns)
        (problems if isinstance(row, RowProblem) else rows).append(row)
    return rows, problems


def _decode(content):
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TrackingFileError(_lt("the file is neither UTF-8 nor Windows-1252 text"))


def _separator(header_line):
    counts = {separator: header_line.count(separator) for separator in SEPARATORS}
    separator = max(counts, key=counts.get)
    if not counts[separator]:
        raise TrackingFileError(
            _lt("the first line has no column separator (comma, semicolon, tab or |)"))
    return separator


def _normalise(name):
    return " ".join(name.strip().lower().replace("_", " ").split())


def _columns(header):
    """{column kind: index} from the header; TrackingFileError naming what is missing."""
    names = [_normalise(name) for name in header]
    columns = {}
    for kind, aliases in COLUMNS.items():
        for alias in aliases:
            if _normalise(alias) in names:
                columns[kind] = names.index(_normalise(alias))
                break
    if "tracking" not in columns:
        raise TrackingFileError(_lt(
            "no tracking number column: the first line must name one (e.g. “tracking-number”)"))
    if "order" not in columns and "delivery" not in columns:
        raise TrackingFileError(_lt(
            "no order column: the first line must name the Amazon order id (e.g. "
            "“amazon-order-id”) or the delivery reference"))
    return columns


def _row(line, values, columns):
    def value(kind):
        index = columns.get(kind)
        return values[index].strip() if index is not None and index < len(values) else ""

    order_ref, delivery_ref, tracking = value("order"), value("delivery"), value("tracking")
    if not order_ref and not delivery_ref:
        return RowProblem(line, _lt("no Amazon order id nor delivery reference"))
    if not tracking:
        return RowProblem(line, _lt("no tracking number"))
    if len(tracking) > MAX_TRACKING_LENGTH:
        return RowProblem(line, _lt("the tracking number is longer than %(limit)s characters",
                                    limit=MAX_TRACKING_LENGTH))
    ship_date = None
    if value("ship_date"):
        ship_date = _date(value("ship_date"))
        if ship_date is None:
            return RowProblem(line, _lt("ship date %(value)s is not a date",
                                        value=shorten(value("ship_date"))))
    return TrackingRow(line, order_ref, delivery_ref, value("carrier"), tracking, ship_date)


def _date(text):
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(text, date_format)
        except ValueError:
            continue
    return None
