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
