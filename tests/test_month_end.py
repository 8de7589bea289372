import base64
import csv
from decimal import Decimal
import io
from types import SimpleNamespace
from unittest.mock import patch
import zipfile

from odoo import Command
from odoo.tests import BaseCase, tagged

from ..month_end import Row, csv_cell, export_category, month_end_table
from .test_settlement_posting import SettlementCase, settlement_file


def english(term):
    return term._translate("en_US")


def row(category, description, amount, company_amount, currency="USD", month="2026-06"):
    return Row(month, "Books Seller", "Amazon.com", currency, category, description, "600100",
               "Amazon fees", "", Decimal(amount), Decimal(company_amount))


@tagged("post_install", "-at_install")
class TestMonthEndTable(BaseCase):
    """The pure month-end table: grouping, order, totals, formula-safe cells."""

    def test_rows_summed_in_category_order_with_totals(self):
        """Test that rows of several settlements are summed per key, listed sales first and
        totalled per currency and in the company's currency."""
        header, table = month_end_table([
            row("reserve", "Current Reserve Amount", "-100.00", "-100.00"),
            row("fee", "Commission", "-19.50", "-19.50"),
            row("sales", "Principal", "129.99", "129.99"),
            row("fee", "Commission", "-75.00", "-75.00"),
            row("subscription", "Subscription Fee", "-39.00", "-48.75", currency="EUR"),
        ], "USD", english)
        self.assertEqual(header, [
            "Month", "Amazon account", "Marketplace", "Currency", "Category",
            "Fee type / description", "Account code", "Account name", "Tax", "Amount",
            "Amount in company currency"])
        self.assertEqual([(r[3], r[4], r[5], r[9], r[10]) for r in table], [
            ("EUR", "Subscription fees", "Subscription Fee", Decimal("-39.00"),
             Decimal("-48.75")),
            ("USD", "Sales", "Principal", Decimal("129.99"), Decimal("129.99")),
            ("USD", "Selling and FBA fees", "Commission", Decimal("-94.50"), Decimal("-94.50")),
            ("USD", "Reserves", "Current Reserve Amount", Decimal("-100.00"), Decimal("-100.00")),
            ("EUR", "Total payouts", "", Decimal("-39.00"), Decimal("-48.75")),
            ("USD", "Total payouts", "", Decimal("-64.51"), Decimal("-64.51")),
            ("USD", "Total in company currency", "", "", Decimal("-113.26")),
        ])

    def test_french_labels(self):
        """Test that column names and categories come out in the user's language."""
        header, table = month_end_table([row("storage", "Storage Fee", "-1.00", "-1.00")],
                                        "EUR", lambda term: term._translate("fr_FR"))
        self.assertEqual((header[4], header[10], table[0][4], table[-1][4]),
                         ("Catégorie", "Montant en devise de la société", "Frais de stockage",
                          "Total en devise de la société"))

    def test_storage_and_subscription_apart_from_fees(self):
        """Test that storage and subscription fees get categories of their own."""
        self.assertEqual([export_category(category, account) for category, account in (
            ("fee", "storage_account_id"), ("fee", "subscription_account_id"),
            ("fee", "fba_fee_account_id"), ("advertising", "advertising_account_id"),
            ("sales", False))], ["storage", "subscription", "fee", "advertising", "sales"])

    def test_csv_cells_never_formulas(self):
        """Test that text a spreadsheet would run gets an apostrophe and numbers stay numbers."""
        self.assertEqual(
            [csv_cell(value) for value in ('=HYPERLINK("http://x.example")', "+1", "-x", "@SUM",
                                           "\tTab", "\rCR", "Amazon.com", Decimal("-39.99"))],
            ["'=HYPERLINK(\"http://x.example\")", "'+1", "'-x", "'@SUM", "'\tTab", "'\rCR",
             "Amazon.com", Decimal("-39.99")])


