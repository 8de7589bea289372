"""Promises of the order import that no other test pins: one order per account, exact prices
under known taxes, partners found again, late originals linked, stale versions ignored, and
synchronisation errors kept within their company."""

from datetime import datetime

import psycopg2

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import AmazonSellerCase, ReplayCase
from .orders import make_order

SHARED_EMAIL = "shared-buyer@marketplace.amazon.de"


def order_to(order_id, street="Hauptstraße 1", postal_code="10115", **kwargs):
    """An order of the buyer ``SHARED_EMAIL`` delivered to ``street``, ``postal_code`` Berlin."""
    order = make_order(order_id, items=(("PROMISE-1", 1, "12.00"),), **kwargs)
    order["buyer"]["buyerEmail"] = SHARED_EMAIL
    order["recipient"]["deliveryAddress"].update(addressLine1=street, postalCode=postal_code)
    return order


@tagged("post_install", "-at_install")
class TestAmazonOrderUnique(AmazonSellerCase):
    """The database itself keeps an Amazon order to one sales order per account."""

    def test_amazon_order_is_unique_per_account(self):
        """Test that an Amazon order id is refused twice in one account, accepted in another."""
        SaleOrder = self.env["sale.order"]
        partner = self.env["res.partner"].create({"name": "Erika Mustermann"})
        values = {"partner_id": partner.id, "amazon_account_id": self.account.id,
                  "amazon_order_ref": "302-9000001-0000001"}
        first = SaleOrder.create(values)
        self.env.flush_all()

        with mute_logger("odoo.sql_db"), \
                self.assertRaises(psycopg2.errors.UniqueViolation) as caught, \
                self.env.cr.savepoint():
            SaleOrder.create(dict(values))
            self.env.flush_all()
        self.assertIsInstance(caught.exception, psycopg2.IntegrityError)
        self.assertEqual(caught.exception.diag.constraint_name, "sale_order_amazon_order_unique")

        other_account = self.env["amazon.seller.account"].create({
            "name": "Test Seller NA bis", "region": "NA",
            "marketplace_ids": [Command.set(self.marketplace_us.ids)], **self.credentials()})
        second = SaleOrder.create({**values, "amazon_account_id": other_account.id})
        self.env.flush_all()
        self.assertEqual(second.amazon_order_ref, "302-9000001-0000001")
        self.assertEqual(
            SaleOrder.search_count([("amazon_order_ref", "=", "302-9000001-0000001")]), 2)
        self.assertNotEqual(second, first)


@tagged("post_install", "-at_install")
class TestOrderPricesUnderKnownTaxes(ReplayCase):
    """A company of its own (EUR, Germany) whose taxes the test sets: 20 % included in the
    price, 7.25 % excluded, 0 %; no fiscal position."""

    @classmethod
    def replay_orders(cls):
        return [make_order("302-8000001-0000001", market="DE", currency="EUR", items=(
            ("TAX-INCL-20", 2, "11.99"), ("TAX-EXCL-725", 1, "21.45"), ("TAX-ZERO", 1, "5.00")))]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        germany = cls.env.ref("base.de")
        eur = cls.env.ref("base.EUR").with_context(active_test=False)
        eur.active = True
        cls.company = cls.env["res.company"].create({
            "name": "Amazon Promises GmbH", "currency_id": eur.id, "country_id": germany.id})
        group = cls.env["account.tax.group"].create({
            "name": "VAT (promises)", "company_id": cls.company.id, "country_id": germany.id})
        Tax = cls.env["account.tax"]
        common = {"amount_type": "percent", "type_tax_use": "sale", "company_id": cls.company.id,
                  "tax_group_id": group.id, "country_id": germany.id}
        cls.tax_incl_20 = Tax.create({**common, "name": "VAT 20 % incl.", "amount": 20.0,
                                      "price_include_override": "tax_included"})
        cls.tax_excl_725 = Tax.create({**common, "name": "Tax 7.25 % excl.", "amount": 7.25,
                                       "price_include_override": "tax_excluded"})
        cls.tax_zero = Tax.create({**common, "name": "VAT 0 %", "amount": 0.0,
                                   "price_include_override": "tax_excluded"})
        cls.products = {sku: cls.env["product.product"].create({
            "name": sku, "default_code": sku, "is_storable": True, "company_id": cls.company.id,
            "taxes_id": [Command.set(tax.ids)],
        }) for sku, tax in (("TAX-INCL-20", cls.tax_incl_20), ("TAX-EXCL-725", cls.tax_excl_725),
                            ("TAX-ZERO", cls.tax_zero))}
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1)
        cls.de_account = cls.env["amazon.seller.account"].create({
            "name": "Test Seller DE GmbH", "company_id": cls.company.id, "region": "EU",
            "marketplace_ids": [Command.set(cls.marketplace_de.ids)],
            "endpoint_url": cls.simulator.url, "warehouse_id": warehouse.id, "sync_enabled": True,
            **cls.credentials(),
        })
        cls.env["amazon.seller.offer"].create([{
            "account_id": cls.de_account.id, "marketplace_id": cls.marketplace_de.id, "sku": sku,
            "fulfillment_channel": "fbm", "product_id": product.id,
        } for sku, product in cls.products.items()])
        cls.set_checkpoint(cls.de_account)

    def test_line_prices_exact_under_known_taxes(self):
        """Test that net prices are exact under included, excluded and 0 % taxes, unrounded."""
        self.assertFalse(self.env["account.fiscal.position"].with_context(active_test=False).search(
            [("company_id", "=", self.company.id),
             ("id", "!=", self.de_account.tax_collected_fiscal_position_id.id)]),
            "no fiscal position may remap the taxes (but the one of tax Amazon collects)")

        stats = self.sync_orders(self.de_account)

        self.assertEqual((stats["created"], stats["failed"]), (1, 0))
        order = self.env["sale.order"].search([("amazon_account_id", "=", self.de_account.id),
                                               ("amazon_order_ref", "=", "302-8000001-0000001")])
        self.assertEqual(order.company_id, self.company)
        self.assertEqual(order.currency_id.name, "EUR")
        self.assertFalse(order.fiscal_position_id)
        rounding = self.env.ref("amazon_seller.product_amazon_rounding")
        self.assertNotIn(rounding, order.order_line.product_id, "no rounding line is needed")
        self.assertEqual(len(order.order_line), 3)
        expected = {  # sku: (tax, quantity, price_unit, price_subtotal, price_total)
            "TAX-INCL-20": (self.tax_incl_20, 2, 11.99, 19.98, 23.98),
            "TAX-EXCL-725": (self.tax_excl_725, 1, 20.00, 20.00, 21.45),
            "TAX-ZERO": (self.tax_zero, 1, 5.00, 5.00, 5.00),
        }
        for sku, (tax, quantity, price_unit, subtotal, total) in expected.items():
            line = order.order_line.filtered(lambda l, sku=sku: l.product_id == self.products[sku])
            with self.subTest(sku=sku):
                self.assertEqual(len(line), 1)
                self.assertEqual(line.tax_ids, tax)
                self.assertEqual(line.product_uom_qty, quantity)
                self.assertAlmostEqual(line.price_unit, price_unit, places=2)
                self.assertAlmostEqual(line.price_subtotal, subtotal, places=2)
                self.assertAlmostEqual(line.price_total, total, places=2)
        self.assertAlmostEqual(order.amount_untaxed, 44.98, places=2)
        self.assertAlmostEqual(order.amount_tax, 5.45, places=2)
        self.assertAlmostEqual(order.amount_total, 50.43, places=2)


