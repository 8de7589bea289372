"""Order review and holds: the account's rules put imported FBM orders *To Review* before
anything is reserved; a person releases them, or holds them with a reason; held orders never
ship until released."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import ReplayCase
from .orders import make_order

BIG = "302-1000001-0000001"
LONG_ADDRESS = "302-1000002-0000002"
PLAIN = "302-1000003-0000003"
SHORT = "302-1000004-0000004"


@tagged("post_install", "-at_install")
class TestOrderReview(ReplayCase):

    @classmethod
    def replay_orders(cls):
        return [
            make_order(BIG, items=(("LAMP", 1, "150.00"),)),
            make_order(LONG_ADDRESS, buyer_name="Maximilian Alexander von Hohenzollern-Sigmaringen"),
            make_order(PLAIN, items=(("LAMP", 2, "20.00"),)),
            make_order(SHORT, items=(("MUG", 3, "9.00"),)),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        products = cls.map_skus(["LAMP", "MUG", "SKU-1"], taxes_id=[Command.clear()])
        stock = cls.account.warehouse_id.lot_stock_id
        for sku in ("LAMP", "SKU-1"):
            cls.env["stock.quant"]._update_available_quantity(products[sku], stock, 50)
        cls.account.review_rule_ids = [
            Command.create({"condition": "amount_above", "amount": 100}),
            Command.create({"condition": "address_too_long", "max_length": 35}),
            Command.create({"condition": "stock_short"}),
        ]
        cls.env["amazon.seller.order.import"]._run_now(cls.account)
        cls.orders = {order.amazon_order_ref: order for order in cls.env["sale.order"].search(
            [("amazon_account_id", "=", cls.account.id)])}

    def test_rules_decide_what_waits(self):
        """Test that each rule puts its order To Review with a reason naming it, nothing
        reserved, while an order matching none goes on as usual."""
        big, long_address, plain, short = (self.orders[ref] for ref in (BIG, LONG_ADDRESS,
                                                                         PLAIN, SHORT))
        self.assertEqual(
            [(o.amazon_review_state, o.amazon_review_reasons) for o in (big, long_address, short)],
            [("to_review", "Total above 100"),
             ("to_review", "Address line too long for a label (35)"),
             ("to_review", "A product short in stock: MUG")])
        self.assertFalse(plain.amazon_review_state)
        self.assertEqual(plain.picking_ids.state, "assigned")
        self.assertEqual(big.picking_ids.state, "confirmed", "nothing reserved while in review")
        self.assertEqual(self.account.dashboard_to_review, 3)

    def test_release_and_hold(self):
        """Test that a released order reserves and ships, and that a held one gives its
        reservation back and cannot ship until released."""
        big, plain = self.orders[BIG], self.orders[PLAIN]
        with self.assertRaisesRegex(UserError, "waits for review or is on hold"), \
                self.env.cr.savepoint():
            big.picking_ids.move_ids.write({"quantity": 1, "picked": True})
            big.picking_ids._action_done()
        big.action_amazon_release()
        self.assertEqual((big.amazon_review_state, big.picking_ids.state), ("released", "assigned"))

        wizard = self.env["amazon.seller.hold.wizard"].with_context(
            **plain.action_amazon_hold()["context"]).create(
            {"reason": "address", "note": "no house number"})
        wizard.action_hold()
        self.assertEqual((plain.amazon_review_state, plain.amazon_hold_reason),
                         ("held", "Doubtful address: no house number"))
        self.assertEqual(plain.picking_ids.state, "confirmed", "its reservation is given back")
        plain.picking_ids.action_assign()
        self.assertEqual(plain.picking_ids.state, "confirmed", "nor taken again while held")
        held = self.env["sale.order"].search(safe_eval(
            self.env["ir.actions.act_window"]._for_xml_id(
                "amazon_seller.action_amazon_orders_to_review")["domain"]))
        self.assertIn(plain, held)
        plain.action_amazon_release()
        self.assertEqual(plain.picking_ids.state, "assigned")
