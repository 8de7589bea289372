"""Rate limits: token buckets, one per operation, with Amazon's default rate and burst (the
usage plans are the `rate`/`burst` of each operation's row in apis/, collected in
`apis.RATE_LIMITS`).

A bucket starts full (burst tokens) and refills at `rate` tokens per simulated second, so
`--time-scale` speeds refilling up exactly as it speeds the scenario up, and an explicit
`advance()` of simulated time refills buckets too.
"""

import threading


class TokenBucket:
    """A classic token bucket on an injectable clock (seconds, float)."""

    def __init__(self, rate, burst, clock):
        self.rate = float(rate)
        self.burst = int(burst)
        self.clock = clock
        self.tokens = float(burst)
        self.stamp = clock()

    def _refill(self):
        now = self.clock()
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)

    def take(self):
        """Take one token; False when the bucket is empty (the caller answers 429)."""
        self._refill()
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def available(self):
        self._refill()
        return self.tokens


class BucketSet:
    """Buckets per operation; operations without a known plan are never limited."""

    def __init__(self, limits, clock, enabled=True):
        self.limits = dict(limits)
        self.clock = clock
        self.enabled = enabled
        self._buckets = {}
        self._lock = threading.Lock()

    def header(self, operation):
        """Value of the x-amzn-RateLimit-Limit header for an operation, or None."""
        plan = self.limits.get(operation)
        return None if plan is None else ("%g" % plan[0])

    def take(self, operation):
        if not self.enabled or operation not in self.limits:
            return True
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                rate, burst = self.limits[operation]
                bucket = self._buckets[operation] = TokenBucket(rate, burst, self.clock)
            return bucket.take()

    def reset(self):
        with self._lock:
            self._buckets.clear()
