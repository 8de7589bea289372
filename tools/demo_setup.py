"""Wire the demo database to the local SP-API simulator (run through ``odoo shell``, idempotent).

Creates one demo account per Amazon region, all pointing at the simulator, with demo
credentials the simulator accepts, and synchronisation enabled; maps the simulator's SKU
catalogue to products; runs a first order synchronisation and lets the scheduled action run
every minute so that orders keep flowing in.
"""
from datetime import timedelta
import json
import os
import urllib.request

from odoo import fields

SIMULATOR_URL = os.environ.get("AMAZON_SELLER_SIMULATOR_URL", "http://127.0.0.1:8073")
DEMO_ACCOUNTS = {
    "NA": ("Demo Seller North America", ["us", "ca"]),
    "EU": ("Demo Seller Europe", ["de", "fr", "uk"]),
    "FE": ("Demo Seller Japan", ["jp"]),
}


def wire_demo_accounts(env):
    Account = env["amazon.seller.account"].with_context(active_test=False)
    for region, (name, marketplace_codes) in DEMO_ACCOUNTS.items():
        values = {
            "name": name,
            "region": region,
            "marketplace_ids": [
                env.ref(f"amazon_seller.marketplace_{code}").id for code in marketplace_codes
            ],
            "endpoint_url": SIMULATOR_URL,
            "lwa_app_id": "amzn1.application-oa2-client.demo",
            "lwa_client_secret": "demo-secret",
            "refresh_token": f"Atzr|demo-{region.lower()}",
            "sync_enabled": True,
            "active": True,
            "user_id": env.ref("base.user_admin").id,
        }
        account = Account.search([("name", "=", name)], limit=1)
        account = account or Account.create(values)
        account.write(values)
        # The simulator's clock starts anew with each demo: so does the synchronisation window
        # (orders already imported are recognised and left alone).
        account._flow_state("orders").checkpoint = fields.Datetime.now() - timedelta(days=30)
    env.ref("base.user_admin").password = "admin"  # noqa: S105 - the demo's documented login
    return Account.search([("name", "in", [name for name, _codes in DEMO_ACCOUNTS.values()])])


def map_catalogue(env, accounts):
    """A storable product per simulator SKU, offered on every demo marketplace in both channels."""
    with urllib.request.urlopen(f"{SIMULATOR_URL}/_simulator/catalogue", timeout=10) as answer:
        catalogue = json.load(answer)
    catalogue = catalogue.get("catalogue", catalogue) if isinstance(catalogue, dict) else catalogue
    Product, Offer = env["product.product"], env["amazon.seller.offer"]
    for entry in catalogue:
        product = Product.search([("default_code", "=", entry["sku"])], limit=1) or Product.create({
            "name": entry["title"], "default_code": entry["sku"], "is_storable": True,
            "list_price": entry["base_price"],
        })
        for account in accounts:
            for marketplace in account.marketplace_ids:
                for channel in ("fba", "fbm"):
                    key = [("account_id", "=", account.id), ("marketplace_id", "=", marketplace.id),
                           ("sku", "=", entry["sku"]), ("fulfillment_channel", "=", channel)]
                    if not Offer.search_count(key):
                        Offer.create({"account_id": account.id, "marketplace_id": marketplace.id,
                                      "sku": entry["sku"], "fulfillment_channel": channel,
                                      "product_id": product.id})


accounts = wire_demo_accounts(env)  # noqa: F821 - provided by odoo shell
map_catalogue(env, accounts)  # noqa: F821
env.ref("amazon_seller.ir_cron_sync_orders").write({"interval_number": 1, "interval_type": "minutes"})  # noqa: F821
env.cr.commit()  # noqa: F821 - odoo shell rolls back what is not committed
importer = env["amazon.seller.order.import"]  # noqa: F821
for account in accounts:
    importer._run_now(account)
    env.cr.commit()  # noqa: F821
    print(f"{account.name}: {account._flow_state('orders').last_message}")
print("demo accounts wired to", SIMULATOR_URL)
