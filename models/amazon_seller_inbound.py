from datetime import timedelta
from decimal import Decimal
import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError
from ..formats.inbound_mapper import (
    SHIPMENT_FINAL_STATUSES, SHIPMENT_LEFT_STATUSES, InboundDataError, box_groupings,
    choose_transportation, inbound_plan_request, read_items, read_options, read_shipment,
)
from ..utils import to_amazon_timestamp

STATES = [
    ("draft", "Draft"),
    ("packing", "Choose Packing"),
    ("placement", "Choose Placement"),
    ("ready", "Ready to Ship"),
    ("shipped", "Shipped"),
    ("done", "Received"),
    ("cancel", "Cancelled"),
]
OPTION_KINDS = [("packing", "Packing"), ("placement", "Placement"),
                ("transportation", "Transportation")]


class AmazonSellerInbound(models.Model):
    """Stock sent to Amazon's fulfilment centres (Fulfillment Inbound 2024-03-20), step by step
    as in Seller Central's *Send to Amazon*: the SKUs and quantities → ``createInboundPlan`` →
    Amazon's packing options (chosen by a person, fees shown) → boxes → placement options
    (chosen, fees shown) → the shipments Amazon makes of it, each with Amazon's partnered carrier
    when offered, its box labels (PDF attached) and an internal transfer *warehouse → Amazon
    inbound in transit* for the warehouse to ship. Amazon's receipts then move the units into
    the FBA location (the *inbound* flow); what Amazon did not receive stays visible."""

    _name = "amazon.seller.inbound"
    _description = "Amazon Inbound Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, default=lambda self: self.env._("New"), copy=False,
                       tracking=True)
    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="restrict",
        domain="[('company_id', '=', company_id)]")
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True,
                                 default=lambda self: self.env.company)
    marketplace_id = fields.Many2one(
        comodel_name="amazon.seller.marketplace", required=True,
        domain="[('id', 'in', allowed_marketplace_ids)]")
    allowed_marketplace_ids = fields.Many2many(related="account_id.marketplace_ids")
    warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse", string="Ship From", required=True, check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1))
    state = fields.Selection(selection=STATES, default="draft", required=True, readonly=True,
                             tracking=True, copy=False)
    plan_ref = fields.Char(string="Inbound Plan ID", readonly=True, copy=False, index=True)
    line_ids = fields.One2many(comodel_name="amazon.seller.inbound.line",
                               inverse_name="inbound_id", string="Items", copy=True)
    option_ids = fields.One2many(comodel_name="amazon.seller.inbound.option",
                                 inverse_name="inbound_id", string="Options", readonly=True)
    packing_option_ids = fields.One2many(
        comodel_name="amazon.seller.inbound.option", inverse_name="inbound_id",
        domain=[("kind", "=", "packing")], readonly=True)
    placement_option_ids = fields.One2many(
        comodel_name="amazon.seller.inbound.option", inverse_name="inbound_id",
        domain=[("kind", "=", "placement")], readonly=True)
    shipment_ids = fields.One2many(comodel_name="amazon.seller.inbound.shipment",
                                   inverse_name="inbound_id", string="Shipments", readonly=True)
    currency_id = fields.Many2one(related="marketplace_id.currency_id")
    fees = fields.Monetary(
        string="Amazon's Fees", compute="_compute_fees", store=True,
        help="The chosen packing and placement options' fees and the partnered carrier's quote.")
    units = fields.Integer(compute="_compute_units", store=True)
    received_qty = fields.Integer(string="Units Received", compute="_compute_units", store=True)
    has_discrepancy = fields.Boolean(string="Discrepancy", compute="_compute_units", store=True)
    operation_ref = fields.Char(
        string="Amazon Operation", readonly=True, copy=False,
        help="The asynchronous Amazon operation this plan waits for, if any.")
    amazon_message = fields.Text(string="Amazon's Answer", readonly=True, copy=False)
    box_count = fields.Integer(string="Boxes", readonly=True, copy=False)

    _plan_unique = models.Constraint("UNIQUE(account_id, plan_ref)",
                                     "An Amazon inbound plan is stored once per account.")

    @api.depends("option_ids.chosen", "option_ids.fee")
    def _compute_fees(self):
        for inbound in self:
            inbound.fees = sum(inbound.option_ids.filtered("chosen").mapped("fee"))

    @api.depends("line_ids.quantity", "shipment_ids.item_ids.received",
                 "shipment_ids.has_discrepancy")
    def _compute_units(self):
        for inbound in self:
            inbound.units = sum(inbound.line_ids.mapped("quantity"))
            inbound.received_qty = sum(inbound.shipment_ids.item_ids.mapped("received"))
            inbound.has_discrepancy = any(inbound.shipment_ids.mapped("has_discrepancy"))

    @api.onchange("account_id")
    def _onchange_account_id(self):
        if self.account_id and self.marketplace_id not in self.account_id.marketplace_ids:
            self.marketplace_id = self.account_id.marketplace_ids[:1]

    # === STEP 1: THE PLAN === #

    def action_send_to_amazon(self):
        """Create the plan at Amazon and ask for its packing options."""
        self.ensure_one()
        self._check_state("draft")
        body = inbound_plan_request(
            self.name, self.marketplace_id.marketplace_id, self._source_address(),
            [(line.offer_id.sku, line.quantity) for line in self._checked_lines()],
            label_owner="SELLER")
        gateway = self.account_id._get_gateway()
        plan_ref, operation = self._amazon(lambda: gateway.create_inbound_plan(body))
        self.write({"plan_ref": plan_ref, "name": self._default_name()
                    if self.name == self.env._("New") else self.name})
        self._wait(gateway, operation)
        self._wait(gateway, self._amazon(lambda: gateway.generate_packing_options(plan_ref)))
        self._store_options("packing", self._amazon(
            lambda: gateway.list_packing_options(plan_ref)))
        self.write({"state": "packing", "amazon_message": False})
        self.message_post(body=self.env._("Inbound plan %(plan)s created at Amazon.",
                                          plan=plan_ref))
        return True

    def _default_name(self):
        return self.env._("%(marketplace)s inbound of %(date)s",
                          marketplace=self.marketplace_id.name,
                          date=fields.Date.context_today(self))

    def _checked_lines(self):
        lines = self.line_ids.filtered(lambda line: line.quantity > 0)
        if not lines:
            raise UserError(self.env._("%(plan)s: add the products to send and their quantities.",
                                       plan=self.name))
        for line in lines:
            if not line.offer_id:
                raise UserError(self.env._(
                    "%(plan)s: %(product)s has no FBA offer (SKU) on %(marketplace)s: map its "
                    "SKU first.", plan=self.name, product=line.product_id.display_name,
                    marketplace=self.marketplace_id.name))
        return lines

    def _source_address(self):
        partner = self.warehouse_id.partner_id or self.company_id.partner_id
        address = partner._amazon_address(self.company_id)
        if not all(address[key] for key in ("street", "city", "zip", "country_code", "phone")):
            raise UserError(self.env._(
                "%(warehouse)s: its address lacks a street, city, ZIP, country or phone number, "
                "which Amazon needs to collect the boxes.", warehouse=self.warehouse_id.name))
        return dict(address, name=address["name"][:50], company=self.company_id.name)

    # === STEP 2: PACKING === #

    def _choose_packing(self, option):
        """Confirm ``option``, then describe the boxes of each packing group and ask for the
        placement options."""
        gateway = self.account_id._get_gateway()
        self._wait(gateway, self._amazon(
            lambda: gateway.confirm_packing_option(self.plan_ref, option.option_ref)))
        groups = {}
        for group_ref in option.group_refs.split():
            items = self._amazon(lambda: gateway.list_packing_group_items(self.plan_ref,
                                                                          group_ref))
            groups[group_ref] = list(read_items(items).items())
        groupings = box_groupings(groups, self._weights(), const.INBOUND_BOX_DIMENSIONS_CM)
        self._wait(gateway, self._amazon(
            lambda: gateway.set_packing_information(self.plan_ref, groupings)))
        self.box_count = sum(len(grouping["boxes"]) for grouping in groupings)
        self._wait(gateway, self._amazon(
            lambda: gateway.generate_placement_options(self.plan_ref)))
        self._store_options("placement", self._amazon(
            lambda: gateway.list_placement_options(self.plan_ref)))
        self.state = "placement"

    def _weights(self):
        return {line.offer_id.sku: Decimal(str(line.product_id.weight or 0)) or Decimal("0.1")
                for line in self.line_ids}

    # === STEP 3: PLACEMENT, SHIPMENTS, CARRIER, LABELS === #

    def _choose_placement(self, option):
        gateway = self.account_id._get_gateway()
        self._wait(gateway, self._amazon(
            lambda: gateway.confirm_placement_option(self.plan_ref, option.option_ref)))
        shipments = self.env["amazon.seller.inbound.shipment"]
        for shipment_ref in option.shipment_refs.split():
            shipments |= self._store_shipment(gateway, shipment_ref)
        self._choose_carriers(gateway, option, shipments)
        for shipment in shipments:
            shipment._refresh(gateway)
            shipment._fetch_labels(gateway)
            shipment._create_transfer()
        self.state = "ready"

    def _store_shipment(self, gateway, shipment_ref):
        shipment = read_shipment(self._amazon(
            lambda: gateway.get_inbound_shipment(self.plan_ref, shipment_ref)))
        planned = read_items(self._amazon(
            lambda: gateway.list_inbound_shipment_items(self.plan_ref, shipment_ref)))
        offers = {line.offer_id.sku: line for line in self.line_ids}
        unknown = [sku for sku in planned if sku not in offers]
        if unknown:
            raise UserError(self.env._(
                "Amazon's shipment %(shipment)s holds SKUs this plan did not send: %(skus)s.",
                shipment=shipment.confirmation_ref or shipment_ref, skus=", ".join(unknown)))
        return self.env["amazon.seller.inbound.shipment"].create({
            "inbound_id": self.id,
            "shipment_ref": shipment.ref,
            "confirmation_ref": shipment.confirmation_ref,
            "amazon_status": shipment.status,
            "destination": shipment.destination,
            "destination_address": shipment.address,
            "item_ids": [fields.Command.create({
                "sku": sku, "product_id": offers[sku].product_id.id, "quantity": quantity})
                for sku, quantity in planned.items()],
        })

    def _choose_carriers(self, gateway, placement, shipments):
        """Amazon's partnered carrier for each shipment when offered (its quote is the
        transportation fee), else the seller's own."""
        ready_at = to_amazon_timestamp(fields.Datetime.now() + timedelta(days=1))
        self._wait(gateway, self._amazon(lambda: gateway.generate_transportation_options(
            self.plan_ref, placement.option_ref, shipments.mapped("shipment_ref"), ready_at)))
        selections = []
        for shipment in shipments:
            options = read_options("transportation", self._amazon(
                lambda: gateway.list_transportation_options(self.plan_ref, placement.option_ref,
                                                            shipment.shipment_ref)))
            chosen = choose_transportation(options)
            if not chosen:
                raise UserError(self.env._(
                    "Amazon offers no way to ship %(shipment)s: try again later.",
                    shipment=shipment.confirmation_ref))
            self.env["amazon.seller.inbound.option"].create(
                self._option_values("transportation", chosen) | {"chosen": True,
                                                                 "shipment_id": shipment.id})
            shipment.carrier = chosen.carrier
            selections.append((shipment.shipment_ref, chosen.ref))
        self._wait(gateway, self._amazon(
            lambda: gateway.confirm_transportation_options(self.plan_ref, selections)))

    # === CANCELLING === #

    def action_cancel(self):
        """Cancel the plan at Amazon (possible until the boxes left) and its transfers."""
        for inbound in self:
            if inbound.state in ("shipped", "done", "cancel"):
                raise UserError(self.env._(
                    "%(plan)s has left for Amazon already: it cannot be cancelled.",
                    plan=inbound.name))
            if inbound.plan_ref:
                gateway = inbound.account_id._get_gateway()
                inbound._wait(gateway, inbound._amazon(
                    lambda: gateway.cancel_inbound_plan(inbound.plan_ref)))
            inbound.shipment_ids.picking_id.filtered(
                lambda p: p.state not in ("done", "cancel")).action_cancel()
            inbound.state = "cancel"
        return True

    # === HELPERS === #

    def _check_state(self, *states):
        if self.state not in states:
            raise UserError(self.env._("%(plan)s is %(state)s: this step is done already.",
                                       plan=self.name, state=dict(STATES)[self.state]))

    def _amazon(self, call):
        """Run ``call``; Amazon's refusal becomes a message naming the plan."""
        try:
            return call()
        except AmazonError as error:
            raise UserError(self.env._("Amazon refused a step of %(plan)s: %(reason)s",
                                       plan=self.name, reason=error.message)) from error
        except InboundDataError as error:
            raise UserError(self.env._("Amazon's answer for %(plan)s is incomplete: %(reason)s",
                                       plan=self.name, reason=str(error))) from error

    def _wait(self, gateway, operation_id):
        """Wait for an asynchronous inbound operation; its problems become the message."""
        status = {}
        for pause in const.INBOUND_OPERATION_POLLS:
            time.sleep(pause)
            status = self._amazon(lambda: gateway.inbound_operation(operation_id))
            if status.get("operationStatus") != "IN_PROGRESS":
                break
        if status.get("operationStatus") == "SUCCESS":
            return
        if status.get("operationStatus") == "IN_PROGRESS":
            self.operation_ref = operation_id
            raise UserError(self.env._(
                "Amazon is still working on %(plan)s (operation %(operation)s): try again in a "
                "minute.", plan=self.name, operation=operation_id))
        problems = "; ".join(problem.get("message") or problem.get("code") or ""
                             for problem in status.get("operationProblems") or [])
        raise UserError(self.env._("Amazon refused a step of %(plan)s: %(reason)s",
                                   plan=self.name, reason=problems or self.env._("no reason")))

    def _store_options(self, kind, raw_options):
        self.option_ids.filtered(lambda option: option.kind == kind).unlink()
        options = read_options(kind, raw_options)
        if not options:
            raise UserError(self.env._("Amazon offers no %(kind)s option for %(plan)s.",
                                       kind=dict(OPTION_KINDS)[kind].lower(), plan=self.name))
        self.env["amazon.seller.inbound.option"].create(
            [self._option_values(kind, option) for option in options])

    def _option_values(self, kind, option):
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", option.currency)], limit=1) if option.currency else False
        return {
            "inbound_id": self.id, "kind": kind, "option_ref": option.ref,
            "fee": float(option.fee), "option_currency_id": (currency or self.currency_id).id,
            "status": option.status, "expires_at": option.expires_at,
            "shipment_refs": " ".join(option.shipment_refs),
            "group_refs": " ".join(option.group_refs), "carrier": option.carrier,
            "shipment_count": len(option.shipment_refs),
        }


