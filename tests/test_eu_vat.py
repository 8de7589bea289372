"""Where an Amazon sale is taxed in the EU: the One-Stop-Shop past the distance-selling threshold
(Odoo's own ``l10n_eu_oss``), the seller's VAT below it, Amazon's tax on deemed-supplier sales,
and stock held abroad sold where it lies — on a German company (SKR03) whose product carries the
company's 19 % sales tax."""

from odoo import Command
from odoo.tests import BaseCase, tagged

from ..utils import sale_vat_place
from .common import ReplayCase, company_on_chart
from .orders import make_order, with_facilitator_tax

EU = {"DE", "FR", "PL", "IT", "AT"}
FR_CONSUMER = "171-6000001-6000001"
FR_FROM_FRENCH_STOCK = "171-6000002-6000002"
UK_DEEMED_SUPPLIER = "202-6000003-6000003"
DE_DOMESTIC = "302-6000004-6000004"


def in_paris(order):
    order["recipient"]["deliveryAddress"].update(city="Paris", postalCode="75001",
                                                 addressLine1="1 rue de Rivoli")
    return order


@tagged("post_install", "-at_install")
class TestSaleVatPlace(BaseCase):
    """The place-of-supply rule itself, on country codes."""

    def test_where_a_sale_is_taxed(self):
        """Test each case of the EU's rules for goods sold to consumers and businesses."""
        cases = [
            # (home, ship from, destination, consumer, distance sales) -> where
            (("DE", "DE", "DE", True, "oss"), ("odoo", None)),          # domestic
            (("DE", "DE", "FR", True, "oss"), ("oss", "FR")),           # distance sale, OSS
            (("DE", "DE", "FR", True, "home"), ("home", None)),         # below the threshold
            (("DE", "DE", "FR", True, "ask"), ("odoo", None)),          # not decided
            (("DE", "DE", "FR", False, "oss"), ("odoo", None)),         # business: Odoo's B2B
            (("DE", "FR", "FR", True, "oss"), ("registered", "FR")),    # stock abroad, sold there
            (("DE", "FR", "FR", False, "home"), ("registered", "FR")),  # ... to a business too
            (("DE", "PL", "FR", True, "oss"), ("oss", "FR")),           # from abroad, OSS
            (("DE", "PL", "FR", True, "home"), ("registered", "PL")),   # from abroad, below
            (("DE", "PL", "DE", True, "home"), ("registered", "PL")),   # back home, below
            (("DE", "DE", "GB", True, "oss"), ("odoo", None)),          # export
            (("DE", "GB", "GB", True, "oss"), ("registered", "GB")),    # UK stock, UK buyer
            (("US", "CA", "CA", True, "oss"), ("odoo", None)),          # not an EU seller
        ]
        for (home, ship_from, destination, consumer, answer), expected in cases:
            with self.subTest(home=home, ship_from=ship_from, destination=destination,
                              consumer=consumer, answer=answer):
                self.assertEqual(sale_vat_place(home, ship_from, destination, consumer, EU,
                                                answer), expected)


