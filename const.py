"""Amazon data the addon relies on (no logic here)."""

# Selling Partner API endpoints per region; Login with Amazon is global.
# https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints
REGION_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
REGIONS = [("NA", "North America"), ("EU", "Europe"), ("FE", "Far East")]

# A marketplace of each region, for region-wide calls that need one to build a client.
# https://developer-docs.amazon.com/sp-api/docs/marketplace-ids
REGION_DEFAULT_MARKETPLACE_IDS = {
    "NA": "ATVPDKIKX0DER",  # United States
    "EU": "A1PA6795UKMFR9",  # Germany
    "FE": "A1VC38T7YXB528",  # Japan
}

# The python-amazon-sp-api client class and the API version behind each API the addon uses.
# Deprecated APIs (Orders v0 reads, Finances v0, settlement V1) are deliberately absent.
# https://developer-docs.amazon.com/sp-api/docs/sp-api-deprecations
APIS = {
    "sellers": ("Sellers", None),
    "orders": ("Orders", "2026-01-01"),
    "orders_v0": ("Orders", None),  # only for confirmShipment, which is not deprecated
    "reports": ("Reports", "2021-06-30"),
    "feeds": ("Feeds", "2021-06-30"),
    "fba_inventory": ("Inventories", None),
    "finances": ("Finances", "2024-06-19"),
    "fulfillment_outbound": ("FulfillmentOutbound", None),  # 2020-07-01, the library's own
    "fulfillment_inbound": ("FulfillmentInbound", "2024-03-20"),
    "shipping": ("Shipping", "v2"),  # Buy Shipping
    "messaging": ("Messaging", None),
    "solicitations": ("Solicitations", None),
    # only getLabels and getShipmentItemsByShipmentId, which Amazon keeps beside 2024-03-20
    "fulfillment_inbound_v0": ("FulfillmentInbound", "v0"),
}

# Seconds a single HTTP call to Amazon may take before it is abandoned.
DEFAULT_TIMEOUT = 30

# Orders API 2026-01-01: what to ask for in searchOrders/getOrder, and which statuses to import.
# https://developer-docs.amazon.com/sp-api/docs/orders-api-v2026-01-01-reference
ORDER_INCLUDED_DATA = [
    "BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION", "FULFILLMENT",
    "PACKAGES", "TAX",
]
# orderItems[].tax.taxCollections[].model: Amazon withholds and remits the item's tax itself.
TAX_MODEL_MARKETPLACE_FACILITATOR = "MARKETPLACE_FACILITATOR"
ORDER_PAGE_SIZE = 100  # maxResultsPerPage: Amazon's maximum
FULFILLMENT_CHANNELS = [("fbm", "FBM"), ("fba", "FBA")]  # fulfilled by the merchant, by Amazon
FULFILLED_BY_TO_CHANNEL = {"MERCHANT": "fbm", "AMAZON": "fba"}
ORDER_STATUSES = [
    ("PENDING_AVAILABILITY", "Pending Availability"),
    ("PENDING", "Pending"),
    ("UNSHIPPED", "Unshipped"),
    ("PARTIALLY_SHIPPED", "Partially Shipped"),
    ("SHIPPED", "Shipped"),
    ("CANCELLED", "Cancelled"),
    ("UNFULFILLABLE", "Unfulfillable"),
]
# Statuses in which a new order is created in Odoo, per fulfilment channel: pending orders carry
# no reliable money or address data; FBA orders only matter once Amazon has shipped them.
IMPORTABLE_STATUSES = {
    "fbm": {"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"},
    "fba": {"SHIPPED"},
}
# associatedOrders[].associationType naming the order a replacement replaces.
REPLACEMENT_ASSOCIATION_TYPES = {"REPLACEMENT_ORIGINAL_ID", "EXCHANGE_ORIGINAL_ID"}
# Order-level programs the addon flags on the sales order.
PROGRAM_PRIME = "PRIME"
PROGRAM_BUSINESS = "AMAZON_BUSINESS"
# Item proceeds breakdown types (besides ITEM and TAX) and the order line kind they become.
CHARGE_LINE_KINDS = {
    "SHIPPING": "shipping",
    "GIFT_WRAP": "gift_wrap",
    "DISCOUNT": "promotion",
    "COD_FEE": "other",
    "OTHER": "other",
}
# Order-level proceeds breakdowns charged separately, attributed to no item (their own line).
# https://developer-docs.amazon.com/sp-api/docs/orders-api-v2026-01-01-reference (OrderProceeds)
ORDER_LEVEL_CHARGE_KINDS = {"DELIVERY_TIP": "tip"}

