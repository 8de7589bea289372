"""FBA removal orders through the simulator: units shipped back wait as a receipt of the
warehouse (out of the FBA stock, in transit), disposed units are scrapped, each once, and the
settlement's removal fee points at its order; the reports' rows as Amazon writes them."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import BaseCase, tagged

from ..formats.removals_parser import parse_removal_details, parse_removal_shipments
from .common import ReplayCase

DETAIL_HEADER = ("request-date\torder-id\torder-source\torder-type\torder-status\t"
                 "last-updated-date\tsku\tfnsku\tdisposition\trequested-quantity\t"
                 "cancelled-quantity\tdisposed-quantity\tshipped-quantity\tin-process-quantity\t"
                 "removal-fee\tcurrency")
SHIPMENT_HEADER = ("request-date\torder-id\tshipment-date\tsku\tfnsku\tdisposition\t"
                   "shipped-quantity\tcarrier\ttracking-number\tremoval-order-type")


@tagged("post_install", "-at_install")
class TestRemovalsParser(BaseCase):

    def test_detail_and_shipment_rows(self):
        """Test that detail rows give the order's type, state and quantities, shipment rows
        the package's carrier and tracking number, bad lines a problem naming the column."""
        details, problems = parse_removal_details("\n".join([
            DETAIL_HEADER,
            "2026-05-20T14:21:09+00:00\tRMV-20261105-01\tSeller-initiated Manual Removal\t"
            "Return\tCompleted\t2026-05-22T14:21:09+00:00\tSIM-CBL-050\tX002097058\tUnsellable\t"
            "2\t1\t0\t1\t0\t0.50\tEUR",
            "2026-05-25T20:26:40+00:00\tNNH5H3A36Y\tAutomated Long-Term Storage Removal\t"
            "Disposal\tCompleted\t2026-05-26T20:26:40+00:00\tSIM-CBL-050\tX002097058\tSellable\t"
            "4\t0\t4\t0\t0\t0.80\tGBP",
            "2026-05-25T20:26:40+00:00\tBAD\t\tDisposal\tCompleted\t\tSIM-CBL-050\t\tSellable\t"
            "four\t0\t4\t0\t0\t0.80\tGBP"]).encode())
        ret, disposal = details
        self.assertEqual((ret.order_type, ret.sellable, ret.requested, ret.cancelled,
                          ret.shipped, str(ret.fee), ret.key),
                         ("return", False, 2, 1, 1, "0.50", "RMV-20261105-01|SIM-CBL-050|unsellable"))
        self.assertEqual((disposal.order_type, disposal.disposed, disposal.updated_at),
                         ("disposal", 4, datetime(2026, 5, 26, 20, 26, 40)))
        self.assertEqual([(p.line, p.reason._translate("en_US")) for p in problems],
                         [(4, "requested-quantity 'four' is not a whole number of units")])
        shipments, problems = parse_removal_shipments("\n".join([
            SHIPMENT_HEADER,
            "2026-05-20T14:21:09+00:00\tRMV-20261105-01\t2026-05-22T14:21:09+00:00\t"
            "SIM-MUG-001\tX00F0A84E6\tSellable\t3\tDHL\t00340434161094042557\tReturn"]))
        self.assertEqual(problems, [])
        self.assertEqual((shipments[0].quantity, shipments[0].carrier, shipments[0].tracking,
                          shipments[0].sellable), (3, "DHL", "00340434161094042557", True))


