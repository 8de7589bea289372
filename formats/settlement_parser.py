"""Amazon's settlement report V2 flat file (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``) → a
summary and typed rows. Pure, no ORM.

The file is tab-separated with a header; columns are found by header name (``settlement-id``,
``amount``, ...: compared lower-case, ``_`` and spaces read as ``-``), so extra or missing optional
columns are fine. The first row after the header is the **summary** (settlement id, period,
deposit date, total amount, currency); every other row is one amount. The sum of the rows'
``amount`` must equal the summary's ``total-amount``.

Two ways in:

* :func:`parse_settlement` reads the whole file and returns a :class:`Settlement` holding every
  row (a list), once every check passed;
* :class:`SettlementReader` reads the header and the summary when created, then yields the rows
  one by one, so a caller can sum or post them without holding them all; the invariant is checked
  once the last row was read (it raises then, after the rows). Only the current row is in memory.

Whatever goes wrong raises :class:`SettlementFileError`, whose message names the file, the line
and, when one is at fault, the column: ``settlement.txt, line 7, column "amount": "12,3,4" is not
a number``.

**Numbers** are written in the marketplace's format (``95,00``, ``1.234,56``, ``1,234.56``,
``1 234,56``, ``1490``). Spaces (normal, no-break, narrow, thin) and apostrophes always group
thousands. When a value has both ``.`` and ``,``, the last one is the decimal mark. A mark that
appears more than once groups thousands. A single mark is the decimal mark unless exactly three
digits follow it and what precedes it could be a group (1–3 digits, not starting with 0, no
space). That ambiguous case (``1,234``, ``1.490``) is settled by the file: if another value
already showed which mark the file uses for decimals (or for thousands), the value follows it;
otherwise by the currency: Amazon writes amounts in the currency's minor unit, so in a currency of
0 or 2 decimals (JPY, EUR, USD...) three digits after a mark are thousands (``1,234`` = 1234), in
one of 3 decimals (KWD, BHD...) they are decimals. A file must use one decimal mark and never use
it for thousands (``95,00`` and ``1,234`` in one EUR file are refused, whichever comes first); an
amount may not have more decimals than its currency (``0,1251`` in EUR is refused), must be
finite and below 10⁹ in absolute value.

**Dates** are read value by value, whatever the marketplace: ``2026-06-17 08:14:22 UTC``,
``17.06.2026 08:14:22 UTC``, ``17.06.2026``, ``2026-06-17``, ISO-8601 with ``Z`` or an offset
(``2026-06-17T17:14:22+09:00``); a few zone names (UTC, GMT, PST, PDT, CET, CEST, BST, JST) are
understood. They come back as naive UTC datetimes, as Odoo stores them (no zone = UTC).

**Encoding** is undocumented: the bytes are read as UTF-8 (with or without BOM) when they are
valid UTF-8, or when they have a BOM or ``UTF8_EVIDENCE`` non-ASCII characters in valid UTF-8
before the first byte that is not (a damaged UTF-8 file: that byte is reported); else as Japanese
cp932 when they decode as such, hold kana or two kanji in a row, and no private-use character
(Windows-1252 text rarely decodes as cp932, and then only as isolated kanji); else as
Windows-1252. Bytes none of them can read are reported at their line and column; so are NUL bytes
and other control characters (binary data). :attr:`Settlement.encoding` says which one was used.

**Line breaks inside a value** (a description broken over two physical lines) are joined back
with a space: a row with too few columns is completed by the next lines when their columns fit
exactly, and a line without any tab after a complete row continues its last value (when that
value is not empty). Empty lines and trailing blanks are ignored.
"""

from collections.abc import Mapping
import codecs
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
import hashlib
from itertools import islice
import json
from operator import itemgetter
import os
import re

from odoo.tools.translate import LazyGettext, LazyTranslate

from ..utils import AMOUNT_LIMIT, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, AmazonDataError, in_english

_lt = LazyTranslate(__name__)

