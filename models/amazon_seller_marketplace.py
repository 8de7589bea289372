from odoo import api, fields, models

from .. import const


class AmazonSellerMarketplace(models.Model):
    """An Amazon marketplace (amazon.de, amazon.co.jp, ...): reference data shipped with the addon."""

    _name = "amazon.seller.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True, translate=True)
    marketplace_id = fields.Char(
        string="Marketplace ID", required=True, help="Amazon's identifier, e.g. ATVPDKIKX0DER."
    )
    region = fields.Selection(selection=const.REGIONS, required=True)
    country_id = fields.Many2one(comodel_name="res.country", required=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True)
    domain = fields.Char(required=True, help="The storefront's domain, e.g. amazon.de.")
    active = fields.Boolean(default=True)
    team_id = fields.Many2one(
        comodel_name="crm.team", string="Sales Team", company_dependent=True,
        help="Sales team of this marketplace's orders (per company); the account's otherwise.",
    )
    warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse", company_dependent=True,
        help="Warehouse shipping this marketplace's FBM orders (per company); the account's "
             "otherwise.",
    )

    _marketplace_id_unique = models.Constraint(
        "UNIQUE(marketplace_id)", "An Amazon marketplace ID can only be defined once."
    )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # the importer caches marketplace ids
        return super().create(vals_list)

    def write(self, vals):
        if "marketplace_id" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)
