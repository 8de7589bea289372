from collections import defaultdict

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

COLUMNS = ["settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date",
           "total-amount", "currency", "transaction-type", "order-id", "adjustment-id",
           "marketplace-name", "amount-type", "amount-description", "amount", "posted-date",
           "order-item-code", "sku"]


def settlement_file(settlement_id, start, end, deposit, total, rows, currency="USD"):
    """A V2 flat file: the summary, then ``rows`` of (transaction type, order id, adjustment
    id, amount type, description, amount, posted date[, order item code, sku])."""
    lines = ["\t".join(COLUMNS),
             "\t".join([settlement_id, start, end, deposit, total, currency] + [""] * 10)]
    for row in rows:
        ttype, order, adjustment, atype, description, amount, posted, *rest = row
        item, sku = (rest + ["", ""])[:2]
        lines.append("\t".join([settlement_id, "", "", "", "", currency, ttype, order,
                                adjustment, "Amazon.com" if order else "", atype, description,
                                amount, posted, item, sku]))
    return ("\n".join(lines) + "\n").encode()


class SettlementCase(TransactionCase):
    """A US company of its own (USD, generic chart, no sales tax: Amazon collects it as
    marketplace facilitator), its Amazon account, and invoiced Amazon orders built directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env["res.company"].create({
            "name": "Books & Parcels Inc.", "currency_id": cls.env.ref("base.USD").id,
            "country_id": cls.env.ref("base.us").id})
        cls.env.user.company_ids |= cls.company
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.env["account.chart.template"].try_loading("generic_coa", company=cls.company,
                                                      install_demo=False)
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

    def test_worked_example_to_the_cent(self):
        """Test that S1 then S2 book the design's figures: invoices paid, MF tax 0, reserve
        300.00, Amazon balance 0, the payouts in transit until the deposit is matched."""
        self.assertEqual((self.invoice_a.amount_total, self.invoice_b.amount_total),
                         (140.39, 95.36))
        s1 = self.import_file(self.S1, "s1.txt")
        s2 = self.import_file(self.S2, "s2.txt")
        self.assertEqual((s1.state, s2.state), ("ready", "ready"), s2.problems)
        s1.action_post()
        s2.action_post()
        self.assertEqual((s1.state, s2.state), ("posted", "posted"))

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
        self.assertEqual(self.balances(payments.mf_tax_account_id, payments.reserve_account_id,
                                       payments.balance_account_id, payments.transit_account_id),
                         {payments.mf_tax_account_id.code: 0.0,
                          payments.reserve_account_id.code: 300.00,
                          payments.balance_account_id.code: 0.0,
                          payments.transit_account_id.code: 168.73})
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
        self.assertEqual((s2.deposited, s2.deposit_line_id), (True, deposit))
        self.assertTrue(deposit.is_reconciled)
        self.assertEqual(self.balances(payments.transit_account_id),
                         {payments.transit_account_id.code: 43.67}, "S1's payout still to come")

    def test_posting_twice_is_refused(self):
        """Test that a posted settlement cannot be posted again (cron and button at once)."""
        s1 = self.import_file(self.S1, "s1.txt")
        s1.action_post()
        statements = self.env["account.bank.statement"].search_count([])
        with self.assertRaises(UserError) as caught:
            self.env["amazon.seller.settlement.posting"]._post(s1)
        self.assertIn("Settlement 9001 is not ready to post", caught.exception.args[0])
        self.assertEqual(self.env["account.bank.statement"].search_count([]), statements)
