from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.fields import Domain
from odoo.exceptions import UserError

from ..utils import notification_action

from .. import const


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_account_id = fields.Many2one(
        comodel_name="amazon.seller.account", string="Amazon Account", readonly=True, copy=False,
        index="btree_not_null",
    )
    amazon_order_ref = fields.Char(string="Amazon Order", readonly=True, copy=False)
    amazon_marketplace_id = fields.Many2one(
        comodel_name="amazon.seller.marketplace", string="Marketplace", readonly=True, copy=False,
    )
    amazon_fulfillment_channel = fields.Selection(
        selection=const.FULFILLMENT_CHANNELS, string="Fulfilment", readonly=True, copy=False,
    )
    amazon_status = fields.Selection(
        selection=const.ORDER_STATUSES, string="Amazon Status", readonly=True, copy=False,
    )
    amazon_last_update = fields.Datetime(
        string="Amazon Last Update", readonly=True, copy=False,
        help="Amazon's lastUpdatedTime of the version imported: older versions are ignored.",
    )
    amazon_ship_by = fields.Datetime(string="Ship By", readonly=True, copy=False)
    amazon_deliver_by = fields.Datetime(string="Deliver By", readonly=True, copy=False)
    amazon_ship_by_local = fields.Char(
        string="Ship By (Marketplace Time)", compute="_compute_amazon_local_deadlines",
        help="Amazon's ship-by deadline in the marketplace's time zone, where Amazon sets it.")
    amazon_deliver_by_local = fields.Char(
        string="Deliver By (Marketplace Time)", compute="_compute_amazon_local_deadlines")
    amazon_is_prime = fields.Boolean(string="Prime", readonly=True, copy=False)
    amazon_is_business = fields.Boolean(string="Business Order", readonly=True, copy=False)
    amazon_purchase_order_number = fields.Char(string="Buyer PO Number", readonly=True, copy=False)
    amazon_replaced_order_ref = fields.Char(
        string="Replaces Amazon Order", readonly=True, copy=False, index="btree_not_null")
    amazon_promotion_ids = fields.Char(
        string="Amazon Promotions", readonly=True, copy=False,
        help="The promotion ids Amazon applied, also those without an amount.")
    amazon_replaced_order_id = fields.Many2one(
        comodel_name="sale.order", string="Replaces Order", readonly=True, copy=False,
        help="The Amazon order this replacement order was sent for.",
    )

    amazon_awaiting_mapping = fields.Boolean(
        string="Awaiting SKU Mapping", readonly=True, copy=False, index=True,
        help="Amazon sold SKUs no product is mapped to yet: the order waits as a quotation, and "
             "is confirmed as soon as they are mapped (on their offers, or by a product taking "
             "the SKU as internal reference).",
    )

    _amazon_order_unique = models.Constraint(
        "UNIQUE(amazon_account_id, amazon_order_ref)",
        "An Amazon order can only be imported once per account.",
    )

    @api.depends("amazon_ship_by", "amazon_deliver_by", "amazon_marketplace_id")
    def _compute_amazon_local_deadlines(self):
        for order in self:
            marketplace = order.amazon_marketplace_id
            order.amazon_ship_by_local = marketplace._format_local(order.amazon_ship_by) \
                if marketplace else False
            order.amazon_deliver_by_local = marketplace._format_local(order.amazon_deliver_by) \
                if marketplace else False

    def action_confirm(self):
        """An Amazon order awaiting SKU mapping is confirmed by the mapping itself, never with
        the stand-in product of its unmapped SKUs."""
        waiting = self.filtered("amazon_awaiting_mapping")
        if waiting:
            raise UserError(self.env._(
                "%(orders)s sell Amazon SKUs no product is mapped to yet: map them on their offers "
                "(Amazon ▸ SKUs to Map) and the orders are confirmed at once.",
                orders=", ".join(waiting.mapped("name"))))
        return super().action_confirm()

    def _prepare_confirmation_values(self):
        """Amazon orders keep the date the buyer ordered, not the import's."""
        values = super()._prepare_confirmation_values()
        if self and all(self.mapped("amazon_order_ref")):
            values.pop("date_order", None)
        return values

    amazon_fba_move_count = fields.Integer(
        string="FBA Moves", compute="_compute_amazon_fba_move_count",
        help="Stock moves of the goods Amazon shipped from its FBA location.")

    def _compute_amazon_fba_move_count(self):
        counts = dict(self.env["stock.move"]._read_group(
            [("sale_line_id.order_id", "in", self.ids), ("picking_id", "=", False)],
            ["sale_line_id"], ["__count"]))
        for order in self:
            order.amazon_fba_move_count = sum(
                counts.get(line, 0) for line in order.order_line)

    def action_amazon_fba_moves(self):
        """The stock moves Amazon's FBA shipment of this order made (they have no picking)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.stock_move_action")
        action.update(domain=[("sale_line_id.order_id", "=", self.id), ("picking_id", "=", False)],
                      context={"create": False})
        return action

    amazon_invoice_error = fields.Text(
        string="Invoicing Problem", compute="_compute_amazon_invoice_error",
        search="_search_amazon_invoice_error",
        help="Why the Amazon invoicing could not invoice this order (it is retried).")

    def _compute_amazon_invoice_error(self):
        errors = {e.amazon_ref: e.message for e in self.env["amazon.seller.sync.error"].search([
            ("flow", "=", "invoicing"), ("state", "in", ("open", "needs_attention")),
            ("amazon_ref", "in", self.mapped("amazon_order_ref"))])}
        for order in self:
            order.amazon_invoice_error = errors.get(order.amazon_order_ref, False)

    def _search_amazon_invoice_error(self, operator, value):
        if operator not in ("!=", "=") or value not in (False, None):
            return NotImplemented
        refs = self.env["amazon.seller.sync.error"].search([
            ("flow", "=", "invoicing"), ("state", "in", ("open", "needs_attention"))]).mapped(
            "amazon_ref")
        return [("amazon_order_ref", "in" if operator == "!=" else "not in", refs)]

    amazon_company_currency_id = fields.Many2one(related="company_id.currency_id",
                                                 string="Company Currency")
    amazon_untaxed_company = fields.Monetary(
        string="Untaxed Amount (Company Currency)", currency_field="amazon_company_currency_id",
        compute="_compute_amazon_untaxed_company", store=True,
        help="The untaxed amount of an Amazon order in the company's currency, at the rate of "
             "its date: what the pivot and graph add up across marketplaces.")
    amazon_fee_total = fields.Monetary(
        string="Amazon Fees", compute="_compute_amazon_fees", currency_field="currency_id",
        help="What Amazon charged for this order in its settlements (commission, FBA fees...), "
             "as a negative amount.")
    amazon_settlement_line_count = fields.Integer(compute="_compute_amazon_fees")

    @api.depends("amount_untaxed", "currency_rate", "amazon_account_id")
    def _compute_amazon_untaxed_company(self):
        for order in self:
            order.amazon_untaxed_company = order.amount_untaxed / order.currency_rate \
                if order.amazon_account_id and order.currency_rate else 0.0

    def _compute_amazon_fees(self):
        """Amazon's rows of each order: its Amazon order id's, or, for an order of another
        channel Amazon fulfilled (Multi-Channel Fulfilment), those naming its deliveries'
        fulfilment orders as merchant order id."""
        Line = self.env["amazon.seller.settlement.line"]
        by_ref = Line.search_fetch(
            [("order_ref", "in", self.filtered("amazon_order_ref").mapped("amazon_order_ref")),
             ("account_id", "in", self.amazon_account_id.ids)],
            ["order_ref", "account_id", "kind", "amount"])
        mcf_refs = self.picking_ids.filtered("amazon_mcf_ref").mapped("amazon_mcf_ref")
        by_merchant_ref = Line.search_fetch(
            [("merchant_order_ref", "in", mcf_refs)],
            ["merchant_order_ref", "kind", "amount"]) if mcf_refs else Line
        grouped = defaultdict(lambda: Line)
        for line in by_ref:
            grouped[(line.account_id.id, line.order_ref)] |= line
        for line in by_merchant_ref:
            grouped[line.merchant_order_ref] |= line
        for order in self:
            lines = (grouped[(order.amazon_account_id.id, order.amazon_order_ref)]
                     if order.amazon_order_ref else Line)
            for ref in set(order.picking_ids.filtered("amazon_mcf_ref").mapped("amazon_mcf_ref")):
                lines |= grouped[ref]
            order.amazon_fee_total = sum(lines.filtered(lambda l: l.kind == "account")
                                         .mapped("amount"))
            order.amazon_settlement_line_count = len(lines)

    def _amazon_settlement_lines_domain(self):
        self.ensure_one()
        mcf_refs = self.picking_ids.filtered("amazon_mcf_ref").mapped("amazon_mcf_ref")
        own = Domain([("order_ref", "=", self.amazon_order_ref),
                      ("account_id", "=", self.amazon_account_id.id)]) \
            if self.amazon_order_ref else Domain.FALSE
        return list(own | Domain("merchant_order_ref", "in", mcf_refs) if mcf_refs else own)

    # --- returns and refunds, side by side --- #

    amazon_return_ids = fields.One2many(
        comodel_name="amazon.seller.return", inverse_name="order_id", string="Amazon Returns",
        readonly=True)
    amazon_credit_note_ids = fields.One2many(
        comodel_name="account.move", inverse_name="amazon_sale_order_id",
        string="Amazon Refunds", readonly=True)
    amazon_returned_qty = fields.Float(
        string="Units Returned", compute="_compute_amazon_return_state", store=True,
        digits="Product Unit", help="Units Amazon reports returned that are back in stock.")
    amazon_refunded_amount = fields.Monetary(
        string="Refunded", compute="_compute_amazon_return_state", store=True,
        currency_field="currency_id",
        help="What Amazon gave back to the buyer: the credit notes of the settlements' refunds.")
    amazon_return_state = fields.Selection(
        selection=[("refund_only", "Refunded, Not Returned"), ("expected", "Return Expected"),
                   ("returned", "Returned, Not Refunded"), ("refunded", "Returned and Refunded")],
        string="Return", compute="_compute_amazon_return_state", store=True, index=True,
        help="Refunded, not returned: Amazon refunded the buyer without a return (or before it "
             "arrived). Return expected: an FBM return on its way to the warehouse.")

    @api.depends("amazon_return_ids.state", "amazon_return_ids.quantity",
                 "amazon_credit_note_ids.state", "amazon_credit_note_ids.amount_total")
    def _compute_amazon_return_state(self):
        for order in self:
            returns = order.amazon_return_ids
            received = returns.filtered(lambda r: r.state == "received")
            credit_notes = order.amazon_credit_note_ids.filtered(lambda m: m.state == "posted")
            order.amazon_returned_qty = sum(received.mapped("quantity"))
            order.amazon_refunded_amount = sum(credit_notes.mapped("amount_total"))
            if returns.filtered(lambda r: r.state == "expected"):
                order.amazon_return_state = "expected"
            elif received:
                order.amazon_return_state = "refunded" if credit_notes else "returned"
            else:
                order.amazon_return_state = "refund_only" if credit_notes else False

    def _amazon_link_refunds(self):
        """Tie the settlements' credit notes to the order lines whose goods came back, so that
        Odoo's invoiced quantity follows the delivered one (both drop by the return) and the
        order is not "to invoice" again. A refund without return stays on its own, as money
        only; whichever of the return and the refund comes first, the second one links them."""
        for order in self.filtered("amazon_credit_note_ids"):
            free = order.amazon_credit_note_ids.filtered(
                lambda m: m.state == "posted").invoice_line_ids.filtered(
                lambda l: not l.sale_line_ids and l.product_id.type == "consu")
            for line in order.order_line.filtered("amazon_order_item_id"):
                returned = sum(line.move_ids.filtered(
                    lambda m: m.origin_returned_move_id and m.to_refund and m.state == "done"
                ).mapped("quantity"))
                credited = sum(line.invoice_lines.filtered(
                    lambda l: l.move_id.move_type == "out_refund"
                    and l.parent_state == "posted").mapped("quantity"))
                for refund_line in free.filtered(lambda l: l.product_id == line.product_id):
                    if credited >= returned:
                        break
                    refund_line.sale_line_ids = [Command.link(line.id)]
                    credited += refund_line.quantity
                    free -= refund_line

    def action_amazon_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.action_amazon_seller_returns")
        action.update(domain=[("order_id", "=", self.id)], context={"create": False})
        return action

    def action_amazon_settlement_lines(self):
        """The settlement rows of this order: what Amazon paid and charged for it."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.action_amazon_settlement_lines")
        action["domain"] = self._amazon_settlement_lines_domain()
        return action

    def _amazon_has_shipped(self):
        """Whether goods of this Amazon order left (or it has none to ship)."""
        self.ensure_one()
        goods = self.order_line.filtered(lambda l: l.product_id.type == "consu")
        return not goods or any(goods.mapped("qty_delivered"))

    def _amazon_shipment_date(self):
        """The day the goods left: the latest done move of the order, else the order's date."""
        moves = self.order_line.move_ids.filtered(lambda m: m.state == "done")
        moment = max(moves.mapped("date"), default=False) or self[:1].date_order
        return fields.Date.to_date(moment) if moment else fields.Date.today()

    def _amazon_payments(self):
        """The Amazon Payments setup (journal, accounts) of this order's account and currency."""
        self.ensure_one()
        return self.amazon_account_id._payments_in(self.currency_id)[:1]

    def _prepare_invoice(self):
        values = super()._prepare_invoice()
        if self.amazon_order_ref:
            values.update(amazon_account_id=self.amazon_account_id.id,
                          amazon_marketplace_id=self.amazon_marketplace_id.id,
                          amazon_order_ref=self.amazon_order_ref)
        return values

    def action_amazon_invoice(self):
        """List action: invoice the selected shipped Amazon orders now."""
        orders = self.filtered("amazon_order_ref")
        orders.amazon_account_id._check_can_operate()
        stats = self.env["amazon.seller.invoicing"].sudo()._invoice_now(orders.sudo())
        return notification_action(
            self.env._("%(invoiced)s invoiced, %(failed)s could not be (see Amazon: Invoice "
                       "Failed).", invoiced=stats["invoiced"], failed=stats["failed"]),
            "warning" if stats["failed"] else "success",
            next_action={"type": "ir.actions.client", "tag": "soft_reload"})

    def action_draft(self):
        """An Amazon order lives on Amazon: it is never set back to quotation in Odoo."""
        amazon = self.filtered("amazon_order_ref")
        if amazon:
            raise UserError(self.env._(
                "%(orders)s came from Amazon: Amazon decides what becomes of them, they cannot be "
                "set back to quotation.", orders=", ".join(amazon.mapped("name"))))
        return super().action_draft()

    def _send_order_notification_mail(self, mail_template, allow_deferred_sending=True):
        """Amazon buyers are contacted through Amazon only: no confirmation or payment e-mail."""
        if self.amazon_order_ref:
            return None
        return super()._send_order_notification_mail(mail_template, allow_deferred_sending)

    def _amazon_shipped_late(self):
        """Whether the first shipment left after the ship-by date (or has not left yet)."""
        self.ensure_one()
        if self.amazon_status == "SHIPPED" and not self.picking_ids.amazon_confirmation_state:
            return False  # shipped outside Odoo: Amazon knows when, Odoo does not
        shipped = [p.date_done for p in self.picking_ids
                   if p.state == "done" and p.picking_type_code == "outgoing" and p.date_done]
        return not shipped or min(shipped) > self.amazon_ship_by

    def _amazon_link_replacements(self):
        """Link replacement orders and the orders they replace, whichever arrived first."""
        refs = set(self.mapped("amazon_order_ref")) | set(self.filtered(
            "amazon_replaced_order_ref").mapped("amazon_replaced_order_ref"))
        related = self.search([
            ("amazon_account_id", "in", self.amazon_account_id.ids),
            "|", ("amazon_order_ref", "in", list(refs)), ("amazon_replaced_order_ref", "in", list(refs)),
        ])
        originals = {(o.amazon_account_id, o.amazon_order_ref): o for o in related}
        for replacement in related.filtered(
                lambda o: o.amazon_replaced_order_ref and not o.amazon_replaced_order_id):
            original = originals.get((replacement.amazon_account_id, replacement.amazon_replaced_order_ref))
            if original:
                replacement.amazon_replaced_order_id = original


