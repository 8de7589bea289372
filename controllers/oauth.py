"""Seller Central's redirect of the website authorization workflow (see models/amazon_seller_oauth.py)."""

import logging

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from .. import const

_logger = logging.getLogger(__name__)


class AmazonSellerOAuth(http.Controller):

    @http.route(const.OAUTH_CALLBACK_PATH, type="http", auth="user", methods=["GET"],
                readonly=False)
    def oauth_callback(self, state=None, spapi_oauth_code=None, selling_partner_id=None, **kw):
        """Exchange the authorization code for the account's refresh token, then back to the
        account form with a notification; a page saying why when anything is wrong."""
        Account = request.env["amazon.seller.account"]
        try:
            account, messages = Account._oauth_complete(state, spapi_oauth_code, selling_partner_id)
        except (UserError, AccessError) as error:
            _logger.info("Amazon authorization refused for user %s: %s", request.env.uid,
                         error.args[0])
            return request.render("amazon_seller.oauth_callback_page", {
                "title": request.env._("Amazon: Connect"),
                "message": error.args[0],
                "back_url": "/odoo/action-amazon_seller.amazon_seller_account_action",
            }, status=400)
        title = request.env._("Amazon: %(account)s", account=account.name)
        for message, kind in messages:
            request.env.user._bus_send("simple_notification", {
                "type": kind, "title": title, "message": message, "sticky": kind != "success"})
        return request.redirect(
            f"/odoo/action-amazon_seller.amazon_seller_account_action/{account.id}", local=True)