@tagged("post_install", "-at_install")
class TestRemovalOrders(ReplayCase):
    """A US account with ten lamps in its FBA stock, removal orders in Amazon's reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator.scenario.auto_removals = False
        cls.simulator.scenario.add_products("US", ["SIM-LMP-200"], fba_quantity=10)
        cls.account = cls.us_account("Lamp Seller")
        cls.lamp = cls.env["product.product"].create({
            "name": "Reading lamp", "default_code": "SIM-LMP-200", "is_storable": True,
            "taxes_id": [Command.clear()]})
        cls.env["amazon.seller.offer"].create({
            "account_id": cls.account.id, "marketplace_id": cls.marketplace_us.id,
            "sku": "SIM-LMP-200", "fulfillment_channel": "fba", "product_id": cls.lamp.id})
        cls.env["stock.quant"]._update_available_quantity(cls.lamp, cls.account.fba_location_id, 10)
        cls.two_days_ago = (datetime.utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def setUp(self):
        super().setUp()
        self.simulator.scenario.removal_orders.clear()

    def sync_removals(self):
        return self.env["amazon.seller.removal.import"]._run_now(self.account)

    def on_hand(self, location):
        return self.lamp.with_context(location=location.id).qty_available

    def removal(self, ref):
        return self.env["amazon.seller.removal"].search([("order_ref", "=", ref)])

    def test_units_shipped_back_wait_as_a_receipt(self):
        """Test that a return removal takes the units out of the FBA stock into transit and
        makes one receipt per tracking number, which the warehouse validates into stock."""
        self.simulator.scenario.add_removal_order(
            "RMV-1", "Return", [{"sku": "SIM-LMP-200", "disposition": "Sellable", "quantity": 3,
                                 "tracking_number": "1Z999AA10123456784", "carrier": "UPS"}],
            self.two_days_ago, marketplace_id=self.marketplace_us.marketplace_id)
        stats = self.sync_removals()
        removal = self.removal("RMV-1")
        self.assertEqual((removal.order_type, removal.requested_qty, stats["shipped"]),
                         ("return", 3, 3))
        receipt = removal.picking_ids
        self.assertEqual((receipt.picking_type_code, receipt.state, receipt.carrier_tracking_ref),
                         ("incoming", "assigned", "1Z999AA10123456784"))
        self.assertEqual(self.on_hand(self.account.fba_location_id), 7.0)
        self.assertEqual(self.on_hand(self.account.removal_transit_location_id), 3.0)
        receipt.button_validate()
        self.assertEqual(self.on_hand(self.account.warehouse_id.lot_stock_id), 3.0)
        self.sync_removals()
        self.assertEqual(len(removal.picking_ids), 1, "shipped back once")
        self.assertEqual(self.on_hand(self.account.fba_location_id), 7.0)

    def test_disposed_units_are_scrapped_once_and_the_fee_points_at_the_order(self):
        """Test that a disposal scraps the disposed units from the FBA stock once, and the
        settlement's DisposalComplete row names the removal order."""
        self.simulator.scenario.add_removal_order(
            "RMV-2", "Disposal", [("SIM-LMP-200", "Sellable", 2)], self.two_days_ago,
            marketplace_id=self.marketplace_us.marketplace_id)
        stats = self.sync_removals()
        removal = self.removal("RMV-2")
        self.assertEqual((stats["disposed"], removal.scrap_ids.scrap_qty,
                          removal.scrap_ids.state), (2, 2.0, "done"))
        self.assertEqual(self.on_hand(self.account.fba_location_id), 8.0)
        self.sync_removals()
        self.assertEqual(len(removal.scrap_ids), 1, "scrapped once")
        header = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                  "total-amount\tcurrency\ttransaction-type\torder-id\tamount-type\t"
                  "amount-description\tamount\tposted-date")
        content = "\n".join([
            header, "S-RMV\t2026-11-01 00:00:00 UTC\t2026-11-14 23:59:59 UTC\t"
                    "2026-11-16 00:00:00 UTC\t-0.30\tUSD\t\t\t\t\t\t",
            "S-RMV\t\t\t\t\tUSD\tother-transaction\tRMV-2\tother-transaction\t"
            "DisposalComplete\t-0.30\t2026-11-10 10:00:00 UTC"]).encode()
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            self.account, content, "s-rmv.txt")
        row = settlement.line_ids.filtered(lambda line: line.order_ref == "RMV-2")
        self.assertEqual(row.removal_id, removal)
        self.assertEqual(removal.fee_line_count, 1)

    def test_what_odoo_never_held_makes_no_negative_stock(self):
        """Test that disposing of unsellable units Odoo never held scraps nothing, and units
        shipped back beyond what the FBA location holds still arrive, none below zero."""
        self.simulator.scenario.add_removal_order(
            "RMV-3", "Disposal", [("SIM-LMP-200", "Unsellable", 2)], self.two_days_ago,
            marketplace_id=self.marketplace_us.marketplace_id)
        self.simulator.scenario.add_removal_order(
            "RMV-4", "Return", [("SIM-LMP-200", "Sellable", 12)], self.two_days_ago,
            marketplace_id=self.marketplace_us.marketplace_id)
        self.sync_removals()
        self.assertFalse(self.removal("RMV-3").scrap_ids)
        self.assertEqual(self.removal("RMV-3").line_ids.disposed_booked, 2)
        receipt = self.removal("RMV-4").picking_ids
        self.assertEqual(sum(receipt.move_ids.mapped("product_uom_qty")), 12.0)
        self.assertEqual(self.on_hand(self.account.fba_location_id), 0.0)
        self.assertFalse(self.env["stock.quant"].search([
            ("product_id", "=", self.lamp.id), ("location_id.usage", "=", "internal"),
            ("quantity", "<", 0)]))
