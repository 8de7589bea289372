import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError, AmazonThrottled
from ..shipment_mapper import package_detail
from ..utils import RETRY_POLICY

_logger = logging.getLogger(__name__)

# Packages confirmed per account and scheduled run (each is one confirmShipment call).
CONFIRMATIONS_PER_RUN = 50


class AmazonSellerShipmentExport(models.AbstractModel):
    """The shipment confirmations flow: each validated FBM delivery of an Amazon order is
    confirmed on Amazon as one package (confirmShipment), once, after its validation is
    committed; failures are retried with the flow's policy and shown on the delivery."""

    _name = "amazon.seller.shipment.export"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Shipment Confirmation Exporter"
    _flow = "shipments"

    # === THE FLOW === #

    def _accounts_to_run(self):
        due_accounts = self._due_pickings().sale_id.amazon_account_id
        return super()._accounts_to_run().filtered(lambda account: account in due_accounts)

    def _run(self, account, state, stats, commit):
        """Send the account's due confirmations, committing after each; throttling ends the run
        (the runner records it) and the next run goes on."""
        for picking in self._due_pickings(account):
            self._send(picking, stats)
            remaining_time = commit() if commit else float("inf")
            if remaining_time <= 0:
                return False
        return True

    def _summary(self, stats):
        return self.env._("%(sent)s sent, %(failed)s failed", sent=stats["sent"],
                          failed=stats["failed"])

    @api.model
    def _due_pickings(self, account=None):
        """Queued and failed confirmations whose (backoff) time has come, oldest first."""
        domain = [
            ("amazon_confirmation_state", "in", ("to_send", "error")),
            ("amazon_next_attempt", "<=", fields.Datetime.now()),
            ("sale_id.amazon_account_id.sync_enabled", "=", True),
            ("sale_id.amazon_account_id.active", "=", True),
        ]
        if account:
            domain.append(("sale_id.amazon_account_id", "=", account.id))
        return self.env["stock.picking"].search(
            domain, limit=CONFIRMATIONS_PER_RUN if account else None, order="amazon_next_attempt")

    # === SENDING === #

    def _send_now(self, pickings):
        """Send these confirmations now (a person's retry), each under its row lock."""
        pickings.check_access("write")
        stats = {"sent": 0, "failed": 0}
        for picking in pickings:
            try:
                self._send(picking, stats)
            except AmazonThrottled:
                break  # recorded on the delivery; the scheduled action goes on later
        return stats

    def _retry_errors(self, account, errors):
        """A person's *Retry* on failed confirmations of ``account``."""
        pickings = self.env["stock.picking"].browse(
            errors.filtered(lambda e: e.res_model == "stock.picking").mapped("res_id")).exists()
        self._send_now(pickings)

    def _send(self, picking, stats):
        """Confirm the picking's package on Amazon, once. A picking another worker holds, or
        that was sent meanwhile, is left alone. Throttling postpones it and is raised."""
        if not picking._amazon_lock():
            return  # another worker (cron or user) is sending it right now
        if picking.amazon_confirmation_state not in ("to_send", "error") \
                or not picking.carrier_tracking_ref:
            return  # sent meanwhile (never twice), or nothing to send yet
        try:
            if picking.amazon_confirmation_attempts and self._package_known(picking):
                self._mark_sent(picking)  # an earlier attempt went through after all
                return
            self._confirm(picking)
            stats["sent"] += 1
        except AmazonThrottled as error:
            self._postpone(picking, error)
            raise
        except (AmazonError, UserError) as error:  # UserError: e.g. credentials removed
            self._record_failure(picking, error)
            stats["failed"] += 1

    def _confirm(self, picking):
        order = picking.sale_id
        carrier_code = self.env["amazon.seller.carrier"]._for_carrier(picking.carrier_id).code
        detail = package_detail(
            reference=picking.amazon_package_ref,
            carrier_code=carrier_code if carrier_code != const.CARRIER_CODE_OTHER else None,
            carrier_name=picking.carrier_id.name,
            shipping_method=picking.carrier_id.name,
            tracking_number=picking.carrier_tracking_ref,
            ship_date=picking.date_done or fields.Datetime.now(),
            item_quantities=picking._amazon_item_quantities(),
        )
        order.amazon_account_id._get_gateway().confirm_shipment(
            order.amazon_order_ref, order.amazon_marketplace_id.marketplace_id, detail)
        self._mark_sent(picking)

    def _package_known(self, picking):
        """Whether Amazon already holds this package: a retry after a timeout or a server error
        must not confirm it a second time (Orders 2026-01-01 getOrder lists the packages)."""
        order = picking.sale_id
        amazon_order = order.amazon_account_id._get_gateway().get_order(
            order.amazon_order_ref, included_data=["PACKAGES"])
        return any(package.get("packageReferenceId") == picking.amazon_package_ref
                   for package in amazon_order.get("packages") or [])

    def _mark_sent(self, picking):
        picking.write({
            "amazon_confirmation_state": "sent",
            "amazon_confirmation_message": False,
            "amazon_next_attempt": False,
        })
        self.env["amazon.seller.sync.error"]._resolve(
            picking.sale_id.amazon_account_id, self._flow, [self._ref(picking)])
        picking.message_post(body=self.env._(
            "Shipment confirmed on Amazon: package %(package)s, %(carrier)s %(tracking)s.",
            package=picking.amazon_package_ref, carrier=picking.carrier_id.name,
            tracking=picking.carrier_tracking_ref))

    # === FAILURES === #

    def _record_failure(self, picking, error):
        """Keep Amazon's answer, retry later as the policy says, and ask a person after a few
        tries (once)."""
        account = picking.sale_id.amazon_account_id
        message = self._describe(account, error)
        SyncError = self.env["amazon.seller.sync.error"]
        SyncError._record(account, self._flow, {self._ref(picking): message},
                          records={self._ref(picking): picking})
        sync_error = SyncError.search([("account_id", "=", account.id), ("flow", "=", self._flow),
                                       ("amazon_ref", "=", self._ref(picking))])
        picking.write({
            "amazon_confirmation_state": "error",
            "amazon_confirmation_message": message,
            "amazon_confirmation_attempts": sync_error.attempt_count,
            "amazon_next_attempt": sync_error.next_retry,
        })
        if sync_error.attempt_count == const.CONFIRMATION_ATTEMPTS_BEFORE_ACTIVITY:
            account._schedule_activity(
                picking,
                summary=self.env._("Amazon refuses the shipment confirmation"),
                note=message,
            )

    def _postpone(self, picking, error):
        """Throttled: not the package's fault, so no attempt is counted; it waits its turn."""
        account = picking.sale_id.amazon_account_id
        picking.write({
            "amazon_confirmation_message": self._describe(account, error),
            "amazon_next_attempt": fields.Datetime.now()
            + RETRY_POLICY.delay(max(picking.amazon_confirmation_attempts, 1)),
        })

    @staticmethod
    def _describe(account, error):
        return account._describe_amazon_error(error) if isinstance(error, AmazonError) \
            else error.args[0]

    @staticmethod
    def _ref(picking):
        """The package as Amazon knows it: the order id and the package reference."""
        return f"{picking.sale_id.amazon_order_ref}/{picking.amazon_package_ref}"
