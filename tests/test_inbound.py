"""Sending stock to FBA through the simulator (Fulfillment Inbound 2024-03-20, v0 getLabels and
getShipmentItemsByShipmentId): the plan, Amazon's packing and placement options with their
fees, the shipments with their labels and the warehouse's transfer to *Amazon inbound in
transit*, Amazon's receipts into the FBA location, discrepancies, and the inbound fees of the
settlements pointing at the shipment."""

from decimal import Decimal

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..formats.inbound_mapper import box_groupings, read_options, read_receipts
from .common import ReplayCase


@tagged("post_install", "-at_install")
class TestInboundShipments(ReplayCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.us_account("Inbound Seller")
        cls.simulator.scenario.add_products("US", ["SIM-MUG-100", "SIM-TEA-200"],
                                            fba_quantity=5)
        cls.mug, cls.tea = (cls.env["product.product"].create({
            "name": name, "default_code": code, "is_storable": True, "weight": weight,
            "taxes_id": [Command.clear()]}) for name, code, weight in (
            ("Mug", "MUG-100", 0.4), ("Tea", "TEA-200", 0.25)))
        cls.env["amazon.seller.offer"].create([{
            "account_id": cls.account.id, "marketplace_id": cls.marketplace_us.id, "sku": sku,
            "fulfillment_channel": "fba", "product_id": product.id}
            for sku, product in (("SIM-MUG-100", cls.mug), ("SIM-TEA-200", cls.tea))])
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1)
        cls.warehouse.partner_id.write({
            "street": "400 Pine St", "city": "Seattle", "zip": "98101",
            "state_id": cls.env.ref("base.state_us_48").id,
            "country_id": cls.env.ref("base.us").id, "phone": "+12065550199"})
        for product in (cls.mug, cls.tea):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 100)

    def new_plan(self, quantities=(("mug", 30), ("tea", 12))):
        return self.env["amazon.seller.inbound"].create({
            "name": "Spring restock", "account_id": self.account.id,
            "marketplace_id": self.marketplace_us.id, "warehouse_id": self.warehouse.id,
            "line_ids": [Command.create({"product_id": getattr(self, name).id,
                                         "quantity": quantity})
                         for name, quantity in quantities]})

    def ship_plan(self, plan):
        """The plan through Amazon's steps: the first packing option, the placement option
        with the fewest shipments."""
        plan.action_send_to_amazon()
        plan.packing_option_ids[:1].action_choose()
        plan.placement_option_ids.sorted("shipment_count")[:1].action_choose()
        return plan

    def run_inbound(self):
        return self.env["amazon.seller.inbound.sync"]._run_now(self.account)

    def test_plan_to_fba_stock(self):
        """Test the whole way: options with Amazon's fees, shipments with FBA ids and PDF labels,
        the warehouse's transfer into transit, Amazon's receipts into the FBA stock."""
        plan = self.new_plan()
        plan.action_send_to_amazon()
        self.assertEqual(plan.state, "packing")
        self.assertTrue(plan.plan_ref.startswith("wf"))
        self.assertTrue(plan.packing_option_ids)
        plan.packing_option_ids[:1].action_choose()
        self.assertEqual(plan.state, "placement")
        self.assertGreaterEqual(plan.box_count, 1)
        self.assertGreaterEqual(len(plan.placement_option_ids), 2,
                                "Amazon offers several placements")
        self.assertTrue(any(option.fee > 0 for option in plan.placement_option_ids),
                        "fewer shipments cost a placement fee")
        single = plan.placement_option_ids.sorted("shipment_count")[:1]
        single.action_choose()
        self.assertEqual(plan.state, "ready")
        shipment = plan.shipment_ids
        self.assertEqual(len(shipment), single.shipment_count)
        self.assertRegex(shipment[0].confirmation_ref, r"^FBA[0-9A-Z]+$")
        self.assertEqual(sorted(shipment.item_ids.mapped(lambda i: (i.sku, i.quantity))),
                         [("SIM-MUG-100", 30), ("SIM-TEA-200", 12)])
        self.assertTrue(shipment.label_attachment_id.raw.startswith(b"%PDF"))
        self.assertGreaterEqual(plan.fees, single.fee)

        transfer = shipment.picking_id
        transit = self.account.inbound_transit_location_id
        self.assertEqual((transfer.location_id, transfer.location_dest_id, transfer.state,
                          transfer.origin),
                         (self.warehouse.lot_stock_id, transit, "assigned",
                          shipment.confirmation_ref))
        self.assertEqual(self.run_inbound()["followed"], 0, "nothing left the warehouse yet")
        transfer.button_validate()
        self.assertEqual(plan.state, "shipped")
        self.assertEqual(self.mug.product_tmpl_id.amazon_fba_transit_qty, 30.0)

        fba = self.account.fba_location_id
        self.simulator.ship_inbound_shipment(shipment.confirmation_ref)
        self.simulator.receive_inbound_shipment(
            shipment.confirmation_ref, quantities={"SIM-MUG-100": 20, "SIM-TEA-200": 0},
            close=False)
        stats = self.run_inbound()
        self.assertEqual((stats["followed"], stats["units"]), (1, 20))
        self.assertEqual(self.mug.with_context(location=fba.id).qty_available, 20.0)
        self.assertEqual(self.mug.with_context(location=transit.id).qty_available, 10.0)
        self.assertFalse(plan.has_discrepancy, "Amazon is still counting")

        self.simulator.receive_inbound_shipment(
            shipment.confirmation_ref, quantities={"SIM-MUG-100": 29, "SIM-TEA-200": 12})
        stats = self.run_inbound()
        self.assertEqual((stats["units"], stats["closed"], stats["discrepancies"]), (21, 1, 1))
        self.assertEqual(self.mug.with_context(location=fba.id).qty_available, 29.0)
        self.assertEqual(self.tea.with_context(location=fba.id).qty_available, 12.0)
        self.assertEqual((plan.state, plan.has_discrepancy, plan.received_qty), ("done", True, 41))
        mug_item = shipment.item_ids.filtered(lambda item: item.sku == "SIM-MUG-100")
        self.assertEqual(mug_item.difference, -1)
        self.assertIn("Amazon received other quantities", plan.activity_ids.summary)
        self.assertEqual(self.run_inbound()["followed"], 0, "a closed shipment is left alone")
        self.assertEqual(self.mug.with_context(location=fba.id).qty_available, 29.0,
                         "receipts are booked once")
        self.account.invalidate_recordset()
        self.assertEqual(self.account.dashboard_inbound_discrepancies, 1)
        action = self.account.action_view_inbound_discrepancies()
        self.assertEqual(self.env["amazon.seller.inbound"].search(action["domain"]), plan)

    def test_inventory_pull_moves_received_units_from_transit_once(self):
        """Test that an FBA inventory pull after Amazon received a shipment books the receipt
        first: the units come out of transit, not from an inventory gain on top of them."""
        plan = self.ship_plan(self.new_plan((("tea", 8),)))
        shipment = plan.shipment_ids
        shipment.picking_id.button_validate()
        self.simulator.receive_inbound_shipment(shipment.confirmation_ref)
        self.env["amazon.seller.inventory.import"]._run_now(self.account)
        fba, transit = self.account.fba_location_id, self.account.inbound_transit_location_id
        self.assertEqual(self.tea.with_context(location=transit.id).qty_available, 0.0)
        self.assertEqual(self.tea.with_context(location=fba.id).qty_available, 13.0,
                         "Amazon's 5 units and the 8 received")
        gains = self.env["stock.move"].search([
            ("product_id", "=", self.tea.id), ("is_inventory", "=", True),
            ("location_dest_id", "=", fba.id)])
        self.assertEqual(sum(gains.mapped("quantity")), 5.0, "only Amazon's own 5 are a gain")
        self.assertEqual(plan.state, "done")

    def test_inbound_fees_of_a_settlement_point_at_the_shipment(self):
        """Test that Amazon's placement and carrier fee rows, which name the FBA shipment id,
        point at the shipment."""
        plan = self.ship_plan(self.new_plan((("mug", 6),)))
        fba_id = plan.shipment_ids[:1].confirmation_ref
        header = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                  "total-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\t"
                  "marketplace-name\tamount-type\tamount-description\tamount\tposted-date")
        content = "\n".join([
            header, "S-INB\t2026-11-01 00:00:00 UTC\t2026-11-14 23:59:59 UTC\t"
                    "2026-11-16 00:00:00 UTC\t-9.75\tUSD\t\t\t\t\t\t\t\t",
            f"S-INB\t\t\t\t\tUSD\tother-transaction\t{fba_id}\t\tAmazon.com\t"
            "other-transaction\tFBA Inbound Placement Service Fee\t-1.68\t2026-11-10 10:00:00 UTC",
            f"S-INB\t\t\t\t\tUSD\tother-transaction\t{fba_id}\t\tAmazon.com\t"
            "other-transaction\tFBAInboundTransportationFee\t-8.07\t2026-11-10 10:00:00 UTC",
        ]).encode()
        self.env["amazon.seller.settlement.import"]._import_file(self.account, content, "inb.txt")
        lines = self.env["amazon.seller.settlement.line"].search(
            [("order_ref", "=", fba_id)])
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines.inbound_shipment_id, plan.shipment_ids[:1])
        self.assertEqual(plan.shipment_ids[:1].fee_line_count, 2)

    def test_amazon_refusing_an_sku_names_it(self):
        """Test that an SKU Amazon does not know stops the plan with its name, the plan still a
        draft to correct."""
        stranger = self.env["product.product"].create({"name": "Kettle", "is_storable": True})
        self.env["amazon.seller.offer"].create({
            "account_id": self.account.id, "marketplace_id": self.marketplace_us.id,
            "sku": "NOT-AT-AMAZON", "fulfillment_channel": "fba", "product_id": stranger.id})
        plan = self.env["amazon.seller.inbound"].create({
            "account_id": self.account.id, "marketplace_id": self.marketplace_us.id,
            "warehouse_id": self.warehouse.id,
            "line_ids": [Command.create({"product_id": stranger.id, "quantity": 3})]})
        with self.assertRaisesRegex(UserError, "NOT-AT-AMAZON"):
            with self.env.cr.savepoint():
                plan.action_send_to_amazon()
        self.assertEqual(plan.state, "draft")

    def test_products_without_fba_sku_or_address_are_refused_before_amazon(self):
        """Test the checks Odoo makes before asking Amazon."""
        loose = self.env["product.product"].create({"name": "Spoon", "is_storable": True})
        plan = self.env["amazon.seller.inbound"].create({
            "account_id": self.account.id, "marketplace_id": self.marketplace_us.id,
            "warehouse_id": self.warehouse.id,
            "line_ids": [Command.create({"product_id": loose.id, "quantity": 3})]})
        with self.assertRaisesRegex(UserError, "Spoon has no FBA offer"):
            plan.action_send_to_amazon()
        plan.line_ids.product_id = self.mug
        phone = self.warehouse.partner_id.phone
        self.warehouse.partner_id.phone = False
        self.env.company.phone = False
        with self.assertRaisesRegex(UserError, "lacks a street, city, ZIP, country or phone"):
            plan.action_send_to_amazon()
        self.warehouse.partner_id.phone = phone
        self.assertFalse(plan.plan_ref)

    def test_reading_amazons_answers(self):
        """Test the mapper: net fees (fees less discounts), the partnered carrier's quote, boxes
        under Amazon's weight limit, v0 receipts added up per SKU."""
        optimized, single = read_options("placement", [
            {"placementOptionId": "pl1", "shipmentIds": ["sh1", "sh2", "sh3"], "status": "OFFERED",
             "fees": [{"type": "FEE", "target": "Placement Services",
                       "value": {"amount": 0, "code": "USD"}}],
             "discounts": [{"type": "DISCOUNT", "value": {"amount": 5.5, "code": "USD"}}]},
            {"placementOptionId": "pl2", "shipmentIds": ["sh4"], "status": "OFFERED",
             "fees": [{"type": "FEE", "value": {"amount": 12.6, "code": "USD"}}]}])
        self.assertEqual((optimized.fee, optimized.shipment_refs, single.fee, single.currency),
                         (Decimal("-5.5"), ["sh1", "sh2", "sh3"], Decimal("12.6"), "USD"))
        carrier = read_options("transportation", [
            {"transportationOptionId": "to1", "shipmentId": "sh4",
             "shippingSolution": "AMAZON_PARTNERED_CARRIER", "carrier": {"name": "UPS"},
             "quote": {"cost": {"amount": 8.07, "code": "USD"}}}])[0]
        self.assertEqual((carrier.fee, carrier.carrier, carrier.partnered),
                         (Decimal("8.07"), "UPS", True))
        boxes = box_groupings({"pg1": [("MUG", 60)]}, {"MUG": Decimal("0.4")}, (40, 30, 30))
        self.assertEqual([box["items"][0]["quantity"] for box in boxes[0]["boxes"]], [30, 30],
                         "24 kg go in two boxes of 12 kg")
        self.assertEqual(boxes[0]["boxes"][0]["weight"], {"unit": "KG", "value": 12.0})
        self.assertEqual(read_receipts([
            {"SellerSKU": "MUG", "QuantityShipped": 30, "QuantityReceived": 20},
            {"SellerSKU": "MUG", "QuantityShipped": 5, "QuantityReceived": 5}]),
            {"MUG": (35, 25)})
