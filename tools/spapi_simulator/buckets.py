"""Former name of rate_limits.py, kept so that old imports still work."""

from .rate_limits import BucketSet, TokenBucket

__all__ = ["BucketSet", "TokenBucket"]
