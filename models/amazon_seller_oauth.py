"""Connect in one click: Amazon's website authorization workflow (OAuth).

*Connect* on an account sends the manager to Seller Central's consent page of the account's
region (the simulator's with an endpoint URL) with a random ``state`` bound to the manager and
the account for a few minutes; Seller Central sends the seller back to Odoo's callback
(``controllers/oauth.py``) with an authorization code, which the gateway exchanges at Login with
Amazon for the account's refresh token.
"""

from datetime import timedelta
import hashlib
import secrets
from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError
from ..gateway import SpApiGateway

# Settings ▸ Amazon (ir.config_parameter: system administrators only)
PARAM_APPLICATION_ID = "amazon_seller.spapi_application_id"
PARAM_LWA_CLIENT_ID = "amazon_seller.spapi_lwa_client_id"
PARAM_LWA_CLIENT_SECRET = "amazon_seller.spapi_lwa_client_secret"
PARAM_PUBLISHED = "amazon_seller.spapi_application_published"


def _digest(state):
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


class AmazonSellerOauthState(models.Model):
    """One *Connect* waiting for the seller's return from Seller Central: the hash of its random
    state, who started it for which account, until when, and whether it came back already."""

    _name = "amazon.seller.oauth.state"
    _description = "Amazon Authorization Request"
    _order = "id desc"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(comodel_name="res.users", required=True, ondelete="cascade")
    state_hash = fields.Char(required=True, index=True)
    redirect_uri = fields.Char(required=True)
    expires = fields.Datetime(required=True)
    used = fields.Boolean()

    _state_hash_unique = models.Constraint("UNIQUE(state_hash)", "An authorization state is unique.")

    @api.model
    def _issue(self, account, redirect_uri):
        """A new random state for the current user and ``account`` (only its hash is kept)."""
        state = secrets.token_urlsafe(32)
        self.sudo().create({
            "account_id": account.id, "user_id": self.env.uid, "state_hash": _digest(state),
            "redirect_uri": redirect_uri,
            "expires": fields.Datetime.now() + timedelta(seconds=const.OAUTH_STATE_LIFETIME),
        })
        return state

    @api.model
    def _consume(self, state):
        """The request of ``state``, marked used; a UserError when the state is missing, not the
        current user's, expired or already used (nothing is changed then)."""
        request = self.sudo().search([("state_hash", "=", _digest(state))]) if state else self
        if not request or request.user_id != self.env.user:
            raise UserError(self.env._(
                "This answer from Amazon does not belong to a connection you started in Odoo "
                "(its state is unknown): nothing was changed. Start again with Connect on the "
                "Amazon account."))
        self.env.cr.execute(
            "SELECT used FROM amazon_seller_oauth_state WHERE id = %s FOR UPDATE", [request.id])
        if self.env.cr.fetchone()[0]:
            raise UserError(self.env._(
                "This authorization from Amazon was already used: nothing was changed. Start "
                "again with Connect on the Amazon account if it is not connected."))
        if request.expires < fields.Datetime.now():
            raise UserError(self.env._(
                "The authorization took more than %(minutes)s minutes: nothing was changed. "
                "Start again with Connect on the Amazon account.",
                minutes=const.OAUTH_STATE_LIFETIME // 60))
        request.used = True
        return request

    @api.autovacuum
    def _gc_expired(self):
        self.sudo().search([("expires", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()


class AmazonSellerAccount(models.Model):
    _inherit = "amazon.seller.account"

    connect_available = fields.Boolean(
        compute="_compute_connect_available",
        help="Whether Settings ▸ Amazon holds the SP-API application the accounts connect to.")
    duplicate_seller_warning = fields.Char(
        compute="_compute_duplicate_seller_warning",
        help="Another account of the company has this Seller ID and marketplaces of this one: "
             "both would import the same orders.")

    def _compute_connect_available(self):
        available = bool(self.env["ir.config_parameter"].sudo().get_param(PARAM_APPLICATION_ID))
        for account in self:
            account.connect_available = available

    @api.depends("merchant_token", "marketplace_ids", "company_id")
    def _compute_duplicate_seller_warning(self):
        for account in self:
            others = account._same_seller_accounts()
            account.duplicate_seller_warning = bool(others) and self.env._(
                "%(accounts)s already connect the Seller ID %(seller)s on %(marketplaces)s: "
                "their orders would be imported twice. Archive one of them, or keep their "
                "marketplaces apart.",
                accounts=", ".join(others.mapped("name")), seller=account.merchant_token,
                marketplaces=", ".join(
                    (others.marketplace_ids & account.marketplace_ids).mapped("name")))

    def _same_seller_accounts(self):
        """The other accounts of the company with this Seller ID and one of its marketplaces."""
        self.ensure_one()
        if not self.merchant_token or not self.marketplace_ids:
            return self.browse()
        return self.sudo().search([
            ("id", "!=", self._origin.id), ("company_id", "=", self.company_id.id),
            ("merchant_token", "=", self.merchant_token),
            ("marketplace_ids", "in", self.marketplace_ids._origin.ids),
        ]).sudo(False)

    def action_connect(self):
        """Send the manager to Seller Central's consent page of the account's region (the
        endpoint's with an endpoint URL): the seller authorises the application there."""
        self.ensure_one()
        self._check_can_operate()
        params = self.env["ir.config_parameter"].sudo()
        application_id = (params.get_param(PARAM_APPLICATION_ID) or "").strip()
        if not application_id:
            raise UserError(self.env._(
                "Connect needs the SP-API application: a system administrator enters its "
                "application ID once in Settings ▸ Amazon."))
        if not self._oauth_client()[0]:
            raise UserError(self.env._(
                "Connect needs the LWA client ID and client secret of the SP-API application: a "
                "system administrator enters them once in Settings ▸ Amazon (or on the account's "
                "Credentials tab)."))
        redirect_uri = self.get_base_url().rstrip("/") + const.OAUTH_CALLBACK_PATH
        query = {
            "application_id": application_id,
            "state": self.env["amazon.seller.oauth.state"]._issue(self, redirect_uri),
            "redirect_uri": redirect_uri,
        }
        if not params.get_param(PARAM_PUBLISHED):
            query["version"] = "beta"  # an application in draft status
        base = (self.sudo().endpoint_url or "").strip().rstrip("/") \
            or const.SELLER_CENTRAL_URLS[self.region]
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"{base}{const.OAUTH_CONSENT_PATH}?{urlencode(query)}"}

    def _oauth_client(self):
        """(LWA client ID and secret of the application, whether they come from the settings):
        the account's own when it holds both, else Settings ▸ Amazon's ((None, False) if none)."""
        account = self.sudo()
        if (account.lwa_app_id or "").strip() and (account.lwa_client_secret or "").strip():
            return {"lwa_app_id": account.lwa_app_id.strip(),
                    "lwa_client_secret": account.lwa_client_secret.strip()}, False
        params = self.env["ir.config_parameter"].sudo()
        client_id = (params.get_param(PARAM_LWA_CLIENT_ID) or "").strip()
        secret = (params.get_param(PARAM_LWA_CLIENT_SECRET) or "").strip()
        if client_id and secret:
            return {"lwa_app_id": client_id, "lwa_client_secret": secret}, True
        return None, False

    @api.model
    def _oauth_complete(self, state, code, selling_partner_id):
        """The seller came back from Seller Central: check the state, exchange the code for the
        refresh token and store it (and the Seller ID when the account has none), then test the
        connection. Return (account, [(message, kind)]); a UserError changes nothing."""
        request = self.env["amazon.seller.oauth.state"]._consume(state)
        account = request.account_id.sudo(False).with_env(self.env).with_context(
            allowed_company_ids=self.env.user.company_ids.ids)
        account._check_can_operate()
        if not code:
            raise UserError(self.env._(
                "Seller Central sent no authorization code for %(account)s (was the "
                "authorization declined?): nothing was changed.", account=account.name))
        client, from_settings = account._oauth_client()
        if not client:
            raise UserError(self.env._(
                "The LWA client ID and client secret of the SP-API application are missing "
                "(Settings ▸ Amazon): nothing was changed."))
        gateway = SpApiGateway(credentials={**client, "refresh_token": None},
                               region=account.region,
                               endpoint_url=(account.sudo().endpoint_url or "").strip() or None)
        try:
            refresh_token = gateway.exchange_authorization_code(code, request.redirect_uri)
        except AmazonError as error:
            raise UserError(self.env._(
                "Login with Amazon refused the authorization of %(account)s: %(detail)s. Nothing "
                "was changed; start again with Connect.",
                account=account.name, detail=error.message)) from error
        # the one writer of the secrets outside the Credentials tab: only what the flow brings
        account.sudo().write({"refresh_token": refresh_token, **(client if from_settings else {})})
        if selling_partner_id and not account.merchant_token:
            account.merchant_token = selling_partner_id
        messages = [(self.env._(
            "%(account)s is connected to Amazon: Seller Central authorised the application "
            "for the seller %(seller)s.", account=account.name,
            seller=selling_partner_id or "?"), "success")]
        test = account.action_test_connection()["params"]
        messages.append((test["message"], test["type"]))
        if account.duplicate_seller_warning:
            messages.append((account.duplicate_seller_warning, "warning"))
        account.message_post(body=" ".join(message for message, _kind in messages))
        return account, messages
