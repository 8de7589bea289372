from datetime import timedelta

from odoo import api, fields, models

from .. import const


class AmazonSellerOffer(models.Model):
    """An Amazon SKU sold on one marketplace through one fulfilment channel, and the Odoo product
    it stands for (the SKU mapping). The same SKU may be FBA in one offer and FBM in another."""

    _name = "amazon.seller.offer"
    _description = "Amazon Offer (SKU mapping)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sku, marketplace_id"
    _rec_name = "sku"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="cascade",
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    marketplace_id = fields.Many2one(comodel_name="amazon.seller.marketplace", required=True)
    sku = fields.Char(string="SKU", required=True, index=True, tracking=True)
    fulfillment_channel = fields.Selection(
        selection=const.FULFILLMENT_CHANNELS, required=True, default="fbm", tracking=True,
    )
    product_id = fields.Many2one(
        comodel_name="product.product", tracking=True, check_company=True, index="btree_not_null",
        domain="[('type', '!=', 'service')]",
        help="The product this SKU stands for. Empty: the SKU is to map, and its Amazon orders "
             "wait as quotations until it is.",
    )
    active = fields.Boolean(default=True)
    asin = fields.Char(string="ASIN", help="Amazon's product identifier of the listing.")
    title = fields.Char(help="The listing's title on Amazon.")
    currency_id = fields.Many2one(related="marketplace_id.currency_id")
    price = fields.Monetary(help="The listing's price on Amazon, in the marketplace's currency.")
    amazon_quantity = fields.Integer(
        string="Amazon Quantity",
        help="The quantity Amazon offers for sale (FBM listings; Amazon counts FBA stock itself).")
    listing_status = fields.Selection(
        selection=const.LISTING_STATUSES, string="Listing Status", tracking=True,
        help="The listing's status in Amazon's last listings report; Not Listed once it left it.")
    listing_ref = fields.Char(string="Listing ID")
    open_date = fields.Date(string="Listed Since")
    last_listed = fields.Datetime(
        string="Last Seen Listed", readonly=True,
        help="When the listings synchronisation last found this SKU in Amazon's report.")
    waiting_order_count = fields.Integer(
        string="Waiting Orders", compute="_compute_waiting_order_count",
        help="Amazon orders waiting as quotations until this SKU is mapped.")

    _sku_unique = models.Constraint(
        "UNIQUE(account_id, marketplace_id, sku, fulfillment_channel)",
        "An SKU is mapped once per account, marketplace and fulfilment channel.",
    )


    def _compute_return_rate(self):
        """One grouped read of the returns and one of the ordered units for all the offers."""
        since = fields.Datetime.now() - timedelta(days=30)
        accounts = self.account_id.ids
        returned = {(account.id, sku): quantity for account, sku, quantity in
                    self.env["amazon.seller.return"].sudo()._read_group(
                        [("account_id", "in", accounts), ("returned_at", ">=", since)],
                        ["account_id", "sku"], ["quantity:sum"])} if accounts else {}
        ordered = {offer.id: quantity for offer, quantity in
                   self.env["sale.order.line"].sudo()._read_group(
                       [("amazon_offer_id", "in", self.ids),
                        ("order_id.date_order", ">=", since), ("order_id.state", "=", "sale")],
                       ["amazon_offer_id"], ["product_uom_qty:sum"])} if self.ids else {}
        for offer in self:
            units = returned.get((offer.account_id.id, offer.sku), 0)
            sold = ordered.get(offer.id, 0)
            offer.returned_qty_30d = units
            offer.return_rate_30d = round(100.0 * units / sold, 1) if sold else 0.0
    def _compute_waiting_order_count(self):
        counts = dict(self.env["sale.order.line"]._read_group(
            [("amazon_offer_id", "in", self.ids), ("order_id.amazon_awaiting_mapping", "=", True)],
            ["amazon_offer_id"], ["order_id:count_distinct"]))
        for offer in self:
            offer.waiting_order_count = counts.get(offer, 0)

    @api.depends("sku", "marketplace_id", "fulfillment_channel")
    def _compute_display_name(self):
        for offer in self:
            offer.display_name = f"{offer.sku} ({offer.marketplace_id.domain or ''}, " \
                                 f"{(offer.fulfillment_channel or '').upper()})"

    # === CRUD METHODS === #

    def write(self, vals):
        """Mapping an SKU (by hand, by the listings synchronisation, by a product taking the SKU
        as internal reference) completes and confirms the orders that waited for it."""
        result = super().write(vals)
        if vals.get("product_id"):
            self._complete_waiting_orders()
        return result

    # === ACTION METHODS === #

    def action_view_waiting_orders(self):
        """The Amazon quotations waiting for this SKU's product."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.action_amazon_awaiting_mapping")
        action["domain"] = [("order_line.amazon_offer_id", "=", self.id),
                            ("amazon_awaiting_mapping", "=", True)]
        return action

    # === BUSINESS METHODS === #

    def _find_or_create(self, account, wanted):
        """Return {(marketplace record id, sku, channel): offer} for every wanted key, creating
        the offers of SKUs Amazon sold before anybody listed or mapped them: matched at once to
        the product whose internal reference is the SKU, else left to map."""
        skus = {sku for _marketplace, sku, _channel in wanted}
        offers = self.with_context(active_test=False).search(
            [("account_id", "=", account.id), ("sku", "in", list(skus))])
        found = {(o.marketplace_id.id, o.sku, o.fulfillment_channel): o for o in offers}
        missing = [key for key in wanted if key not in found]
        if missing:
            matches = self._match_products(account, {sku for _m, sku, _c in missing})
            created = self.create([{
                "account_id": account.id, "marketplace_id": marketplace_id, "sku": sku,
                "fulfillment_channel": channel, "product_id": matches.get(sku, False),
            } for marketplace_id, sku, channel in missing])
            found.update(zip(missing, created))
        return found

    @api.model
    def _match_products(self, account, skus, barcodes=None):
        """{sku: product id} of the SKUs one product answers unambiguously: the product the
        SKU is already mapped to on another marketplace or channel of the account, else the one
        product of the account's company (or of no company) whose internal reference is the
        SKU, else whose barcode is the SKU or the listing's UPC/EAN (``barcodes`` {sku:
        barcode})."""
        barcodes = barcodes or {}
        mapped = self._products_mapped_elsewhere(account, skus)
        by_code = self._candidate_products(account, "default_code", skus)
        matches = {}
        for sku in skus:
            candidates = mapped.get(sku) or by_code.get(sku, set())
            if len(candidates) == 1:
                matches[sku] = next(iter(candidates))
        rest = {sku: {sku, barcodes.get(sku)} - {None, ""} for sku in skus if sku not in matches}
        by_barcode = self._candidate_products(account, "barcode", set().union(*rest.values())) \
            if rest else {}
        for sku, codes in rest.items():
            candidates = set().union(*(by_barcode.get(code, set()) for code in codes))
            if len(candidates) == 1:
                matches[sku] = candidates.pop()
        return matches

    def _products_mapped_elsewhere(self, account, skus):
        """{sku: {product ids}} the SKUs are mapped to on any marketplace or channel."""
        mapped = {}
        for offer in self.sudo().with_context(active_test=False).search(
                [("account_id", "=", account.id), ("sku", "in", list(skus)),
                 ("product_id", "!=", False)]):
            mapped.setdefault(offer.sku, set()).add(offer.product_id.id)
        return mapped

    def _candidate_products(self, account, field_name, values):
        """{value: {product ids}} of the goods of the account's company (or of no company)
        whose ``field_name`` is one of ``values``."""
        found = {}
        if not values:
            return found
        for product in self.env["product.product"].sudo().search([
                (field_name, "in", list(values)), ("type", "!=", "service"),
                ("company_id", "in", [account.company_id.id, False])]):
            found.setdefault(product[field_name], set()).add(product.id)
        return found

    def _ask_for_mapping(self):
        """One activity per offer still to map that holds orders, for the account's responsible
        user (never a second one while the first is open)."""
        for offer in self.filtered(lambda o: not o.product_id):
            if offer._mapping_activities():
                continue
            offer.account_id._schedule_activity(
                offer,
                summary=self.env._("Map Amazon SKU %(sku)s to a product", sku=offer.sku),
                note=self.env._(
                    "Amazon sold SKU %(sku)s on %(marketplace)s, which no product is mapped to. "
                    "Its orders wait as quotations (Awaiting SKU Mapping): choose the product on "
                    "this offer, or give a product this SKU as internal reference, and they are "
                    "confirmed at once.", sku=offer.sku, marketplace=offer.marketplace_id.name),
            )

    def _complete_waiting_orders(self):
        """Give the waiting order lines of these (now mapped) offers their product, confirm the
        orders nothing else holds, and close the offers' mapping activities (as superuser:
        confirming orders moves stock, which who maps an SKU need not manage otherwise)."""
        mapped = self.filtered("product_id")
        if not mapped:
            return
        self.env["amazon.seller.order.import"].sudo()._complete_mapped_lines(mapped.sudo())
        mapped.sudo()._mapping_activities().action_feedback(
            feedback=self.env._("SKU mapped: the waiting orders are confirmed."))

    def _mapping_activities(self):
        """The open activities asking to map these offers' SKUs."""
        return self.env["mail.activity"].union(*(offer.activity_ids.filtered(
            lambda activity, offer=offer: activity.summary == self.env._(
                "Map Amazon SKU %(sku)s to a product", sku=offer.sku)) for offer in self))

    @api.model
    def _map_by_internal_reference(self, products):
        """Products that took an SKU as internal reference map the offers still to map."""
        products = products.filtered(lambda p: p.default_code and p.type != "service")
        if not products:
            return
        offers = self.sudo().with_context(active_test=False).search([
            ("product_id", "=", False), ("sku", "in", products.mapped("default_code"))])
        for offer in offers:
            candidates = products.filtered(
                lambda p, o=offer: p.default_code == o.sku
                and p.company_id in (o.company_id, self.env["res.company"]))
            if len(candidates) == 1:
                offer.product_id = candidates

    # === STOCK: FBA INVENTORY PULLED, FBM QUANTITY PUSHED === #

    fba_fulfillable_qty = fields.Integer(
        string="Fulfillable (Amazon)", readonly=True,
        help="FBA: units Amazon can ship now, as the last inventory pull read them.")
    fba_inbound_qty = fields.Integer(
        string="Inbound", readonly=True,
        help="FBA: units on their way to Amazon (working, shipped and receiving).")
    fba_reserved_qty = fields.Integer(
        string="Reserved", readonly=True,
        help="FBA: units Amazon holds for orders and transfers between its centres.")
    fba_unfulfillable_qty = fields.Integer(
        string="Unfulfillable", readonly=True,
        help="FBA: damaged, defective or expired units Amazon will not ship.")
    returned_qty_30d = fields.Integer(
        string="Returned (30 Days)", compute="_compute_return_rate",
        help="Units of this SKU customers returned over the last 30 days.")
    return_rate_30d = fields.Float(
        string="Return Rate % (30 Days)", compute="_compute_return_rate", digits=(5, 1),
        help="Units returned over the last 30 days per unit of this SKU ordered in those days.")
    fba_inventory_date = fields.Datetime(
        string="Amazon Quantities Changed On", readonly=True,
        help="FBA: when the inventory pull last found Amazon's quantities of this SKU changed "
             "(the account's Synchronisation tab tells when it last ran).")
    sync_stock = fields.Boolean(
        compute="_compute_sync_stock", store=True, readonly=False, precompute=True,
        tracking=True,
        help="FBM: send the free quantity of the warehouse (minus the account's stock buffer) "
             "to Amazon whenever it changes.")
    stock_pushed_qty = fields.Integer(
        string="Last Pushed Quantity", readonly=True, copy=False,
        help="FBM: the quantity Amazon last accepted for this SKU.")
    stock_pushed_date = fields.Datetime(string="Pushed On", readonly=True, copy=False)
    stock_push_qty = fields.Integer(
        string="Quantity Being Sent", readonly=True, copy=False,
        help="FBM: the quantity of the listings feed Amazon is processing.")
    stock_push_feed_ref = fields.Char(string="Feed Being Processed", readonly=True, copy=False,
                                      index="btree_not_null")
    stock_push_message_id = fields.Integer(readonly=True, copy=False)
    stock_push_error = fields.Text(
        string="Stock Push Error", readonly=True, copy=False,
        help="Why Amazon refused the last quantity sent for this SKU; it is sent again later.")

    @api.depends("account_id", "fulfillment_channel")
    def _compute_sync_stock(self):
        for offer in self:
            if not offer.sync_stock:
                offer.sync_stock = offer.fulfillment_channel == "fbm" \
                    and offer.account_id.sync_stock_default
