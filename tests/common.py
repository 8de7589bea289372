from collections import Counter
from datetime import timedelta
import os
import uuid

from odoo import Command, fields
from odoo.tests import TransactionCase


def company_on_chart(env, name, currency, chart, country=None):
    """(env working in it alone, untracked; company): a company of its own on ``chart``."""
    company = env["res.company"].create({
        "name": name, "currency_id": env.ref(f"base.{currency}").id,
        "country_id": country and env.ref(f"base.{country}").id or False})
    env.user.company_ids |= company
    env = env(context=dict(env.context, tracking_disable=True, allowed_company_ids=[company.id]))
    env["account.chart.template"].try_loading(chart, company=company, install_demo=False)
    return env, company


class AmazonSellerCase(TransactionCase):
    """Builds one Amazon account in its own company; no demo data is relied on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.marketplace_us = cls.env.ref("amazon_seller.marketplace_us")
        cls.marketplace_ca = cls.env.ref("amazon_seller.marketplace_ca")
        cls.marketplace_de = cls.env.ref("amazon_seller.marketplace_de")
        cls.account = cls.env["amazon.seller.account"].create({
            "name": "Test Seller NA",
            "region": "NA",
            "marketplace_ids": [cls.marketplace_us.id, cls.marketplace_ca.id],
            **cls.credentials(),
        })

    @staticmethod
    def set_checkpoint(accounts, moment="2020-01-01 00:00:00"):
        """Start the accounts' order synchronisation at ``moment``."""
        for account in accounts:
            account._flow_state("orders").checkpoint = moment

    @classmethod
    def point_at(cls, account, url):
        """Aim ``account`` at ``url``: a changed endpoint asks for the credentials again."""
        account.write({"endpoint_url": url, **cls.credentials()})

    def orders_state(self, account):
        return account._flow_state("orders")

    def sync_orders(self, account):
        """One run of the orders flow for ``account``, in the test's transaction."""
        return self.env["amazon.seller.order.import"]._run_now(account)

    def send_confirmations(self, pickings):
        """A run of the shipments flow once the pickings' backoff has passed; its Counter."""
        pickings.filtered(lambda p: p.amazon_confirmation_state in ("to_send", "error")) \
            .amazon_next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        exporter = self.env["amazon.seller.shipment.export"]
        return sum((exporter._run_now(account) for account in pickings.sale_id.amazon_account_id),
                   Counter())

    def due_confirmations(self):
        return self.env["amazon.seller.shipment.export"]._due_pickings()

    @staticmethod
    def credentials():
        """Fresh credentials: the client caches access tokens per refresh token, process-wide."""
        return {
            "lwa_app_id": "amzn1.application-oa2-client.test",
            "lwa_client_secret": "secret-test",
            "refresh_token": f"Atzr|test-{uuid.uuid4().hex}",
        }


class SimulatorCase(AmazonSellerCase):
    """An account wired to a local SP-API simulator started for the test class (over HTTP)."""

    simulator_options = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from ..tools.spapi_simulator import Simulator

        cls.simulator = Simulator(**cls.simulator_kwargs()).start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.point_at(cls.account, cls.simulator.url)

    @classmethod
    def simulator_kwargs(cls):
        return {"models_dir": False, **cls.simulator_options}

    def setUp(self):
        super().setUp()
        self.simulator.reset_calls()

    def amazon_orders(self, account, **filters):
        """The account's orders as Amazon serves them, read with the real client (all pages)."""
        from sp_api.api import Orders

        from ..tools.spapi_simulator.testing import client

        api = client(self.simulator, Orders, version="2026-01-01")
        params = {"lastUpdatedAfter": "2020-01-01T00:00:00Z", **filters,
                  "marketplaceIds": account.marketplace_ids.mapped("marketplace_id"),
                  "includedData": ["BUYER", "RECIPIENT", "PROCEEDS", "PROMOTION", "FULFILLMENT",
                                   "PACKAGES"],
                  "maxResultsPerPage": 100}
        orders, token = [], None
        while True:
            response = api.search_orders(**params, **({"paginationToken": token} if token else {}))
            orders += response.payload["orders"]
            token = (response.pagination or {}).get("nextToken")
            if not token:
                return orders


