"""Amazon's listings report (``GET_MERCHANT_LISTINGS_ALL_DATA``) → typed listings. Pure, no ORM.

The report is tab-separated with a header row; columns are found by header name (compared
lower-case, ``_`` and spaces read as ``-``; the Japanese names of the JP marketplace are
understood), so extra or missing optional columns are fine. Only ``seller-sku`` is required.

Each data row becomes a :class:`Listing`; a row that cannot be read becomes a
:class:`ListingRowError` naming its line and column (a missing SKU, a price or quantity that is no
number, an unknown fulfilment channel, bytes of no accepted encoding), and the other rows are
still read. A file that cannot be read at all (empty, no ``seller-sku`` column) raises
:class:`ListingsFileError`.

**Encoding** is undocumented: the whole file is read with the first of ``encodings`` that decodes
it (UTF-8 with or without BOM first, then the marketplace's legacy code page: cp1252 in America
and Europe, cp932 in Japan); when none decodes all of it, line by line, and a line none of them
decodes is reported as an error.

``fulfillment-channel`` is ``DEFAULT`` for the seller's own shipping (FBM) and ``AMAZON_NA``,
``AMAZON_EU``, ``AMAZON_FE``... for Fulfilment by Amazon (FBA). ``quantity`` is empty for FBA
listings (Amazon's stock is in the FBA inventory). ``product-id-type`` 3 (UPC) and 4 (EAN) make
``product-id`` a barcode.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
import re

from ..utils import AmazonDataError

#: The columns a listings report must have (after normalisation of the header names).
REQUIRED_COLUMNS = ("seller-sku",)
#: Encodings tried when the caller gives none: UTF-8 (a BOM is dropped), then Windows-1252.
DEFAULT_ENCODINGS = ("utf-8-sig", "cp1252")
#: ``product-id-type`` values whose ``product-id`` is a barcode: UPC, EAN.
BARCODE_ID_TYPES = {"3", "4"}
#: ``status`` values → the offer's listing status; any other reads as inactive.
STATUSES = {"active": "active", "inactive": "inactive", "incomplete": "incomplete"}
#: Japanese header names of the JP marketplace's report.
HEADER_ALIASES = {
    "出品者sku": "seller-sku", "商品名": "item-name", "価格": "price", "数量": "quantity",
    "出品日": "open-date", "asin-1": "asin1", "出品id": "listing-id", "商品id": "product-id",
    "商品idタイプ": "product-id-type", "ステータス": "status",
    "フルフィルメント・チャンネル": "fulfillment-channel",
}
#: The longest part of a value quoted in an error.
QUOTE_LIMIT = 40

_PRICE = re.compile(r"\d{1,9}(?:\.\d{1,4})?")
_QUANTITY = re.compile(r"\d{1,9}")
_DATE = re.compile(r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
                   r"|(?P<d2>\d{1,2})[./](?P<m2>\d{1,2})[./](?P<y2>\d{4}))")


class ListingsFileError(AmazonDataError):
    """The report cannot be read at all (no header, no ``seller-sku`` column)."""

    def __init__(self, reason, column=None):
        self.reason, self.column = reason, column
        super().__init__(f"{reason}: {column}" if column else reason)


class ListingRowError(AmazonDataError):
    """One row of the report cannot be used.

    ``line`` (1-based, the header is line 1), ``column`` (a header name, or None), ``reason``
    (``missing``, ``price``, ``quantity``, ``channel``, ``encoding``), ``value`` (the text at
    fault, shortened) and ``sku`` (when the row has one) are kept for the caller, who words the
    message for the user.
    """

    def __init__(self, line, column, reason, value="", sku=""):
        self.line, self.column, self.reason = line, column, reason
        self.value, self.sku = _quote(value), sku
        self.raw = b""
        where = f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {reason} {self.value!r}".rstrip())


@dataclass(frozen=True)
class Listing:
    """One listing of the seller on the report's marketplace."""

    line: int
    sku: str
    asin: str = ""
    title: str = ""
    price: Decimal | None = None
    quantity: int | None = None
    status: str = "active"
    channel: str = "fbm"
    listing_ref: str = ""
    barcode: str = ""
    open_date: date | None = None


@dataclass
class ListingsReport:
    """What a report holds: its listings, the rows that could not be read, and the SKUs named by
    any row, readable or not (a listing with a bad price is still listed)."""

    listings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    skus: set = field(default_factory=set)
    encoding: str = ""


