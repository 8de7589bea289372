
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Orders invoiced per batch: one _create_invoices and one action_post, then a commit.
INVOICE_BATCH = 200
# What is expected to stop one order's invoice (no income account, locked period...).
EXPECTED_ERRORS = (UserError, ValidationError)


class AmazonSellerInvoicing(models.AbstractModel):
    """The invoicing flow: each Amazon order is invoiced once it shipped — FBA orders once
    imported, FBM orders once their delivery is validated, for what left only — one invoice
    per order, dated at shipment, posted in batches; an order that cannot be invoiced is listed
    with its reason, retried, and never blocks the others. No Amazon call is involved."""

    _name = "amazon.seller.invoicing"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Order Invoicing"
    _flow = "invoicing"

    # === THE FLOW === #

    def _accounts_to_run(self):
        accounts = self.env["amazon.seller.account"].search([("invoice_orders", "=", True)])
        return accounts.filtered(lambda account: self._orders_to_invoice(account, limit=1))

    def _can_run(self, account):
        return account.active and account.invoice_orders

    def _needs_person(self, account, state, error):
        return False  # invoicing talks to nobody

    def _run(self, account, state, stats, commit):
        """Invoice the account's shipped orders batch after batch, committing each."""
        skipped = []
        while True:
            orders = self._orders_to_invoice(account, INVOICE_BATCH, exclude=skipped)
            if not orders:
                return True
            # returned goods wait for Amazon's refund, whose credit note the settlement makes:
            # Odoo's own credit note of the returned quantity would refund them twice
            awaiting_refund = orders.filtered(
                lambda o: not any(line.qty_to_invoice > 0 for line in o.order_line))
            skipped += awaiting_refund.ids
            orders -= awaiting_refund
            if not orders:
                continue
            invoiced = self._invoice(orders, stats)
            skipped += (orders - invoiced).ids
            remaining_time = commit() if commit else float("inf")
            if remaining_time <= 0:
                return False

    def _summary(self, stats):
        return self.env._("%(invoiced)s invoiced, %(failed)s failed", invoiced=stats["invoiced"],
                          failed=stats["failed"])

    @api.model
    def _orders_to_invoice(self, account, limit, exclude=()):
        """Shipped orders of ``account`` with something to invoice, whose failure (if any) is
        due for a retry, the oldest first."""
        waiting = self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", account.id), ("flow", "=", self._flow),
            "|", ("state", "in", ("needs_attention", "ignored")),
            "&", ("state", "=", "open"), ("next_retry", ">", fields.Datetime.now()),
        ]).mapped("amazon_ref")
        return self.env["sale.order"].search([
            ("amazon_account_id", "=", account.id), ("state", "=", "sale"),
            ("invoice_status", "=", "to invoice"), ("amazon_status", "!=", "CANCELLED"),
            ("amazon_order_ref", "not in", waiting), ("id", "not in", list(exclude)),
        ], limit=limit, order="date_order, id")

    # === INVOICING === #

    def _invoice(self, orders, stats):
        """Invoice ``orders`` in one batch inside a savepoint; when that fails, order by order so
        that only the faulty ones are left out. Return the orders invoiced."""
        try:
            with self.env.cr.savepoint():
                self._create_and_post(orders)
        except Exception as error:  # noqa: BLE001 - isolate the faulty orders
            if len(orders) == 1:
                self._record_failure(orders, error)
                stats["failed"] += 1
                return orders.browse()
            return sum((self._invoice(order, stats) for order in orders), orders.browse())
        stats["invoiced"] += len(orders)
        self.env["amazon.seller.sync.error"]._resolve(
            orders.amazon_account_id, self._flow, orders.mapped("amazon_order_ref"))
        return orders

    def _create_and_post(self, orders):
        """One invoice per order, dated when its goods left, never e-mailed, posted in one go."""
        invoices = orders.with_context(mail_notrack=True)._create_invoices(grouped=True)
        for invoice in invoices:
            invoice.invoice_date = invoice.invoice_line_ids.sale_line_ids.order_id \
                ._amazon_shipment_date()
        invoices.action_post()
        return invoices

    def _record_failure(self, order, error):
        reason = self._failure_reason(order.amazon_order_ref, error, EXPECTED_ERRORS)
        self.env["amazon.seller.sync.error"]._record(
            order.amazon_account_id, self._flow, {order.amazon_order_ref: self.env._(
                "Order %(order)s cannot be invoiced: %(reason)s", order=order.amazon_order_ref,
                reason=reason)}, records={order.amazon_order_ref: order})

    # === PEOPLE === #

    def _retry_errors(self, account, errors):
        """A person's *Retry*: invoice those orders now."""
        orders = errors._records("sale.order")
        with self._locked(account):
            self.sudo()._invoice(orders.sudo(), {"invoiced": 0, "failed": 0})

    def _invoice_now(self, orders):
        """The list action *Invoice Amazon Orders*: invoice the selected shipped orders now."""
        stats = {"invoiced": 0, "failed": 0}
        for account, account_orders in orders.grouped("amazon_account_id").items():
            with self._locked(account):
                self._invoice(account_orders.filtered(
                    lambda o: o.invoice_status == "to invoice" and o.amazon_status != "CANCELLED"),
                    stats)
        return stats
