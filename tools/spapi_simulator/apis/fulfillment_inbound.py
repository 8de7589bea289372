"""Fulfillment Inbound API 2024-03-20 (sending stock to FBA): the inbound plan, its packing,
placement and transportation options, its shipments and the asynchronous operations' status;
and the two v0 operations Amazon keeps beside it: getLabels (box labels, a PDF) and
getShipmentItemsByShipmentId (units shipped and received).  The plans live in inbound.py."""

import random

from .. import inbound
from ..errors import ScenarioError
from .base import Operation

BASE = "/inbound/fba/2024-03-20/inboundPlans"
PLAN = BASE + "/{inboundPlanId}"
V0 = "/fba/inbound/v0/shipments/{shipmentId}"
LABEL_PAGE_TYPES = ("PackageLabel_Letter_2", "PackageLabel_Letter_4", "PackageLabel_Letter_6",
                    "PackageLabel_A4_2", "PackageLabel_A4_4", "PackageLabel_Plain_Paper",
                    "PackageLabel_Thermal", "PackageLabel_Thermal_NonPCP")


def _operation(sim, name, problems=()):
    """Record an operation (SUCCESS, or FAILED with its problems) and answer its id."""
    rng = random.Random("operation-%s-%d" % (sim.scenario.seed,
                                             len(sim.scenario.inbound_operations)))
    operation_id = inbound._uuidish(rng, "")[:36]
    sim.scenario.inbound_operations[operation_id] = {
        "operationId": operation_id, "operation": name,
        "operationStatus": "FAILED" if problems else "SUCCESS",
        "operationProblems": list(problems)}
    return operation_id


def _step(sim, req, name, action):
    """Run a step of a plan; what Amazon refuses at this stage makes the operation FAIL."""
    plan = inbound.get(sim.scenario, req.args["inboundPlanId"])
    try:
        action(plan)
    except ScenarioError as error:
        if error.status == 404:
            raise
        problem = {"code": "FBA_INB_0000", "severity": "ERROR", "message": error.message}
        return 202, {"operationId": _operation(sim, name, [problem])}
    return 202, {"operationId": _operation(sim, name)}


def create_inbound_plan(sim, req):
    plan, problems = inbound.create(sim.scenario, req.body or {}, req.now)
    plan_id = plan.plan_id if plan else inbound._uuidish(random.Random(str(req.now)), "wf")
    return 202, {"inboundPlanId": plan_id,
                 "operationId": _operation(sim, "createInboundPlan", problems)}


def get_inbound_plan(sim, req):
    plan = inbound.get(sim.scenario, req.args["inboundPlanId"])
    return 200, {"inboundPlanId": plan.plan_id, "name": plan.name, "status": plan.status(),
                 "createdAt": inbound.iso(plan.created), "lastUpdatedAt": inbound.iso(req.now),
                 "marketplaceIds": [plan.market.id], "sourceAddress": plan.source,
                 "shipments": [{"shipmentId": s.shipment_id, "status": s.status(req.now)}
                               for s in plan.shipments]}


def cancel_inbound_plan(sim, req):
    return _step(sim, req, "cancelInboundPlan", lambda plan: plan.cancel(req.now))


def generate_packing_options(sim, req):
    return _step(sim, req, "generatePackingOptions", lambda plan: plan.generate_packing(req.now))


def _render_option(option, now):
    out = {"%sOptionId" % option.kind: option.option_id, "status": option.status,
           "expiration": inbound.iso(option.expires)}
    if option.kind == "transportation":
        out.update({"shipmentId": option.shipment.shipment_id,
                    "shippingMode": "GROUND_SMALL_PARCEL",
                    "shippingSolution": "AMAZON_PARTNERED_CARRIER" if option.partnered
                    else "USE_YOUR_OWN_CARRIER",
                    "carrier": {"name": "UPS", "alphaCode": "UPSN"} if option.partnered
                    else {"name": "Other", "alphaCode": "OTHR"},
                    "preconditions": []})
        if option.partnered:
            out["quote"] = {"cost": {"amount": option.money(option.fee_minor),
                                     "code": option.currency}}
        return out
    out["fees"] = option.incentives("FEE")
    out["discounts"] = option.incentives("DISCOUNT")
    if option.kind == "packing":
        out.update({"packingGroups": option.groups, "supportedShippingConfigurations": [
            {"shippingMode": "GROUND_SMALL_PARCEL", "shippingSolution": "AMAZON_PARTNERED_CARRIER"},
            {"shippingMode": "GROUND_SMALL_PARCEL", "shippingSolution": "USE_YOUR_OWN_CARRIER"}]})
    else:
        out["shipmentIds"] = option.shipments
    return out


