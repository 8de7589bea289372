from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError


class AmazonSellerMessageWizard(models.TransientModel):
    """A message to an Amazon buyer, sent through Amazon (Messaging API): only the types Amazon
    offers for the order now, its text within Amazon's limit; recorded in the order's chatter.
    Buyers' own messages stay in Seller Central: Amazon's API does not let a program read
    them."""

    _name = "amazon.seller.message.wizard"
    _description = "Message the Amazon Buyer"

    order_id = fields.Many2one(comodel_name="sale.order", required=True, readonly=True)
    offered = fields.Char(readonly=True, help="The message types Amazon offers, space-separated.")
    action = fields.Selection(selection=const.BUYER_MESSAGES, string="Message", required=True)
    text = fields.Text()
    coverage_start = fields.Date(string="Warranty From")
    coverage_end = fields.Date(string="Warranty Until")

    @api.constrains("action", "offered")
    def _check_offered(self):
        for wizard in self:
            if wizard.action not in (wizard.offered or "").split():
                raise UserError(self.env._(
                    "Amazon does not offer this message for %(order)s now.",
                    order=wizard.order_id.amazon_order_ref))

    def action_send(self):
        self.ensure_one()
        order = self.order_id
        limit = const.BUYER_MESSAGE_MAX_LENGTH.get(self.action, 2000)
        if self.action == "warranty":
            body = {key: fields.Date.to_string(value) + "T00:00:00Z"
                    for key, value in (("coverageStartDate", self.coverage_start),
                                       ("coverageEndDate", self.coverage_end)) if value}
        else:
            text = (self.text or "").strip()
            if not text:
                raise UserError(self.env._("Write the message to send."))
            if len(text) > limit:
                raise UserError(self.env._(
                    "Amazon takes at most %(limit)s characters in this message (%(count)s "
                    "written).", limit=limit, count=len(text)))
            body = {"text": text}
        try:
            order.amazon_account_id._get_gateway().send_buyer_message(
                order.amazon_order_ref, order.amazon_marketplace_id.marketplace_id, self.action,
                body)
        except AmazonError as error:
            raise UserError(self.env._("Amazon refused the message for %(order)s: %(reason)s",
                                       order=order.amazon_order_ref,
                                       reason=error.message)) from error
        label = dict(self._fields["action"]._description_selection(self.env))[self.action]
        order.message_post(body=self.env._(
            "Sent to the buyer through Amazon (%(type)s): %(text)s", type=label,
            text=body.get("text") or " – ".join(body.values())))
        return {"type": "ir.actions.act_window_close"}
