"""The SP-API operations, one module per API.  Each API module ends with its `OPERATIONS`
table of `base.Operation` rows (method, path template, operationId, handler, rate, burst);
the server routes, logs, faults and rate-limits by these rows only.  The LWA token endpoint
(auth.py) is served beside them, without access token nor rate limit."""

from . import (
    feeds, finances, fulfillment_inbound, fulfillment_outbound, inventory, messaging, orders,
    reports, sellers, shipping, transfers,
)
from .base import Operation, Request

__all__ = ["APIS", "OPERATIONS", "RATE_LIMITS", "Operation", "Request"]

APIS = (sellers, orders, reports, feeds, inventory, finances, fulfillment_outbound,
        fulfillment_inbound, shipping, messaging, transfers)

# Every operation, in routing order (the first row whose method and path match serves).
OPERATIONS = [op for api in APIS for op in api.OPERATIONS]

# operationId -> (rate per second, burst): Amazon's defaults as printed in each operation's
# "Usage Plan" table of the official models (a conformance test checks them against the models
# when those are available).
RATE_LIMITS = {op.name: (op.rate, op.burst) for op in OPERATIONS}
