from datetime import date
from decimal import Decimal
import importlib.util
import os
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged

from ..formats.listings_parser import ListingsFileError, parse_listings
from ..models import amazon_seller_report_flow
from .common import ReplayCase
from .orders import make_order

HEADER = "item-name\tseller-sku\tprice\tquantity\tasin1\tfulfillment-channel\tstatus\topen-date"


@tagged("post_install", "-at_install")
class TestListingsParser(BaseCase):
    """The listings report parser (pure): columns by name, encodings, bad rows by line."""

    def test_rows_read_by_header_name(self):
        """Test that columns are found by name and typed: price, quantity, channel, date."""
        content = ("\ufeff" + "Seller-SKU\tItem_Name\tprice\tquantity\tfulfillment-channel\tstatus"
                   "\topen-date\tproduct-id-type\tproduct-id\n"
                   "A-1\tMug\t12.99\t7\tDEFAULT\tActive\t2024-01-15 10:20:30 PST\t4\t4006381333931\n"
                   "A-2\tTowel\t1.234,50\t\tAMAZON_EU\tInactive\t15/02/2024 08:00:00 MEZ\t1\tB0X\n"
                   ).encode("utf-8")
        report = parse_listings(content)
        self.assertEqual(report.errors, [])
        first, second = report.listings
        self.assertEqual(
            (first.line, first.sku, first.title, first.price, first.quantity, first.channel,
             first.status, first.open_date, first.barcode),
            (2, "A-1", "Mug", Decimal("12.99"), 7, "fbm", "active", date(2024, 1, 15),
             "4006381333931"))
        self.assertEqual(
            (second.price, second.quantity, second.channel, second.status, second.open_date,
             second.barcode, second.asin),
            (Decimal("1234.50"), None, "fba", "inactive", date(2024, 2, 15), "", "B0X"))
        self.assertEqual(report.encoding, "utf-8-sig")

    def test_legacy_encodings(self):
        """Test that cp1252 and cp932 files are read in the encoding given after UTF-8."""
        latin = f"{HEADER}\nThé vert\tT-1\t5.00\t1\t\t\tActive\t\n".encode("cp1252")
        self.assertEqual(parse_listings(latin).listings[0].title, "Thé vert")
        japanese = ("出品者SKU\t商品名\t価格\n" "J-1\t急須 ティーポット\t2980\n").encode("cp932")
        listing = parse_listings(japanese, ("utf-8-sig", "cp932")).listings[0]
        self.assertEqual((listing.sku, listing.title, listing.price),
                         ("J-1", "急須 ティーポット", Decimal("2980")))

    def test_bad_rows_are_reported_by_line_and_the_others_read(self):
        """Test that a missing SKU, a bad price, quantity, channel and bytes name their line."""
        content = b"\n".join([
            HEADER.encode(),
            b"Good\tG-1\t3.50\t2\tB01\tDEFAULT\tActive\t",
            b"No SKU\t\t3.50\t2\tB02\tDEFAULT\tActive\t",
            b"Bad price\tP-1\t3,5,0\t2\tB03\tDEFAULT\tActive\t",
            b"Bad quantity\tQ-1\t3.50\tmany\tB04\tDEFAULT\tActive\t",
            b"Bad channel\tC-1\t3.50\t2\tB05\tPIGEON\tActive\t",
            b"Caf\x81\xff\tE-1\t3.50\t2\tB06\tDEFAULT\tActive\t",
            b"Also good\tG-2\t\t\tB07\tAMAZON_NA\tIncomplete\t",
        ])
        report = parse_listings(content)
        self.assertEqual([listing.sku for listing in report.listings], ["G-1", "G-2"])
        self.assertEqual(
            [(error.line, error.column, error.reason, error.value, error.sku)
             for error in report.errors],
            [(3, "seller-sku", "missing", "", ""), (4, "price", "price", "3,5,0", "P-1"),
             (5, "quantity", "quantity", "many", "Q-1"),
             (6, "fulfillment-channel", "channel", "PIGEON", "C-1"),
             (7, None, "encoding", "Caf\ufffd\ufffd\tE-1\t3.50\t2\tB06\tDEFAULT\tActive", "E-1")])
        self.assertEqual(report.skus, {"G-1", "G-2", "P-1", "Q-1", "C-1", "E-1"})
        self.assertEqual(report.listings[1].price, None)

    def test_unreadable_file(self):
        """Test that a report without SKU column or without anything is refused as a whole."""
        with self.assertRaises(ListingsFileError) as caught:
            parse_listings(b"item-name\tprice\nMug\t3.00\n")
        self.assertEqual(caught.exception.column, "seller-sku")
        with self.assertRaises(ListingsFileError):
            parse_listings(b"\n\n")


