from odoo import fields, models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    amazon_carrier_id = fields.Many2one(
        comodel_name="amazon.seller.carrier", string="Amazon Carrier Code",
        help="Sent to Amazon when confirming shipments; without it, a code of the same name, "
             "else 'Other' with this carrier's name.",
    )

    def _amazon_gives_tracking(self):
        """Whether validating a delivery asks this carrier's own connector for the tracking number
        (fixed-price and rule-based carriers have none)."""
        return self.integration_level == "rate_and_ship" \
            and self.delivery_type not in ("fixed", "base_on_rule")
