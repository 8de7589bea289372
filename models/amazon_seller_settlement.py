from odoo import api, fields, models

SETTLEMENT_STATES = [
    ("to_review", "To Review"),
    ("ready", "Ready"),
    ("posted", "Posted"),
]


class AmazonSellerSettlement(models.Model):
    """One Amazon payout: the settlement report (V2 flat file) of an account, every row kept,
    each mapped by the settlement rules. It stays *to review* while a row has no rule or names an
    order Odoo does not hold; it is *ready* to post once everything is understood."""

    _name = "amazon.seller.settlement"
    _description = "Amazon Settlement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"
    _rec_name = "settlement_ref"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    settlement_ref = fields.Char(string="Settlement ID", required=True, readonly=True)
    amazon_report_ref = fields.Char(string="Amazon Report", readonly=True, index="btree_not_null")
    date_start = fields.Datetime(string="From", readonly=True)
    date_end = fields.Datetime(string="To", readonly=True)
    deposit_date = fields.Datetime(readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True, readonly=True)
    total_amount = fields.Monetary(string="Payout", readonly=True,
                                   help="What Amazon pays out (negative: what the seller owes).")
    state = fields.Selection(selection=SETTLEMENT_STATES, default="to_review", required=True,
                             tracking=True, index=True)
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="File", readonly=True)
    file_sha256 = fields.Char(string="File SHA-256", readonly=True)
    line_ids = fields.One2many(comodel_name="amazon.seller.settlement.line",
                               inverse_name="settlement_id", string="Rows")
    line_count = fields.Integer(compute="_compute_counts")
    unmapped_count = fields.Integer(string="Unmapped Rows", compute="_compute_counts")
    problems = fields.Text(readonly=True, help="What keeps the settlement from being posted.")

    _settlement_unique = models.Constraint(
        "UNIQUE(account_id, settlement_ref)", "A settlement is imported once per account.")

    @api.depends("line_ids.rule_id")
    def _compute_counts(self):
        for settlement in self:
            settlement.line_count = len(settlement.line_ids)
            settlement.unmapped_count = len(settlement.line_ids.filtered(lambda l: not l.rule_id))

    # === ACTIONS === #

    def action_check(self):
        """Map the rows again (after rules were added or orders imported) and say what is
        missing."""
        self._map_and_check()
        return True

    def action_view_unmapped(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.action_amazon_settlement_lines")
        action["domain"] = [("settlement_id", "=", self.id), ("rule_id", "=", False)]
        return action

    # === MAPPING === #

    def _map_and_check(self):
        """Give every row its rule and its order, then list what blocks posting: rows without
        rule, orders Odoo does not hold (rows of orders only: other rows' order-id column may
        hold an FBA shipment id)."""
        for settlement in self.filtered(lambda s: s.state != "posted"):
            match = self.env["amazon.seller.settlement.rule"]._matcher(settlement.company_id)
            lines = settlement.line_ids
            orders = {o.amazon_order_ref: o for o in self.env["sale.order"].search([
                ("amazon_account_id", "=", settlement.account_id.id),
                ("amazon_order_ref", "in", list(set(lines.filtered("order_ref").mapped("order_ref")))),
            ])}
            for (transaction_type, amount_type, description), group in lines.grouped(
                    lambda l: (l.transaction_type, l.amount_type, l.amount_description)).items():
                group.rule_id = match(transaction_type, amount_type, description)
            for line in lines.filtered(lambda l: l.rule_id.kind in ("order", "refund")):
                line.order_id = orders.get(line.order_ref, False)
            settlement._set_problems()

    def _set_problems(self):
        problems = []
        unmapped = self.line_ids.filtered(lambda l: not l.rule_id)
        for key in sorted({(l.transaction_type, l.amount_type, l.amount_description)
                           for l in unmapped}):
            problems.append(self.env._("No rule for %(code)s: map it with Create Rule.",
                                       code=" / ".join(key)))
        missing = sorted(set(self.line_ids.filtered(
            lambda l: l.rule_id.kind in ("order", "refund") and l.order_ref and not l.order_id
        ).mapped("order_ref")))
        for order_ref in missing:
            problems.append(self.env._(
                "Order %(order)s is not in Odoo: fetch it from Amazon.", order=order_ref))
        self.write({"problems": "\n".join(problems) or False,
                    "state": "to_review" if problems else "ready"})


class AmazonSellerSettlementLine(models.Model):
    """One row of a settlement report, every column kept."""

    _name = "amazon.seller.settlement.line"
    _description = "Amazon Settlement Row"
    _order = "settlement_id, line_number"

    settlement_id = fields.Many2one(comodel_name="amazon.seller.settlement", required=True,
                                    index=True, ondelete="cascade")
    company_id = fields.Many2one(related="settlement_id.company_id", store=True)
    account_id = fields.Many2one(related="settlement_id.account_id", store=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id", store=True)
    line_number = fields.Integer(string="Line", readonly=True)
    transaction_type = fields.Char(readonly=True, index=True)
    amount_type = fields.Char(readonly=True)
    amount_description = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True)
    order_ref = fields.Char(string="Order ID", readonly=True, index="btree_not_null")
    merchant_order_ref = fields.Char(string="Merchant Order ID", readonly=True)
    adjustment_ref = fields.Char(string="Adjustment ID", readonly=True)
    shipment_ref = fields.Char(string="Shipment ID", readonly=True)
    marketplace_name = fields.Char(readonly=True)
    fulfillment_ref = fields.Char(string="Fulfillment ID", readonly=True)
    posted_date = fields.Datetime(readonly=True)
    order_item_code = fields.Char(readonly=True)
    merchant_order_item_ref = fields.Char(string="Merchant Order Item ID", readonly=True)
    merchant_adjustment_item_ref = fields.Char(string="Merchant Adjustment Item ID", readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    quantity = fields.Integer(string="Quantity Purchased", readonly=True)
    promotion_ref = fields.Char(string="Promotion ID", readonly=True)
    rule_id = fields.Many2one(comodel_name="amazon.seller.settlement.rule", readonly=True,
                              index="btree_not_null")
    kind = fields.Selection(related="rule_id.kind", store=True)
    order_id = fields.Many2one(comodel_name="sale.order", readonly=True, index="btree_not_null")

    def action_create_rule(self):
        """Open a new rule for this row's code, ready to be completed and saved."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "res_model": "amazon.seller.settlement.rule",
            "view_mode": "form", "target": "new", "name": self.env._("Create Rule"),
            "context": {"default_transaction_type": self.transaction_type or "*",
                        "default_amount_type": self.amount_type or "*",
                        "default_amount_description": self.amount_description or "*",
                        "default_company_id": self.company_id.id},
        }
