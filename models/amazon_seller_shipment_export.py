import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonBadRequest, AmazonError, AmazonThrottled
from ..formats.shipment_mapper import package_detail
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
        """Send the account's due confirmations, each in its own transaction; throttling ends
        the run (the runner records it) and the next run goes on."""
        for picking in self._due_pickings(account):
            self._send(picking, stats, commit)
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
            ("sale_id.amazon_status", "!=", "CANCELLED"),
            ("sale_id.amazon_account_id.active", "=", True),
        ]
        if account:
            domain.append(("sale_id.amazon_account_id", "=", account.id))
        return self.env["stock.picking"].search(
            domain, limit=CONFIRMATIONS_PER_RUN if account else None, order="amazon_next_attempt")

    # === SENDING === #

    def _queue_now(self, pickings):
        """A person's retry: these confirmations are due now; the scheduled action sends them,
        each in its own transaction (a replayed request never sends a package twice)."""
        pickings.check_access("write")
        queued = pickings.filtered(lambda p: p.amazon_confirmation_state in ("to_send", "error")
                                   and p.carrier_tracking_ref)
        queued.amazon_next_attempt = fields.Datetime.now()
        if queued:
            self.env.ref("amazon_seller.ir_cron_sync_shipments")._trigger()
        return queued

    def _retry_errors(self, account, errors):
        """A person's *Retry* on failed confirmations of ``account``."""
        self._queue_now(errors._records("stock.picking"))

    def _send(self, picking, stats, commit=None):
        """Confirm the picking's package on Amazon, once. A picking another worker holds, or
        that was sent meanwhile, is left alone. The attempt is recorded (and committed, in a
        scheduled run) before Amazon hears of it: any later attempt asks Amazon first. Throttling
        postpones the package and is raised."""
        if not self._sendable(picking):
            return
        try:
            if picking.amazon_confirmation_tried:
                known, cancelled = self._amazon_view(picking)
                if known or cancelled:
                    self._settle(picking, known, cancelled)
                    return
            picking.amazon_confirmation_tried = fields.Datetime.now()
            if commit:
                commit(processed=0)  # the attempt is on record before the call
                if not self._sendable(picking):
                    return
            self._confirm(picking)
            stats["sent"] += 1
        except AmazonThrottled as error:
            self._postpone(picking, error)
            raise
        except AmazonBadRequest as error:
            known, cancelled = self._amazon_view(picking)
            if known or cancelled:  # e.g. "packageReferenceId 1 is already used": ours
                self._settle(picking, known, cancelled)
                return
            self._record_failure(picking, error)
            stats["failed"] += 1
        except (AmazonError, UserError) as error:  # UserError: e.g. credentials removed
            self._record_failure(picking, error)
            stats["failed"] += 1

    def _sendable(self, picking):
        """Lock the picking's row and re-read it: False when another worker holds it, when it
        was sent meanwhile (never twice), or when there is nothing to send yet."""
        return picking._amazon_lock() \
            and picking.amazon_confirmation_state in ("to_send", "error") \
            and bool(picking.carrier_tracking_ref)

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

    def _amazon_view(self, picking):
        """(whether Amazon already holds this package, whether Amazon cancelled the order): a
        retry after a crash, a timeout or a refusal must not confirm a package twice nor keep
        confirming a cancelled order (Orders 2026-01-01 getOrder lists the packages)."""
        order = picking.sale_id
        amazon_order = order.amazon_account_id._get_gateway().get_order(
            order.amazon_order_ref, included_data=["PACKAGES", "FULFILLMENT"])
        known = any(str(package.get("packageReferenceId")) == picking.amazon_package_ref
                    for package in amazon_order.get("packages") or [])
        status = (amazon_order.get("fulfillment") or {}).get("fulfillmentStatus")
        return known, status == "CANCELLED"

    def _settle(self, picking, known, cancelled):
        if known:
            self._mark_sent(picking)
        else:
            self._stop_cancelled(picking)

    def _stop_cancelled(self, picking):
        """Amazon cancelled the order: nothing to confirm, ever; a person cancels or returns the
        delivery."""
        account = picking.sale_id.amazon_account_id
        message = self.env._(
            "Amazon cancelled order %(order)s: there is nothing to confirm. Return the goods of "
            "this delivery if they left, or cancel what has not.", order=picking.sale_id.amazon_order_ref)
        picking.write({"amazon_confirmation_state": "cancelled",
                       "amazon_confirmation_message": message, "amazon_next_attempt": False})
        self.env["amazon.seller.sync.error"]._resolve(account, self._flow, [self._ref(picking)])
        account._schedule_activity(
            picking, summary=self.env._("Amazon cancelled this shipped order"), note=message)

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
