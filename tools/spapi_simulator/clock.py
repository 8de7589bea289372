"""Simulated time: start wall time + elapsed real seconds x time_scale + explicit advances."""

import calendar
import re
import threading
import time

from .errors import ScenarioError

DAY = 86400


class Clock:
    """Seconds since the epoch, in simulated time.  `start` is the simulated time at creation
    (whole seconds; defaults to the wall clock)."""

    def __init__(self, time_scale=1.0, start=None):
        self.start = int(start if start is not None else time.time())
        self.time_scale = float(time_scale)
        self._mono0 = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        with self._lock:
            return self.start + (time.monotonic() - self._mono0) * self.time_scale + self._offset

    def advance(self, seconds):
        if seconds < 0:
            raise ValueError("simulated time only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()


def iso(t):
    """Epoch seconds -> '2026-01-31T12:00:00Z' (whole seconds, UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_iso(text):
    """ISO-8601 date or date-time (Z, offset, fraction or none) -> epoch seconds (float).
    Raises ValueError for anything else."""
    found = _ISO.match((text or "").strip())
    if not found:
        raise ValueError("not an ISO-8601 date-time: %r" % (text,))
    y, mo, d, h, mi, s, frac, tz = found.groups()
    t = calendar.timegm((int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), 0, 0, 0))
    if frac:
        t += float("0." + frac)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        t -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return t


def day_floor(t):
    return int(t) - int(t) % DAY


def as_time(value, what):
    """Epoch seconds of ``value`` (epoch seconds or ISO-8601) a test gave for ``what``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    try:
        return int(parse_iso(value))
    except (ValueError, TypeError):
        raise ScenarioError(400, "InvalidInput",
                            "%s is no epoch time nor ISO-8601: %r" % (what, value)) from None
