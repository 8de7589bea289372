from odoo.tests import tagged

from .common import ReplayCase, SimulatorCase
from .orders import make_order

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"


@tagged("post_install", "-at_install")
class TestInventoryPull(SimulatorCase):
    """FBA inventory summaries read from the simulator adjust the FBA location."""

    simulator_options = {"orders": 40, "seed": 5, "rate_limits": False}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.sync_enabled = True
        for sku, quantity in (("PULL-A", 7), ("LATER-A", 7), ("TWIN-1", 4), ("TWIN-2", 5),
                              ("BOTH-1", 6), ("UNKNOWN-9", 3)):
            cls.simulator.add_products(US, [sku], fba_quantity=quantity)
        Product = cls.env["product.product"]
        cls.pull_a = Product.create({"name": "Pull A", "is_storable": True})
        cls.later_a = Product.create({"name": "Later A", "is_storable": True})
        cls.twin = Product.create({"name": "Twin", "is_storable": True})
        cls.both = Product.create({"name": "Both channels", "is_storable": True})
        Offer = cls.env["amazon.seller.offer"]
        us = cls.marketplace_us
        cls.offer_a = Offer.create({"account_id": cls.account.id, "marketplace_id": us.id,
                                    "sku": "PULL-A", "fulfillment_channel": "fba",
                                    "product_id": cls.pull_a.id})
        cls.offer_later = Offer.create({"account_id": cls.account.id, "marketplace_id": us.id,
                                        "sku": "LATER-A", "fulfillment_channel": "fba",
                                        "product_id": cls.later_a.id})
        Offer.create([{"account_id": cls.account.id, "marketplace_id": us.id, "sku": sku,
                       "fulfillment_channel": "fba", "product_id": cls.twin.id}
                      for sku in ("TWIN-1", "TWIN-2")])
        Offer.create([{"account_id": cls.account.id, "marketplace_id": us.id, "sku": "BOTH-1",
                       "fulfillment_channel": channel, "product_id": cls.both.id}
                      for channel in ("fba", "fbm")])
        # the catalogue's FBA SKUs (US and CA), whose stock moves with the scenario's orders
        cls.catalogue_products = {}
        for entry in cls.simulator.catalogue():
            product = Product.create({"name": entry["title"], "is_storable": True})
            cls.catalogue_products[entry["sku"]] = product
            Offer.create([{"account_id": cls.account.id, "marketplace_id": marketplace.id,
                           "sku": entry["sku"], "fulfillment_channel": "fba",
                           "product_id": product.id}
                          for marketplace, code in ((us, "US"), (cls.marketplace_ca, "CA"))
                          if entry["offers"][code]["channel"] == "FBA"])
        cls.fba = cls.account.fba_location_id
        cls.warehouse = cls.account.warehouse_id
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.pull_a, cls.fba, 2)
        Quant._update_available_quantity(cls.both, cls.warehouse.lot_stock_id, 20)

    def pull(self):
        return self.env["amazon.seller.inventory.import"]._run_now(self.account)

    def qty(self, product, location=None):
        return product.with_context(location=(location or self.fba).id).qty_available

    def amazon_fulfillable(self):
        """{sku: fulfillable units} of US and CA together, as the simulator serves them now."""
        totals = {}
        for marketplace_id in (US, CA):
            for row in self.simulator.inventory(marketplace_id):
                totals[row["sku"]] = totals.get(row["sku"], 0) + row["fulfillable"]
        return totals

    def assert_catalogue_matches_amazon(self):
        amazon = self.amazon_fulfillable()
        for sku, product in self.catalogue_products.items():
            self.assertEqual(self.qty(product), amazon.get(sku, 0), sku)

    def test_location_equals_amazon_fulfillable(self):
        """Test that the pull brings the FBA location to Amazon's fulfillable quantities, with an
        inventory adjustment naming the account, SKUs of one product adding up."""
        self.pull()
        self.assertEqual(self.qty(self.pull_a), 7)
        self.assertEqual(self.qty(self.twin), 9, "TWIN-1 (4) and TWIN-2 (5) add up")
        self.assertEqual(self.twin.product_tmpl_id.amazon_fba_qty, 9)
        action = self.twin.product_tmpl_id.action_amazon_fba_stock()
        self.assertEqual(self.env["stock.quant"].search(action["domain"]).mapped("quantity"), [9])
        self.assert_catalogue_matches_amazon()
        move = self.env["stock.move"].search([("product_id", "=", self.pull_a.id),
                                              ("is_inventory", "=", True)])
        self.assertEqual(move.product_uom_qty, 5)
        self.assertEqual(move.state, "done")
        self.assertIn("Amazon FBA inventory: Test Seller NA", move.reference)
        state = self.account._flow_state("inventory")
        self.assertFalse(state.failed)
        self.assertIn("1 unknown SKUs", state.last_message)

    def test_same_sku_fba_and_fbm_keep_separate_stock(self):
        """Test that the FBA pull leaves the warehouse of the FBM offer of the same SKU alone."""
        self.pull()
        self.assertEqual(self.qty(self.both), 6)
        self.assertEqual(self.qty(self.both, self.warehouse.lot_stock_id), 20)

    def test_unknown_sku_is_listed(self):
        """Test that a SKU Amazon stocks but no FBA offer maps becomes a synchronisation error."""
        self.pull()
        error = self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", self.account.id), ("flow", "=", "inventory")])
        self.assertEqual(error.mapped("amazon_ref"), ["UNKNOWN-9"])
        self.assertIn("UNKNOWN-9", self.account._flow_state("inventory").last_message)
        self.env["amazon.seller.offer"].create({
            "account_id": self.account.id, "marketplace_id": self.marketplace_us.id,
            "sku": "UNKNOWN-9", "fulfillment_channel": "fba", "product_id": self.twin.id})
        self.pull()
        self.assertEqual(error.state, "resolved")
        self.assertEqual(self.qty(self.twin), 12)

    def test_unreadable_summary_keeps_its_stock(self):
        """Test that a summary Amazon sends with an impossible quantity is recorded with its SKU
        and leaves its product's stock alone, while the others are adjusted."""
        broken = self.env["product.product"].create({"name": "Broken", "is_storable": True})
        self.env["amazon.seller.offer"].create({
            "account_id": self.account.id, "marketplace_id": self.marketplace_us.id,
            "sku": "BAD-1", "fulfillment_channel": "fba", "product_id": broken.id})
        self.env["stock.quant"]._update_available_quantity(broken, self.fba, 4)
        self.simulator.add_products(US, ["BAD-1"], fba_quantity=-3)
        try:
            self.pull()
        finally:
            del self.simulator.scenario.fba_initial[("US", "BAD-1")]
        self.assertEqual(self.qty(broken), 4)
        self.assertEqual(self.qty(self.pull_a), 7)
        error = self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", self.account.id), ("amazon_ref", "=", "BAD-1")])
        self.assertIn("fulfillableQuantity -3 is not a whole number", error.message)
        self.assertIn("1 not adjusted", self.account._flow_state("inventory").last_message)

    def test_orders_and_inbound_stock_move_with_simulated_time(self):
        """Test that after FBA orders ship and an inbound shipment is received, a new pull
        follows Amazon again; inbound units show on the offer meanwhile."""
        self.pull()
        self.simulator.add_inbound(US, "LATER-A", 10, ship_in_hours=1, transit_hours=24)
        self.simulator.advance(hours=12)
        self.pull()
        self.assertEqual((self.offer_later.fba_fulfillable_qty, self.offer_later.fba_inbound_qty),
                         (7, 10))
        self.assertEqual(self.qty(self.later_a), 7)
        before = self.amazon_fulfillable()
        self.simulator.advance(days=3)
        after = self.amazon_fulfillable()
        self.assertNotEqual(before, after, "the scenario's FBA orders shipped meanwhile")
        self.pull()
        self.assertEqual((self.offer_later.fba_fulfillable_qty, self.offer_later.fba_inbound_qty),
                         (17, 0))
        self.assertEqual(self.qty(self.later_a), 17)
        self.assert_catalogue_matches_amazon()

    def test_location_per_marketplace(self):
        """Test that with a location per marketplace each marketplace's stock goes to its own
        child location of the FBA location."""
        self.account.fba_location_per_marketplace = True
        self.pull()
        us_location = self.account._fba_location(self.marketplace_us)
        ca_location = self.account._fba_location(self.marketplace_ca)
        self.assertEqual(us_location.location_id, self.fba)
        self.assertNotEqual(us_location, ca_location)
        self.assertEqual(self.qty(self.pull_a, us_location), 7)
        self.assertEqual(self.qty(self.pull_a, ca_location), 0)
        for sku, product in self.catalogue_products.items():
            in_ca = {r["sku"]: r["fulfillable"] for r in self.simulator.inventory(CA)}
            self.assertEqual(product.with_context(location=ca_location.id).qty_available,
                             in_ca.get(sku, 0), sku)

    def test_cron_pulls_every_account(self):
        """Test that the scheduled action pulls the inventory as Odoo runs it."""
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_sync_fba_inventory").method_direct_trigger()
        self.assertEqual(self.qty(self.pull_a), 7)
        self.assertTrue(self.account._flow_state("inventory").last_success)

    def test_every_flow_shows_on_the_account(self):
        """Test that the Synchronisation tab lists the listings, inventory and stock push
        flows from the start."""
        self.assertLessEqual({"listings", "inventory", "stock_push"},
                             set(self.account.flow_state_ids.mapped("flow")))


