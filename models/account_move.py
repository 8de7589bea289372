from odoo import api, fields, models
from odoo.addons.sale.models.account_move import AccountMove as SaleAccountMove

from .. import const

UPLOAD_STATES = [
    ("to_upload", "To Upload"),
    ("processing", "Processing"),
    ("confirming", "Awaiting Amazon's VAT Report"),
    ("uploaded", "Uploaded"),
    ("error", "Error"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    amazon_account_id = fields.Many2one(
        comodel_name="amazon.seller.account", string="Amazon Account", readonly=True, copy=False,
        index="btree_not_null")
    amazon_marketplace_id = fields.Many2one(
        comodel_name="amazon.seller.marketplace", string="Amazon Marketplace", readonly=True,
        copy=False)

    amazon_order_ref = fields.Char(
        string="Amazon Order", readonly=True, copy=False, index="btree_not_null",
        help="The Amazon order this invoice or credit note is for: how settlements find it.")
    amazon_sale_order_id = fields.Many2one(
        comodel_name="sale.order", string="Amazon Order Refunded", readonly=True, copy=False,
        index="btree_not_null",
        help="The order a credit note made from a settlement's refund gives money back for.")
    amazon_adjustment_ref = fields.Char(
        string="Amazon Refund", readonly=True, copy=False,
        help="Amazon's adjustment id of the refund this credit note books.")

    amazon_upload_state = fields.Selection(
        selection=UPLOAD_STATES, string="Sent to Amazon", readonly=True, copy=False,
        index="btree_not_null",
        help="On Amazon's EU marketplaces the buyer gets the seller's invoice from Amazon: its "
             "upload (Feeds API), once posted.")
    amazon_upload_message = fields.Text(string="Amazon's Answer", readonly=True, copy=False)
    amazon_feed_ref = fields.Char(string="Amazon Feed", readonly=True, copy=False)

    def _post(self, soft=True):
        posted = super()._post(soft)
        to_upload = posted.filtered(lambda move: (
            move.move_type in ("out_invoice", "out_refund")
            and move.amazon_account_id.upload_invoices
            and move.amazon_marketplace_id.marketplace_id in const.VAT_INVOICE_MARKETPLACE_IDS
            and not move.amazon_upload_state))
        if to_upload:
            to_upload.amazon_upload_state = "to_upload"
            self.env.ref("amazon_seller.ir_cron_upload_invoices")._trigger()
        return posted

    def _invoice_paid_hook(self):
        """A settlement pays thousands of invoices at once and says so in its own chatter:
        no "Invoice paid" message on each order then."""
        if self.env.context.get("amazon_settlement_posting"):
            return super(SaleAccountMove, self)._invoice_paid_hook()
        return super()._invoice_paid_hook()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """Credit notes of Amazon invoices keep their account and marketplace."""
        default_values_list = default_values_list or [{} for _move in self]
        for move, values in zip(self, default_values_list):
            if move.amazon_account_id:
                values.setdefault("amazon_account_id", move.amazon_account_id.id)
                values.setdefault("amazon_marketplace_id", move.amazon_marketplace_id.id)
                values.setdefault("amazon_order_ref", move.amazon_order_ref)
        return super()._reverse_moves(default_values_list, cancel)


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        """Amazon relays the buyer's address: invoices reach Amazon buyers through Amazon only."""
        if method == "email" and move.amazon_account_id:
            return False
        return super()._is_applicable_to_move(method, move, **move_data)

    @api.model
    def _get_default_sending_methods(self, move):
        if move.amazon_account_id:
            return {"manual"}
        return super()._get_default_sending_methods(move)
