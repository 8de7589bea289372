"""Customer returns: Amazon's two returns reports read as Amazon writes them, and the returns
flow through the simulator — FBA returns back into Amazon's stock (or the unsellable
location), FBM returns expected at the warehouse, and the refund and the return told as one
story whichever arrives first."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import BaseCase, tagged

from ..formats.returns_parser import ReportFileError, parse_fba_returns, parse_fbm_returns
from .common import ReplayCase
from .orders import make_order

FBA_HEADER = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\t"
              "fulfillment-center-id\tdetailed-disposition\treason\tstatus\t"
              "license-plate-number\tcustomer-comments")
FBM_HEADER = "\t".join([
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
    "Seller RMA ID", "Label type", "Label cost", "Currency code", "Return carrier",
    "Tracking ID", "Label to be paid by", "A-to-z claim", "Is prime", "ASIN", "Merchant SKU",
    "Item Name", "Return quantity", "Return reason", "In policy", "Return type", "Resolution",
    "Invoice number", "Return delivery date", "Order Amount", "Order quantity",
    "SafeT action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
    "SafeT claim reimbursement amount", "Refunded Amount", "Category"])

FBA_SHIPPED = "113-7000001-7000001"
FBA_DAMAGED = "113-7000002-7000002"
FBM_ORDER = "113-7000003-7000003"
FBA_LATE = "113-7000004-7000004"


def fbm_row(order, rma, status, delivered, tracking="1Z999AA10123456784", quantity="1"):
    return "\t".join([
        order, "2026-10-30", "2026-11-04", status, rma, "", "AmazonUnPaidLabel", "6.50", "USD",
        "UPS", tracking, "Seller", "N", "N", "B0TEST0000", "LAMP", "Reading lamp", quantity,
        "UNWANTED_ITEM", "Y", "C-Returns", "StandardRefund", "", delivered, "29.99", "1", "", "",
        "", "", "", "29.99" if delivered else "", "home"])


@tagged("post_install", "-at_install")
class TestReturnsParser(BaseCase):
    """The two reports' rows as plain values, each return keyed as Amazon lists it again."""

    def test_fba_rows_keep_condition_reason_and_license_plate(self):
        """Test that FBA rows give the unit's condition, its license plate as the key, and
        UTC times; a row without license plate gets a key from its own values."""
        text = "\n".join([
            FBA_HEADER,
            "2026-11-05T14:21:09+01:00\t113-1\tLAMP\tB0TEST0000\tX001\tReading lamp\t1\tPHX7\t"
            "SELLABLE\tUNWANTED_ITEM\tUnit returned to inventory\tLPNRR0000000001\t",
            "2026-11-06T08:00:00+00:00\t113-2\tLAMP\tB0TEST0000\tX001\tReading lamp\t2\tPHX7\t"
            "CUSTOMER_DAMAGED\tDEFECTIVE\tReimbursed\t\tbroken on arrival",
        ])
        rows, problems = parse_fba_returns(text.encode())
        self.assertEqual(problems, [])
        first, second = rows
        self.assertEqual((first.key, first.channel, first.order_ref, first.quantity,
                          first.returned_at, first.sellable, first.received),
                         ("fba:LPNRR0000000001", "fba", "113-1", 1,
                          datetime(2026, 11, 5, 13, 21, 9), True, True))
        self.assertEqual((second.key, second.sellable, second.disposition, second.comments),
                         ("fba:113-2|LAMP|2026-11-06T08:00:00|CUSTOMER_DAMAGED|2", False,
                          "CUSTOMER_DAMAGED", "broken on arrival"))

    def test_fbm_rows_say_whether_the_parcel_is_back(self):
        """Test that FBM rows key on Amazon's RMA and SKU, carry the return label's tracking
        number, and are received only once delivered or closed."""
        text = "\n".join([FBM_HEADER, fbm_row("113-3", "DxYz1234AbC", "Approved", ""),
                          fbm_row("113-4", "DqRs5678TuV", "Closed", "2026-11-09")])
        (approved, closed), problems = parse_fbm_returns(text)
        self.assertEqual(problems, [])
        self.assertEqual((approved.key, approved.tracking, approved.carrier, approved.received,
                          approved.refunded),
                         ("fbm:DxYz1234AbC|LAMP", "1Z999AA10123456784", "UPS", False, None))
        self.assertEqual((closed.received, str(closed.delivered_on), str(closed.refunded)),
                         (True, "2026-11-09", "29.99"))

    def test_unreadable_rows_name_line_and_column(self):
        """Test that a bad row is a problem naming its line and column, the others are read,
        and a report without its columns is refused as a whole."""
        text = "\n".join([
            FBA_HEADER,
            "2026-11-05T14:21:09+00:00\t113-1\tLAMP\t\t\t\tone\tPHX7\tSELLABLE\t\t\tLPN1\t",
            "yesterday\t113-2\tLAMP\t\t\t\t1\tPHX7\tSELLABLE\t\t\tLPN2\t",
            "2026-11-05T14:21:09+00:00\t113-3\tLAMP\t\t\t\t1\tPHX7\tSELLABLE\t\t\tLPN3\t",
        ])
        rows, problems = parse_fba_returns(text.encode("cp1252"))
        self.assertEqual([row.order_ref for row in rows], ["113-3"])
        self.assertEqual([(p.line, p.reason._translate("en_US")) for p in problems], [
            (2, "quantity 'one' is not a whole number of units"),
            (3, "return-date 'yesterday' is not a date")])
        with self.assertRaises(ReportFileError) as caught:
            parse_fbm_returns("Order ID\tMerchant SKU\n113-1\tLAMP\n")
        self.assertIn("Return quantity, Amazon RMA ID", str(caught.exception))


