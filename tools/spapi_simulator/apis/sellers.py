"""Sellers API v1: the marketplaces the simulated seller participates in."""

from ..const import MARKETPLACES, STORE_NAME
from .base import Operation


def get_marketplace_participations(sim, req):
    payload = [{
        "marketplace": {"id": m.id, "name": m.name, "countryCode": m.country,
                        "defaultCurrencyCode": m.currency, "defaultLanguageCode": m.language,
                        "domainName": m.domain},
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
        "storeName": STORE_NAME,
    } for m in MARKETPLACES]
    return 200, {"payload": payload}


OPERATIONS = [
    Operation("GET", "/sellers/v1/marketplaceParticipations", "getMarketplaceParticipations",
              get_marketplace_participations, 0.016, 15),
]
