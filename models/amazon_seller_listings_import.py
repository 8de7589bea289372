import logging

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonBadRequest
from ..formats.listings_parser import ListingsFileError, parse_listings
from ..utils import notification_action
from .amazon_seller_report_flow import IN_PREPARATION

_logger = logging.getLogger(__name__)

# An offer's fields read from its listing (the listing's attribute of each).
LISTING_FIELDS = {
    "asin": "asin", "title": "title", "listing_status": "status", "listing_ref": "listing_ref",
    "open_date": "open_date",
}


class AmazonSellerListingsImport(models.AbstractModel):
    """The listings flow: Amazon's listings report (``GET_MERCHANT_LISTINGS_ALL_DATA``) of each
    marketplace of the account becomes its offers (SKU, ASIN, title, price, quantity, status,
    fulfilment channel). New offers are matched to a product by internal reference (the SKU),
    else by barcode, else left to map; offers that left the report are archived as not listed,
    never deleted. A report is requested (createReport), polled briefly (getReport) and, while
    Amazon still prepares it, kept in the flow's state for the next run; once done it is
    downloaded (getReportDocument) and stored, all of it or nothing. Rows that cannot be read are
    recorded as synchronisation errors naming their line; the others are imported."""

    _name = "amazon.seller.listings.import"
    _inherit = "amazon.seller.report.flow"
    _description = "Amazon Listings Import"
    _flow = "listings"
    _cron_xmlid = "amazon_seller.ir_cron_sync_listings"

    # === THE FLOW === #

    def _run(self, account, state, stats, commit):
        gateway = account._get_gateway()
        pending = self._pending_reports(state)
        marketplaces = account.marketplace_ids
        for position, marketplace in enumerate(marketplaces, 1):
            amazon_id = marketplace.marketplace_id
            if amazon_id not in pending:
                pending[amazon_id] = gateway.create_report(const.LISTINGS_REPORT_TYPE, [amazon_id])
                self._save_pending_reports(state, pending)
            try:
                report = self._poll(gateway, pending[amazon_id])
            except AmazonBadRequest as error:  # Amazon no longer knows it: ask for a new one
                del pending[amazon_id]
                self._save_pending_reports(state, pending)
                error.heals_itself = True
                raise
            if report.get("processingStatus") in IN_PREPARATION:
                stats["pending"] += 1
                continue
            del pending[amazon_id]
            self._import_report(account, marketplace, gateway, report, stats)
            self._save_pending_reports(state, pending)
            remaining_time = commit() if commit else float("inf")
            if remaining_time <= 0 and position < len(marketplaces):
                return False
        if pending:
            self._come_back_later()
        else:
            state.checkpoint = fields.Datetime.now()
        return True

    def _summary(self, stats):
        message = self.env._(
            "%(created)s created, %(updated)s updated, %(mapped)s mapped, %(unlisted)s no longer "
            "listed, %(failed)s failed", created=stats["created"], updated=stats["updated"],
            mapped=stats["mapped"], unlisted=stats["unlisted"], failed=stats["failed"])
        return message + self._pending_note(stats)

    # === ONE REPORT === #

    def _import_report(self, account, marketplace, gateway, report, stats):
        """Download and store one marketplace's report; its unreadable rows become errors."""
        SyncError = self.env["amazon.seller.sync.error"]
        amazon_id = marketplace.marketplace_id
        if report.get("processingStatus") != "DONE" or not report.get("reportDocumentId"):
            SyncError._record(account, self._flow, {amazon_id: self.env._(
                "Amazon could not produce the listings report of %(marketplace)s (%(status)s): "
                "the next run asks again.", marketplace=marketplace.name,
                status=report.get("processingStatus") or "?")})
            stats["failed"] += 1
            return
        content = gateway.get_report_document(report["reportDocumentId"])
        try:
            parsed = parse_listings(content, const.LISTINGS_ENCODINGS.get(
                account.region, const.LISTINGS_ENCODINGS["NA"]))
        except ListingsFileError as error:
            SyncError._record(account, self._flow, {amazon_id: self._file_message(
                marketplace, error)})
            stats["failed"] += 1
            return
        with self.env.cr.savepoint():
            self._store_listings(account, marketplace, parsed, stats)
        failures = {self._row_ref(marketplace, error): self._row_message(marketplace, error)
                    for error in parsed.errors}
        SyncError._record(account, self._flow, failures, unretryable=set(failures))
        stats["failed"] += len(failures)
        SyncError.search([
            ("account_id", "=", account.id), ("flow", "=", self._flow),
            ("state", "not in", ("resolved", "ignored")),
            "|", ("amazon_ref", "=", amazon_id), ("amazon_ref", "=like", f"{amazon_id} %"),
            ("amazon_ref", "not in", list(failures)),
        ]).state = "resolved"

    def _store_listings(self, account, marketplace, parsed, stats):
        """Create or update one offer per listing, match the new and unmapped ones to products,
        and archive the offers of SKUs the report no longer names."""
        Offer = self.env["amazon.seller.offer"].with_context(
            active_test=False, mail_create_nolog=True)
        listings = {(listing.sku, listing.channel): listing for listing in parsed.listings}
        offers = {(offer.sku, offer.fulfillment_channel): offer for offer in Offer.search(
            [("account_id", "=", account.id), ("marketplace_id", "=", marketplace.id)])}
        matches = Offer._match_products(
            account,
            {sku for (sku, channel) in listings if not offers.get((sku, channel), Offer).product_id},
            barcodes={listing.sku: listing.barcode for listing in parsed.listings if listing.barcode})
        new = [key for key in listings if key not in offers]
        created = Offer.create([{
            "account_id": account.id, "marketplace_id": marketplace.id, "sku": sku,
            "fulfillment_channel": channel, "product_id": matches.get(sku, False),
            **self._offer_values(listings[(sku, channel)], marketplace),
        } for sku, channel in new])
        stats["created"] += len(created)
        stats["mapped"] += len(created.filtered("product_id"))
        for key, offer in offers.items():
            if key in listings:
                self._update_offer(offer, listings[key], marketplace, matches, stats)
        Offer.browse([offer.id for key, offer in offers.items() if key in listings]
                     ).write({"last_listed": fields.Datetime.now(), "active": True})
        created.write({"last_listed": fields.Datetime.now()})
        unreadable = {error.sku for error in parsed.errors if error.sku}  # listed, not readable
        gone = Offer.browse([offer.id for key, offer in offers.items()
                             if key not in listings and key[0] not in unreadable
                             and (offer.active or offer.listing_status != "removed")])
        gone.write({"active": False, "listing_status": "removed"})
        stats["unlisted"] += len(gone)

    def _update_offer(self, offer, listing, marketplace, matches, stats):
        values = self._offer_values(listing, marketplace)
        changes = {name: value for name, value in values.items()
                   if name != "price" and offer[name] != value}
        if marketplace.currency_id.compare_amounts(offer.price, values["price"]):
            changes["price"] = values["price"]
        if not offer.active:
            changes["active"] = True
        if not offer.product_id and matches.get(offer.sku):
            changes["product_id"] = matches[offer.sku]  # completes the waiting orders
            stats["mapped"] += 1
        if changes:
            offer.write(changes)
            stats["updated"] += 1
        else:
            stats["skipped"] += 1

    @staticmethod
    def _offer_values(listing, marketplace):
        values = {name: getattr(listing, attribute) or False
                  for name, attribute in LISTING_FIELDS.items()}
        values["price"] = marketplace.currency_id.round(float(listing.price or 0))
        values["amazon_quantity"] = listing.quantity or 0
        return values

    # === MESSAGES === #

    @staticmethod
    def _row_ref(marketplace, error):
        """The reference of a bad row's error: its SKU when it has one, else its line."""
        if error.sku:
            return f"{marketplace.marketplace_id} {error.sku}"
        return f"{marketplace.marketplace_id} line {error.line}"

    def _row_message(self, marketplace, error):
        where = self.env._("Listings report of %(marketplace)s, line %(line)s",
                           marketplace=marketplace.name, line=error.line)
        if error.column:
            where = self.env._("%(where)s, column %(column)s", where=where, column=error.column)
        reasons = {
            "missing": self.env._("the SKU is missing"),
            "price": self.env._("“%(value)s” is not a price", value=error.value),
            "quantity": self.env._("“%(value)s” is not a quantity", value=error.value),
            "channel": self.env._("“%(value)s” is no fulfilment channel Amazon uses",
                                  value=error.value),
            "encoding": self.env._("the line is neither UTF-8 nor %(encodings)s text",
                                   encodings=" / ".join(const.LISTINGS_ENCODINGS.get(
                                       marketplace.region, ("", "cp1252"))[1:])),
        }
        reason = reasons.get(error.reason, error.reason)
        if error.sku and error.reason != "missing":
            reason = self.env._("%(reason)s (SKU %(sku)s)", reason=reason, sku=error.sku)
        return self.env._("%(where)s: %(reason)s; the row is not imported.",
                          where=where, reason=reason)

    def _file_message(self, marketplace, error):
        if error.column:
            return self.env._("The listings report of %(marketplace)s has no %(column)s column: "
                              "nothing is imported.", marketplace=marketplace.name,
                              column=error.column)
        return self.env._("The listings report of %(marketplace)s is empty: nothing is imported.",
                          marketplace=marketplace.name)

    # === PEOPLE === #

    @api.model
    def _sync_now(self, account):
        """The account's *Sync Listings* button: run the flow now; a notification says how it
        went."""
        stats = self._run_now(account)
        failed = stats["failed"] or account._flow_state(self._flow).failed
        return notification_action(
            account._flow_state(self._flow).last_message or self._summary(stats),
            "warning" if failed else "success",
            title=self.env._("Amazon listings: %(account)s", account=account.name),
            next_action={"type": "ir.actions.client", "tag": "soft_reload"})

    def _retry_errors(self, account, errors):
        """A person's *Retry*: the next run reads the reports again (soon)."""
        errors.write({"next_retry": fields.Datetime.now()})
        self.env.ref("amazon_seller.ir_cron_sync_listings")._trigger()