def _options(key, options, now):
    return 200, {key: [_render_option(o, now) for o in options], "pagination": {}}


def list_packing_options(sim, req):
    plan = inbound.get(sim.scenario, req.args["inboundPlanId"])
    return _options("packingOptions", plan.packing_options.values(), req.now)


def confirm_packing_option(sim, req):
    return _step(sim, req, "confirmPackingOption",
                 lambda plan: plan.confirm_packing(req.args["packingOptionId"]))


def list_packing_group_items(sim, req):
    plan = inbound.get(sim.scenario, req.args["inboundPlanId"])
    group = plan.groups.get(req.args["packingGroupId"])
    if group is None:
        raise ScenarioError(404, "NotFound", "Packing group %s not found."
                            % req.args["packingGroupId"])
    return 200, {"items": [_item(plan, sku, units) for sku, units in sorted(group.items())],
                 "pagination": {}}


def _item(plan, sku, units):
    return {"msku": sku, "asin": "B0%08d" % (abs(hash(sku)) % 10 ** 8),
            "fnsku": "X00" + "".join(random.Random("fnsku-%s" % sku).choice(inbound._UPPER)
                                     for _ in range(7)),
            "labelOwner": "SELLER", "quantity": units,
            "prepInstructions": [{"prepType": "ITEM_LABELING", "prepOwner": "SELLER"}]}


def set_packing_information(sim, req):
    return _step(sim, req, "setPackingInformation",
                 lambda plan: plan.set_packing((req.body or {}).get("packageGroupings")))


def generate_placement_options(sim, req):
    return _step(sim, req, "generatePlacementOptions",
                 lambda plan: plan.generate_placement(req.now))


def list_placement_options(sim, req):
    plan = inbound.get(sim.scenario, req.args["inboundPlanId"])
    return _options("placementOptions", plan.placement_options.values(), req.now)


def confirm_placement_option(sim, req):
    return _step(sim, req, "confirmPlacementOption",
                 lambda plan: plan.confirm_placement(req.args["placementOptionId"], req.now))


def _shipment(sim, req):
    plan = inbound.get(sim.scenario, req.args["inboundPlanId"])
    shipment = plan.all_shipments.get(req.args["shipmentId"])
    if shipment is None:
        raise ScenarioError(404, "NotFound", "Shipment %s not found." % req.args["shipmentId"])
    return plan, shipment


def get_shipment(sim, req):
    _plan, shipment = _shipment(sim, req)
    return 200, shipment.render(req.now)


def list_shipment_items(sim, req):
    plan, shipment = _shipment(sim, req)
    return 200, {"items": [_item(plan, sku, units) for sku, units in sorted(shipment.items.items())],
                 "pagination": {}}


def generate_transportation_options(sim, req):
    return _step(sim, req, "generateTransportationOptions",
                 lambda plan: plan.generate_transportation(req.body or {}, req.now))


def list_transportation_options(sim, req):
    plan = inbound.get(sim.scenario, req.args["inboundPlanId"])
    shipment_id = req.one("shipmentId")
    options = [o for o in plan.transport_options.values()
               if not shipment_id or o.shipment.shipment_id == shipment_id]
    return _options("transportationOptions", options, req.now)


def confirm_transportation_options(sim, req):
    return _step(sim, req, "confirmTransportationOptions", lambda plan: plan.confirm_transportation(
        (req.body or {}).get("transportationSelections"), req.now))


def get_inbound_operation_status(sim, req):
    operation = sim.scenario.inbound_operations.get(req.args["operationId"])
    if operation is None:
        raise ScenarioError(404, "NotFound", "Operation %s not found." % req.args["operationId"])
    return 200, dict(operation)


