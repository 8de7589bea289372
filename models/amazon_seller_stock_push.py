from collections import Counter
import math

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonError, AmazonThrottled
from ..formats.stock_mapper import listings_quantity_feed, read_processing_report
from ..utils import AmazonDataError

# The synchronisation error of a listings feed Amazon refused as a whole (one per account): while
# it waits for its retry (the retry policy), no feed is sent.
FEED_ERROR_REF = "JSON_LISTINGS_FEED"
FEED_CONTENT_TYPE = "application/json; charset=UTF-8"


class AmazonSellerStockPush(models.AbstractModel):
    """The stock push flow: the free quantity of the warehouse of each FBM offer whose *Sync
    stock* is on, minus the account's stock buffer (never below zero), is sent to Amazon when it
    differs from the last quantity Amazon accepted — one ``JSON_LISTINGS_FEED`` of PATCH
    messages on ``/attributes/fulfillment_availability`` per account and run (per warehouse
    when marketplaces ship from different warehouses). A later run reads the feed's processing
    report: accepted quantities become the offers' last pushed quantity, refused ones show
    Amazon's reason on the offer and are sent again with the retry policy; a feed Amazon could
    not process at all is sent again with the retry policy."""

    _name = "amazon.seller.stock.push"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Stock Push"
    _flow = "stock_push"

    # === THE FLOW === #

    def _accounts_to_run(self):
        accounts = super()._accounts_to_run()
        with_offers = set(self.env["amazon.seller.offer"]._read_group(
            [("account_id", "in", accounts.ids), ("fulfillment_channel", "=", "fbm"),
             ("sync_stock", "=", True)], ["account_id"]))
        return accounts.filtered(lambda a: (a,) in with_offers)

    def _run_and_record(self, account, commit):
        if not account.merchant_token:
            self._state(account)._record_run(self.env._(
                "Enter the Seller ID (merchant token) of %(account)s: the listings feeds "
                "sending FBM quantities name it.", account=account.name), failed=True)
            return Counter(), True
        return super()._run_and_record(account, commit)

    def _run(self, account, state, stats, commit):
        """Read the reports of the feeds sent earlier; then, unless a feed is still processed or
        a refused feed waits for its retry, send what changed."""
        for feed_ref in self._feeds_in_flight(account):
            self._read_report(account, feed_ref, stats)
            if commit:
                commit()
        if self._feeds_in_flight(account) or self._feed_retry_pending(account):
            return True
        quantities = self._quantities_to_send(account)
        for offer_quantities in quantities.values():
            self._send(account, offer_quantities, stats)
            if commit:
                commit()
        return True

    def _summary(self, stats):
        return self.env._(
            "%(sent)s quantities sent, %(accepted)s accepted, %(failed)s refused",
            sent=stats["sent"], accepted=stats["accepted"], failed=stats["failed"])

    # === WHAT TO SEND === #

    @api.model
    def _offers_to_sync(self, account):
        return self.env["amazon.seller.offer"].search([
            ("account_id", "=", account.id), ("fulfillment_channel", "=", "fbm"),
            ("sync_stock", "=", True), ("product_id", "!=", False),
            ("product_id.is_storable", "=", True)])

    def _quantities_to_send(self, account):
        """{warehouse: {offer: quantity}} of the offers whose quantity differs from the one
        Amazon last accepted, leaving out SKUs whose refusal waits for its retry."""
        offers = self._offers_to_sync(account)
        waiting = set(self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", account.id), ("flow", "=", self._flow),
            ("state", "in", ("open", "needs_attention")), ("amazon_ref", "in", offers.mapped("sku")),
            "|", ("next_retry", "=", False), ("next_retry", ">", fields.Datetime.now()),
        ]).mapped("amazon_ref"))
        result = {}
        for warehouse, warehouse_offers in offers.grouped(
                lambda o: account._stock_warehouse(o.marketplace_id)).items():
            if not warehouse:
                continue  # no stock to tell of (never a zero for lack of a warehouse)
            free = self._free_quantities(warehouse, warehouse_offers.product_id)
            for offer in warehouse_offers:
                if offer.sku in waiting:
                    continue
                quantity = max(0, math.floor(free.get(offer.product_id, 0.0)) - account.stock_buffer)
                if offer.stock_pushed_date and offer.stock_pushed_qty == quantity \
                        and not offer.stock_push_error:
                    continue
                result.setdefault(warehouse, {})[offer] = quantity
        return result

    def _free_quantities(self, warehouse, products):
        """{product: free quantity in ``warehouse``} (on hand, not reserved)."""
        products = products.with_context(warehouse_id=warehouse.id)
        return {product: product.free_qty for product in products}

    # === SENDING === #

    def _send(self, account, offer_quantities, stats):
        """One listings feed for these offers (a message per SKU; offers of one SKU on several
        marketplaces share it), or the rest of them in further feeds past Amazon's limit."""
        by_sku = {}
        for offer, quantity in offer_quantities.items():
            by_sku.setdefault(offer.sku, (quantity, self.env["amazon.seller.offer"]))
            by_sku[offer.sku] = (by_sku[offer.sku][0], by_sku[offer.sku][1] | offer)
        skus = sorted(by_sku)
        for start in range(0, len(skus), const.LISTINGS_FEED_MAX_MESSAGES):
            chunk = skus[start:start + const.LISTINGS_FEED_MAX_MESSAGES]
            self._send_feed(account, [(sku, by_sku[sku][0], by_sku[sku][1]) for sku in chunk],
                            stats)

    def _send_feed(self, account, messages, stats):
        offers = self.env["amazon.seller.offer"].concat(*(offers for _sku, _qty, offers in messages))
        content = listings_quantity_feed(account.merchant_token,
                                         [(sku, quantity) for sku, quantity, _offers in messages])
        try:
            feed_ref = account._get_gateway().submit_feed(
                const.FEED_TYPE_LISTINGS, content, FEED_CONTENT_TYPE,
                offers.marketplace_id.mapped("marketplace_id"))
        except AmazonThrottled:
            raise
        except AmazonError as error:
            self._feed_refused(account, account._describe_amazon_error(error))
            stats["failed"] += len(messages)
            return
        for message_id, (_sku, quantity, sku_offers) in enumerate(messages, start=1):
            sku_offers.write({"stock_push_feed_ref": feed_ref, "stock_push_qty": quantity,
                              "stock_push_message_id": message_id})
        stats["sent"] += len(messages)

    # === PROCESSING REPORTS === #

    def _feeds_in_flight(self, account):
        return set(self.env["amazon.seller.offer"].with_context(active_test=False).search([
            ("account_id", "=", account.id), ("stock_push_feed_ref", "!=", False)]).mapped(
            "stock_push_feed_ref"))

    def _feed_retry_pending(self, account):
        return bool(self.env["amazon.seller.sync.error"].search_count([
            ("account_id", "=", account.id), ("flow", "=", self._flow),
            ("amazon_ref", "=", FEED_ERROR_REF), ("state", "in", ("open", "needs_attention")),
            "|", ("next_retry", "=", False), ("next_retry", ">", fields.Datetime.now())], limit=1))

    def _read_report(self, account, feed_ref, stats):
        offers = self.env["amazon.seller.offer"].with_context(active_test=False).search([
            ("account_id", "=", account.id), ("stock_push_feed_ref", "=", feed_ref)])
        gateway = account._get_gateway()
        feed = gateway.get_feed(feed_ref)
        status = feed.get("processingStatus")
        if status in ("IN_QUEUE", "IN_PROGRESS"):
            return
        try:
            if status != "DONE" or not feed.get("resultFeedDocumentId"):
                raise AmazonDataError(self.env._(
                    "Amazon could not process the listings feed %(feed)s (%(status)s)%(reason)s",
                    feed=feed_ref, status=status,
                    reason=self._fatal_reason(gateway, feed_ref, feed.get("resultFeedDocumentId"))))
            per_message, whole_feed, summary = self._processing_report(
                gateway, feed_ref, feed["resultFeedDocumentId"])
            if whole_feed and not summary.get("messagesProcessed"):
                raise AmazonDataError(self.env._(
                    "Amazon refused the listings feed %(feed)s: %(reason)s", feed=feed_ref,
                    reason="; ".join(whole_feed)))
        except AmazonDataError as error:
            offers.write({"stock_push_feed_ref": False, "stock_push_message_id": 0})
            self._feed_refused(account, error.args[0])
            stats["failed"] += len(set(offers.mapped("sku")))
            return
        self._apply_report(account, offers, per_message, stats)
        self.env["amazon.seller.sync.error"]._resolve(account, self._flow, [FEED_ERROR_REF])

    def _fatal_reason(self, gateway, feed_ref, document_ref):
        """Amazon's words (after a colon) from the report of a feed that failed as a whole; a
        full stop when there are none."""
        if not document_ref:
            return "."
        _per_message, whole_feed, _summary = self._processing_report(gateway, feed_ref,
                                                                     document_ref)
        return f": {'; '.join(whole_feed)}" if whole_feed else "."

    def _processing_report(self, gateway, feed_ref, document_ref):
        try:
            return read_processing_report(gateway.get_feed_document(document_ref))
        except AmazonDataError as error:
            raise AmazonDataError(self.env._(
                "The processing report of the listings feed %(feed)s is unreadable: %(reason)s",
                feed=feed_ref, reason=error.describe(self.env))) from error

    def _apply_report(self, account, offers, per_message, stats):
        """Accepted quantities become the last pushed ones; refused SKUs keep Amazon's reason
        (on the offer and as a synchronisation error retried with the policy)."""
        now = fields.Datetime.now()
        refused = offers.filtered(lambda o: o.stock_push_message_id in per_message)
        accepted = offers - refused
        for quantity, group in accepted.grouped("stock_push_qty").items():
            group.write({"stock_pushed_qty": quantity, "stock_pushed_date": now,
                         "stock_push_error": False, "stock_push_feed_ref": False,
                         "stock_push_message_id": 0})
        failures = {}
        for offer in refused:
            reason = self.env._("Amazon refused quantity %(quantity)s of SKU %(sku)s: %(reason)s",
                                quantity=offer.stock_push_qty, sku=offer.sku,
                                reason=per_message[offer.stock_push_message_id])
            offer.write({"stock_push_error": reason, "stock_push_feed_ref": False,
                         "stock_push_message_id": 0})
            failures[offer.sku] = reason
        Error = self.env["amazon.seller.sync.error"]
        Error._record(account, self._flow, failures,
                      records={offer.sku: offer for offer in refused})
        Error._resolve(account, self._flow, set(accepted.mapped("sku")) - set(failures))
        stats["accepted"] += len(set(accepted.mapped("sku")) - set(failures))
        stats["failed"] += len(failures)

    def _feed_refused(self, account, reason):
        self.env["amazon.seller.sync.error"]._record(account, self._flow, {FEED_ERROR_REF: reason})

    def _retry_errors(self, account, errors):
        """A person's *Retry*: send those quantities (or the refused feed) with the next run."""
        errors.write({"next_retry": fields.Datetime.now()})
        self.env.ref("amazon_seller.ir_cron_push_stock")._trigger()
