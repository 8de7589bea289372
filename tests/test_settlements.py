import base64
from datetime import date
import os

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OrderSyncCase, SimulatorCase

SAMPLE = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "shared", "amazon",
                      "settlement-samples", "xieyi138_settlement-sample.txt")


def sample_bytes():
    """Amazon's public V2 sample (its CC BY licence in ../shared), or None when absent."""
    for path in (SAMPLE, os.path.join(os.path.dirname(__file__), os.pardir, ".build", os.pardir,
                                      os.pardir, "shared", "amazon", "settlement-samples",
                                      "xieyi138_settlement-sample.txt")):
        if os.path.exists(path):
            with open(path, "rb") as file:
                return file.read()
    return None


@tagged("post_install", "-at_install")
class TestSettlementFiles(SimulatorCase):
    """Settlement files sellers download, imported through the wizard."""

    def upload(self, *files):
        attachments = self.env["ir.attachment"].create([
            {"name": name, "datas": base64.b64encode(content)} for name, content in files])
        wizard = self.env["amazon.seller.settlement.import.wizard"].create({
            "account_id": self.account.id, "attachment_ids": [(6, 0, attachments.ids)]})
        wizard.action_import()
        return wizard.result.splitlines()

    def settlements(self):
        return self.env["amazon.seller.settlement"].search([("account_id", "=", self.account.id)])

    def test_sample_imported_once_mapped_and_reviewed(self):
        """Test that Amazon's sample is stored row by row, mapped, and held for its orders."""
        content = sample_bytes()
        if content is None:
            self.skipTest("../shared/amazon/settlement-samples is absent")
        (result,) = self.upload(("sample.txt", content))
        self.assertIn("settlement 28471003921 imported (To Review)", result)
        settlement = self.settlements()
        self.assertEqual((settlement.settlement_ref, settlement.currency_id.name,
                          settlement.total_amount), ("28471003921", "USD", 582.89))
        self.assertEqual((settlement.date_start, settlement.date_end, settlement.deposit_date),
                         (date(2026, 6, 16), date(2026, 6, 30), date(2026, 7, 2)),
                         "the UTC days of 00:00:00 UTC, 23:59:59 UTC and 00:00:00 UTC")
        self.assertAlmostEqual(sum(settlement.line_ids.mapped("amount")), 582.89, places=2)
        self.assertEqual(settlement.attachment_id.raw, content)
        self.assertEqual(settlement.state, "to_review")
        self.assertIn("Order 114-8829371-4410258 is not in Odoo", settlement.problems)
        principal = settlement.line_ids.filtered(
            lambda l: l.order_ref == "114-8829371-4410258" and l.amount_description == "Principal")
        self.assertEqual((principal.amount, principal.sku, principal.quantity, principal.kind),
                         (129.99, "NX-HD-1200", 1, "order"))
        rows = len(settlement.line_ids)
        (again,) = self.upload(("sample.txt", content))
        self.assertIn("already imported from this very file: nothing changed", again)
        self.assertEqual((len(self.settlements()), len(settlement.line_ids)), (1, rows))

    def test_unknown_fee_code_waits_for_a_rule(self):
        """Test that a row no rule maps blocks the settlement until a rule is created."""
        content = "\n".join([
            "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\t"
            "currency\ttransaction-type\torder-id\tamount-type\tamount-description\tamount\t"
            "posted-date",
            "5551\t2026-06-01 00:00:00 UTC\t2026-06-14 23:59:59 UTC\t2026-06-16 00:00:00 UTC\t"
            "-12.50\tUSD\t\t\t\t\t\t",
            "5551\t\t\t\t\tUSD\tServiceFee\t\tother-transaction\tMystery Fee\t-12.50\t"
            "2026-06-10 00:00:00 UTC",
        ]).encode()
        self.upload(("mystery.txt", content))
        settlement = self.settlements()
        self.assertEqual((settlement.state, settlement.unmapped_count), ("to_review", 1))
        self.assertIn("No rule for ServiceFee / other-transaction / Mystery Fee", settlement.problems)
        action = settlement.line_ids.action_create_rule()
        self.assertEqual((action["context"]["default_kind"],
                          action["context"]["default_payments_account"]),
                         ("account", "other_fee_account_id"), "nothing in its words")
        rule = self.env["amazon.seller.settlement.rule"].with_context(action["context"]).create({})
        self.assertEqual(rule.display_name, "ServiceFee / other-transaction / Mystery Fee")
        settlement.action_check()
        self.assertEqual((settlement.state, settlement.unmapped_count, settlement.problems),
                         ("ready", 0, False))

    def test_other_file_replaces_a_draft_and_is_refused_once_posted(self):
        """Test that another file of a settlement replaces it while not posted, never after."""
        base = ["settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                "total-amount\tcurrency\ttransaction-type\tamount-type\tamount-description\t"
                "amount\tposted-date"]
        first = "\n".join(base + [
            "5552\t2026-06-01\t2026-06-14\t2026-06-16\t-39.99\tUSD\t\t\t\t\t",
            "5552\t\t\t\t\tUSD\tServiceFee\tother-transaction\tSubscription Fee\t-39.99\t2026-06-10"])
        second = first.replace("-39.99", "-49.99")
        self.upload(("first.txt", first.encode()))
        (replaced,) = self.upload(("second.txt", second.encode()))
        self.assertIn("settlement 5552 replaced by this file", replaced)
        settlement = self.settlements()
        self.assertEqual((settlement.total_amount, settlement.line_ids.amount), (-49.99, -49.99))
        settlement.state = "posted"
        (refused,) = self.upload(("third.txt", first.encode()))
        self.assertIn("Settlement 5552 is posted already", refused)
        self.assertEqual(settlement.total_amount, -49.99)

    def test_bad_file_is_named_and_writes_nothing(self):
        """Test that an unreadable file is reported with its name and writes nothing."""
        (result,) = self.upload(("garbage.bin", b"\x00\x01\x02PK\x03\x04"))
        self.assertIn("garbage.bin", result)
        self.assertFalse(self.settlements())

    def test_only_accountants_and_managers_import(self):
        """Test that a plain Amazon user cannot import settlement files."""
        user = new_test_user(self.env, login="amz-no-books",
                             groups="base.group_user,amazon_seller.group_amazon_seller_user")
        wizard = self.env["amazon.seller.settlement.import.wizard"].with_user(user).create({
            "account_id": self.account.id})
        wizard.attachment_ids = [(0, 0, {"name": "x.txt", "datas": base64.b64encode(b"x")})]
        with self.assertRaises(AccessError):
            wizard.action_import()


