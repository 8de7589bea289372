from markupsafe import Markup, escape

from odoo import models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonBadRequest, AmazonError
from ..formats.fulfillment_mapper import (
    fulfillment_order_request, fulfillment_preview_request, read_fulfillment_order,
    read_previews, seller_order_id,
)
from ..utils import parse_datetime

# Deliveries sent, and fulfilment orders followed, per run.
BATCH = 50


class AmazonSellerMcfExport(models.AbstractModel):
    """The Multi-Channel Fulfilment flow: deliveries of other channels (web shop, B2B) whose
    warehouse is *Fulfilled by Amazon* are sent to Amazon with ``createFulfillmentOrder`` (the
    delivery's reference as Amazon's order id, its moves as items by FBA SKU, the customer's
    address, the shipping speed) and reserved in the account's FBA stock; each run then asks
    ``getFulfillmentOrder`` for the orders sent: once shipped the delivery is validated with
    Amazon's quantities and tracking numbers, a cancelled or unfulfillable one gets an activity.
    A delivery Amazon refuses says why and waits for a person (*Send to Amazon* again)."""

    _name = "amazon.seller.mcf.export"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Multi-Channel Fulfilment"
    _flow = "mcf"

    def _accounts_to_run(self):
        warehouses = self.env["stock.warehouse"].search([("amazon_mcf_account_id", "!=", False)])
        return warehouses.amazon_mcf_account_id

    def _run(self, account, state, stats, commit):
        for picking in self._to_send(account):
            self._send(account, picking, stats)
            if commit:
                commit()
        for picking in self._to_follow(account):
            self._follow(account, picking, stats)
            if commit:
                commit()
        return True

    def _summary(self, stats):
        return self.env._(
            "%(sent)s sent to Amazon, %(shipped)s shipped, %(stopped)s cancelled or "
            "unfulfillable, %(failed)s refused", sent=stats["sent"], shipped=stats["shipped"],
            stopped=stats["stopped"], failed=stats["failed"])

    # === SENDING === #

    def _to_send(self, account):
        return self.env["stock.picking"].search([
            ("picking_type_id.warehouse_id.amazon_mcf_account_id", "=", account.id),
            ("picking_type_code", "=", "outgoing"),
            ("state", "in", ("confirmed", "waiting", "assigned")),
            ("amazon_mcf_state", "=", False),
            ("sale_id.amazon_account_id", "=", False),  # Amazon's own orders ship otherwise
        ], limit=BATCH, order="scheduled_date, id")

    def _send(self, account, picking, stats):
        """One delivery to Amazon, all or nothing: refused, it says why and waits."""
        try:
            with self.env.cr.savepoint():
                body = self._request(account, picking)
                account._get_gateway().create_fulfillment_order(body)
                self._reserve_at_amazon(account, picking)
                picking.write({"amazon_mcf_state": "sent",
                               "amazon_mcf_ref": body["sellerFulfillmentOrderId"],
                               "amazon_mcf_marketplace": body["marketplaceId"],
                               "amazon_mcf_status": "RECEIVED", "amazon_mcf_message": False})
            stats["sent"] += 1
        except (UserError, AmazonBadRequest) as error:
            reason = error.message if isinstance(error, AmazonBadRequest) else error.args[0]
            picking.write({"amazon_mcf_state": "error", "amazon_mcf_message": reason})
            account._schedule_activity(picking, self.env._("Amazon refused to ship this delivery"),
                                       reason)
            stats["failed"] += 1

    def _request(self, account, picking):
        partner = picking.partner_id
        if not partner or not (partner.street and partner.city and partner.zip
                               and partner.country_id):
            raise UserError(self.env._(
                "%(delivery)s: the customer's address lacks a street, city, ZIP or country.",
                delivery=picking.name))
        marketplace = self._marketplace(account, picking)
        items = []
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            offer = self._fba_offer(account, move.product_id, marketplace)
            if not offer:
                raise UserError(self.env._(
                    "%(delivery)s: %(product)s has no FBA offer (SKU) on %(account)s: map its "
                    "SKU first.", delivery=picking.name, product=move.product_id.display_name,
                    account=account.name))
            items.append((move.id, offer.sku, move.product_uom_qty))
        return fulfillment_order_request(
            seller_order_id(picking.name), marketplace.marketplace_id,
            picking.sale_id.name or picking.origin or picking.name,
            picking.sale_id.date_order or picking.scheduled_date,
            partner._amazon_address(),
            items, speed=picking.picking_type_id.warehouse_id.amazon_mcf_speed or "Standard",
            comment=self.env._("Thank you for your order %(order)s.",
                               order=picking.sale_id.name or picking.origin or picking.name))

    # === PREVIEW === #

    def _preview(self, picking):
        """Amazon's preview of a delivery as an HTML table: per speed its fees, latest ship and
        arrival dates, or why Amazon cannot ship it."""
        account = picking.picking_type_id.warehouse_id.amazon_mcf_account_id
        try:
            request = fulfillment_preview_request(self._request(account, picking))
            previews = read_previews(account._get_gateway().get_fulfillment_preview(request))
        except AmazonError as error:
            raise UserError(self.env._("Amazon gave no preview of %(delivery)s: %(reason)s",
                                       delivery=picking.name, reason=error.message)) from error
        rows = Markup()
        for preview in previews:
            if preview.fulfillable:
                outcome = self.env._("%(fee)s %(currency)s, ships by %(ship)s, arrives by "
                                     "%(arrive)s", fee=preview.fee, currency=preview.currency,
                                     ship=self._local(preview.ships_by),
                                     arrive=self._local(preview.arrives_by))
            else:
                outcome = self.env._("Amazon cannot ship it: %(items)s", items="; ".join(
                    f"{sku} ({reasons})" for sku, reasons in preview.unfulfillable)
                    or self.env._("no reason given"))
            rows += Markup("<tr><td>%s</td><td>%s</td></tr>") % (preview.speed, outcome)
        return Markup('<table class="table table-sm"><tr><th>%s</th><th>%s</th></tr>%s</table>') % (
            self.env._("Speed"), self.env._("Amazon's answer"), rows)

    def _local(self, timestamp):
        moment = parse_datetime(timestamp) if timestamp else False
        return escape(self.env["ir.qweb.field.datetime"].value_to_html(moment, {})
                      if moment else "—")

    @staticmethod
    def _marketplace(account, picking):
        """The account's marketplace of the customer's country (its FBA stock ships the
        delivery), else its first one."""
        return account.marketplace_ids.filtered(
            lambda m: m.country_id == picking.partner_id.country_id)[:1] \
            or account.marketplace_ids[:1]

    def _fba_offer(self, account, product, marketplace):
        offers = self.env["amazon.seller.offer"].search([
            ("account_id", "=", account.id), ("product_id", "=", product.id),
            ("fulfillment_channel", "=", "fba")])
        return offers.filtered(lambda o: o.marketplace_id == marketplace)[:1] or offers[:1]

    def _reserve_at_amazon(self, account, picking):
        """The goods leave from Amazon's FBA stock, not the warehouse's shelves."""
        fba = account._fba_location(self._marketplace(account, picking))
        picking.do_unreserve()
        picking.write({"location_id": fba.id})
        picking.move_ids.write({"location_id": fba.id})
        picking.action_assign()

    # === FOLLOWING === #

    def _to_follow(self, account):
        return self.env["stock.picking"].search([
            ("picking_type_id.warehouse_id.amazon_mcf_account_id", "=", account.id),
            ("amazon_mcf_state", "=", "sent"), ("state", "not in", ("done", "cancel"))],
            limit=BATCH, order="write_date, id")

    def _follow(self, account, picking, stats):
        gateway = account._get_gateway()
        state = read_fulfillment_order(gateway.get_fulfillment_order(
            picking.amazon_mcf_ref, marketplace_id=picking.amazon_mcf_marketplace))
        if state.status != picking.amazon_mcf_status:
            picking.amazon_mcf_status = state.status
        if state.status in const.MCF_SHIPPED_STATUSES:
            with self.env.cr.savepoint():
                self._validate(picking, state)
            stats["shipped"] += 1
        elif state.status in const.MCF_STOPPED_STATUSES:
            picking.amazon_mcf_state = "stopped"
            account._schedule_activity(picking, self.env._(
                "Amazon will not ship this delivery"), self.env._(
                "Amazon answers %(status)s for %(delivery)s: ship it from the warehouse or "
                "cancel it.", status=state.status, delivery=picking.name))
            stats["stopped"] += 1

    def _validate(self, picking, state):
        """Amazon shipped: the delivery is done with Amazon's quantities and tracking numbers
        (what Amazon did not ship is no backorder: Amazon said so)."""
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            move.quantity = state.shipped.get(str(move.id), 0)
            move.picked = True
        picking.write({
            "carrier_tracking_ref": ", ".join(number for _carrier, number in state.trackings)
            or False,
            "amazon_mcf_state": "shipped",
            "amazon_mcf_shipment_refs": ", ".join(filter(None, state.shipment_ids)) or False,
        })
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids,
                             skip_sms=True).button_validate()

    # === ACTIONS (from the delivery) === #

    def _cancel(self, picking):
        account = picking.picking_type_id.warehouse_id.amazon_mcf_account_id
        account._get_gateway().cancel_fulfillment_order(
            picking.amazon_mcf_ref, marketplace_id=picking.amazon_mcf_marketplace)
        picking.write({"amazon_mcf_state": "stopped", "amazon_mcf_status": "CANCELLED"})