@tagged("post_install", "-at_install")
class TestEuVat(ReplayCase):
    """Orders of an amazon.de/.fr/.co.uk account of a German company (SKR03) through the
    simulator, taxed where the EU says."""

    @classmethod
    def replay_orders(cls):
        return [
            in_paris(make_order(FR_CONSUMER, market="FR", items=(("LAMP", 1, "24.00"),))),
            in_paris(make_order(FR_FROM_FRENCH_STOCK, market="FR", fulfilled_by="AMAZON",
                                status="SHIPPED", items=(("LAMP", 1, "36.00"),))),
            with_facilitator_tax(
                make_order(UK_DEEMED_SUPPLIER, market="UK", items=(("LAMP", 1, "12.00"),)),
                "2.40", responsible="Amazon EU S.à r.l., UK Branch"),
            make_order(DE_DOMESTIC, market="DE", items=(("LAMP", 1, "23.80"),)),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.active = False  # the orders are the German company's
        cls.env, cls.company = company_on_chart(cls.env, "Leuchten GmbH", "EUR", "de_skr03",
                                                country="de")
        cls.account = cls.env["amazon.seller.account"].create({
            "name": "Leuchten EU", "company_id": cls.company.id, "region": "EU",
            "endpoint_url": cls.simulator.url, **cls.credentials(),
            "marketplace_ids": [Command.set([
                cls.env.ref(f"amazon_seller.marketplace_{code}").id
                for code in ("de", "fr", "uk")])]})
        cls.set_checkpoint(cls.account)
        cls.sales_tax = cls.company.account_sale_tax_id
        cls.product = cls.map_skus(["LAMP"], taxes_id=[Command.set(cls.sales_tax.ids)],
                                   company_id=cls.company.id)["LAMP"]

    def import_orders(self):
        self.sync_orders(self.account)
        orders = self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)])
        return {order.amazon_order_ref: order for order in orders}

    def goods_line(self, order):
        return order.order_line.filtered(lambda line: line.product_id == self.product)

    def error_of(self, order_ref):
        return self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", self.account.id), ("amazon_ref", "=", order_ref)]).message

    def register_in_france(self):
        """The company's French VAT number: Odoo's foreign-VAT fiscal position and a 20 % tax
        replacing the German 19 % sales tax."""
        france = self.env.ref("base.fr")
        position = self.env["account.fiscal.position"].create({
            "name": "France (FR VAT)", "company_id": self.company.id, "country_id": france.id,
            "foreign_vat": "FR23334175221", "auto_apply": True})
        self.env["account.tax"].create({
            "name": "TVA 20 %", "amount": 20.0, "type_tax_use": "sale",
            "company_id": self.company.id, "country_id": france.id,
            "tax_group_id": self.env["account.tax.group"].create({
                "name": "TVA 20 %", "company_id": self.company.id,
                "country_id": france.id}).id,
            "fiscal_position_ids": [Command.link(position.id)],
            "original_tax_ids": [Command.link(self.sales_tax.id)]})
        return position

    def test_french_consumer_under_oss(self):
        """Test that past the threshold a parcel from Germany to a French consumer bears
        French VAT through Odoo's One-Stop-Shop position and tax, and the invoice's tax line
        carries Odoo's OSS tag for the OSS return."""
        self.assertEqual((self.sales_tax.amount, self.company.amazon_eu_distance_sales),
                         (19.0, "ask"))
        self.company.amazon_eu_distance_sales = "oss"  # Odoo's OSS mapping is made
        order = self.import_orders()[FR_CONSUMER]
        self.assertEqual(order.fiscal_position_id.name, "OSS B2C France")
        line = self.goods_line(order)
        self.assertEqual((line.tax_ids.amount, line.tax_ids.country_id.code), (20.0, "DE"))
        self.assertEqual((line.price_subtotal, line.price_tax, line.price_total),
                         (20.0, 4.0, 24.0))
        self.assertEqual(order.amount_total, 24.0, "Amazon's total")
        service = self.env["product.product"].create({"name": "DHL Paket", "type": "service"})
        order.picking_ids.write({
            "carrier_id": self.env["delivery.carrier"].create({
                "name": "DHL", "product_id": service.id}).id,
            "carrier_tracking_ref": "00340434161094042557"})
        order.picking_ids.move_ids.quantity = 1
        order.picking_ids.button_validate()
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_invoice_orders").method_direct_trigger()
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.amount_untaxed, invoice.amount_tax),
                         ("posted", 20.0, 4.0))
        tax_line = invoice.line_ids.filtered("tax_line_id")
        self.assertIn(self.env.ref("l10n_eu_oss.tag_oss"), tax_line.tax_tag_ids)
        self.assertEqual(tax_line.balance, -4.0)

    def test_below_the_threshold_german_vat_even_with_oss_positions(self):
        """Test that below the threshold the French consumer pays German 19 %, although the
        company has Odoo's OSS positions (which Odoo alone would apply)."""
        self.company.amazon_eu_distance_sales = "oss"
        self.company.amazon_eu_distance_sales = "home"
        self.assertTrue(self.company._amazon_oss_positions())
        orders = self.import_orders()
        line = self.goods_line(orders[FR_CONSUMER])
        self.assertNotIn(orders[FR_CONSUMER].fiscal_position_id,
                         self.company._amazon_oss_positions())
        self.assertEqual((line.tax_ids, line.price_subtotal, line.price_total),
                         (self.sales_tax, 20.17, 24.0))
        self.assertAlmostEqual(line.price_tax, 3.83)
        self.assertAlmostEqual(self.goods_line(orders[DE_DOMESTIC]).price_tax, 3.80,
                               msg="domestic: 19 %")

    def test_undecided_company_is_asked_once(self):
        """Test that while the company has not said, Odoo's own positions apply and the
        account's responsible is asked, once."""
        orders = self.import_orders()
        self.assertEqual(self.goods_line(orders[FR_CONSUMER]).tax_ids, self.sales_tax)
        asked = self.account.activity_ids.filtered(
            lambda activity: activity.summary == "How are your EU distance sales taxed?")
        self.assertEqual(len(asked), 1)
        self.assertIn("Settings ▸ Amazon ▸ EU Distance Sales", asked.note)
        another = in_paris(make_order("171-6000005-6000005", market="FR",
                                     items=(("LAMP", 1, "10.00"),)))
        self.env["amazon.seller.order.import"]._import_orders(self.account, [another])
        self.assertEqual(self.goods_line(self.import_orders()["171-6000005-6000005"]).tax_ids,
                         self.sales_tax)
        self.assertEqual(len(self.account.activity_ids.filtered(
            lambda activity: activity.summary == "How are your EU distance sales taxed?")), 1)

    def test_uk_deemed_supplier_sale_carries_amazons_tax(self):
        """Test that a UK order whose VAT Amazon collects as deemed supplier has no German
        VAT: the item at Amazon's price and Amazon's VAT on its own line, no Odoo tax."""
        self.company.amazon_eu_distance_sales = "oss"
        order = self.import_orders()[UK_DEEMED_SUPPLIER]
        self.assertEqual(order.fiscal_position_id.name, "Tax collected by Amazon")
        self.assertEqual(order.currency_id.name, "GBP")
        self.assertEqual(sorted((line.product_id.default_code, line.price_subtotal,
                                 line.price_tax) for line in order.order_line),
                         [("AMAZON-MF-TAX", 2.40, 0.0), ("LAMP", 12.0, 0.0)])
        self.assertEqual((order.amount_untaxed, order.amount_tax, order.amount_total),
                         (12.0, 2.40, 14.40), "Amazon's tax is the only tax, not revenue")

    def test_stock_held_in_france_sold_in_france_needs_the_french_number(self):
        """Test that an FBA order from French stock to a French buyer is a French sale: without
        the company's French VAT number it waits with a message saying what to add, with it
        it bears French VAT through that fiscal position."""
        self.account.fba_location_per_marketplace = True
        self.company.amazon_eu_distance_sales = "oss"
        orders = self.import_orders()
        self.assertNotIn(FR_FROM_FRENCH_STOCK, orders)
        self.assertIn(FR_CONSUMER, orders, "the other orders are imported")
        self.assertIn("ships from stock in France to a buyer in France",
                      self.error_of(FR_FROM_FRENCH_STOCK))
        self.assertIn("Foreign Tax ID", self.error_of(FR_FROM_FRENCH_STOCK))
        position = self.register_in_france()
        self.env["amazon.seller.order.import"]._import_order_refs(
            self.account, [FR_FROM_FRENCH_STOCK])
        order = self.env["sale.order"].search([("amazon_order_ref", "=", FR_FROM_FRENCH_STOCK)])
        self.assertEqual(order.fiscal_position_id, position)
        line = self.goods_line(order)
        self.assertEqual((line.tax_ids.name, line.price_subtotal, line.price_total),
                         ("TVA 20 %", 30.0, 36.0))
        self.assertAlmostEqual(line.price_tax, 6.0)
