"""FBA Inventory API v1: getInventorySummaries over the scenario's FBA stock (inventory.py)."""

from ..clock import iso
from ..const import MARKETPLACE_BY_ID
from ..errors import ScenarioError
from .base import Operation, stored_page


def get_inventory_summaries(sim, req):
    if req.one("granularityType") != "Marketplace":
        raise ScenarioError(400, "InvalidInput", "granularityType must be Marketplace.")
    marketplaces = req.many("marketplaceIds")
    granularity = req.one("granularityId")
    if len(marketplaces) != 1 or marketplaces[0] not in MARKETPLACE_BY_ID:
        raise ScenarioError(400, "InvalidInput", "Exactly one valid marketplaceIds value is required.")
    if granularity != marketplaces[0]:
        raise ScenarioError(400, "InvalidInput", "granularityId must equal the marketplaceId.")
    token = req.one("nextToken")
    if token:
        rows, offset, extra = stored_page(sim, token, "inventory", param="nextToken")
    else:
        rows = sim.scenario.inventory(MARKETPLACE_BY_ID[granularity].code, req.now)
        since = req.time("startDateTime")
        skus = req.many("sellerSkus") or ([req.one("sellerSku")] if req.one("sellerSku") else [])
        if since is not None:
            rows = [r for r in rows if r["updated"] >= since]
        elif skus:
            rows = [r for r in rows if r["sku"] in skus]
        offset, extra = 0, {"kind": "inventory", "details": req.one("details") == "true"}
    chunk, next_token = sim.store.pages.page(rows, offset, 50, extra)
    details = extra["details"]
    summaries = []
    for r in chunk:
        entry = {"asin": r["asin"], "fnSku": r["fnsku"], "sellerSku": r["sku"],
                 "condition": "NewItem", "lastUpdatedTime": iso(r["updated"]),
                 "productName": r["title"],
                 "totalQuantity": r["fulfillable"] + r["reserved"] + r["unfulfillable"] + r["inbound"]
                 + r["researching"]}
        if details:
            entry["inventoryDetails"] = {
                "fulfillableQuantity": r["fulfillable"],
                "inboundWorkingQuantity": r["inbound_working"],
                "inboundShippedQuantity": r["inbound_shipped"],
                "inboundReceivingQuantity": r["inbound_receiving"],
                "reservedQuantity": {"totalReservedQuantity": r["reserved"],
                                     "pendingCustomerOrderQuantity": r["reserved"] - r.get("fc_processing", 0),
                                     "pendingTransshipmentQuantity": 0,
                                     "fcProcessingQuantity": r.get("fc_processing", 0)},
                "researchingQuantity": {"totalResearchingQuantity": r["researching"],
                                        "researchingQuantityBreakdown": [
                                            {"name": "researchingQuantityInShortTerm",
                                             "quantity": r["researching"]}]},
                "unfulfillableQuantity": {"totalUnfulfillableQuantity": r["unfulfillable"],
                                          "customerDamagedQuantity": 0,
                                          "warehouseDamagedQuantity": r["unfulfillable"],
                                          "distributorDamagedQuantity": 0, "carrierDamagedQuantity": 0,
                                          "defectiveQuantity": 0, "expiredQuantity": 0},
            }
        summaries.append(entry)
    result = {"payload": {"granularity": {"granularityType": "Marketplace", "granularityId": granularity},
                          "inventorySummaries": summaries}}
    if next_token:
        result["pagination"] = {"nextToken": next_token}
    return 200, result


OPERATIONS = [
    Operation("GET", "/fba/inventory/v1/summaries", "getInventorySummaries", get_inventory_summaries,
              2.0, 2),
]
