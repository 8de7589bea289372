"""Fulfillment Outbound API 2020-07-01 (Multi-Channel Fulfilment): getFulfillmentPreview,
createFulfillmentOrder,
getFulfillmentOrder, updateFulfillmentOrder, cancelFulfillmentOrder,
listAllFulfillmentOrders.  The orders themselves live in the scenario (mcf.py)."""

from .. import mcf
from ..errors import ScenarioError
from .base import Operation, stored_page

BASE = "/fba/outbound/2020-07-01/fulfillmentOrders"


def create_fulfillment_order(sim, req):
    mcf.create(sim.scenario, req.body, req.now)
    return 200, {}


def get_fulfillment_preview(sim, req):
    previews = mcf.preview(sim.scenario, req.body, req.now)
    return 200, {"payload": {"fulfillmentPreviews": previews}}


def get_fulfillment_order(sim, req):
    order = mcf.get(sim.scenario, req.args["sellerFulfillmentOrderId"], req.now)
    return 200, {"payload": order.render(req.now)}


def update_fulfillment_order(sim, req):
    mcf.update(sim.scenario, req.args["sellerFulfillmentOrderId"], req.body, req.now)
    return 200, {}


def cancel_fulfillment_order(sim, req):
    mcf.cancel(sim.scenario, req.args["sellerFulfillmentOrderId"], req.now)
    return 200, {}


def list_all_fulfillment_orders(sim, req):
    token = req.one("nextToken")
    if token:
        ids, offset, extra = stored_page(sim, token, "fulfillmentOrders")
    else:
        since = req.time("queryStartDate")
        if since is not None and since > req.now:
            raise ScenarioError(400, "InvalidInput", "queryStartDate is in the future.")
        ids, offset, extra = mcf.listed(sim.scenario, since, req.now), 0, {"kind": "fulfillmentOrders"}
    chunk, next_token = sim.store.pages.page(ids, offset, mcf.PAGE_SIZE, extra)
    payload = {"fulfillmentOrders": [sim.scenario.fulfillment_orders[i].header(req.now)
                                     for i in chunk]}
    if next_token:
        payload["nextToken"] = next_token
    return 200, {"payload": payload}


OPERATIONS = [
    Operation("GET", BASE, "listAllFulfillmentOrders", list_all_fulfillment_orders, 2.0, 30),
    Operation("POST", BASE, "createFulfillmentOrder", create_fulfillment_order, 2.0, 30),
    Operation("POST", BASE + "/preview", "getFulfillmentPreview", get_fulfillment_preview,
              2.0, 30),
    Operation("GET", BASE + "/{sellerFulfillmentOrderId}", "getFulfillmentOrder",
              get_fulfillment_order, 2.0, 30),
    Operation("PUT", BASE + "/{sellerFulfillmentOrderId}", "updateFulfillmentOrder",
              update_fulfillment_order, 2.0, 30),
    Operation("PUT", BASE + "/{sellerFulfillmentOrderId}/cancel", "cancelFulfillmentOrder",
              cancel_fulfillment_order, 2.0, 30),
]