@tagged("post_install", "-at_install")
class TestMonthEndExport(SettlementCase):
    """The month-end export of posted settlements: the June payouts, to the cent."""

    JUNE_1 = settlement_file("9701", "2026-06-01", "2026-06-15", "2026-06-17", "276.47", [
        ("Order", "111-A", "", "ItemPrice", "Principal", "129.99", "2026-06-05", "111-A-0"),
        ("Order", "111-A", "", "ItemPrice", "Tax", "10.40", "2026-06-05", "111-A-0"),
        ("Order", "111-A", "", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal",
         "-10.40", "2026-06-05", "111-A-0"),
        ("Order", "111-A", "", "ItemFees", "Commission", "-19.50", "2026-06-05", "111-A-0"),
        ("Order", "111-A", "", "ItemFees", "FBAPerUnitFulfillmentFee", "-4.75", "2026-06-05",
         "111-A-0"),
        ("Order", "111-D", "", "ItemPrice", "Principal", "500.00", "2026-06-06", "111-D-0"),
        ("Order", "111-D", "", "ItemFees", "Commission", "-75.00", "2026-06-06", "111-D-0"),
        ("ServiceFee", "", "", "other-transaction", "Storage Fee", "-64.28", "2026-06-10"),
        ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99", "2026-06-10"),
        ("ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount", "-50.00",
         "2026-06-12"),
        ("Transfer", "", "", "other-transaction", "Current Reserve Amount", "-100.00",
         "2026-06-15"),
    ])
    JUNE_2 = settlement_file("9702", "2026-06-16", "2026-06-28", "2026-06-30", "94.67", [
        ("Refund", "111-D", "ADJ-D", "ItemPrice", "Principal", "-50.00", "2026-06-20", "111-D-0"),
        ("Refund", "111-D", "ADJ-D", "ItemFees", "Commission", "7.50", "2026-06-20", "111-D-0"),
        ("Refund", "111-D", "ADJ-D", "ItemFees", "RefundCommission", "-1.50", "2026-06-20",
         "111-D-0"),
        ("Order", "111-C", "", "ItemPrice", "Principal", "45.50", "2026-06-22", "111-C-0"),
        ("Order", "111-C", "", "ItemPrice", "Tax", "3.75", "2026-06-22", "111-C-0"),
        ("Order", "111-C", "", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "-3.75",
         "2026-06-22", "111-C-0"),
        ("Order", "111-C", "", "ItemFees", "Commission", "-6.83", "2026-06-22", "111-C-0"),
        ("Transfer", "", "", "other-transaction", "Previous Reserve Amount Balance", "100.00",
         "2026-06-16"),
    ])
    JULY = settlement_file("9703", "2026-06-29", "2026-07-12", "2026-07-14", "-39.99", [
        ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.99", "2026-07-05",
         "", "", '=HYPERLINK("http://x.example")'),
    ])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoiced_order("111-A", [("item", 129.99), ("mf_tax", 10.40)], day="2026-06-04")
        cls.invoiced_order("111-D", [("item", 500.00)], day="2026-06-05")
        cls.invoiced_order("111-C", [("item", 45.50), ("mf_tax", 3.75)], day="2026-06-21")

    def post(self, *files):
        settlements = self.env["amazon.seller.settlement"]
        for number, content in enumerate(files):
            settlement = self.import_file(content, f"s{number}.txt")
            self.assertEqual(settlement.state, "ready", settlement.problems)
            settlement.action_post()
            settlements |= settlement
        return settlements

    def export(self, date_from, date_to, file_format="csv"):
        wizard = self.env["amazon.seller.month.end.wizard"].create({
            "date_from": date_from, "date_to": date_to, "file_format": file_format,
            "company_id": self.company.id})
        # Odoo's XLSX export writer reads the request's environment, as under a user's click
        with patch("odoo.addons.web.controllers.export.request", SimpleNamespace(env=self.env)):
            wizard.action_export()
        return base64.b64decode(wizard.file)

    def csv_rows(self, date_from, date_to):
        return list(csv.reader(io.StringIO(self.export(date_from, date_to).decode("utf-8-sig"))))

    def test_june_ties_to_the_payouts(self):
        """Test that June's export holds every row of the two settlements paid out in June (not
        July's), per category, account and tax, and that its USD total is their payouts."""
        self.env["amazon.seller.settlement.rule"].create({
            "transaction_type": "*", "amount_type": "other-transaction",
            "amount_description": "Subscription Fee", "payments_account": "subscription_account_id",
            "company_id": self.company.id, "tax_ids": [Command.set(self.env["account.tax"].create({
                "name": "Input tax 10 %", "amount": 10.0, "type_tax_use": "purchase",
                "company_id": self.company.id, "price_include_override": "tax_included"}).ids)]})
        june = self.post(self.JUNE_1, self.JUNE_2, self.JULY)[:2]
        rows = self.csv_rows("2026-06-01", "2026-06-30")
        self.assertEqual(rows[0][:6], ["Month", "Amazon account", "Marketplace", "Currency",
                                       "Category", "Fee type / description"])
        self.assertEqual({tuple(r[:4]) for r in rows[1:-2]},
                         {("2026-06", "Books Seller", "Amazon.com", "USD")},
                         "service rows named after the account's only USD marketplace")
        self.assertEqual(rows[9][5:9], ["Subscription Fee", "962005", "Amazon subscription", "Input tax 10 %"])
        self.assertEqual([(r[4], r[5], r[6], r[9], r[10]) for r in rows[1:]], [
            ("Sales", "Sale · Principal", "121000", "675.49", "675.49"),
            ("Sales", "Sale · Tax", "121000", "14.15", "14.15"),
            ("Refunds", "Refund · Principal", "121000", "-50.00", "-50.00"),
            ("Facilitator tax", "Tax collected by Amazon · MarketplaceFacilitatorTax-Principal",
             "251001", "-14.15", "-14.15"),
            ("Selling and FBA fees", "FBA fulfilment fee · FBAPerUnitFulfillmentFee", "962002",
             "-4.75", "-4.75"),
            ("Selling and FBA fees", "Refund administration fee · RefundCommission", "962001",
             "-1.50", "-1.50"),
            ("Selling and FBA fees", "Selling fee (referral) · Commission", "962001", "-93.83",
             "-93.83"),
            ("Storage fees", "Storage · Storage Fee", "962003", "-64.28", "-64.28"),
            ("Subscription fees", "Subscription Fee", "962005", "-39.99", "-39.99"),
            ("Advertising costs", "Advertising · TransactionTotalAmount", "962004", "-50.00",
             "-50.00"),
            ("Reserves", "Reserve held · Current Reserve Amount", "131002", "-100.00", "-100.00"),
            ("Reserves", "Reserve released · Previous Reserve Amount Balance", "131002", "100.00",
             "100.00"),
            ("Total payouts", "", "", "371.14", "371.14"),
            ("Total in company currency", "", "", "", "371.14"),
        ])
        self.assertEqual(june.mapped("total_amount"), [276.47, 94.67], "371.14 paid out in June")
        content = self.export("2026-06-01", "2026-06-30", "xlsx")
        self.assertTrue(content.startswith(b"PK"), "an xlsx (zip) file")

    def test_euro_payout_at_the_deposit_rate(self):
        """Test that a EUR settlement of the USD company is converted at the rate of its deposit
        date, its rows without marketplace left so (two euro marketplaces)."""
        euro = self.env.ref("base.EUR")
        euro.active = True
        for day, rate in (("2026-06-01", 0.8), ("2026-06-25", 0.5)):
            self.env["res.currency.rate"].create({"currency_id": euro.id, "name": day,
                                                  "rate": rate, "company_id": self.company.id})
        europe = self.env["amazon.seller.account"].create({
            "name": "Books Seller EU", "company_id": self.company.id, "region": "EU",
            "marketplace_ids": [Command.set([self.env.ref("amazon_seller.marketplace_de").id,
                                             self.env.ref("amazon_seller.marketplace_fr").id])]})
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            europe, settlement_file("9801", "2026-06-01", "2026-06-15", "2026-06-20", "-50.00", [
                ("ServiceFee", "", "", "other-transaction", "Subscription Fee", "-39.00",
                 "2026-06-10"),
                ("ServiceFee", "", "", "other-transaction", "Storage Fee", "-11.00",
                 "2026-06-12"),
            ], currency="EUR"), "eu.txt")
        self.assertEqual(settlement.state, "ready", settlement.problems)
        settlement.action_post()
        rows = self.csv_rows("2026-06-01", "2026-06-30")
        self.assertEqual([(r[1], r[2], r[3], r[4], r[9], r[10]) for r in rows[1:]], [
            ("Books Seller EU", "", "EUR", "Storage fees", "-11.00", "-13.75"),
            ("Books Seller EU", "", "EUR", "Subscription fees", "-39.00", "-48.75"),
            ("", "", "EUR", "Total payouts", "-50.00", "-62.50"),
            ("", "", "USD", "Total in company currency", "", "-62.50"),
        ])

    def test_formula_text_is_not_a_formula(self):
        """Test that a marketplace name "=HYPERLINK(...)" is text in the CSV (a leading
        apostrophe) and in the XLSX (no formula), amounts staying numbers."""
        self.post(self.JULY)
        rows = self.csv_rows("2026-07-01", "2026-07-31")
        self.assertEqual(rows[1][2], "'=HYPERLINK(\"http://x.example\")")
        self.assertEqual((rows[1][9], rows[-1][10]), ("-39.99", "-39.99"))
        with zipfile.ZipFile(io.BytesIO(self.export("2026-07-01", "2026-07-31", "xlsx"))) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
            strings = book.read("xl/sharedStrings.xml").decode()
        self.assertNotIn("<f>", sheet)
        self.assertIn('<t>=HYPERLINK("http://x.example")</t>', strings)
