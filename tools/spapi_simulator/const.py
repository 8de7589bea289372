"""Static facts the simulator is built on: marketplaces, prices, report types, the SKU catalogue.

`RATE_LIMITS` is still importable from here, but each operation declares its usage plan in its
row of apis/ (collected in `apis.RATE_LIMITS`).
"""

from collections import namedtuple

Marketplace = namedtuple(
    "Marketplace",
    "code id name country currency language domain region tax_mode settlement_style",
)
# tax_mode: "exclusive" = sales tax added on top of the price and collected by Amazon as
# marketplace facilitator (North America); "inclusive" = VAT/consumption tax inside the price.
# settlement_style: how the settlement flat file writes numbers and dates for that marketplace.
MARKETPLACES = [
    Marketplace("US", "ATVPDKIKX0DER", "Amazon.com", "US", "USD", "en_US", "www.amazon.com",
                "NA", "exclusive", "us"),
    Marketplace("CA", "A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "CAD", "en_CA", "www.amazon.ca",
                "NA", "exclusive", "us"),
    Marketplace("DE", "A1PA6795UKMFR9", "Amazon.de", "DE", "EUR", "de_DE", "www.amazon.de",
                "EU", "inclusive", "eu"),
    Marketplace("FR", "A13V1IB3VIYZZH", "Amazon.fr", "FR", "EUR", "fr_FR", "www.amazon.fr",
                "EU", "inclusive", "eu"),
    Marketplace("UK", "A1F83G8C2ARO7P", "Amazon.co.uk", "GB", "GBP", "en_GB", "www.amazon.co.uk",
                "EU", "inclusive", "iso"),
    Marketplace("JP", "A1VC38T7YXB528", "Amazon.co.jp", "JP", "JPY", "ja_JP", "www.amazon.co.jp",
                "FE", "inclusive", "iso_jp"),
]
MARKETPLACE_BY_ID = {m.id: m for m in MARKETPLACES}
MARKETPLACE_BY_CODE = {m.code: m for m in MARKETPLACES}

CURRENCY_DECIMALS = {"JPY": 0}

# Order id prefixes seen per marketplace (3-7-7 format).
ORDER_PREFIXES = {
    "US": ["111", "112", "113", "114"], "CA": ["701", "702"], "DE": ["302", "303", "304"],
    "FR": ["402", "403", "404"], "UK": ["202", "203", "204", "206"], "JP": ["249", "250"],
}

# Conversion of the catalogue's base price (USD) into each marketplace's price.
PRICE_FACTOR = {"US": 1.0, "CA": 1.35, "DE": 0.95, "FR": 0.97, "UK": 0.82, "JP": 150.0}
TAX_RATE = {"US": 0.0825, "CA": 0.13, "DE": 0.19, "FR": 0.20, "UK": 0.20, "JP": 0.10}
SUBSCRIPTION_FEE = {"USD": "39.99", "CAD": "29.99", "EUR": "39.00", "GBP": "25.00", "JPY": "4900"}

# Operations that are not SP-API operations but are still logged.
LWA_OPERATION = "lwaToken"
DOWNLOAD_OPERATION = "documentDownload"
UPLOAD_OPERATION = "documentUpload"

ORDER_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
SETTLEMENT_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
FBA_RETURNS_REPORT = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
FBM_RETURNS_REPORT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
REMOVAL_ORDERS_REPORT = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
REMOVAL_SHIPMENTS_REPORT = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
VAT_INVOICE_REPORT = "GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT"
REQUESTABLE_REPORTS = (ORDER_REPORT, LISTINGS_REPORT, FBA_RETURNS_REPORT, FBM_RETURNS_REPORT,
                       REMOVAL_ORDERS_REPORT, REMOVAL_SHIPMENTS_REPORT, VAT_INVOICE_REPORT)

# Customer returns (returns.py): the fulfilment centre that processes FBA returns, and the
# carrier of FBM return labels, per marketplace code.
RETURN_CENTERS = {"DE": "LEJ1", "FR": "ORY1", "UK": "BHX4", "IT": "MXP5", "ES": "MAD4",
                  "US": "PHX7", "CA": "YYZ4", "JP": "NRT5"}
RETURN_CARRIERS = {"US": "USPS", "CA": "UPS", "DE": "DHL", "FR": "UPS", "UK": "Royal Mail",
                   "JP": "UPS"}

VAT_INVOICE_FEED = "UPLOAD_VAT_INVOICE"
# The EU marketplaces of Amazon's VAT invoice upload, by code.  The scenario sells in DE, FR
# and UK only: an upload for another of them is taken, but finds no order there.
VAT_INVOICE_MARKETPLACES = {
    "DE": "A1PA6795UKMFR9", "FR": "A13V1IB3VIYZZH", "IT": "APJ6JRA9NG5V4", "ES": "A1RKKUPIHCS9HS",
    "UK": "A1F83G8C2ARO7P", "NL": "A1805IZSGTT6HS", "PL": "A1C3SOZRARQ6R3", "SE": "A2NODRKZP88ZB9",
    "BE": "AMEN7PMS3EDWL", "IE": "A28R8C7NBKEWEA",
}

SELLER_ID = "A2SIMSELLER0001"
STORE_NAME = "Simulated Seller"