# confirmShipment: Amazon's carrier codes (the value list of Amazon's carrier code table),
# "Other" with carrierName for any other carrier. A data table the user may extend.
# https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#confirmshipment
CARRIER_CODE_OTHER = "Other"
# Shipment confirmations: failed attempts before an activity asks a person to look.
CONFIRMATION_ATTEMPTS_BEFORE_ACTIVITY = 3

# The flows: each exchange with Amazon has its own state per account (checkpoint, resume point,
# last run and result), its own lock, scheduled action and importer/exporter, and its failures
# recorded in the one synchronisation error model under its name.
FLOWS = [
    ("orders", "Orders"),
    ("shipments", "Shipment Confirmations"),
    ("listings", "Listings"),
    ("inventory", "FBA Inventory"),
    ("stock_push", "Stock Push"),
    ("invoicing", "Invoicing"),
    ("invoice_upload", "Invoice Upload"),
    ("settlements", "Settlements"),
    ("returns", "Customer Returns"),
    ("removals", "Removal Orders"),
    ("mcf", "Multi-Channel Fulfilment"),
    ("inbound", "Inbound Shipments"),
]

# Reports API: the seller's listings, one report per marketplace (tab-separated text), and the
# encodings its bytes may come in besides UTF-8, per region (Amazon does not document them).
# https://developer-docs.amazon.com/sp-api/docs/report-type-values-inventory
LISTINGS_REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
# Reports API: customer returns, of FBA orders (received at Amazon's fulfilment centres) and of
# merchant-fulfilled orders (requested, with their RMA and return label), tab-separated text.
# https://developer-docs.amazon.com/sp-api/docs/report-type-values-fba#fba-customer-returns-report
# https://developer-docs.amazon.com/sp-api/docs/report-type-values-returns
FBA_RETURNS_REPORT_TYPE = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
FBM_RETURNS_REPORT_TYPE = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
# Reports API: FBA removal orders (returns to the seller, disposals, liquidations) and the
# packages they were shipped back in.
# https://developer-docs.amazon.com/sp-api/docs/report-type-values-fba#fba-removals-reports
REMOVAL_DETAIL_REPORT_TYPE = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
REMOVAL_SHIPMENT_REPORT_TYPE = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
LISTINGS_ENCODINGS = {
    "NA": ("utf-8-sig", "cp1252"),
    "EU": ("utf-8-sig", "cp1252"),
    "FE": ("utf-8-sig", "cp932"),
}
# An offer's listing status as the report says it, and "not listed" once it left the report.
LISTING_STATUSES = [
    ("active", "Active"),
    ("inactive", "Inactive"),
    ("incomplete", "Incomplete"),
    ("removed", "Not Listed"),
]

# Feeds API: invoices and credit notes uploaded for the buyer (VAT Calculation Service), on the
# marketplaces where Amazon hands them to the buyer. Marketplace ids.
# https://developer-docs.amazon.com/sp-api/docs/vat-calculation-service-guide
FEED_TYPE_VAT_INVOICE = "UPLOAD_VAT_INVOICE"
VAT_INVOICE_MARKETPLACE_IDS = {
    "A1PA6795UKMFR9",  # DE
    "A13V1IB3VIYZZH",  # FR
    "APJ6JRA9NG5V4",   # IT
    "A1RKKUPIHCS9HS",  # ES
    "A1F83G8C2ARO7P",  # UK
    "A1805IZSGTT6HS",  # NL
    "A1C3SOZRARQ6R3",  # PL
    "A2NODRKZP88ZB9",  # SE
    "AMEN7PMS3EDWL",   # BE
    "A28R8C7NBKEWEA",  # IE
}

