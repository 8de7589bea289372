"""What Amazon's tab-separated reports share (the returns and removal reports): a header line
naming the columns, UTF-8 or Windows-1252 text, one record per line. Pure, no ORM.

:func:`read_rows` checks the columns a report must have (:class:`ReportFileError` otherwise)
and turns each line into a row with the report's own function, which reads its cells with the
helpers below; a line it cannot read becomes a :class:`RowProblem` naming the line and the
column, and the other lines are still read.
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

DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y", "%d.%m.%Y", "%d/%m/%Y", "%b %d, %Y")
ENCODINGS = ("utf-8-sig", "cp1252")
_QUANTITY = re.compile(r"\d{1,6}")


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: object  # a lazy translation (_lt)


class ReportFileError(AmazonDataError):
    """The report as a whole cannot be read (encoding, no header, missing columns)."""


class RowError(Exception):
    """A cell of a line cannot be used: the line becomes a :class:`RowProblem`."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def read_rows(content, required, make_row):
    """(rows, problems) of a report given as bytes or text: ``make_row(line number, {column:
    value})`` makes each row or raises :class:`RowError`."""
    reader = csv.reader(io.StringIO(_decode(content)), delimiter="\t")
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ReportFileError(_lt("the report is empty: it has no header line"))
    names = [cell.strip() for cell in header]
    missing = [column for column in required if column not in names]
    if missing:
        raise ReportFileError(_lt(
            "the report lacks the column(s) %(columns)s", columns=", ".join(missing)))
    rows, problems = [], []
    for number, cells in enumerate(reader, 2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[index].strip() if index < len(cells) else "")
                  for index, name in enumerate(names)}
        try:
            rows.append(make_row(number, values))
        except RowError as problem:
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
    raise ReportFileError(_lt("the report is neither UTF-8 nor Windows-1252 text"))


def required(values, column):
    value = values.get(column, "")
    if not value:
        raise RowError(_lt("%(column)s is empty", column=column))
    return value


def quantity(values, column, zero=False, default=None):
    """A whole number of units (at least one unless ``zero``); ``default`` when empty."""
    value = values.get(column, "")
    if not value and default is not None:
        return default
    value = required(values, column)
    if not _QUANTITY.fullmatch(value) or (int(value) == 0 and not zero):
        raise RowError(_lt("%(column)s %(value)s is not a whole number of units",
                           column=column, value=shorten(value)))
    return int(value)


def moment(values, column, is_required=True):
    """A date-time (ISO-8601 with offset) or a date of the report as a naive UTC datetime."""
    value = values.get(column, "")
    if not value:
        if is_required:
            raise RowError(_lt("%(column)s is empty", column=column))
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = next((found for found in (_strptime(value, f) for f in DATE_FORMATS) if found),
                      None)
        if parsed is None:
            raise RowError(_lt("%(column)s %(value)s is not a date", column=column,
                               value=shorten(value))) from None
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _strptime(value, date_format):
    try:
        return datetime.strptime(value, date_format)
    except ValueError:
        return None


def amount(values, column):
    """A ``Decimal`` amount (dot or comma decimal), or None when empty."""
    value = values.get(column, "").replace(",", ".")
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise RowError(_lt("%(column)s %(value)s is not an amount", column=column,
                           value=shorten(value))) from None
