from collections import defaultdict
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import OrderSyncCase, company_on_chart

COLUMNS = ["settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date",
           "total-amount", "currency", "transaction-type", "order-id", "adjustment-id",
           "marketplace-name", "amount-type", "amount-description", "amount", "posted-date",
           "order-item-code", "sku"]


CODES_SEEN = [  # xieyi138_fee-codes.json: every (amount-type, amount-description) observed
    ("other-transaction", "Additional Other Expenses"), ("other-transaction", "Adjustment"),
    ("other-transaction", "Amazon Capital Services"), ("other-transaction", "Balance Adjustment"),
    ("other-transaction", "BalanceAdjustment"), ("ItemFees", "Commission"),
    ("other-transaction", "CS_ERROR_ITEMS"), ("other-transaction", "Current Reserve Amount"),
    ("ItemFees", "DigitalServicesFee"), ("other-transaction", "DisposalComplete"),
    ("other-transaction", "Failed Disbursement"),
    ("other-transaction", "FBA Inventory Reimbursement - Customer Return"),
    ("other-transaction", "FBACustomerReturnPerOrderFee"),
    ("other-transaction", "FBACustomerReturnPerUnitFee"),
    ("other-transaction", "FBACustomerReturnWeightBasedFee"),
    ("other-transaction", "FBAInboundTransportationFee"),
    ("Shipment-Fees", "FBAPerOrderFulfillmentFee"), ("ItemFees", "FBAPerOrderFulfillmentFee"),
    ("ItemFees", "FBAPerUnitFulfillmentFee"), ("Shipment-Fees", "FBATransportationFee"),
    ("ItemFees", "FBAWeightBasedFee"), ("ItemPrice", "GiftWrap"),
    ("ItemFees", "GiftwrapChargeback"), ("ItemPrice", "GiftWrapTax"), ("ItemPrice", "Goodwill"),
    ("ItemFees", "Goodwill"), ("other-transaction", "INCORRECT_FEES_ITEMS"),
    ("other-transaction", "INCORRECT_FEES_NON_ITEMIZED"),
    ("other-transaction", "LightningDealFee Special"),
    ("other-transaction", "Manual Processing Fee"),
    ("other-transaction", "Manual Processing Fee Reimbursement"),
    ("ItemFees", "MarketplaceFacilitatorVAT-Principal"),
    ("ItemFees", "MarketplaceFacilitatorVAT-Shipping"),
    ("other-transaction", "Merchant Bad Debt"), ("other-transaction", "MISSING_FROM_INBOUND"),
    ("Shipment-Fees", "Multi-Channel Fulfillment Brand-Neutral Box Fee"),
    ("other-transaction", "MULTICHANNEL_ORDER_DAMAGED"),
    ("other-transaction", "MULTICHANNEL_ORDER_LATE"),
    ("other-transaction", "MULTICHANNEL_ORDER_LOST"),
    ("other-transaction", "NonSubscriptionFeeAdj"),
    ("other-transaction", "Previous Reserve Amount Balance"), ("ItemPrice", "Principal"),
    ("other-transaction", "Refund Reimbursal"), ("ItemFees", "RefundCommission"),
    ("other-transaction", "REMOVAL_ORDER_DAMAGED"), ("other-transaction", "RemovalComplete"),
    ("ItemPrice", "RestockingFee"), ("ItemFees", "RestockingFee"), ("ItemFees", "ReturnShipping"),
    ("other-transaction", "REVERSAL_REIMBURSEMENT"), ("ItemFees", "SalesTaxServiceFee"),
    ("ItemPrice", "Shipping"), ("Shipment-Fees", "Shipping"), ("Promotion", "Shipping"),
    ("other-transaction", "Shipping label purchase"), ("ItemFees", "ShippingChargeback"),
    ("other-transaction", "ShippingHB"), ("ItemFees", "ShippingHB"),
    ("other-transaction", "ShippingServices"), ("other-transaction", "ShippingServicesRefund"),
    ("ItemPrice", "ShippingTax"), ("other-transaction", "Storage Fee"),
    ("other-transaction", "StorageRenewalBilling"), ("other-transaction", "Subscription Fee"),
    ("ItemPrice", "Tax"), ("other-transaction", "Tax"),
    ("other-transaction", "TransactionTotalAmount"), ("ItemFees", "VariableClosingFee"),
    ("other-transaction", "WAREHOUSE_DAMAGE"),
    ("other-transaction", "WAREHOUSE_DAMAGE_EXCEPTION"), ("other-transaction", "WAREHOUSE_LOST"),
]


def settlement_file(settlement_id, start, end, deposit, total, rows, currency="USD"):
    """A V2 flat file: the summary, then ``rows`` of (transaction type, order id, adjustment
    id, amount type, description, amount, posted date[, order item code, sku, marketplace])."""
    lines = ["\t".join(COLUMNS),
             "\t".join([settlement_id, start, end, deposit, total, currency] + [""] * 10)]
    for row in rows:
        ttype, order, adjustment, atype, description, amount, posted, *rest = row
        item, sku, marketplace = (rest + ["", "", "Amazon.com" if order else ""])[:3]
        lines.append("\t".join([settlement_id, "", "", "", "", currency, ttype, order,
                                adjustment, marketplace, atype, description,
                                amount, posted, item, sku]))
    return ("\n".join(lines) + "\n").encode()


class SettlementCase(TransactionCase):
    """A US company of its own (USD, generic chart, no sales tax: Amazon collects it as
    marketplace facilitator), its Amazon account, and invoiced Amazon orders built directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env, cls.company = company_on_chart(cls.env, "Books & Parcels Inc.", "USD",
                                                "generic_coa", country="us")
        cls.account = cls.env["amazon.seller.account"].create({
            "name": "Books Seller", "company_id": cls.company.id, "region": "NA",
            "marketplace_ids": [Command.set([cls.env.ref("amazon_seller.marketplace_us").id])]})
        cls.payments = cls.account.payments_ids
        cls.buyer = cls.env["res.partner"].create({"name": "Amazon buyer", "country_id":
                                                   cls.env.ref("base.us").id})
        cls.product = cls.env["product.product"].create({
            "name": "Reading lamp", "type": "service", "invoice_policy": "order",
            "taxes_id": [Command.clear()], "company_id": cls.company.id})
        cls.charges = {kind: cls.env.ref(f"amazon_seller.product_amazon_{kind}")
                       for kind in ("shipping", "promotion", "mf_tax")}

    @classmethod
    def invoiced_order(cls, order_ref, lines, day="2026-06-10"):
        """A confirmed Amazon order of ``lines`` [(kind, price)], its invoice posted on ``day``."""
        order_lines = []
        for number, (kind, price) in enumerate(lines):
            product = cls.product if kind == "item" else cls.charges[kind]
            order_lines.append(Command.create({
                "product_id": product.id, "product_uom_qty": 1, "price_unit": price,
                "tax_ids": [Command.clear()],
                "amazon_order_item_id": f"{order_ref}-{number}" if kind == "item" else False}))
        order = cls.env["sale.order"].create({
            "partner_id": cls.buyer.id, "company_id": cls.company.id,
            "amazon_account_id": cls.account.id, "amazon_order_ref": order_ref,
            "amazon_marketplace_id": cls.env.ref("amazon_seller.marketplace_us").id,
            "order_line": order_lines})
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = day
        invoice.action_post()
        return order, invoice

    def import_file(self, content, name="settlement.txt"):
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            self.account, content, name)
        return settlement

    def balances(self, *accounts):
        """{account code: balance} of the posted journal items of ``accounts``."""
        result = defaultdict(float)
        for line in self.env["account.move.line"].search(
                [("account_id", "in", [a.id for a in accounts]), ("parent_state", "=", "posted")]):
            result[line.account_id.code] = round(result[line.account_id.code] + line.balance, 2)
        return {account.code: result[account.code] for account in accounts}

    @staticmethod
    def move_summary(move):
        """{(account name, label): balance} of a journal entry's items."""
        return {(line.account_id.name, line.name): round(line.balance, 2)
                for line in move.line_ids}


