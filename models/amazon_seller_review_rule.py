from odoo import api, fields, models

CONDITIONS = [
    ("gift_message", "Gift message present"),
    ("business", "Business order"),
    ("amount_above", "Total above"),
    ("ship_to_country", "Shipped to one of the countries"),
    ("address_too_long", "Address line too long for a label"),
    ("stock_short", "A product short in stock"),
    ("prime", "Prime order"),
]


class AmazonSellerReviewRule(models.Model):
    """A reason for a person to look at an imported FBM order before the warehouse ships it:
    an order matching any active rule of its account waits *To Review*, its delivery not
    reserved, until someone releases, holds or cancels it."""

    _name = "amazon.seller.review.rule"
    _description = "Amazon Order Review Rule"
    _order = "account_id, sequence, id"
    _check_company_auto = True

    account_id = fields.Many2one(comodel_name="amazon.seller.account", required=True,
                                 ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    condition = fields.Selection(selection=CONDITIONS, required=True)
    amount = fields.Float(string="Amount", help="Total above which an order is reviewed "
                                                "(in the order's currency).")
    country_ids = fields.Many2many(comodel_name="res.country", string="Countries")
    max_length = fields.Integer(string="Characters per Line", default=35,
                                help="Longer address lines do not fit the carrier's label.")

    @api.depends("condition", "amount", "country_ids", "max_length")
    def _compute_display_name(self):
        labels = dict(self._fields["condition"]._description_selection(self.env))
        for rule in self:
            label = labels.get(rule.condition, "")
            if rule.condition == "amount_above":
                label = f"{label} {rule.amount:g}"
            elif rule.condition == "ship_to_country":
                label = f"{label}: {', '.join(rule.country_ids.mapped('code'))}"
            elif rule.condition == "address_too_long":
                label = f"{label} ({rule.max_length})"
            rule.display_name = label

    def _reason(self, order):
        """Why ``order`` matches this rule (a sentence), or False."""
        self.ensure_one()
        partner = order.partner_shipping_id
        if self.condition == "stock_short":
            short = self._short_products(order)
            return self.env._("%(rule)s: %(products)s", rule=self.display_name,
                              products=", ".join(short)) if short else False
        matched = {
            "gift_message": lambda: any(order.order_line.mapped("amazon_gift_message")),
            "business": lambda: order.amazon_is_business,
            "prime": lambda: order.amazon_is_prime,
            "amount_above": lambda: order.amount_total > self.amount,
            "ship_to_country": lambda: partner.country_id in self.country_ids,
            "address_too_long": lambda: any(len(line or "") > self.max_length for line in (
                partner.name, partner.street, partner.street2)),
        }.get(self.condition, lambda: False)()
        return self.display_name if matched else False

    @staticmethod
    def _short_products(order):
        """Products of the order whose free quantity in its warehouse does not cover it."""
        short = []
        for line in order.order_line.filtered(lambda l: l.product_id.is_storable):
            free = line.product_id.with_context(warehouse_id=order.warehouse_id.id).free_qty
            if free < line.product_uom_qty:
                short.append(line.amazon_offer_id.sku or line.product_id.display_name)
        return short
