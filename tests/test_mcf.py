"""Multi-Channel Fulfilment through the simulator: a web-shop order of a warehouse fulfilled by
Amazon is sent with createFulfillmentOrder, reserved in the FBA stock, validated with Amazon's
tracking number once Amazon ships it, cancelled at Amazon while it can be; refusals say why;
Amazon's MCF fees of the settlements show on the order."""

from odoo import Command
from odoo.tests import tagged

from ..formats.fulfillment_mapper import read_fulfillment_order, seller_order_id
from .common import ReplayCase


@tagged("post_install", "-at_install")
class TestMultiChannelFulfilment(ReplayCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.us_account("Lamp Seller")
        cls.simulator.scenario.add_products("US", ["SIM-LMP-300"], fba_quantity=10)
        cls.lamp = cls.env["product.product"].create({
            "name": "Desk lamp", "default_code": "LAMP-300", "is_storable": True,
            "taxes_id": [Command.clear()]})
        cls.env["amazon.seller.offer"].create({
            "account_id": cls.account.id, "marketplace_id": cls.marketplace_us.id,
            "sku": "SIM-LMP-300", "fulfillment_channel": "fba", "product_id": cls.lamp.id})
        cls.env["stock.quant"]._update_available_quantity(cls.lamp, cls.account.fba_location_id, 10)
        cls.warehouse = cls.env["stock.warehouse"].create({
            "name": "Amazon fulfilled", "code": "AFN", "amazon_mcf_account_id": cls.account.id})
        cls.customer = cls.env["res.partner"].create({
            "name": "Jane Doe", "street": "1 Main St", "city": "Seattle", "zip": "98101",
            "state_id": cls.env.ref("base.state_us_48").id,
            "country_id": cls.env.ref("base.us").id, "phone": "+12065550100"})

    def web_order(self, quantity=2, product=None):
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "warehouse_id": self.warehouse.id,
            "order_line": [Command.create({"product_id": (product or self.lamp).id,
                                           "product_uom_qty": quantity, "price_unit": 25.0})]})
        order.action_confirm()
        return order

    def run_mcf(self):
        return self.env["amazon.seller.mcf.export"]._run_now(self.account)

    def test_order_sent_then_validated_with_amazons_tracking(self):
        """Test that the delivery goes to Amazon by SKU and address, leaves from the FBA stock,
        and is done with Amazon's quantities and tracking number once Amazon ships it."""
        order = self.web_order()
        picking = order.picking_ids
        stats = self.run_mcf()
        self.assertEqual(stats["sent"], 1)
        ref = seller_order_id(picking.name)
        self.assertEqual((picking.amazon_mcf_state, picking.amazon_mcf_ref,
                          picking.location_id, picking.state),
                         ("sent", ref, self.account.fba_location_id, "assigned"))
        sent = self.simulator.fulfillment_order(ref)
        request = sent["fulfillmentOrder"]
        self.assertEqual((request["displayableOrderId"], request["shippingSpeedCategory"],
                          request["destinationAddress"]["postalCode"],
                          request["destinationAddress"]["stateOrRegion"]),
                         (order.name, "Standard", "98101", "WA"))
        self.assertEqual([(item["sellerSku"], item["quantity"])
                          for item in sent["fulfillmentOrderItems"]], [("SIM-LMP-300", 2)])
        self.assertEqual(self.run_mcf()["shipped"], 0, "not shipped yet")
        self.simulator.ship_fulfillment_order(ref, carrier="USPS",
                                              tracking_number="9202972595787879766396")
        stats = self.run_mcf()
        self.assertEqual(stats["shipped"], 1)
        self.assertEqual((picking.state, picking.amazon_mcf_state, picking.carrier_tracking_ref),
                         ("done", "shipped", "9202972595787879766396"))
        self.assertEqual(order.order_line.qty_delivered, 2.0)
        self.assertEqual(self.lamp.with_context(
            location=self.account.fba_location_id.id).qty_available, 8.0)
        header = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                  "total-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\t"
                  "marketplace-name\tamount-type\tamount-description\tamount\tposted-date")
        content = "\n".join([
            header, "S-MCF\t2026-11-01 00:00:00 UTC\t2026-11-14 23:59:59 UTC\t"
                    "2026-11-16 00:00:00 UTC\t-12.36\tUSD\t\t\t\t\t\t\t\t",
            f"S-MCF\t\t\t\t\tUSD\tOrder\tS01-5593005-0561513\t{ref}\tNon-Amazon US\t"
            "ItemFees\tFBAPerUnitFulfillmentFee\t-9.89\t2026-11-10 10:00:00 UTC",
            f"S-MCF\t\t\t\t\tUSD\tOrder\tS01-5593005-0561513\t{ref}\tNon-Amazon US\t"
            "Shipment-Fees\tFBA transportation fee\t-2.47\t2026-11-10 10:00:00 UTC"]).encode()
        self.env["amazon.seller.settlement.import"]._import_file(self.account, content, "mcf.txt")
        order.invalidate_recordset()
        self.assertEqual((order.amazon_settlement_line_count, round(order.amazon_fee_total, 2)),
                         (2, -12.36), "Amazon's MCF fees show on the web-shop order")

    def test_partial_shipment_makes_no_backorder(self):
        """Test that what Amazon shipped is what the delivery says, without a backorder."""
        order = self.web_order(quantity=3)
        picking = order.picking_ids
        self.run_mcf()
        item = str(picking.move_ids.id)
        self.simulator.ship_fulfillment_order(picking.amazon_mcf_ref, quantities={item: 1})
        self.run_mcf()
        self.assertEqual((picking.state, order.order_line.qty_delivered), ("done", 1.0))
        self.assertEqual(len(order.picking_ids), 1, "no backorder")

    def test_refused_delivery_says_why_and_can_be_sent_again(self):
        """Test that a product without FBA SKU is refused before Amazon with the reason, and
        that an unfulfillable order and a cancelled one stop with an activity."""
        other = self.env["product.product"].create({"name": "Shade", "is_storable": True})
        refused = self.web_order(product=other).picking_ids
        self.run_mcf()
        self.assertEqual(refused.amazon_mcf_state, "error")
        self.assertIn("has no FBA offer (SKU)", refused.amazon_mcf_message)
        self.assertTrue(refused.activity_ids)
        refused.action_amazon_mcf_send_again()
        self.assertFalse(refused.amazon_mcf_state)

        cancelled = self.web_order(quantity=1).picking_ids
        self.run_mcf()
        cancelled.action_amazon_mcf_cancel()
        self.assertEqual(self.simulator.fulfillment_order(cancelled.amazon_mcf_ref)[
            "fulfillmentOrder"]["fulfillmentOrderStatus"], "Cancelled")
        self.assertEqual(cancelled.amazon_mcf_state, "stopped")

    def test_reading_amazons_answer(self):
        """Test the mapper on Amazon's shipped answer: CamelCase status, units per item,
        packages' tracking numbers."""
        state = read_fulfillment_order({
            "fulfillmentOrder": {"fulfillmentOrderStatus": "CompletePartialled"},
            "fulfillmentShipments": [
                {"amazonShipmentId": "DmK7SivNu", "fulfillmentShipmentStatus": "SHIPPED",
                 "fulfillmentShipmentItem": [{"sellerFulfillmentOrderItemId": "L1",
                                              "quantity": 2, "packageNumber": 1}],
                 "fulfillmentShipmentPackage": [{"packageNumber": 1, "carrierCode": "USPS",
                                                 "trackingNumber": "92029725"}]},
                {"amazonShipmentId": "X", "fulfillmentShipmentStatus": "PENDING",
                 "fulfillmentShipmentItem": [{"sellerFulfillmentOrderItemId": "L1",
                                              "quantity": 1}]}]})
        self.assertEqual((state.status, state.shipped, state.trackings, state.shipment_ids),
                         ("COMPLETEPARTIALLED", {"L1": 2}, [("USPS", "92029725")],
                          ["DmK7SivNu"]))
        self.assertEqual(seller_order_id("AFN/OUT/00012"), "AFN-OUT-00012")

    def test_preview_shows_cost_and_dates_before_sending(self):
        """Test that Amazon's preview names each speed with its fee, and says why Amazon cannot
        ship more than it holds."""
        picking = self.web_order(quantity=2).picking_ids
        picking.action_amazon_mcf_preview()
        preview = picking.amazon_mcf_preview
        for speed in ("Standard", "Expedited", "Priority"):
            self.assertIn(speed, preview)
        self.assertIn("USD, ships by", preview)
        self.assertFalse(picking.amazon_mcf_state, "a preview sends nothing")
        too_many = self.web_order(quantity=50).picking_ids
        too_many.action_amazon_mcf_preview()
        self.assertIn("Amazon cannot ship it: SIM-LMP-300 (InventoryUnavailable)",
                      too_many.amazon_mcf_preview)