@tagged("post_install", "-at_install")
class TestWorkedExample(SettlementCase):
    """The accounting design's worked example (settlement S2 of 16–30 June, after S1)."""

    S1 = settlement_file("9001", "2026-06-01", "2026-06-15", "2026-06-17", "43.67", [
        ("Order", "111-C", "", "ItemPrice", "Principal", "45.50", "2026-06-05", "111-C-0"),
        ("Order", "111-C", "", "ItemPrice", "Tax", "3.75", "2026-06-05", "111-C-0"),
        ("Order", "111-C", "", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "-3.75",
         "2026-06-05", "111-C-0"),
        ("Order", "111-C", "", "ItemFees", "Commission", "-6.83", "2026-06-05", "111-C-0"),
        ("Order", "111-D", "", "ItemPrice", "Principal", "500.00", "2026-06-06", "111-D-0"),
        ("Order", "111-D", "", "ItemFees", "Commission", "-75.00", "2026-06-06", "111-D-0"),
        ("Transfer", "", "", "other-transaction", "Current Reserve Amount", "-420.00",
         "2026-06-15"),
    ])
    S2 = settlement_file("9002", "2026-06-16", "2026-06-30", "2026-07-02", "125.06", [
        ("Order", "111-A", "", "ItemPrice", "Principal", "129.99", "2026-06-17", "111-A-0"),
        ("Order", "111-A", "", "ItemPrice", "Tax", "10.40", "2026-06-17", "111-A-0"),
        ("Order", "111-A", "", "ItemFees", "Commission", "-19.50", "2026-06-17", "111-A-0"),
        ("Order", "111-A", "", "ItemFees", "FBAPerUnitFulfillmentFee", "-4.75", "2026-06-17",
         "111-A-0"),
        ("Order", "111-A", "", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal",
         "-10.40", "2026-06-17", "111-A-0"),
        ("Order", "111-B", "", "ItemPrice", "Principal", "89.00", "2026-06-20", "111-B-0"),
        ("Order", "111-B", "", "ItemPrice", "Shipping", "7.99", "2026-06-20", "111-B-0"),
        ("Order", "111-B", "", "Promotion", "Principal", "-8.90", "2026-06-20", "111-B-0"),
        ("Order", "111-B", "", "ItemPrice", "Tax", "6.61", "2026-06-20", "111-B-0"),
        ("Order", "111-B", "", "ItemPrice", "ShippingTax", "0.66", "2026-06-20", "111-B-0"),
        ("Order", "111-B", "", "ItemFees", "Commission", "-13.21", "2026-06-20", "111-B-0"),
        ("Order", "111-B", "", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "-6.61",
         "2026-06-20", "111-B-0"),
        ("Order", "111-B", "", "ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", "-0.66",
         "2026-06-20", "111-B-0"),
        ("Refund", "111-C", "ADJ-C", "ItemPrice", "Principal", "-45.50", "2026-06-22", "111-C-0"),
        ("Refund", "111-C", "ADJ-C", "ItemPrice", "Tax", "-3.75", "2026-06-22", "111-C-0"),
        ("Refund", "111-C", "ADJ-C", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal",
         "3.75", "2026-06-22", "111-C-0"),
        ("Refund", "111-C", "ADJ-C", "ItemFees", "Commission", "6.83", "2026-06-22", "111-C-0"),
        ("Refund", "111-C", "ADJ-C", "ItemFees", "RefundCommission", "-1.37", "2026-06-22",
         "111-C-0"),
        ("ServiceFee", "", "", "other-transaction", "Storage Fee", "-64.28", "2026-06-25"),
        ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99", "2026-06-25"),
        ("ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount", "-50.00",
         "2026-06-26"),
        ("Adjustment", "", "", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", "18.75",
         "2026-06-27", "", "LAMP-1"),
        ("Transfer", "", "", "other-transaction", "Previous Reserve Amount Balance", "420.00",
         "2026-06-16"),
        ("Transfer", "", "", "other-transaction", "Current Reserve Amount", "-300.00",
         "2026-06-30"),
    ])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_c, cls.invoice_c = cls.invoiced_order(
            "111-C", [("item", 45.50), ("mf_tax", 3.75)], day="2026-06-04")
        cls.order_d, cls.invoice_d = cls.invoiced_order("111-D", [("item", 500.00)], "2026-06-05")
        cls.order_a, cls.invoice_a = cls.invoiced_order(
            "111-A", [("item", 129.99), ("mf_tax", 10.40)], day="2026-06-16")
        cls.order_b, cls.invoice_b = cls.invoiced_order(
            "111-B", [("item", 89.00), ("shipping", 7.99), ("promotion", -8.90),
                      ("mf_tax", 7.27)], day="2026-06-19")

    def assert_books_after_s2(self):
        """MF tax 0, reserve 300.00, Amazon balance 0, S1's and S2's payouts in transit."""
        payments = self.payments
        self.assertEqual(self.balances(payments.mf_tax_account_id, payments.reserve_account_id,
                                       payments.balance_account_id, payments.transit_account_id),
                         {payments.mf_tax_account_id.code: 0.0,
                          payments.reserve_account_id.code: 300.00,
                          payments.balance_account_id.code: 0.0,
                          payments.transit_account_id.code: 168.73})

    def test_worked_example_to_the_cent(self):
        """Test that S1 then S2 book the design's figures: invoices paid, MF tax 0, reserve
        300.00, Amazon balance 0, the payouts in transit until the deposit is matched."""
        self.assertEqual((self.invoice_a.amount_total, self.invoice_b.amount_total),
                         (140.39, 95.36))
        s1 = self.import_file(self.S1, "s1.txt")
        s2 = self.import_file(self.S2, "s2.txt")
        self.assertEqual((s1.state, s2.state), ("ready", "ready"), s2.problems)
        self.assertEqual(
            (s2.sales_amount, s2.refund_amount, s2.fee_amount, s2.advertising_amount,
             s2.reimbursement_amount, s2.reserve_amount, s2.mf_tax_amount, s2.transfer_amount,
             s2.total_amount, s2.order_count),
            (235.75, -49.25, -136.27, -50.00, 18.75, 120.00, -13.92, 0.0, 125.06, 3))
        self.assertIn("Storage Fee", s2.fee_summary)
        s1.action_post()
        s2.action_post()
        self.assertEqual((s1.state, s2.state), ("posted", "posted"))
        self.assertEqual(s2.invoice_count, 4, "A, B, C and C's credit note")
        self.assertEqual(self.account.unposted_settlement_count, 0)
        self.assertEqual(self.account.undeposited_count, 2)

        credit_note = self.env["account.move"].search([
            ("amazon_order_ref", "=", "111-C"), ("move_type", "=", "out_refund")])
        self.assertEqual((credit_note.amount_total, credit_note.amazon_adjustment_ref,
                          credit_note.invoice_date), (49.25, "ADJ-C", fields.Date.to_date("2026-06-22")))
        sales_account = self.invoice_c.invoice_line_ids.filtered(
            lambda l: l.product_id == self.product).account_id
        self.assertEqual(sorted((line.account_id.id, line.price_subtotal)
                                for line in credit_note.invoice_line_ids),
                         sorted([(sales_account.id, 45.50),
                                 (self.payments.mf_tax_account_id.id, 3.75)]))
        for move in (self.invoice_a, self.invoice_b, self.invoice_c, self.invoice_d, credit_note):
            self.assertEqual(move.payment_state, "paid", move.amazon_order_ref)

        line = s2.statement_id.line_ids.filtered(lambda l: l.amount == 125.06)
        self.assertEqual(line.date, fields.Date.to_date("2026-06-30"))
        summary = self.move_summary(line.move_id)
        payments = self.payments
        by_account = defaultdict(float)
        for (account, _label), balance in summary.items():
            by_account[account] = round(by_account[account] + balance, 2)
        self.assertEqual(dict(by_account), {
            payments.balance_account_id.name: 125.06,
            self.invoice_a.line_ids.filtered(lambda l: l.account_id.account_type ==
                                             "asset_receivable").account_id.name:
                round(49.25 - 140.39 - 95.36, 2),
            payments.mf_tax_account_id.name: 13.92,
            payments.fee_account_id.name: 27.25,
            payments.fba_fee_account_id.name: 4.75,
            payments.storage_account_id.name: 64.28,
            payments.subscription_account_id.name: 39.99,
            payments.advertising_account_id.name: 50.00,
            payments.reimbursement_account_id.name: -18.75,
            payments.reserve_account_id.name: round(300.00 - 420.00, 2),
        })
        self.assert_books_after_s2()
        reserve_lines = self.env["account.move.line"].search(
            [("account_id", "=", payments.reserve_account_id.id)])
        self.assertEqual(sorted((l.balance, l.reconciled) for l in reserve_lines),
                         [(-420.0, True), (300.0, False), (420.0, True)])

        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id),
             ("id", "not in", self.account.payments_ids.journal_id.ids)], limit=1)
        deposit = self.env["account.bank.statement.line"].create({
            "journal_id": bank.id, "date": "2026-07-03", "amount": 125.06,
            "payment_ref": "AMAZON PAYMENTS 9002"})
        s2.action_match_deposit()
        self.assertEqual((s2.state, s2.deposit_line_id), ("deposited", deposit))
        self.assertTrue(deposit.is_reconciled)
        self.assertEqual(self.balances(payments.transit_account_id),
                         {payments.transit_account_id.code: 43.67}, "S1's payout still to come")
        self.account.invalidate_recordset(["undeposited_count"])
        self.assertEqual(self.account.undeposited_count, 1)

    def test_large_month_is_booked_in_several_statement_lines(self):
        """Test that a month of many orders is split into statement lines (here of one order
        each) that book the same: invoices paid, MF tax 0, reserve 300.00, transit = payouts."""
        from ..models import amazon_seller_settlement_posting as posting
        s1 = self.import_file(self.S1, "s1.txt")
        s2 = self.import_file(self.S2, "s2.txt")
        with patch.object(posting, "ORDERS_PER_LINE", 1):
            (s1 | s2).action_post()
        self.assertEqual(s2.statement_id.line_ids.sorted("id").mapped("payment_ref"), [
            "Amazon settlement 9002, 2026-06 (1/3)", "Amazon settlement 9002, 2026-06 (2/3)",
            "Amazon settlement 9002, 2026-06 (3/3)", "Amazon payout 9002"])
        for move in (self.invoice_a, self.invoice_b, self.invoice_c, self.invoice_d):
            self.assertEqual(move.payment_state, "paid", move.amazon_order_ref)
        self.assert_books_after_s2()

    def test_posting_twice_is_refused(self):
        """Test that a posted settlement cannot be posted again (cron and button at once)."""
        s1 = self.import_file(self.S1, "s1.txt")
        s1.action_post()
        statements = self.env["account.bank.statement"].search_count([])
        with self.assertRaises(UserError) as caught:
            self.env["amazon.seller.settlement.posting"]._post(s1)
        self.assertIn("Settlement 9001 is not ready to post", caught.exception.args[0])
        self.assertEqual(self.env["account.bank.statement"].search_count([]), statements)

    def test_period_and_deposit_are_the_utc_days_amazon_gives(self):
        """Test that Amazon's 00:00:00 and 23:59:59 UTC are stored as days: 16 to 30 June,
        deposit 2 July, whatever the user's time zone."""
        settlement = self.import_file(settlement_file(
            "9301", "2026-06-16 00:00:00 UTC", "2026-06-30 23:59:59 UTC",
            "2026-07-02 00:00:00 UTC", "18.75", [
                ("Adjustment", "", "", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE",
                 "18.75", "2026-06-27", "", "LAMP-1")]))
        berlin = settlement.with_context(tz="Europe/Berlin")
        self.assertEqual((berlin.date_start, berlin.date_end, berlin.deposit_date), (
            fields.Date.to_date("2026-06-16"), fields.Date.to_date("2026-06-30"),
            fields.Date.to_date("2026-07-02")))

    def test_rows_of_a_posted_settlement_under_another_id_are_refused(self):
        """Test that S1's rows in a file of another settlement id stay to review, naming S1
        and a sample of the rows, and that posting it is refused."""
        s1 = self.import_file(self.S1, "s1.txt")
        s1.action_post()
        copy = self.import_file(self.S1.replace(b"9001", b"9091"), "copy.txt")
        self.assertEqual(copy.state, "to_review")
        self.assertEqual(copy.problems, (
            "7 rows were already booked by settlement 9001 (Posted): Order 111-C "
            "ItemFees/Commission -6.83 on 2026-06-05; Order 111-C ItemPrice/Principal 45.50 on "
            "2026-06-05; Order 111-C ItemPrice/Tax 3.75 on 2026-06-05; …"))
        with self.assertRaises(UserError):
            copy.action_post()
        self.assertFalse(copy.statement_id)

    def test_rows_booked_while_ready_send_the_settlement_back_to_review(self):
        """Test that of two ready settlements of the same rows, the one posted second goes back
        to review naming the first, and books nothing: the reserve is held once."""
        s1 = self.import_file(self.S1, "s1.txt")
        copy = self.import_file(self.S1.replace(b"9001", b"9091"), "copy.txt")
        self.assertEqual((s1.state, copy.state), ("ready", "ready"))
        s1.action_post()
        action = copy.action_post()
        self.assertEqual((copy.state, copy.statement_id.id), ("to_review", False))
        self.assertIn("7 rows were already booked by settlement 9001 (Posted)", copy.problems)
        self.assertEqual((action["params"]["type"], action["params"]["message"]),
                         ("warning", copy.problems))
        self.assertEqual(self.balances(self.payments.reserve_account_id),
                         {self.payments.reserve_account_id.code: 420.00})

    def test_rows_differing_in_amount_or_posted_date_are_not_booked_twice(self):
        """Test that rows of another settlement differing from S1's in amount alone or in
        posted date alone are no rows booked twice."""
        self.import_file(self.S1, "s1.txt").action_post()
        other = self.import_file(settlement_file(
            "9092", "2026-06-01", "2026-06-15", "2026-06-17", "-150.01", [
                ("Order", "111-D", "", "ItemFees", "Commission", "-75.01", "2026-06-06",
                 "111-D-0"),
                ("Order", "111-D", "", "ItemFees", "Commission", "-75.00", "2026-06-07",
                 "111-D-0"),
            ]), "other.txt")
        self.assertEqual((other.state, other.problems), ("ready", False))

    def test_identical_rows_are_counted_across_settlements_only(self):
        """Test that two identical rows in one file are two rows, and that of three identical
        rows in a later file two were booked already."""
        damage = ("Adjustment", "", "", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE",
                  "18.75", "2026-06-27", "", "LAMP-1")
        first = self.import_file(settlement_file(
            "9201", "2026-06-16", "2026-06-30", "2026-07-02", "37.50", [damage, damage]), "a.txt")
        self.assertEqual(first.state, "ready", first.problems)
        first.action_post()
        later = self.import_file(settlement_file(
            "9202", "2026-06-16", "2026-06-30", "2026-07-02", "56.25", [damage] * 3), "b.txt")
        self.assertEqual((later.state, later.problems), (
            "to_review", "2 rows were already booked by settlement 9201 (Posted): Adjustment "
                         "FBA Inventory Reimbursement/WAREHOUSE_DAMAGE 18.75 on 2026-06-27"))

    def test_deposited_settlement_stays_posted(self):
        """Test that a deposited payout is posted for every purpose: posting or matching it
        again and another file of it are refused, it is no settlement to post."""
        s1 = self.import_file(self.S1, "s1.txt")
        s1.action_post()
        self.env["account.bank.statement.line"].create({
            "journal_id": self.env["account.journal"].search([
                ("type", "=", "bank"), ("company_id", "=", self.company.id),
                ("id", "not in", self.account.payments_ids.journal_id.ids)], limit=1).id,
            "date": "2026-06-18", "amount": 43.67, "payment_ref": "AMAZON PAYMENTS 9001"})
        s1.action_match_deposit()
        self.assertEqual((s1.state, s1.deposit_date),
                         ("deposited", fields.Date.to_date("2026-06-17")))
        with self.assertRaises(UserError):
            self.env["amazon.seller.settlement.posting"]._post(s1)
        with self.assertRaises(UserError):
            s1.action_match_deposit()
        with self.assertRaises(UserError):
            self.import_file(self.S1.replace(b"-420.00", b"-420.01").replace(b"43.67", b"43.66"))
        self.assertEqual((s1.state, self.account.unposted_settlement_count), ("deposited", 0))


