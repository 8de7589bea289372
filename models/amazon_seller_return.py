from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

RETURN_STATES = [
    ("waiting", "Waiting"),
    ("expected", "Expected"),
    ("received", "Received"),
]
CHANNELS = [("fba", "FBA"), ("fbm", "FBM")]


class AmazonSellerReturn(models.Model):
    """A customer return as Amazon reports it (one row of its returns reports), linked to the
    order and the line it gives back, and to the stock moves that bring the goods back:

    - FBA: done at once, from the customer into the account's FBA location (sellable) or its
      *Amazon unsellable* location, as returns of the order's delivery moves
      (``origin_returned_move_id``, updating the order's delivered quantity);
    - FBM: an expected return of the order's delivery to the warehouse, with Amazon's RMA and the
      return label's tracking number, for the warehouse to receive.

    A return whose order (or SKU) Odoo does not know yet *waits* and is matched again at each
    run of the returns flow."""

    _name = "amazon.seller.return"
    _description = "Amazon Customer Return"
    _inherit = ["mail.thread"]
    _order = "returned_at desc, id desc"
    _rec_name = "display_ref"
    _check_company_auto = True

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, readonly=True, index=True,
        ondelete="restrict")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    key = fields.Char(
        required=True, readonly=True,
        help="What identifies this return in Amazon's reports, whenever they list it again: "
             "the unit's license plate (FBA), the RMA and SKU (FBM).")
    channel = fields.Selection(selection=CHANNELS, string="Fulfilment", required=True,
                               readonly=True)
    display_ref = fields.Char(string="Return", compute="_compute_display_ref")
    order_ref = fields.Char(string="Amazon Order", required=True, readonly=True, index=True)
    order_id = fields.Many2one(comodel_name="sale.order", string="Order", readonly=True,
                               index="btree_not_null", check_company=True)
    sale_line_id = fields.Many2one(comodel_name="sale.order.line", string="Order Line",
                                   readonly=True, index="btree_not_null")
    product_id = fields.Many2one(related="sale_line_id.product_id", store=True)
    sku = fields.Char(string="SKU", required=True, readonly=True)
    asin = fields.Char(string="ASIN", readonly=True)
    quantity = fields.Integer(required=True, readonly=True)
    returned_at = fields.Datetime(
        string="Returned", readonly=True,
        help="FBA: when Amazon's fulfilment centre processed the return; FBM: when the buyer "
             "requested it.")
    disposition = fields.Char(
        readonly=True, help="The condition Amazon found the unit in (detailed-disposition).")
    sellable = fields.Boolean(readonly=True)
    reason = fields.Char(readonly=True, help="The buyer's reason, as Amazon codes it.")
    amazon_status = fields.Char(string="Amazon Status", readonly=True)
    license_plate = fields.Char(string="License Plate", readonly=True)
    fulfillment_center = fields.Char(string="Fulfilment Centre", readonly=True)
    customer_comments = fields.Text(readonly=True)
    rma = fields.Char(string="Amazon RMA", readonly=True, index="btree_not_null")
    return_carrier = fields.Char(readonly=True)
    tracking_ref = fields.Char(string="Return Tracking", readonly=True)
    delivered_on = fields.Date(string="Delivered Back", readonly=True)
    move_ids = fields.One2many(comodel_name="stock.move", inverse_name="amazon_return_id",
                               string="Stock Moves", readonly=True)
    picking_id = fields.Many2one(comodel_name="stock.picking", string="Return Transfer",
                                 readonly=True, index="btree_not_null")
    state = fields.Selection(selection=RETURN_STATES, compute="_compute_state", store=True,
                             index=True)
    problem = fields.Char(readonly=True, help="Why the return waits.")

    _key_unique = models.Constraint(
        "UNIQUE(account_id, key)", "An Amazon return is stored once per account.")

    # === COMPUTE METHODS === #

    @api.depends("order_ref", "sku", "license_plate", "rma")
    def _compute_display_ref(self):
        for record in self:
            record.display_ref = f"{record.order_ref} / {record.sku}" + (
                f" ({record.rma or record.license_plate})"
                if record.rma or record.license_plate else "")

    @api.depends("move_ids.state", "picking_id.state")
    def _compute_state(self):
        for record in self:
            moves = record.move_ids.filtered(lambda m: m.state != "cancel")
            if not moves:
                record.state = "waiting"
            elif all(move.state == "done" for move in moves):
                record.state = "received"
            else:
                record.state = "expected"

    # === MATCHING (order, line, stock) === #

    def _check_company(self, fnames=None):
        """Returns matched in a batch are checked once for the batch (``_bring_back``), not at
        each of its writes."""
        if self.env.context.get("amazon_return_company_checked"):
            return
        super()._check_company(fnames)

    def _match(self):
        """Find each waiting return's order and line and bring its goods back, all in one
        batch; when one cannot be matched yet, return by return, so that only that one keeps
        waiting with the reason (all or nothing per return)."""
        todo = self.filtered(lambda r: not r.move_ids)
        try:
            with self.env.cr.savepoint():
                todo._bring_back()
                todo.problem = False
        except UserError:
            for record in todo:
                try:
                    with self.env.cr.savepoint():
                        record._bring_back()
                        record.problem = False
                except UserError as error:
                    record.problem = error.args[0]
        self.order_id._amazon_link_refunds()

    def _bring_back(self):
        """FBA returns back into Amazon's stock (one batch of moves), FBM ones expected at the
        warehouse; a return that cannot be matched raises the reason."""
        returning = {}  # sale line → units returned by this batch so far
        at_amazon = []
        orders = {(order.amazon_account_id.id, order.amazon_order_ref): order
                  for order in self.env["sale.order"].search([
                      ("amazon_account_id", "in", self.account_id.ids),
                      ("amazon_order_ref", "in", self.mapped("order_ref"))])}
        lines = {}  # (order, SKU) → the order's first Amazon line of that SKU
        for order in orders.values():
            for line in order.order_line:
                if line.amazon_order_item_id:
                    lines.setdefault((order, line.amazon_offer_id.sku), line)
        matched = defaultdict(list)  # sale line → ids of the returns newly matched to it
        for record in self:
            delivered = record._delivery(returning, orders, lines, matched)
            if record.channel == "fba":
                at_amazon.append((record, delivered[0]))
            else:
                record._expect_at_warehouse(delivered)
        # one write per line, not per return, and the companies checked once for all of them
        unchecked = self.with_context(amazon_return_company_checked=True)
        for line, ids in matched.items():
            unchecked.browse(ids).write({"order_id": line.order_id.id, "sale_line_id": line.id})
        self.browse([id_ for ids in matched.values() for id_ in ids])._check_company(
            ["order_id", "sale_line_id"])
        self._receive_at_amazon(at_amazon)

    def _delivery(self, returning, orders, lines, matched):
        """The done delivery moves of the return's order line, once checked that they left and
        were not all returned yet; ``orders``: {(account id, order id): sale order} of the
        batch, ``lines``: {(sale order, SKU): its line}; the line is added to ``matched``
        ({line: [return id]}) when the return is not on it yet."""
        self.ensure_one()
        order = self.order_id or orders.get((self.account_id.id, self.order_ref))
        if not order:
            raise UserError(self.env._(
                "Order %(order)s is not in Odoo yet: the return is matched once it is "
                "imported.", order=self.order_ref))
        line = lines.get((order, self.sku)) or order.order_line.filtered(
            lambda l: l.amazon_offer_id.sku == self.sku and l.amazon_order_item_id)[:1]
        if not line:
            raise UserError(self.env._(
                "Order %(order)s has no line of SKU %(sku)s.", order=self.order_ref,
                sku=self.sku))
        if self.sale_line_id != line:
            matched[line].append(self.id)
        delivered = line.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer")
        if not delivered:
            raise UserError(self.env._(
                "%(sku)s of order %(order)s has not left in Odoo yet: the return is matched "
                "once its delivery is validated.", sku=self.sku, order=self.order_ref))
        if line not in returning:  # what earlier returns already took back
            returning[line] = sum(line.move_ids.filtered(
                lambda m: m.origin_returned_move_id and m.state != "cancel")
                .mapped("product_uom_qty"))
        returnable = sum(delivered.mapped("quantity")) - returning[line]
        if self.quantity > returnable:
            raise UserError(self.env._(
                "Amazon reports %(quantity)s unit(s) of %(sku)s returned for order %(order)s, "
                "but only %(returnable)s left and were not returned yet.",
                quantity=self.quantity, sku=self.sku, order=self.order_ref,
                returnable=returnable))
        returning[line] += self.quantity
        return delivered

    @api.model
    def _receive_at_amazon(self, returns):
        """Amazon has the goods back: done returns of the delivery moves ``returns`` [(return,
        its origin move)] into the FBA location, or the unsellable location for what came back
        damaged or defective, in one batch of moves."""
        if not returns:
            return
        origins = self.env["stock.move"].concat(*(origin for _record, origin in returns))
        origins.move_line_ids.lot_id  # noqa: B018 - the lots of every origin in two queries
        lots_of = {origin: origin.move_line_ids.lot_id for origin in origins}
        destinations = {}  # (account, marketplace, sellable) → location
        moves = self.env["stock.move"].create([record._return_move_values(origin, destinations)
                                               for record, origin in returns])
        moves._action_confirm()
        for move, (record, origin) in zip(moves, returns):
            lots = lots_of[origin]
            if lots:
                serial = move.product_id.tracking == "serial"
                move.move_line_ids = [Command.clear()] + [Command.create({
                    "product_id": move.product_id.id, "lot_id": lot.id,
                    "quantity": 1 if serial else record.quantity,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }) for lot in (lots[:record.quantity] if serial else lots[:1])]
            elif move.product_uom.compare(move.quantity, record.quantity):
                move.quantity = record.quantity  # (the confirmation reserved it all already)
        moves.picked = True
        moves._action_done()
        returned_at = defaultdict(list)  # when the centre processed them → move ids
        for move, (record, _origin) in zip(moves, returns):
            if record.returned_at:
                returned_at[record.returned_at].append(move.id)
        for moment, ids in returned_at.items():  # one write per moment, not per move
            moves.browse(ids).date = moment  # (and their lines': stock.move.write, done moves)

    def _return_move_values(self, origin, destinations=None):
        """``destinations``: {(account, marketplace, sellable): location} known so far."""
        account = self.account_id
        marketplace = self.order_id.amazon_marketplace_id
        destinations = {} if destinations is None else destinations
        key = (account, marketplace, self.sellable)
        if key not in destinations:
            destinations[key] = account._fba_location(marketplace) if self.sellable \
                else account._fba_unsellable_location()
        destination = destinations[key]
        return {
            "product_id": origin.product_id.id,
            "product_uom_qty": self.quantity,
            "product_uom": origin.product_uom.id,
            "location_id": origin.location_dest_id.id,
            "location_dest_id": destination.id,
            "partner_id": origin.partner_id.id,
            "sale_line_id": self.sale_line_id.id,
            "origin_returned_move_id": origin.id,
            "to_refund": True,
            "company_id": self.company_id.id,
            "origin": self.env._("Amazon return %(order)s (%(ref)s)", order=self.order_ref,
                                 ref=self.license_plate or self.disposition),
            "amazon_return_id": self.id,
        }

    def _expect_at_warehouse(self, delivered):
        """The buyer sends the parcel back: Odoo's own return of the delivery, waiting for the
        warehouse to receive it, with Amazon's RMA and the return label's tracking number."""
        origin = delivered.filtered("picking_id")[:1]
        if not origin:
            raise UserError(self.env._(
                "The delivery of order %(order)s has no transfer to return.",
                order=self.order_ref))
        picking = origin.picking_id
        wizard = self.env["stock.return.picking"].with_context(
            active_id=picking.id, active_model="stock.picking").create({"picking_id": picking.id})
        for line in wizard.product_return_moves:
            line.write({"quantity": self.quantity if line.move_id == origin else 0,
                        "to_refund": True})
        returned = wizard._create_return()
        returned.write({
            "origin": self.env._("Amazon RMA %(rma)s, order %(order)s", rma=self.rma,
                                 order=self.order_ref),
            "carrier_tracking_ref": self.tracking_ref or False,
        })
        returned.move_ids.amazon_return_id = self.id
        self.picking_id = returned
        returned.message_post(body=self.env._(
            "Amazon return of order %(order)s: RMA %(rma)s, %(carrier)s %(tracking)s, reason "
            "%(reason)s.", order=self.order_ref, rma=self.rma, carrier=self.return_carrier or "",
            tracking=self.tracking_ref or "", reason=self.reason or "-"))

    # === ACTIONS === #

    def action_retry(self):
        """Match the waiting returns again now (their order or delivery may be there since);
        any Amazon user may ask, the stock moves are the flow's own."""
        self.check_access("read")
        self.sudo()._match()
        return True

    def action_open_order(self):
        self.ensure_one()
        return self.order_id.get_formview_action() if self.order_id else False