#: Columns a settlement file must have (after normalisation of the header names).
REQUIRED_COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date",
    "total-amount", "currency", "transaction-type", "amount-type", "amount-description", "amount",
)
#: Decimals of the currencies that do not have 2 (ISO 4217); Amazon writes amounts in minor units.
CURRENCY_DECIMALS = {
    "JPY": 0, "KRW": 0, "CLP": 0, "VND": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}
#: Time zone names seen in date columns, as offsets from UTC in hours.
ZONE_OFFSETS = {"Z": 0, "UTC": 0, "GMT": 0, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2,
                "BST": 1, "JST": 9}
#: Bytes read at a time from the file.
CHUNK_SIZE = 1 << 20
#: Characters outside ASCII read as valid UTF-8 before a byte that is not: from this many on, the
#: file is taken for damaged UTF-8 (a cp932 or cp1252 file hardly ever has so many).
UTF8_EVIDENCE = 3
#: The longest part of a value quoted in a message.
QUOTE_LIMIT = 40

_DEFAULT_NAME = "settlement file"
_GROUP_CHARACTERS = str.maketrans({" ": " ", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
                                   "\u2007": " ", "'": " ", "\u2019": " "})
_NUMBER_FAST = re.compile(r"(-?\d{1,9})(?:([.,])(\d{1,2}))?")
_NUMBER_BODY = re.compile(r"\d+(?:[., ]\d+)*")
_QUANTITY = re.compile(r"\d{1,9}")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"|(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4}))"
    r"(?:(?:T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6}))?)?)?"
    r"\s*(?:(?P<zone>[A-Za-z]{1,4})|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2})?)?")
# Characters that text never holds: control characters, and undecodable bytes (surrogateescape).
_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\udc80-\udcff]")
_JAPANESE = re.compile("[\u3041-\u30ff]|[\u3400-\u4dbf\u4e00-\u9fff]{2}")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_CACHE_LIMIT = 20_000
# The columns a SettlementRow reads, in the order _iterate unpacks them.
_ROW_COLUMNS = (
    "settlement-id", "currency", "total-amount", "amount", "transaction-type", "amount-type",
    "amount-description", "order-id", "sku", "quantity-purchased", "order-item-code",
    "adjustment-id", "shipment-id", "marketplace-name", "posted-date-time", "posted-date",
)


class SettlementFileError(AmazonDataError):
    """The settlement file cannot be used; the message names the file, line and column.

    ``filename``, ``line`` (1-based, or None), ``column`` (a header name, the column's number
    from 1 when it has no name yet, or None) and ``reason`` (translatable, see
    :meth:`describe`) are kept as attributes for the caller.
    """

    def __init__(self, filename, line, column, reason):
        self.filename, self.line, self.column, self.reason = filename, line, column, reason
        super().__init__(self._where(in_english(reason), "%(file)s, line %(line)s, column "
                                     "%(column)s: %(reason)s", "%(file)s, line %(line)s: "
                                     "%(reason)s", "%(file)s: %(reason)s"))

    def describe(self, env):
        """The message in the language of ``env``'s user."""
        reason = self.reason._translate(env.lang) if isinstance(self.reason, LazyGettext) \
            else str(self.reason)
        return self._where(reason, env._("%(file)s, line %(line)s, column %(column)s: "
                                         "%(reason)s"),
                           env._("%(file)s, line %(line)s: %(reason)s"),
                           env._("%(file)s: %(reason)s"))

    def _where(self, reason, with_column, with_line, bare):
        values = {"file": self.filename, "line": self.line, "reason": reason,
                  "column": _column_label(self.column) if self.column is not None else None}
        if self.line is None:
            return bare % values
        return (with_line if self.column is None else with_column) % values


