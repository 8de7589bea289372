from odoo import api, fields, models

from .. import const


class AmazonSellerFlowState(models.Model):
    """Where one flow (orders, shipment confirmations, listings...) of one account stands: how far
    it has read Amazon, where an unfinished run resumes, and how its last run went."""

    _name = "amazon.seller.flow.state"
    _description = "Amazon Flow State"
    _order = "account_id, flow"
    _rec_name = "flow"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="cascade",
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    flow = fields.Selection(selection=const.FLOWS, required=True)
    checkpoint = fields.Datetime(
        string="Synchronised Until", copy=False,
        help="Amazon data changed after this moment is read by the next run. It only moves "
             "forward once a run has stored everything up to it.",
    )
    resume_token = fields.Char(
        copy=False, readonly=True,
        help="Where a run that could not finish stops (Amazon's next page): the next run goes on "
             "there.",
    )
    resume_window = fields.Datetime(
        copy=False, readonly=True, help="Amazon's upper bound of the unfinished run's window.",
    )
    last_run = fields.Datetime(readonly=True, copy=False)
    last_success = fields.Datetime(string="Last Successful Run", readonly=True, copy=False)
    last_message = fields.Char(string="Last Result", readonly=True, copy=False)
    failed = fields.Boolean(string="Last Run Failed", readonly=True, copy=False)
    error_count = fields.Integer(string="Errors", compute="_compute_error_count")

    _flow_unique = models.Constraint(
        "UNIQUE(account_id, flow)", "An account has one state per flow.",
    )

    @api.depends("account_id", "flow")
    def _compute_error_count(self):
        counts = dict(((account, flow), count) for account, flow, count in
                      self.env["amazon.seller.sync.error"]._read_group(
                          [("account_id", "in", self.account_id.ids),
                           ("state", "in", ("open", "needs_attention"))],
                          ["account_id", "flow"], ["__count"]))
        for state in self:
            state.error_count = counts.get((state.account_id, state.flow), 0)

    def _record_run(self, message, failed=False):
        """Remember how the run that just ended went."""
        now = fields.Datetime.now()
        self.write({
            "last_run": now,
            "last_message": message,
            "failed": failed,
            **({} if failed else {"last_success": now}),
        })

    def _save_resume_point(self, token, window):
        """Where the next run goes on: Amazon's next page of the window, or nowhere (False)."""
        self.write({"resume_token": token or False, "resume_window": token and window or False})