@tagged("post_install", "-at_install")
class TestOrderPromises(ReplayCase):
    """Partners found again, replacements linked to late originals, stale versions ignored."""

    @classmethod
    def replay_orders(cls):
        replacement = make_order("302-2000002-0000002", items=(("PROMISE-1", 1, "0.00"),),
                                 updated="2026-11-02T10:00:00Z")
        replacement["associatedOrders"] = [
            {"orderId": "302-2000001-0000001", "associationType": "REPLACEMENT_ORIGINAL_ID"}]
        return [
            order_to("302-1000001-0000001"),
            order_to("302-1000002-0000002"),
            order_to("302-1000003-0000003", street="Lindenstraße 5", postal_code="10117"),
            order_to("302-1000004-0000004"),
            make_order("302-2000001-0000001", items=(("PROMISE-1", 1, "12.00"),)),
            replacement,
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.map_skus(["PROMISE-1"])["PROMISE-1"]

    def order(self, ref):
        return self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)])

    def test_same_buyer_and_address_found_again(self):
        """Test that buyers and delivery addresses are found again, in a page and across syncs."""
        importer = self.env["amazon.seller.order.import"]
        stats = importer._import_order_refs(
            self.account, ["302-1000001-0000001", "302-1000002-0000002"])  # one page
        self.assertEqual((stats["created"], stats["failed"]), (2, 0))
        stats = importer._import_order_refs(
            self.account, ["302-1000003-0000003", "302-1000004-0000004"])  # a later sync
        self.assertEqual((stats["created"], stats["failed"]), (2, 0))

        first, same_page, other_address, later = (self.order(f"302-100000{n}-000000{n}")
                                                  for n in (1, 2, 3, 4))
        buyer = first.partner_id
        self.assertTrue(buyer)
        self.assertEqual(buyer.email, SHARED_EMAIL)
        self.assertFalse(buyer.parent_id)
        for order in (same_page, other_address, later):
            self.assertEqual(order.partner_id, buyer)
        self.assertEqual(self.env["res.partner"].search(
            [("email", "=", SHARED_EMAIL), ("parent_id", "=", False)]), buyer)

        delivery = first.partner_shipping_id
        self.assertEqual(delivery, buyer, "the buyer's own address is the buyer itself")
        self.assertEqual((delivery.street, delivery.zip), ("Hauptstraße 1", "10115"))
        self.assertEqual(same_page.partner_shipping_id, delivery)
        self.assertEqual(later.partner_shipping_id, delivery)

        elsewhere = other_address.partner_shipping_id
        self.assertNotEqual(elsewhere, delivery)
        self.assertEqual((elsewhere.parent_id, elsewhere.type), (buyer, "delivery"))
        self.assertEqual((elsewhere.street, elsewhere.zip), ("Lindenstraße 5", "10117"))
        self.assertEqual(self.env["res.partner"].search(
            [("parent_id", "=", buyer.id), ("type", "=", "delivery")]), elsewhere)

    def test_replacement_linked_when_original_arrives_later(self):
        """Test that a replacement imported before its original is linked when it arrives."""
        importer = self.env["amazon.seller.order.import"]
        stats = importer._import_order_refs(self.account, ["302-2000002-0000002"])
        self.assertEqual((stats["created"], stats["failed"]), (1, 0))
        replacement = self.order("302-2000002-0000002")
        self.assertEqual(replacement.amazon_replaced_order_ref, "302-2000001-0000001")
        self.assertFalse(replacement.amazon_replaced_order_id, "the original is not there yet")

        stats = importer._import_order_refs(self.account, ["302-2000001-0000001"])

        self.assertEqual((stats["created"], stats["failed"]), (1, 0))
        original = self.order("302-2000001-0000001")
        self.assertTrue(original)
        self.assertEqual(replacement.amazon_replaced_order_id, original)
        self.assertFalse(original.amazon_replaced_order_id)

    def test_older_version_changes_nothing(self):
        """Test that an older version of an order is skipped while a newer one is applied."""
        importer = self.env["amazon.seller.order.import"]
        ref = "302-3000001-0000001"
        items = (("PROMISE-1", 1, "12.00"),)
        stats = importer._import_orders(self.account, [
            make_order(ref, items=items, updated="2026-11-02T10:00:00Z")])
        self.assertEqual(stats["created"], 1)
        order = self.order(ref)
        self.assertEqual((order.state, order.amazon_status), ("sale", "UNSHIPPED"))

        stats = importer._import_orders(self.account, [
            make_order(ref, items=items, status="CANCELLED", updated="2026-11-01T10:00:00Z")])

        self.assertEqual((stats["skipped"], stats["updated"], stats["created"], stats["failed"]),
                         (1, 0, 0, 0))
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amazon_status, "UNSHIPPED")
        self.assertEqual(order.amazon_last_update, datetime(2026, 11, 2, 10, 0, 0))
        self.assertNotIn("cancel", order.picking_ids.mapped("state"))

        stats = importer._import_orders(self.account, [
            make_order(ref, items=items, status="CANCELLED", updated="2026-11-03T10:00:00Z")])

        self.assertEqual((stats["skipped"], stats["updated"]), (0, 1))
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.amazon_status, "CANCELLED")
        self.assertEqual(order.amazon_last_update, datetime(2026, 11, 3, 10, 0, 0))


