"""What every API module builds on: the `Operation` row of a route table, the `Request` a
handler receives, and the lookup of server-side page tokens."""

from collections import namedtuple

from ..clock import parse_iso
from ..errors import ScenarioError

# One SP-API operation: HTTP method, path template ("{name}" matches one path segment, passed
# as req.args["name"]), the model's operationId (call log, faults, rate limits), the handler
# `handler(sim, req) -> (status, JSON body or None)`, and Amazon's default usage plan (rate
# per second, burst).  Handlers raise ScenarioError for what Amazon rejects.
Operation = namedtuple("Operation", "method path name handler rate burst")


class Request:
    """What an operation handler sees."""

    def __init__(self, method, path, query, body, args, now):
        self.method, self.path, self.query, self.body, self.args, self.now = (
            method, path, query, body, args, now)

    def one(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def many(self, name):
        out = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v != "")
        return out

    def time(self, name):
        value = self.one(name)
        if value in (None, ""):
            return None
        try:
            return parse_iso(value)
        except ValueError:
            raise ScenarioError(400, "InvalidInput", "%s is not a valid ISO-8601 date-time: %s"
                                % (name, value))

    def integer(self, name, default, low, high):
        value = self.one(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise ScenarioError(400, "InvalidInput", "%s must be between %d and %d." % (name, low, high))
        return number


def stored_page(sim, token, kind, param="nextToken"):
    """The stored (items, offset, extra) behind a page token of this kind of listing."""
    page = sim.store.pages.get(token)
    if page is None or page[2].get("kind") != kind:
        raise ScenarioError(400, "InvalidInput", "Invalid %s." % param)
    return page
