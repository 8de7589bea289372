from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.pdf import merge_pdf

from .. import const
from ..exceptions import AmazonError
from ..formats.label_mapper import (
    LabelDataError, choose_rate, label_request, rates_request, read_label, read_rates,
)


class StockPicking(models.Model):
    """Amazon Buy Shipping labels for FBM deliveries: the package (weight and dimensions from
    its products, editable), the carriers' rates (``getRates``), the label bought
    (``purchaseShipment``) attached and printable for a whole batch at once, its tracking number
    on the delivery. Amazon knows a package shipped with its label: no confirmShipment follows
    for it. *Void Label* (``cancelShipment``) gives it back while the delivery is not done."""

    _inherit = "stock.picking"

    amazon_package_weight = fields.Float(
        string="Package Weight (kg)", compute="_compute_amazon_package", store=True,
        readonly=False, digits=(10, 3),
        help="The products' weights, editable before buying the label.")
    amazon_package_length = fields.Integer(string="Length (cm)",
                                           default=lambda self: const.LABEL_BOX_CM[0])
    amazon_package_width = fields.Integer(string="Width (cm)",
                                          default=lambda self: const.LABEL_BOX_CM[1])
    amazon_package_height = fields.Integer(string="Height (cm)",
                                           default=lambda self: const.LABEL_BOX_CM[2])
    amazon_label_ref = fields.Char(string="Buy Shipping ID", readonly=True, copy=False,
                                   index="btree_not_null")
    amazon_label_service = fields.Char(string="Shipping Service", readonly=True, copy=False)
    amazon_label_cost = fields.Char(string="Label Cost", readonly=True, copy=False)
    amazon_label_attachment_id = fields.Many2one(comodel_name="ir.attachment",
                                                 string="Shipping Label", readonly=True,
                                                 copy=False)

    @api.depends("move_ids.product_id.weight", "move_ids.product_uom_qty")
    def _compute_amazon_package(self):
        for picking in self:
            picking.amazon_package_weight = sum(
                move.product_id.weight * move.product_uom_qty for move in picking.move_ids)

    # === ACTIONS === #

    def action_amazon_label_rates(self):
        """The carriers' rates for this delivery's package, to choose from."""
        self.ensure_one()
        self._amazon_check_label_possible()
        token, rates, ineligible = self._amazon_rates()
        wizard = self.env["amazon.seller.label.wizard"].create({
            "picking_id": self.id, "request_token": token,
            "ineligible": "\n".join(f"{service}: {reasons}" for service, reasons in ineligible),
            "line_ids": [fields.Command.create({
                "rate_ref": rate.rate_id, "carrier": rate.carrier_name,
                "service_ref": rate.service_id, "service": rate.service_name,
                "charge": float(rate.charge), "currency": rate.currency,
                "delivered_by": rate.delivered_by}) for rate in rates]})
        return {"type": "ir.actions.act_window", "res_model": wizard._name, "res_id": wizard.id,
                "view_mode": "form", "target": "new", "name": self.env._("Amazon Shipping Rates")}

    def action_amazon_buy_label(self):
        """Buy each delivery's label with its account's preferred rate; open the labels of the
        batch as one document. A delivery Amazon refuses says why; the others go on."""
        weight = self.env.context.get("amazon_package_weight")
        if weight and len(self) == 1:
            self.amazon_package_weight = weight
        bought, refused, carriers = self.browse(), [], {}
        for picking in self:
            try:
                with self.env.cr.savepoint():
                    picking._amazon_check_label_possible()
                    token, rates, ineligible = picking._amazon_rates()
                    account = picking.sale_id.amazon_account_id
                    rate = choose_rate(rates, account.label_preference or "cheapest",
                                       account.label_service_ref)
                    if not rate:
                        raise UserError(self.env._(
                            "%(delivery)s: no carrier offers this package (%(reasons)s).",
                            delivery=picking.name, reasons="; ".join(
                                f"{service}: {why}" for service, why in ineligible) or "-"))
                    picking._amazon_purchase(token, rate, carriers)
                bought |= picking
            except UserError as error:
                refused.append(error.args[0])
        if refused and not bought:
            raise UserError("\n".join(refused))
        if refused:
            for picking in bought:
                picking.message_post(body=self.env._("Labels not bought: %(why)s",
                                                     why="; ".join(refused)))
        return bought._amazon_print_labels()

    def action_amazon_print_labels(self):
        return self.filtered("amazon_label_attachment_id")._amazon_print_labels()

    def action_amazon_void_label(self):
        """Give the label back to Amazon (``cancelShipment``): the package is no longer shipped
        at Amazon and another label can be bought."""
        for picking in self.filtered("amazon_label_ref"):
            if picking.state == "done":
                raise UserError(self.env._(
                    "%(delivery)s left the warehouse: its label cannot be voided.",
                    delivery=picking.name))
            picking._amazon_gateway_call(lambda gateway, p=picking: gateway.cancel_shipment(
                p.amazon_label_ref, marketplace_id=p.sale_id.amazon_marketplace_id.marketplace_id))
            picking.message_post(body=self.env._("Amazon label %(label)s voided.",
                                                 label=picking.amazon_label_ref))
            picking.write({"amazon_label_ref": False, "amazon_label_service": False,
                           "amazon_label_cost": False, "amazon_label_attachment_id": False,
                           "carrier_tracking_ref": False, "amazon_confirmation_state": False,
                           "amazon_confirmation_message": False})
        return True

    # === BUSINESS METHODS === #

    def _amazon_check_label_possible(self):
        self.ensure_one()
        order = self.sale_id
        if not order.amazon_account_id or order.amazon_fulfillment_channel != "fbm" \
                or self.picking_type_code != "outgoing":
            raise UserError(self.env._("%(delivery)s is not a delivery of an FBM Amazon order.",
                                       delivery=self.name))
        if order.state == "cancel" or order.amazon_status == "CANCELLED":
            raise UserError(self.env._("%(order)s is cancelled: no label is bought for it.",
                                       order=order.amazon_order_ref))
        if self.amazon_label_ref:
            raise UserError(self.env._("%(delivery)s has its label already (%(label)s).",
                                       delivery=self.name, label=self.amazon_label_ref))
        if self.state in ("done", "cancel"):
            raise UserError(self.env._("%(delivery)s is %(state)s: no label is bought for it.",
                                       delivery=self.name, state=self.state))
        self._amazon_check_not_held()
        if self.amazon_package_weight <= 0:
            raise UserError(self.env._("%(delivery)s: give the package's weight.",
                                       delivery=self.name))

    def _amazon_rates(self):
        order = self.sale_id
        body = self._amazon_rates_request()
        return self._amazon_gateway_call(lambda gateway: read_rates(gateway.get_shipping_rates(
            body, marketplace_id=order.amazon_marketplace_id.marketplace_id)))

    def _amazon_rates_request(self):
        """``getRates``' body for this delivery's package, shipped from its warehouse."""
        order = self.sale_id
        warehouse = self.picking_type_id.warehouse_id
        partner = warehouse.partner_id or self.company_id.partner_id
        ship_from = partner._amazon_address(self.company_id)
        if not (ship_from["street"] and ship_from["city"] and ship_from["zip"]
                and ship_from["country_code"]):
            raise UserError(self.env._(
                "%(warehouse)s: its address lacks a street, city, ZIP or country, which the "
                "carrier needs.", warehouse=warehouse.name))
        return rates_request(order.amazon_order_ref, ship_from, {
            "reference": self.name[-40:], "weight": round(self.amazon_package_weight, 3),
            "length": self.amazon_package_length, "width": self.amazon_package_width,
            "height": self.amazon_package_height, "value": order.amount_untaxed},
            order.currency_id.name)

    def _amazon_purchase(self, token, rate, carriers=None):
        """Buy ``rate``'s label: attached, its tracking number on the delivery, the delivery
        confirmed at Amazon by the purchase itself. ``carriers``: {Amazon carrier code:
        delivery.carrier} found so far, shared by the deliveries of a batch (one search per
        carrier, not per delivery)."""
        order = self.sale_id
        account = order.amazon_account_id
        label = self._amazon_gateway_call(lambda gateway: read_label(gateway.purchase_shipment(
            label_request(token, rate.rate_id, account.label_format or "PDF"),
            marketplace_id=order.amazon_marketplace_id.marketplace_id)))
        extension = "zpl" if label.document_format == "ZPL" else label.document_format.lower()
        attachment = self.env["ir.attachment"].create({
            "name": f"{self.env._('Label')} {order.amazon_order_ref} {label.tracking}.{extension}",
            "raw": label.content, "res_model": self._name, "res_id": self.id,
            "mimetype": "application/pdf" if label.document_format == "PDF" else
            "application/octet-stream"})
        carriers = {} if carriers is None else carriers
        if rate.carrier_id not in carriers:
            carriers[rate.carrier_id] = self.env["delivery.carrier"].search(
                [("amazon_carrier_id.code", "=", rate.carrier_id)], limit=1)
        carrier = carriers[rate.carrier_id]
        self.write({
            "amazon_label_ref": label.shipment_id, "amazon_label_attachment_id": attachment.id,
            "amazon_label_service": f"{rate.carrier_name} {rate.service_name}",
            "amazon_label_cost": f"{rate.charge} {rate.currency}",
            "carrier_tracking_ref": label.tracking,
            **({"carrier_id": carrier.id} if carrier and not self.carrier_id else {}),
            "amazon_confirmation_state": "sent",
            "amazon_confirmation_message": self.env._(
                "Shipped with an Amazon Buy Shipping label: Amazon knows the shipment."),
        })
        self.message_post(body=self.env._(
            "Amazon label bought: %(service)s, %(cost)s, tracking %(tracking)s.",
            service=self.amazon_label_service, cost=self.amazon_label_cost,
            tracking=label.tracking), attachment_ids=attachment.ids)

    def _amazon_print_labels(self):
        """One document of the labels of these deliveries (PDF labels merged)."""
        attachments = self.amazon_label_attachment_id
        if not attachments:
            return True
        if len(attachments) > 1 and all(a.mimetype == "application/pdf" for a in attachments):
            attachments = self.env["ir.attachment"].create({
                "name": self.env._("Amazon labels (%(count)s).pdf", count=len(attachments)),
                "raw": merge_pdf([a.raw for a in attachments]),
                "mimetype": "application/pdf", "res_model": self._name, "res_id": self[:1].id})
        return {"type": "ir.actions.act_url", "target": "new",
                "url": f"/web/content/{attachments[:1].id}?download=true"}

    def _amazon_gateway_call(self, call):
        account = self.sale_id.amazon_account_id
        try:
            return call(account._get_gateway())
        except AmazonError as error:
            raise UserError(self.env._("Amazon refused %(delivery)s: %(reason)s",
                                       delivery=self.name, reason=error.message)) from error
        except LabelDataError as error:
            raise UserError(self.env._("Amazon's answer for %(delivery)s is incomplete: "
                                       "%(reason)s", delivery=self.name,
                                       reason=str(error))) from error