@tagged("post_install", "-at_install")
class TestListingsImport(ReplayCase):
    """Listings reports of an EU account (DE, UK) served by the simulator, with two SKUs beside
    its catalogue (SIM-NEW-900, and SIM-EAN-910 carrying an EAN) and three malformed rows; and
    orders of unmapped SKUs that wait for their mapping."""

    simulator_options = {"listing_samples": True}

    @classmethod
    def replay_orders(cls):
        return [
            make_order("302-1000001-0000001", items=(("SIM-NEW-900", 2, "27.90"),)),
            make_order("302-1000002-0000002",
                       items=(("SIM-NEW-900", 1, "27.90"), ("KNOWN-1", 1, "10.00")), shipping="3.90"),
            make_order("302-1000003-0000003", fulfilled_by="AMAZON", status="SHIPPED",
                       items=(("FBA-NEW-1", 2, "15.00"),)),
            make_order("302-1000004-0000004", items=(("SIM-EAN-910", 1, "14.50"),)),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.known = cls.map_skus(["KNOWN-1"])["KNOWN-1"]
        Product = cls.env["product.product"]
        cls.mug = Product.create({"name": "Mug", "default_code": "SIM-MUG-001", "is_storable": True})
        cls.charger = Product.create({"name": "Charger", "default_code": "SIM-CHG-060",
                                      "is_storable": True})

    def setUp(self):
        super().setUp()
        scenario = self.simulator.scenario
        saved = (list(scenario.extra_listings), set(scenario.unlisted))

        def restore():
            scenario.extra_listings, scenario.unlisted = list(saved[0]), set(saved[1])
        self.addCleanup(restore)

    # === HELPERS === #

    def sync_listings(self):
        return self.env["amazon.seller.listings.import"]._run_now(self.account)

    def offers(self, sku=None, marketplace=None):
        domain = [("account_id", "=", self.account.id)]
        if sku:
            domain.append(("sku", "=", sku))
        if marketplace:
            domain.append(("marketplace_id", "=", marketplace.id))
        return self.env["amazon.seller.offer"].with_context(active_test=False).search(domain)

    def order(self, ref):
        return self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)])

    def listing_errors(self):
        return self.env["amazon.seller.sync.error"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "listings"),
             ("state", "in", ("open", "needs_attention"))])

    # === LISTINGS → OFFERS === #

    def test_listings_become_offers_matched_by_reference_then_barcode(self):
        """Test that listings create offers, matched by internal reference, then barcode."""
        towel = self.env["product.product"].create(
            {"name": "Tea towel", "barcode": "4006381333931", "is_storable": True})

        stats = self.sync_listings()

        self.assertEqual(len(self.offers(marketplace=self.marketplace_de).filtered("active")), 22)
        mug = self.offers("SIM-MUG-001", self.marketplace_de)
        self.assertEqual(
            (mug.product_id, mug.fulfillment_channel, mug.title, mug.asin, mug.price,
             mug.amazon_quantity, mug.listing_status, mug.active),
            (self.mug, "fba", "Ceramic Coffee Mug 350 ml, white", "B0SIM00101", 12.39, 0,
             "active", True))
        charger = self.offers("SIM-CHG-060", self.marketplace_de)
        self.assertEqual((charger.product_id, charger.fulfillment_channel, charger.price),
                         (self.charger, "fbm", 18.99))
        self.assertEqual(charger.amazon_quantity,
                         self.simulator.scenario.listing_quantity[("DE", "SIM-CHG-060")])
        self.assertEqual(self.offers("SIM-EAN-910").product_id, towel, "matched by its EAN")
        template = self.mug.product_tmpl_id
        self.assertEqual(template.amazon_offer_count, 2, "the product form's Amazon button")
        self.assertEqual(self.env["amazon.seller.offer"].search(
            template.action_view_amazon_offers()["domain"]), self.offers("SIM-MUG-001"))
        new = self.offers("SIM-NEW-900")
        self.assertEqual(len(new), 2, "one per marketplace")
        self.assertFalse(new.product_id)
        to_map = self.env["amazon.seller.offer"].search(
            [("account_id", "=", self.account.id), ("product_id", "=", False)])
        self.assertEqual(new & to_map, new)
        self.assertNotIn(mug, to_map)
        self.assertEqual((stats["created"], stats["mapped"], stats["failed"]), (44, 6, 6))
        state = self.account._flow_state("listings")
        self.assertEqual(state.last_message,
                         "44 created, 0 updated, 6 mapped, 4 no longer listed, 6 failed")
        self.assertFalse(state.resume_token, "no report left pending")

    def test_no_match_across_companies_nor_among_twins(self):
        """Test that another company's product, or two products with the SKU, map nothing."""
        other = self.env["res.company"].create({"name": "Other Seller Co"})
        Product = self.env["product.product"]
        Product.create({"name": "Theirs", "default_code": "SIM-NEW-900", "company_id": other.id})
        Product.create([{"name": f"Twin {n}", "barcode": False, "default_code": "SIM-EAN-910"}
                        for n in (1, 2)])

        self.sync_listings()

        self.assertFalse(self.offers("SIM-NEW-900").product_id)
        self.assertFalse(self.offers("SIM-EAN-910").product_id)

    def test_bad_rows_are_reported_with_their_line(self):
        """Test that rows without SKU, with a bad price or bad bytes are errors naming their
        line, while the other rows of the report are imported."""
        self.sync_listings()

        messages = {error.amazon_ref: error.message for error in self.listing_errors()}
        self.assertEqual(messages["A1PA6795UKMFR9 line 24"],
                         "Listings report of Germany, line 24, column seller-sku: the SKU is "
                         "missing; the row is not imported.")
        self.assertEqual(messages["A1PA6795UKMFR9 SIM-BAD-920"],
                         "Listings report of Germany, line 25, column price: “12,9,9” is not a "
                         "price (SKU SIM-BAD-920); the row is not imported.")
        self.assertEqual(messages["A1F83G8C2ARO7P SIM-BAD-930"],
                         "Listings report of United Kingdom, line 26: the line is neither UTF-8 "
                         "nor cp1252 text (SKU SIM-BAD-930); the row is not imported.")
        self.assertEqual(len(messages), 6)
        self.assertFalse(self.offers("SIM-BAD-920"))
        self.assertEqual(len(self.offers("SIM-NEW-900")), 2, "the row after the bad ones")

        self.simulator.scenario.raw_listing_rows, saved = [], self.simulator.scenario.raw_listing_rows
        self.addCleanup(setattr, self.simulator.scenario, "raw_listing_rows", saved)
        self.sync_listings()
        self.assertFalse(self.listing_errors(), "fixed rows resolve their errors")

    def test_rerun_updates_and_unlisted_offers_are_archived(self):
        """Test that a second report updates offers, and an SKU that left it is archived."""
        self.sync_listings()
        self.simulator.add_listing("SIM-NEW-900", "Porcelain Teapot 1 l", "25.00", quantity=3)
        self.simulator.remove_listing("SIM-CHG-060")

        stats = self.sync_listings()

        new = self.offers("SIM-NEW-900", self.marketplace_de)
        self.assertEqual((new.price, new.amazon_quantity), (25.0, 3))
        gone = self.offers("SIM-CHG-060")
        self.assertEqual(len(gone), 2, "never deleted")
        self.assertEqual(set(gone.mapped("active")), {False})
        self.assertEqual(set(gone.mapped("listing_status")), {"removed"})
        self.assertEqual(gone.product_id, self.charger)
        self.assertEqual((stats["created"], stats["updated"], stats["unlisted"]), (0, 2, 2))
        self.assertFalse(self.offers("SIM-BAD-920"), "a bad row keeps its SKU, creates nothing")

    def test_report_in_preparation_is_picked_up_by_the_next_run(self):
        """Test that a report Amazon still prepares stays pending and the next run imports it
        without requesting another."""
        with patch.object(amazon_seller_report_flow, "REPORT_POLL_DELAYS", (0,)):
            stats = self.sync_listings()
            state = self.account._flow_state("listings")
            self.assertEqual(stats["pending"], 2)
            self.assertFalse(self.offers().filtered("last_listed"))
            self.assertIn("still in preparation", state.last_message)
            self.assertTrue(state.resume_token)

            self.sync_listings()

        self.assertEqual(len(self.offers(marketplace=self.marketplace_uk()).filtered("active")), 22)
        self.assertEqual(self.simulator.call_counts()["createReport"], 2)
        self.assertFalse(state.resume_token)

    def test_lost_report_is_requested_again(self):
        """Test that a pending report Amazon no longer knows is dropped without bothering a
        person, and the next run requests a new one."""
        state = self.account._flow_state("listings")
        state.resume_token = '{"A1PA6795UKMFR9": "4242"}'

        self.sync_listings()

        self.assertTrue(state.failed)
        self.assertFalse(state.resume_token)
        self.assertFalse(self.account.activity_ids, "it heals itself")
        self.sync_listings()
        self.assertFalse(state.failed)
        self.assertEqual(len(self.offers(marketplace=self.marketplace_de).filtered("active")), 22)

    def test_channel_switch_archives_the_old_offer_and_keeps_the_mapping(self):
        """Test that an SKU moving from FBM to FBA gets an FBA offer with the product a person
        chose for it, and its FBM offer is archived."""
        self.sync_listings()
        teapot = self.env["product.product"].create({"name": "Teapot", "is_storable": True})
        fbm_de = self.offers("SIM-NEW-900", self.marketplace_de)
        fbm_de.product_id = teapot
        self.simulator.add_listing("SIM-NEW-900", "Porcelain Teapot 1 l", "27.90", channel="FBA")

        self.sync_listings()

        offers = self.offers("SIM-NEW-900")
        fba = offers.filtered(lambda o: o.fulfillment_channel == "fba")
        self.assertEqual(len(fba), 2)
        self.assertEqual(fba.product_id, teapot)
        self.assertEqual(set(fba.mapped("active")), {True})
        fbm = offers - fba
        self.assertEqual((set(fbm.mapped("active")), set(fbm.mapped("listing_status"))),
                         ({False}, {"removed"}))
        self.assertEqual(fbm.product_id, teapot, "the UK one took the mapping of the DE one")

    def marketplace_uk(self):
        return self.env.ref("amazon_seller.marketplace_uk")

    def test_cron_imports_listings(self):
        """Test that the scheduled action imports the listings, run as Odoo runs it."""
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_sync_listings").method_direct_trigger()
        state = self.account._flow_state("listings")
        self.assertTrue(state.last_success)
        self.assertFalse(state.failed)
        self.assertEqual(len(self.offers(marketplace=self.marketplace_de).filtered("active")), 22)

    def test_sync_listings_button(self):
        """Test that the account's Sync Listings button imports and says how it went."""
        action = self.account.action_sync_listings()
        self.assertEqual(action["params"]["type"], "warning", "bad rows are reported")
        self.assertIn("44 created", action["params"]["message"])

    # === ORDERS WAITING FOR THEIR SKU === #

    def test_fbm_orders_wait_with_one_activity_and_a_product_confirms_them(self):
        """Test that two orders of an unmapped SKU wait as quotations with one activity on the
        offer, and a product taking the SKU as internal reference confirms both."""
        self.sync_orders(self.account)
        first, second = self.order("302-1000001-0000001"), self.order("302-1000002-0000002")
        waiting = first | second
        self.assertEqual(waiting.mapped("state"), ["draft", "draft"])
        self.assertEqual(waiting.mapped("amazon_awaiting_mapping"), [True, True])
        self.assertFalse(waiting.picking_ids)
        offer = self.offers("SIM-NEW-900")
        self.assertEqual(len(offer), 1)
        self.assertEqual(len(offer.activity_ids), 1, "one activity per offer, not per order")
        self.assertEqual(offer.waiting_order_count, 2)
        self.assertEqual(self.env["sale.order"].search(
            offer.action_view_waiting_orders()["domain"]), waiting)
        self.assertEqual(self.env["sale.order"].search(
            [("amazon_awaiting_mapping", "=", True), ("amazon_account_id", "=", self.account.id)]),
            waiting | self.order("302-1000003-0000003") | self.order("302-1000004-0000004"))
        self.assertAlmostEqual(second.amount_total, 27.90 + 10.00 + 3.90)
        with self.assertRaises(UserError):
            first.action_confirm()

        teapot = self.env["product.product"].create(
            {"name": "Teapot", "default_code": "SIM-NEW-900", "is_storable": True})

        self.assertEqual(offer.product_id, teapot)
        self.assertEqual(waiting.mapped("state"), ["sale", "sale"])
        self.assertEqual(waiting.mapped("amazon_awaiting_mapping"), [False, False])
        self.assertTrue(second.locked)
        self.assertEqual(first.picking_ids.move_ids.product_id, teapot)
        self.assertEqual(first.picking_ids.move_ids.product_uom_qty, 2)
        self.assertEqual(second.picking_ids.move_ids.product_id, teapot | self.known)
        self.assertAlmostEqual(first.amount_total, 55.80)
        self.assertAlmostEqual(second.amount_total, 27.90 + 10.00 + 3.90)
        self.assertFalse(offer.with_context(active_test=True).activity_ids, "the activity is done")
        done = self.env["mail.activity"].with_context(active_test=False).search(
            [("res_model", "=", "amazon.seller.offer"), ("res_id", "=", offer.id)])
        self.assertEqual((len(done), done.active), (1, False))

    def test_an_order_that_cannot_be_confirmed_keeps_waiting_alone(self):
        """Test that a waiting order failing its confirmation keeps waiting with the reason in
        its chatter, while the other order of the mapped SKU is confirmed."""
        self.sync_orders(self.account)
        first, second = self.order("302-1000001-0000001"), self.order("302-1000002-0000002")
        SaleOrder = type(self.env["sale.order"])
        original = SaleOrder.action_confirm

        def action_confirm(orders):
            if second in orders:
                raise UserError("The warehouse is closed.")
            return original(orders)

        with patch.object(SaleOrder, "action_confirm", action_confirm):
            self.offers("SIM-NEW-900").product_id = self.env["product.product"].create(
                {"name": "Teapot", "is_storable": True})

        self.assertEqual((first.state, first.amazon_awaiting_mapping), ("sale", False))
        self.assertEqual((second.state, second.amazon_awaiting_mapping), ("draft", True))
        self.assertIn("The warehouse is closed.", second.message_ids[0].body)
        self.assertEqual(second.order_line.filtered("amazon_order_item_id").product_id,
                         self.env.ref("amazon_seller.product_amazon_placeholder") | self.known,
                         "its lines are left as they were")

    def test_fba_order_waits_and_mapping_moves_its_stock_from_fba(self):
        """Test that a mapped FBA order is confirmed with its goods out of the FBA location."""
        fba = self.account.fba_location_id
        self.sync_orders(self.account)
        order = self.order("302-1000003-0000003")
        self.assertEqual((order.state, order.amazon_awaiting_mapping), ("draft", True))
        product = self.env["product.product"].create({"name": "Kettle", "is_storable": True})
        self.env["stock.quant"]._update_available_quantity(product, fba, 5)

        self.offers("FBA-NEW-1").product_id = product

        self.assertEqual((order.state, order.amazon_awaiting_mapping), ("sale", False))
        self.assertFalse(order.picking_ids, "Amazon shipped it: nothing for the warehouse")
        moves = order.order_line.move_ids
        self.assertEqual((moves.product_id, moves.location_id, moves.state, moves.quantity),
                         (product, fba, "done", 2.0))
        self.assertEqual(sum(self.env["stock.quant"]._gather(product, fba).mapped("quantity")), 3)
        self.assertEqual(order.order_line.filtered("amazon_order_item_id").qty_delivered, 2)

    def test_listings_sync_maps_by_barcode_and_confirms_the_waiting_order(self):
        """Test that the listings sync matching a waiting SKU by barcode confirms its order."""
        self.sync_orders(self.account)
        order = self.order("302-1000004-0000004")
        self.assertEqual(order.state, "draft")
        towel = self.env["product.product"].create(
            {"name": "Tea towel", "barcode": "4006381333931", "is_storable": True})

        self.sync_listings()

        self.assertEqual(self.offers("SIM-EAN-910", self.marketplace_de).product_id, towel)
        self.assertEqual((order.state, order.amazon_awaiting_mapping), ("sale", False))
        self.assertEqual(order.picking_ids.move_ids.product_id, towel)
        self.assertFalse(self.offers("SIM-EAN-910", self.marketplace_de).with_context(
            active_test=True).activity_ids)

    def test_cancelled_while_waiting(self):
        """Test that an order cancelled on Amazon while it waits is cancelled, not confirmed."""
        self.sync_orders(self.account)
        order = self.order("302-1000001-0000001")
        self.env["amazon.seller.order.import"]._update_order(order, {
            **self._values_of(order), "status": "CANCELLED"})
        self.assertEqual((order.state, order.amazon_awaiting_mapping), ("cancel", False))
        self.offers("SIM-NEW-900").product_id = self.env["product.product"].create(
            {"name": "Teapot", "is_storable": True})
        self.assertEqual(order.state, "cancel")

    @staticmethod
    def _values_of(order):
        return {"status": order.amazon_status, "last_updated": order.amazon_last_update,
                "ship_by": order.amazon_ship_by, "deliver_by": order.amazon_deliver_by,
                "buyer": {"name": "", "company_name": ""}, "address": {"name": ""},
                "lines": []}


