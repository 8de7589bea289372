"""Small pure helpers shared by the mappers, the gateway and every flow (no ORM, no I/O).

Timestamps as Amazon writes them, money as ``Decimal``, secrets masked for logs, and the one
retry policy every flow follows after a failure.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
import re
import zlib

from odoo.tools.translate import LazyGettext, LazyTranslate

from .const import FEE_ROLE_WORDS

_lt = LazyTranslate(__name__)

ZERO = Decimal(0)


class AmazonDataError(ValueError):
    """Amazon's data (or a file for Amazon) lacks what the addon needs or holds a value it
    cannot use; the message names the field.

    ``message`` is a lazy translation (``_lt``) or a text already in the user's language:
    ``str()`` of the error gives it in English (for logs and tracebacks), :meth:`describe` in
    the language of a user.
    """

    def __init__(self, message):
        self.message = message
        super().__init__(in_english(message))

    def describe(self, env):
        """The message in the language of ``env``'s user."""
        return env._(self.message) if isinstance(self.message, LazyGettext) else self.message


def in_english(message):
    """``message`` as a text: a lazy translation in English, a text as it is."""
    return message._translate("en_US") if isinstance(message, LazyGettext) else message


# === TIMESTAMPS === #

def parse_datetime(value):
    """An ISO-8601 timestamp (``Z`` or an offset) as a naive UTC datetime, as Odoo stores them."""
    if not value:
        return False
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, AttributeError, OverflowError) as error:
        raise AmazonDataError(_lt("invalid timestamp %(value)s", value=shorten(value))) from error
    return moment


#: Timestamps outside these bounds (naive UTC, both accepted) are taken for corrupt data.
EARLIEST_TIMESTAMP = datetime(2000, 1, 1)
LATEST_TIMESTAMP = datetime(2100, 1, 1)


def parse_timestamp(value, field):
    """Like ``parse_datetime`` (``False`` when absent), but ``AmazonDataError`` naming ``field``
    unless ``value`` is an ISO-8601 text between ``EARLIEST_TIMESTAMP`` and ``LATEST_TIMESTAMP``."""
    if value is None or value == "":
        return False
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        moment = None
        if value[-1] == "Z":  # Amazon's usual form, read without time zone arithmetic
            moment = datetime.fromisoformat(value[:-1])
        if moment is None or moment.tzinfo:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, TypeError):
        raise AmazonDataError(_lt("%(field)s %(value)s is not a valid timestamp",
                                  field=field, value=shorten(value))) from None
    try:
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:  # beyond year 1 or 9999 once in UTC
        moment = None
    if moment is None or not EARLIEST_TIMESTAMP <= moment <= LATEST_TIMESTAMP:
        raise AmazonDataError(_lt("%(field)s %(value)s is not between %(earliest)s and %(latest)s",
                                  field=field, value=shorten(value),
                                  earliest=f"{EARLIEST_TIMESTAMP:%Y-%m-%d}",
                                  latest=f"{LATEST_TIMESTAMP:%Y-%m-%d}"))
    return moment


def to_amazon_timestamp(moment):
    """A naive UTC datetime as the ISO-8601 text Amazon expects (``2026-05-01T10:00:00Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# === MONEY === #

#: Amounts beyond this in absolute value (a billion) are taken for corrupt data.
AMOUNT_LIMIT = Decimal(10) ** 9


def parse_amount(value, field):
    """An Amazon ``Decimal`` (a text, or a JSON number) as a ``Decimal``, 0 when absent, or
    ``AmazonDataError`` naming ``field`` unless it is finite and within ``AMOUNT_LIMIT``."""
    if value is None or value == "":
        return ZERO
    try:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise TypeError(value)
        amount = Decimal(str(value) if isinstance(value, float) else value)
        if not amount.is_finite():
            raise ArithmeticError(value)
    except (ArithmeticError, TypeError, ValueError):
        raise AmazonDataError(_lt("%(field)s %(value)s is not a finite decimal number",
                                  field=field, value=shorten(value))) from None
    if amount.copy_abs() > AMOUNT_LIMIT:
        raise AmazonDataError(_lt("%(field)s %(value)s is beyond %(limit)s in absolute value",
                                  field=field, value=shorten(value), limit=AMOUNT_LIMIT))
    return amount


def parse_money(value, field):
    """The amount of the Amazon ``Money`` object ``value`` (``{"amount", "currencyCode"}``) of
    ``field``, 0 when absent, checked by ``parse_amount``; ``AmazonDataError`` naming ``field``
    when it is not an object."""
    if value is None:
        return ZERO
    if not isinstance(value, dict):
        raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                  field=field, value=shorten(value)))
    amount = value.get("amount")
    if amount.__class__ is str:  # the usual case, accepted here without building the field name
        try:
            number = Decimal(amount)
        except ArithmeticError:
            number = None
        if number is not None and number.is_finite() and number.copy_abs() <= AMOUNT_LIMIT:
            return number
    return parse_amount(amount, f"{field}.amount")


# === MESSAGES === #

def shorten(value, limit=40):
    """``repr(value)`` cut to ``limit`` characters (then ``...``), to quote bad data in a
    message."""
    if isinstance(value, str):
        value = value[:limit]  # no need to copy a huge text to cut it
    elif isinstance(value, int) and value.bit_length() > 4000:  # repr() refuses 4300+ digits
        return f"<integer of {Decimal(value).adjusted() + 1} digits>"
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # holds an integer too long to print, or nests too deep
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."


# === LOGS === #

# Query or form parameters, JSON keys and headers whose values are secrets or tokens.
_SECRET_NAMES = (
    "refresh_token", "client_secret", "lwa_client_secret", "access_token", "x-amz-access-token",
    "authorization",
)
_SECRET_PATTERN = re.compile(
    r"(?P<name>%s)(?P<sep>\"?\s*[=:]\s*\"?)(?P<value>[^&\"',\s}]+)"
    % "|".join(re.escape(name) for name in _SECRET_NAMES),
    re.IGNORECASE,
)


def mask_secrets(text):
    """``text`` with the value of every secret or token parameter replaced by ``***``."""
    return _SECRET_PATTERN.sub(r"\g<name>\g<sep>***", str(text))


# === RETRIES === #

@dataclass(frozen=True)
class RetryPolicy:
    """When a failed unit of work (an order, a package, a SKU...) is tried again.

    The n-th failure waits ``first_delay × factor^(n-1)``, never more than ``max_delay``; after
    ``max_attempts`` failures nothing is retried automatically: the failure waits for a person.
    """

    first_delay: timedelta = timedelta(minutes=5)
    factor: int = 2
    max_delay: timedelta = timedelta(days=1)
    max_attempts: int = 10

    def delay(self, attempts):
        """How long to wait after the ``attempts``-th failure (1 for the first)."""
        return min(self.first_delay * self.factor ** max(attempts - 1, 0), self.max_delay)

    def next_retry(self, now, attempts):
        """The moment of the next automatic try after ``attempts`` failures, or None once they
        are exhausted."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts)


