from datetime import timedelta
import logging
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.mail import plaintext2html

from .. import const
from ..exceptions import (
    AmazonBadRequest,
    AmazonError,
    AmazonThrottled,
    AmazonTimeout,
    AmazonUnauthorized,
    AmazonUnreachable,
)
from ..gateway import SpApiGateway
from ..utils import notification_action
from .amazon_seller_settlement import BOOKED_STATES

_logger = logging.getLogger(__name__)

CREDENTIAL_FIELDS = ("lwa_app_id", "lwa_client_secret", "refresh_token")


class AmazonSellerAccount(models.Model):
    """A Seller Central account: the credentials and settings every exchange with Amazon uses."""

    _name = "amazon.seller.account"
    _description = "Amazon Seller Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company,
        tracking=True,
    )
    region = fields.Selection(
        selection=const.REGIONS, required=True, default="NA", tracking=True,
        help="The Amazon region of the Seller Central account: North America (amazon.com, .ca, "
             ".com.mx, .com.br), Europe (amazon.de, .fr, .co.uk, .it, .es, ..., India, Middle "
             "East) or Far East (amazon.co.jp, .com.au, .sg). It decides the endpoint and the "
             "marketplaces the account can sell on.",
    )
    lwa_app_id = fields.Char(
        string="LWA Client ID", groups="base.group_system", copy=False,
        help="The Login with Amazon client identifier of your SP-API application "
             "(amzn1.application-oa2-client.…): Seller Central ▸ Apps and Services ▸ Develop "
             "Apps, then View under LWA credentials of the application (Developer Central).",
    )
    lwa_client_secret = fields.Char(
        string="LWA Client Secret", groups="base.group_system", copy=False,
        help="The client secret shown beside the LWA client ID in Seller Central ▸ Apps and "
             "Services ▸ Develop Apps ▸ View (LWA credentials). Amazon asks to rotate it "
             "periodically: paste the new one here when you do.",
    )
    refresh_token = fields.Char(
        groups="base.group_system", copy=False,
        help="The refresh token (Atzr|…) Seller Central gives when the seller authorises the "
             "application: Seller Central ▸ Apps and Services ▸ Develop Apps ▸ Authorize "
             "(self-authorisation) of the application, Generate refresh token.",
    )
    connection_tested = fields.Datetime(
        string="Connection Tested", readonly=True, copy=False,
        help="When Amazon last accepted the credentials in a Test Connection. Changing the "
             "credentials, the region or the endpoint asks for a new test.",
    )
    setup_step = fields.Selection(
        selection=[
            ("credentials", "Credentials"),
            ("connect", "Test Connection"),
            ("marketplaces", "Marketplaces"),
            ("accounting", "Journal and Accounts"),
            ("sync", "Enable Synchronisation"),
            ("done", "Ready"),
        ],
        string="Set-up Step", compute="_compute_setup_step",
        help="The next step of the account's set-up; Ready once everything is in place.",
    )
    credentials_complete = fields.Boolean(
        compute="_compute_credentials_complete",
        help="Whether the three credentials are set (they are visible to administrators only).",
    )
    marketplace_ids = fields.Many2many(
        string="Marketplaces", comodel_name="amazon.seller.marketplace",
        domain="[('region', '=', region)]",
    )
    endpoint_url = fields.Char(
        string="Endpoint URL", groups="base.group_system",
        help="Leave empty to reach Amazon's production endpoint of the region. A base URL such as "
             "http://127.0.0.1:8073 sends every API call and the token request there instead "
             "(the SP-API simulator).",
    )
    sync_enabled = fields.Boolean(
        string="Synchronisation Enabled", default=False, copy=False, tracking=True,
        help="Scheduled actions only exchange data with Amazon for accounts where this is set.",
    )
    user_id = fields.Many2one(
        string="Responsible", comodel_name="res.users", default=lambda self: self.env.user,
        domain="[('share', '=', False)]", tracking=True,
        help="Receives the activities raised when something needs a person.",
    )

    team_id = fields.Many2one(
        comodel_name="crm.team", string="Sales Team", check_company=True,
        help="Sales team of the imported orders, unless their marketplace names one. A team "
             "called Amazon is created with the first account of a company.",
    )
    salesperson_id = fields.Many2one(
        comodel_name="res.users", string="Salesperson", domain="[('share', '=', False)]",
        help="Salesperson of the imported orders (none when empty).",
    )
    warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse", check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1),
        help="Warehouse shipping FBM orders, unless their marketplace names one.",
    )
    tax_collected_fiscal_position_id = fields.Many2one(
        comodel_name="account.fiscal.position", string="Tax Collected by Amazon",
        check_company=True,
        help="Applied to the orders whose tax Amazon collects and remits itself (marketplace "
             "facilitator US states, deemed-supplier sales in the EU and UK): without tax "
             "mappings it removes the company's own sales taxes, so that revenue is Amazon's "
             "item price and Amazon's tax is only on its marketplace facilitator line.")
    fba_unsellable_location_id = fields.Many2one(
        comodel_name="stock.location", string="FBA Unsellable Location", check_company=True,
        copy=False, domain="[('usage', '=', 'internal')]",
        help="Returned units Amazon holds as unsellable (damaged, defective): kept apart from "
             "the FBA stock Amazon sells, until they are removed or disposed of.")
    removal_transit_location_id = fields.Many2one(
        comodel_name="stock.location", string="Removals in Transit", check_company=True,
        copy=False,
        help="Units Amazon shipped back from its fulfilment centres (removal orders), on their "
             "way to the warehouse, which receives them.")
    label_preference = fields.Selection(
        selection=const.LABEL_PREFERENCES, string="Buy Shipping Rate", default="cheapest",
        help="Which of Amazon's Buy Shipping rates a label bought without choosing takes.")
    label_service_ref = fields.Char(
        string="Default Shipping Service",
        help="Amazon's serviceId to buy when offered (e.g. UPS_GROUND); else the preference.")
    label_format = fields.Selection(selection=const.LABEL_FORMATS, string="Label Format",
                                    default="PDF")
    review_rule_ids = fields.One2many(
        comodel_name="amazon.seller.review.rule", inverse_name="account_id",
        string="Order Review Rules",
        help="An imported FBM order matching any of these waits To Review before it ships.")
    inbound_transit_location_id = fields.Many2one(
        comodel_name="stock.location", string="Inbound in Transit", check_company=True,
        copy=False,
        help="Units the warehouse shipped to Amazon's fulfilment centres, until Amazon reports "
             "them received.")
    eu_distance_sales = fields.Selection(
        related="company_id.amazon_eu_distance_sales", string="EU Distance Sales")
    company_in_eu = fields.Boolean(string="Company in the EU", compute="_compute_company_in_eu")
    fba_location_id = fields.Many2one(
        comodel_name="stock.location", string="FBA Location", check_company=True, copy=False,
        domain="[('usage', '=', 'internal')]",
        help="The stock Amazon holds for you: FBA orders move their goods from here to the customer.",
    )
    invoice_orders = fields.Boolean(
        string="Invoice Amazon Orders", default=True, tracking=True,
        help="Invoice each Amazon order once it shipped (FBA at import, FBM when its delivery is "
             "validated), one invoice per order, never sent by e-mail (Amazon relays the "
             "buyer's address).")
    vat_calculation_service = fields.Boolean(
        string="On Amazon's VAT Calculation Service", tracking=True,
        help="Amazon computes the VAT (VCS): an uploaded invoice counts as accepted once "
             "Amazon's VAT invoice data report says so, not when the feed received the file.")
    upload_invoices = fields.Boolean(
        string="Send Invoices to Amazon", default=False, tracking=True,
        help="On the EU marketplaces (DE, FR, IT, ES, UK, NL, PL, SE, BE, IE) Amazon hands the "
             "seller's invoices and credit notes to the buyer: upload each one as PDF when it is "
             "posted (within Amazon's 24-hour window).")
    payments_ids = fields.One2many(
        comodel_name="amazon.seller.payments", inverse_name="account_id",
        string="Amazon Payments", help="A journal and its accounts per currency of the marketplaces.")
    misplaced_accounts = fields.Char(
        compute="_compute_misplaced_accounts",
        help="Amazon accounts outside the range the company's chart gives their role.")
    settlement_to_review_count = fields.Integer(
        string="Settlements to Review", compute="_compute_settlement_figures",
        help="Imported settlements with rows no rule maps or orders Odoo does not know.")
    unposted_settlement_count = fields.Integer(
        string="Settlements to Post", compute="_compute_settlement_figures",
        help="Imported settlements not posted yet (to review or ready).")
    undeposited_count = fields.Integer(
        string="Payouts Not Deposited", compute="_compute_settlement_figures",
        help="Posted payouts whose bank deposit is not matched yet.")
    flow_state_ids = fields.One2many(
        comodel_name="amazon.seller.flow.state", inverse_name="account_id", string="Flows",
        readonly=True,
    )
    last_sync_date = fields.Datetime(
        string="Last Synchronisation", compute="_compute_last_sync",
        help="The latest run of any flow of this account.",
    )
    last_sync_failed = fields.Boolean(
        string="Synchronisation Problem", compute="_compute_last_sync",
        help="The last run of at least one flow failed: the Synchronisation tab says why.",
    )
    sync_error_count = fields.Integer(compute="_compute_sync_error_count")
    late_shipment_rate_7d = fields.Float(
        string="Late Shipments % (7 days)", compute="_compute_late_shipment_rates", digits=(5, 1),
        help="Percentage of FBM orders due in the last 7 days that shipped after their ship-by "
             "date, or not yet. Amazon may suspend an account above 4 %.",
    )
    late_shipment_rate_30d = fields.Float(
        string="Late Shipments % (30 days)", compute="_compute_late_shipment_rates", digits=(5, 1),
        help="The same over the last 30 days.",
    )
    order_count = fields.Integer(compute="_compute_order_count")
    offer_count = fields.Integer(compute="_compute_offer_count")
    # --- stock: FBA inventory pulled, FBM quantities pushed ---
    fba_location_per_marketplace = fields.Boolean(
        string="FBA Location per Marketplace", tracking=True,
        help="Keep the stock Amazon holds in each marketplace's fulfilment centres apart: one "
             "child location of the FBA location per marketplace, adjusted to that "
             "marketplace's inventory and delivering its FBA orders (EU sellers stocking "
             "several countries). Those orders are taxed as shipped from the marketplace's "
             "country (a sale there when the buyer lives there too).")
    merchant_token = fields.Char(
        string="Seller ID", tracking=True,
        help="Your merchant token (Seller Central > Settings > Account Info > Merchant Token): "
             "the listings feeds sending your FBM quantities name it.")
    sync_stock_default = fields.Boolean(
        string="Sync Stock of New FBM Offers", default=False, tracking=True,
        help="New FBM offers of this account send their free quantity to Amazon (each offer "
             "can be switched on or off).")
    stock_buffer = fields.Integer(
        string="Stock Buffer", default=0, tracking=True,
        help="Units kept back from Amazon: the quantity sent for an FBM offer is the free "
             "quantity of its warehouse minus this buffer, never below zero.")
    to_invoice_count = fields.Integer(
        string="Shipped, Not Invoiced", compute="_compute_to_invoice_count",
        help="Amazon orders that shipped and wait for their invoice.")

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        # the secrets are written on their own: a failing query never shows them in the log
        secrets = [self._pop_secrets(vals) for vals in vals_list]
        for vals in vals_list:
            self._apply_company_defaults(vals)
        accounts = super().create(vals_list)
        for account, account_secrets in zip(accounts, secrets):
            if account_secrets:
                account.flush_recordset()
                super(AmazonSellerAccount, account).write(account_secrets)
        accounts._ensure_fba_location()
        accounts._ensure_team()
        accounts._ensure_payments(quiet=True)
        accounts._ensure_flow_states()
        accounts._name_dollars()
        return accounts

    def write(self, vals):
        if "endpoint_url" in vals:
            self._check_endpoint_change(vals)
        vals = dict(vals)
        secrets = self._pop_secrets(vals)
        if (secrets or {"endpoint_url", "region"} & set(vals)) and "connection_tested" not in vals:
            vals["connection_tested"] = False
        result = super().write(vals) if vals else True
        if "marketplace_ids" in vals:
            self._ensure_payments(quiet=True)
            self._name_dollars()
        if secrets:
            self.flush_recordset()
            super().write(secrets)
        return result

    @api.model
    def _name_dollars(self):
        """When the active currencies count several "$", each says which dollar it is (US$,
        CA$...): amounts of amazon.com and amazon.ca side by side stay readable."""
        dollars = self.env["res.currency"].sudo().search([("symbol", "=", "$")])
        if len(dollars) > 1:
            for currency in dollars.filtered(lambda c: c.name in const.DOLLAR_SYMBOLS):
                currency.symbol = const.DOLLAR_SYMBOLS[currency.name]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_orders(self):
        """An account that brought orders is archived, never deleted: its orders, deliveries and
        errors keep pointing at it."""
        if self.env["sale.order"].sudo().search_count([("amazon_account_id", "in", self.ids)], limit=1):
            raise UserError(self.env._(
                "Amazon accounts with orders cannot be deleted: archive them instead (an archived "
                "account exchanges nothing with Amazon)."))

    def _apply_company_defaults(self, vals):
        """The defaults the company chose in Settings ▸ Amazon, for what ``vals`` leaves out."""
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        vals.setdefault("invoice_orders", company.amazon_invoice_orders_default)
        vals.setdefault("stock_buffer", company.amazon_stock_buffer_default)
        if not vals.get("team_id") and company.amazon_team_default_id:
            vals["team_id"] = company.amazon_team_default_id.id

    @staticmethod
    def _pop_secrets(vals):
        return {name: vals.pop(name) for name in CREDENTIAL_FIELDS if name in vals}

    def _check_endpoint_change(self, vals):
        """The credentials go wherever the endpoint points: who changes it enters them again."""
        new_url = (vals["endpoint_url"] or "").strip().rstrip("/")
        changed = self.filtered(
            lambda a: (a.sudo().endpoint_url or "").strip().rstrip("/") != new_url)
        if changed and not all(vals.get(name) for name in CREDENTIAL_FIELDS):
            raise ValidationError(self.env._(
                "Changing the endpoint URL of %(accounts)s sends the credentials there: enter the "
                "LWA client ID, client secret and refresh token again in the same change.",
                accounts=", ".join(changed.mapped("name"))))

    def _ensure_payments(self, quiet=False):
        """The Amazon Payments journal and accounts of every currency of the marketplaces
        (idempotent). A company without a chart of accounts gets a clear message, or, when
        ``quiet`` (creating the account), a line in the log: the Accounting tab then offers to
        create them once a chart is installed."""
        self._ensure_tax_collected_fiscal_position()
        try:
            # as superuser: the journal and its accounts are the fixed, idempotent part of an
            # account's set-up, which Amazon managers do without managing the chart of accounts
            return self.env["amazon.seller.payments"].sudo()._ensure_for(self.sudo())
        except UserError:
            if not quiet:
                raise
            _logger.info("Amazon accounts %s: no chart of accounts yet, no Amazon Payments journal",
                         self.ids)
            return self.env["amazon.seller.payments"]

    @api.model
    def _ensure_payments_of_all_accounts(self):
        """On install and update: databases that had accounts before get their journals too."""
        self.with_context(active_test=False).search([])._ensure_payments(quiet=True)

    @api.depends("payments_ids.misplaced_accounts")
    def _compute_misplaced_accounts(self):
        for account in self:
            account.misplaced_accounts = ", ".join(sorted(set().union(
                *(payments._misplaced_names() for payments in account.payments_ids)))) or False

    def action_move_accounts_to_chart_places(self):
        """Recode the Amazon accounts an earlier version placed outside their role's range
        (SKR03 fees as 9993...) at their place in the company's chart, entries kept."""
        self._check_can_book()
        self.sudo().payments_ids._move_to_chart_places()
        return True

    def action_create_payments(self):
        self._check_can_operate()
        self._ensure_payments()
        return True

    def _ensure_tax_collected_fiscal_position(self):
        """Accounts without one get their company's "Tax collected by Amazon" fiscal position
        (created once, no tax mapping: it removes the company's sales taxes; editable)."""
        Position = self.env["account.fiscal.position"].sudo()
        name = self.env._("Tax collected by Amazon")
        for account in self.filtered(lambda a: not a.tax_collected_fiscal_position_id):
            company = account.company_id
            account.tax_collected_fiscal_position_id = Position.search(
                [("name", "=", name), ("company_id", "=", company.id)], limit=1) \
                or Position.create({
                    "name": name, "company_id": company.id, "auto_apply": False,
                    "sequence": 1000,
                    "note": self.env._("Sales tax collected and remitted by Amazon as "
                                       "marketplace facilitator or deemed supplier.")})
        return self.tax_collected_fiscal_position_id

    def _ensure_team(self):
        """Accounts without a sales team get their company's "Amazon" team (created once)."""
        Team = self.env["crm.team"].sudo()
        for account in self.filtered(lambda a: not a.team_id):
            account.team_id = Team.search([("name", "=", "Amazon"),
                                           ("company_id", "=", account.company_id.id)], limit=1) \
                or Team.create({"name": "Amazon", "company_id": account.company_id.id})

    @api.constrains("stock_buffer")
    def _check_stock_buffer(self):
        for account in self.filtered(lambda a: a.stock_buffer < 0):
            raise ValidationError(self.env._(
                "The stock buffer of %(account)s cannot be negative.", account=account.name))

    def _ensure_fba_location(self):
        """Give each account its internal "Amazon FBA" location, the stock Amazon holds."""
        for account in self.filtered(lambda a: not a.fba_location_id):
            # (managing Amazon accounts does not require managing warehouses)
            account.fba_location_id = self.env["stock.location"].sudo().create({
                "name": self.env._("Amazon FBA (%(account)s)", account=account.name),
                "usage": "internal",
                "company_id": account.company_id.id,
            })

    # === CONSTRAINT METHODS === #

    @api.constrains("endpoint_url")
    def _check_endpoint_url(self):
        for account in self.sudo().filtered("endpoint_url"):
            if not self._is_valid_base_url(account.endpoint_url):
                raise ValidationError(self.env._(
                    "The endpoint URL “%(url)s” is not valid. Give a base URL such as "
                    "http://127.0.0.1:8073, or leave it empty to reach Amazon itself.",
                    url=account.endpoint_url,
                ))

    @api.constrains("sync_enabled", "marketplace_ids")
    def _check_marketplaces_before_sync(self):
        """No marketplace, no synchronisation: orders are only imported for the account's
        marketplaces."""
        for account in self.filtered(lambda a: a.sync_enabled and not a.marketplace_ids):
            raise ValidationError(self.env._(
                "Choose the marketplaces of %(account)s before enabling its synchronisation.",
                account=account.name))

    @api.constrains("region", "marketplace_ids")
    def _check_marketplace_region(self):
        for account in self:
            foreign = account.marketplace_ids.filtered(lambda m: m.region != account.region)
            if foreign:
                raise ValidationError(self.env._(
                    "The marketplaces %(marketplaces)s do not belong to the region of %(account)s.",
                    marketplaces=", ".join(foreign.mapped("name")), account=account.name,
                ))

    @staticmethod
    def _is_valid_base_url(url):
        try:
            parts = urlsplit(url.strip())
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and bool(parts.hostname) \
            and not parts.query and not parts.fragment

    # === COMPUTE METHODS === #

    @api.depends_context("uid")
    def _compute_credentials_complete(self):
        for account in self:
            account.credentials_complete = not account._missing_credentials()

    @api.depends("connection_tested", "marketplace_ids", "payments_ids", "sync_enabled")
    @api.depends_context("uid")
    def _compute_setup_step(self):
        for account in self:
            account.setup_step = account._next_setup_step()

    def _next_setup_step(self):
        """The first set-up step not done yet, in the order the account form walks through."""
        if self._missing_credentials():
            return "credentials"
        if not self.connection_tested:
            return "connect"
        if not self.marketplace_ids:
            return "marketplaces"
        if not self.payments_ids:
            return "accounting"
        if not self.sync_enabled:
            return "sync"
        return "done"

    def _compute_settlement_figures(self):
        Settlement = self.env["amazon.seller.settlement"]
        unposted = dict(Settlement._read_group(
            [("account_id", "in", self.ids), ("state", "not in", BOOKED_STATES)],
            ["account_id"], ["__count"]))
        undeposited = dict(Settlement._read_group(
            [("account_id", "in", self.ids), ("state", "=", "posted"), ("total_amount", ">", 0)],
            ["account_id"], ["__count"]))
        to_review = dict(Settlement._read_group(
            [("account_id", "in", self.ids), ("state", "=", "to_review")],
            ["account_id"], ["__count"]))
        for account in self:
            account.settlement_to_review_count = to_review.get(account, 0)
            account.unposted_settlement_count = unposted.get(account, 0)
            account.undeposited_count = undeposited.get(account, 0)

    def action_view_unposted_settlements(self):
        return self._settlements_action([("state", "not in", BOOKED_STATES)])

    def action_view_settlements_to_review(self):
        return self._settlements_action([("state", "=", "to_review")])

    def action_view_undeposited(self):
        return self._settlements_action([("state", "=", "posted"), ("total_amount", ">", 0)])

    def _settlements_action(self, domain):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.action_amazon_settlements")
        action["domain"] = [("account_id", "=", self.id)] + domain
        return action

    @api.depends("company_id.account_fiscal_country_id")
    def _compute_company_in_eu(self):
        for account in self:
            account.company_in_eu = account.company_id._amazon_in_eu()

    def _compute_sync_error_count(self):
        counts = dict(self.env["amazon.seller.sync.error"]._read_group(
            [("account_id", "in", self.ids), ("state", "in", ("open", "needs_attention"))],
            ["account_id"], ["__count"]))
        for account in self:
            account.sync_error_count = counts.get(account, 0)

    @api.depends("flow_state_ids.last_run", "flow_state_ids.failed")
    def _compute_last_sync(self):
        for account in self:
            runs = account.flow_state_ids.filtered("last_run")
            account.last_sync_date = max(runs.mapped("last_run"), default=False)
            account.last_sync_failed = any(runs.mapped("failed"))

    def _compute_late_shipment_rates(self):
        """One search for all the accounts' FBM orders due in the last 30 days. Counting reads
        their deliveries as superuser: Amazon users see the rate without Inventory rights."""
        now = fields.Datetime.now()
        orders = self.env["sale.order"].sudo().search([
            ("amazon_account_id", "in", self.ids), ("amazon_fulfillment_channel", "=", "fbm"),
            ("amazon_ship_by", ">=", now - timedelta(days=30)), ("amazon_ship_by", "<=", now),
            ("state", "!=", "cancel"),
        ])
        for account in self:
            account_orders = orders.filtered(lambda o: o.amazon_account_id.id == account.id)
            recent = account_orders.filtered(lambda o: o.amazon_ship_by >= now - timedelta(days=7))
            account.late_shipment_rate_7d = self._late_rate(recent)
            account.late_shipment_rate_30d = self._late_rate(account_orders)

    @staticmethod
    def _late_rate(orders):
        """Late orders among ``orders``, in %."""
        if not orders:
            return 0.0
        late = orders.filtered(lambda order: order._amazon_shipped_late())
        return 100.0 * len(late) / len(orders)

    def _compute_to_invoice_count(self):
        counts = dict(self.env["sale.order"]._read_group(
            [("amazon_account_id", "in", self.ids), ("invoice_status", "=", "to invoice"),
             ("state", "=", "sale")], ["amazon_account_id"], ["__count"]))
        for account in self:
            account.to_invoice_count = counts.get(account, 0)

    def action_view_to_invoice(self):
        action = self.action_view_orders()
        action["domain"] = [("amazon_account_id", "=", self.id), ("invoice_status", "=", "to invoice"),
                            ("state", "=", "sale")]
        return action

    def _compute_offer_count(self):
        counts = dict(self.env["amazon.seller.offer"]._read_group(
            [("account_id", "in", self.ids)], ["account_id"], ["__count"]))
        for account in self:
            account.offer_count = counts.get(account, 0)

    def _compute_order_count(self):
        counts = dict(self.env["sale.order"]._read_group(
            [("amazon_account_id", "in", self.ids)], ["amazon_account_id"], ["__count"]))
        for account in self:
            account.order_count = counts.get(account, 0)

    # === ACTION METHODS === #

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_seller.action_amazon_orders")
        action["domain"] = [("amazon_account_id", "=", self.id)]
        return action

    def action_view_sync_errors(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_seller.action_amazon_sync_errors")
        action["domain"] = [("account_id", "=", self.id)]
        return action

    def action_open_sync_wizard(self):
        self.ensure_one()
        self._check_can_operate()
        self._check_has_marketplaces()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Synchronise Orders"),
            "res_model": "amazon.seller.order.sync.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_id": self.id},
        }

    def action_sync_listings(self):
        """*Sync Listings*: import the account's listings reports now (they become its offers)."""
        self.ensure_one()
        self._check_can_operate()
        self._check_has_marketplaces()
        return self.env["amazon.seller.listings.import"].sudo()._sync_now(self.sudo())

    def action_view_offers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_seller.amazon_seller_offer_action")
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id, "search_default_group_sku": 1}
        return action

    def action_test_connection(self):
        """Ask Amazon which marketplaces the seller participates in, and say how it went. Login
        with Amazon is asked afresh: a changed secret never passes on a cached token."""
        self.ensure_one()
        self._check_can_operate()
        try:
            participations = self._get_gateway().get_marketplace_participations(fresh_token=True)
        except AmazonError as error:
            return self._notification(self._describe_amazon_error(error), "danger")
        except ValidationError as error:
            return self._notification(error.args[0], "danger")
        participating = [entry for entry in participations
                         if entry.get("participation", {}).get("isParticipating", True)]
        names = sorted(entry.get("marketplace", {}).get("name", "") for entry in participating)
        self.connection_tested = fields.Datetime.now()
        added = self._add_participating_marketplaces(participating)
        message = self.env._(
            "Connection to Amazon succeeded: %(account)s sells on %(marketplaces)s.",
            account=self.name, marketplaces=", ".join(names) or self.env._("no marketplace"))
        if added:
            message += " " + self.env._(
                "Marketplaces set from Amazon's answer: %(marketplaces)s.",
                marketplaces=", ".join(added.mapped("name")))
        # the form shows the marketplaces found and the next set-up step
        return notification_action(
            message, "success", title=self.env._("Amazon: %(account)s", account=self.name),
            next_action={"type": "ir.actions.client", "tag": "soft_reload"})

    def action_enable_sync(self):
        """Last step of the set-up: the scheduled actions start exchanging data with Amazon."""
        self._check_can_operate()
        self.sync_enabled = True
        return True

    def _add_participating_marketplaces(self, participating):
        """An account without marketplaces gets those of its region Amazon says the seller
        participates in (a chosen list is never changed). Return the marketplaces added."""
        if self.marketplace_ids:
            return self.env["amazon.seller.marketplace"]
        amazon_ids = [entry.get("marketplace", {}).get("id") for entry in participating]
        marketplaces = self.env["amazon.seller.marketplace"].search([
            ("marketplace_id", "in", [ref for ref in amazon_ids if ref]),
            ("region", "=", self.region),
        ])
        if marketplaces:
            self.marketplace_ids = marketplaces
        return marketplaces

    # === BUSINESS METHODS === #

    def _get_gateway(self):
        """Return the gateway speaking to Amazon for this account.

        The credentials are readable by system administrators only; the gateway is their one reader,
        which is why it reads them as superuser. Raise a ValidationError naming what is missing.
        """
        self.ensure_one()
        missing = self._missing_credentials()
        if missing:
            raise ValidationError(self.env._(
                "The Amazon account %(account)s lacks credentials: %(fields)s.",
                account=self.name, fields=", ".join(missing),
            ))
        secrets = self.sudo()
        return SpApiGateway(
            credentials={name: secrets[name].strip() for name in CREDENTIAL_FIELDS},
            region=self.region,
            endpoint_url=secrets.endpoint_url and secrets.endpoint_url.strip(),
        )

    # === SYNCHRONISATION (the flows run it: see amazon.seller.flow) === #

    def _check_can_operate(self):
        """Talking to Amazon or importing on a person's request is for the Amazon managers of the
        account's company: checked before anything runs as superuser (AccessError otherwise)."""
        self.check_access("write")

    def _can_sync(self):
        """Whether the flows may exchange data with Amazon for this account now."""
        self.ensure_one()
        return self.active and self.sync_enabled and not self._missing_credentials() \
            and bool(self.marketplace_ids)

    def _check_has_marketplaces(self):
        """Orders are only imported for the account's marketplaces: none, nothing to import."""
        if not self.marketplace_ids:
            raise UserError(self.env._(
                "Choose the marketplaces of %(account)s first: orders are only imported for them.",
                account=self.name))

    def _payments_in(self, currency):
        """This account's Amazon Payments setup (journal, accounts) of ``currency``."""
        self.ensure_one()
        return self.payments_ids.filtered(lambda payments: payments.currency_id == currency)

    def _check_can_book(self):
        """Importing and posting Amazon money is for accountants and Amazon managers of the
        account's company (AccessError otherwise), checked before anything runs as superuser."""
        self.check_access("read")
        user = self.env.user
        if not (user.has_group("account.group_account_user")
                or user.has_group("amazon_seller.group_amazon_seller_manager")):
            raise AccessError(self.env._(
                "Only accountants and Amazon managers import and post Amazon settlements."))

    def _flow_state(self, flow):
        """This account's ``amazon.seller.flow.state`` of ``flow`` (created when missing)."""
        self.ensure_one()
        State = self.env["amazon.seller.flow.state"]
        return State.search([("account_id", "=", self.id), ("flow", "=", flow)]) \
            or State.sudo().create({"account_id": self.id, "flow": flow}).sudo(False)

    def _ask_for_help(self, problem):
        """An activity for the responsible user when only a person can unblock the account
        (refused credentials, rejected requests); one at a time."""
        summary = self.env._("Amazon synchronisation needs you")
        if not self.activity_ids.filtered(lambda activity: activity.summary == summary):
            self._schedule_activity(self, summary, problem)

    def _ask_about_distance_sales(self):
        """Once, an activity asking how the company's EU distance sales are taxed: an order to
        a consumer in another EU country came while the company had not said."""
        summary = self.env._("How are your EU distance sales taxed?")
        if not self.activity_ids.filtered(lambda activity: activity.summary == summary):
            self._schedule_activity(self, summary, self.env._(
                "Amazon orders to consumers in other EU countries arrive. Below the EU threshold "
                "(EUR 10,000 a year of such sales) they bear the VAT of the country they ship "
                "from; past it the VAT of the buyer's country through the One-Stop-Shop. Say "
                "which in Settings ▸ Amazon ▸ EU Distance Sales: until then Odoo's own fiscal "
                "positions apply."))

    def _schedule_activity(self, record, summary, note):
        """A to-do on ``record`` (anything with activities) for this account's responsible user."""
        record.activity_schedule("mail.mail_activity_data_todo", summary=summary,
                                 note=plaintext2html(note), user_id=self.user_id.id or self.env.uid)

    def _missing_credentials(self):
        """Labels of the credential fields that are empty."""
        secrets = self.sudo()
        return [
            self._fields[name].get_description(self.env)["string"]
            for name in CREDENTIAL_FIELDS
            if not (secrets[name] or "").strip()
        ]

    def _describe_amazon_error(self, error):
        """A sentence for the user telling what went wrong with Amazon and what to do."""
        detail = error.message
        if isinstance(error, AmazonUnauthorized):
            return self.env._(
                "Amazon refused the credentials of %(account)s: %(detail)s. Check the LWA client "
                "ID, client secret and refresh token.", account=self.name, detail=detail)
        if isinstance(error, AmazonThrottled):
            return self.env._(
                "Amazon is throttling requests of %(account)s (HTTP 429): %(detail)s. The next run "
                "resumes where this one stopped.", account=self.name, detail=detail)
        if isinstance(error, AmazonBadRequest):
            return self.env._("Amazon rejected the request: %(detail)s", detail=detail)
        if isinstance(error, AmazonTimeout):
            return self.env._("Amazon did not answer in time: %(detail)s", detail=detail)
        if isinstance(error, AmazonUnreachable):
            # the system's own words ("[Errno -2] Name or service not known") are for the log
            _logger.warning("Amazon account %s: endpoint unreachable: %s", self.id, detail)
            return self.env._(
                "Amazon cannot be reached at %(url)s: check the server's network connection and "
                "DNS, then try again.",
                url=self.sudo().endpoint_url or const.REGION_ENDPOINTS[self.region])
        return self.env._(
            "Amazon failed to answer (%(detail)s). Try again later.", detail=detail)

    def _notification(self, message, kind):
        return notification_action(
            message, kind, title=self.env._("Amazon: %(account)s", account=self.name))

    # === STOCK (FBA inventory, FBM quantities) === #

    def _fba_location(self, marketplace):
        """The location holding this account's FBA stock of ``marketplace``: a child location
        of the FBA location per marketplace when the account keeps them apart (created when
        missing), the FBA location itself otherwise."""
        self.ensure_one()
        self._ensure_fba_location()
        if not self.fba_location_per_marketplace or not marketplace:
            return self.fba_location_id
        Location = self.env["stock.location"].sudo()
        location = Location.search([("location_id", "=", self.fba_location_id.id),
                                    ("amazon_marketplace_id", "=", marketplace.id)], limit=1)
        return location or Location.create({
            "name": marketplace.domain,
            "usage": "internal",
            "location_id": self.fba_location_id.id,
            "company_id": self.company_id.id,
            "amazon_marketplace_id": marketplace.id,
        })

    def _fba_unsellable_location(self):
        """Where returned units Amazon cannot sell again wait (created when missing)."""
        self.ensure_one()
        if not self.fba_unsellable_location_id:
            self.fba_unsellable_location_id = self.env["stock.location"].sudo().create({
                "name": self.env._("Amazon unsellable (%(account)s)", account=self.name),
                "usage": "internal",
                "company_id": self.company_id.id,
            })
        return self.fba_unsellable_location_id

    def _removal_transit_location(self):
        """Where units Amazon shipped back wait until the warehouse receives them."""
        return self._transit_location("removal_transit_location_id", self.env._(
            "Amazon removals in transit (%(account)s)", account=self.name))

    def _inbound_transit_location(self):
        """Where units sent to Amazon wait until Amazon receives them."""
        return self._transit_location("inbound_transit_location_id", self.env._(
            "Amazon inbound in transit (%(account)s)", account=self.name))

    def _transit_location(self, field_name, name):
        self.ensure_one()
        if not self[field_name]:
            self[field_name] = self.env["stock.location"].sudo().create({
                "name": name, "usage": "transit", "company_id": self.company_id.id})
        return self[field_name]

    def _stock_warehouse(self, marketplace):
        """The warehouse whose free quantity FBM offers of ``marketplace`` send to Amazon."""
        self.ensure_one()
        return marketplace.with_company(self.company_id).warehouse_id or self.warehouse_id

    def _ensure_flow_states(self):
        """A state per flow of ``const.FLOWS``, so that the Synchronisation tab lists every
        flow (its last run and result) from the start."""
        State = self.env["amazon.seller.flow.state"].sudo()
        existing = set(State.search([("account_id", "in", self.ids)]).mapped(
            lambda state: (state.account_id.id, state.flow)))
        State.create([{"account_id": account.id, "flow": flow} for account in self
                      for flow, _label in const.FLOWS if (account.id, flow) not in existing])

    @api.model
    def _ensure_flow_states_of_all_accounts(self):
        """On install and update: accounts created before a flow existed get its state."""
        self.with_context(active_test=False).search([])._ensure_flow_states()
