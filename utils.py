"""Small pure helpers shared by the mappers, the gateway and every flow (no ORM, no I/O).

Timestamps as Amazon writes them, money as ``Decimal``, secrets masked for logs, and the one
retry policy every flow follows after a failure.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
import re
import zlib

ZERO = Decimal(0)


class AmazonDataError(ValueError):
    """Amazon's data lacks what the addon needs or holds a value it cannot use; the message
    names the field."""


# === TIMESTAMPS === #

def parse_datetime(value):
    """An ISO-8601 timestamp (``Z`` or an offset) as a naive UTC datetime, as Odoo stores them."""
    if not value:
        return False
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError) as error:
        raise AmazonDataError(f"invalid timestamp {value!r}") from error
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def to_amazon_timestamp(moment):
    """A naive UTC datetime as the ISO-8601 text Amazon expects (``2026-05-01T10:00:00Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# === MONEY === #

def money(value):
    """The amount of an Amazon ``Money`` object (``{"amount", "currencyCode"}``), 0 when absent."""
    if not value or value.get("amount") in (None, ""):
        return ZERO
    try:
        return Decimal(str(value["amount"]))
    except ArithmeticError as error:
        raise AmazonDataError(f"invalid amount {value['amount']!r}") from error


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
