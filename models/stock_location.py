from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    amazon_marketplace_id = fields.Many2one(
        comodel_name="amazon.seller.marketplace", string="Amazon Marketplace", readonly=True,
        index="btree_not_null",
        help="The FBA stock of this Amazon marketplace, when its account keeps marketplaces "
             "apart.")
