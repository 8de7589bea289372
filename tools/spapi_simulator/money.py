"""Money as integer minor units (cents, or yen for JPY): exact sums, no float drift."""

from decimal import Decimal, ROUND_HALF_UP

from .const import CURRENCY_DECIMALS


def decimals(currency):
    return CURRENCY_DECIMALS.get(currency, 2)


def to_minor(value, currency):
    """A float, int, str or Decimal amount -> integer minor units (half-up)."""
    q = Decimal(str(value)) * (10 ** decimals(currency))
    return int(q.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fmt(minor, currency, decimal_sep="."):
    """Integer minor units -> decimal string as Amazon writes it ("12.30", "-4.75", "1490")."""
    d = decimals(currency)
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    if d == 0:
        return "%s%d" % (sign, minor)
    unit = 10 ** d
    return "%s%d%s%0*d" % (sign, minor // unit, decimal_sep, d, minor % unit)


def pct(minor, rate):
    """rate x amount, rounded half-up to a minor unit."""
    return int((Decimal(minor) * Decimal(str(rate))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def prorate(total, done, qty, of):
    """The share of `total` for `qty` more units after `done` of `of` units were already
    counted; cumulative shares always add up to `total` exactly."""
    if of <= 0:
        return 0
    return _share(total, done + qty, of) - _share(total, done, of)


def _share(total, n, of):
    q = (Decimal(total) * n / of).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(q)


def money(minor, currency):
    """Orders 2026-01-01 Money object."""
    return {"amount": fmt(minor, currency), "currencyCode": currency}
