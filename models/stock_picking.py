from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.exceptions import UserError

from ..utils import notification_action

CONFIRMATION_STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("error", "Error"),
    ("cancelled", "Order Cancelled"),
]


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_mcf_state = fields.Selection(
        selection=[("sent", "Sent to Amazon"), ("shipped", "Shipped by Amazon"),
                   ("stopped", "Cancelled or Unfulfillable"), ("error", "Refused")],
        string="Multi-Channel Fulfilment", readonly=True, copy=False, index="btree_not_null",
        help="Deliveries of a warehouse fulfilled by Amazon are shipped by Amazon from the FBA "
             "stock (Multi-Channel Fulfilment).")
    amazon_mcf_ref = fields.Char(string="Amazon Fulfilment Order", readonly=True, copy=False,
                                 index="btree_not_null")
    amazon_mcf_marketplace = fields.Char(readonly=True, copy=False)
    amazon_mcf_status = fields.Char(string="Amazon Fulfilment Status", readonly=True, copy=False)
    amazon_mcf_shipment_refs = fields.Char(string="Amazon Shipments", readonly=True, copy=False)
    amazon_mcf_message = fields.Text(string="Amazon's Refusal", readonly=True, copy=False)
    amazon_mcf_warehouse = fields.Boolean(
        compute="_compute_amazon_mcf_warehouse",
        help="The delivery's warehouse is fulfilled by Amazon.")

    def _compute_amazon_mcf_warehouse(self):
        for picking in self:
            picking.amazon_mcf_warehouse = bool(
                picking.picking_type_id.warehouse_id.amazon_mcf_account_id)

    def action_amazon_mcf_send_again(self):
        """Send a delivery Amazon refused again, once what it said is fixed."""
        self.filtered(lambda p: p.amazon_mcf_state == "error").write(
            {"amazon_mcf_state": False, "amazon_mcf_message": False})
        self.env.ref("amazon_seller.ir_cron_mcf").sudo()._trigger()
        return True

    amazon_mcf_preview = fields.Html(
        string="Amazon's Preview", readonly=True, copy=False, sanitize=True,
        help="What Amazon would charge, and when it would ship and deliver, per shipping speed "
             "(getFulfillmentPreview), as last asked.")

    def action_amazon_mcf_preview(self):
        """Ask Amazon what shipping this delivery from the FBA stock would cost and when it
        would arrive, before it is sent."""
        for picking in self.filtered(lambda p: p.amazon_mcf_warehouse
                                     and p.amazon_mcf_state in (False, "error")):
            picking.amazon_mcf_preview = self.env["amazon.seller.mcf.export"]._preview(picking)
        return True

    def _compute_amazon_due_today(self):
        due = self.search([("id", "in", self.ids), ("amazon_due_today", "=", True)]) \
            if self.ids else self.browse()
        for picking in self:
            picking.amazon_due_today = picking in due

    def _search_amazon_due_today(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        domain = self._amazon_due_today_domain()
        return domain if (operator == "=") == value else ~domain

    def _amazon_due_today_domain(self):
        """Deliveries due later today, each marketplace's day counted in its own time zone."""
        now = fields.Datetime.now()
        marketplaces = self.env["amazon.seller.marketplace"].with_context(
            active_test=False).search([])
        return Domain("state", "not in", ("done", "cancel")) & Domain.OR(
            Domain("sale_id.amazon_marketplace_id", "=", marketplace.id)
            & Domain("amazon_ship_by", ">=", now)
            & Domain("amazon_ship_by", "<", marketplace._local_day_bounds(now)[1])
            for marketplace in marketplaces)

    def action_amazon_mcf_cancel(self):
        """Cancel the fulfilment order at Amazon (possible until Amazon starts shipping)."""
        for picking in self.filtered(lambda p: p.amazon_mcf_state == "sent"):
            self.env["amazon.seller.mcf.export"]._cancel(picking)
        return True

    amazon_removal_id = fields.Many2one(
        comodel_name="amazon.seller.removal", string="Amazon Removal Order", readonly=True,
        index="btree_not_null", copy=False,
        help="The FBA removal order whose units this receipt brings back from Amazon.")

    amazon_inbound_shipment_id = fields.Many2one(
        comodel_name="amazon.seller.inbound.shipment", string="Amazon Inbound Shipment",
        readonly=True, index="btree_not_null", copy=False,
        help="The shipment to Amazon's fulfilment centres whose units this transfer moves.")

    amazon_ship_by = fields.Datetime(
        related="sale_id.amazon_ship_by", store=True, string="Ship By",
        help="Amazon's latest ship date: confirming later counts as a late shipment.",
    )
    amazon_ship_by_local = fields.Char(related="sale_id.amazon_ship_by_local",
                                       string="Ship By (Marketplace Time)")
    amazon_due_today = fields.Boolean(
        string="Due Today at Amazon", compute="_compute_amazon_due_today",
        search="_search_amazon_due_today",
        help="Not shipped, and Amazon's ship-by deadline falls later today in the marketplace's "
             "time zone (its day, not the user's).")
    amazon_order_ref = fields.Char(related="sale_id.amazon_order_ref", string="Amazon Order")
    amazon_cancel_request = fields.Char(related="sale_id.amazon_cancel_request",
                                        string="Buyer Asks to Cancel")
    amazon_marketplace_id = fields.Many2one(related="sale_id.amazon_marketplace_id")
    amazon_gift_messages = fields.Text(
        string="Gift Messages", compute="_compute_amazon_products",
        help="The buyer's gift messages to put in the parcel.")
    amazon_products = fields.Char(
        string="Products", compute="_compute_amazon_products",
        help="What to pick and pack: quantity × product of each line.")
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
    amazon_confirmation_tried = fields.Datetime(
        string="Last Confirmation Attempt", copy=False, readonly=True,
        help="Recorded (and committed) before each confirmShipment call: any later attempt first "
             "asks Amazon whether the package is already there, so it is never confirmed twice.",
    )

    _amazon_package_unique = models.Constraint(
        "UNIQUE(sale_id, amazon_package_ref)", "An Amazon package reference is unique per order.",
    )

    def _compute_amazon_products(self):
        for picking in self:
            moves = picking.move_ids.filtered(lambda m: m.state != "cancel")
            picking.amazon_products = ", ".join(
                f"{move.product_uom_qty:g} × {move.product_id.default_code or move.product_id.name}"
                for move in moves)
            picking.amazon_gift_messages = "\n".join(
                f"{line.product_id.display_name}: {line.amazon_gift_message}"
                for line in moves.sale_line_id if line.amazon_gift_message) or False

    # === VALIDATION === #

    def _action_done(self):
        """FBM deliveries of Amazon orders need a carrier and a tracking number; once done,
        their confirmation is queued and sent after the validation is committed. Orders waiting
        for review or on hold do not ship."""
        self._amazon_check_not_held()
        to_confirm = self._amazon_to_confirm()
        to_confirm._amazon_check_shipping_data()
        result = super()._action_done()
        to_confirm.filtered(lambda picking: picking.state == "done")._amazon_queue_confirmation()
        self._amazon_inbound_left()
        return result

    def _amazon_inbound_left(self):
        """The warehouse shipped a plan's boxes to Amazon: the plan is on its way."""
        inbounds = self.filtered(lambda picking: picking.state == "done"
                                 and picking.location_dest_id.usage == "transit"
                                 ).amazon_inbound_shipment_id.inbound_id.sudo()
        inbounds.filtered(lambda inbound: inbound.state == "ready").state = "shipped"

    def _amazon_check_not_held(self):
        held = self.filtered(lambda p: p.picking_type_code == "outgoing"
                             and p.sale_id.amazon_review_state in ("to_review", "held"))
        if held:
            raise UserError(self.env._(
                "%(orders)s waits for review or is on hold: release it before shipping.",
                orders=", ".join(held.sale_id.mapped("amazon_order_ref"))))

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

    # === NO MESSAGES TO AMAZON BUYERS === #

    def _pre_action_done_hook(self):
        """Validating only deliveries of Amazon orders never asks whether to text the buyer."""
        if self and not self._amazon_buyer_pickings() - self:
            return super(StockPicking, self.with_context(skip_sms=True))._pre_action_done_hook()
        return super()._pre_action_done_hook()

    def _send_confirmation_email(self):
        """Amazon buyers hear of their shipment from Amazon only: no Odoo e-mail nor SMS."""
        return super(StockPicking, self - self._amazon_buyer_pickings())._send_confirmation_email()

    def _amazon_buyer_pickings(self):
        return self.filtered(lambda p: p.sale_id.amazon_order_ref or p.partner_id._amazon_buyers())

    # === SHIPPING IN BULK === #

    def _amazon_shippable(self):
        """The FBM deliveries of Amazon orders among these that still wait to be shipped."""
        return self.filtered(lambda p: p.sale_id.amazon_fulfillment_channel == "fbm"
                             and p.picking_type_code == "outgoing"
                             and p.state not in ("done", "cancel") and not p.amazon_confirmation_state)

    @api.model
    def _amazon_ship_with_tracking(self, shipments):
        """Ship ``{picking: (carrier, tracking number, ship date or None)}`` in one validation:
        every product in full, then the confirmations are queued. Deliveries of lot- or
        serial-tracked products need their numbers chosen by a person and are left out.
        Return the deliveries validated."""
        pickings = self.browse([picking.id for picking in shipments])
        pickings = pickings.filtered(lambda p: not any(
            move.has_tracking != "none" and not move.lot_ids for move in p.move_ids))
        for picking in pickings:
            carrier, tracking, _ship_date = shipments[picking]
            picking.write({"carrier_id": carrier.id, "carrier_tracking_ref": tracking})
        moves = pickings.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        if pickings:
            pickings.with_context(skip_sms=True, cancel_backorder=True).button_validate()
        done = pickings.filtered(lambda p: p.state == "done")
        for picking in done:
            ship_date = shipments[picking][2]
            if ship_date:
                picking.date_done = ship_date
        return done

    def _amazon_shipped_notification(self):
        return notification_action(
            self.env._("%(count)s deliveries validated: Amazon hears of them within minutes.",
                       count=len(self)),
            "success", next_action={"type": "ir.actions.act_window_close"})

    def action_amazon_bulk_validate(self):
        """Open the wizard validating the selected Amazon deliveries with one carrier."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Ship Amazon Deliveries"),
            "res_model": "amazon.seller.ship.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_ids": self.ids},
        }

    # === ACTIONS === #

    def action_amazon_retry_confirmation(self):
        """Send the confirmation again as soon as possible: the scheduled action sends each
        delivery in its own transaction, within a minute."""
        queued = self.env["amazon.seller.shipment.export"]._queue_now(self)
        return notification_action(
            self.env._("%(count)s confirmation(s) queued: Amazon hears of them within a minute.",
                       count=len(queued)),
            next_action={"type": "ir.actions.client", "tag": "soft_reload"})

    # === SENDING (the shipments flow: amazon.seller.shipment.export) === #

    def _amazon_lock(self):
        """Lock this picking's row for the transaction, or say that somebody else holds it."""
        self.env.cr.execute(
            "SELECT id FROM stock_picking WHERE id = %s FOR UPDATE SKIP LOCKED", [self.id])
        locked = bool(self.env.cr.fetchone())
        if locked:
            self.invalidate_recordset(["amazon_confirmation_state"])
        return locked

    def _amazon_item_quantities(self):
        """{Amazon order item id: quantity} of what this delivery shipped."""
        quantities = defaultdict(float)
        for move in self.move_ids.filtered(lambda m: m.state == "done"):
            item_id = move.sale_line_id.amazon_order_item_id
            if item_id:
                quantities[item_id] += move.product_uom._compute_quantity(
                    move.quantity, move.sale_line_id.product_uom_id)
        return quantities