@tagged("post_install", "-at_install")
class TestSettlementReports(OrderSyncCase):
    """The simulator's settlement reports, listed and downloaded by the scheduled action."""

    simulator_options = {"orders": 40, "seed": 3, "rate_limits": False}

    def test_cron_imports_each_report_once(self):
        """Test that the scheduled action imports every settlement report once, to the cent."""
        self.accounts.sync_enabled = True
        expected = {summary["settlementId"] for summary in self.simulator.settlements()}
        self.assertTrue(expected, "the simulator has closed settlement periods")
        cron = self.env.ref("amazon_seller.ir_cron_import_settlements")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        settlements = self.env["amazon.seller.settlement"].search(
            [("account_id", "in", self.accounts.ids)])
        self.assertEqual(set(settlements.mapped("settlement_ref")), expected)
        for settlement in settlements:
            self.assertAlmostEqual(sum(settlement.line_ids.mapped("amount")),
                                   settlement.total_amount, places=2, msg=settlement.settlement_ref)
        self.simulator.reset_calls()
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(len(self.env["amazon.seller.settlement"].search(
            [("account_id", "in", self.accounts.ids)])), len(settlements))
        self.assertFalse(self.simulator.call_counts().get("getReportDocument"),
                         "nothing downloaded twice")


@tagged("post_install", "-at_install")
class TestOrderFees(SimulatorCase):
    """Amazon's fees shown on the order they were charged for."""

    def test_fees_of_an_order_add_up_from_its_settlement_rows(self):
        """Test that an order shows the fees its settlement rows charged, not its sales."""
        partner = self.env["res.partner"].create({"name": "Buyer"})
        order = self.env["sale.order"].create({
            "partner_id": partner.id, "amazon_account_id": self.account.id,
            "amazon_order_ref": "114-8829371-4410258"})
        content = "\n".join([
            "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
            "total-amount\tcurrency\ttransaction-type\torder-id\tamount-type\t"
            "amount-description\tamount\tposted-date",
            "5553\t2026-06-16\t2026-06-30\t2026-07-02\t105.74\tUSD\t\t\t\t\t\t",
            "5553\t\t\t\t\tUSD\tOrder\t114-8829371-4410258\tItemPrice\tPrincipal\t129.99\t2026-06-17",
            "5553\t\t\t\t\tUSD\tOrder\t114-8829371-4410258\tItemPrice\tTax\t10.40\t2026-06-17",
            "5553\t\t\t\t\tUSD\tOrder\t114-8829371-4410258\tItemFees\tCommission\t-19.50\t2026-06-17",
            "5553\t\t\t\t\tUSD\tOrder\t114-8829371-4410258\tItemFees\tFBAPerUnitFulfillmentFee\t"
            "-4.75\t2026-06-17",
            "5553\t\t\t\t\tUSD\tOrder\t114-8829371-4410258\tItemWithheldTax\t"
            "MarketplaceFacilitatorTax-Principal\t-10.40\t2026-06-17",
        ]).encode()
        self.env["amazon.seller.settlement.import"]._import_file(self.account, content, "s.txt")
        self.assertEqual(order.amazon_settlement_line_count, 5)
        self.assertEqual(order.amazon_fee_total, -24.25)
        action = order.action_amazon_settlement_lines()
        self.assertEqual(len(self.env["amazon.seller.settlement.line"].search(action["domain"])), 5)