#: The policy of every flow.
RETRY_POLICY = RetryPolicy()


# === LOCKS === #

def advisory_lock_key(flow):
    """The PostgreSQL advisory lock class of a flow (a positive int4, stable across versions):
    ``pg_try_advisory_lock(key, account id)`` serialises one flow of one account."""
    return zlib.crc32(f"amazon_seller.{flow}".encode()) & 0x7FFFFFFF


# === USER INTERFACE === #

def notification_action(message, kind="info", title=None, next_action=None):
    """The client action showing ``message`` as a notification (``kind``: info, success,
    warning, danger; dangers stay until closed), then running ``next_action`` if any."""
    params = {"message": message, "type": kind, "sticky": kind == "danger"}
    if title:
        params["title"] = title
    if next_action:
        params["next"] = next_action
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}


def settlement_row_kind(rule_kind, marketplace_name):
    """What a settlement row is: its rule's kind, except that an order Amazon fulfilled for
    another channel (Multi-Channel Fulfilment: marketplace ``Non-Amazon <country>``, e.g.
    ``Non-Amazon CA``) is no Amazon order: its rows are fulfilment costs, never a receivable
    waiting for an order to fetch."""
    if rule_kind in ("order", "refund") and (marketplace_name or "").startswith("Non-Amazon"):
        return "account"
    return rule_kind


def proposed_fee_role(*codes):
    """(rule kind, payments account) a new rule for a row of these codes is proposed with:
    tax on a fee, or the fee account its words name (other fees when none does)."""
    words = " ".join(code or "" for code in codes).casefold()
    role = next((role for word, role in FEE_ROLE_WORDS if word in words), "other_fee_account_id")
    return ("fee_tax", False) if role == "fee_tax" else ("account", role)


def sale_vat_place(home, ship_from, destination, consumer, eu_countries, distance_sales):
    """Where the VAT of a sale of goods is due, by the EU's place-of-supply rules, as
    (how, country) from country codes:

    - ``("registered", C)``: a sale inside country C other than the seller's own (stock held
      abroad and sold there, or below the threshold a distance sale from stock abroad): the
      VAT of C under the seller's VAT number there;
    - ``("oss", C)``: a distance sale to a consumer in C once the seller is past the EU
      threshold: C's VAT, declared through the One-Stop-Shop;
    - ``("home", None)``: a distance sale below the threshold from the seller's own country:
      the seller's own VAT, never the One-Stop-Shop;
    - ``("odoo", None)``: anything else (domestic, business buyers, exports): the fiscal
      position Odoo itself finds.

    ``distance_sales`` is the seller's answer: ``oss``, ``home`` or ``ask`` (not known yet:
    Odoo's own fiscal positions decide). Sellers established outside the EU keep Odoo's
    fiscal positions."""
    if home not in eu_countries:
        return ("odoo", None)
    if ship_from != home and ship_from == destination:
        return ("registered", ship_from)
    distance_sale = (consumer and destination != ship_from
                     and ship_from in eu_countries and destination in eu_countries)
    if not distance_sale or distance_sales == "ask":
        return ("odoo", None)
    if distance_sales == "oss":
        return ("oss", destination)
    return ("home", None) if ship_from == home else ("registered", ship_from)