@tagged("post_install", "-at_install")
class TestSyncErrorsPerCompany(AmazonSellerCase):
    """Synchronisation errors are seen only from their account's company."""

    def test_other_company_errors_are_invisible(self):
        """Test that a manager sees the sync errors of their companies, not another's."""
        company_a = self.account.company_id
        company_b = self.env["res.company"].create({"name": "Amazon Promises B"})
        warehouse_b = self.env["stock.warehouse"].search(
            [("company_id", "=", company_b.id)], limit=1)
        account_b = self.env["amazon.seller.account"].create({
            "name": "Test Seller B", "company_id": company_b.id, "region": "NA",
            "marketplace_ids": [Command.set(self.marketplace_us.ids)],
            "warehouse_id": warehouse_b.id, **self.credentials()})
        Error = self.env["amazon.seller.sync.error"]
        error_a = Error.create({"account_id": self.account.id, "flow": "orders",
                                "amazon_ref": "302-7000001-0000001", "message": "Order A failed"})
        error_b = Error.create({"account_id": account_b.id, "flow": "orders",
                                "amazon_ref": "302-7000002-0000002", "message": "Order B failed"})
        domain = [("amazon_ref", "in", ["302-7000001-0000001", "302-7000002-0000002"])]
        groups = "base.group_user,amazon_seller.group_amazon_seller_manager"
        user_a = new_test_user(self.env, login="promises_manager_a", groups=groups,
                               company_id=company_a.id, company_ids=[Command.set(company_a.ids)])
        user_ab = new_test_user(self.env, login="promises_manager_ab", groups=groups,
                                company_id=company_a.id,
                                company_ids=[Command.set((company_a | company_b).ids)])

        seen_by_a = Error.with_user(user_a).with_context(
            allowed_company_ids=company_a.ids).search(domain)
        self.assertEqual(seen_by_a, error_a)
        seen_by_ab = Error.with_user(user_ab).with_context(
            allowed_company_ids=(company_a | company_b).ids).search(domain)
        self.assertEqual(seen_by_ab, error_a | error_b)
        seen_by_ab_in_a = Error.with_user(user_ab).with_context(
            allowed_company_ids=company_a.ids).search(domain)
        self.assertEqual(seen_by_ab_in_a, error_a, "only the companies worked in are seen")
