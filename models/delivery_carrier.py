from odoo import fields, models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    amazon_carrier_id = fields.Many2one(
        comodel_name="amazon.seller.carrier", string="Amazon Carrier Code",
        help="Sent to Amazon when confirming shipments; without it, a code of the same name, "
             "else 'Other' with this carrier's name.",
    )