class ReplayCase(SimulatorCase):
    """An EU account (DE, UK) on a simulator replaying the orders of ``replay_orders()``."""

    @classmethod
    def replay_orders(cls):
        return []

    @classmethod
    def simulator_kwargs(cls):
        import json
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(cls.replay_orders(), file)
        cls.addClassCleanup(os.unlink, file.name)
        return {**super().simulator_kwargs(), "orders_file": file.name, "rate_limits": False}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.write({
            "region": "EU", "sync_enabled": True,
            "marketplace_ids": [Command.set([cls.marketplace_de.id,
                                             cls.env.ref("amazon_seller.marketplace_uk").id])],
        })
        cls.set_checkpoint(cls.account)

    @classmethod
    def us_account(cls, name, **values):
        """A North American account on amazon.com, on the simulator, synchronising from 2020."""
        account = cls.env["amazon.seller.account"].create({
            "name": name, "region": "NA", "endpoint_url": cls.simulator.url,
            "marketplace_ids": [cls.marketplace_us.id], "sync_enabled": True,
            **cls.credentials(), **values})
        cls.set_checkpoint(account)
        return account

    @classmethod
    def map_skus(cls, skus, **product_values):
        """A product per SKU, mapped for both marketplaces and channels of the account."""
        products = {sku: cls.env["product.product"].create({
            "name": sku, "default_code": sku, "is_storable": True, **product_values}) for sku in skus}
        cls.env["amazon.seller.offer"].create([{
            "account_id": cls.account.id, "marketplace_id": marketplace.id, "sku": sku,
            "fulfillment_channel": channel, "product_id": product.id,
        } for sku, product in products.items() for marketplace in cls.account.marketplace_ids
            for channel in ("fba", "fbm")])
        return products


class OrderSyncCase(SimulatorCase):
    """Three accounts (NA, EU, FE) on one simulator, every catalogue SKU mapped to a product."""

    simulator_options = {"orders": 60, "seed": 10, "rate_limits": False}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_eu = cls.account.copy({
            "name": "Test Seller EU", "region": "EU", "endpoint_url": cls.simulator.url,
            "marketplace_ids": [cls.marketplace_de.id, cls.env.ref("amazon_seller.marketplace_fr").id,
                                cls.env.ref("amazon_seller.marketplace_uk").id],
            **cls.credentials(),
        })
        cls.account_fe = cls.account.copy({
            "name": "Test Seller JP", "region": "FE", "endpoint_url": cls.simulator.url,
            "marketplace_ids": [cls.env.ref("amazon_seller.marketplace_jp").id],
            **cls.credentials(),
        })
        cls.accounts = cls.account | cls.account_eu | cls.account_fe
        cls.set_checkpoint(cls.accounts)
        cls.products = cls.map_catalogue(cls.simulator.catalogue())

    @classmethod
    def map_catalogue(cls, catalogue, skip_skus=()):
        """A storable product per SKU and an offer per account, marketplace and channel."""
        products = cls.env["product.product"].create([{
            "name": entry["title"], "default_code": entry["sku"], "is_storable": True,
            "list_price": entry["base_price"],
        } for entry in catalogue])
        by_sku = dict(zip([entry["sku"] for entry in catalogue], products))
        cls.env["amazon.seller.offer"].create([{
            "account_id": account.id, "marketplace_id": marketplace.id, "sku": sku,
            "fulfillment_channel": channel, "product_id": product.id,
        } for account in cls.accounts for marketplace in account.marketplace_ids
            for sku, product in by_sku.items() if sku not in skip_skus for channel in ("fba", "fbm")])
        return by_sku

    def imported(self, account=None):
        return self.env["sale.order"].search(
            [("amazon_account_id", "in", (account or self.accounts).ids)])
