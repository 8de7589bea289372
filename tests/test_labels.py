"""Amazon Buy Shipping labels through the simulator (Shipping API v2): the carriers' rates for
a delivery's package, the label bought and attached with its tracking number, Amazon knowing
the shipment without confirmShipment, a batch printed as one document, refusals, voiding."""

from datetime import datetime, timedelta, timezone
import io

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import ReplayCase
from .orders import make_order

ORDERS = ["111-2000001-0000001", "111-2000002-0000002", "111-2000003-0000003"]


def us_order(order_id):
    """An amazon.com FBM order of yesterday, due tomorrow (within Amazon's messaging window)."""
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    stamp = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    order = make_order(order_id, market="US", items=(("LAMP", 2, "20.00"),),
                       buyer_name="Jane Doe", updated=stamp(yesterday))
    order["createdTime"] = stamp(yesterday)
    order["fulfillment"]["shipByWindow"]["latestDateTime"] = stamp(yesterday + timedelta(days=2))
    order["fulfillment"]["deliverByWindow"]["latestDateTime"] = stamp(
        yesterday + timedelta(days=6))
    order["recipient"]["deliveryAddress"].update({
        "addressLine1": "1 Main St", "city": "Seattle", "stateOrRegion": "WA",
        "postalCode": "98101"})
    return order


@tagged("post_install", "-at_install")
class TestBuyShipping(ReplayCase):

    @classmethod
    def replay_orders(cls):
        return [us_order(order_id) for order_id in ORDERS]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.active = False
        cls.account = cls.us_account("Label Seller")
        lamp = cls.env["product.product"].create({
            "name": "Lamp", "default_code": "LAMP", "is_storable": True, "weight": 0.8,
            "taxes_id": [Command.clear()]})
        cls.env["amazon.seller.offer"].create({
            "account_id": cls.account.id, "marketplace_id": cls.marketplace_us.id, "sku": "LAMP",
            "fulfillment_channel": "fbm", "product_id": lamp.id})
        warehouse = cls.account.warehouse_id
        warehouse.partner_id.write({
            "street": "400 Pine St", "city": "Seattle", "zip": "98101",
            "state_id": cls.env.ref("base.state_us_48").id,
            "country_id": cls.env.ref("base.us").id, "phone": "+12065550199"})
        cls.env["stock.quant"]._update_available_quantity(lamp, warehouse.lot_stock_id, 50)
        cls.env["amazon.seller.order.import"]._run_now(cls.account)
        cls.pickings = {order.amazon_order_ref: order.picking_ids for order in
                        cls.env["sale.order"].search([("amazon_account_id", "=", cls.account.id)])}

    def test_rates_then_label_then_shipped_without_confirmation(self):
        """Test the rates of the package (products' weight), the label bought with one of them,
        and that Amazon knows the shipment: no confirmShipment once the delivery is done."""
        picking = self.pickings[ORDERS[0]]
        self.assertAlmostEqual(picking.amazon_package_weight, 1.6)
        wizard = self.env["amazon.seller.label.wizard"].browse(
            picking.action_amazon_label_rates()["res_id"])
        self.assertEqual(wizard.line_ids.mapped("service"),
                         ["USPS Ground Advantage", "UPS Ground", "UPS 2nd Day Air"])
        self.assertTrue(all(line.currency == "USD" and line.charge > 0 for line in wizard.line_ids))
        action = wizard.line_ids.filtered(lambda l: l.service == "UPS Ground").action_buy()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(picking.carrier_tracking_ref.startswith("1Z"))
        self.assertTrue(picking.amazon_label_attachment_id.raw.startswith(b"%PDF"))
        self.assertEqual((picking.amazon_label_service, picking.amazon_confirmation_state),
                         ("UPS UPS Ground", "sent"))
        self.assertEqual(self.simulator.order_status(ORDERS[0]), "SHIPPED")
        with self.assertRaisesRegex(UserError, "has its label already"):
            picking.action_amazon_buy_label()
        picking.move_ids.write({"quantity": 2, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.send_confirmations(picking)
        self.assertFalse(self.simulator.calls("confirmShipment"), "Amazon knows it already")

    def test_batch_of_labels_printed_at_once_and_voided(self):
        """Test that buying for several deliveries uses the account's preference (cheapest) and
        opens one PDF of all their labels; a voided label is given back."""
        batch = self.pickings[ORDERS[1]] | self.pickings[ORDERS[2]]
        action = batch.action_amazon_buy_label()
        self.assertEqual(batch.mapped("amazon_label_service"),
                         ["USPS USPS Ground Advantage"] * 2)
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(len(PdfFileReader(io.BytesIO(attachment.raw)).pages), 2,
                         "both labels in one PDF")
        first = batch[0]
        label = first.amazon_label_ref
        first.action_amazon_void_label()
        self.assertFalse(first.amazon_label_ref or first.carrier_tracking_ref)
        voided = [s for s in self.simulator.purchased_shipments() if s["shipmentId"] == label]
        self.assertTrue(voided[0]["cancelled"])
        self.assertEqual(self.simulator.order_status(first.sale_id.amazon_order_ref), "UNSHIPPED")

    def test_refusals_are_said(self):
        """Test Amazon's refusal of a rate request, a cancelled order and a package without
        weight: each a message naming the delivery or order, nothing bought."""
        picking = self.pickings[ORDERS[2]]
        self.simulator.refuse_next_rates("Ship-from address not serviceable.")
        with self.assertRaisesRegex(UserError, "Ship-from address not serviceable"):
            picking.action_amazon_buy_label()
        picking.amazon_package_weight = 0
        with self.assertRaisesRegex(UserError, "give the package's weight"):
            picking.action_amazon_buy_label()
        picking.sale_id.amazon_status = "CANCELLED"
        with self.assertRaisesRegex(UserError, "is cancelled"):
            picking.action_amazon_label_rates()
        self.assertFalse(picking.amazon_label_ref)

    def test_buyer_messages_through_amazon_only(self):
        """Test that the seller writes to the buyer only with the messages Amazon offers for
        the order, sent through Amazon and noted in the chatter (no e-mail to the buyer), and
        that a review is asked for only within Amazon's window."""
        order = self.pickings[ORDERS[0]].sale_id
        context = order.action_amazon_message_buyer()["context"]
        self.assertEqual(context["default_offered"].split(), [
            "confirmCustomizationDetails", "confirmDeliveryDetails", "confirmOrderDetails",
            "unexpectedProblem"], "an unshipped order: no warranty message")
        Wizard = self.env["amazon.seller.message.wizard"].with_context(**context)
        with self.assertRaisesRegex(UserError, "does not offer this message"):
            Wizard.create({"action": "warranty"})
        too_long = Wizard.create({"action": "confirmCustomizationDetails", "text": "x" * 801})
        with self.assertRaisesRegex(UserError, "at most 800 characters"):
            too_long.action_send()
        mails_before = self.env["mail.mail"].search_count([])
        Wizard.create({"action": "confirmOrderDetails", "text": "Blue, right?"}).action_send()
        self.assertEqual(self.simulator.messages_sent(ORDERS[0])[-1][:2],
                         ("confirmOrderDetails", {"text": "Blue, right?"}))
        self.assertIn("Blue, right?", order.message_ids[0].body)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before,
                         "nothing is e-mailed to the buyer")
        with self.assertRaisesRegex(UserError, "from 5 to 30 days after delivery"):
            order.action_amazon_request_review()
        self.assertFalse(order.amazon_review_requested_at)
