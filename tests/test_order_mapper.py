from datetime import datetime
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..formats.order_mapper import buyer_key, map_order
from ..utils import AmazonDataError, parse_datetime
from .orders import make_order


class _Delete:
    def __repr__(self):
        return "DELETE"


DELETE = _Delete()  # a change that removes the key


def changed(changes, order_id="111-0000009-0000009"):
    """A valid two-item order with ``changes`` applied: ``{"orderItems.1.quantityOrdered": 0}``
    sets that value (``DELETE`` removes the key); the key ``""`` replaces the whole order."""
    order = make_order(order_id, items=(("SKU-1", 1, "10.00"), ("SKU-2", 2, "5.00")))
    for path, value in changes.items():
        if not path:
            return value
        *parents, last = [int(key) if key.isdigit() else key for key in path.split(".")]
        target = order
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return order


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

    def assert_messages(self, table):
        """Map each order of ``table`` ((changes, message) rows): each must fail with the message."""
        for row, (changes, message) in enumerate(table):
            with self.subTest(row=row, field=", ".join(changes)):  # the values may be huge
                with self.assertRaises(AmazonDataError) as caught:
                    map_order(changed(changes))
                self.assertEqual(str(caught.exception), message)

    def test_order_id_is_checked(self):
        """Test that an order id that is missing, not a string or too long is named."""
        self.assert_messages([
            ({"orderId": DELETE}, "orderId is missing"),
            ({"orderId": 12345}, "orderId 12345 is not a string"),
            ({"orderId": ["111-0000009-0000009"]},
             "orderId ['111-0000009-0000009'] is not a string"),
            ({"orderId": "111-0000009-0000009+111-0000009-0000009+01234567890"},  # 51 characters
             "orderId '111-0000009-0000009+111-0000009-0000009... is longer than 50 characters"),
        ])

    def test_wrong_shapes_are_named(self):
        """Test that an order, item or nested object of the wrong type is named with its value."""
        self.assert_messages([
            ({"": "111-0000009-0000009"}, "the order '111-0000009-0000009' is not an object"),
            ({"": None}, "the order None is not an object"),
            ({"orderItems": {"orderItemId": "1"}}, "orderItems {'orderItemId': '1'} is not a list"),
            ({"orderItems.1": "SKU-2"}, "orderItems[1] 'SKU-2' is not an object"),
            ({"orderItems.1.product": "SKU-2"}, "orderItems[1].product 'SKU-2' is not an object"),
            ({"orderItems.1.proceeds": []}, "orderItems[1].proceeds [] is not an object"),
            ({"orderItems.1.proceeds.breakdowns": {"type": "ITEM"}},
             "orderItems[1].proceeds.breakdowns {'type': 'ITEM'} is not a list"),
            ({"orderItems.1.proceeds.breakdowns.0": "ITEM"},
             "orderItems[1].proceeds.breakdowns[0] 'ITEM' is not an object"),
            ({"orderItems.1.proceeds.breakdowns.0.subtotal": "10.00"},
             "orderItems[1].proceeds.breakdowns[0].subtotal '10.00' is not an object"),
            ({"orderItems.1.proceeds": DELETE, "orderItems.1.product.price": "5.00"},
             "orderItems[1].product.price '5.00' is not an object"),
            ({"orderItems.1.promotion": "FREESHIP"},
             "orderItems[1].promotion 'FREESHIP' is not an object"),
            ({"orderItems.1.fulfillment": 2}, "orderItems[1].fulfillment 2 is not an object"),
            ({"buyer": "Erika Mustermann"}, "buyer 'Erika Mustermann' is not an object"),
            ({"recipient": "Berlin"}, "recipient 'Berlin' is not an object"),
            ({"recipient.deliveryAddress": "Hauptstraße 1, Berlin"},
             "recipient.deliveryAddress 'Hauptstraße 1, Berlin' is not an object"),
            ({"fulfillment": "MERCHANT"}, "fulfillment 'MERCHANT' is not an object"),
            ({"fulfillment.shipByWindow": "2026-11-03T23:59:59Z"},
             "fulfillment.shipByWindow '2026-11-03T23:59:59Z' is not an object"),
            ({"salesChannel": "A1PA6795UKMFR9"}, "salesChannel 'A1PA6795UKMFR9' is not an object"),
            ({"proceeds": "20.00"}, "proceeds '20.00' is not an object"),
            ({"proceeds.grandTotal": "20.00"}, "proceeds.grandTotal '20.00' is not an object"),
            ({"programs": "PRIME"}, "programs 'PRIME' is not a list"),
            ({"associatedOrders": ["111-9"]}, "associatedOrders[0] '111-9' is not an object"),
        ])

    def test_texts_are_checked(self):
        """Test that a text field holding another type, or a missing SKU, is named by position."""
        self.assert_messages([
            ({"orderItems.1.product.sellerSku": DELETE},
             "orderItems[1].product.sellerSku is missing"),
            ({"orderItems.1.product.sellerSku": 12345},
             "orderItems[1].product.sellerSku 12345 is not a string"),
            ({"orderItems.1.product.title": ["Test"]},
             "orderItems[1].product.title ['Test'] is not a string"),
            ({"buyer.buyerName": 42}, "buyer.buyerName 42 is not a string"),
            ({"recipient.deliveryAddress.postalCode": 10115},
             "recipient.deliveryAddress.postalCode 10115 is not a string"),
            ({"salesChannel.marketplaceId": ["A1PA6795UKMFR9"]},
             "salesChannel.marketplaceId ['A1PA6795UKMFR9'] is not a string"),
            ({"fulfillment.fulfilledBy": ["MERCHANT"]},
             "fulfillment.fulfilledBy ['MERCHANT'] is not a string"),
            ({"fulfillment.fulfillmentStatus": {"status": "SHIPPED"}},
             "fulfillment.fulfillmentStatus {'status': 'SHIPPED'} is not a string"),
            ({"fulfillment.fulfillmentStatus": "LOST_IN_SPACE"},
             "fulfillment.fulfillmentStatus 'LOST_IN_SPACE' is unknown"),
        ])

    def test_quantities_are_checked(self):
        """Test that a quantity that is not a whole number from 1 to a million is named."""
        self.assert_messages([
            ({"orderItems.1.quantityOrdered": "two"},
             "orderItems[1].quantityOrdered 'two' is not a number"),
            ({"orderItems.1.quantityOrdered": "2"},
             "orderItems[1].quantityOrdered '2' is not a number"),
            ({"orderItems.1.quantityOrdered": 2.5},
             "orderItems[1].quantityOrdered 2.5 is not a whole number"),
            ({"orderItems.1.quantityOrdered": True},
             "orderItems[1].quantityOrdered True is not a number"),
            ({"orderItems.1.quantityOrdered": float("nan")},
             "orderItems[1].quantityOrdered nan is not a number"),
            ({"orderItems.1.quantityOrdered": DELETE},
             "orderItems[1].quantityOrdered is missing and the item is not cancelled"),
            ({"orderItems.1.quantityOrdered": 0},
             "orderItems[1].quantityOrdered 0 is not positive and the item is not cancelled"),
            ({"orderItems.1.quantityOrdered": -1},
             "orderItems[1].quantityOrdered -1 is negative"),
            ({"orderItems.1.quantityOrdered": 1000001},
             "orderItems[1].quantityOrdered 1000001 is more than 1000000"),
            ({"orderItems.1.quantityOrdered": 1e300},
             "orderItems[1].quantityOrdered 1e+300 is more than 1000000"),
        ])

    def test_amounts_are_checked(self):
        """Test that an amount that is not a finite decimal within a billion, or a negative order
        total, is named."""
        with_tax = [
            {"type": "ITEM", "subtotal": {"amount": "10.00", "currencyCode": "EUR"}},
            {"type": "TAX", "subtotal": {"amount": "1.60", "currencyCode": "EUR"},
             "detailedBreakdowns": [
                 {"subtype": "ITEM", "value": {"amount": "1,60", "currencyCode": "EUR"}}]},
        ]
        self.assert_messages([
            ({"proceeds.grandTotal.amount": "Infinity"},
             "proceeds.grandTotal.amount 'Infinity' is not a finite decimal number"),
            ({"proceeds.grandTotal.amount": "NaN"},
             "proceeds.grandTotal.amount 'NaN' is not a finite decimal number"),
            ({"proceeds.grandTotal.amount": 1e400},
             "proceeds.grandTotal.amount inf is not a finite decimal number"),
            ({"proceeds.grandTotal.amount": True},
             "proceeds.grandTotal.amount True is not a finite decimal number"),
            ({"proceeds.grandTotal.amount": "-0.01"},
             "proceeds.grandTotal.amount '-0.01' is negative"),
            ({"orderItems.1.proceeds.breakdowns.0.subtotal.amount": "abc"},
             "orderItems[1].proceeds.breakdowns[0].subtotal.amount 'abc' is not a finite decimal "
             "number"),
            ({"orderItems.1.proceeds.breakdowns.0.subtotal.amount": "1e400"},
             "orderItems[1].proceeds.breakdowns[0].subtotal.amount '1e400' is beyond 1000000000 "
             "in absolute value"),
            ({"orderItems.1.proceeds.breakdowns.0.subtotal.amount": "-1000000000.01"},
             "orderItems[1].proceeds.breakdowns[0].subtotal.amount '-1000000000.01' is beyond "
             "1000000000 in absolute value"),
            ({"orderItems.0.proceeds.breakdowns": with_tax},
             "orderItems[0].proceeds.breakdowns[1].detailedBreakdowns[0].value.amount '1,60' is "
             "not a finite decimal number"),
            ({"orderItems.1.proceeds": DELETE,
              "orderItems.1.product.price.unitPrice.amount": "sNaN"},
             "orderItems[1].product.price.unitPrice.amount 'sNaN' is not a finite decimal number"),
        ])

    def test_dates_are_checked(self):
        """Test that a timestamp that is unreadable or outside 2000-2100 is named."""
        self.assert_messages([
            ({"createdTime": "yesterday"}, "createdTime 'yesterday' is not a valid timestamp"),
            ({"createdTime": "1999-12-31T23:59:59Z"},
             "createdTime '1999-12-31T23:59:59Z' is not between 2000-01-01 and 2100-01-01"),
            ({"lastUpdatedTime": 20261101}, "lastUpdatedTime 20261101 is not a valid timestamp"),
            ({"lastUpdatedTime": DELETE, "createdTime": DELETE},
             "lastUpdatedTime and createdTime are missing"),
            ({"lastUpdatedTime": "2100-01-01T00:00:01Z"},
             "lastUpdatedTime '2100-01-01T00:00:01Z' is not between 2000-01-01 and 2100-01-01"),
            ({"lastUpdatedTime": "0001-01-01T00:00:00+01:00"},
             "lastUpdatedTime '0001-01-01T00:00:00+01:00' is not between 2000-01-01 and "
             "2100-01-01"),
            ({"fulfillment.shipByWindow.latestDateTime": "2026-13-01T00:00:00Z"},
             "fulfillment.shipByWindow.latestDateTime '2026-13-01T00:00:00Z' is not a valid "
             "timestamp"),
            ({"fulfillment.deliverByWindow.latestDateTime": "9999-12-31T23:59:59-01:00"},
             "fulfillment.deliverByWindow.latestDateTime '9999-12-31T23:59:59-01:00' is not "
             "between 2000-01-01 and 2100-01-01"),
        ])

    def test_huge_values_are_quoted_short(self):
        """Test that a huge bad value is quoted cut to about 40 characters in the message."""
        self.assert_messages([
            ({"orderId": "9" * 100_000},
             "orderId '999999999999999999999999999999999999999... is longer than 50 characters"),
            ({"orderItems.0.quantityOrdered": "x" * 1_000_000},
             "orderItems[0].quantityOrdered 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... is not a "
             "number"),
            ({"orderItems.0.quantityOrdered": 10 ** 5000},
             "orderItems[0].quantityOrdered <integer of 5001 digits> is more than 1000000"),
        ])

    def test_serial_numbers_are_kept(self):
        """Test that the serial numbers Amazon shipped are kept per line, and a serial number
        that is no text is named."""
        order = changed({"orderItems.0.product.serialNumbers": [" SN-1 ", "SN-2", ""]})
        self.assertEqual(map_order(order)["lines"][0]["serial_numbers"], ["SN-1", "SN-2"])
        with self.assertRaisesRegex(AmazonDataError,
                                    r"orderItems\[0\]\.product\.serialNumbers\[1\] 42 is not a string"):
            map_order(changed({"orderItems.0.product.serialNumbers": ["SN-1", 42]}))

    def test_cancelled_item_is_skipped(self):
        """Test that a valid order with a cancelled item (quantity 0) maps as without that item."""
        order = changed({"orderItems.1.quantityOrdered": 0, "proceeds.grandTotal.amount": "10.00",
                         "orderItems.1.proceeds.breakdowns.0.subtotal.amount": "0.00"})
        order["orderItems"][1]["cancellation"] = {
            "cancellationRequest": {"requester": "BUYER", "cancelReason": "Changed mind"},
            "cancellationExecution": {"cancelledBy": "MERCHANT", "cancelReason": "Buyer request"},
        }
        mapped = map_order(order)
        self.assertEqual(mapped["lines"], [{
            "kind": "product", "item_id": "111000000900000090", "sku": "SKU-1",
            "title": "Test product SKU-1", "quantity": 1, "gross": Decimal("10.00"),
            "gift_message": "", "customized_url": "", "serial_numbers": [],
        }])
        self.assertEqual(mapped["grand_total"], Decimal("10.00"))
        del order["orderItems"][1]
        self.assertEqual(mapped, map_order(order), "as if the cancelled item were not there")
        cancelled = changed({"fulfillment.fulfillmentStatus": "CANCELLED",
                             "orderItems.0.quantityOrdered": 0,
                             "orderItems.1.quantityOrdered": DELETE})
        self.assertEqual(map_order(cancelled)["lines"], [],
                         "the items of a cancelled order need no cancellation of their own")

    def test_values_at_the_limits_still_map(self):
        """Test that values at the limits, and numbers written as JSON numbers, are accepted."""
        order = changed({
            "orderId": "111-0000009-0000009+111-0000009-0000009+0123456789",  # 50 characters
            "createdTime": "2000-01-01T00:00:00Z",
            "lastUpdatedTime": "2100-01-01T00:00:00Z",
            "orderItems.0.quantityOrdered": 1000000,
            "orderItems.0.proceeds.breakdowns.0.subtotal.amount": "999999989.50",
            "orderItems.1.quantityOrdered": 2.0,
            "orderItems.1.proceeds.breakdowns.0.subtotal.amount": 10.5,
            "proceeds.grandTotal.amount": "1000000000",
        })
        mapped = map_order(order)
        self.assertEqual(mapped["order_ref"], "111-0000009-0000009+111-0000009-0000009+0123456789")
        self.assertEqual(mapped["created"], datetime(2000, 1, 1))
        self.assertEqual(mapped["last_updated"], datetime(2100, 1, 1))
        self.assertEqual([(line["quantity"], line["gross"]) for line in mapped["lines"]],
                         [(1000000, Decimal("999999989.50")), (2, Decimal("10.5"))])
        self.assertIs(type(mapped["lines"][1]["quantity"]), int)
        self.assertEqual(mapped["grand_total"], Decimal("1000000000"))
