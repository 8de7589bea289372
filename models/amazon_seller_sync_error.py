from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError
from ..utils import RETRY_POLICY

ERROR_STATES = [
    ("open", "To Retry"),
    ("needs_attention", "Needs Attention"),
    ("resolved", "Resolved"),
    ("ignored", "Ignored"),
]


class AmazonSellerSyncError(models.Model):
    """A unit of work of a flow (an order, a package, a SKU, a settlement) that failed: kept with
    its reason and retried with growing delays until it succeeds; once the retries are exhausted
    it waits for a person."""

    _name = "amazon.seller.sync.error"
    _description = "Amazon Synchronisation Error"
    _order = "state, last_attempt desc, id desc"
    _rec_name = "amazon_ref"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="cascade",
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    flow = fields.Selection(selection=const.FLOWS, required=True, default="orders", index=True)
    amazon_ref = fields.Char(
        string="Amazon Reference", required=True, index=True,
        help="What failed, as Amazon names it: an order id, an order's package, a SKU, a "
             "settlement id.",
    )
    res_model = fields.Char(string="Related Model", readonly=True)
    res_id = fields.Many2oneReference(string="Related Record", model_field="res_model", readonly=True)
    message = fields.Text(string="Reason", required=True)
    state = fields.Selection(selection=ERROR_STATES, default="open", required=True, index=True)
    attempt_count = fields.Integer(string="Attempts", default=1)
    last_attempt = fields.Datetime(default=fields.Datetime.now)
    next_retry = fields.Datetime(
        default=fields.Datetime.now,
        help="Scheduled runs leave it alone until then; empty once the retries are exhausted.",
    )
    ignored_by_id = fields.Many2one(comodel_name="res.users", string="Ignored By", readonly=True)
    ignored_date = fields.Datetime(string="Ignored On", readonly=True)

    _ref_unique = models.Constraint(
        "UNIQUE(account_id, flow, amazon_ref)", "One synchronisation error per flow and Amazon reference.",
    )

    # === ACTION METHODS === #

    def action_retry(self):
        """Try again now, through the flow that failed (for the Amazon managers of the account's
        company: the flows run as superuser)."""
        self.account_id._check_can_operate()
        for (account, flow), errors in self.grouped(lambda e: (e.account_id, e.flow)).items():
            try:
                self.env["amazon.seller.flow"]._runner_of(flow)._retry_errors(account, errors)
            except AmazonError as error:
                raise UserError(account._describe_amazon_error(error)) from error
        return True

    def action_ignore(self):
        """A person decides this failure will never be solved (an order Amazon does not know,
        another seller's...): it is no longer retried nor counted, and who decided is kept."""
        self.account_id._check_can_operate()
        self.write({"state": "ignored", "next_retry": False, "ignored_by_id": self.env.uid,
                    "ignored_date": fields.Datetime.now()})
        return True

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
            "view_mode": "form",
        }

    # === BUSINESS METHODS === #

    def _records(self, model):
        """The existing ``model`` records these errors are about."""
        return self.env[model].browse(
            self.filtered(lambda error: error.res_model == model).mapped("res_id")).exists()

    @api.model
    def _record(self, account, flow, failures, records=None, unretryable=()):
        """Remember the failures ``{amazon_ref: reason}`` of ``flow``, pushing their next retry
        back as the retry policy says; return the errors whose retries are now exhausted.

        :param records: ``{amazon_ref: Odoo record}`` concerned, when there is one
        :param unretryable: references nothing can retry (no Amazon id): they wait for a person
        """
        if not failures:
            return self.browse()
        now = fields.Datetime.now()
        records = records or {}
        existing = self.search([("account_id", "=", account.id), ("flow", "=", flow),
                                ("amazon_ref", "in", list(failures))])
        ignored = existing.filtered(lambda error: error.state == "ignored")
        for error in existing - ignored:
            attempts = error.attempt_count + 1 if error.state != "resolved" else 1
            error.write({"message": failures[error.amazon_ref], "last_attempt": now,
                         "attempt_count": attempts,
                         **self._schedule(now, attempts, error.amazon_ref in unretryable)})
        known = set(existing.mapped("amazon_ref"))
        created = self.create([{
            "account_id": account.id, "flow": flow, "amazon_ref": ref, "message": reason,
            "last_attempt": now, "attempt_count": 1, **self._schedule(now, 1, ref in unretryable),
            **self._record_link(records.get(ref)),
        } for ref, reason in failures.items() if ref not in known])
        existing -= ignored
        exhausted = (existing | created).filtered(lambda error: error.state == "needs_attention")
        if exhausted:
            account._ask_for_help(self.env._(
                "%(refs)s (%(flow)s) is no longer retried automatically: see the "
                "synchronisation errors.",
                refs=", ".join(exhausted.mapped("amazon_ref")),
                flow=dict(self._fields["flow"]._description_selection(self.env))[flow]))
        return exhausted

    @staticmethod
    def _schedule(now, attempts, unretryable=False):
        next_retry = not unretryable and RETRY_POLICY.next_retry(now, attempts)
        return {"next_retry": next_retry or False,
                "state": "open" if next_retry else "needs_attention"}

    @staticmethod
    def _record_link(record):
        return {"res_model": record._name, "res_id": record.id} if record else {}

    @api.model
    def _resolve(self, account, flow, refs):
        """The units of work ``refs`` of ``flow`` went through: their errors are resolved."""
        if refs:
            self.search([
                ("account_id", "=", account.id), ("flow", "=", flow),
                ("state", "not in", ("resolved", "ignored")), ("amazon_ref", "in", list(refs)),
            ]).state = "resolved"

    @api.model
    def _due(self, account, flow, limit):
        """The open errors of ``flow`` whose retry time has come, the longest waiting first."""
        return self.search([
            ("account_id", "=", account.id), ("flow", "=", flow), ("state", "=", "open"),
            ("next_retry", "<=", fields.Datetime.now()),
        ], limit=limit, order="next_retry")
