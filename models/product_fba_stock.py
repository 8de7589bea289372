from odoo import api, fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    amazon_fba_qty = fields.Float(
        string="At Amazon (FBA)", compute="_compute_amazon_fba_qty",
        digits="Product Unit",
        help="Units in the FBA locations of your Amazon accounts, as the last inventory pull "
             "and the FBA orders since left them.")

    @api.depends_context("company")
    def _compute_amazon_fba_qty(self):
        locations = self.env["amazon.seller.account"].sudo().with_context(
            active_test=False).search([("company_id", "in", self.env.companies.ids)]).fba_location_id
        quantities = {}
        if locations and self.ids:
            quantities = dict(self.env["stock.quant"].sudo()._read_group(
                [("location_id", "child_of", locations.ids),
                 ("product_id.product_tmpl_id", "in", self.ids)],
                ["product_id"], ["quantity:sum"]))
        for template in self:
            template.amazon_fba_qty = sum(quantities.get(product, 0.0)
                                          for product in template.product_variant_ids)

    def action_amazon_fba_stock(self):
        """The quants of this product in the FBA locations."""
        self.ensure_one()
        locations = self.env["amazon.seller.account"].search([]).fba_location_id
        return {
            "type": "ir.actions.act_window", "res_model": "stock.quant",
            "name": self.env._("Stock at Amazon"), "view_mode": "list",
            "domain": [("location_id", "child_of", locations.ids),
                       ("product_id.product_tmpl_id", "=", self.id)],
        }