@tagged("post_install", "-at_install")
class TestSimulatorChains(OrderSyncCase):
    """Every settlement the simulator made for three accounts (US with facilitator tax; DE with
    `95,00` and DD.MM.YYYY, UK with ISO dates; JP without decimals), imported, posted in order:
    the cycle of import, map, post and match, in a USD company with its own exchange rates."""

    simulator_options = {"orders": 100, "seed": 7, "rate_limits": False}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.account.company_id
        assert company.currency_id.name == "USD", "a USD company"
        for code, rate in (("EUR", 0.92), ("GBP", 0.79), ("JPY", 151.0), ("CAD", 1.37)):
            currency = cls.env.ref(f"base.{code}")
            currency.active = True
            cls.env["res.currency.rate"].create({
                "currency_id": currency.id, "company_id": company.id, "name": "2020-01-01",
                "rate": rate})
        cls.accounts._ensure_payments()

    def run_flow(self, model, account):
        for _run in range(20):
            stats = self.env[model]._run_now(account)
            if not stats.get("remaining"):
                return

    def cycle(self):
        """What the scheduled actions do: orders in, invoices out, settlements imported; then
        the ready settlements posted, oldest first."""
        for account in self.accounts:
            for flow in ("amazon.seller.order.import", "amazon.seller.invoicing",
                         "amazon.seller.settlement.import"):
                self.run_flow(flow, account)
        settlements = self.env["amazon.seller.settlement"].search(
            [("account_id", "in", self.accounts.ids), ("state", "!=", "posted")],
            order="date_end, id")
        for settlement in settlements:
            self.assertEqual(settlement.currency_id.round(sum(settlement.line_ids.mapped("amount"))),
                             settlement.total_amount, settlement.settlement_ref)
            self.assertEqual(settlement.state, "ready", settlement.problems)
        # a test's rows are never committed, so autovacuum never gives PostgreSQL statistics of
        # them: without, Odoo's reconciliation queries get nested-loop plans 20 times slower
        self.env.cr.execute("ANALYZE account_move_line, account_move, account_partial_reconcile")
        settlements.action_post()

    def test_every_settlement_posts_to_the_cent(self):
        """Test that each account's settlements add up, post in order, pay their invoices and
        leave exactly the payouts not yet deposited in transit, over twelve simulated weeks."""
        self.cycle()
        for _fortnight in range(4):
            self.simulator.advance(days=14)
            self.cycle()
        settlements = self.env["amazon.seller.settlement"].search(
            [("account_id", "in", self.accounts.ids)], order="date_end, id")
        per_currency = {}
        for settlement in settlements:
            key = (settlement.account_id.name, settlement.currency_id.name)
            per_currency[key] = per_currency.get(key, 0) + 1
        self.assertEqual(per_currency, {
            ("Test Seller NA", "USD"): 6, ("Test Seller NA", "CAD"): 6,
            ("Test Seller EU", "EUR"): 12, ("Test Seller EU", "GBP"): 6,
            ("Test Seller JP", "JPY"): 6})
        self.assertEqual(set(settlements.mapped("state")), {"posted"})
        for payments in self.accounts.payments_ids:
            mine = settlements.filtered(lambda s, p=payments: s.account_id == p.account_id
                                        and s.currency_id == p.currency_id)
            transit = self.env["account.move.line"].search([
                ("account_id", "=", payments.transit_account_id.id),
                ("journal_id", "=", payments.journal_id.id)])
            # the payouts, less the debts a later settlement carried (Payable to Amazon) and
            # plus the card charges that paid them (Successful charge), still to be matched
            carried = mine.line_ids.filtered(lambda l: l.kind in ("transit", "carried"))
            self.assertEqual(payments.currency_id.round(sum(transit.mapped("amount_currency"))),
                             payments.currency_id.round(sum(mine.mapped("total_amount"))
                                                        - sum(carried.mapped("amount"))),
                             payments.display_name)
            self.assertTrue(payments.currency_id.is_zero(payments.balance), payments.display_name)
        settled = self.env["account.move"].search([
            ("amazon_order_ref", "in", settlements.line_ids.filtered(
                lambda l: l.kind == "order").mapped("order_ref")),
            ("move_type", "=", "out_invoice"), ("state", "=", "posted")])
        self.assertTrue(settled)
        self.assertEqual(set(settled.mapped("payment_state")), {"paid"})