@tagged("post_install", "-at_install")
class TestCustomerReturns(ReplayCase):
    """A US account on the simulator: two FBA orders shipped, an FBM one to ship, their
    returns in Amazon's reports."""

    @classmethod
    def replay_orders(cls):
        def us(order):
            order["recipient"]["deliveryAddress"].update(
                countryCode="US", city="Seattle", stateOrRegion="WA", postalCode="98109")
            return order
        return [us(make_order(ref, market="US", fulfilled_by=by, status=status,
                              items=(("LAMP", 1, "29.99"),)))
                for ref, by, status in [(FBA_SHIPPED, "AMAZON", "SHIPPED"),
                                        (FBA_DAMAGED, "AMAZON", "SHIPPED"),
                                        (FBM_ORDER, "MERCHANT", "UNSHIPPED")]]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.us_account("Lamp Seller")
        cls.lamp = cls.env["product.product"].create({
            "name": "Reading lamp", "default_code": "LAMP", "is_storable": True,
            "taxes_id": [Command.clear()]})
        cls.env["amazon.seller.offer"].create([{
            "account_id": cls.account.id, "marketplace_id": cls.marketplace_us.id, "sku": "LAMP",
            "fulfillment_channel": channel, "product_id": cls.lamp.id}
            for channel in ("fba", "fbm")])
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.lamp, cls.account.fba_location_id, 10)
        Quant._update_available_quantity(cls.lamp, cls.account.warehouse_id.lot_stock_id, 10)
        cls.yesterday = (datetime.utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def setUp(self):
        super().setUp()
        self.simulator.scenario.customer_returns.clear()  # each test says its own returns

    def order(self, ref):
        return self.env["sale.order"].search([("amazon_order_ref", "=", ref)])

    def returns(self):
        return self.env["amazon.seller.return"].search([("account_id", "=", self.account.id)])

    def sync_returns(self):
        return self.env["amazon.seller.return.import"]._run_now(self.account)

    def on_hand(self, location):
        return self.lamp.with_context(location=location.id).qty_available

    def ship_fbm(self):
        picking = self.order(FBM_ORDER).picking_ids
        service = self.env["product.product"].create({"name": "Carriage", "type": "service"})
        picking.write({"carrier_id": self.env["delivery.carrier"].create(
            {"name": "UPS", "product_id": service.id}).id, "carrier_tracking_ref": "1Z1"})
        picking.move_ids.quantity = 1
        picking.button_validate()
        return picking

    def test_fba_returns_go_back_into_amazons_stock_once(self):
        """Test that a sellable FBA return goes back into the FBA location and a damaged one
        into the unsellable location, as returns of the order's delivery (its delivered
        quantity drops), and that a second run reading the same rows adds nothing."""
        self.sync_orders(self.account)
        scenario = self.simulator.scenario
        scenario.add_customer_return(FBA_SHIPPED, "LAMP", 1, self.yesterday,
                                     detailed_disposition="SELLABLE",
                                     license_plate_number="LPNRR0000000001")
        scenario.add_customer_return(FBA_DAMAGED, "LAMP", 1, self.yesterday,
                                     detailed_disposition="CUSTOMER_DAMAGED", reason="DEFECTIVE",
                                     license_plate_number="LPNRR0000000002")
        fba = self.account.fba_location_id
        self.assertEqual(self.on_hand(fba), 8.0, "two FBA orders left")
        stats = self.sync_returns()
        self.assertEqual((stats["created"], stats["received"], stats["waiting"]), (2, 2, 0))
        sellable, damaged = (self.returns().filtered(lambda r: r.order_ref == ref)
                             for ref in (FBA_SHIPPED, FBA_DAMAGED))
        self.assertEqual((sellable.state, sellable.license_plate, sellable.product_id),
                         ("received", "LPNRR0000000001", self.lamp))
        move = sellable.move_ids
        self.assertEqual((move.state, move.location_dest_id, move.to_refund), ("done", fba, True))
        self.assertEqual(move.origin_returned_move_id.location_id, fba, "the delivery's return")
        self.assertEqual((move.date, move.move_line_ids.date),
                         (sellable.returned_at, sellable.returned_at),
                         "dated when Amazon's centre processed it")
        self.assertEqual(self.on_hand(fba), 9.0)
        unsellable = self.account.fba_unsellable_location_id
        self.assertEqual((damaged.move_ids.location_dest_id, damaged.reason, damaged.sellable),
                         (unsellable, "DEFECTIVE", False))
        self.assertEqual(self.on_hand(unsellable), 1.0)
        line = self.order(FBA_SHIPPED).order_line.filtered(lambda l: l.product_id == self.lamp)
        self.assertEqual(line.qty_delivered, 0.0)
        self.assertEqual(self.order(FBA_SHIPPED).amazon_return_state, "returned")

        stats = self.sync_returns()
        self.assertEqual((stats["created"], len(self.returns())), (0, 2), "stored once")
        self.assertEqual(self.on_hand(fba), 9.0, "brought back once")

    def test_fbm_return_is_expected_at_the_warehouse(self):
        """Test that an FBM return becomes Odoo's return of the delivery, waiting for the
        warehouse with Amazon's RMA and the label's tracking number, received when validated."""
        self.sync_orders(self.account)
        delivery = self.ship_fbm()
        self.simulator.scenario.add_customer_return(
            FBM_ORDER, "LAMP", 1, self.yesterday, amazon_rma_id="DxYz1234AbC",
            tracking_id="1Z999AA10123456784", delivered_at=None)
        self.sync_returns()
        record = self.returns()
        picking = record.picking_id
        self.assertEqual((record.state, record.rma, picking.return_id, picking.state),
                         ("expected", "DxYz1234AbC", delivery, "assigned"))
        self.assertEqual(picking.carrier_tracking_ref, "1Z999AA10123456784")
        self.assertIn("DxYz1234AbC", picking.origin)
        self.assertEqual(self.order(FBM_ORDER).amazon_return_state, "expected")
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(record.state, "received")
        self.assertEqual(self.order(FBM_ORDER).order_line.filtered(
            lambda l: l.product_id == self.lamp).qty_delivered, 0.0)

    def test_return_before_its_order_waits_then_matches(self):
        """Test that a return of an order Odoo does not know yet waits, saying why, and is
        matched by a later run once the order is there."""
        self.simulator.scenario.add_customer_return(FBA_SHIPPED, "LAMP", 1, self.yesterday,
                                                    license_plate_number="LPNRR0000000009")
        stats = self.sync_returns()
        record = self.returns()
        self.assertEqual((stats["waiting"], record.state), (1, "waiting"))
        self.assertIn(f"Order {FBA_SHIPPED} is not in Odoo yet", record.problem)
        self.sync_orders(self.account)
        self.sync_returns()
        self.assertEqual((record.state, record.order_id), ("received", self.order(FBA_SHIPPED)))
        self.assertFalse(record.problem)

    def refund_settlement(self, order_ref, settlement_id="S-RET-1"):
        header = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                  "total-amount\tcurrency\ttransaction-type\torder-id\tadjustment-id\t"
                  "amount-type\tamount-description\tamount\tposted-date\torder-item-code")
        item = self.order(order_ref).order_line.filtered("amazon_order_item_id").amazon_order_item_id
        lines = [header, f"{settlement_id}\t2026-11-01 00:00:00 UTC\t2026-11-14 23:59:59 UTC\t"
                         f"2026-11-16 00:00:00 UTC\t-29.99\tUSD\t\t\t\t\t\t\t\t",
                 f"{settlement_id}\t\t\t\t\tUSD\tRefund\t{order_ref}\tADJ1\tItemPrice\tPrincipal\t"
                 f"-29.99\t2026-11-10 10:00:00 UTC\t{item}"]
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            self.account, "\n".join(lines).encode(), f"{settlement_id}.txt")
        self.assertEqual(settlement.state, "ready", settlement.problems)
        settlement.action_post()
        return self.order(order_ref).amazon_credit_note_ids

    def invoice_run(self):
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_invoice_orders").method_direct_trigger()

    def test_return_then_refund_is_one_story_never_refunded_twice(self):
        """Test that once the goods are back the invoicing makes no credit note of its own,
        and the settlement's refund then ties to the returned line: nothing left to invoice."""
        self.sync_orders(self.account)
        self.invoice_run()
        order = self.order(FBA_SHIPPED)
        self.assertEqual(order.invoice_ids.mapped("move_type"), ["out_invoice"])
        self.simulator.scenario.add_customer_return(FBA_SHIPPED, "LAMP", 1, self.yesterday)
        self.sync_returns()
        self.invoice_run()
        self.assertEqual(order.invoice_ids.mapped("move_type"), ["out_invoice"],
                         "the return alone makes no credit note")
        credit_note = self.refund_settlement(FBA_SHIPPED)
        self.assertEqual((credit_note.state, credit_note.amount_total), ("posted", 29.99))
        line = order.order_line.filtered(lambda l: l.product_id == self.lamp)
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (0.0, 0.0))
        self.assertEqual(order.invoice_status, "no", "nothing left to invoice")
        self.assertEqual((order.amazon_return_state, order.amazon_returned_qty,
                          order.amazon_refunded_amount), ("refunded", 1.0, 29.99))
        self.invoice_run()
        self.assertEqual(len(self.env["account.move"].search(
            [("amazon_order_ref", "=", FBA_SHIPPED), ("move_type", "=", "out_refund")])), 1)

    def test_refund_without_return_then_the_return(self):
        """Test that a refund alone shows as refunded, not returned, and the return arriving
        later ties to that refund."""
        self.sync_orders(self.account)
        self.invoice_run()
        order = self.order(FBA_DAMAGED)
        self.refund_settlement(FBA_DAMAGED)
        self.assertEqual(order.amazon_return_state, "refund_only")
        line = order.order_line.filtered(lambda l: l.product_id == self.lamp)
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (1.0, 1.0),
                         "refunded money only: the goods stay with the buyer")
        self.simulator.scenario.add_customer_return(FBA_DAMAGED, "LAMP", 1, self.yesterday,
                                                    detailed_disposition="DEFECTIVE")
        self.sync_returns()
        self.assertEqual(order.amazon_return_state, "refunded")
        self.assertEqual((line.qty_delivered, line.qty_invoiced), (0.0, 0.0))
        self.assertEqual(order.invoice_status, "no", "nothing left to invoice")
        self.assertEqual(round(order.amazon_refunded_amount, 2), 29.99)
