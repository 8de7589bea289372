from odoo.tests import tagged

from .common import ReplayCase
from .orders import make_order, money

TIP = "302-4000001-4000001"
GIFT = "302-4000002-4000002"
CUSTOM = "302-4000003-4000003"


def with_tip(order, amount, status):
    """Amazon's order-level DELIVERY_TIP, charged apart from the items and in the grand total."""
    currency = order["proceeds"]["grandTotal"]["currencyCode"]
    total = sum(float(item["proceeds"]["proceedsTotal"]["amount"]) for item in order["orderItems"])
    order["proceeds"] = {
        "grandTotal": money(f"{total + float(amount):.2f}", currency),
        "breakdowns": [{"type": "ITEM", "subtotal": money(f"{total:.2f}", currency)},
                       {"type": "DELIVERY_TIP", "status": status, "subtotal": money(amount, currency)}],
    }
    return order


@tagged("post_install", "-at_install")
class TestOrderData(ReplayCase):
    """All of Amazon's order data: tips, gift messages, companies, promotions, customizations."""

    @classmethod
    def replay_orders(cls):
        gift = make_order(GIFT, items=(("DATA-1", 1, "25.00"),), buyer_name="Léa Taylor")
        gift["orderItems"][0]["fulfillment"]["packing"] = {
            "giftOption": {"giftMessage": "Joyeux anniversaire, Paul !"}}
        gift["orderItems"][0]["promotion"] = {"breakdowns": [{"promotionId": "FREE-SHIP-NOV"}]}
        gift["recipient"]["deliveryAddress"]["companyName"] = "Taylor & Söhne GmbH"
        custom = make_order(CUSTOM, items=(("DATA-1", 1, "30.00"),))
        custom["orderItems"][0]["product"]["customization"] = {
            "customizedUrl": "CUSTOM_URL_PLACEHOLDER"}
        return [with_tip(make_order(TIP, items=(("DATA-1", 2, "10.00"),)), "3.00", "PENDING"),
                gift, custom]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.map_skus(["DATA-1"])

    def order(self, ref):
        return self.env["sale.order"].search([("amazon_order_ref", "=", ref)])

    def importer(self):
        return self.env["amazon.seller.order.import"]

    def test_delivery_tip_is_its_own_line_and_follows_amazon(self):
        """Test that a delivery tip is its own line, never rounding, and follows its updates."""
        self.sync_orders(self.account)
        order = self.order(TIP)
        tip = order.order_line.filtered(lambda l: l.product_id.default_code == "AMAZON-TIP")
        self.assertEqual((tip.price_total, tip.name), (3.0, "Amazon delivery tip (PENDING)"))
        self.assertFalse(order.order_line.filtered(
            lambda l: l.product_id.default_code == "AMAZON-ROUNDING"))
        self.assertEqual(order.amount_total, 23.0)
        finalized = with_tip(make_order(TIP, items=(("DATA-1", 2, "10.00"),),
                                        updated="2026-11-02T10:00:00Z"), "4.50", "FINALIZED")
        stats = self.importer()._import_orders(self.account, [finalized])
        self.assertEqual(stats["updated"], 1)
        self.assertEqual((tip.price_total, tip.name), (4.5, "Amazon delivery tip (FINALIZED)"))
        self.assertEqual(order.amount_total, 24.5)
        self.assertTrue(order.locked, "locked again after the update")

    def test_tip_that_appears_later_gets_a_line(self):
        """Test that a tip arriving after the import adds its line to the order."""
        plain = make_order(TIP, items=(("DATA-1", 2, "10.00"),))
        self.importer()._import_orders(self.account, [plain])
        order = self.order(TIP)
        self.assertEqual(order.amount_total, 20.0)
        later = with_tip(make_order(TIP, items=(("DATA-1", 2, "10.00"),),
                                    updated="2026-11-03T10:00:00Z"), "2.00", "PENDING")
        self.importer()._import_orders(self.account, [later])
        self.assertEqual(order.amount_total, 22.0)
        self.assertEqual(len(order.order_line.filtered(
            lambda l: l.product_id.default_code == "AMAZON-TIP")), 1)

    def test_gift_message_company_and_promotion_ids_are_kept(self):
        """Test that a gift message without gift-wrap charge, the address company and a
        promotion without amount all reach the order and the delivery."""
        self.sync_orders(self.account)
        order = self.order(GIFT)
        line = order.order_line.filtered("amazon_order_item_id")
        self.assertEqual(line.amazon_gift_message, "Joyeux anniversaire, Paul !")
        picking = order.picking_ids
        self.assertIn("Joyeux anniversaire, Paul !", picking.amazon_gift_messages)
        self.assertEqual(order.partner_shipping_id.company_name, "Taylor & Söhne GmbH")
        self.assertEqual(order.amazon_promotion_ids, "FREE-SHIP-NOV")

    def test_buyer_address_is_one_contact(self):
        """Test that the buyer's own address is the buyer, not a "Léa Taylor, Léa Taylor" child,
        and stays one contact over orders."""
        self.sync_orders(self.account)
        order = self.order(GIFT)
        self.assertEqual(order.partner_shipping_id, order.partner_id)
        self.assertEqual(order.partner_id.display_name, "Taylor & Söhne GmbH, Léa Taylor")
        again = make_order("302-4000009-4000009", items=(("DATA-1", 1, "25.00"),),
                           buyer_name="Léa Taylor")
        again["buyer"]["buyerEmail"] = f"{GIFT}@marketplace.amazon.de"
        again["recipient"]["deliveryAddress"]["companyName"] = "Taylor & Söhne GmbH"
        self.importer()._import_orders(self.account, [again])
        self.assertEqual(self.order("302-4000009-4000009").partner_shipping_id, order.partner_id)
        self.assertFalse(order.partner_id.child_ids)

    def test_gift_goes_to_the_recipient_and_is_invoiced_to_the_buyer(self):
        """Test that a parcel for another person carries the recipient's name, company and
        phone on the delivery and its picking, the buyer staying the invoiced partner, and that
        the buyer's own address is taken only from an order the buyer receives."""
        gift = make_order("302-4000010-4000010", items=(("DATA-1", 1, "25.00"),),
                          buyer_name="Paul Martin")
        recipient = gift["recipient"]["deliveryAddress"]
        recipient.update({"name": "Léa Taylor", "companyName": "Taylor & Söhne GmbH",
                          "phone": "+49 30 1234567"})
        self.importer()._import_orders(self.account, [gift])
        order = self.order("302-4000010-4000010")
        delivery = order.partner_shipping_id
        self.assertEqual((order.partner_id.name, order.partner_invoice_id.name),
                         ("Paul Martin", "Paul Martin"))
        self.assertEqual((delivery.name, delivery.company_name, delivery.phone, delivery.street),
                         ("Léa Taylor", "Taylor & Söhne GmbH", "+49 30 1234567", "Hauptstraße 1"))
        self.assertEqual((delivery.parent_id, delivery.type), (order.partner_id, "delivery"))
        self.assertEqual(order.picking_ids.partner_id.name, "Léa Taylor")
        self.assertEqual(order.picking_ids.partner_id._display_address(),
                         "Taylor & Söhne GmbH\nHauptstraße 1\n\n10115 Berlin\nGermany")
        self.assertFalse(order.partner_id.street, "the recipient's street is not the buyer's")
        self.assertEqual(order.partner_id.country_id.code, "DE")

        own = make_order("302-4000011-4000011", items=(("DATA-1", 1, "25.00"),),
                         buyer_name="Paul Martin")
        own["buyer"]["buyerEmail"] = gift["buyer"]["buyerEmail"]
        own["recipient"]["deliveryAddress"]["addressLine1"] = "Lindenallee 7"
        again = make_order("302-4000012-4000012", items=(("DATA-1", 1, "25.00"),),
                           buyer_name="Paul Martin")
        again["buyer"]["buyerEmail"] = gift["buyer"]["buyerEmail"]
        again["recipient"]["deliveryAddress"].update(recipient)
        self.importer()._import_orders(self.account, [own, again])
        self.assertEqual(self.order("302-4000011-4000011").partner_shipping_id, order.partner_id)
        self.assertEqual(order.partner_id.street, "Lindenallee 7")
        self.assertEqual(self.order("302-4000012-4000012").partner_shipping_id, delivery)
        self.assertEqual(order.partner_id.child_ids, delivery)

    def test_custom_item_keeps_its_personalisation(self):
        """Test that an Amazon Custom item links its personalisation and gets it attached."""
        url = self.simulator.publish_document("custom-4000003", b"PK\x03\x04custom-data")
        custom = make_order(CUSTOM, items=(("DATA-1", 1, "30.00"),))
        custom["orderItems"][0]["product"]["customization"] = {"customizedUrl": url}
        self.importer()._import_orders(self.account, [custom])
        order = self.order(CUSTOM)
        line = order.order_line.filtered("amazon_order_item_id")
        self.assertEqual(line.amazon_customized_url, url)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)])
        self.assertEqual(attachment.raw, b"PK\x03\x04custom-data")
        self.assertIn(CUSTOM, attachment.name)

    def test_custom_file_that_cannot_be_downloaded_asks_a_person(self):
        """Test that a personalisation Amazon does not serve leaves an activity, not a failure."""
        custom = make_order(CUSTOM, items=(("DATA-1", 1, "30.00"),))
        custom["orderItems"][0]["product"]["customization"] = {
            "customizedUrl": f"{self.simulator.url}/_documents/gone"}
        stats = self.importer()._import_orders(self.account, [custom])
        self.assertEqual(stats["created"], 1)
        self.assertIn("personalisation", self.order(CUSTOM).activity_ids.summary)
