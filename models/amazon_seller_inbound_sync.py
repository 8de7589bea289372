from collections import Counter

from odoo import models

from ..exceptions import AmazonError
from ..formats.inbound_mapper import InboundDataError, read_receipts, read_shipment

# Shipments followed per run.
BATCH = 50


class AmazonSellerInboundSync(models.AbstractModel):
    """The inbound flow: every shipment to Amazon that left the warehouse and that Amazon has not
    closed is asked again — its status (``getShipment``) and what Amazon shipped and received
    per SKU (v0 ``getShipmentItemsByShipmentId``, which Amazon keeps for this) — and the units
    received since the last run move from *Amazon inbound in transit* into the FBA location. A
    shipment Amazon closes with other quantities than were sent stays flagged with a
    discrepancy and an activity for the account's responsible."""

    _name = "amazon.seller.inbound.sync"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Inbound Shipments"
    _flow = "inbound"

    def _accounts_to_run(self):
        return self._to_follow(self.env["amazon.seller.account"]).account_id

    def _to_follow(self, accounts):
        domain = [("inbound_id.state", "in", ("ready", "shipped")),
                  ("confirmation_ref", "!=", False)]
        if accounts:
            domain.append(("account_id", "in", accounts.ids))
        shipments = self.env["amazon.seller.inbound.shipment"].search(
            domain, order="write_date, id")
        return shipments.filtered(lambda shipment: shipment._left())

    def _run(self, account, state, stats, commit):
        shipments = self._to_follow(account)
        for shipment in shipments[:BATCH]:
            self._follow(shipment, stats)
            if commit:
                commit()
        return len(shipments) <= BATCH

    def _receive_before_pull(self, account):
        """Book what Amazon received of the account's shipments before the FBA inventory pull
        reads Amazon's fulfillable quantities: received units then move from transit instead of
        appearing twice (once as an inventory gain, once as a receipt). Amazon unreachable, the
        pull goes on: the inbound flow books them on its next run."""
        stats = Counter()
        for shipment in self._to_follow(account)[:BATCH]:
            try:
                self._follow(shipment, stats)
            except AmazonError:
                return

    def _summary(self, stats):
        return self.env._(
            "%(followed)s shipment(s) to Amazon followed, %(units)s unit(s) received, "
            "%(closed)s closed, %(discrepancies)s with a discrepancy, %(failed)s failed",
            followed=stats["followed"], units=stats["units"], closed=stats["closed"],
            discrepancies=stats["discrepancies"], failed=stats["failed"])

    def _follow(self, shipment, stats):
        """One shipment, all or nothing."""
        gateway = shipment.account_id._get_gateway()
        try:
            with self.env.cr.savepoint():
                raw = gateway.get_inbound_shipment(shipment.inbound_id.plan_ref,
                                                   shipment.shipment_ref)
                status = read_shipment(raw).status
                receipts = read_receipts(gateway.get_inbound_receipts(
                    shipment.confirmation_ref, shipment.marketplace_id.marketplace_id))
                had_discrepancy = shipment.has_discrepancy
                if status != shipment.amazon_status:
                    shipment.amazon_status = status
                stats["units"] += shipment._book_receipts(receipts)
                self._after_receipt(shipment, had_discrepancy, stats)
        except (AmazonError, InboundDataError) as error:
            if isinstance(error, AmazonError) and error.retryable:
                raise
            stats["failed"] += 1
            shipment.message_post(body=self.env._(
                "Amazon's receipts of %(shipment)s could not be read: %(reason)s",
                shipment=shipment.confirmation_ref, reason=getattr(error, "message", str(error))))
        stats["followed"] += 1

    def _after_receipt(self, shipment, had_discrepancy, stats):
        inbound = shipment.inbound_id
        if shipment.has_discrepancy and not had_discrepancy:
            stats["discrepancies"] += 1
            missing = ", ".join(
                f"{item.sku} {item.difference:+d}" for item in shipment.item_ids
                if item.difference)
            shipment.account_id._schedule_activity(
                inbound, self.env._("Amazon received other quantities of %(shipment)s",
                                    shipment=shipment.confirmation_ref),
                self.env._("Amazon's count differs from what was sent (%(items)s). Check the "
                           "shipment in Seller Central and open a case if units are missing.",
                           items=missing))
        if shipment._is_final():
            stats["closed"] += 1
            if all(s._is_final() for s in inbound.shipment_ids):
                inbound.state = "done"
        elif inbound.state == "ready":
            inbound.state = "shipped"