class RowValues(Mapping):
    """Every column of a row by header name (values stripped), read-only; ``dict(values)`` for a
    plain dict. Rows share their header's index, so a row costs a tuple of its values."""

    __slots__ = ("_index", "_values")

    def __init__(self, index, values):
        self._index, self._values = index, values

    def __getitem__(self, name):
        return self._values[self._index[name]]

    def __iter__(self):
        return iter(self._index)

    def __len__(self):
        return len(self._index)

    def __repr__(self):
        return repr(dict(self))


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """One amount of the settlement (any row after the summary)."""

    line: int  # of the row in the file (its first line when a value was broken over several)
    values: RowValues  # every column by header name, stripped
    amount: Decimal
    posted_date: object  # naive UTC datetime, from posted-date-time, else posted-date; or None
    transaction_type: str
    amount_type: str
    amount_description: str
    order_id: str
    sku: str
    quantity: object  # int (quantity-purchased), or None when empty or absent
    order_item_code: str
    adjustment_id: str
    shipment_id: str
    marketplace_name: str


@dataclass(frozen=True, slots=True)
class Settlement:
    """A whole settlement file, checked: its summary, its rows, and how it was read."""

    filename: str
    settlement_id: str
    start_date: datetime  # naive UTC
    end_date: datetime
    deposit_date: object  # naive UTC datetime, or None when the summary leaves it empty
    total_amount: Decimal
    currency: str
    rows: list  # of SettlementRow, in file order
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "cp932" or "cp1252"
    sha256: str  # of the raw bytes
    columns: tuple  # header names, normalised, in file order
    summary_line: int


def parse_settlement(stream_or_bytes, filename=None):
    """The :class:`Settlement` of a V2 flat file given as bytes or a binary stream, or
    :class:`SettlementFileError` naming the file, line and column at fault."""
    reader = SettlementReader(stream_or_bytes, filename)
    rows = list(reader)
    return Settlement(
        filename=reader.filename, settlement_id=reader.settlement_id,
        start_date=reader.start_date, end_date=reader.end_date, deposit_date=reader.deposit_date,
        total_amount=reader.total_amount, currency=reader.currency, rows=rows,
        encoding=reader.encoding, sha256=reader.sha256, columns=reader.columns,
        summary_line=reader.summary_line)


