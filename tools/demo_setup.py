"""Wire the demo database to the local SP-API simulator (run through ``odoo shell``, idempotent).

Creates one demo account per Amazon region, all pointing at the simulator, with demo
credentials the simulator accepts, and synchronisation enabled.
"""
import os

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
        }
        account = Account.search([("name", "=", name)], limit=1)
        if account:
            account.write(values)
        else:
            Account.create(values)
    env.ref("base.user_admin").password = "admin"  # noqa: S105 - the demo's documented login


wire_demo_accounts(env)  # noqa: F821 - provided by odoo shell
env.cr.commit()  # noqa: F821 - odoo shell rolls back what is not committed
print("demo accounts wired to", SIMULATOR_URL)
