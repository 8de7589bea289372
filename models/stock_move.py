from odoo import fields, models

# Key of the transaction's pre-commit data: the stock push is triggered once per transaction.
PUSH_TRIGGERED = "amazon_seller.stock_push_triggered"


class StockMove(models.Model):
    _inherit = "stock.move"

    amazon_return_id = fields.Many2one(
        comodel_name="amazon.seller.return", string="Amazon Return", readonly=True,
        index="btree_not_null", copy=False)

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._amazon_trigger_stock_push()
        # an Amazon return the warehouse received: its refund may be waiting for it
        moves.amazon_return_id.order_id.sudo()._amazon_link_refunds()
        return moves

    def _action_assign(self, force_qty=False):
        """Nothing is reserved for Amazon orders waiting for review or on hold."""
        held = self.filtered(lambda move: move.sale_line_id.order_id.amazon_review_state
                             in ("to_review", "held"))
        return super(StockMove, self - held)._action_assign(force_qty=force_qty)

    def _search_picking_for_assignation(self):
        """Moves of Amazon orders the importer confirms for the first time join no picking: each
        order is a stock reference of its own that no picking carries yet, so Odoo's search,
        which goes through every open picking of the warehouse, could only come back empty (and
        slows down as the open deliveries grow)."""
        if self.env.context.get("amazon_first_confirmation"):
            return self.env["stock.picking"]
        return super()._search_picking_for_assignation()

    def _amazon_trigger_stock_push(self):
        """Stock moved in or out of a warehouse for products whose FBM offers sync their stock:
        the stock push runs soon (within its interval) rather than at its next turn. One query
        and, once per transaction, one trigger."""
        data = self.env.cr.precommit.data
        if data.get(PUSH_TRIGGERED):
            return
        products = self.filtered(
            lambda m: m.state == "done" and (m.location_id.warehouse_id
                                             or m.location_dest_id.warehouse_id)).product_id
        if not products or not self.env["amazon.seller.offer"].sudo().search_count([
                ("product_id", "in", products.ids), ("fulfillment_channel", "=", "fbm"),
                ("sync_stock", "=", True)], limit=1):
            return
        data[PUSH_TRIGGERED] = True
        cron = self.env.ref("amazon_seller.ir_cron_push_stock", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    def _amazon_take_serial_numbers(self):
        """Reserve for each move the lots / serial numbers Amazon says it shipped (the sale
        line's ``amazon_serial_numbers``, in Amazon's order) that its source location holds and
        nobody reserved; the rest of the move is left to the usual reservation."""
        line_values = []
        for move in self:
            names = [name.strip() for name in move.sale_line_id.amazon_serial_numbers.splitlines()
                     if name.strip()]
            quants = self.env["stock.quant"].search([
                ("product_id", "=", move.product_id.id),
                ("location_id", "child_of", move.location_id.id),
                ("lot_id.name", "in", names), ("quantity", ">", 0)])
            by_name = quants.grouped(lambda q: q.lot_id.name)
            remaining = move.product_uom_qty - move.quantity
            for name in names:
                for quant in by_name.get(name, quants.browse()):
                    available = move.product_id.uom_id._compute_quantity(
                        quant.quantity - quant.reserved_quantity, move.product_uom)
                    taken = min(available, remaining)
                    if move.product_uom.compare(taken, 0) <= 0:
                        continue
                    line_values.append({
                        "move_id": move.id, "picking_id": move.picking_id.id,
                        "product_id": move.product_id.id, "product_uom_id": move.product_uom.id,
                        "location_id": quant.location_id.id,
                        "location_dest_id": move.location_dest_id.id,
                        "lot_id": quant.lot_id.id, "quantity": taken,
                        "company_id": move.company_id.id,
                    })
                    remaining -= taken
        if line_values:
            self.env["stock.move.line"].create(line_values)


class StockScrap(models.Model):
    _inherit = "stock.scrap"

    amazon_removal_id = fields.Many2one(
        comodel_name="amazon.seller.removal", string="Amazon Removal Order", readonly=True,
        index="btree_not_null", copy=False,
        help="The FBA disposal or liquidation order that took these units.")
