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
        help="Sellable units in the FBA locations of your Amazon accounts, as the last inventory "
             "pull and the FBA orders since left them.")
    amazon_fba_unsellable_qty = fields.Float(
        string="Unsellable at Amazon", compute="_compute_amazon_fba_qty", digits="Product Unit",
        help="Returned units Amazon holds as unsellable, until removed or disposed of.")
    amazon_fba_transit_qty = fields.Float(
        string="In Transit to Amazon", compute="_compute_amazon_fba_qty", digits="Product Unit",
        help="Units shipped to Amazon's fulfilment centres that Amazon has not received yet.")
    amazon_fba_reserved_qty = fields.Float(
        string="Reserved at Amazon", compute="_compute_amazon_fba_qty", digits="Product Unit",
        help="Units Amazon reserves for orders being picked or moved between its centres (last "
             "inventory pull).")

    @api.depends_context("company")
    def _compute_amazon_fba_qty(self):
        accounts = self.env["amazon.seller.account"].sudo().with_context(
            active_test=False).search([("company_id", "in", self.env.companies.ids)])
        sellable = self._amazon_quantities(accounts.fba_location_id)
        unsellable = self._amazon_quantities(accounts.fba_unsellable_location_id)
        transit = self._amazon_quantities(accounts.inbound_transit_location_id)
        reserved = dict(self.env["amazon.seller.offer"].sudo()._read_group(
            [("account_id", "in", accounts.ids), ("fulfillment_channel", "=", "fba"),
             ("product_id.product_tmpl_id", "in", self.ids)],
            ["product_id"], ["fba_reserved_qty:sum"])) if accounts and self.ids else {}
        for template in self:
            variants = template.product_variant_ids
            template.amazon_fba_qty = sum(sellable.get(p, 0.0) for p in variants)
            template.amazon_fba_unsellable_qty = sum(unsellable.get(p, 0.0) for p in variants)
            template.amazon_fba_transit_qty = sum(transit.get(p, 0.0) for p in variants)
            template.amazon_fba_reserved_qty = sum(reserved.get(p, 0) for p in variants)

    def _amazon_quantities(self, locations):
        """{variant: units} of these templates in ``locations`` and their children."""
        if not locations or not self.ids:
            return {}
        return dict(self.env["stock.quant"].sudo()._read_group(
            [("location_id", "child_of", locations.ids),
             ("product_id.product_tmpl_id", "in", self.ids)],
            ["product_id"], ["quantity:sum"]))

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