class AmazonSellerInboundLine(models.Model):
    _name = "amazon.seller.inbound.line"
    _description = "Amazon Inbound Plan Item"

    inbound_id = fields.Many2one(comodel_name="amazon.seller.inbound", required=True,
                                 ondelete="cascade", index=True)
    company_id = fields.Many2one(related="inbound_id.company_id", store=True)
    product_id = fields.Many2one(comodel_name="product.product", required=True,
                                 domain="[('is_storable', '=', True)]")
    offer_id = fields.Many2one(
        comodel_name="amazon.seller.offer", string="FBA SKU", compute="_compute_offer_id",
        store=True, readonly=False,
        domain="[('account_id', '=', parent.account_id), ('product_id', '=', product_id), "
               "('fulfillment_channel', '=', 'fba')]")
    quantity = fields.Integer(required=True, default=1)
    received = fields.Integer(string="Received", compute="_compute_received")

    @api.depends("product_id", "inbound_id.account_id", "inbound_id.marketplace_id")
    def _compute_offer_id(self):
        for line in self:
            offers = self.env["amazon.seller.offer"].search([
                ("account_id", "=", line.inbound_id.account_id.id),
                ("product_id", "=", line.product_id.id), ("fulfillment_channel", "=", "fba")])
            line.offer_id = offers.filtered(
                lambda o: o.marketplace_id == line.inbound_id.marketplace_id)[:1] or offers[:1]

    def _compute_received(self):
        for line in self:
            line.received = sum(line.inbound_id.shipment_ids.item_ids.filtered(
                lambda item: item.sku == line.offer_id.sku).mapped("received"))


