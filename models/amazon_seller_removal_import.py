from collections import defaultdict
from datetime import timedelta

from odoo import Command, models

from .. import const
from ..formats.removals_parser import parse_removal_details, parse_removal_shipments
from .amazon_seller_removal import on_hand

# Removal orders take weeks and Amazon lists them again as they move on.
LOOKBACK = timedelta(days=35)
INITIAL_DAYS = 60
PARSERS = {
    const.REMOVAL_DETAIL_REPORT_TYPE: parse_removal_details,
    const.REMOVAL_SHIPMENT_REPORT_TYPE: parse_removal_shipments,
}


class AmazonSellerRemovalImport(models.AbstractModel):
    """The removals flow: Amazon's removal reports of each marketplace become
    ``amazon.seller.removal`` orders with their lines (stored once, updated as Amazon lists
    them again); what Amazon shipped back leaves the FBA stock into *Amazon removals in
    transit* and waits as a receipt of the warehouse (carrier, tracking number); what it
    disposed of or liquidated is scrapped. Details come before shipments in each run."""

    _name = "amazon.seller.removal.import"
    _inherit = "amazon.seller.report.flow"
    _description = "Amazon Removal Orders Import"
    _flow = "removals"
    _cron_xmlid = "amazon_seller.ir_cron_sync_removals"
    _parsers = PARSERS

    def _run(self, account, state, stats, commit):
        return self._run_reports(account, state, stats, commit, LOOKBACK, INITIAL_DAYS)

    def _summary(self, stats):
        return self.env._(
            "%(orders)s removal order(s) new or updated, %(shipped)s unit(s) shipped back, "
            "%(disposed)s disposed of, %(failed)s failed", orders=stats["orders"],
            shipped=stats["shipped"], disposed=stats["disposed"], failed=stats["failed"],
        ) + self._pending_note(stats)

    def _store_rows(self, account, marketplace, report_type, rows, stats):
        if report_type == const.REMOVAL_DETAIL_REPORT_TYPE:
            self._store_details(account, marketplace, rows, stats)
        else:
            self._store_shipments(account, marketplace, rows, stats)

    # === ORDERS AND LINES === #

    def _products(self, account, skus):
        """{SKU: product} of the account's FBA offers mapped to a product."""
        offers = self.env["amazon.seller.offer"].with_context(active_test=False).search([
            ("account_id", "=", account.id), ("sku", "in", list(skus)),
            ("fulfillment_channel", "=", "fba"), ("product_id", "!=", False)])
        return {offer.sku: offer.product_id for offer in offers}

    def _removals(self, account, marketplace, rows):
        """{order id: removal} of the rows, the missing ones created."""
        Removal = self.env["amazon.seller.removal"].with_context(mail_create_nolog=True)
        refs = {row.order_ref for row in rows}
        removals = {r.order_ref: r for r in Removal.search(
            [("account_id", "=", account.id), ("order_ref", "in", list(refs))])}
        firsts = {}
        for row in rows:
            firsts.setdefault(row.order_ref, row)
        created = Removal.create([{
            "account_id": account.id, "marketplace_id": marketplace.id, "order_ref": ref,
            "order_type": getattr(row, "order_type", "return"),
            "currency_id": marketplace.currency_id.id,
        } for ref, row in firsts.items() if ref not in removals])
        removals.update({removal.order_ref: removal for removal in created})
        return removals

    def _store_details(self, account, marketplace, rows, stats):
        removals = self._removals(account, marketplace, rows)
        products = self._products(account, {row.sku for row in rows})
        lines = {(line.removal_id.id, line.key): line
                 for line in self.env["amazon.seller.removal"].browse(
                     [removal.id for removal in removals.values()]).line_ids}
        touched = self.env["amazon.seller.removal"]
        for row in rows:
            removal = removals[row.order_ref]
            values = {"sku": row.sku, "sellable": row.sellable, "requested": row.requested,
                      "cancelled": row.cancelled, "disposed": row.disposed,
                      "shipped": row.shipped, "in_process": row.in_process,
                      "fee": float(row.fee or 0),
                      "product_id": products[row.sku].id if row.sku in products else False}
            line = lines.get((removal.id, row.key))
            if not line:
                removal.line_ids = [Command.create({"key": row.key, **values})]
                touched |= removal
            elif any(line[name] != value for name, value in values.items()
                     if name != "product_id") or line.product_id.id != values["product_id"]:
                line.write(values)
                touched |= removal
            header = {"amazon_status": row.status, "requested_at": row.requested_at,
                      "order_type": row.order_type}
            if row.updated_at and (not removal.updated_at or row.updated_at > removal.updated_at):
                header["updated_at"] = row.updated_at
            changes = {k: v for k, v in header.items() if removal[k] != v}
            if changes:
                removal.write(changes)
                touched |= removal
        before = sum(touched.line_ids.mapped("disposed_booked"))
        touched.filtered(lambda r: r.order_type != "return")._dispose()
        stats["disposed"] += sum(touched.line_ids.mapped("disposed_booked")) - before
        stats["orders"] += len(touched)

    # === SHIPMENTS BACK TO THE SELLER === #

    @staticmethod
    def _sources(account, removal, shipment):
        """[(location, units)] a shipped-back line leaves from: the FBA stock (or the unsellable
        location) for what Odoo holds there, the inventory adjustment location for the rest
        (unfulfillable units Amazon never reported as stock, units the inventory pull already
        took out): the receipt brings back what Amazon shipped, never a negative stock."""
        location = account._fba_location(removal.marketplace_id) if shipment.sellable \
            else account._fba_unsellable_location()
        held = min(shipment.quantity, on_hand(shipment.product_id, location))
        rest = shipment.quantity - held
        return [(place, units) for place, units in (
            (location, held),
            (shipment.product_id.with_company(removal.company_id).property_stock_inventory, rest),
        ) if units > 0]

    def _store_shipments(self, account, marketplace, rows, stats):
        """New shipment rows: the units leave the FBA stock into the removals' transit
        location, and wait at the warehouse as one receipt per removal and tracking number."""
        Shipment = self.env["amazon.seller.removal.shipment"]
        known = set(Shipment.search([("account_id", "=", account.id),
                                     ("key", "in", [row.key for row in rows])]).mapped("key"))
        new = [row for row in {row.key: row for row in rows}.values() if row.key not in known]
        if not new:
            return
        removals = self._removals(account, marketplace, new)
        products = self._products(account, {row.sku for row in new})
        shipments = Shipment.create([{
            "removal_id": removals[row.order_ref].id, "key": row.key, "sku": row.sku,
            "product_id": products[row.sku].id if row.sku in products else False,
            "sellable": row.sellable,
            "quantity": row.quantity, "carrier": row.carrier or False,
            "tracking_ref": row.tracking or False, "shipped_at": row.shipped_at,
        } for row in new])
        parcels = defaultdict(lambda: self.env["amazon.seller.removal.shipment"])
        for shipment in shipments.filtered("product_id"):
            parcels[(shipment.removal_id, shipment.tracking_ref)] |= shipment
        for (removal, tracking), parcel in parcels.items():
            self._ship_back(account, removal, tracking, parcel)
            stats["shipped"] += sum(parcel.mapped("quantity"))
        stats["orders"] += len(set(removals.values()))

    def _ship_back(self, account, removal, tracking, parcel):
        transit = account._removal_transit_location()
        left = self.env["stock.move"].create([{
            "product_id": shipment.product_id.id, "product_uom_qty": quantity,
            "product_uom": shipment.product_id.uom_id.id,
            "location_id": source.id, "location_dest_id": transit.id,
            "company_id": removal.company_id.id,
            "origin": self.env._("Amazon removal %(order)s", order=removal.order_ref),
        } for shipment in parcel for source, quantity in self._sources(account, removal, shipment)])
        left._action_confirm()
        for move in left:
            move.quantity = move.product_uom_qty
        left.picked = True
        left._action_done()
        warehouse = account.warehouse_id
        receipt = self.env["stock.picking"].create({
            "picking_type_id": warehouse.in_type_id.id,
            "location_id": transit.id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "origin": self.env._("Amazon removal %(order)s", order=removal.order_ref),
            "carrier_tracking_ref": tracking or False,
            "amazon_removal_id": removal.id,
            "company_id": removal.company_id.id,
            "move_ids": [Command.create({
                "product_id": shipment.product_id.id, "product_uom_qty": shipment.quantity,
                "product_uom": shipment.product_id.uom_id.id,
                "location_id": transit.id, "location_dest_id": warehouse.lot_stock_id.id,
                "company_id": removal.company_id.id,
            }) for shipment in parcel],
        })
        receipt.action_confirm()
        receipt.action_assign()
        parcel.picking_id = receipt
