from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..order_mapper import buyer_key, map_order
from ..utils import AmazonDataError, parse_datetime
from .orders import make_order


@tagged("post_install", "-at_install")
class TestOrderMapper(BaseCase):
    """The pure mapping of an Amazon order: no database involved."""

    def test_tax_and_charges_are_attributed_to_their_lines(self):
        """Test that TAX details go to the line they name and charges become their own lines."""
        order = make_order("111-0000001-0000001", market="US", items=(("A", 2, "10.00"),))
        order["orderItems"][0]["proceeds"]["breakdowns"] += [
            {"type": "SHIPPING", "subtotal": {"amount": "4.99", "currencyCode": "USD"}},
            {"type": "GIFT_WRAP", "subtotal": {"amount": "2.00", "currencyCode": "USD"}},
            {"type": "DISCOUNT", "subtotal": {"amount": "-4.99", "currencyCode": "USD"},
             "detailedBreakdowns": [{"subtype": "SHIPPING", "value": {"amount": "-4.99", "currencyCode": "USD"}}]},
            {"type": "TAX", "subtotal": {"amount": "2.10", "currencyCode": "USD"},
             "detailedBreakdowns": [
                 {"subtype": "ITEM", "value": {"amount": "1.65", "currencyCode": "USD"}},
                 {"subtype": "SHIPPING", "value": {"amount": "0.41", "currencyCode": "USD"}}]},
        ]
        order["orderItems"][0]["promotion"] = {"breakdowns": [{"promotionId": "FREESHIP"}]}
        order["orderItems"][0]["fulfillment"]["packing"] = {"giftOption": {"giftMessage": "Happy day"}}
        lines = {line["kind"]: line for line in map_order(order)["lines"]}
        self.assertEqual(lines["product"]["gross"], Decimal("21.69"), "with the unattributed tax")
        self.assertEqual(lines["product"]["quantity"], 2)
        self.assertEqual(lines["shipping"]["gross"], Decimal("5.40"))
        self.assertEqual(lines["promotion"]["gross"], Decimal("-4.99"))
        self.assertEqual(lines["promotion"]["details"], ["FREESHIP"])
        self.assertEqual(lines["gift_wrap"]["details"], ["Happy day"])
        self.assertNotIn("other", lines)
        self.assertEqual(sum(line["gross"] for line in lines.values()), Decimal("24.10"))

    def test_dates_flags_and_replacement(self):
        """Test that timestamps become naive UTC and programs become flags."""
        order = make_order("111-0000002-0000002", market="US")
        order["programs"] = ["PRIME", "AMAZON_BUSINESS"]
        order["buyer"]["buyerPurchaseOrderNumber"] = "PO-7"
        order["associatedOrders"] = [{"orderId": "111-9", "associationType": "REPLACEMENT_ORIGINAL_ID"}]
        mapped = map_order(order)
        self.assertTrue(mapped["is_prime"] and mapped["is_business"])
        self.assertEqual(mapped["purchase_order_number"], "PO-7")
        self.assertEqual(mapped["replaced_order_ref"], "111-9")
        self.assertEqual(str(parse_datetime("2026-05-01T10:00:00+02:00")), "2026-05-01 08:00:00")
        self.assertEqual(mapped["channel"], "fbm")

    def test_missing_data_is_named(self):
        """Test that an order lacking a needed field says which one."""
        order = make_order("111-0000003-0000003")
        del order["orderItems"][0]["product"]["sellerSku"]
        with self.assertRaisesRegex(AmazonDataError, "sellerSku"):
            map_order(order)
        order = make_order("111-0000004-0000004")
        order["fulfillment"]["fulfilledBy"] = "MARS"
        with self.assertRaisesRegex(AmazonDataError, "fulfilledBy"):
            map_order(order)
        order["fulfillment"]["fulfilledBy"] = "AMAZON"
        order["lastUpdatedTime"] = "yesterday"
        with self.assertRaisesRegex(AmazonDataError, "yesterday"):
            map_order(order)

    def test_buyer_keys(self):
        """Test that buyers are told apart by e-mail, else name and address, else not at all."""
        with_email = map_order(make_order("111-0000005-0000005"))
        self.assertTrue(buyer_key(with_email).startswith("email:"))
        anonymous = make_order("111-0000006-0000006", buyer_name="")
        del anonymous["buyer"]["buyerEmail"]
        self.assertEqual(buyer_key(map_order(anonymous)), "order:111-0000006-0000006")
        named = make_order("111-0000007-0000007")
        del named["buyer"]["buyerEmail"]
        twin = make_order("111-0000008-0000008")
        del twin["buyer"]["buyerEmail"]
        self.assertEqual(buyer_key(map_order(named)), buyer_key(map_order(twin)))