class AmazonSellerInboundOption(models.Model):
    """A packing, placement or transportation option Amazon offered for a plan, with its fee."""

    _name = "amazon.seller.inbound.option"
    _description = "Amazon Inbound Option"
    _order = "kind, fee, id"

    inbound_id = fields.Many2one(comodel_name="amazon.seller.inbound", required=True,
                                 ondelete="cascade", index=True)
    company_id = fields.Many2one(related="inbound_id.company_id", store=True)
    shipment_id = fields.Many2one(comodel_name="amazon.seller.inbound.shipment",
                                  ondelete="cascade")
    kind = fields.Selection(selection=OPTION_KINDS, required=True)
    option_ref = fields.Char(string="Option ID", required=True)
    option_currency_id = fields.Many2one(comodel_name="res.currency", string="Currency")
    fee = fields.Monetary(currency_field="option_currency_id",
                          help="Amazon's fees less its discounts.")
    status = fields.Char(string="Amazon Status")
    expires_at = fields.Datetime(string="Offered Until")
    shipment_count = fields.Integer(string="Shipments")
    shipment_refs = fields.Char(string="Shipment IDs")
    group_refs = fields.Char(string="Packing Groups")
    carrier = fields.Char()
    chosen = fields.Boolean(readonly=True)

    def action_choose(self):
        """The person's choice among Amazon's options: confirmed at Amazon, the next step
        follows."""
        self.ensure_one()
        inbound = self.inbound_id
        inbound._check_state(self.kind)
        if self.expires_at and self.expires_at < fields.Datetime.now():
            raise UserError(self.env._(
                "This option expired at Amazon on %(date)s: ask for the options again.",
                date=self.expires_at))
        self.chosen = True
        if self.kind == "packing":
            inbound._choose_packing(self)
        else:
            inbound._choose_placement(self)
        inbound.amazon_message = False
        return True