def order_e_rows(day, commission_day=None):
    """Order 111-E's sale as Amazon settles it: 60.00 and 5.00 shipping, 4.20 tax Amazon
    collects and withholds, 9.75 commission."""
    return [
        ("Order", "111-E", "", "ItemPrice", "Principal", "60.00", day, "111-E-0"),
        ("Order", "111-E", "", "ItemPrice", "Shipping", "5.00", day, "111-E-0"),
        ("Order", "111-E", "", "ItemPrice", "Tax", "4.20", day, "111-E-0"),
        ("Order", "111-E", "", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "-4.20",
         day, "111-E-0"),
        ("Order", "111-E", "", "ItemFees", "Commission", "-9.75", commission_day or day,
         "111-E-0"),
    ]


@tagged("post_install", "-at_install")
class TestSettlementCases(SettlementCase):
    """What real settlements carry besides plain orders, posted through the button or cron."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_e, cls.invoice_e = cls.invoiced_order(
            "111-E", [("item", 60.00), ("shipping", 5.00), ("mf_tax", 4.20)], day="2026-06-20")

    def transit_lines(self):
        return self.env["account.move.line"].search(
            [("account_id", "=", self.payments.transit_account_id.id)], order="id")

    def test_refund_in_the_settlement_of_its_own_order(self):
        """Test that an order and its partial refund in one file pay the invoice and a credit
        note of the refunded part, per item, shipping included."""
        settlement = self.import_file(settlement_file(
            "9101", "2026-06-16", "2026-06-30", "2026-07-02", "41.67", [
                *order_e_rows("2026-06-21"),
                ("Refund", "111-E", "ADJ-E", "ItemPrice", "Principal", "-10.00", "2026-06-28",
                 "111-E-0"),
                ("Refund", "111-E", "ADJ-E", "ItemPrice", "Shipping", "-2.50", "2026-06-28",
                 "111-E-0"),
                ("Refund", "111-E", "ADJ-E", "ItemPrice", "Tax", "-0.70", "2026-06-28",
                 "111-E-0"),
                ("Refund", "111-E", "ADJ-E", "ItemWithheldTax",
                 "MarketplaceFacilitatorTax-Principal", "0.70", "2026-06-28", "111-E-0"),
                ("Refund", "111-E", "ADJ-E", "ItemFees", "Commission", "1.50", "2026-06-28",
                 "111-E-0"),
                ("Refund", "111-E", "ADJ-E", "ItemFees", "RefundCommission", "-0.30",
                 "2026-06-28", "111-E-0"),
                ("Refund", "111-E", "ADJ-E", "ItemPrice", "Principal", "-2.28", "2026-06-29",
                 "111-E-0"),
            ]))
        self.assertEqual(settlement.state, "ready", settlement.problems)
        settlement.action_post()
        credit_note = self.env["account.move"].search([("amazon_adjustment_ref", "=", "ADJ-E")])
        self.assertEqual(credit_note.amount_total, 15.48, "10.00 + 2.50 + 0.70 + 2.28")
        self.assertEqual(sorted((l.product_id.name, l.price_subtotal)
                                for l in credit_note.invoice_line_ids), [
            ("Amazon shipping", 2.50), ("Reading lamp", 12.28),
            ("Tax collected by Amazon", 0.70)])
        self.assertEqual((self.invoice_e.payment_state, credit_note.payment_state),
                         ("paid", "paid"))
        self.assertEqual(round(sum(self.transit_lines().mapped("balance")), 2), 41.67)

    def test_negative_settlement_carried_as_payable_to_amazon(self):
        """Test that a negative payout waits in transit as a debt, which the next settlement's
        Payable to Amazon row clears; its card charge stays for the card statement."""
        negative = self.import_file(settlement_file(
            "9201", "2026-06-01", "2026-06-15", "2026-06-17", "-321.69", [
                ("ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount", "-281.70",
                 "2026-06-10"),
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99",
                 "2026-06-14"),
            ]))
        negative.action_post()
        self.assertEqual([line.balance for line in self.transit_lines()], [-321.69])
        following = self.import_file(settlement_file(
            "9202", "2026-06-16", "2026-06-30", "2026-07-02", "55.05", [
                ("other-transaction", "", "", "other-transaction", "Payable to Amazon", "-321.69",
                 "2026-06-16"),
                ("other-transaction", "", "", "other-transaction", "Successful charge", "321.69",
                 "2026-06-17"),
                *order_e_rows("2026-06-21"),
                ("Order", "111-E", "", "ItemFees", "FBAPerUnitFulfillmentFee", "-0.20",
                 "2026-06-21", "111-E-0"),
            ]))
        self.assertEqual(following.state, "ready", following.problems)
        following.action_post()
        self.assertEqual(sorted((line.balance, line.reconciled) for line in self.transit_lines()), [
            (-321.69, False), (-321.69, True), (55.05, False), (321.69, True)])
        self.assertEqual(self.invoice_e.payment_state, "paid")
        self.assertEqual(round(sum(self.transit_lines().mapped("balance")), 2), -266.64,
                         "the payout to come, less the card charge to match")
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id),
             ("id", "not in", self.account.payments_ids.journal_id.ids)], limit=1)
        charge = self.env["account.bank.statement.line"].create({
            "journal_id": bank.id, "date": "2026-06-18", "amount": -321.69,
            "payment_ref": "AMAZON SELLER CHARGE"})
        negative.action_match_deposit()
        self.assertEqual((negative.deposit_line_id, charge.is_reconciled), (charge, True))
        self.assertEqual(round(sum(self.transit_lines().mapped("balance")), 2), 55.05,
                         "only the next payout is still to come")

    def bank_line(self, day, amount, reference):
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id),
             ("id", "not in", self.account.payments_ids.journal_id.ids)], limit=1)
        return self.env["account.bank.statement.line"].create(
            {"journal_id": bank.id, "date": day, "amount": amount, "payment_ref": reference})

    def test_each_bank_line_matches_its_own_transit_line(self):
        """Test that, over two negative settlements each carried into a positive one, every
        deposit matches its payout alone, each card charge the Successful charge that paid a
        negative payout, a micro deposit its own bank line: all bank lines fully reconciled,
        transit 0 at the end."""
        _order_f, invoice_f = self.invoiced_order("111-F", [("item", 1100.00)], day="2026-07-20")
        settlements = [self.import_file(settlement_file(*head, rows)) for *head, rows in [
            ("9401", "2026-06-01", "2026-06-15", "2026-06-17", "-321.69", [
                ("ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount",
                 "-281.70", "2026-06-10"),
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99",
                 "2026-06-14")]),
            ("9402", "2026-06-16", "2026-06-30", "2026-07-02", "55.24", [
                ("other-transaction", "", "", "other-transaction", "Payable to Amazon",
                 "-321.69", "2026-06-16"),
                ("other-transaction", "", "", "other-transaction", "Successful charge",
                 "321.69", "2026-06-17"),
                ("Transfers", "", "", "Micro Deposit", "Micro Deposit", "-0.01", "2026-06-20"),
                *order_e_rows("2026-06-21")]),
            ("9403", "2026-07-01", "2026-07-15", "2026-07-17", "-62.31", [
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99",
                 "2026-07-14"),
                ("ServiceFee", "", "", "other-transaction", "Storage Fee", "-22.32",
                 "2026-07-14")]),
            ("9404", "2026-07-16", "2026-07-31", "2026-08-02", "1016.08", [
                ("other-transaction", "", "", "other-transaction", "Payable to Amazon",
                 "-62.31", "2026-07-16"),
                ("other-transaction", "", "", "other-transaction", "Successful charge",
                 "62.31", "2026-07-18"),
                ("Order", "111-F", "", "ItemPrice", "Principal", "1100.00", "2026-07-21",
                 "111-F-0"),
                ("Order", "111-F", "", "ItemFees", "Commission", "-83.92", "2026-07-21",
                 "111-F-0")]),
        ]]
        for settlement in settlements:
            self.assertEqual(settlement.state, "ready", settlement.problems)
            settlement.action_post()
        self.assertEqual((self.invoice_e.payment_state, invoice_f.payment_state),
                         ("paid", "paid"))
        bank_lines = [
            self.bank_line("2026-06-18", -321.69, "AMAZON SELLER CHARGE"),
            self.bank_line("2026-06-21", 0.01, "AMAZON MICRO DEPOSIT"),
            self.bank_line("2026-07-02", 55.24, "AMAZON PAYMENTS"),
            self.bank_line("2026-07-19", -62.31, "AMAZON SELLER CHARGE"),
            self.bank_line("2026-08-03", 1016.08, "AMAZON PAYMENTS"),
        ]
        # the last deposit first: it takes its payout alone, not the card charge nor the cent
        for settlement in reversed(settlements):
            settlement.action_match_deposit()
        self.assertEqual([s.deposit_line_id.amount for s in settlements],
                         [-321.69, 55.24, -62.31, 1016.08])
        self.assertEqual([(line.amount, line.is_reconciled) for line in bank_lines], [
            (-321.69, True), (0.01, True), (55.24, True), (-62.31, True), (1016.08, True)])
        self.assertEqual(round(sum(self.transit_lines().mapped("balance")), 2), 0.0)
        self.assertFalse(self.transit_lines().filtered(lambda l: not l.reconciled))

    def test_deposit_of_another_amount_is_told_not_matched(self):
        """Test that a bank line naming the settlement with another amount than the payout is
        refused with both amounts, leaving the payout and the bank line open."""
        settlement = self.import_file(settlement_file(
            "9501", "2026-06-16", "2026-06-30", "2026-07-02", "55.25", order_e_rows("2026-06-21")))
        settlement.action_post()
        deposit = self.bank_line("2026-07-03", 55.20, "AMAZON 9501")
        with self.assertRaises(UserError) as refused:
            settlement.action_match_deposit()
        self.assertIn("names settlement 9501 but is of $\xa055.20, not the payout's "
                      "$\xa055.25: nothing was matched", refused.exception.args[0])
        self.assertFalse(deposit.is_reconciled)
        self.assertEqual([(l.balance, l.reconciled) for l in self.transit_lines()],
                         [(55.25, False)])

    def test_two_months_and_a_locked_period(self):
        """Test that a settlement over June and July gets a statement line per month, and that
        June, locked, is booked on the first open day with a note."""
        self.company.fiscalyear_lock_date = "2026-06-30"
        settlement = self.import_file(settlement_file(
            "9301", "2026-06-25", "2026-07-09", "2026-07-11", "62.61", [
                *order_e_rows("2026-06-26", commission_day="2026-07-02"),
                ("ServiceFee", "", "", "other-transaction", "Storage Fee", "7.36", "2026-07-05"),
            ]))
        settlement.action_post()
        lines = settlement.statement_id.line_ids.sorted("id")
        self.assertEqual([(str(l.date), l.amount) for l in lines], [
            ("2026-07-01", 65.0), ("2026-07-09", -2.39), ("2026-07-11", -62.61)])
        self.assertIn("Booked on 2026-07-01, the first open day: the period up to 2026-06-30 is "
                      "locked.", settlement.message_ids[0].body)
        self.assertEqual(self.invoice_e.payment_state, "paid")

    def test_fee_rule_with_tax_is_split(self):
        """Test that a rule's taxes split Amazon's gross fee into the expense and input tax."""
        tax = self.env["account.tax"].create({
            "name": "Input VAT 19 %", "amount": 19.0, "type_tax_use": "purchase",
            "company_id": self.company.id, "price_include_override": "tax_included"})
        input_vat = self.env["account.account"].create({
            "name": "Input VAT", "code": "141900", "account_type": "asset_current",
            "company_ids": [Command.set(self.company.ids)]})
        (tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids).filtered(
            lambda r: r.repartition_type == "tax").account_id = input_vat
        self.env["amazon.seller.settlement.rule"].create({
            "transaction_type": "*", "amount_type": "other-transaction",
            "amount_description": "Subscription Fee", "kind": "account",
            "payments_account": "subscription_account_id", "company_id": self.company.id,
            "tax_ids": [Command.set(tax.ids)]})
        settlement = self.import_file(settlement_file(
            "9401", "2026-06-01", "2026-06-15", "2026-06-17", "-39.00", [
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.00",
                 "2026-06-14")]))
        settlement.action_post()
        move = settlement.statement_id.line_ids.sorted("id")[0].move_id
        by_account = {line.account_id: round(line.balance, 2) for line in move.line_ids}
        self.assertEqual(by_account[self.payments.subscription_account_id], 32.77)
        self.assertEqual(by_account[input_vat], 6.23)
        self.assertEqual(move.line_ids.filtered(lambda l: l.account_id == input_vat)
                         .tax_line_id, tax)

    def test_tax_on_advertising_is_input_tax(self):
        """Test that the tax Amazon charges on advertising (a Canadian account's TaxAmount row)
        is booked on the company's input tax account, not as advertising, and that the summary
        shows it as tax; without a purchase tax account the settlement says what to set."""
        rows = [("ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount",
                 "-100.00", "2026-06-10"),
                ("ServiceFee", "", "", "Cost of Advertising", "TaxAmount", "-12.00",
                 "2026-06-10")]
        settlement = self.import_file(settlement_file(
            "9601", "2026-06-01", "2026-06-15", "2026-06-17", "-112.00", rows))
        self.assertEqual(settlement.state, "ready", settlement.problems)
        self.assertEqual((settlement.advertising_amount, settlement.fee_tax_amount,
                          settlement.fee_amount), (-100.00, -12.00, 0.0))
        settlement.action_post()
        move = settlement.statement_id.line_ids.sorted("id")[0].move_id
        self.assertEqual({line.account_id.code: round(line.balance, 2)
                          for line in move.line_ids if line.balance > 0}, {
            self.payments.advertising_account_id.code: 100.00, "131000": 12.00})
        self.assertEqual(self.env["account.account"].search([("code", "=", "131000")]).filtered(
            lambda a: self.company in a.company_ids).name, "Tax Paid")

        self.company.account_purchase_tax_id = False
        untaxed = self.import_file(settlement_file(
            "9602", "2026-06-16", "2026-06-30", "2026-07-02", "-112.00", [
                (*row[:6], "2026-06-20") for row in rows]))
        self.assertEqual(untaxed.state, "to_review")
        self.assertEqual(untaxed.problems, (
            "No account for * / Cost of Advertising / TaxAmount: give Books & Parcels Inc. a "
            "default purchase tax with a tax account (Accounting ▸ Configuration ▸ Settings), "
            "or an account to the rule."))

    def test_fee_types_read_in_the_users_language_with_amazons_code(self):
        """Test that the settlement summary names each fee type in words, in the user's
        language, with Amazon's code beside it."""
        settlement = self.import_file(settlement_file(
            "9701", "2026-06-16", "2026-06-30", "2026-07-02", "45.30", [
                *order_e_rows("2026-06-21"),
                ("ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount", "-9.95",
                 "2026-06-22")]))
        self.assertIn("Selling fee (referral) · Commission", settlement.fee_summary)
        self.assertIn("Advertising · TransactionTotalAmount", settlement.fee_summary)
        self.assertEqual(self.env.ref("amazon_seller.settlement_rule_commission").display_name,
                         "Selling fee (referral) (* / ItemFees / Commission)")
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["amazon_seller"], ["de_DE"])
        self.env.invalidate_all()
        german = settlement.with_context(lang="de_DE")
        self.assertIn("Verkaufsgebühr (Provision) · Commission", german.fee_summary)
        self.assertIn("Werbung · TransactionTotalAmount", german.fee_summary)

    def test_codes_real_sellers_get_post_without_a_rule_of_their_own(self):
        """Test that an inbound transportation fee (with its FBA shipment), long-term storage,
        a removal, a coupon, a SAFE-T reimbursement and an Amazon Lending repayment post on
        default rules, each on its account, the loan on a liability."""
        settlement = self.import_file(settlement_file(
            "9901", "2026-06-01", "2026-06-15", "2026-06-17", "-215.45", [
                ("other-transaction", "", "", "other-transaction", "Inbound Transportation Fee",
                 "-48.20", "2026-06-03"),
                ("ServiceFee", "", "", "other-transaction", "StorageRenewalBilling", "-12.40",
                 "2026-06-05"),
                ("other-transaction", "", "", "other-transaction", "RemovalComplete", "-3.50",
                 "2026-06-06"),
                ("CouponRedemptionFee", "", "", "CouponRedemptionFee",
                 "Coupon Redemption Fee: SUMMER", "-6.10", "2026-06-07"),
                ("other-transaction", "", "", "other-transaction", "SAFETReimbursement", "24.75",
                 "2026-06-08"),
                ("other-transaction", "", "", "other-transaction", "Amazon Capital Services",
                 "-170.00", "2026-06-12"),
            ]))
        self.assertEqual(settlement.state, "ready", settlement.problems)
        self.assertEqual((settlement.fee_amount, settlement.advertising_amount,
                          settlement.reimbursement_amount, settlement.transfer_amount),
                         (-64.10, -6.10, 24.75, -170.00))
        settlement.action_post()
        move = settlement.statement_id.line_ids.sorted("id")[0].move_id
        payments = self.payments
        by_account = defaultdict(float)
        for line in move.line_ids:
            by_account[line.account_id] = round(by_account[line.account_id] + line.balance, 2)
        self.assertEqual({field: by_account[payments[field]] for field in (
            "fba_fee_account_id", "storage_account_id", "advertising_account_id",
            "reimbursement_account_id", "loan_account_id")}, {
            "fba_fee_account_id": 51.70, "storage_account_id": 12.40,
            "advertising_account_id": 6.10, "reimbursement_account_id": -24.75,
            "loan_account_id": 170.00})
        self.assertEqual(payments.loan_account_id.account_type, "liability_current")

    def test_every_code_sellers_are_seen_to_get_has_a_rule(self):
        """Test that each amount description observed in real settlements finds a default
        rule, except those a person must decide."""
        match = self.env["amazon.seller.settlement.rule"]._matcher(self.company)
        ttype = {"ItemPrice": "Order", "ItemFees": "Order", "Promotion": "Order",
                 "Shipment-Fees": "Order"}
        unmapped = sorted({description for amount_type, description in CODES_SEEN
                           if not match(ttype.get(amount_type, "other-transaction"),
                                        amount_type, description)})
        self.assertEqual(unmapped, ["Adjustment", "Balance Adjustment", "BalanceAdjustment",
                                    "Goodwill", "Merchant Bad Debt", "Tax"])

    def test_crash_while_posting_leaves_nothing_posted(self):
        """Test that a crash in the middle of posting, under the scheduled action, rolls that
        settlement back entirely while the next one is posted."""
        first = self.import_file(settlement_file(
            "9501", "2026-06-16", "2026-06-30", "2026-07-02", "10.00", [
                ("Refund", "111-E", "ADJ-X", "ItemPrice", "Principal", "-5.00", "2026-06-28",
                 "111-E-0"),
                ("Adjustment", "", "", "FBA Inventory Reimbursement", "WAREHOUSE_LOST", "15.00",
                 "2026-06-29", "", "LAMP-1")]))
        second = self.import_file(settlement_file(
            "9502", "2026-07-01", "2026-07-14", "2026-07-16", "-39.99", [
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99",
                 "2026-07-10")]))
        Posting = type(self.env["amazon.seller.settlement.posting"])
        original = Posting._carried_pairs

        def crash_on_first(posting, booking, *args):
            if booking.settlement == first:
                raise RuntimeError("the machine fell over")
            return original(posting, booking, *args)

        moves = self.env["account.move"].search_count([])
        with patch.object(Posting, "_carried_pairs", crash_on_first), \
                self.enter_registry_test_mode(), mute_logger(
                    "odoo.addons.amazon_seller.models.amazon_seller_settlement"):
            self.env.ref("amazon_seller.ir_cron_post_settlements").method_direct_trigger()
        self.assertEqual((first.state, first.statement_id), ("ready", self.env[
            "account.bank.statement"]))
        self.assertFalse(self.env["account.move"].search([("amazon_adjustment_ref", "=", "ADJ-X")]),
                         "its credit note rolled back too")
        self.assertIn("could not be posted", first.message_ids[0].body)
        self.assertEqual(second.state, "posted")
        self.assertEqual(self.env["account.move"].search_count([]), moves + 2,
                         "the second settlement's statement line and payout only")