# The stable catalogue: (sku, title, base price in USD, channel per marketplace group).
# Channel codes: "FBA", "FBM"; a SKU is FBA in one place and FBM in another for some lines,
# so "the same SKU may be FBA and FBM" is exercised.  Independent of the seed on purpose.
_CATALOGUE_ROWS = [
    ("SIM-MUG-001", "Ceramic Coffee Mug 350 ml, white", 12.99, "FBA", "FBA", "FBM"),
    ("SIM-MUG-002", "Ceramic Coffee Mug 350 ml, black", 12.99, "FBA", "FBM", "FBM"),
    ("SIM-TEA-010", "Loose Leaf Green Tea 250 g", 18.50, "FBM", "FBM", "FBA"),
    ("SIM-KNF-020", "Chef Knife 20 cm, stainless steel", 49.90, "FBA", "FBA", "FBA"),
    ("SIM-BRD-030", "Bamboo Cutting Board, large", 24.00, "FBM", "FBA", "FBM"),
    ("SIM-LMP-040", "LED Desk Lamp with USB port", 34.99, "FBA", "FBM", "FBM"),
    ("SIM-CBL-050", "USB-C Cable 2 m, braided", 9.99, "FBA", "FBA", "FBA"),
    ("SIM-CHG-060", "Wall Charger 30 W", 19.99, "FBM", "FBM", "FBM"),
    ("SIM-BTL-070", "Insulated Water Bottle 750 ml", 22.95, "FBA", "FBA", "FBM"),
    ("SIM-BAG-080", "Canvas Tote Bag", 15.00, "FBM", "FBA", "FBA"),
    ("SIM-NTB-090", "Dotted Notebook A5", 8.49, "FBA", "FBM", "FBA"),
    ("SIM-PEN-100", "Gel Pen Set, 12 colours", 11.99, "FBM", "FBM", "FBM"),
    ("SIM-TOW-110", "Cotton Bath Towel 70x140", 27.50, "FBA", "FBA", "FBA"),
    ("SIM-CND-120", "Scented Candle, lavender", 16.99, "FBM", "FBA", "FBM"),
    ("SIM-YGM-130", "Yoga Mat 6 mm", 39.00, "FBA", "FBM", "FBM"),
    ("SIM-SPK-140", "Bluetooth Speaker, compact", 59.99, "FBA", "FBA", "FBA"),
    ("SIM-HDP-150", "Over-ear Headphones", 89.00, "FBM", "FBM", "FBA"),
    ("SIM-PLT-160", "Plant Pot 15 cm, terracotta", 13.75, "FBA", "FBM", "FBM"),
    ("SIM-CLK-170", "Wall Clock 30 cm, silent", 29.99, "FBM", "FBA", "FBA"),
    ("SIM-GLV-180", "Garden Gloves, pair", 7.99, "FBM", "FBM", "FBM"),
]
_GROUP_INDEX = {"NA": 3, "EU": 4, "FE": 5}

# The listings report's encoding per region (Amazon documents none; legacy code pages are seen).
LISTINGS_ENCODING = {"NA": "cp1252", "EU": "cp1252", "FE": "cp932"}
# `listing_samples` (tests, demos): listings of SKUs a connector's catalogue does not know, and
# rows a connector must report without losing the others.  The first is an SKU no product has,
# the second carries an EAN in product-id (product-id-type 4) under an SKU no product has.
LISTING_SAMPLES = [
    {"sku": "SIM-NEW-900", "title": "Porcelain Teapot 1 l", "price": "27.90", "quantity": 12},
    {"sku": "SIM-EAN-910", "title": "Linen Tea Towel, set of 2", "price": "14.50", "quantity": 30,
     "barcode": "4006381333931"},
]
# Malformed rows of `listing_samples`, in listings report column order (item-name, ...,
# seller-sku, price, quantity ...): no SKU; a price that is no number; bytes of no encoding.
LISTING_SAMPLE_BAD_ROWS = [
    b"Mystery Item Without SKU\t\tSIMBAD001\t\t9.99\t3",
    b"Kettle 1.7 l, steel\t\tSIMBAD002\tSIM-BAD-920\t12,9,9\t4",
    b"Caf\x81\xff Set\t\tSIMBAD003\tSIM-BAD-930\t5.00\t1",
]

# FBA fulfilment fee per unit, in USD before conversion, by price band.
def fba_fee_usd(base_price):
    """Amazon's per-unit FBA fee, roughly by size band (here: by price band)."""
    if base_price < 10:
        return 3.22
    if base_price < 30:
        return 4.75
    if base_price < 60:
        return 5.68
    return 7.25


def _asin(index):
    return "B0SIM%05d" % (index * 37 + 101)


def build_catalogue():
    """The catalogue as a list of dicts: sku, asin, title, base_price, and per marketplace
    code a dict {price (string, local currency), currency, channel ("FBA"/"FBM")}."""
    from .money import fmt, to_minor
    out = []
    for index, row in enumerate(_CATALOGUE_ROWS):
        sku, title, base, *_ = row
        offers = {}
        for m in MARKETPLACES:
            raw = base * PRICE_FACTOR[m.code]
            if m.currency == "JPY":
                minor = int(round(raw / 10.0)) * 10
            else:
                minor = (to_minor(raw, m.currency) // 10) * 10 + 9  # prices end in 9
            offers[m.code] = {
                "marketplaceId": m.id,
                "price": fmt(minor, m.currency),
                "price_minor": minor,
                "currency": m.currency,
                "channel": row[_GROUP_INDEX[m.region]],
            }
        out.append({"sku": sku, "asin": _asin(index), "title": title, "base_price": base,
                    "offers": offers})
    return out


def __getattr__(name):
    # RATE_LIMITS lives with the operations (apis/), which import this module: resolve it lazily.
    if name == "RATE_LIMITS":
        from .apis import RATE_LIMITS
        return RATE_LIMITS
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
