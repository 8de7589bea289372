from odoo import fields, models
from odoo.exceptions import UserError

from ..formats.label_mapper import Rate


class AmazonSellerLabelWizard(models.TransientModel):
    """The carriers' rates Amazon Buy Shipping offers for one delivery's package: a person
    chooses one and the label is bought."""

    _name = "amazon.seller.label.wizard"
    _description = "Amazon Shipping Rates"

    picking_id = fields.Many2one(comodel_name="stock.picking", required=True, readonly=True)
    request_token = fields.Char(readonly=True)
    line_ids = fields.One2many(comodel_name="amazon.seller.label.wizard.line",
                               inverse_name="wizard_id", string="Rates", readonly=True)
    ineligible = fields.Text(string="Not Offered", readonly=True)


class AmazonSellerLabelWizardLine(models.TransientModel):
    _name = "amazon.seller.label.wizard.line"
    _description = "Amazon Shipping Rate"
    _order = "charge, id"

    wizard_id = fields.Many2one(comodel_name="amazon.seller.label.wizard", required=True,
                                ondelete="cascade")
    rate_ref = fields.Char(readonly=True)
    carrier = fields.Char(readonly=True)
    service_ref = fields.Char(readonly=True)
    service = fields.Char(readonly=True)
    charge = fields.Float(readonly=True)
    currency = fields.Char(readonly=True)
    delivered_by = fields.Datetime(string="Delivered By", readonly=True)

    def action_buy(self):
        self.ensure_one()
        picking = self.wizard_id.picking_id
        if picking.amazon_label_ref:
            raise UserError(self.env._("%(delivery)s has its label already (%(label)s).",
                                       delivery=picking.name, label=picking.amazon_label_ref))
        picking._amazon_purchase(self.wizard_id.request_token, Rate(
            rate_id=self.rate_ref, carrier_id=self.carrier, carrier_name=self.carrier,
            service_id=self.service_ref, service_name=self.service, charge=self.charge,
            currency=self.currency))
        return picking._amazon_print_labels()
