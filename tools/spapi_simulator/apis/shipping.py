"""Amazon Shipping API v2, the Buy Shipping part for merchant-fulfilled Amazon orders:
getRates, purchaseShipment, getShipmentDocuments, cancelShipment, getTracking.  The rates,
labels and tracking live in shipping.py."""

from .. import shipping
from ..clock import iso
from .base import Operation

BASE = "/shipping/v2"


def get_rates(sim, req):
    return 200, {"payload": shipping.rates(sim.scenario, req.body, req.now)}


def purchase_shipment(sim, req):
    shipment = shipping.purchase(sim.scenario, req.body, req.now)
    return 200, {"payload": {"shipmentId": shipment.shipment_id,
                             "packageDocumentDetails": shipping.package_details(shipment),
                             "promise": shipment.promise()}}


def get_shipment_documents(sim, req):
    shipment, detail = shipping.documents(sim.scenario, req.args["shipmentId"],
                                          req.one("packageClientReferenceId"), req.one("format"))
    return 200, {"payload": {"shipmentId": shipment.shipment_id,
                             "packageDocumentDetail": detail}}


def cancel_shipment(sim, req):
    shipping.cancel(sim.scenario, req.args["shipmentId"], req.now)
    return 200, {"payload": {}}


def get_tracking(sim, req):
    shipment, (events, status) = shipping.tracking(sim.scenario, req.one("trackingId"),
                                                   req.one("carrierId"), req.now)
    address = shipment.order.address
    location = {k: v for k, v in (("city", address.get("city")),
                                  ("postalCode", address.get("postalCode")),
                                  ("countryCode", address.get("countryCode"))) if v}
    return 200, {"payload": {
        "trackingId": req.one("trackingId"), "alternateLegTrackingId": "",
        "promisedDeliveryDate": shipment.promise()["deliveryWindow"]["end"],
        "summary": {"status": status},
        "eventHistory": [dict({"eventCode": code, "eventTime": iso(when)},
                              **({"location": location} if code == "Delivered" and location
                                 else {}))
                         for when, code in events]}}


OPERATIONS = [
    Operation("POST", BASE + "/shipments/rates", "getRates", get_rates, 80.0, 100),
    Operation("POST", BASE + "/shipments", "purchaseShipment", purchase_shipment, 80.0, 100),
    Operation("GET", BASE + "/shipments/{shipmentId}/documents", "getShipmentDocuments",
              get_shipment_documents, 80.0, 100),
    Operation("PUT", BASE + "/shipments/{shipmentId}/cancel", "cancelShipment", cancel_shipment,
              80.0, 100),
    Operation("GET", BASE + "/tracking", "getTracking", get_tracking, 80.0, 100),
]