# === v0, kept by Amazon === #

def get_labels(sim, req):
    shipment = inbound.by_confirmation(sim.scenario, req.args["shipmentId"])
    page_type = req.one("PageType")
    if page_type not in LABEL_PAGE_TYPES:
        raise ScenarioError(400, "InvalidInput", "PageType must be one of %s."
                            % ", ".join(LABEL_PAGE_TYPES))
    if req.one("LabelType") not in ("BARCODE_2D", "UNIQUE", "PALLET"):
        raise ScenarioError(400, "InvalidInput", "LabelType must be BARCODE_2D, UNIQUE or PALLET.")
    if shipment.status(req.now) in ("UNCONFIRMED", "CANCELLED"):
        raise ScenarioError(400, "InvalidInput", "Shipment %s has no labels (%s)."
                            % (shipment.confirmation_id, shipment.status(req.now)))
    boxes = req.integer("NumberOfPackages", 1, 1, 999)
    url = sim.publish_document("labels-%s-%d" % (shipment.confirmation_id, boxes),
                               inbound.label_pdf(shipment, boxes), "application/pdf")
    return 200, {"payload": {"DownloadURL": url}}


def get_shipment_items_by_shipment_id(sim, req):
    shipment = inbound.by_confirmation(sim.scenario, req.args["shipmentId"])
    if req.one("MarketplaceId") != shipment.plan.market.id:
        raise ScenarioError(400, "InvalidInput", "MarketplaceId is required and must be the "
                            "shipment's marketplace.")
    return 200, {"payload": {"ItemData": inbound.v0_items(shipment, req.now)}}


OPERATIONS = [
    Operation("POST", BASE, "createInboundPlan", create_inbound_plan, 2.0, 2),
    Operation("GET", PLAN, "getInboundPlan", get_inbound_plan, 2.0, 6),
    Operation("PUT", PLAN + "/cancellation", "cancelInboundPlan", cancel_inbound_plan, 2.0, 2),
    Operation("POST", PLAN + "/packingOptions", "generatePackingOptions",
              generate_packing_options, 2.0, 2),
    Operation("GET", PLAN + "/packingOptions", "listPackingOptions", list_packing_options, 2.0, 6),
    Operation("POST", PLAN + "/packingOptions/{packingOptionId}/confirmation",
              "confirmPackingOption", confirm_packing_option, 2.0, 2),
    Operation("GET", PLAN + "/packingGroups/{packingGroupId}/items", "listPackingGroupItems",
              list_packing_group_items, 2.0, 30),
    Operation("POST", PLAN + "/packingInformation", "setPackingInformation",
              set_packing_information, 2.0, 2),
    Operation("POST", PLAN + "/placementOptions", "generatePlacementOptions",
              generate_placement_options, 2.0, 2),
    Operation("GET", PLAN + "/placementOptions", "listPlacementOptions", list_placement_options,
              2.0, 6),
    Operation("POST", PLAN + "/placementOptions/{placementOptionId}/confirmation",
              "confirmPlacementOption", confirm_placement_option, 2.0, 2),
    Operation("GET", PLAN + "/shipments/{shipmentId}", "getShipment", get_shipment, 2.0, 6),
    Operation("GET", PLAN + "/shipments/{shipmentId}/items", "listShipmentItems",
              list_shipment_items, 2.0, 30),
    Operation("POST", PLAN + "/transportationOptions", "generateTransportationOptions",
              generate_transportation_options, 2.0, 2),
    Operation("GET", PLAN + "/transportationOptions", "listTransportationOptions",
              list_transportation_options, 2.0, 6),
    Operation("POST", PLAN + "/transportationOptions/confirmation",
              "confirmTransportationOptions", confirm_transportation_options, 2.0, 2),
    Operation("GET", "/inbound/fba/2024-03-20/operations/{operationId}",
              "getInboundOperationStatus", get_inbound_operation_status, 2.0, 6),
    Operation("GET", V0 + "/labels", "getLabels", get_labels, 2.0, 30),
    Operation("GET", V0 + "/items", "getShipmentItemsByShipmentId",
              get_shipment_items_by_shipment_id, 2.0, 30),
]