@tagged("post_install", "-at_install")
class TestFetchMissingOrders(OrderSyncCase):
    """A settlement naming an order Odoo does not hold yet fetches it from Amazon."""

    simulator_options = {"orders": 30, "seed": 11, "rate_limits": False}

    def test_fetch_from_amazon_then_ready(self):
        """Test that Fetch from Amazon imports and invoices the missing order (getOrder) and
        unblocks the settlement."""
        shipped = [o for o in self.simulator.orders_summary(status="SHIPPED")
                   if o["fulfilledBy"] == "AMAZON" and o["marketplaceId"] == "ATVPDKIKX0DER"]
        order_ref = shipped[0]["orderId"]
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            self.account, settlement_file("9601", "2026-06-01", "2026-06-15", "2026-06-17",
                                          "20.00", [("Order", order_ref, "", "ItemPrice",
                                                     "Principal", "20.00", "2026-06-05")]),
            "fetch.txt")
        self.assertEqual(settlement.state, "to_review")
        self.assertIn(f"Order {order_ref} is not in Odoo: fetch it from Amazon.",
                      settlement.problems)
        settlement.action_fetch_orders()
        self.assertEqual(self.simulator.call_counts().get("getOrder"), 1)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", order_ref)])
        self.assertEqual(order.invoice_ids.mapped("state"), ["posted"])
        self.assertEqual((settlement.state, settlement.problems), ("ready", False))
        self.assertEqual(settlement.line_ids.order_id, order)


