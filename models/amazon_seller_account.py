from collections import Counter
from datetime import timedelta
import logging
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import const
from ..order_mapper import parse_datetime, to_amazon_timestamp
from ..exceptions import (
    AmazonBadRequest,
    AmazonError,
    AmazonThrottled,
    AmazonTimeout,
    AmazonUnauthorized,
    AmazonUnreachable,
)
from ..gateway import SpApiGateway

_logger = logging.getLogger(__name__)

CREDENTIAL_FIELDS = ("lwa_app_id", "lwa_client_secret", "refresh_token")
# First synchronisation of an account: orders updated this many days back.
INITIAL_SYNC_DAYS = 7
# Failed orders retried per scheduled run (each retry is one getOrder call).
RETRIES_PER_RUN = 20


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
    region = fields.Selection(selection=const.REGIONS, required=True, default="NA", tracking=True)
    lwa_app_id = fields.Char(
        string="LWA Client ID", groups="base.group_system", copy=False,
        help="The Login with Amazon client identifier of your SP-API application.",
    )
    lwa_client_secret = fields.Char(
        string="LWA Client Secret", groups="base.group_system", copy=False,
    )
    refresh_token = fields.Char(
        groups="base.group_system", copy=False,
        help="The refresh token Seller Central gave when the seller authorised the application.",
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
        string="Endpoint URL",
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
        help="Sales team of the imported orders, unless their marketplace names one.",
    )
    warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse", check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1),
        help="Warehouse shipping FBM orders, unless their marketplace names one.",
    )
    fba_location_id = fields.Many2one(
        comodel_name="stock.location", string="FBA Location", check_company=True, copy=False,
        domain="[('usage', '=', 'internal')]",
        help="The stock Amazon holds for you: FBA orders move their goods from here to the customer.",
    )
    orders_checkpoint = fields.Datetime(
        string="Orders Synchronised Until", copy=False,
        help="Orders updated on Amazon after this moment are fetched by the next synchronisation. "
             "It only moves forward once every page of a run is stored.",
    )
    orders_resume_token = fields.Char(
        copy=False, readonly=True,
        help="Next searchOrders page of a window a run could not finish: the next run goes on there.",
    )
    orders_resume_window = fields.Datetime(copy=False, readonly=True)
    last_sync_date = fields.Datetime(string="Last Synchronisation", readonly=True, copy=False)
    last_sync_message = fields.Char(string="Last Result", readonly=True, copy=False)
    last_sync_failed = fields.Boolean(readonly=True, copy=False)
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

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._ensure_fba_location()
        return accounts

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
        for account in self.filtered("endpoint_url"):
            if not self._is_valid_base_url(account.endpoint_url):
                raise ValidationError(self.env._(
                    "The endpoint URL “%(url)s” is not valid. Give a base URL such as "
                    "http://127.0.0.1:8073, or leave it empty to reach Amazon itself.",
                    url=account.endpoint_url,
                ))

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

    def _compute_sync_error_count(self):
        counts = dict(self.env["amazon.seller.sync.error"]._read_group(
            [("account_id", "in", self.ids), ("state", "=", "open")], ["account_id"], ["__count"]))
        for account in self:
            account.sync_error_count = counts.get(account, 0)

    def _compute_late_shipment_rates(self):
        for account in self:
            account.late_shipment_rate_7d = account._late_shipment_rate(7)
            account.late_shipment_rate_30d = account._late_shipment_rate(30)

    def _late_shipment_rate(self, days):
        """Late FBM orders among those whose ship-by date fell in the last ``days`` days, in %."""
        now = fields.Datetime.now()
        orders = self.env["sale.order"].search([
            ("amazon_account_id", "=", self.id), ("amazon_fulfillment_channel", "=", "fbm"),
            ("amazon_ship_by", ">=", now - timedelta(days=days)), ("amazon_ship_by", "<=", now),
            ("state", "!=", "cancel"),
        ])
        if not orders:
            return 0.0
        late = orders.filtered(lambda order: order._amazon_shipped_late())
        return 100.0 * len(late) / len(orders)

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
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Synchronise Orders"),
            "res_model": "amazon.seller.order.sync.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_id": self.id},
        }

    def action_test_connection(self):
        """Ask Amazon which marketplaces the seller participates in, and say how it went."""
        self.ensure_one()
        try:
            response = self._get_gateway().call("sellers", "get_marketplace_participation")
        except AmazonError as error:
            return self._notification(self._describe_amazon_error(error), "danger")
        except ValidationError as error:
            return self._notification(error.args[0], "danger")
        names = sorted(
            entry.get("marketplace", {}).get("name", "")
            for entry in response.payload or []
            if entry.get("participation", {}).get("isParticipating", True)
        )
        return self._notification(
            self.env._("Connection to Amazon succeeded: %(account)s sells on %(marketplaces)s.",
                       account=self.name, marketplaces=", ".join(names) or self.env._("no marketplace")),
            "success",
        )

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
            endpoint_url=self.endpoint_url and self.endpoint_url.strip(),
        )

    # === ORDER SYNCHRONISATION === #

    @api.model
    def _cron_sync_orders(self):
        """Scheduled action: synchronise every enabled account, the least recently synchronised
        first, committing after each page. Odoo calls it again while accounts remain; an account
        whose backlog outlasts the run resumes at its saved page. An account another worker is
        busy with is left to it; an unexpected failure of one account does not stop the others."""
        accounts = self.search([("sync_enabled", "=", True)], order="last_sync_date asc nulls first, id")
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(accounts))
        for account in accounts:
            if account._can_sync() and account._try_lock_sync():
                try:
                    account._sync_orders(progress=lambda _orders: cron._commit_progress(0))
                except Exception as error:  # noqa: BLE001 - isolate the account, keep the others going
                    self.env.cr.rollback()
                    _logger.exception("Amazon account %s: order synchronisation crashed", account.id)
                    account._end_sync(Counter(), self.env._("unexpected error: %(error)s", error=error),
                                      failed=True)
                finally:
                    account._unlock_sync()
            if not cron._commit_progress(1):
                break  # out of time: the next run goes on

    def _can_sync(self):
        """Re-checked just before working: the account may have changed since the run began."""
        self.ensure_one()
        return self.active and self.sync_enabled and not self._missing_credentials() \
            and bool(self.marketplace_ids)

    def _try_lock_sync(self):
        """A session-level advisory lock (it survives the per-page commits) on this account."""
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [self._sync_lock_key(), self.id])
        return self.env.cr.fetchone()[0]

    def _unlock_sync(self):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", [self._sync_lock_key(), self.id])

    @staticmethod
    def _sync_lock_key():
        return 0x616D7A  # "amz": this addon's namespace of advisory locks

    def _sync_orders(self, progress=None):
        """Import the orders updated since the checkpoint, page by page, then retry failed ones.

        :param progress: called with the number of orders of each stored page; commits and returns
            the seconds left to the run (``ir.cron._commit_progress``); None inside a transaction
            that must not be committed (tests, wizard)
        :return: Counter of created / updated / skipped / failed orders
        """
        self.ensure_one()
        since = self.orders_checkpoint or fields.Datetime.now() - timedelta(days=INITIAL_SYNC_DAYS)
        stats = Counter()
        try:
            upper_bound, complete = self._fetch_orders(
                {"lastUpdatedAfter": to_amazon_timestamp(since)}, stats, progress, resume=True)
            if complete and upper_bound:
                self.orders_checkpoint = upper_bound
            if complete:
                self._retry_failed_orders(stats)
        except AmazonError as error:
            expired = isinstance(error, AmazonBadRequest) and self.orders_resume_token
            if expired:  # Amazon no longer knows the saved page: the next run redoes the window
                self.write({"orders_resume_token": False, "orders_resume_window": False})
            problem = self._describe_amazon_error(error)
            self._end_sync(stats, problem, failed=True)
            if not error.retryable and not expired:
                self._ask_for_help(problem)
            return stats
        self._end_sync(stats, None if complete else self.env._("stopped for lack of time"))
        return stats

    def _fetch_orders(self, filters, stats, progress=None, resume=False):
        """Page through searchOrders with ``filters`` and import every page.

        :param resume: start at the page saved by a run that ran out of time, and save the next
            page after each one stored (the checkpoint's window only)
        :return: (Amazon's upper bound of the window as a datetime, whether all pages were read)
        """
        gateway = self._get_gateway()
        importer = self.env["amazon.seller.order.import"]
        params = {
            **filters,
            "marketplaceIds": self.marketplace_ids.mapped("marketplace_id"),
            "includedData": const.ORDER_INCLUDED_DATA,
            "maxResultsPerPage": const.ORDER_PAGE_SIZE,
        }
        upper_bound, token = False, None
        if resume:
            upper_bound, token = self.orders_resume_window, self.orders_resume_token or None
        while True:
            response = gateway.call(
                "orders", "search_orders", **params, **({"paginationToken": token} if token else {}),
            )
            upper_bound = upper_bound or parse_datetime(response.payload.get("lastUpdatedBefore"))
            orders = response.payload.get("orders") or []
            stats.update(importer._import_orders(self, orders))
            # (the client moves "pagination" out of the payload into its own attribute)
            previous, token = token, (response.pagination or {}).get("nextToken")
            if token and token == previous:
                _logger.warning("Amazon account %s: searchOrders repeated its page token %s; "
                                "taking it as the last page", self.id, token)
                token = None
            if resume:
                self.write({"orders_resume_token": token or False,
                            "orders_resume_window": token and upper_bound})
            remaining_time = progress(len(orders)) if progress else float("inf")
            if not token:
                return upper_bound, True
            if remaining_time <= 0:
                return upper_bound, False

    def _import_order_refs(self, order_refs, stats=None):
        """Fetch the given orders one by one (getOrder) and import them."""
        self.ensure_one()
        stats = Counter() if stats is None else stats
        gateway = self._get_gateway()
        orders, failures = [], {}
        for ref in order_refs:
            try:
                orders.append(gateway.call(
                    "orders", "get_order", ref, includedData=const.ORDER_INCLUDED_DATA).payload)
            except (AmazonBadRequest, AmazonUnauthorized) as error:
                failures[ref] = self._describe_amazon_error(error)
        self.env["amazon.seller.sync.error"]._record(self, failures)
        stats["failed"] += len(failures)
        stats.update(self.env["amazon.seller.order.import"]._import_orders(
            self, [order.get("order", order) for order in orders]))
        return stats

    def _retry_failed_orders(self, stats):
        due = self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", self.id), ("state", "=", "open"),
            ("next_retry", "<=", fields.Datetime.now()),
        ], limit=RETRIES_PER_RUN, order="next_retry")
        if due:
            self._import_order_refs(due.mapped("amazon_order_ref"), stats)

    def _ask_for_help(self, problem):
        """An activity for the responsible user when only a person can unblock the account
        (refused credentials, rejected requests); one at a time."""
        summary = self.env._("Amazon synchronisation needs you")
        if not self.activity_ids.filtered(lambda activity: activity.summary == summary):
            self._schedule_activity(self, summary, problem)

    def _schedule_activity(self, record, summary, note):
        """A to-do on ``record`` (anything with activities) for this account's responsible user."""
        record.activity_schedule("mail.mail_activity_data_todo", summary=summary, note=note,
                                 user_id=self.user_id.id or self.env.uid)

    def _end_sync(self, stats, problem=None, failed=False):
        summary = self.env._(
            "%(created)s created, %(updated)s updated, %(skipped)s skipped, %(failed)s failed",
            created=stats["created"], updated=stats["updated"], skipped=stats["skipped"],
            failed=stats["failed"])
        self.write({
            "last_sync_date": fields.Datetime.now(),
            "last_sync_message": f"{problem} ({summary})" if problem else summary,
            "last_sync_failed": failed,
        })
        if failed:
            _logger.warning("Amazon account %s: order synchronisation failed: %s", self.id, problem)

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
            return self.env._(
                "Amazon cannot be reached at %(url)s: %(detail)s",
                url=self.endpoint_url or const.REGION_ENDPOINTS[self.region], detail=detail)
        return self.env._(
            "Amazon failed to answer (%(detail)s). Try again later.", detail=detail)

    def _notification(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Amazon: %(account)s", account=self.name),
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
            },
        }