@tagged("post_install", "-at_install")
class TestSerialNumbersFromAmazon(ReplayCase):
    """FBA orders of serial-tracked products use the serial numbers Amazon shipped."""

    @classmethod
    def replay_orders(cls):
        named = make_order("302-0000011-0000011", fulfilled_by="AMAZON", status="SHIPPED",
                           items=(("SER-1", 1, "99.00"),))
        named["orderItems"][0]["product"]["serialNumbers"] = ["SN-0002"]
        unknown = make_order("302-0000012-0000012", fulfilled_by="AMAZON", status="SHIPPED",
                             items=(("SER-1", 1, "99.00"),))
        unknown["orderItems"][0]["product"]["serialNumbers"] = ["SN-0404"]
        return [named, unknown]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.map_skus(["SER-1"], tracking="serial")["SER-1"]
        fba = cls.account.fba_location_id
        cls.lots = {}
        for name in ("SN-0001", "SN-0002", "SN-0003"):
            lot = cls.env["stock.lot"].create({"name": name, "product_id": cls.product.id})
            cls.lots[name] = lot
            cls.env["stock.quant"]._update_available_quantity(cls.product, fba, 1, lot_id=lot)

    def delivered_lots(self, order_ref):
        order = self.env["sale.order"].search([("amazon_order_ref", "=", order_ref)])
        moves = order.order_line.move_ids
        self.assertEqual(moves.mapped("state"), ["done"], order_ref)
        return moves.move_line_ids.lot_id.mapped("name")

    def test_amazon_serial_number_is_taken_first(self):
        """Test that the serial Amazon names (the second of three) leaves the FBA location, and
        that an unknown one falls back to the available serials."""
        self.sync_orders(self.account)
        self.assertEqual(self.delivered_lots("302-0000011-0000011"), ["SN-0002"])
        fallback = self.delivered_lots("302-0000012-0000012")
        self.assertEqual(len(fallback), 1)
        self.assertIn(fallback[0], ("SN-0001", "SN-0003"))
        line = self.env["sale.order.line"].search(
            [("order_id.amazon_order_ref", "=", "302-0000011-0000011")], limit=1)
        self.assertEqual(line.amazon_serial_numbers, "SN-0002")

    def test_fba_order_of_a_marketplace_leaves_its_location(self):
        """Test that with a location per marketplace FBA orders ship from the marketplace's."""
        self.account.fba_location_per_marketplace = True
        de_location = self.account._fba_location(self.marketplace_de)
        Quant = self.env["stock.quant"]
        for name, lot in self.lots.items():
            Quant._update_available_quantity(self.product, self.account.fba_location_id, -1,
                                             lot_id=lot)
            Quant._update_available_quantity(self.product, de_location, 1, lot_id=lot)
        self.sync_orders(self.account)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", "302-0000011-0000011")])
        line = order.order_line.move_ids.move_line_ids
        self.assertEqual((line.location_id, line.lot_id.name), (de_location, "SN-0002"))