class SettlementReader:
    """A settlement file read row by row.

    Creating it reads the whole file once in chunks (SHA-256, encoding) and then the header and
    the summary, which are checked: ``filename``, ``encoding``, ``sha256``, ``columns``,
    ``settlement_id``, ``start_date``, ``end_date``, ``deposit_date``, ``total_amount``,
    ``currency`` and ``summary_line`` are set. Iterating (once) yields each :class:`SettlementRow`;
    after the last one the sum of the amounts (``rows_total``, over ``row_count`` rows) is compared
    with ``total_amount``. A caller that stops early skips that check.

    A binary stream is read where it stands; it must be seekable (it is read twice), else it is
    read into memory first. It is not closed.
    """

    def __init__(self, stream_or_bytes, filename=None):
        self._source = _Source(stream_or_bytes)
        self.filename = filename or self._source.name or _DEFAULT_NAME
        self.sha256, self.encoding, self._errors, self._broken_utf8 = self._scan()
        self._lines = self._physical_lines()
        self.row_count, self.rows_total = 0, Decimal(0)
        self._iterated = False
        self._numbers = _NumberReader(self)
        self._dates, self._memo = {}, {}
        self._read_header()
        self._read_summary()

    # === READING THE BYTES === #

    def _scan(self):
        """(sha256, encoding, decoding errors, damaged UTF-8?) from one pass over the bytes."""
        digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder("utf-8")()
        is_utf8, evidence, bom = True, 0, None
        for chunk in self._source.chunks():
            digest.update(chunk)
            if bom is None:
                bom = chunk.startswith(codecs.BOM_UTF8)
            if not is_utf8:
                continue
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                is_utf8 = False
                text = chunk[:error.start].decode("utf-8", "ignore")
            if evidence < UTF8_EVIDENCE:
                evidence += sum(1 for _match in islice(_NON_ASCII.finditer(text), UTF8_EVIDENCE))
        if is_utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
        sha256 = digest.hexdigest()
        if is_utf8 or bom or evidence >= UTF8_EVIDENCE:  # UTF-8, maybe with a damaged byte
            return (sha256, "utf-8-sig" if bom else "utf-8",
                    "strict" if is_utf8 else "surrogateescape", not is_utf8)
        if self._is_japanese():
            return sha256, "cp932", "strict", False
        return sha256, "cp1252", "strict" if self._decodes("cp1252") else "surrogateescape", False

    def _is_japanese(self):
        decoder = codecs.getincrementaldecoder("cp932")()
        japanese = False
        try:
            for chunk in self._source.chunks():
                text = decoder.decode(chunk)
                if _PRIVATE_USE.search(text):
                    return False
                japanese = japanese or bool(_JAPANESE.search(text))
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return japanese

    def _decodes(self, encoding):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in self._source.chunks():
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    def _physical_lines(self):
        """(line number, text) of every non-blank line, without its line break (LF, CRLF or
        CR); text is decoded chunk by chunk."""
        decoder = codecs.getincrementaldecoder(self.encoding)(self._errors)
        number, rest = 0, ""
        chunks = self._source.chunks()
        final = False
        while not final:
            chunk = next(chunks, None)
            final = chunk is None
            text = rest + decoder.decode(chunk or b"", final=final)
            if not final and text.endswith("\r"):  # maybe the first half of a CRLF
                text, rest = text[:-1], "\r"
            else:
                rest = ""
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            lines = text.split("\n")
            if not final:
                rest = lines.pop() + rest
            for line in lines:
                number += 1
                if line and not line.isspace():
                    yield number, line
            if final:
                return

    def _check_text(self, line, text, first_field=0):
        """SettlementFileError when ``text`` (a physical line whose first value is the
        ``first_field``-th of its row, from 0) holds binary data."""
        found = _BINARY.search(text)
        if not found:
            return
        character = found.group()
        field = first_field + text.count("\t", 0, found.start())
        column = self._column_at(field)
        if "\udc80" <= character <= "\udcff":
            byte = ord(character) - 0xDC00
            if self._broken_utf8:
                reason = _lt("byte 0x%(byte)02X is not valid UTF-8, the encoding of the rest "
                             "of the file (a damaged file?)", byte=byte)
            else:
                reason = _lt("byte 0x%(byte)02X is not text in UTF-8, cp932 (Japanese) or "
                             "cp1252 (binary data?)", byte=byte)
        elif character == "\x00":
            reason = _lt("binary data, not text: a NUL byte (0x00)")
        else:
            reason = _lt("binary data, not text: the control character 0x%(code)02X",
                         code=ord(character))
        raise self._error(line, column, reason)

    def _records(self):
        """(line number, values) of every row after the header: lines broken inside a value are
        joined back; rows with too few or too many columns raise."""
        width = len(self._columns)
        lines = self._lines
        following = next(lines, None)
        while following is not None:
            number, text = following
            self._check_text(number, text)
            count = text.count("\t") + 1
            if count == 1:
                raise self._error(number, None, _lt(
                    "no tab-separated columns (the header has %(width)s): %(text)s",
                    width=width, text=_quote(text)))
            following = next(lines, None)
            while following is not None:
                next_text = following[1]
                next_count = next_text.count("\t") + 1
                if count + next_count - 1 > width:
                    break
                if count == width and (next_count > 1 or not text.rpartition("\t")[2].strip()):
                    break  # a complete row; a line without tab continues its last value, if any
                self._check_text(following[0], next_text, count - 1)
                text = f"{text.rstrip(' ')} {next_text.lstrip(' ')}"
                count += next_count - 1
                following = next(lines, None)
            if count < width:
                missing = self._column_at(count)
                if following is None:
                    raise self._error(number, missing, _lt(
                        "the file is cut short: its last row has %(count)s of the %(width)s "
                        "columns", count=count, width=width))
                raise self._error(number, missing, _lt(
                    "the row has %(count)s columns where the header has %(width)s",
                    count=count, width=width))
            values = text.split("\t")
            if count > width:
                extra = next((index for index in range(width, count)
                              if values[index].strip()), None)
                if extra is not None:
                    raise self._error(number, extra + 1, _lt(
                        "the row has %(count)s columns where the header has %(width)s: %(extra)s",
                        count=count, width=width, extra=_quote(values[extra].strip())))
                del values[width:]
            yield number, values

    # === HEADER AND SUMMARY === #

    def _read_header(self):
        first = next(self._lines, None)
        if first is None:
            raise self._error(1, None, _lt("the file is empty"))
        number, text = first
        self._check_text(number, text)
        names = [_normalise(name) for name in text.split("\t")]
        while len(names) > 1 and not names[-1]:  # trailing tabs
            names.pop()
        positions = {}
        for position, name in enumerate(names):
            if name in positions:
                raise self._error(number, position + 1, _lt(
                    "the header names the column %(name)s twice", name=_quote(name)))
            if name:
                positions[name] = position
        missing = [name for name in REQUIRED_COLUMNS if name not in positions]
        if missing:
            for line, following in islice(self._lines, 20):  # binary data says more
                self._check_text(line, following)
            columns = ", ".join(_quote(name) for name in missing)
            if len(names) == 1:
                raise self._error(number, None, _lt(
                    "the first line is not the tab-separated header of a settlement report "
                    "(missing columns %(columns)s)", columns=columns))
            raise self._error(number, None, _lt("missing columns %(columns)s", columns=columns))
        self.header_line = number
        self._columns = names
        self.columns = tuple(names)
        self._index = positions

    def _column_at(self, position):
        """The header name of the ``position``-th column (from 0), or its number from 1."""
        columns = getattr(self, "_columns", ())
        return columns[position] if position < len(columns) and columns[position] else \
            position + 1

    def _read_summary(self):
        self._rows = self._records()
        first = next(self._rows, None)
        if first is None:
            raise self._error(self.header_line + 1, None,
                              _lt("no summary row: the file has only its header"))
        line, values = first
        get = self._getter(values)
        if not get("total-amount"):
            raise self._error(line, "total-amount", _lt(
                "no summary row: the first row after the header must give the settlement's "
                "total amount, it is empty"))
        if get("amount"):
            raise self._error(line, "amount", _lt(
                "the summary row (the first after the header) has an amount: %(amount)s",
                amount=_quote(get("amount"))))
        self.summary_line = line
        self.settlement_id = get("settlement-id")
        if not self.settlement_id:
            raise self._error(line, "settlement-id", _lt("the summary row has no settlement id"))
        self.currency = get("currency")
        if not re.fullmatch("[A-Z]{3}", self.currency):
            raise self._error(line, "currency", _lt("%(currency)s is not a currency code (like "
                                                    "EUR)", currency=_quote(self.currency)))
        self._numbers.decimals = CURRENCY_DECIMALS.get(self.currency, 2)
        self.start_date = self._date(line, "settlement-start-date", get("settlement-start-date"),
                                     required=True)
        self.end_date = self._date(line, "settlement-end-date", get("settlement-end-date"),
                                   required=True)
        self.deposit_date = self._date(line, "deposit-date", get("deposit-date"))
        if self.end_date < self.start_date:
            raise self._error(line, "settlement-end-date", _lt(
                "the settlement ends (%(end)s) before it starts (%(start)s)",
                end=self.end_date, start=self.start_date))
        self.total_amount = self._numbers.read(line, "total-amount", get("total-amount"))

    # === ROWS === #

    def __iter__(self):
        if self._iterated:
            raise RuntimeError("a SettlementReader is read once")
        self._iterated = True
        return self._iterate()

    def _iterate(self):
        index, memo, width = self._index, self._memo, len(self._columns)
        # Absent columns read the "" appended after the row's values.
        pick = itemgetter(*(index.get(name, width) for name in _ROW_COLUMNS))
        total, count = Decimal(0), 0
        for line, raw in self._rows:
            if len(memo) > _CACHE_LIMIT:
                memo.clear()
            values = [value and memo.setdefault(value, value) for value in map(str.strip, raw)]
            values.append("")
            (settlement_id, currency, total_text, text, transaction_type, amount_type,
             amount_description, order_id, sku, quantity, order_item_code, adjustment_id,
             shipment_id, marketplace_name, posted_time, posted_day) = pick(values)
            if settlement_id and settlement_id != self.settlement_id:
                raise self._error(line, "settlement-id", _lt(
                    "more than one settlement in the file: %(here)s here, %(summary)s in the "
                    "summary (line %(line)s)", here=_quote(settlement_id),
                    summary=_quote(self.settlement_id), line=self.summary_line))
            if currency and currency != self.currency:
                raise self._error(line, "currency", _lt(
                    "more than one currency in the file: %(here)s here, %(summary)s in the "
                    "summary (line %(line)s)", here=_quote(currency),
                    summary=_quote(self.currency), line=self.summary_line))
            if total_text:
                raise self._error(line, "total-amount", _lt(
                    "a second summary row (only the first row after the header gives a total "
                    "amount): %(total)s", total=_quote(total_text)))
            if not text:
                raise self._error(line, "amount", _lt("the amount is empty"))
            amount = self._numbers.read(line, "amount", text)
            if posted_time:
                posted = self._date(line, "posted-date-time", posted_time)
            else:
                posted = self._date(line, "posted-date", posted_day)
            if quantity:
                if not _QUANTITY.fullmatch(quantity):
                    raise self._error(line, "quantity-purchased", _lt(
                        "%(quantity)s is not a whole number of units", quantity=_quote(quantity)))
                quantity = int(quantity)
            else:
                quantity = None
            total += amount
            count += 1
            self.row_count, self.rows_total = count, total
            yield SettlementRow(
                line=line, values=RowValues(index, tuple(values)), amount=amount,
                posted_date=posted, transaction_type=transaction_type, amount_type=amount_type,
                amount_description=amount_description, order_id=order_id, sku=sku,
                quantity=quantity, order_item_code=order_item_code, adjustment_id=adjustment_id,
                shipment_id=shipment_id, marketplace_name=marketplace_name)
        self._source.done()
        if total != self.total_amount:
            raise self._error(self.summary_line, "total-amount", _lt(
                "the rows add up to %(total)s, not to the total amount %(expected)s "
                "(difference %(difference)s, over %(count)s rows)", total=total,
                expected=self.total_amount, difference=total - self.total_amount, count=count))

    # === VALUES === #

    def _getter(self, values):
        index = self._index

        def get(name):
            where = index.get(name)
            return values[where].strip() if where is not None else ""
        return get

    def _date(self, line, column, text, required=False):
        """The naive UTC datetime ``text`` of ``column``, None when empty (an error when
        ``required``)."""
        if not text:
            if required:
                raise self._error(line, column, _lt("the date is empty"))
            return None
        moment = self._dates.get(text)
        if moment is None:
            moment = _parse_date(text)
            if moment is None:
                raise self._error(line, column, _lt("%(text)s is not a date", text=_quote(text)))
            if not EARLIEST_TIMESTAMP <= moment <= LATEST_TIMESTAMP:
                raise self._error(line, column, _lt(
                    "%(text)s is not between %(earliest)s and %(latest)s", text=_quote(text),
                    earliest=f"{EARLIEST_TIMESTAMP:%Y-%m-%d}", latest=f"{LATEST_TIMESTAMP:%Y-%m-%d}"))
            if len(self._dates) > _CACHE_LIMIT:
                self._dates.clear()
            self._dates[text] = moment
        return moment

    def _error(self, line, column, reason):
        return SettlementFileError(self.filename, line, column, reason)


