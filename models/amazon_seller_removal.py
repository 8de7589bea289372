from odoo import api, fields, models

ORDER_TYPES = [("return", "Return to You"), ("disposal", "Disposal"),
               ("liquidation", "Liquidation")]


class AmazonSellerRemoval(models.Model):
    """An FBA removal order as Amazon's removal reports tell it: units taken out of Amazon's
    fulfilment centres, shipped back to the seller (``return``: a done move from the FBA stock
    into *Amazon removals in transit*, then a receipt of the warehouse with the carrier's
    tracking number) or disposed of and liquidated (a scrap of the FBA or unsellable stock).
    Amazon's removal and disposal fees in the settlements name the order's id."""

    _name = "amazon.seller.removal"
    _description = "Amazon Removal Order"
    _inherit = ["mail.thread", "amazon.seller.fee.lines.mixin"]
    _order = "requested_at desc, id desc"
    _rec_name = "order_ref"
    _check_company_auto = True

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, readonly=True, index=True,
        ondelete="restrict")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one(comodel_name="amazon.seller.marketplace", readonly=True)
    order_ref = fields.Char(string="Removal Order", required=True, readonly=True, index=True)
    order_type = fields.Selection(selection=ORDER_TYPES, string="Type", required=True,
                                  readonly=True)
    amazon_status = fields.Char(string="Amazon Status", readonly=True, tracking=True)
    requested_at = fields.Datetime(string="Requested", readonly=True)
    updated_at = fields.Datetime(string="Last Update at Amazon", readonly=True)
    line_ids = fields.One2many(comodel_name="amazon.seller.removal.line",
                               inverse_name="removal_id", string="Lines", readonly=True)
    shipment_ids = fields.One2many(comodel_name="amazon.seller.removal.shipment",
                                   inverse_name="removal_id", string="Shipments", readonly=True)
    picking_ids = fields.One2many(comodel_name="stock.picking", inverse_name="amazon_removal_id",
                                  string="Receipts", readonly=True)
    scrap_ids = fields.One2many(comodel_name="stock.scrap", inverse_name="amazon_removal_id",
                                string="Scraps", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    removal_fee = fields.Monetary(compute="_compute_totals", store=True)
    requested_qty = fields.Integer(string="Units Requested", compute="_compute_totals",
                                   store=True)
    done_qty = fields.Integer(string="Shipped or Disposed", compute="_compute_totals",
                              store=True)

    _order_unique = models.Constraint(
        "UNIQUE(account_id, order_ref)", "A removal order is stored once per account.")

    @api.depends("line_ids.fee", "line_ids.requested", "line_ids.shipped", "line_ids.disposed")
    def _compute_totals(self):
        for removal in self:
            removal.removal_fee = sum(removal.line_ids.mapped("fee"))
            removal.requested_qty = sum(removal.line_ids.mapped("requested"))
            removal.done_qty = sum(removal.line_ids.mapped("shipped")) + sum(
                removal.line_ids.mapped("disposed"))

    def _fee_lines_domain(self):
        return [("account_id", "=", self.account_id.id), ("order_ref", "=", self.order_ref)]

    # === STOCK === #

    def _dispose(self):
        """Scrap what Amazon disposed of (or liquidated) since the last report, from the FBA
        stock (sellable units) or the unsellable location."""
        Scrap = self.env["stock.scrap"]
        for line in self.line_ids.filtered(lambda l: l.disposed > l.disposed_booked
                                           and l.product_id):
            removal = line.removal_id
            account = removal.account_id
            location = account._fba_location(removal.marketplace_id) if line.sellable \
                else account._fba_unsellable_location()
            # what Odoo does not hold there (unfulfillable units Amazon never reported as
            # stock, units the inventory pull already took out) is not scrapped again
            quantity = min(line.disposed - line.disposed_booked,
                           on_hand(line.product_id, location))
            line.disposed_booked = line.disposed
            if quantity <= 0:
                continue
            scrap = Scrap.create({
                "product_id": line.product_id.id,
                "product_uom_id": line.product_id.uom_id.id,
                "scrap_qty": quantity,
                "location_id": location.id,
                "company_id": removal.company_id.id,
                "origin": self.env._("Amazon removal %(order)s", order=removal.order_ref),
                "amazon_removal_id": removal.id,
            })
            scrap.do_scrap()


def on_hand(product, location):
    """Units of ``product`` in ``location`` itself (not its children), never below zero."""
    quants = product.env["stock.quant"].sudo().search(
        [("product_id", "=", product.id), ("location_id", "=", location.id)])
    return max(0.0, sum(quants.mapped("quantity")))


class AmazonSellerRemovalLine(models.Model):
    _name = "amazon.seller.removal.line"
    _description = "Amazon Removal Order Line"
    _order = "removal_id, sku"

    removal_id = fields.Many2one(comodel_name="amazon.seller.removal", required=True,
                                 ondelete="cascade", index=True)
    company_id = fields.Many2one(related="removal_id.company_id", store=True)
    currency_id = fields.Many2one(related="removal_id.currency_id")
    key = fields.Char(required=True)
    sku = fields.Char(string="SKU", required=True)
    product_id = fields.Many2one(comodel_name="product.product", readonly=True)
    sellable = fields.Boolean()
    requested = fields.Integer()
    cancelled = fields.Integer()
    disposed = fields.Integer()
    shipped = fields.Integer()
    in_process = fields.Integer(string="In Process")
    fee = fields.Monetary(string="Removal Fee")
    disposed_booked = fields.Integer(
        string="Disposed in Odoo", readonly=True,
        help="Units of this line already scrapped in Odoo: later reports scrap only the rest.")

    _key_unique = models.Constraint("UNIQUE(removal_id, key)",
                                    "A removal order line is stored once.")


class AmazonSellerRemovalShipment(models.Model):
    _name = "amazon.seller.removal.shipment"
    _description = "Amazon Removal Shipment"
    _order = "shipped_at desc, id desc"

    removal_id = fields.Many2one(comodel_name="amazon.seller.removal", required=True,
                                 ondelete="cascade", index=True)
    account_id = fields.Many2one(related="removal_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="removal_id.company_id", store=True)
    key = fields.Char(required=True)
    sku = fields.Char(string="SKU", required=True)
    product_id = fields.Many2one(comodel_name="product.product", readonly=True)
    sellable = fields.Boolean()
    quantity = fields.Integer()
    carrier = fields.Char()
    tracking_ref = fields.Char(string="Tracking Number")
    shipped_at = fields.Datetime(string="Shipped")
    picking_id = fields.Many2one(comodel_name="stock.picking", string="Receipt", readonly=True)

    _key_unique = models.Constraint("UNIQUE(account_id, key)",
                                    "A removal shipment is stored once per account.")
