from odoo import fields, models


class AmazonSellerFeeLinesMixin(models.AbstractModel):
    """A record Amazon's settlement rows name (a removal order, an inbound shipment): how many
    rows, and the list of them."""

    _name = "amazon.seller.fee.lines.mixin"
    _description = "Amazon Settlement Rows of a Record"

    fee_line_count = fields.Integer(string="Settlement Rows", compute="_compute_fee_line_count")

    def _fee_lines_domain(self):
        """The settlement rows of this record."""
        raise NotImplementedError

    def _compute_fee_line_count(self):
        Line = self.env["amazon.seller.settlement.line"]
        for record in self:
            record.fee_line_count = Line.search_count(record._fee_lines_domain())

    def action_view_fee_lines(self):
        """The settlement rows of this record: Amazon's fees for it."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.action_amazon_settlement_lines")
        action["domain"] = self._fee_lines_domain()
        return action