@tagged("post_install", "-at_install")
class TestRealWorldRows(SettlementCase):
    """Rows real settlements carry that plain orders do not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_f, cls.invoice_f = cls.invoiced_order(
            "111-F", [("item", 30.00), ("shipping", 4.00)], day="2026-06-02")

    def test_multi_channel_orders_are_fulfilment_costs_that_never_block(self):
        """Test that a Multi-Channel Fulfilment order as Amazon writes it (S01- id, marketplace
        Non-Amazon CA, a 0.00 item price, the fulfilment fee and an order-level transportation
        fee without SKU) posts at once as FBA fees, never waiting for an order to fetch."""
        mcf = "S01-1234567-7654321"
        settlement = self.import_file(settlement_file(
            "9705", "2026-06-01", "2026-06-15", "2026-06-17", "-6.50", [
                ("Order", mcf, "", "ItemPrice", "Principal", "0.00", "2026-06-05",
                 "52093834561234", "LAMP-1", "Non-Amazon CA"),
                ("Order", mcf, "", "ItemFees", "FBAPerUnitFulfillmentFee", "-5.40", "2026-06-05",
                 "52093834561234", "LAMP-1", "Non-Amazon CA"),
                ("Order", mcf, "", "Shipment-Fees", "FBA transportation fee", "-1.10",
                 "2026-06-05", "", "", "Non-Amazon CA"),
            ]))
        self.assertEqual(set(settlement.line_ids.mapped("kind")), {"account"})
        self.assertEqual((settlement.state, settlement.problems), ("ready", False))
        settlement.action_post()
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(self.balances(self.payments.fba_fee_account_id),
                         {self.payments.fba_fee_account_id.code: 6.50})

    def test_refund_before_its_sale_split_blocks_mcf_and_reimbursements(self):
        """Test that a refund settled before its sale gets its credit note at once, that an
        item split over two blocks adds up, and that multi-channel fulfilment fees and
        reimbursements reusing a refund's ids are expenses and income, never receivables."""
        earlier = self.import_file(settlement_file(
            "9701", "2026-06-01", "2026-06-15", "2026-06-17", "-1.50", [
                ("Refund", "111-F", "ADJ-F", "ItemPrice", "Principal", "-10.00", "2026-06-03",
                 "111-F-0"),
                ("Adjustment", "111-F", "ADJ-F", "FBA Inventory Reimbursement",
                 "REVERSAL_REIMBURSEMENT", "10.00", "2026-06-04", "111-F-0"),
                ("Order", "MCF-000123", "", "ItemFees", "FBAPerUnitFulfillmentFee", "-1.50",
                 "2026-06-05"),
            ]))
        self.assertEqual(earlier.line_ids.filtered(lambda l: l.order_ref == "MCF-000123").kind,
                         "account")
        self.assertEqual(earlier.state, "ready", earlier.problems)
        earlier.action_post()
        credit_note = self.env["account.move"].search([("amazon_adjustment_ref", "=", "ADJ-F")])
        self.assertEqual((len(credit_note), credit_note.amount_total, credit_note.payment_state),
                         (1, 10.00, "paid"))
        self.assertEqual(self.invoice_f.payment_state, "not_paid", "its sale is not settled yet")
        later = self.import_file(settlement_file(
            "9702", "2026-06-16", "2026-06-30", "2026-07-02", "34.00", [
                ("Order", "111-F", "", "ItemPrice", "Principal", "30.00", "2026-06-16",
                 "111-F-0"),
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99",
                 "2026-06-20"),
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "39.99",
                 "2026-06-21"),
                ("Order", "111-F", "", "ItemPrice", "Shipping", "4.00", "2026-06-22", "111-F-0"),
            ]))
        later.action_post()
        self.assertEqual(self.invoice_f.payment_state, "paid", "both blocks of the item added up")
        self.assertEqual(self.balances(self.payments.fba_fee_account_id,
                                       self.payments.reimbursement_account_id),
                         {self.payments.fba_fee_account_id.code: 1.50,
                          self.payments.reimbursement_account_id.code: -10.00})


