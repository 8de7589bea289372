"""Odoo delivery → Amazon ``confirmShipment`` body (Orders API v0). Pure, no ORM."""

from .. import const
from ..utils import to_amazon_timestamp


def package_detail(reference, carrier_code, carrier_name, shipping_method, tracking_number,
                   ship_date, item_quantities):
    """The ``packageDetail`` of one package.

    :param reference: positive integer, unique per order (partial deliveries are packages 1, 2...)
    :param carrier_code: Amazon's code, or None for a carrier Amazon has no code for
    :param item_quantities: {Amazon order item id: quantity shipped in this package}
    """
    detail = {
        "packageReferenceId": str(reference),
        "carrierCode": carrier_code or const.CARRIER_CODE_OTHER,
        "trackingNumber": tracking_number,
        "shipDate": to_amazon_timestamp(ship_date),
        "orderItems": [
            {"orderItemId": item_id, "quantity": int(quantity)}
            for item_id, quantity in sorted(item_quantities.items()) if quantity > 0
        ],
    }
    if detail["carrierCode"] == const.CARRIER_CODE_OTHER:
        detail["carrierName"] = carrier_name
    if shipping_method:
        detail["shippingMethod"] = shipping_method
    return detail
