from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class AmazonSellerShipWizard(models.TransientModel):
    """Validate many FBM deliveries at once: one carrier, each its tracking number (a busy
    warehouse's batch, as in seed 004); Amazon hears of each after the validation."""

    _name = "amazon.seller.ship.wizard"
    _description = "Ship Amazon Deliveries"

    carrier_id = fields.Many2one(comodel_name="delivery.carrier", string="Carrier", required=True)
    line_ids = fields.One2many(comodel_name="amazon.seller.ship.wizard.line",
                               inverse_name="wizard_id", string="Deliveries")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        pickings = self.env["stock.picking"].browse(self.env.context.get("active_ids", []))
        pickings = pickings._amazon_shippable()
        if "line_ids" in fields_list:
            values["line_ids"] = [Command.create({
                "picking_id": picking.id, "tracking_ref": picking.carrier_tracking_ref or False,
            }) for picking in pickings]
        return values

    def action_validate(self):
        self.ensure_one()
        missing = self.line_ids.filtered(lambda line: not (line.tracking_ref or "").strip())
        if missing:
            raise UserError(self.env._(
                "Give the tracking number of %(orders)s: Amazon needs one per package.",
                orders=", ".join(missing.mapped("picking_id.amazon_order_ref"))))
        if not self.line_ids:
            raise UserError(self.env._("None of the selected deliveries is an Amazon delivery to ship."))
        shipped = self.env["stock.picking"]._amazon_ship_with_tracking({
            line.picking_id: (self.carrier_id, line.tracking_ref.strip(), None)
            for line in self.line_ids})
        return shipped._amazon_shipped_notification()


class AmazonSellerShipWizardLine(models.TransientModel):
    _name = "amazon.seller.ship.wizard.line"
    _description = "Amazon Delivery to Ship"

    wizard_id = fields.Many2one(comodel_name="amazon.seller.ship.wizard", required=True,
                                ondelete="cascade")
    picking_id = fields.Many2one(comodel_name="stock.picking", string="Delivery", required=True,
                                 readonly=True)
    amazon_order_ref = fields.Char(related="picking_id.amazon_order_ref")
    amazon_products = fields.Char(related="picking_id.amazon_products")
    tracking_ref = fields.Char(string="Tracking Number")