@tagged("post_install", "-at_install")
class TestGermanSeller(TransactionCase):
    """A German company on SKR03 selling on amazon.de: Amazon EU's fees are reverse charge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env, cls.company = company_on_chart(cls.env, "Leuchten GmbH", "EUR", "de_skr03",
                                                country="de")
        cls.account = cls.env["amazon.seller.account"].create({
            "name": "Leuchten DE", "company_id": cls.company.id, "region": "EU",
            "marketplace_ids": [Command.set([cls.env.ref("amazon_seller.marketplace_de").id,
                                             cls.env.ref("amazon_seller.marketplace_uk").id])]})

    def test_fees_of_amazon_eu_are_reverse_charge_on_the_vat_return(self):
        """Test that Amazon EU's fees to a German seller carry the reverse charge of SKR03
        (base on line 46, input tax 67 and output tax 47 of the VAT return), the payout still
        Amazon's, and that the pound fees of amazon.co.uk carry none."""
        eur = self.account.payments_ids.filtered(lambda p: p.currency_id.name == "EUR")
        gbp = self.account.payments_ids - eur
        self.assertEqual(eur.fee_tax_ids.name, "19% EU O S")
        self.assertFalse(gbp.fee_tax_ids)
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            self.account, settlement_file(
                "9801", "2026-06-01", "2026-06-15", "2026-06-17", "-60.00", [
                    ("Order", "302-1111111-1111111", "", "ItemFees", "Commission", "-15.00",
                     "2026-06-05", "302-1111111-1111111-0", "", "Amazon.de"),
                    ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.00",
                     "2026-06-14"),
                    ("ServiceFee", "", "", "other-transaction", "Storage Fee", "-6.00",
                     "2026-06-14")], currency="EUR"), "de.txt")
        self.assertEqual(settlement.state, "ready", settlement.problems)
        settlement.action_post()
        move = settlement.statement_id.line_ids.sorted("id")[0].move_id
        by_code = defaultdict(float)
        for line in move.line_ids:
            by_code[line.account_id.code] = round(by_code[line.account_id.code] + line.balance, 2)
        self.assertEqual({code: by_code[code] for code in ("4761", "4782", "4901", "1577", "1768")},
                         {"4761": 15.00, "4782": 6.00, "4901": 39.00, "1577": 11.40,
                          "1768": -11.40})
        self.assertEqual(round(sum(move.line_ids.filtered(
            lambda l: l.account_id == eur.journal_id.default_account_id).mapped("balance")), 2),
            -60.00, "the Amazon balance pays Amazon's fees, no more")
        grid = defaultdict(float)
        for line in move.line_ids:
            for tag in line.tax_tag_ids:
                grid[tag.name] = round(grid[tag.name] + line.balance, 2)
        self.assertEqual(dict(grid), {"46": 60.00, "67": 11.40, "47": -11.40})

    def test_accounts_are_named_in_the_languages_of_the_database(self):
        """Test that the accounts an Amazon account creates carry their German name for German
        users, and stay found by their English one (no second set for another language)."""
        self.env["res.lang"]._activate_lang("de_DE")
        env, company = company_on_chart(self.env, "Lampen AG", "EUR", "de_skr04", country="de")
        account = env["amazon.seller.account"].create({
            "name": "Lampen DE", "company_id": company.id, "region": "EU",
            "marketplace_ids": [Command.set([env.ref("amazon_seller.marketplace_de").id])]})
        payments = account.payments_ids
        german = payments.with_context(lang="de_DE")
        self.assertEqual((german.transit_account_id.name, german.fee_account_id.name,
                          german.advertising_account_id.name),
                         ("Amazon-Auszahlungen im Geldtransit", "Amazon-Verkaufsgebühren",
                          "Amazon-Werbung"))
        self.assertEqual(payments.with_context(lang="en_US").transit_account_id.name,
                         "Amazon payouts in transit")
        accounts = env["account.account"].search_count([])
        other = env["amazon.seller.account"].with_context(lang="de_DE").create({
            "name": "Lampen FR", "company_id": company.id, "region": "EU",
            "marketplace_ids": [Command.set([env.ref("amazon_seller.marketplace_fr").id])]})
        self.assertEqual((other.payments_ids.transit_account_id,
                          other.payments_ids.fee_account_id),
                         (payments.transit_account_id, payments.fee_account_id))
        self.assertEqual(env["account.account"].search_count([]), accounts + 1,
                         "only the Amazon balance of its own journal")