@tagged("post_install", "-at_install")
class TestSettlementCron(SimulatorCase):
    """Ready settlements are posted by the scheduled action."""

    def test_cron_posts_a_negative_settlement(self):
        """Test that a ready settlement the seller owes on is posted by the scheduled action."""
        content = "\n".join([
            "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
            "total-amount\tcurrency\ttransaction-type\tamount-type\tamount-description\t"
            "amount\tposted-date",
            "5554\t2026-06-01\t2026-06-14\t2026-06-16\t-39.99\tUSD\t\t\t\t\t",
            "5554\t\t\t\t\tUSD\tServiceFee\tother-transaction\tSubscription Fee\t-39.99\t2026-06-10",
        ]).encode()
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            self.account, content, "negative.txt")
        self.assertEqual(settlement.state, "ready")
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_post_settlements").method_direct_trigger()
        self.assertEqual(settlement.state, "posted")
        usd = self.account.payments_ids.filtered(lambda p: p.currency_id.name == "USD")
        lines = self.env["account.move.line"].search(
            [("move_id", "in", settlement.statement_id.line_ids.move_id.ids)])
        by_account = {}
        for line in lines:
            by_account[line.account_id] = round(by_account.get(line.account_id, 0) + line.balance, 2)
        self.assertEqual(by_account[usd.subscription_account_id], 39.99)
        self.assertEqual(by_account[usd.transit_account_id], -39.99, "owed to Amazon, in transit")
        self.assertEqual(by_account[usd.balance_account_id], 0.0)


@tagged("post_install", "-at_install")
class TestBadSettlementFiles(SimulatorCase):
    """Files that cannot be a settlement: refused through the wizard with file, line and
    column, and nothing written."""

    HEADER = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
              "total-amount\tcurrency\ttransaction-type\torder-id\tamount-type\t"
              "amount-description\tamount\tposted-date")
    SUMMARY = "7001\t2026-06-01\t2026-06-14\t2026-06-16\t-39.99\tUSD\t\t\t\t\t\t"
    FEE = "7001\t\t\t\t\tUSD\tServiceFee\t\tother-transaction\tSubscription Fee\t-39.99\t2026-06-10"

    def test_each_bad_file_is_named_and_writes_nothing(self):
        """Test that each kind of bad file gets a message naming what is wrong and where."""
        cases = {
            "wrong-header.txt": ("order id\tprice\n1\t2\n", "line 1"),
            "no-summary.txt": ("\n".join([self.HEADER, self.FEE]), 'line 2, column "total-amount"'),
            "invariant.txt": ("\n".join([self.HEADER, self.SUMMARY.replace("-39.99", "-49.99"),
                                         self.FEE]),
                              'line 2, column "total-amount": the rows add up to -39.99, not to '
                              'the total amount -49.99'),
            "two-currencies.txt": ("\n".join([self.HEADER, self.SUMMARY,
                                              self.FEE.replace("USD", "EUR")]),
                                   'line 3, column "currency"'),
            "header-only.txt": (self.HEADER + "\n", "line 2"),
            "truncated.txt": ("\n".join([self.HEADER, self.SUMMARY, self.FEE[:40]]),
                              "line 3"),
            "garbage.bin": ("\x00\x01\x02PK\x03\x04\xff\xfe", "garbage.bin"),
            "bad-number.txt": ("\n".join([self.HEADER, self.SUMMARY,
                                          self.FEE.replace("-39.99\t", "-39,9x\t")]),
                               'line 3, column "amount": "-39,9x" is not a number'),
            "bad-date.txt": ("\n".join([self.HEADER, self.SUMMARY,
                                        self.FEE.replace("2026-06-10", "2026-13-45")]),
                             'line 3, column "posted-date": "2026-13-45" is not a date'),
        }
        for name, (content, where) in cases.items():
            with self.subTest(name):
                attachment = self.env["ir.attachment"].create({
                    "name": name, "datas": base64.b64encode(content.encode("latin-1"))})
                wizard = self.env["amazon.seller.settlement.import.wizard"].create({
                    "account_id": self.account.id, "attachment_ids": [(6, 0, attachment.ids)]})
                wizard.action_import()
                self.assertIn(name, wizard.result)
                self.assertIn(where, wizard.result)
                self.assertFalse(self.env["amazon.seller.settlement"].search(
                    [("account_id", "=", self.account.id)]))
                self.assertFalse(self.env["ir.attachment"].search(
                    [("res_model", "=", "amazon.seller.settlement")]))