def parse_listings(content, encodings=DEFAULT_ENCODINGS):
    """Read the bytes of a listings report; return a :class:`ListingsReport`.

    :param encodings: the encodings to try, in order
    :raise ListingsFileError: when the report has no header or no ``seller-sku`` column
    """
    report = ListingsReport()
    lines = _decoded_lines(content, encodings, report)
    header = None
    for number, text in lines:
        if isinstance(text, ListingRowError):
            if header is not None:
                text.sku = _sku_of_raw(header, text.raw)
            if text.sku:
                report.skus.add(text.sku)
            report.errors.append(text)
            continue
        if not text.strip():
            continue
        if header is None:
            header = _read_header(text)
            continue
        try:
            listing = _read_row(number, header, text.split("\t"))
        except ListingRowError as error:
            report.errors.append(error)
            if error.sku:
                report.skus.add(error.sku)
            continue
        report.listings.append(listing)
        report.skus.add(listing.sku)
    if header is None:
        raise ListingsFileError("the report is empty")
    return report


# === DECODING === #

def _decoded_lines(content, encodings, report):
    """[(line number, text or ListingRowError)]: the whole file in the first encoding reading
    it all, else each line in the first encoding reading it."""
    content = bytes(content or b"")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        report.encoding = encoding
        return [(number, line.rstrip("\r")) for number, line in enumerate(text.split("\n"), 1)]
    report.encoding = "mixed"
    out = []
    for number, raw in enumerate(content.split(b"\n"), 1):
        out.append((number, _decode_line(number, raw.rstrip(b"\r"), encodings)))
    return out


def _decode_line(number, raw, encodings):
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    error = ListingRowError(number, None, "encoding", raw.decode("ascii", "replace"))
    error.raw = raw
    return error


def _sku_of_raw(header, raw):
    """The SKU of an undecodable line, when its SKU itself is plain ASCII (SKUs mostly are)."""
    values = raw.split(b"\t")
    position = header["seller-sku"]
    sku = values[position].strip() if position < len(values) else b""
    return sku.decode("ascii") if sku.isascii() else ""


# === ROWS === #

def _read_header(text):
    names = [_normalise(name) for name in text.split("\t")]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ListingsFileError("the report has no column", ", ".join(missing))
    return {name: position for position, name in reversed(list(enumerate(names)))}


def _read_row(number, header, values):
    def get(name):
        position = header.get(name)
        return values[position].strip() if position is not None and position < len(values) else ""

    sku = get("seller-sku")
    if not sku:
        raise ListingRowError(number, "seller-sku", "missing")
    id_type, product_id = get("product-id-type"), get("product-id")
    return Listing(
        line=number, sku=sku, asin=get("asin1") or (product_id if id_type == "1" else ""),
        title=get("item-name"),
        price=_price(number, get("price"), sku),
        quantity=_quantity(number, get("quantity"), sku),
        status=STATUSES.get(get("status").lower(), "inactive") if get("status") else "active",
        channel=_channel(number, get("fulfillment-channel"), sku),
        listing_ref=get("listing-id"),
        barcode=product_id if id_type in BARCODE_ID_TYPES else "",
        open_date=_date(get("open-date")),
    )


def _price(number, text, sku):
    """A price as Amazon writes it (``12.99``, ``12,99`` in some European files), or None."""
    if not text:
        return None
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:  # the last mark is the decimal one
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _PRICE.fullmatch(cleaned):
        raise ListingRowError(number, "price", "price", text, sku=sku)
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern rules it out
        raise ListingRowError(number, "price", "price", text, sku=sku) from error


def _quantity(number, text, sku):
    if not text:
        return None
    if not _QUANTITY.fullmatch(text):
        raise ListingRowError(number, "quantity", "quantity", text, sku=sku)
    return int(text)


def _channel(number, text, sku):
    """``DEFAULT`` (or nothing) → FBM, ``AMAZON_*`` → FBA."""
    code = text.upper()
    if code in ("", "DEFAULT", "MERCHANT", "MFN"):
        return "fbm"
    if code.startswith("AMAZON") or code == "AFN":
        return "fba"
    raise ListingRowError(number, "fulfillment-channel", "channel", text, sku=sku)


def _date(text):
    """The day of ``open-date`` (``2024-01-15 10:20:30 PST``, ``15/01/2024 ...``), or None."""
    found = _DATE.match(text or "")
    if not found:
        return None
    year, month, day = (found["y"], found["m"], found["d"]) if found["y"] else \
        (found["y2"], found["m2"], found["d2"])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _normalise(name):
    name = name.strip().lstrip("\ufeff").lower().replace("_", "-").replace(" ", "-")
    return HEADER_ALIASES.get(name, name)


def _quote(value):
    value = (value or "").strip()
    return value if len(value) <= QUOTE_LIMIT else value[:QUOTE_LIMIT - 1] + "…"
