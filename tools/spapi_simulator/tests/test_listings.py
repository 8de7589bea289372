"""The listings report (GET_MERCHANT_LISTINGS_ALL_DATA) through createReport, getReport and
getReportDocument over HTTP, and the knobs that add listings, take them off and add malformed
rows."""

import pytest

from spapi_simulator.testing import http, http_json, make_sim

US, DE, JP = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"
BASE = "/reports/2021-06-30"


@pytest.fixture
def sim():
    simulator = make_sim(seed=3, orders=5, rate_limits=False)
    yield simulator
    simulator.stop()


def listings(sim, marketplace_id):
    """(status of each getReport poll, raw bytes of the document) of a fresh listings report."""
    token = sim.issue_token()
    status, _, created = http_json(sim, "POST", BASE + "/reports", token,
                                   {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                                    "marketplaceIds": [marketplace_id]})
    assert status == 202
    polls = [http_json(sim, "GET", BASE + "/reports/" + created["reportId"], token)[2]
             for _ in range(2)]
    document = http_json(sim, "GET", BASE + "/documents/" + polls[-1]["reportDocumentId"], token)[2]
    assert "compressionAlgorithm" not in document
    status, headers, content = http(sim, "GET", document["url"][len(sim.url):])
    assert status == 200
    return [poll["processingStatus"] for poll in polls], headers, content


def rows(content, encoding="cp1252"):
    lines = content.decode(encoding).rstrip("\n").split("\n")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def test_listings_report_is_served_from_the_catalogue(sim):
    statuses, headers, content = listings(sim, US)
    assert statuses == ["IN_PROGRESS", "DONE"]
    assert headers["Content-Type"] == "text/plain; charset=cp1252"
    by_sku = {row["seller-sku"]: row for row in rows(content)}
    assert len(by_sku) == 20
    mug = by_sku["SIM-MUG-001"]
    assert (mug["item-name"], mug["price"], mug["fulfillment-channel"], mug["quantity"],
            mug["asin1"], mug["status"]) == (
        "Ceramic Coffee Mug 350 ml, white", "12.99", "AMAZON_NA", "", "B0SIM00101", "Active")
    charger = by_sku["SIM-CHG-060"]
    assert charger["fulfillment-channel"] == "DEFAULT"
    assert charger["quantity"].isdigit()


def test_added_listing_and_removed_listing(sim):
    sim.add_listing("ODD-SKU-1", "Théière 1 l", "31.50", quantity=4, barcode="4006381333931",
                    marketplace_ids=[DE])
    sim.remove_listing("SIM-MUG-001")
    _statuses, _headers, content = listings(sim, DE)
    by_sku = {row["seller-sku"]: row for row in rows(content)}
    assert "SIM-MUG-001" not in by_sku
    odd = by_sku["ODD-SKU-1"]
    assert (odd["item-name"], odd["price"], odd["quantity"], odd["product-id-type"],
            odd["product-id"], odd["fulfillment-channel"]) == (
        "Théière 1 l", "31.50", "4", "4", "4006381333931", "DEFAULT")
    assert "Th\xe9i\xe8re".encode("cp1252") in content, "written in cp1252, not UTF-8"
    us_skus = {row["seller-sku"] for row in rows(listings(sim, US)[2])}
    assert "ODD-SKU-1" not in us_skus, "listed on DE only"
    sim.add_listing("SIM-MUG-001", "Mug back", "12.00")
    again = [row for row in rows(listings(sim, DE)[2]) if row["seller-sku"] == "SIM-MUG-001"]
    assert [(row["item-name"], row["price"]) for row in again] == [("Mug back", "12.00")]


def test_japanese_listings_are_cp932(sim):
    sim.add_listing("JP-SKU-1", "急須 ティーポット", "2980", marketplace_ids=[JP])
    _statuses, headers, content = listings(sim, JP)
    assert headers["Content-Type"] == "text/plain; charset=cp932"
    assert "急須 ティーポット".encode("cp932") in content
    assert {row["seller-sku"]: row["item-name"] for row in rows(content, "cp932")}[
        "JP-SKU-1"] == "急須 ティーポット"


def test_listing_samples_knob_adds_odd_and_malformed_rows():
    simulator = make_sim(seed=3, orders=5, rate_limits=False, listing_samples=True)
    try:
        content = listings(simulator, US)[2]
    finally:
        simulator.stop()
    lines = content.rstrip(b"\n").split(b"\n")
    assert len(lines) == 1 + 20 + 2 + 3
    with pytest.raises(UnicodeDecodeError):
        lines[-1].decode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        lines[-1].decode("utf-8")
    readable = [dict(zip(lines[0].decode().split("\t"), line.decode("cp1252").split("\t")))
                for line in lines[1:-1]]
    by_sku = {row["seller-sku"]: row for row in readable}
    assert by_sku["SIM-EAN-910"]["product-id"] == "4006381333931"
    assert by_sku["SIM-NEW-900"]["price"] == "27.90"
    assert by_sku["SIM-BAD-920"]["price"] == "12,9,9"
    assert by_sku[""]["item-name"] == "Mystery Item Without SKU"


def test_listing_knobs_over_the_control_api(sim):
    status, _, body = http_json(sim, "POST", "/_simulator/listings", None,
                                {"sku": "CTRL-1", "title": "Added", "price": "3.00",
                                 "marketplaceIds": [US]})
    assert (status, body) == (200, {"sku": "CTRL-1"})
    status, _, _ = http_json(sim, "POST", "/_simulator/listings/rows", None,
                             {"row": "Broken\t\tX\tCTRL-2\tcheap\t1"})
    assert status == 200
    status, _, body = http_json(sim, "DELETE", "/_simulator/listings/SIM-GLV-180")
    assert (status, body) == (200, {"sku": "SIM-GLV-180", "listed": False})
    by_sku = {row["seller-sku"]: row for row in rows(listings(sim, US)[2])}
    assert by_sku["CTRL-1"]["price"] == "3.00"
    assert by_sku["CTRL-2"]["price"] == "cheap"
    assert "SIM-GLV-180" not in by_sku
    status, _, body = http_json(sim, "POST", "/_simulator/listings", None, {"title": "no sku"})
    assert status == 400
