"""Pack & Ship: the warehouse's scanner screen (static/src/pack_ship) calls these methods.

Every method checks the delivery again and answers plain dicts; what cannot be done raises a
UserError naming the delivery and the product, which the screen shows in red."""
from odoo import api, fields, models
from odoo.exceptions import UserError


class StockMove(models.Model):
    _inherit = "stock.move"

    amazon_packed_qty = fields.Float(
        string="Packed", digits="Product Unit", copy=False, readonly=True,
        help="Units scanned into the parcel on the Pack & Ship screen (in the product's unit). "
             "Kept apart from the reserved quantity, which stays reserved until the delivery "
             "is validated with what was packed.")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # === RPC of the Pack & Ship screen === #

    @api.model
    def amazon_pack_find(self, code):
        """The open FBM delivery whose reference, or whose Amazon order id, is ``code``."""
        code = (code or "").strip()
        if not code:
            raise UserError(self.env._("Scan or type a delivery reference or an Amazon order id."))
        # case aside, exactly the code: a scanned "%" or "_" is no wildcard
        exact = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pickings = self.search([("name", "=ilike", exact)])
        order = pickings.sale_id[:1]
        if not pickings:
            order = self.env["sale.order"].search([("amazon_order_ref", "=ilike", exact)], limit=1)
            if order.amazon_fulfillment_channel == "fba":
                raise UserError(self.env._(
                    "Amazon order %(order)s is fulfilled by Amazon (FBA): Amazon ships it, not "
                    "the warehouse.", order=order.amazon_order_ref))
            pickings = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
            if order and not pickings:
                raise UserError(self.env._(
                    "Amazon order %(order)s has no delivery yet (is it awaiting SKU mapping?).",
                    order=order.amazon_order_ref))
        if not pickings:
            raise UserError(self.env._(
                "Nothing found for %(code)s: no delivery has this reference and no Amazon order "
                "this id.", code=code))
        open_pickings = pickings.filtered(lambda p: p.state not in ("done", "cancel"))
        picking = open_pickings.sorted("id")[:1] or pickings.sorted(
            lambda p: (p.state != "done", p.id))[:1]
        picking._amazon_pack_check()
        return picking._amazon_pack_data(carriers=True)

    def amazon_pack_scan(self, code):
        """One unit of the product whose barcode or internal reference is ``code`` goes into
        the parcel; a product this delivery does not hold, or one too many, is refused and
        nothing changes."""
        self.ensure_one()
        self._amazon_pack_check()
        code = (code or "").strip()
        moves = self._amazon_pack_moves()
        products = moves.product_id.filtered(lambda p: code and code in (p.barcode, p.default_code))
        if not products:
            other = code and self.env["product.product"].search(
                ["|", ("barcode", "=", code), ("default_code", "=", code)], limit=1)
            if other:
                raise UserError(self.env._(
                    "%(product)s is not in delivery %(picking)s: keep it out of the parcel.",
                    product=other.display_name, picking=self.name))
            raise UserError(self.env._(
                "No product of delivery %(picking)s has the barcode or reference %(code)s.",
                picking=self.name, code=code))
        product = products[0]
        product_moves = moves.filtered(lambda m: m.product_id == product)
        rounding = product.uom_id
        move = next((m for m in product_moves
                     if rounding.compare(m.amazon_packed_qty + 1, m.product_qty) <= 0), None)
        if move is None:
            raise UserError(self.env._(
                "One %(product)s too many: delivery %(picking)s holds %(quantity)s of it, all "
                "packed already.", product=product.display_name, picking=self.name,
                quantity=f"{sum(product_moves.mapped('product_qty')):g}"))
        move.amazon_packed_qty += 1
        return dict(self._amazon_pack_data(), scanned_move_id=move.id)

    def amazon_pack_set_weight(self, weight):
        """The parcel's weight, as weighed (in the database's weight unit)."""
        self.ensure_one()
        self._amazon_pack_check()
        self._amazon_pack_write_weight(weight)
        return self._amazon_pack_data()

    def amazon_pack_ship(self, carrier_id=False, tracking_ref=False, weight=None, partial=False):
        """Validate the delivery with the quantities packed: with Amazon Buy Shipping's label
        when it is installed and no tracking number was given, otherwise with the carrier and
        tracking number given. What is not packed stays in a backorder, only if ``partial``."""
        self.ensure_one()
        self._amazon_pack_check()
        if weight is not None and weight is not False:
            self._amazon_pack_write_weight(weight)
        moves = self._amazon_pack_moves()
        for move in moves:
            if move.product_id.uom_id.compare(move.amazon_packed_qty, move.product_qty) > 0:
                raise UserError(self.env._(
                    "More %(product)s are packed than delivery %(picking)s holds: take them out "
                    "and scan the delivery again.",
                    product=move.product_id.display_name, picking=self.name))
        if not any(moves.mapped("amazon_packed_qty")):
            raise UserError(self.env._(
                "Nothing of delivery %(picking)s is packed yet: scan its products first.",
                picking=self.name))
        missing = moves.filtered(
            lambda m: m.product_id.uom_id.compare(m.amazon_packed_qty, m.product_qty) < 0)
        if missing and not partial:
            raise UserError(self.env._(
                "Delivery %(picking)s is not complete, still to pack: %(missing)s. Scan them, or "
                "ship what is packed (the rest stays in a backorder).", picking=self.name,
                missing=", ".join(f"{m.product_qty - m.amazon_packed_qty:g} × "
                                  f"{m.product_id.display_name}" for m in missing)))

        tracking = (tracking_ref or "").strip()
        carrier = self.env["delivery.carrier"].browse(int(carrier_id)).exists() if carrier_id \
            else self.carrier_id
        if carrier_id and not carrier:
            raise UserError(self.env._("This carrier does not exist anymore: choose another."))
        label = False
        if carrier:
            self.carrier_id = carrier
        if not tracking and not (carrier and carrier._amazon_gives_tracking()):
            # no tracking number typed: Amazon Buy Shipping's label gives it
            label = self.with_context(
                amazon_package_weight=self._amazon_pack_weight()).action_amazon_buy_label()
        else:
            if not carrier:
                raise UserError(self.env._(
                    "Choose the carrier of delivery %(picking)s (Amazon order %(order)s).",
                    picking=self.name, order=self.sale_id.amazon_order_ref))
            if tracking:
                self.carrier_tracking_ref = tracking

        if self.state != "done":
            for move in moves:
                move.quantity = move.product_id.uom_id._compute_quantity(
                    move.amazon_packed_qty, move.product_uom)
                move.picked = True
            result = self.with_context(skip_backorder=True, skip_sms=True).button_validate()
            if self.state != "done":
                raise UserError(self.env._(
                    "Delivery %(picking)s could not be validated here: open it in Inventory.",
                    picking=self.name))
            if not label and isinstance(result, dict):
                label = result
        backorder = self.search([("backorder_id", "=", self.id)], limit=1)
        return {
            "id": self.id,
            "name": self.name,
            "amazon_order_ref": self.sale_id.amazon_order_ref,
            "done": self.state == "done",
            "tracking_ref": self.carrier_tracking_ref or False,
            "backorder": backorder.name or False,
            "label_action": self._amazon_pack_label_action(label),
        }

    # === helpers === #

    def _amazon_pack_check(self):
        """Refuse what the warehouse must not pack here, saying why."""
        self.ensure_one()
        order = self.sale_id
        amazon_ref = order.amazon_order_ref
        if self.picking_type_code != "outgoing":
            raise UserError(self.env._("%(picking)s is not a delivery.", picking=self.name))
        if not amazon_ref:
            raise UserError(self.env._(
                "%(picking)s is not the delivery of an Amazon order: ship it from Inventory.",
                picking=self.name))
        if order.amazon_fulfillment_channel == "fba":
            raise UserError(self.env._(
                "Amazon order %(order)s is fulfilled by Amazon (FBA): Amazon ships it, not the "
                "warehouse.", order=amazon_ref))
        if self.state == "done":
            raise UserError(self.env._(
                "Delivery %(picking)s of Amazon order %(order)s is already shipped.",
                picking=self.name, order=amazon_ref))
        if self.state == "cancel":
            raise UserError(self.env._(
                "Delivery %(picking)s of Amazon order %(order)s is cancelled.",
                picking=self.name, order=amazon_ref))
        if order.amazon_status == "CANCELLED" or self.amazon_confirmation_state == "cancelled":
            raise UserError(self.env._(
                "Amazon cancelled order %(order)s: do not ship delivery %(picking)s.",
                picking=self.name, order=amazon_ref))
        if order.amazon_review_state in ("to_review", "held"):
            raise UserError(self.env._(
                "Amazon order %(order)s waits for review or is on hold: do not ship delivery "
                "%(picking)s until it is released.", picking=self.name, order=amazon_ref))
        if self.state != "assigned":
            raise UserError(self.env._(
                "Delivery %(picking)s of Amazon order %(order)s waits for its products to be "
                "in stock.", picking=self.name, order=amazon_ref))
        tracked = self._amazon_pack_moves().filtered(lambda m: m.has_tracking != "none")
        if tracked:
            raise UserError(self.env._(
                "Delivery %(picking)s holds products with lot or serial numbers (%(products)s): "
                "validate it from its form, where the numbers are chosen.",
                picking=self.name, products=", ".join(tracked.product_id.mapped("display_name"))))

    def _amazon_pack_moves(self):
        return self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))

    def _amazon_pack_weight(self):
        return self.amazon_package_weight or self.weight

    def _amazon_pack_write_weight(self, weight):
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            weight = -1
        if weight < 0:
            raise UserError(self.env._(
                "The weight of delivery %(picking)s must be a number of %(uom)s, zero or more.",
                picking=self.name, uom=self.weight_uom_name))
        self.amazon_package_weight = weight

    def _amazon_pack_label_action(self, label):
        """The client action opening what Buy Shipping (or the validation) gave back."""
        if isinstance(label, dict):
            return label
        if isinstance(label, models.BaseModel) and label._name == "ir.attachment" and label:
            return {"type": "ir.actions.act_url", "target": "new",
                    "url": f"/web/content/{label[:1].id}?download=false"}
        return False

    def _amazon_pack_data(self, carriers=False):
        """What the screen shows of the delivery: its lines with packed and ordered units."""
        self.ensure_one()
        lines = [{
            "move_id": move.id,
            "product_id": move.product_id.id,
            "product": move.product_id.display_name,
            "code": move.product_id.default_code or False,
            "barcode": move.product_id.barcode or False,
            "packed": move.amazon_packed_qty,
            "demand": move.product_qty,
            "uom": move.product_id.uom_id.name,
            "complete": move.product_id.uom_id.compare(
                move.amazon_packed_qty, move.product_qty) >= 0,
        } for move in self._amazon_pack_moves()]
        data = {
            "id": self.id,
            "name": self.name,
            "amazon_order_ref": self.sale_id.amazon_order_ref,
            "partner": self.partner_id.display_name or False,
            "ship_by": self.amazon_ship_by and fields.Datetime.to_string(self.amazon_ship_by),
            "gift_messages": self.amazon_gift_messages or False,
            "carrier_id": self.carrier_id.id or False,
            "tracking_ref": self.carrier_tracking_ref or False,
            "weight": self._amazon_pack_weight(),
            "weight_uom": self.weight_uom_name,
            "buy_label": True,
            "lines": lines,
            "complete": all(line["complete"] for line in lines),
            "packed_any": any(line["packed"] for line in lines),
        }
        if carriers:
            data["carriers"] = [
                {"id": carrier.id, "name": carrier.name,
                 "gives_tracking": bool(carrier._amazon_gives_tracking())}
                for carrier in self.env["delivery.carrier"].search(
                    [("company_id", "in", [False, self.company_id.id])])]
        return data