class _NumberReader:
    """Reads the amounts of one file, learning which mark it uses for decimals (see the module
    docstring for the rule)."""

    def __init__(self, reader):
        self._reader = reader
        self.decimals = 2
        self._decimal_mark = None  # (mark, line, text) of the first value that showed it
        self._group_mark = None

    def read(self, line, column, text):
        match = _NUMBER_FAST.fullmatch(text)
        if match:
            whole, mark, fraction = match.groups()
            if mark is None:
                return Decimal(whole)
            if self._decimal_mark is None or mark != self._decimal_mark[0]:
                self._learn(line, column, text, mark, None)
            if len(fraction) > self.decimals:
                self._check_decimals(line, column, text, fraction)
            return Decimal(f"{whole}.{fraction}")
        return self._read_slowly(line, column, text)

    def _read_slowly(self, line, column, text):
        cleaned = text.translate(_GROUP_CHARACTERS)
        sign = ""
        if cleaned[:1] in ("-", "+", "\u2212"):
            sign, cleaned = ("" if cleaned[0] == "+" else "-"), cleaned[1:].lstrip()
        if not _NUMBER_BODY.fullmatch(cleaned):
            raise self._error(line, column, _lt("%(text)s is not a number", text=_quote(text)))
        marks = [character for character in cleaned if character in ".,"]
        if len(set(marks)) == 2:
            mark = marks[-1]
            if marks.count(mark) > 1:
                raise self._error(line, column, _lt("%(text)s is not a number", text=_quote(text)))
        elif len(marks) == 1:
            mark = self._single_mark(line, column, text, cleaned, marks[0])
        else:
            mark = None
        whole, fraction = cleaned.rsplit(mark, 1) if mark else (cleaned, "")
        groups = re.split("[., ]", whole)
        separators = set(re.sub(r"\d", "", whole))
        if len(groups) > 1 and (len(separators) > 1 or not 1 <= len(groups[0]) <= 3
                                or groups[0].startswith("0")
                                or any(len(group) != 3 for group in groups[1:])):
            raise self._error(line, column, _lt("%(text)s is not a number", text=_quote(text)))
        group = next(iter(separators), None)
        self._learn(line, column, text, mark, group if group != " " else None)
        if len(fraction) > self.decimals:
            self._check_decimals(line, column, text, fraction)
        digits = "".join(groups)
        amount = Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
        if amount.copy_abs() >= AMOUNT_LIMIT:
            raise self._error(line, column, _lt("%(text)s is not below %(limit)s in absolute value",
                                                text=_quote(text), limit=AMOUNT_LIMIT))
        return amount

    def _single_mark(self, line, column, text, cleaned, mark):
        """The decimal mark of a value holding ``mark`` once, or None when it groups thousands."""
        whole, fraction = cleaned.rsplit(mark, 1)
        if len(fraction) != 3 or " " in whole or len(whole) > 3 or whole.startswith("0"):
            return mark
        if self._decimal_mark:
            if self._decimal_mark[0] != mark:
                return None
            if self.decimals != 3:
                raise self._error(line, column, _lt(
                    "%(text)s is ambiguous: the file writes decimals with %(mark)s (line "
                    "%(line)s: %(example)s) but %(currency)s amounts have %(decimals)s decimals",
                    text=_quote(text), mark=_quote(mark), line=self._decimal_mark[1],
                    example=_quote(self._decimal_mark[2]), currency=self._reader.currency,
                    decimals=self.decimals))
            return mark
        if self._group_mark:
            return None if self._group_mark[0] == mark else mark
        return mark if self.decimals == 3 else None

    def _learn(self, line, column, text, mark, group):
        """Remember the marks ``text`` uses, or raise when the file used them otherwise."""
        if mark:
            known = self._decimal_mark
            if known and known[0] != mark:
                raise self._error(line, column, _lt(
                    "%(text)s writes decimals with %(mark)s but line %(line)s writes them with "
                    "%(other)s (%(example)s)", text=_quote(text), mark=_quote(mark),
                    line=known[1], other=_quote(known[0]), example=_quote(known[2])))
            if self._group_mark and self._group_mark[0] == mark:
                raise self._error(line, column, _lt(
                    "%(text)s writes decimals with %(mark)s but line %(line)s groups thousands "
                    "with it (%(example)s)", text=_quote(text), mark=_quote(mark),
                    line=self._group_mark[1], example=_quote(self._group_mark[2])))
            if not known:
                self._decimal_mark = (mark, line, text)
        if group:
            known = self._decimal_mark
            if known and known[0] == group:
                raise self._error(line, column, _lt(
                    "%(text)s groups thousands with %(mark)s but line %(line)s writes decimals "
                    "with it (%(example)s)", text=_quote(text), mark=_quote(group),
                    line=known[1], example=_quote(known[2])))
            if not self._group_mark:
                self._group_mark = (group, line, text)

    def _check_decimals(self, line, column, text, fraction):
        if fraction[self.decimals:].strip("0"):
            raise self._error(line, column, _lt(
                "%(text)s has more decimals than %(currency)s amounts have (%(decimals)s)",
                text=_quote(text), currency=self._reader.currency, decimals=self.decimals))

    def _error(self, line, column, reason):
        return self._reader._error(line, column, reason)


