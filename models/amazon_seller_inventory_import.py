from collections import defaultdict

from odoo import fields, models

from ..formats.stock_mapper import map_inventory_summary
from ..utils import AmazonDataError

# Unknown SKUs named in the run's result (all of them are synchronisation errors).
UNKNOWN_SKUS_SHOWN = 5


class AmazonSellerInventoryImport(models.AbstractModel):
    """The FBA inventory flow: Amazon's inventory summaries (FBA Inventory v1
    ``getInventorySummaries``, granularity Marketplace, with details, every page) of each
    marketplace of the account are mapped to products through the account's FBA offers (several
    SKUs of one product add up) and the FBA location — or the marketplace's own location — is
    adjusted to Amazon's fulfillable quantities with inventory adjustments whose reference names
    the account and the day. Inbound, reserved and unfulfillable units are kept on the offers.
    SKUs no FBA offer maps are recorded as synchronisation errors, never dropped.

    One account's pull is one unit of work: everything is read first, then applied in one
    transaction; a failure in between changes nothing."""

    _name = "amazon.seller.inventory.import"
    _inherit = "amazon.seller.flow"
    _description = "Amazon FBA Inventory Import"
    _flow = "inventory"

    # === THE FLOW === #

    def _accounts_to_run(self):
        """Accounts with FBA offers: merchant-fulfilling sellers have no FBA stock to read."""
        accounts = super()._accounts_to_run()
        with_fba = set(self.env["amazon.seller.offer"].with_context(active_test=False)._read_group(
            [("account_id", "in", accounts.ids), ("fulfillment_channel", "=", "fba")],
            ["account_id"]))
        return accounts.filtered(lambda a: (a,) in with_fba)

    def _run(self, account, state, stats, commit):
        self.env["amazon.seller.inbound.sync"]._receive_before_pull(account)
        summaries, unreadable = {}, {}
        for marketplace in account.marketplace_ids:
            summaries[marketplace], unreadable[marketplace] = self._read_summaries(account,
                                                                                   marketplace)
        self._apply(account, summaries, unreadable, stats)
        state.checkpoint = fields.Datetime.now()
        if commit:
            commit()
        return True

    def _summary(self, stats):
        message = self.env._(
            "%(skus)s SKUs read, %(adjusted)s products adjusted, %(unknown)s unknown SKUs",
            skus=stats["read"], adjusted=stats["adjusted"], unknown=stats["unknown"])
        if stats["unknown_skus"]:
            message += self.env._(" (%(skus)s; see the synchronisation errors)",
                                  skus=stats["unknown_skus"])
        if stats["failed"]:
            message += self.env._(", %(failed)s not adjusted", failed=stats["failed"])
        return message

    def _read_summaries(self, account, marketplace):
        """Every inventory summary of ``marketplace`` as mapped values, and the SKUs of the
        unreadable ones, which become errors named by their SKU (or position)."""
        rows, failures = [], {}
        gateway = account._get_gateway()
        for page_number, page in enumerate(gateway.get_inventory_summaries(
                marketplace.marketplace_id)):
            for index, summary in enumerate(page):
                try:
                    rows.append(map_inventory_summary(
                        summary, f"page {page_number + 1}, inventorySummaries[{index}]"))
                except AmazonDataError as error:
                    ref = (summary.get("sellerSku") if isinstance(summary, dict) else None) \
                        or f"{marketplace.domain} page {page_number + 1} #{index}"
                    failures[str(ref)] = self.env._(
                        "Amazon's inventory summary on %(marketplace)s is unreadable: %(reason)s",
                        marketplace=marketplace.domain, reason=error.describe(self.env))
        if failures:
            self.env["amazon.seller.sync.error"]._record(account, self._flow, failures)
        return rows, set(failures)

    # === APPLYING AMAZON'S QUANTITIES === #

    def _apply(self, account, summaries, unreadable, stats):
        """Store the quantities on the offers and adjust the FBA location(s) to them; the
        products of SKUs whose summary was unreadable keep their stock."""
        offers = self.env["amazon.seller.offer"].search([
            ("account_id", "=", account.id), ("fulfillment_channel", "=", "fba"),
            ("product_id", "!=", False)])
        by_key = {(offer.marketplace_id, offer.sku): offer for offer in offers}
        locations = {marketplace: account._fba_location(marketplace) for marketplace in summaries}
        targets = defaultdict(lambda: defaultdict(int))  # location → product → fulfillable
        for offer in offers.filtered(lambda o: o.marketplace_id in locations):
            # mapped but absent from Amazon's summaries: none left there
            targets[locations[offer.marketplace_id]][offer.product_id] += 0
        unknown, changed = {}, defaultdict(list)
        for marketplace, rows in summaries.items():
            location = locations[marketplace]
            for row in rows:
                stats["read"] += 1
                offer = by_key.get((marketplace, row["sku"]))
                if not offer:
                    unknown.setdefault(row["sku"], []).append(marketplace.domain)
                    continue
                targets[location][offer.product_id] += row["fulfillable"]
                values = self._offer_values(row)
                if any(offer[name] != value for name, value in values.items()) \
                        or not offer.fba_inventory_date:
                    changed[tuple(values.items())].append(offer.id)
        self._store_on_offers(changed)
        for marketplace, skus in unreadable.items():
            for sku in skus:
                if (offer := by_key.get((marketplace, sku))):
                    targets[locations[marketplace]].pop(offer.product_id, None)
        failed = set().union(*unreadable.values())
        stats["failed"] += len(failed)
        self._record_unknown(account, unknown, offers.filtered(lambda o: o.sku not in failed),
                             stats)
        for location, quantities in targets.items():
            self._adjust(account, location, quantities, stats)

    @staticmethod
    def _offer_values(row):
        return {"fba_fulfillable_qty": row["fulfillable"], "fba_inbound_qty": row["inbound"],
                "fba_reserved_qty": row["reserved"], "fba_unfulfillable_qty": row["unfulfillable"]}

    def _store_on_offers(self, changed):
        """Write the quantities that changed, one write per set of values (most SKUs share
        theirs: nothing inbound, nothing reserved...)."""
        now = fields.Datetime.now()
        Offer = self.env["amazon.seller.offer"]
        for values, offer_ids in changed.items():
            Offer.browse(offer_ids).write(dict(values, fba_inventory_date=now))

    def _record_unknown(self, account, unknown, offers, stats):
        """SKUs Amazon holds that no FBA offer maps: one error each, until an offer maps them."""
        Error = self.env["amazon.seller.sync.error"]
        Error._record(account, self._flow, {sku: self.env._(
            "Amazon holds FBA stock of SKU %(sku)s on %(marketplaces)s, but no FBA offer maps it "
            "to a product: its stock is not counted in Odoo. Create the offer (FBA) for it.",
            sku=sku, marketplaces=", ".join(marketplaces)) for sku, marketplaces in unknown.items()})
        stats["unknown"] += len(unknown)
        stats["unknown_skus"] = ", ".join(sorted(unknown)[:UNKNOWN_SKUS_SHOWN]) + (
            ", …" if len(unknown) > UNKNOWN_SKUS_SHOWN else "")
        Error._resolve(account, self._flow, {sku for sku in offers.mapped("sku")
                                             if sku not in unknown})

    def _adjust(self, account, location, quantities, stats):
        """Bring ``location`` to ``quantities`` ({product: units}) with one inventory
        adjustment per product that differs (validated stock moves from/to the inventory loss
        location, referenced "Amazon FBA inventory: <account> <date>"). Lot/serial-tracked
        products are not counted blindly: a difference is recorded for a person to count
        with its numbers."""
        products = self.env["product.product"].concat(*quantities).filtered("is_storable")
        current = dict(self.env["stock.quant"]._read_group(
            [("location_id", "=", location.id), ("product_id", "in", products.ids)],
            ["product_id"], ["quantity:sum"]))
        reference = self.env._("Amazon FBA inventory: %(account)s %(date)s", account=account.name,
                               date=fields.Date.context_today(self))
        move_values, tracked, tracked_equal = [], {}, []
        for product in products:
            difference = quantities[product] - current.get(product, 0.0)
            if product.uom_id.is_zero(difference):
                if product.tracking != "none":
                    tracked_equal.append(product.display_name)
                continue
            if product.tracking != "none":
                tracked[product] = (current.get(product, 0.0), quantities[product])
                continue
            move_values.append(self._adjustment_values(account, location, product, difference,
                                                       reference))
        if move_values:
            moves = self.env["stock.move"].create(move_values)
            moves._action_done()
        stats["adjusted"] += len(move_values)
        self._record_tracked(account, location, tracked, stats)
        self.env["amazon.seller.sync.error"]._resolve(account, self._flow, tracked_equal)

    @staticmethod
    def _adjustment_values(account, location, product, difference, reference):
        """A stock move as Odoo's own inventory adjustment makes it (``is_inventory``)."""
        loss = product.with_company(account.company_id).property_stock_inventory
        source, destination = (loss, location) if difference > 0 else (location, loss)
        quantity = abs(difference)
        return {
            "product_id": product.id,
            "product_uom": product.uom_id.id,
            "product_uom_qty": quantity,
            "company_id": account.company_id.id,
            "state": "confirmed",
            "location_id": source.id,
            "location_dest_id": destination.id,
            "is_inventory": True,
            "picked": True,
            "inventory_name": reference,
            "move_line_ids": [(0, 0, {
                "product_id": product.id,
                "product_uom_id": product.uom_id.id,
                "quantity": quantity,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": account.company_id.id,
            })],
        }

    def _record_tracked(self, account, location, tracked, stats):
        failures = {product.display_name: self.env._(
            "%(product)s is tracked by lots or serial numbers: %(location)s holds %(odoo)s units "
            "in Odoo and %(amazon)s at Amazon. Count it with its numbers (inventory "
            "adjustment).", product=product.display_name, location=location.display_name,
            odoo=odoo_qty, amazon=amazon_qty) for product, (odoo_qty, amazon_qty) in tracked.items()}
        self.env["amazon.seller.sync.error"]._record(account, self._flow, failures)
        stats["failed"] += len(failures)

    def _retry_errors(self, account, errors):
        """A person's *Retry*: pull the inventory again now."""
        self.env.ref("amazon_seller.ir_cron_sync_fba_inventory")._trigger()