# FBA Inventory v1 getInventorySummaries: at most 50 summaries a page; a throttled page is asked
# again after a short wait (rate 2/s), this many times before the run gives up.
# https://developer-docs.amazon.com/sp-api/docs/fba-inventory-api-v1-reference
INVENTORY_PAGE_SIZE = 50
INVENTORY_PAGE_ATTEMPTS = 5

# Feeds API: merchant-fulfilled quantities sent as JSON_LISTINGS_FEED PATCH messages on
# /attributes/fulfillment_availability (channel DEFAULT = fulfilled by the merchant).
# https://developer-docs.amazon.com/sp-api/docs/listings-feed-type-values
FEED_TYPE_LISTINGS = "JSON_LISTINGS_FEED"
LISTINGS_FEED_VERSION = "2.0"
LISTINGS_FEED_MAX_MESSAGES = 25000  # the schema's maxItems of messages
LISTINGS_PRODUCT_TYPE = "PRODUCT"  # any product type: a PATCH of offer attributes
MERCHANT_FULFILLMENT_CHANNEL_CODE = "DEFAULT"

# Words of Amazon's settlement codes (transaction type, amount type, description) that tell the
# kind of an unknown fee, the first that matches winning: what *Create Rule* proposes.
FEE_ROLE_WORDS = [
    ("tax", "fee_tax"),
    ("advertis", "advertising_account_id"), ("coupon", "advertising_account_id"),
    ("deal", "advertising_account_id"), ("vine", "advertising_account_id"),
    ("reimburs", "reimbursement_account_id"), ("warehouse_", "reimbursement_account_id"),
    ("storage", "storage_account_id"),
    ("subscription", "subscription_account_id"),
    ("fba", "fba_fee_account_id"), ("fulfil", "fba_fee_account_id"),
    ("shipping", "fba_fee_account_id"), ("removal", "fba_fee_account_id"),
    ("disposal", "fba_fee_account_id"), ("inbound", "fba_fee_account_id"),
    ("commission", "fee_account_id"), ("closing", "fee_account_id"),
]

# Fulfillment Outbound 2020-07-01 (Multi-Channel Fulfilment): what an order's status means.
# https://developer-docs.amazon.com/sp-api/docs/fulfillment-outbound-api-v2020-07-01-reference
# (Amazon writes them in CamelCase, "CompletePartialled"; read in capitals)
MCF_SHIPPED_STATUSES = ("COMPLETE", "COMPLETEPARTIALLED")
MCF_STOPPED_STATUSES = ("CANCELLED", "UNFULFILLABLE", "INVALID")
MCF_SHIPPING_SPEEDS = [("Standard", "Standard"), ("Expedited", "Expedited"),
                       ("Priority", "Priority")]

# Fulfillment Inbound 2024-03-20: the inbound operations run asynchronously; their status is
# asked this many times, waiting these seconds in between, before a person is told to come back.
# https://developer-docs.amazon.com/sp-api/docs/fulfillment-inbound-api-v2024-03-20-reference
INBOUND_OPERATION_POLLS = (0, 1, 2, 3, 5)
INBOUND_LABEL_PAGE_TYPE = "PackageLabel_Plain_Paper"  # v0 getLabels: one label per page
INBOUND_BOX_DIMENSIONS_CM = (40, 30, 30)

# The time zone each marketplace's deadlines (latest ship and delivery dates) are set in:
# Amazon's "end of day" of a ship-by date is the marketplace's, not the seller's.
MARKETPLACE_TIME_ZONES = {
    "ATVPDKIKX0DER": "America/Los_Angeles", "A2EUQ1WTGCTBG2": "America/Los_Angeles",
    "A1AM78C64UM0Y8": "America/Mexico_City", "A2Q3Y263D00KWC": "America/Sao_Paulo",
    "A28R8C7NBKEWEA": "Europe/Dublin", "A1RKKUPIHCS9HS": "Europe/Madrid",
    "A1F83G8C2ARO7P": "Europe/London", "A13V1IB3VIYZZH": "Europe/Paris",
    "AMEN7PMS3EDWL": "Europe/Brussels", "A1805IZSGTT6HS": "Europe/Amsterdam",
    "A1PA6795UKMFR9": "Europe/Berlin", "APJ6JRA9NG5V4": "Europe/Rome",
    "A2NODRKZP88ZB9": "Europe/Stockholm", "AE08WJ6YKNBMC": "Africa/Johannesburg",
    "A1C3SOZRARQ6R3": "Europe/Warsaw", "ARBP9OOSHTCHU": "Africa/Cairo",
    "A33AVAJ2PDY3EV": "Europe/Istanbul", "A17E79C6D8DWNP": "Asia/Riyadh",
    "A2VIGQ35RCS4UG": "Asia/Dubai", "A21TJRUUN4KGV": "Asia/Kolkata",
    "A19VAU5U5O7RUS": "Asia/Singapore", "A39IBJ37TRP1C6": "Australia/Sydney",
    "A1VC38T7YXB528": "Asia/Tokyo",
}