class AmazonSellerInboundShipment(models.Model):
    """One shipment Amazon made of an inbound plan (``FBA…`` on its labels): where it goes, its
    box labels, the warehouse's transfer to *Amazon inbound in transit*, what Amazon received."""

    _name = "amazon.seller.inbound.shipment"
    _description = "Amazon Inbound Shipment"
    _inherit = ["mail.thread", "amazon.seller.fee.lines.mixin"]
    _order = "id desc"
    _rec_name = "confirmation_ref"

    inbound_id = fields.Many2one(comodel_name="amazon.seller.inbound", required=True,
                                 ondelete="cascade", index=True)
    account_id = fields.Many2one(related="inbound_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="inbound_id.company_id", store=True)
    marketplace_id = fields.Many2one(related="inbound_id.marketplace_id")
    shipment_ref = fields.Char(string="Shipment ID", required=True, readonly=True)
    confirmation_ref = fields.Char(string="FBA Shipment", readonly=True, index=True)
    amazon_status = fields.Char(string="Amazon Status", readonly=True, tracking=True)
    destination = fields.Char(string="Fulfilment Centre", readonly=True)
    destination_address = fields.Text(readonly=True)
    carrier = fields.Char(readonly=True)
    item_ids = fields.One2many(comodel_name="amazon.seller.inbound.shipment.item",
                               inverse_name="shipment_id", string="Items", readonly=True)
    picking_id = fields.Many2one(comodel_name="stock.picking", string="Transfer", readonly=True)
    label_attachment_id = fields.Many2one(comodel_name="ir.attachment", string="Box Labels",
                                          readonly=True)
    shipped_qty = fields.Integer(string="Units Shipped", compute="_compute_totals", store=True)
    received_qty = fields.Integer(string="Units Received", compute="_compute_totals", store=True)
    has_discrepancy = fields.Boolean(
        string="Discrepancy", compute="_compute_totals", store=True,
        help="Amazon closed the shipment with other quantities than were sent, or received "
             "more than was sent.")

    _shipment_unique = models.Constraint("UNIQUE(inbound_id, shipment_ref)",
                                         "An Amazon inbound shipment is stored once.")

    @api.depends("item_ids.quantity", "item_ids.shipped", "item_ids.received", "amazon_status")
    def _compute_totals(self):
        for shipment in self:
            items = shipment.item_ids
            shipment.shipped_qty = sum(items.mapped("shipped")) or sum(items.mapped("quantity"))
            shipment.received_qty = sum(items.mapped("received"))
            closed = shipment.amazon_status == "CLOSED"
            shipment.has_discrepancy = any(
                item.received > item._sent() or (closed and item.received != item._sent())
                for item in items)

    def _fee_lines_domain(self):
        if not self.confirmation_ref:
            return [("id", "=", 0)]
        return [("account_id", "=", self.account_id.id), "|",
                ("order_ref", "=", self.confirmation_ref),
                ("shipment_ref", "=", self.confirmation_ref)]

    def _refresh(self, gateway):
        shipment = read_shipment(self.inbound_id._amazon(
            lambda: gateway.get_inbound_shipment(self.inbound_id.plan_ref, self.shipment_ref)))
        values = {"amazon_status": shipment.status}
        if shipment.confirmation_ref and not self.confirmation_ref:
            values["confirmation_ref"] = shipment.confirmation_ref
        self.write(values)

    def _fetch_labels(self, gateway):
        """The box labels as a PDF attached to the shipment and its transfer."""
        boxes = max(1, round(self.inbound_id.box_count * self._share()))
        pdf = self.inbound_id._amazon(lambda: gateway.get_inbound_labels(
            self.confirmation_ref, boxes, const.INBOUND_LABEL_PAGE_TYPE))
        if not pdf.startswith(b"%PDF"):
            raise UserError(self.env._("Amazon's box labels of %(shipment)s are not a PDF.",
                                       shipment=self.confirmation_ref))
        self.label_attachment_id = self.env["ir.attachment"].create({
            "name": self.env._("Box labels %(shipment)s.pdf", shipment=self.confirmation_ref),
            "raw": pdf, "mimetype": "application/pdf",
            "res_model": self._name, "res_id": self.id})
        self.message_post(body=self.env._("Box labels received from Amazon."),
                          attachment_ids=self.label_attachment_id.ids)

    def _share(self):
        """This shipment's part of the plan's units."""
        total = sum(self.inbound_id.shipment_ids.item_ids.mapped("quantity")) or 1
        return sum(self.item_ids.mapped("quantity")) / total

    def _create_transfer(self):
        """The warehouse's internal transfer of the shipment's units to *Amazon inbound in
        transit*, labels attached."""
        inbound = self.inbound_id
        warehouse = inbound.warehouse_id
        transit = inbound.account_id._inbound_transit_location()
        picking = self.env["stock.picking"].create({
            "picking_type_id": warehouse.int_type_id.id,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": transit.id,
            "origin": self.confirmation_ref,
            "company_id": inbound.company_id.id,
            "amazon_inbound_shipment_id": self.id,
            "move_ids": [fields.Command.create({
                "product_id": item.product_id.id, "product_uom_qty": item.quantity,
                "product_uom": item.product_id.uom_id.id,
                "location_id": warehouse.lot_stock_id.id, "location_dest_id": transit.id,
                "company_id": inbound.company_id.id,
            }) for item in self.item_ids],
        })
        picking.action_confirm()
        picking.action_assign()
        if self.label_attachment_id:
            picking.message_post(
                body=self.env._("Box labels of Amazon shipment %(shipment)s to %(centre)s.",
                                shipment=self.confirmation_ref, centre=self.destination or ""),
                attachment_ids=self.label_attachment_id.copy(
                    {"res_model": "stock.picking", "res_id": picking.id}).ids)
        self.picking_id = picking

    def action_print_labels(self):
        self.ensure_one()
        if not self.label_attachment_id:
            raise UserError(self.env._("Amazon has not given labels for %(shipment)s yet.",
                                       shipment=self.confirmation_ref))
        return {"type": "ir.actions.act_url", "target": "new",
                "url": f"/web/content/{self.label_attachment_id.id}?download=true"}

    # === RECEIPTS === #

    def _left(self):
        """Whether the units left the warehouse (Odoo's transfer done, or Amazon says so)."""
        return self.picking_id.state == "done" or self.amazon_status in SHIPMENT_LEFT_STATUSES

    def _book_receipts(self, receipts):
        """Apply Amazon's counts ({SKU: (shipped, received)}): what Amazon received since the
        last time moves from *in transit* into the FBA location, in one done transfer."""
        account = self.account_id
        transit = account._inbound_transit_location()
        fba = account._fba_location(self.marketplace_id)
        moves = []
        for item in self.item_ids:
            shipped, received = receipts.get(item.sku, (item.shipped, item.received))
            new = received - item.received_booked
            item.write({"shipped": shipped, "received": received,
                        "received_booked": max(item.received_booked, received)})
            if new > 0:
                moves.append(fields.Command.create({
                    "product_id": item.product_id.id, "product_uom_qty": new,
                    "product_uom": item.product_id.uom_id.id, "quantity": new,
                    "location_id": transit.id, "location_dest_id": fba.id,
                    "company_id": self.company_id.id, "picked": True}))
        if not moves:
            return 0
        picking = self.env["stock.picking"].create({
            "picking_type_id": self.inbound_id.warehouse_id.int_type_id.id,
            "location_id": transit.id, "location_dest_id": fba.id,
            "origin": self.env._("%(shipment)s received by Amazon",
                                 shipment=self.confirmation_ref),
            "company_id": self.company_id.id, "amazon_inbound_shipment_id": self.id,
            "move_ids": moves})
        picking.action_confirm()
        picking.move_ids.write({"picked": True})
        picking.with_context(skip_backorder=True, cancel_backorder=True)._action_done()
        return sum(command[2]["quantity"] for command in moves)

    def _is_final(self):
        return self.amazon_status in SHIPMENT_FINAL_STATUSES


class AmazonSellerInboundShipmentItem(models.Model):
    _name = "amazon.seller.inbound.shipment.item"
    _description = "Amazon Inbound Shipment Item"
    _order = "shipment_id, sku"

    shipment_id = fields.Many2one(comodel_name="amazon.seller.inbound.shipment", required=True,
                                  ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shipment_id.company_id", store=True)
    sku = fields.Char(string="SKU", required=True)
    product_id = fields.Many2one(comodel_name="product.product", required=True)
    quantity = fields.Integer(string="Planned")
    shipped = fields.Integer(string="Shipped (Amazon)")
    received = fields.Integer(string="Received (Amazon)")
    received_booked = fields.Integer(
        string="Received in Odoo", readonly=True,
        help="Units already moved into the FBA location: later counts move only the rest.")
    difference = fields.Integer(compute="_compute_difference",
                                help="Received minus sent: negative when units are missing.")

    @api.depends("quantity", "shipped", "received")
    def _compute_difference(self):
        for item in self:
            item.difference = item.received - item._sent()

    def _sent(self):
        return self.shipped or self.quantity