class SaleOrderCollectedTax(models.Model):
    """Tax Amazon collects itself (marketplace facilitator) is not the seller's revenue: its
    line stays on the order so that the total is Amazon's, but it counts as tax, not in the
    untaxed amount, nor in sale and invoice analysis."""

    _inherit = "sale.order"

    def _compute_amounts(self):
        super()._compute_amounts()
        for order in self:
            collected = order._amazon_collected_tax()
            if collected:
                currency = order.currency_id or order.company_id.currency_id
                order.amount_untaxed = currency.round(order.amount_untaxed - collected)
                order.amount_tax = currency.round(order.amount_tax + collected)

    def _compute_tax_totals(self):
        super()._compute_tax_totals()
        for order in self:
            collected = order._amazon_collected_tax()
            if collected and order.tax_totals:
                order.tax_totals = order._amazon_totals_with_collected_tax(order.tax_totals,
                                                                           collected)

    def _amazon_collected_tax(self):
        """The order's tax collected by Amazon, in the order's currency."""
        return sum(self.order_line.filtered("amazon_collected_tax").mapped("price_subtotal"))

    def _amazon_totals_with_collected_tax(self, totals, collected):
        """Odoo's totals summary with the collected tax moved from the base into a tax group of
        its own (the total unchanged)."""
        totals = dict(totals)
        round_order = (self.currency_id or self.company_id.currency_id).round
        round_company = self.company_id.currency_id.round
        collected = round_order(collected)
        base = totals.get("base_amount_currency") or 0.0
        rate = (totals.get("base_amount") or 0.0) / base if base else 1.0
        collected_company = round_company(collected * rate)
        totals["base_amount_currency"] = round_order(base - collected)
        totals["base_amount"] = round_company((totals.get("base_amount") or 0.0)
                                              - collected_company)
        totals["tax_amount_currency"] = round_order((totals.get("tax_amount_currency") or 0.0)
                                                    + collected)
        totals["tax_amount"] = round_company((totals.get("tax_amount") or 0.0)
                                             + collected_company)
        subtotals = [dict(subtotal) for subtotal in totals.get("subtotals") or []]
        if subtotals:
            first = subtotals[0]
            first["base_amount_currency"] = round_order(first["base_amount_currency"] - collected)
            first["base_amount"] = round_company(first["base_amount"] - collected_company)
            first["tax_amount_currency"] = round_order(first.get("tax_amount_currency", 0.0)
                                                       + collected)
            first["tax_amount"] = round_company(first.get("tax_amount", 0.0) + collected_company)
            first["tax_groups"] = [*first.get("tax_groups", []), {
                "id": 0, "involved_tax_ids": [],
                "tax_amount_currency": collected, "tax_amount": collected_company,
                "base_amount_currency": False, "base_amount": False,
                "display_base_amount_currency": False, "display_base_amount": False,
                "group_name": self.env._("Tax collected by Amazon"), "group_label": False,
            }]
        totals["subtotals"] = subtotals
        return totals
