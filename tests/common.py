import uuid

from odoo.tests import TransactionCase


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

        cls.simulator = Simulator(**{"models_dir": False, **cls.simulator_options}).start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.account.endpoint_url = cls.simulator.url

    def setUp(self):
        super().setUp()
        self.simulator.reset_calls()
