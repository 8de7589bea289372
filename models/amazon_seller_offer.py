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
        comodel_name="product.product", required=True, tracking=True, check_company=True,
        domain="[('type', '!=', 'service')]",
    )
    is_placeholder = fields.Boolean(
        compute="_compute_is_placeholder", store=True,
        help="The SKU was unknown when an order brought it: it still waits for its product.",
    )
    active = fields.Boolean(default=True)

    _sku_unique = models.Constraint(
        "UNIQUE(account_id, marketplace_id, sku, fulfillment_channel)",
        "An SKU is mapped once per account, marketplace and fulfilment channel.",
    )

    @api.depends("product_id")
    def _compute_is_placeholder(self):
        placeholder = self.env.ref("amazon_seller.product_amazon_placeholder", raise_if_not_found=False)
        for offer in self:
            offer.is_placeholder = bool(placeholder) and offer.product_id == placeholder

    @api.depends("sku", "marketplace_id", "fulfillment_channel")
    def _compute_display_name(self):
        for offer in self:
            offer.display_name = f"{offer.sku} ({offer.marketplace_id.domain or ''}, " \
                                 f"{(offer.fulfillment_channel or '').upper()})"

    # === BUSINESS METHODS === #

    def _find_or_create(self, account, wanted):
        """Return {(marketplace record id, sku, channel): offer} for every wanted key, creating
        offers on the placeholder product (with an activity) for SKUs nobody mapped yet."""
        skus = {sku for _marketplace, sku, _channel in wanted}
        offers = self.with_context(active_test=False).search(
            [("account_id", "=", account.id), ("sku", "in", list(skus))])
        found = {(o.marketplace_id.id, o.sku, o.fulfillment_channel): o for o in offers}
        missing = [key for key in wanted if key not in found]
        if missing:
            created = self._create_placeholders(account, missing)
            found.update(zip(missing, created))
        return found

    def _create_placeholders(self, account, keys):
        placeholder = self.env.ref("amazon_seller.product_amazon_placeholder")
        offers = self.create([{
            "account_id": account.id, "marketplace_id": marketplace_id, "sku": sku,
            "fulfillment_channel": channel, "product_id": placeholder.id,
        } for marketplace_id, sku, channel in keys])
        for offer in offers:
            account._schedule_activity(
                offer,
                summary=self.env._("Map Amazon SKU %(sku)s to a product", sku=offer.sku),
                note=self.env._(
                    "Amazon sold SKU %(sku)s on %(marketplace)s, which no product is mapped to. "
                    "Its order lines use the placeholder product until you choose the product "
                    "on this offer.", sku=offer.sku, marketplace=offer.marketplace_id.name),
            )
        return offers

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