# Amazon Buy Shipping (Shipping API v2): a package's default box (cm) when its products give
# no dimensions, and which rate an account buys when nobody chooses.
# https://developer-docs.amazon.com/amazon-shipping/docs/shipping-api-v2-reference
LABEL_BOX_CM = (30, 20, 10)
LABEL_PREFERENCES = [("cheapest", "Cheapest"), ("fastest", "Fastest")]
LABEL_FORMATS = [("PDF", "PDF"), ("ZPL", "ZPL (thermal printer)")]

# Messaging API v1: the message types Amazon lets a seller send a buyer (those an order offers
# now come from getMessagingActionsForOrder), with the library's method for each.
# Amazon's API does not let a program read what buyers write.
# https://developer-docs.amazon.com/sp-api/docs/messaging-api-v1-reference
BUYER_MESSAGES = [
    ("confirmDeliveryDetails", "Confirm delivery details"),
    ("unexpectedProblem", "Unexpected problem"),
    ("confirmOrderDetails", "Confirm order details"),
    ("confirmCustomizationDetails", "Confirm customization details"),
    ("warranty", "Warranty"),
]
BUYER_MESSAGE_METHODS = {
    "confirmDeliveryDetails": ("createConfirmDeliveryDetails", "create_confirm_delivery_details"),
    "unexpectedProblem": ("createUnexpectedProblem", "create_unexpected_problem"),
    "confirmOrderDetails": ("createConfirmOrderDetails", "create_confirm_order_details"),
    "confirmCustomizationDetails": ("confirmCustomizationDetails",
                                    "confirm_customization_details"),
    "warranty": ("CreateWarranty", "create_warranty"),
}
BUYER_MESSAGE_MAX_LENGTH = {"confirmCustomizationDetails": 800}  # else 2000
REVIEW_SOLICITATION = "productReviewAndSellerFeedback"

# Sellers on Amazon's VAT Calculation Service: an uploaded invoice's state is the one Amazon's
# VAT invoice data report gives (the feed result only says the file was received).
# https://developer-docs.amazon.com/sp-api/docs/report-type-values-tax
VAT_INVOICE_DATA_REPORT_TYPE = "GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT"
VIDR_UPLOADED = "InvoiceUploaded"
VIDR_DAYS = 29  # Amazon's longest range with reportOptions All is 30 days

# Website authorization workflow (OAuth): Seller Central's consent page of each region, where the
# seller authorises the SP-API application, and Odoo's route receiving the authorization code.
# https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow
SELLER_CENTRAL_URLS = {
    "NA": "https://sellercentral.amazon.com",
    "EU": "https://sellercentral-europe.amazon.com",
    "FE": "https://sellercentral.amazon.co.jp",
}
OAUTH_CONSENT_PATH = "/apps/authorize/consent"
OAUTH_CALLBACK_PATH = "/amazon_seller/oauth/callback"
OAUTH_STATE_LIFETIME = 600  # seconds between Connect and the seller's return from Seller Central

# Where several dollars meet (an amazon.com and an amazon.ca account...), "$" names none of them:
# each gets the symbol that says which.
DOLLAR_SYMBOLS = {"USD": "US$", "CAD": "CA$", "MXN": "MX$", "AUD": "A$", "SGD": "S$",
                  "NZD": "NZ$"}
