from collections import Counter
import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import AmazonError
from ..utils import to_amazon_timestamp

# Amazon order ids look like 123-1234567-1234567 (the simulator and sandbox use the same shape).
ORDER_REF_PATTERN = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")


class AmazonSellerOrderSyncWizard(models.TransientModel):
    """Synchronise orders now: a period, or a list of Amazon order ids; say what happened."""

    _name = "amazon.seller.order.sync.wizard"
    _description = "Synchronise Amazon Orders"

    account_id = fields.Many2one(comodel_name="amazon.seller.account", required=True)
    mode = fields.Selection(
        selection=[("period", "Orders created in a period"), ("refs", "Given Amazon orders")],
        default="period", required=True,
    )
    date_from = fields.Datetime(string="From", default=lambda self: fields.Datetime.subtract(
        fields.Datetime.now(), days=7))
    date_to = fields.Datetime(string="To")
    order_refs = fields.Text(
        string="Amazon Order IDs", help="One or more Amazon order ids, separated by spaces, commas "
                                        "or new lines (e.g. 123-1234567-1234567).")
    result = fields.Text(readonly=True)
    state = fields.Selection(selection=[("draft", "Draft"), ("done", "Done")], default="draft")

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period ends before it starts."))

    def action_sync(self):
        self.ensure_one()
        self.account_id._check_can_operate()
        self.account_id._check_has_marketplaces()
        # as superuser: importing writes sales, stock and partners (the wizard is for managers)
        account = self.account_id.sudo()
        importer = self.env["amazon.seller.order.import"].sudo()
        with importer._locked(account):
            stats = self._run(importer, account)
        self.write({
            "state": "done",
            "result": self.env._(
                "%(created)s created, %(updated)s updated, %(skipped)s skipped, %(failed)s failed.",
                created=stats["created"], updated=stats["updated"], skipped=stats["skipped"],
                failed=stats["failed"]),
        })
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
            "view_mode": "form", "target": "new", "name": self.env._("Synchronise Orders"),
        }

    def _run(self, importer, account):
        try:
            if self.mode == "refs":
                return importer._import_order_refs(account, self._parsed_refs())
            return self._sync_period(importer, account)
        except AmazonError as error:
            raise UserError(account._describe_amazon_error(error)) from error

    def _sync_period(self, importer, account):
        if not self.date_from:
            raise UserError(self.env._("Give the start of the period."))
        filters = {"createdAfter": to_amazon_timestamp(self.date_from)}
        if self.date_to:
            filters["createdBefore"] = to_amazon_timestamp(self.date_to)
        stats = Counter()
        importer._import_window(account, filters, stats)
        return stats

    def _parsed_refs(self):
        refs = list(dict.fromkeys(ORDER_REF_PATTERN.findall(self.order_refs or "")))
        leftovers = ORDER_REF_PATTERN.sub("", self.order_refs or "").replace(",", " ").split()
        if leftovers:
            raise UserError(self.env._(
                "These are not Amazon order ids: %(values)s (expected 123-1234567-1234567).",
                values=", ".join(leftovers)))
        if not refs:
            raise UserError(self.env._("Give at least one Amazon order id."))
        return refs
