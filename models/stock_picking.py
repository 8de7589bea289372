from collections import defaultdict
from datetime import timedelta
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError, AmazonThrottled
from ..shipment_mapper import package_detail

_logger = logging.getLogger(__name__)

CONFIRMATION_STATES = [("to_send", "To Send"), ("sent", "Sent"), ("error", "Error")]
# Pickings confirmed per scheduled run (each is one confirmShipment call).
CONFIRMATIONS_PER_RUN = 50


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_ship_by = fields.Datetime(
        related="sale_id.amazon_ship_by", store=True, string="Ship By",
        help="Amazon's latest ship date: confirming later counts as a late shipment.",
    )
    amazon_confirmation_state = fields.Selection(
        selection=CONFIRMATION_STATES, string="Amazon Confirmation", copy=False, readonly=True,
        index="btree_not_null",
    )
    amazon_confirmation_message = fields.Text(string="Amazon Answer", copy=False, readonly=True)
    amazon_package_ref = fields.Char(
        string="Amazon Package", copy=False, readonly=True,
        help="packageReferenceId sent to Amazon: 1, 2, ... per order (one per delivery).",
    )
    amazon_confirmation_attempts = fields.Integer(copy=False, readonly=True)
    amazon_next_attempt = fields.Datetime(copy=False, readonly=True)

    _amazon_package_unique = models.Constraint(
        "UNIQUE(sale_id, amazon_package_ref)", "An Amazon package reference is unique per order.",
    )

    # === VALIDATION === #

    def _action_done(self):
        """FBM deliveries of Amazon orders need a carrier and a tracking number; once done,
        their confirmation is queued and sent after the validation is committed."""
        to_confirm = self._amazon_to_confirm()
        to_confirm._amazon_check_shipping_data()
        result = super()._action_done()
        to_confirm.filtered(lambda picking: picking.state == "done")._amazon_queue_confirmation()
        return result

    def _amazon_to_confirm(self):
        """Outgoing deliveries of FBM orders that Amazon still expects us to ship."""
        return self.filtered(lambda picking: (
            picking.picking_type_code == "outgoing"
            and picking.sale_id.amazon_fulfillment_channel == "fbm"
            and picking.sale_id.amazon_status in ("UNSHIPPED", "PARTIALLY_SHIPPED")
            and not picking.amazon_confirmation_state
        ))

    def _amazon_check_shipping_data(self):
        """Carrier and tracking number are needed; carriers integrated for shipping (DHL, UPS...
        connectors) produce the tracking number during the validation itself."""
        missing = self.filtered(lambda picking: not picking.carrier_id or (
            not picking.carrier_tracking_ref and not picking.carrier_id._amazon_gives_tracking()))
        if missing:
            raise UserError(self.env._(
                "Amazon needs the carrier and the tracking number of %(pickings)s to confirm the "
                "shipment of order %(orders)s: set them before validating.",
                pickings=", ".join(missing.mapped("name")),
                orders=", ".join(missing.sale_id.mapped("amazon_order_ref"))))

    def _amazon_queue_confirmation(self):
        for picking in self:
            picking.write({
                "amazon_confirmation_state": "to_send" if picking.carrier_tracking_ref else "error",
                "amazon_confirmation_message": not picking.carrier_tracking_ref and self.env._(
                    "The carrier gave no tracking number: set it, then retry."),
                "amazon_package_ref": str(picking._amazon_next_package_number()),
                # (without a tracking number it waits for a person's retry, not for the cron)
                "amazon_next_attempt": picking.carrier_tracking_ref and fields.Datetime.now(),
            })
        if self:
            self.env.ref("amazon_seller.ir_cron_sync_shipments")._trigger()

    def _amazon_next_package_number(self):
        siblings = self.sale_id.picking_ids.filtered("amazon_package_ref") - self
        return max((int(p.amazon_package_ref) for p in siblings), default=0) + 1

    # === ACTIONS === #

    def action_amazon_retry_confirmation(self):
        """Send the confirmation now (a retry of a failed one, or a queued one)."""
        self._amazon_send_confirmations()
        return True

    # === SENDING === #

    @api.model
    def _cron_sync_shipments(self):
        """Scheduled action: send the confirmations that are due, committing after each one."""
        due = self._amazon_due_confirmations()
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(due))
        for picking in due:
            if picking._amazon_send_confirmations() is False or not cron._commit_progress(1):
                break  # throttled or out of time: the next run goes on

    @api.model
    def _amazon_due_confirmations(self):
        """Queued and failed confirmations whose (backoff) time has come, oldest first."""
        return self.search([
            ("amazon_confirmation_state", "in", ("to_send", "error")),
            ("amazon_next_attempt", "<=", fields.Datetime.now()),
            ("sale_id.amazon_account_id.sync_enabled", "=", True),
            ("sale_id.amazon_account_id.active", "=", True),
        ], limit=CONFIRMATIONS_PER_RUN, order="amazon_next_attempt")

    def _amazon_send_confirmations(self):
        """Confirm each picking's package on Amazon, once. Return False when Amazon throttles."""
        for picking in self:
            if not picking._amazon_lock():
                continue  # another worker (cron or user) is sending it right now
            if picking.amazon_confirmation_state not in ("to_send", "error") \
                    or not picking.carrier_tracking_ref:
                continue  # sent meanwhile (never twice), or nothing to send yet
            try:
                if picking.amazon_confirmation_attempts and picking._amazon_package_known():
                    picking._amazon_mark_sent()  # an earlier attempt went through after all
                    continue
                picking._amazon_confirm_shipment()
            except AmazonThrottled as error:
                picking._amazon_record_failure(error, count_attempt=False)
                return False
            except (AmazonError, UserError) as error:  # UserError: e.g. credentials removed
                picking._amazon_record_failure(error)
        return True

    def _amazon_lock(self):
        """Lock this picking's row for the transaction, or say that somebody else holds it."""
        self.env.cr.execute(
            "SELECT id FROM stock_picking WHERE id = %s FOR UPDATE SKIP LOCKED", [self.id])
        locked = bool(self.env.cr.fetchone())
        if locked:
            self.invalidate_recordset(["amazon_confirmation_state"])
        return locked

    def _amazon_confirm_shipment(self):
        order = self.sale_id
        account = order.amazon_account_id
        carrier_code = self.env["amazon.seller.carrier"]._for_carrier(self.carrier_id).code
        detail = package_detail(
            reference=self.amazon_package_ref,
            carrier_code=carrier_code if carrier_code != const.CARRIER_CODE_OTHER else None,
            carrier_name=self.carrier_id.name,
            shipping_method=self.carrier_id.name,
            tracking_number=self.carrier_tracking_ref,
            ship_date=self.date_done or fields.Datetime.now(),
            item_quantities=self._amazon_item_quantities(),
        )
        account._get_gateway().call(
            "orders_v0", "confirm_shipment", order_id=order.amazon_order_ref,
            marketplaceId=order.amazon_marketplace_id.marketplace_id, packageDetail=detail,
            marketplace_id=order.amazon_marketplace_id.marketplace_id,
        )
        self._amazon_mark_sent()

    def _amazon_package_known(self):
        """Whether Amazon already holds this package: a retry after a timeout or a server error
        must not confirm it a second time (Orders 2026-01-01 getOrder lists the packages)."""
        order = self.sale_id
        amazon_order = order.amazon_account_id._get_gateway().call(
            "orders", "get_order", order.amazon_order_ref, includedData=["PACKAGES"],
        ).payload
        packages = (amazon_order.get("order") or amazon_order).get("packages") or []
        return any(package.get("packageReferenceId") == self.amazon_package_ref
                   for package in packages)

    def _amazon_mark_sent(self):
        self.write({
            "amazon_confirmation_state": "sent",
            "amazon_confirmation_message": False,
            "amazon_next_attempt": False,
        })
        self.message_post(body=self.env._(
            "Shipment confirmed on Amazon: package %(package)s, %(carrier)s %(tracking)s.",
            package=self.amazon_package_ref, carrier=self.carrier_id.name,
            tracking=self.carrier_tracking_ref))

    def _amazon_item_quantities(self):
        """{Amazon order item id: quantity} of what this delivery shipped."""
        quantities = defaultdict(float)
        for move in self.move_ids.filtered(lambda m: m.state == "done"):
            item_id = move.sale_line_id.amazon_order_item_id
            if item_id:
                quantities[item_id] += move.product_uom._compute_quantity(
                    move.quantity, move.sale_line_id.product_uom_id)
        return quantities

    def _amazon_record_failure(self, error, count_attempt=True):
        """Keep Amazon's answer, retry later with backoff, and ask a person after a few tries."""
        account = self.sale_id.amazon_account_id
        attempts = self.amazon_confirmation_attempts + (1 if count_attempt else 0)
        self.write({
            "amazon_confirmation_state": "error" if count_attempt else self.amazon_confirmation_state,
            "amazon_confirmation_message": account._describe_amazon_error(error)
            if isinstance(error, AmazonError) else error.args[0],
            "amazon_confirmation_attempts": attempts,
            "amazon_next_attempt": fields.Datetime.now() + timedelta(minutes=5 * 2 ** min(attempts, 8)),
        })
        if attempts == const.CONFIRMATION_ATTEMPTS_BEFORE_ACTIVITY:
            account._schedule_activity(
                self,
                summary=self.env._("Amazon refuses the shipment confirmation"),
                note=self.amazon_confirmation_message,
            )
