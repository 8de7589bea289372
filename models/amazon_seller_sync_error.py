from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from ..exceptions import AmazonError


class AmazonSellerSyncError(models.Model):
    """An Amazon order that failed to import: kept with its reason and retried until it imports."""

    _name = "amazon.seller.sync.error"
    _description = "Amazon Synchronisation Error"
    _order = "state, last_attempt desc, id desc"
    _rec_name = "amazon_order_ref"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="cascade",
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    amazon_order_ref = fields.Char(string="Amazon Order", required=True, index=True)
    message = fields.Text(string="Reason", required=True)
    state = fields.Selection(
        selection=[("open", "To Retry"), ("resolved", "Resolved")],
        default="open", required=True, index=True,
    )
    attempt_count = fields.Integer(string="Attempts", default=1)
    last_attempt = fields.Datetime(default=fields.Datetime.now)
    next_retry = fields.Datetime(
        default=fields.Datetime.now, help="Scheduled retries leave the order alone until then.",
    )

    _order_unique = models.Constraint(
        "UNIQUE(account_id, amazon_order_ref)", "One synchronisation error per Amazon order.",
    )

    # === ACTION METHODS === #

    def action_retry(self):
        """Fetch the orders again from Amazon now and import them (as superuser: importing writes
        sales, stock and partners, which an Amazon manager need not manage otherwise)."""
        for account, errors in self.grouped("account_id").items():
            try:
                account.sudo()._import_order_refs(errors.mapped("amazon_order_ref"))
            except AmazonError as error:
                raise UserError(account._describe_amazon_error(error)) from error
        return True

    # === BUSINESS METHODS === #

    def _record(self, account, failures):
        """Remember ``{order_ref: reason}`` failures of ``account``, pushing their next retry back
        exponentially (5 min, 10 min, ... up to a day)."""
        if not failures:
            return
        now = fields.Datetime.now()
        existing = self.search(
            [("account_id", "=", account.id), ("amazon_order_ref", "in", list(failures))])
        for error in existing:
            attempts = error.attempt_count + 1 if error.state == "open" else 1
            error.write({
                "message": failures[error.amazon_order_ref], "state": "open",
                "attempt_count": attempts, "last_attempt": now,
                "next_retry": now + timedelta(minutes=min(5 * 2 ** (attempts - 1), 1440)),
            })
        known = set(existing.mapped("amazon_order_ref"))
        self.create([{
            "account_id": account.id, "amazon_order_ref": ref, "message": reason,
            "next_retry": now + timedelta(minutes=5),
        } for ref, reason in failures.items() if ref not in known])

    def _resolve(self, account, order_refs):
        if order_refs:
            self.search([
                ("account_id", "=", account.id), ("state", "=", "open"),
                ("amazon_order_ref", "in", list(order_refs)),
            ]).state = "resolved"
