from odoo import fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError

REVIEW_STATES = [("to_review", "To Review"), ("held", "On Hold"), ("released", "Released")]


class SaleOrder(models.Model):
    """The review of imported FBM orders: the account's rules decide which wait *To Review*;
    a person releases them (the delivery is reserved and shipped as usual), holds them with a
    reason (nothing is reserved or shipped meanwhile) or cancels them."""

    _inherit = "sale.order"

    amazon_review_state = fields.Selection(
        selection=REVIEW_STATES, string="Review", readonly=True, copy=False, index=True,
        tracking=True,
        help="To Review: a rule of the account asks a person to look at this order before it "
             "ships; On Hold: a person stopped it; Released: it goes on.")
    amazon_review_reasons = fields.Text(string="Review Reasons", readonly=True, copy=False)
    amazon_hold_reason = fields.Char(string="Hold Reason", readonly=True, copy=False,
                                     tracking=True)

    amazon_cancel_request = fields.Char(
        string="Buyer Asks to Cancel", readonly=True, copy=False, tracking=True,
        help="The buyer asked Amazon to cancel this order (their reason): do not ship it "
             "before cancelling it in Seller Central or deciding otherwise.")
    amazon_review_requested_at = fields.Datetime(
        string="Review Requested", readonly=True, copy=False,
        help="When Amazon was asked to request the buyer's product review and seller "
             "feedback (once per order).")

    def _amazon_tell_cancel_request(self):
        """The buyer asked to cancel: the account's responsible hears it before the parcel
        leaves."""
        for order in self.filtered(lambda o: o.state == "sale"
                                   and o.delivery_status != "full"):
            order.amazon_account_id._schedule_activity(order, self.env._(
                "The buyer asks to cancel %(order)s", order=order.amazon_order_ref),
                self.env._("Reason: %(reason)s. Cancel the order in Seller Central (Amazon then "
                           "cancels it here) instead of shipping it.",
                           reason=order.amazon_cancel_request))

    # === THE BUYER, THROUGH AMAZON ONLY === #

    def action_amazon_message_buyer(self):
        """Write to the buyer with one of the messages Amazon offers for this order now."""
        self.ensure_one()
        offered = self._amazon_buyer_call(lambda gateway: gateway.buyer_message_actions(
            self.amazon_order_ref, self.amazon_marketplace_id.marketplace_id))
        known = [action for action in offered if action in const.BUYER_MESSAGE_METHODS]
        if not known:
            raise UserError(self.env._(
                "Amazon offers no message to the buyer of %(order)s now (cancelled, pending, or "
                "past Amazon's window).", order=self.amazon_order_ref))
        return {
            "type": "ir.actions.act_window", "res_model": "amazon.seller.message.wizard",
            "name": self.env._("Message the Buyer through Amazon"), "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id, "default_offered": " ".join(known),
                        "default_action": known[0]},
        }

    def action_amazon_request_review(self):
        """Ask Amazon to request the buyer's review and feedback (Solicitations API): once,
        within Amazon's window (5 to 30 days after delivery)."""
        self.ensure_one()
        if self.amazon_review_requested_at:
            raise UserError(self.env._("A review of %(order)s was requested already on %(date)s.",
                                       order=self.amazon_order_ref,
                                       date=self.amazon_review_requested_at))
        marketplace = self.amazon_marketplace_id.marketplace_id
        offered = self._amazon_buyer_call(lambda gateway: gateway.review_request_actions(
            self.amazon_order_ref, marketplace))
        if const.REVIEW_SOLICITATION not in offered:
            raise UserError(self.env._(
                "Amazon does not let a review of %(order)s be requested now: only once, from 5 "
                "to 30 days after delivery.", order=self.amazon_order_ref))
        self._amazon_buyer_call(lambda gateway: gateway.request_review(self.amazon_order_ref,
                                                                       marketplace))
        self.amazon_review_requested_at = fields.Datetime.now()
        self.message_post(body=self.env._(
            "Amazon was asked to request the buyer's product review and seller feedback."))
        return True

    def _amazon_buyer_call(self, call):
        try:
            return call(self.amazon_account_id._get_gateway())
        except AmazonError as error:
            raise UserError(self.env._("Amazon refused it for %(order)s: %(reason)s",
                                       order=self.amazon_order_ref,
                                       reason=error.message)) from error

    # === REVIEW BEFORE SHIPPING === #

    def _amazon_apply_review_rules(self):
        """Put the FBM orders that match a rule of their account *To Review* (before their
        delivery reserves anything)."""
        for order in self.filtered(lambda o: o.amazon_fulfillment_channel == "fbm"
                                   and o.amazon_status in ("UNSHIPPED", "PARTIALLY_SHIPPED",
                                                           "PENDING")):
            reasons = [reason for rule in order.amazon_account_id.review_rule_ids
                       if (reason := rule._reason(order))]
            if reasons:
                order.write({"amazon_review_state": "to_review",
                             "amazon_review_reasons": "\n".join(reasons)})

    def action_amazon_release(self):
        """The order goes on: its delivery is reserved and shipped as usual."""
        orders = self.filtered(lambda o: o.amazon_review_state in ("to_review", "held"))
        orders.write({"amazon_review_state": "released", "amazon_hold_reason": False})
        pickings = orders.picking_ids.filtered(
            lambda p: p.state in ("confirmed", "waiting") and p.picking_type_code == "outgoing")
        if pickings:
            pickings.action_assign()
        for order in orders:
            order.message_post(body=self.env._("Released for shipping."))
        return True

    def action_amazon_hold(self):
        """Ask for the reason, then hold the selected orders."""
        return {
            "type": "ir.actions.act_window", "res_model": "amazon.seller.hold.wizard",
            "name": self.env._("Hold Amazon Orders"), "view_mode": "form", "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    def _amazon_hold(self, reason):
        orders = self.filtered(lambda o: o.amazon_fulfillment_channel == "fbm"
                               and o.state == "sale")
        shipped = orders.picking_ids.filtered(lambda p: p.state == "done")
        if shipped:
            raise UserError(self.env._(
                "%(orders)s shipped already: it cannot be held.",
                orders=", ".join(shipped.sale_id.mapped("amazon_order_ref"))))
        orders.write({"amazon_review_state": "held", "amazon_hold_reason": reason})
        orders.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).do_unreserve()
        for order in orders:
            order.message_post(body=self.env._("On hold: %(reason)s", reason=reason))
        return orders