def load_placeholder_migration():
    """migrations/19.0.1.2.0/post-migrate.py (its folder name is no Python package name)."""
    path = os.path.join(os.path.dirname(__file__), os.pardir, "migrations", "19.0.1.2.0",
                        "post-migrate.py")
    spec = importlib.util.spec_from_file_location("amazon_seller_post_migrate_1_2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestPlaceholderMigration(ReplayCase):
    """Databases of 19.0.1.1.0: orders confirmed with the placeholder product of unmapped SKUs."""

    @classmethod
    def replay_orders(cls):
        return [
            make_order("302-2000001-0000001", items=(("OLD-SKU", 2, "12.00"),)),
            make_order("302-2000002-0000002", fulfilled_by="AMAZON", status="SHIPPED",
                       items=(("OLD-FBA", 1, "30.00"),)),
            make_order("302-2000003-0000003", items=(("MAPPED-LATER", 1, "8.00"),)),
        ]

    def order(self, ref):
        return self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)])

    def offer(self, sku):
        return self.env["amazon.seller.offer"].search(
            [("account_id", "=", self.account.id), ("sku", "=", sku)])

    def make_it_old(self):
        """What 19.0.1.1.0 left: offers on the placeholder (with the activity it scheduled),
        orders confirmed with it (FBA ones delivered)."""
        placeholder = self.env.ref("amazon_seller.product_amazon_placeholder")
        self.sync_orders(self.account)
        orders = self.order("302-2000001-0000001") | self.order("302-2000002-0000002") \
            | self.order("302-2000003-0000003")
        offers = orders.order_line.amazon_offer_id
        self.env.cr.execute("UPDATE amazon_seller_offer SET product_id = %s WHERE id IN %s",
                            [placeholder.id, tuple(offers.ids)])
        self.env.invalidate_all()
        orders.amazon_awaiting_mapping = False
        self.env["amazon.seller.order.import"]._confirm_imported(orders)
        self.later = self.env["product.product"].create({"name": "Later", "is_storable": True})
        self.env.cr.execute("UPDATE amazon_seller_offer SET product_id = %s WHERE id = %s",
                            [self.later.id, self.offer("MAPPED-LATER").id])
        self.env.invalidate_all()
        return orders

    def test_open_placeholder_orders_wait_again_and_shipped_ones_stay(self):
        """Test that the migration reopens unshipped placeholder orders for mapping, completes
        those mapped since, and leaves shipped ones."""
        fbm, fba, mapped_later = self.make_it_old()
        self.assertEqual((fbm.state, fba.state, fbm.picking_ids.state), ("sale", "sale", "assigned"))
        old_picking = fbm.picking_ids

        load_placeholder_migration().migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()

        self.assertFalse(self.offer("OLD-SKU").product_id)
        self.assertFalse(self.offer("OLD-FBA").product_id)
        self.assertEqual((fbm.state, fbm.amazon_awaiting_mapping, old_picking.state),
                         ("draft", True, "cancel"))
        self.assertEqual(len(self.offer("OLD-SKU").activity_ids), 1)
        self.assertEqual((fba.state, fba.amazon_awaiting_mapping), ("sale", False))
        self.assertIn("already shipped", fba.message_ids[0].body)
        self.assertEqual((mapped_later.state, mapped_later.amazon_awaiting_mapping),
                         ("sale", False))
        self.assertEqual(mapped_later.order_line.filtered("amazon_order_item_id").product_id,
                         self.later)
        self.assertEqual(mapped_later.picking_ids.filtered(
            lambda p: p.state != "cancel").move_ids.product_id, self.later)

        product = self.env["product.product"].create(
            {"name": "Old thing", "default_code": "OLD-SKU", "is_storable": True})
        self.assertEqual(fbm.state, "sale")
        self.assertEqual(fbm.picking_ids.filtered(lambda p: p.state != "cancel").move_ids.product_id,
                         product)
        self.assertAlmostEqual(fbm.amount_total, 24.0)
