from odoo import fields, models


class AmazonSellerHoldWizard(models.TransientModel):
    """Hold Amazon FBM orders with a reason: their deliveries are not reserved nor shipped
    until someone releases them."""

    _name = "amazon.seller.hold.wizard"
    _description = "Hold Amazon Orders"

    order_ids = fields.Many2many(comodel_name="sale.order", string="Orders", required=True)
    reason = fields.Selection(selection=[
        ("buyer", "The buyer wrote"), ("address", "Doubtful address"),
        ("stock", "Stock short"), ("fraud", "Test or fraudulent order"), ("other", "Other")],
        required=True, default="buyer")
    note = fields.Char(help="What the warehouse and the other sellers should know.")

    def action_hold(self):
        labels = dict(self._fields["reason"]._description_selection(self.env))
        reason = labels[self.reason] + (f": {self.note}" if self.note else "")
        self.order_ids._amazon_hold(reason)
        return {"type": "ir.actions.act_window_close"}
