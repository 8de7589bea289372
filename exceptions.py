"""The addon's own view of what can go wrong when talking to Amazon.

The gateway turns every failure of python-amazon-sp-api (HTTP status, LWA error, timeout,
network error, unreadable body) into one of these, so that business code decides what to do
from the kind of failure, never from library internals.
"""


class AmazonError(Exception):
    """Base class: a call to Amazon did not give a usable answer.

    :param message: a human-readable explanation, Amazon's own words when it gave some
    :param status: the HTTP status, when there was an HTTP answer
    :param code: Amazon's error code (e.g. ``InvalidInput``), when it gave one
    """

    #: whether trying the same call later may succeed without anybody changing anything
    retryable = False

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class AmazonThrottled(AmazonError):
    """HTTP 429: the operation's rate limit is exhausted; stop and resume later."""

    retryable = True


class AmazonUnauthorized(AmazonError):
    """HTTP 401/403 or an LWA refusal: the credentials or the app's authorisation are wrong."""


class AmazonBadRequest(AmazonError):
    """HTTP 4xx other than 401/403/429: Amazon refused the request itself (its message says why)."""


class AmazonServerError(AmazonError):
    """HTTP 5xx or an unreadable answer: Amazon's side failed; the same call may work later."""

    retryable = True


class AmazonTimeout(AmazonError):
    """No answer within the client timeout."""

    retryable = True


class AmazonUnreachable(AmazonError):
    """The endpoint could not be reached at all (DNS, refused connection, dropped connection)."""

    retryable = True