class _Source:
    """The bytes of the file, read in chunks as many times as needed."""

    def __init__(self, stream_or_bytes):
        self.name = None
        if isinstance(stream_or_bytes, str):
            raise TypeError("give the settlement file as bytes or a binary stream, not as text")
        if isinstance(stream_or_bytes, (bytes, bytearray, memoryview)):
            self._data, self._stream = bytes(stream_or_bytes), None
            return
        stream = stream_or_bytes
        name = getattr(stream, "name", None)
        if isinstance(name, str):
            self.name = os.path.basename(name)
        seekable = getattr(stream, "seekable", None)
        if seekable and seekable():
            self._data, self._stream, self._start = None, stream, stream.tell()
        else:
            self._data, self._stream = stream.read(), None
        if self._data is not None and not isinstance(self._data, bytes):
            raise TypeError("give the settlement file as bytes or a binary stream, not as text")

    def chunks(self):
        if self._stream is None:
            data = self._data
            for start in range(0, len(data), CHUNK_SIZE):
                yield data[start:start + CHUNK_SIZE]
            return
        self._stream.seek(self._start)
        while True:
            chunk = self._stream.read(CHUNK_SIZE)
            if isinstance(chunk, str):
                raise TypeError("give the settlement file as a binary stream, not a text one")
            if not chunk:
                return
            yield bytes(chunk)

    def done(self):
        """Forget the bytes once the rows were read."""
        self._data = b"" if self._data is not None else None


