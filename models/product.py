from odoo import api, fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    amazon_offer_count = fields.Integer(
        string="Amazon Offers", compute="_compute_amazon_offer_count",
        help="The Amazon SKUs (per account, marketplace and fulfilment channel) mapped to this "
             "product.")

    def _compute_amazon_offer_count(self):
        if not self.env["amazon.seller.offer"].has_access("read"):
            self.amazon_offer_count = 0  # not an Amazon user: the button is hidden anyway
            return
        counts = dict(self.env["amazon.seller.offer"]._read_group(
            [("product_id.product_tmpl_id", "in", self.ids)], ["product_id"], ["__count"]))
        for template in self:
            template.amazon_offer_count = sum(
                counts.get(variant, 0) for variant in template.product_variant_ids)

    def action_view_amazon_offers(self):
        """The Amazon offers of this product's variants."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.amazon_seller_offer_action")
        action["domain"] = [("product_id.product_tmpl_id", "=", self.id)]
        action["context"] = {"default_product_id": self.product_variant_id.id,
                             "search_default_group_sku": 0}
        return action

    # === FBA STOCK === #

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


class ProductProduct(models.Model):
    _inherit = "product.product"

    def action_view_amazon_offers(self):
        """The Amazon offers of this variant's product."""
        return self.product_tmpl_id.action_view_amazon_offers()

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        products = super().create(vals_list)
        self.env["amazon.seller.offer"]._map_by_internal_reference(
            products.filtered("default_code"))
        return products

    def write(self, vals):
        """A product taking an Amazon SKU as internal reference maps the offers still to map:
        their waiting orders are confirmed at once."""
        result = super().write(vals)
        if vals.get("default_code"):
            self.env["amazon.seller.offer"]._map_by_internal_reference(self)
        return result
