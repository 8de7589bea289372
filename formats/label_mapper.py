"""Amazon Buy Shipping (Shipping API v2) ↔ plain values. Pure, no ORM.

:func:`rates_request` builds ``getRates``' body for one package of an Amazon order;
:func:`read_rates` reads the rates (``Decimal`` charges) and why others are not offered;
:func:`choose_rate` applies the account's preference; :func:`label_request` and
:func:`read_label` buy the label and read its tracking number and document.
"""

import base64
from dataclasses import dataclass
from decimal import Decimal

from ..utils import parse_datetime

LABEL_SIZE = {"width": 4, "length": 6, "unit": "INCH"}


class LabelDataError(ValueError):
    """Amazon's answer cannot be read (a field missing)."""


def rates_request(order_id, ship_from, package, currency):
    """``ship_from``: name, street, street2, city, state_code, zip, country_code, phone, email;
    ``package``: weight (kg), length, width, height (cm), value (insured, in ``currency``),
    reference."""
    address = {"name": ship_from["name"], "addressLine1": ship_from["street"],
               "city": ship_from["city"], "postalCode": ship_from["zip"],
               "countryCode": ship_from["country_code"]}
    for key, amazon_key in (("street2", "addressLine2"), ("state_code", "stateOrRegion"),
                            ("phone", "phoneNumber"), ("email", "email")):
        if ship_from.get(key):
            address[amazon_key] = ship_from[key]
    return {
        "shipFrom": address,
        "channelDetails": {"channelType": "AMAZON", "amazonOrderDetails": {"orderId": order_id}},
        "packages": [{
            "packageClientReferenceId": package["reference"],
            "dimensions": {"length": package["length"], "width": package["width"],
                           "height": package["height"], "unit": "CENTIMETER"},
            "weight": {"value": package["weight"], "unit": "KILOGRAM"},
            "insuredValue": {"value": float(package["value"]), "unit": currency},
            "items": [{"quantity": 1}],
        }],
    }


@dataclass
class Rate:
    rate_id: str
    carrier_id: str
    carrier_name: str
    service_id: str
    service_name: str
    charge: Decimal
    currency: str
    delivered_by: object = None


def read_rates(payload):
    """(request token, [Rate] cheapest first, [(service, reasons)] of ineligible rates)."""
    if not payload.get("requestToken"):
        raise LabelDataError("getRates answered without requestToken")
    rates = []
    for raw in payload.get("rates") or []:
        charge = raw.get("totalCharge") or {}
        window = (raw.get("promise") or {}).get("deliveryWindow") or {}
        rates.append(Rate(
            rate_id=raw["rateId"], carrier_id=raw.get("carrierId"),
            carrier_name=raw.get("carrierName") or raw.get("carrierId"),
            service_id=raw.get("serviceId"), service_name=raw.get("serviceName"),
            charge=Decimal(str(charge.get("value", 0))), currency=charge.get("unit"),
            delivered_by=parse_datetime(window["end"]) if window.get("end") else None))
    ineligible = [(raw.get("serviceName") or raw.get("serviceId"),
                   ", ".join(reason.get("message") or reason.get("code") or ""
                             for reason in raw.get("ineligibilityReasons") or []))
                  for raw in payload.get("ineligibleRates") or []]
    return payload["requestToken"], sorted(rates, key=lambda r: r.charge), ineligible


def choose_rate(rates, preference="cheapest", service_id=None):
    """The rate of ``service_id`` when offered, else the cheapest or the fastest."""
    if not rates:
        return None
    if service_id:
        for rate in rates:
            if rate.service_id == service_id:
                return rate
    if preference == "fastest":
        return min(rates, key=lambda r: (r.delivered_by or parse_datetime("2999-01-01T00:00:00Z"),
                                         r.charge))
    return min(rates, key=lambda r: r.charge)


def label_request(token, rate_id, document_format="PDF"):
    return {"requestToken": token, "rateId": rate_id, "requestedDocumentSpecification": {
        "format": document_format, "size": LABEL_SIZE, "pageLayout": "DEFAULT",
        "needFileJoining": False, "requestedDocumentTypes": ["LABEL"]}}


@dataclass
class Label:
    shipment_id: str
    tracking: str
    content: bytes
    document_format: str


def read_label(payload):
    """The bought shipment's id, its (first) package's tracking number and label document."""
    details = payload.get("packageDocumentDetails") or []
    if not payload.get("shipmentId") or not details:
        raise LabelDataError("purchaseShipment answered without shipmentId or package")
    documents = details[0].get("packageDocuments") or []
    label = next((d for d in documents if d.get("type") == "LABEL"), None)
    if not label or not details[0].get("trackingId"):
        raise LabelDataError("purchaseShipment answered without a label or tracking number")
    return Label(shipment_id=payload["shipmentId"], tracking=details[0]["trackingId"],
                 content=base64.b64decode(label["contents"]),
                 document_format=label.get("format") or "PDF")