# === HELPERS === #

def _normalise(name):
    return "-".join(name.strip().lower().replace("_", " ").split())


def _quote(value):
    """``value`` in double quotes (JSON escapes), cut to ``QUOTE_LIMIT`` characters."""
    text = str(value)
    quoted = json.dumps(text[:QUOTE_LIMIT], ensure_ascii=False)
    return quoted + "..." if len(text) > QUOTE_LIMIT else quoted


def _column_label(column):
    return f"{column}" if isinstance(column, int) else _quote(column)


def _parse_date(text):
    """The naive UTC datetime of one of the accepted date formats, or None."""
    match = _DATE.fullmatch(text)
    if not match:
        return None
    parts = match.groupdict()
    year, month, day = (parts["y"], parts["m"], parts["d"]) if parts["y"] else \
        (parts["y2"], parts["m2"], parts["d2"])
    try:
        moment = datetime(int(year), int(month), int(day), int(parts["H"] or 0),
                          int(parts["M"] or 0), int(parts["S"] or 0),
                          int((parts["f"] or "0").ljust(6, "0")))
    except ValueError:
        return None
    if parts["zone"]:
        offset = ZONE_OFFSETS.get(parts["zone"].upper())
        if offset is None:
            return None
        return moment - timedelta(hours=offset)
    if parts["sign"]:
        offset = timedelta(hours=int(parts["oh"]), minutes=int(parts["om"] or 0))
        return moment - offset if parts["sign"] == "+" else moment + offset
    return moment
