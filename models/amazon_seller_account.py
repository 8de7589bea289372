from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError

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

    # === ACTION METHODS === #

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
