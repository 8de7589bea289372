from datetime import datetime, time, timedelta

from markupsafe import Markup
import pytz

from odoo import api, fields, models
from odoo.tools.misc import format_datetime


# The search filter each figure shows as a facet of the list it opens (its own domain applies
# besides, restricted to the account).
FACETS = {
    "to_ship_today": "amazon_due_today", "overdue": "amazon_overdue",
    "confirmation_errors": "amazon_confirmation_error", "awaiting_mapping": "amazon_awaiting_mapping",
    "inbound_discrepancies": "discrepancy",
}


class AmazonSellerAccount(models.Model):
    """The figures of the Amazon overview (Sales ▸ Amazon ▸ Overview), one kanban card per
    account, each opening the records it counts."""

    _inherit = "amazon.seller.account"

    dashboard_orders_today = fields.Integer(
        string="Orders Today", compute="_compute_dashboard_figures",
        help="Amazon orders bought today (your time zone), cancelled ones left out.")
    dashboard_to_ship_today = fields.Integer(
        string="To Ship Today", compute="_compute_dashboard_figures",
        help="FBM deliveries not shipped whose ship-by deadline falls later today.")
    dashboard_overdue = fields.Integer(
        string="Overdue", compute="_compute_dashboard_figures",
        help="FBM deliveries not shipped whose ship-by deadline has passed.")
    dashboard_confirmation_errors = fields.Integer(
        string="Confirmation Errors", compute="_compute_dashboard_figures",
        help="Deliveries whose shipment confirmation Amazon refused, or that shipped for an order "
             "Amazon cancelled.")
    dashboard_awaiting_mapping = fields.Integer(
        string="Awaiting SKU Mapping", compute="_compute_dashboard_figures",
        help="Orders waiting as quotations until their SKUs are mapped to products.")
    dashboard_to_review = fields.Integer(
        string="To Review or On Hold", compute="_compute_dashboard_figures",
        help="FBM orders waiting for a person before they ship (review rules, holds).")
    dashboard_returns_week = fields.Integer(
        string="Returns This Week", compute="_compute_dashboard_figures",
        help="Customer returns Amazon reported over the last 7 days.")
    dashboard_return_rate_30d = fields.Float(
        string="Return Rate (30 days)", compute="_compute_dashboard_return_rate",
        help="Units returned over the last 30 days, per unit of the orders of those 30 days.")
    dashboard_removals_open = fields.Integer(
        string="Removals in Progress", compute="_compute_dashboard_figures",
        help="Removal orders Amazon has not completed or cancelled yet.")
    dashboard_inbound_discrepancies = fields.Integer(
        string="Inbound Discrepancies", compute="_compute_dashboard_figures",
        help="Shipments to Amazon whose received quantities differ from what was sent.")
    dashboard_mcf_late = fields.Integer(
        string="MCF Orders Late", compute="_compute_dashboard_figures",
        help="Deliveries sent to Amazon (Multi-Channel Fulfilment) not shipped by their "
             "scheduled date, or that Amazon refused or stopped.")
    dashboard_flows = fields.Json(
        string="Flow Summary", compute="_compute_dashboard_flows",
        help="Per flow that ran or has errors: its last successful run and open errors.")

    # === COMPUTE METHODS === #

    def _compute_dashboard_figures(self):
        """One grouped count per figure for all the accounts (never a search per account). The
        counts run as superuser, limited to the accounts the user reads: an Amazon user without
        Inventory rights still sees how many deliveries wait."""
        for figure, (model, account_path, domain) in self._dashboard_domains().items():
            counts = dict(self.env[model].sudo()._read_group(domain, [account_path], ["__count"]))
            for account in self:
                account[f"dashboard_{figure}"] = counts.get(account, 0)

    def _compute_dashboard_return_rate(self):
        """Returned units ÷ ordered units of the last 30 days, per account (a percentage)."""
        since = fields.Datetime.now() - timedelta(days=30)
        returned = dict(self.env["amazon.seller.return"].sudo()._read_group(
            [("account_id", "in", self.ids), ("returned_at", ">=", since)],
            ["account_id"], ["quantity:sum"]))
        ordered = dict(self.env["sale.order.line"].sudo()._read_group(
            [("order_id.amazon_account_id", "in", self.ids), ("order_id.date_order", ">=", since),
             ("order_id.state", "=", "sale"), ("amazon_order_item_id", "!=", False)],
            ["order_id.amazon_account_id"], ["product_uom_qty:sum"]))
        for account in self:
            units = ordered.get(account, 0)
            account.dashboard_return_rate_30d = \
                round(100.0 * returned.get(account, 0) / units, 1) if units else 0.0

    def _compute_dashboard_flows(self):
        labels = dict(self.env["amazon.seller.flow.state"]._fields["flow"]
                      ._description_selection(self.env))
        states = self.env["amazon.seller.flow.state"].search([("account_id", "in", self.ids)])
        errors = dict(((account.id, flow), count) for account, flow, count in
                      self.env["amazon.seller.sync.error"]._read_group(
                          [("account_id", "in", self.ids),
                           ("state", "in", ("open", "needs_attention"))],
                          ["account_id", "flow"], ["__count"]))
        for account in self:
            by_flow = {state.flow: state for state in states if state.account_id == account}
            account.dashboard_flows = [
                account._dashboard_flow(flow, labels[flow], by_flow.get(flow),
                                        errors.get((account.id, flow), 0))
                for flow in labels
                if flow in by_flow or errors.get((account.id, flow))
            ]

    def _dashboard_flow(self, flow, label, state, error_count):
        """What the card shows of one flow (dates in the user's time zone and language)."""
        last_success = state and state.last_success
        return {
            "flow": flow,
            "name": label,
            "last_success": format_datetime(self.env, last_success, tz=self._dashboard_tz().zone,
                                            dt_format="short")
            if last_success else False,
            "failed": bool(state and state.failed),
            "message": state and state.last_message or "",
            "errors": error_count,
        }

    # === ACTION METHODS === #

    def action_view_orders_today(self):
        return self._dashboard_action("orders_today", "amazon_seller.action_amazon_orders",
                                      self.env._("Amazon Orders Today"))

    def action_view_to_ship_today(self):
        return self._dashboard_action("to_ship_today", "amazon_seller.action_amazon_to_ship",
                                      self.env._("Amazon: To Ship Today"))

    def action_view_overdue(self):
        return self._dashboard_action("overdue", "amazon_seller.action_amazon_to_ship",
                                      self.env._("Amazon: Overdue"))

    def action_view_confirmation_errors(self):
        return self._dashboard_action(
            "confirmation_errors", "amazon_seller.action_amazon_to_ship",
            self.env._("Amazon: Confirmation Errors"))

    def action_view_awaiting_mapping(self):
        return self._dashboard_action(
            "awaiting_mapping", "amazon_seller.action_amazon_awaiting_mapping",
            self.env._("Awaiting SKU Mapping"))

    def action_view_to_review(self):
        return self._dashboard_action("to_review", "amazon_seller.action_amazon_orders_to_review",
                                      self.env._("Orders to Review"))

    def action_view_returns_week(self):
        action = self._dashboard_action("returns_week", "amazon_seller.action_amazon_seller_returns",
                                        self.env._("Returns This Week"))
        action["context"] = dict(action["context"], group_by=["sku"])
        return action

    def action_view_removals_open(self):
        return self._dashboard_action("removals_open",
                                      "amazon_seller.action_amazon_seller_removals",
                                      self.env._("Removals in Progress"))

    def action_view_inbound_discrepancies(self):
        return self._dashboard_action("inbound_discrepancies",
                                      "amazon_seller.action_amazon_seller_inbounds",
                                      self.env._("Inbound Shipments with Discrepancies"))

    def action_view_mcf_late(self):
        return self._dashboard_action("mcf_late", "amazon_seller.action_amazon_mcf_orders",
                                      self.env._("MCF Orders Late"))

    def action_view_flow_errors(self):
        """The open errors of the flow the card's line names (context key ``amazon_flow``), as
        the card counts them."""
        action = self.action_view_sync_errors()
        action["domain"] += [("flow", "=", self.env.context.get("amazon_flow")),
                             ("state", "in", ("open", "needs_attention"))]
        return action

    def action_open_account(self):
        """The account's form, from its card (where its set-up goes on)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _dashboard_action(self, figure, xmlid, name):
        """The list of what ``figure`` counts for this account: the figure's own domain, no
        other default filter."""
        self.ensure_one()
        model, _path, domain = self._dashboard_domains()[figure]
        if model == "stock.picking" and not self.env["stock.picking"].has_access("read"):
            # no Inventory rights: the orders of those deliveries, which the user may read
            orders = self.env["stock.picking"].sudo().search(domain).sale_id
            xmlid, domain = "amazon_seller.action_amazon_orders", [("id", "in", orders.ids)]
        facet = FACETS.get(figure) if xmlid != "amazon_seller.action_amazon_orders" else None
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = {"create": False, **({f"search_default_{facet}": 1} if facet else {})}
        action.update(name=name, domain=domain, context=context,
                      help=Markup('<p class="o_view_nocontent_empty_folder">%s</p>') % (
                          self._dashboard_empty_text(figure)))
        return action

    def _dashboard_empty_text(self, figure):
        """What an empty list of ``figure`` means, naming the account."""
        texts = {
            "orders_today": self.env._("No order of %(account)s arrived today."),
            "to_ship_today": self.env._("No FBM delivery of %(account)s is due today."),
            "overdue": self.env._("No FBM delivery of %(account)s is overdue."),
            "confirmation_errors": self.env._(
                "No shipment confirmation of %(account)s failed."),
            "awaiting_mapping": self.env._("No order of %(account)s waits for an SKU mapping."),
            "to_review": self.env._("No order of %(account)s waits for review or is on hold."),
            "returns_week": self.env._("No return of %(account)s this week."),
            "removals_open": self.env._("No removal order of %(account)s is in progress."),
            "inbound_discrepancies": self.env._(
                "No shipment of %(account)s to Amazon has a discrepancy."),
            "mcf_late": self.env._("No MCF order of %(account)s is late or refused."),
        }
        return texts[figure] % {"account": self.name}

    # === BUSINESS METHODS === #

    def _dashboard_domains(self):
        """figure → (model, path to the account, domain over these accounts' records)."""
        now = fields.Datetime.now()
        today, tomorrow = self._dashboard_today_bounds(now)
        deliveries = [
            ("sale_id.amazon_account_id", "in", self.ids),
            ("sale_id.amazon_fulfillment_channel", "=", "fbm"),
            ("picking_type_code", "=", "outgoing"),
        ]
        not_shipped = deliveries + [("state", "not in", ("done", "cancel"))]
        return {
            "orders_today": ("sale.order", "amazon_account_id", [
                ("amazon_account_id", "in", self.ids), ("date_order", ">=", today),
                ("date_order", "<", tomorrow), ("state", "!=", "cancel")]),
            "to_ship_today": ("stock.picking", "sale_id.amazon_account_id", not_shipped + [
                ("amazon_due_today", "=", True)]),
            "overdue": ("stock.picking", "sale_id.amazon_account_id", not_shipped + [
                ("amazon_ship_by", "<", now)]),
            "confirmation_errors": ("stock.picking", "sale_id.amazon_account_id", deliveries + [
                ("amazon_confirmation_state", "in", ("error", "cancelled"))]),
            "awaiting_mapping": ("sale.order", "amazon_account_id", [
                ("amazon_account_id", "in", self.ids), ("amazon_awaiting_mapping", "=", True),
                ("state", "!=", "cancel")]),
            "to_review": ("sale.order", "amazon_account_id", [
                ("amazon_account_id", "in", self.ids),
                ("amazon_review_state", "in", ("to_review", "held")), ("state", "!=", "cancel")]),
            "returns_week": ("amazon.seller.return", "account_id", [
                ("account_id", "in", self.ids), ("returned_at", ">=", now - timedelta(days=7))]),
            "removals_open": ("amazon.seller.removal", "account_id", [
                ("account_id", "in", self.ids),
                ("amazon_status", "not in", ("Completed", "Cancelled"))]),
            "inbound_discrepancies": ("amazon.seller.inbound", "account_id", [
                ("account_id", "in", self.ids), ("has_discrepancy", "=", True),
                ("state", "!=", "cancel")]),
            "mcf_late": ("stock.picking", "picking_type_id.warehouse_id.amazon_mcf_account_id", [
                ("picking_type_id.warehouse_id.amazon_mcf_account_id", "in", self.ids),
                ("amazon_mcf_state", "!=", False), ("state", "not in", ("done", "cancel")), "|",
                ("amazon_mcf_state", "in", ("error", "stopped")),
                ("scheduled_date", "<", now)]),
        }

    @api.model
    def _dashboard_today_bounds(self, now):
        """Today's start and tomorrow's start in the user's time zone, as UTC datetimes."""
        tz = self._dashboard_tz()
        local_day = pytz.utc.localize(now).astimezone(tz).date()
        return tuple(
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in (local_day, local_day + timedelta(days=1)))

    def _dashboard_tz(self):
        """The user's time zone (the web client's, in the context), UTC when unknown."""
        try:
            return pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc
