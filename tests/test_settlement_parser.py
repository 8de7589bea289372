from collections import defaultdict
from datetime import datetime
from decimal import Decimal
import hashlib
import io
import json
import os

from odoo.tests import BaseCase, tagged

from ..formats.settlement_parser import SettlementFileError, SettlementReader, parse_settlement
from ..utils import proposed_fee_role

# The 24 columns of Amazon's V2 flat file, in Amazon's order.
COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date",
    "total-amount", "currency", "transaction-type", "order-id", "merchant-order-id",
    "adjustment-id", "shipment-id", "marketplace-name", "amount-type", "amount-description",
    "amount", "fulfillment-id", "posted-date", "posted-date-time", "order-item-code",
    "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
)
# <repository>/../shared/amazon/settlement-samples (third-party data, absent from a user's checkout)
SAMPLES = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))),
    "shared", "amazon", "settlement-samples")

# A short file for the bad inputs: 11 columns, line 2 the summary, line 3 a row.
HEADER = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
          "total-amount\tcurrency\ttransaction-type\tamount-type\tamount-description\tamount\t"
          "posted-date")
SUMMARY = "111\t2026-06-16\t2026-06-30\t2026-07-02\t-12.30\tUSD\t\t\t\t\t"
ROW = "111\t\t\t\t\tUSD\tServiceFee\tother-transaction\tStorage Fee\t-12.30\t2026-06-30"


def flat_file(summary, rows, columns=COLUMNS):
    """The text of a settlement file: ``columns`` as header, then the summary and the rows
    (dicts by column name; absent columns are empty)."""
    lines = ["\t".join(columns)]
    lines += ["\t".join(values.get(name, "") for name in columns) for values in [summary, *rows]]
    return "\n".join(lines) + "\n"


def short_file(*rows, summary=SUMMARY):
    """The bytes of the short file: header, ``summary`` and ``rows`` (lines)."""
    return ("\n".join([HEADER, summary, *rows]) + "\n").encode()


@tagged("post_install", "-at_install")
class TestSettlementParser(BaseCase):
    """Amazon's settlement report V2 flat file, in every format seen (pure)."""

    def assertFileError(self, content, message, filename="settlement.txt"):
        with self.assertRaises(SettlementFileError) as caught:
            parse_settlement(content, filename)
        self.assertEqual(str(caught.exception), message)

    # === REAL AND SIMULATED FILES === #

    def test_public_sample(self):
        """Test that the public USD sample gives its summary, 23 rows and their sums."""
        path = os.path.join(SAMPLES, "xieyi138_settlement-sample.txt")
        if not os.path.exists(path):
            self.skipTest("../shared/amazon/settlement-samples is absent: no public sample")
        with open(path, "rb") as stream:
            settlement = parse_settlement(stream)
        self.assertEqual(settlement.filename, "xieyi138_settlement-sample.txt")
        self.assertEqual(settlement.settlement_id, "28471003921")
        self.assertEqual(settlement.start_date, datetime(2026, 6, 16))
        self.assertEqual(settlement.end_date, datetime(2026, 6, 30, 23, 59, 59))
        self.assertEqual(settlement.deposit_date, datetime(2026, 7, 2))
        self.assertEqual(settlement.total_amount, Decimal("582.89"))
        self.assertEqual(settlement.currency, "USD")
        self.assertEqual(settlement.encoding, "utf-8")
        self.assertEqual(settlement.summary_line, 2)
        self.assertEqual(settlement.columns, COLUMNS)
        self.assertEqual(settlement.sha256,
                         "04e64a8009ebe93e9a0b679d83b8991ca400f6fb701df95f564a60e9dbd367f6")
        self.assertEqual(len(settlement.rows), 23)
        self.assertEqual(sum(row.amount for row in settlement.rows), Decimal("582.89"))
        by_type = defaultdict(Decimal)
        for row in settlement.rows:
            by_type[row.transaction_type] += row.amount
        self.assertEqual(dict(by_type), {
            "Order": Decimal("398.56"), "Refund": Decimal("-115.49"),
            "ServiceFee": Decimal("-116.87"), "Shipment": Decimal("-2.50"),
            "Adjustment": Decimal("18.75"), "Transfer": Decimal("400.44")})
        refund = settlement.rows[12]
        self.assertEqual(
            (refund.line, refund.transaction_type, refund.amount_type, refund.amount_description,
             refund.amount, refund.posted_date, refund.order_id, refund.order_item_code,
             refund.shipment_id, refund.sku, refund.quantity, refund.marketplace_name),
            (15, "Refund", "ItemFees", "RefundCommission", Decimal("-5.00"),
             datetime(2026, 6, 22, 11, 47, 3), "112-5561209-7742044", "55180221007", "DS7K9LM1A",
             "NX-HD-1200", 1, "amazon.com"))
        self.assertEqual(refund.values["fulfillment-id"], "AFN")
        self.assertEqual(refund.values["posted-date"], "2026-06-22 00:00:00 UTC")
        self.assertEqual(len(refund.values), 24)
        reserve = settlement.rows[-1]
        self.assertEqual((reserve.line, reserve.amount_description, reserve.amount,
                          reserve.order_id, reserve.quantity),
                         (25, "Current Reserve Amount", Decimal("-420.00"), "", None))

    def test_observed_fee_codes_are_kept_verbatim(self):
        """Test that the 64 observed amount descriptions come back as written."""
        path = os.path.join(SAMPLES, "xieyi138_fee-codes.json")
        if not os.path.exists(path):
            self.skipTest("../shared/amazon/settlement-samples is absent: no fee code list")
        with open(path, encoding="utf-8") as stream:
            entries = json.load(stream)["entries"]
        self.assertEqual(len(entries), 64)
        rows = [{"settlement-id": "9", "currency": "EUR", "transaction-type": "Other",
                 "amount-type": (entry["amount_types"] or ["other-transaction"])[0],
                 "amount-description": entry["description"], "amount": "-1,00",
                 "posted-date": "01.07.2026"} for entry in entries]
        summary = {"settlement-id": "9", "settlement-start-date": "01.07.2026",
                   "settlement-end-date": "14.07.2026", "deposit-date": "16.07.2026",
                   "total-amount": "-64,00", "currency": "EUR"}
        settlement = parse_settlement(flat_file(summary, rows).encode("cp1252"), "fees.txt")
        self.assertEqual([row.amount_description for row in settlement.rows],
                         [entry["description"] for entry in entries])
        self.assertIn("FBA Inventory Reimbursement - Customer Return",
                      [row.amount_description for row in settlement.rows])

    def test_german_file(self):
        """Test a DE file: 95,00 and 1.234,56, DD.MM.YYYY dates, cp1252, its own column set."""
        columns = ("settlement-id", "settlement-start-date", "settlement-end-date",
                   "deposit-date", "total-amount", "currency", "transaction-type", "order-id",
                   "marketplace-name", "amount-type", "amount-description", "amount",
                   "posted-date", "sku", "quantity-purchased", "extra-note")
        summary = {"settlement-id": "12233344455",
                   "settlement-start-date": "16.06.2026 00:00:00 UTC",
                   "settlement-end-date": "30.06.2026 23:59:59 UTC",
                   "deposit-date": "02.07.2026 00:00:00 UTC", "total-amount": "1.299,33",
                   "currency": "EUR"}
        order = {"settlement-id": "12233344455", "currency": "EUR", "transaction-type": "Order",
                 "order-id": "302-1234567-1234567", "marketplace-name": "Amazon.de",
                 "sku": "DE-SKU-1", "quantity-purchased": "2", "posted-date": "17.06.2026"}
        content = flat_file(summary, [
            {**order, "amount-type": "ItemPrice", "amount-description": "Principal",
             "amount": "1.234,56"},
            {**order, "amount-type": "ItemPrice", "amount-description": "Shipping",
             "amount": "95,00"},
            {**order, "amount-type": "ItemFees", "amount-description": "Commission",
             "amount": "-29,72", "extra-note": "Gebühr für Verkäufe"},
            {"settlement-id": "12233344455", "transaction-type": "ServiceFee",
             "amount-type": "other-transaction", "amount-description": "Subscription Fee",
             "amount": "-0,51", "posted-date": "30.06.2026"},
        ], columns).encode("cp1252")
        settlement = parse_settlement(content, "DE.txt")
        self.assertEqual(settlement.encoding, "cp1252")
        self.assertEqual((settlement.settlement_id, settlement.currency, settlement.total_amount),
                         ("12233344455", "EUR", Decimal("1299.33")))
        self.assertEqual((settlement.start_date, settlement.end_date, settlement.deposit_date),
                         (datetime(2026, 6, 16), datetime(2026, 6, 30, 23, 59, 59),
                          datetime(2026, 7, 2)))
        self.assertEqual([row.amount for row in settlement.rows],
                         [Decimal("1234.56"), Decimal("95.00"), Decimal("-29.72"),
                          Decimal("-0.51")])
        self.assertEqual([row.line for row in settlement.rows], [3, 4, 5, 6])
        commission = settlement.rows[2]
        self.assertEqual(commission.values["extra-note"], "Gebühr für Verkäufe")
        self.assertEqual((commission.posted_date, commission.quantity, commission.sku,
                          commission.order_id, commission.shipment_id, commission.adjustment_id),
                         (datetime(2026, 6, 17), 2, "DE-SKU-1", "302-1234567-1234567", "", ""))
        self.assertEqual(dict(commission.values), {
            "settlement-id": "12233344455", "settlement-start-date": "",
            "settlement-end-date": "", "deposit-date": "", "total-amount": "", "currency": "EUR",
            "transaction-type": "Order", "order-id": "302-1234567-1234567",
            "marketplace-name": "Amazon.de", "amount-type": "ItemFees",
            "amount-description": "Commission", "amount": "-29,72", "posted-date": "17.06.2026",
            "sku": "DE-SKU-1", "quantity-purchased": "2", "extra-note": "Gebühr für Verkäufe"})
        self.assertEqual((settlement.rows[3].order_id, settlement.rows[3].quantity,
                          settlement.rows[3].posted_date), ("", None, datetime(2026, 6, 30)))

    def test_uk_file_with_iso_dates(self):
        """Test a UK file: ISO-8601 dates (+00:00, Z, +01:00), UTF-8 with BOM, CRLF."""
        summary = {"settlement-id": "5550001", "settlement-start-date": "2026-06-16T00:00:00+00:00",
                   "settlement-end-date": "2026-06-29T23:59:59+00:00",
                   "deposit-date": "2026-07-01T00:00:00+00:00", "total-amount": "18.49",
                   "currency": "GBP"}
        rows = [
            {"settlement-id": "5550001", "currency": "GBP", "transaction-type": "Order",
             "order-id": "202-7654321-7654321", "amount-type": "ItemPrice",
             "amount-description": "Principal", "amount": "24.99",
             "posted-date": "2026-06-17T00:00:00+00:00",
             "posted-date-time": "2026-06-17T09:30:00+01:00", "marketplace-name": "Amazon.co.uk"},
            {"settlement-id": "5550001", "currency": "GBP", "transaction-type": "Order",
             "order-id": "202-7654321-7654321", "amount-type": "ItemFees",
             "amount-description": "Commission", "amount": "-3.75",
             "posted-date-time": "2026-06-17T08:30:00Z"},
            {"settlement-id": "5550001", "currency": "GBP", "transaction-type": "ServiceFee",
             "amount-type": "other-transaction", "amount-description": "Storage Fee £",
             "amount": "-2.75", "posted-date": "2026-06-29T00:00:00+00:00"},
        ]
        content = ("\ufeff" + flat_file(summary, rows).replace("\n", "\r\n")).encode("utf-8")
        settlement = parse_settlement(content, "UK.txt")
        self.assertEqual(settlement.encoding, "utf-8-sig")
        self.assertEqual(settlement.columns, COLUMNS)
        self.assertEqual((settlement.start_date, settlement.end_date, settlement.deposit_date),
                         (datetime(2026, 6, 16), datetime(2026, 6, 29, 23, 59, 59),
                          datetime(2026, 7, 1)))
        self.assertEqual([(row.posted_date, row.amount) for row in settlement.rows], [
            (datetime(2026, 6, 17, 8, 30), Decimal("24.99")),
            (datetime(2026, 6, 17, 8, 30), Decimal("-3.75")),
            (datetime(2026, 6, 29), Decimal("-2.75"))])
        self.assertEqual(settlement.rows[2].amount_description, "Storage Fee £")
        self.assertEqual(settlement.rows[0].marketplace_name, "Amazon.co.uk")

    def test_japanese_cp932_file_without_decimals(self):
        """Test a JP file in cp932: yen amounts without decimals, +09:00 dates, a title."""
        columns = (*COLUMNS, "product-name")
        summary = {"settlement-id": "77700001",
                   "settlement-start-date": "2026-06-16T09:00:00+09:00",
                   "settlement-end-date": "2026-06-30T08:59:59+09:00",
                   "deposit-date": "2026-07-02T09:00:00+09:00", "total-amount": "1,042",
                   "currency": "JPY"}
        item = {"settlement-id": "77700001", "currency": "JPY", "transaction-type": "Order",
                "order-id": "250-1234567-8901234", "marketplace-name": "Amazon.co.jp",
                "posted-date-time": "2026-06-17T00:30:00+09:00", "sku": "JP-TB-01",
                "quantity-purchased": "1", "order-item-code": "12345678901234",
                "product-name": "電動歯ブラシ ホワイト（替えブラシ付き）"}
        content = flat_file(summary, [
            {**item, "amount-type": "ItemPrice", "amount-description": "Principal",
             "amount": "1490"},
            {**item, "amount-type": "ItemFees", "amount-description": "Commission",
             "amount": "-224"},
            {**item, "amount-type": "ItemFees", "amount-description": "FBAPerUnitFulfillmentFee",
             "amount": "-224"},
        ], columns).encode("cp932")
        settlement = parse_settlement(content, "JP.txt")
        self.assertEqual(settlement.encoding, "cp932")
        self.assertEqual((settlement.currency, settlement.total_amount), ("JPY", Decimal(1042)))
        self.assertEqual((settlement.start_date, settlement.end_date, settlement.deposit_date),
                         (datetime(2026, 6, 16), datetime(2026, 6, 29, 23, 59, 59),
                          datetime(2026, 7, 2)))
        self.assertEqual([row.amount for row in settlement.rows],
                         [Decimal(1490), Decimal(-224), Decimal(-224)])
        first = settlement.rows[0]
        self.assertEqual(first.values["product-name"],
                         "電動歯ブラシ ホワイト（替えブラシ付き）")
        self.assertEqual((first.posted_date, first.order_item_code, first.quantity),
                         (datetime(2026, 6, 16, 15, 30), "12345678901234", 1))

    def test_us_file(self):
        """Test a US file: UTC dates, 1,234.56, a negative settlement (seller owes Amazon)."""
        summary = {"settlement-id": "28471009999",
                   "settlement-start-date": "2026-06-16 00:00:00 UTC",
                   "settlement-end-date": "2026-06-30 23:59:59 UTC",
                   "deposit-date": "2026-07-02 00:00:00 UTC", "total-amount": "-1,114.55",
                   "currency": "USD"}
        rows = [
            {"settlement-id": "28471009999", "currency": "USD", "transaction-type": "Refund",
             "order-id": "114-0000001-0000001", "amount-type": "ItemPrice",
             "amount-description": "Principal", "amount": "-1,234.56",
             "posted-date": "2026-06-20 00:00:00 UTC",
             "posted-date-time": "2026-06-20 18:02:11 UTC",
             "adjustment-id": "AJ1", "quantity-purchased": "3"},
            {"settlement-id": "28471009999", "currency": "USD", "transaction-type": "Refund",
             "order-id": "114-0000001-0000001", "amount-type": "ItemFees",
             "amount-description": "Commission", "amount": "185.18",
             "posted-date": "2026-06-20 00:00:00 UTC", "adjustment-id": "AJ1"},
            {"settlement-id": "28471009999", "currency": "USD", "transaction-type": "ServiceFee",
             "amount-type": "Cost of Advertising", "amount-description": "TransactionTotalAmount",
             "amount": "-65.17", "posted-date": "2026-06-25 00:00:00 UTC"},
        ]
        settlement = parse_settlement(flat_file(summary, rows).encode(), "US.txt")
        self.assertEqual(settlement.encoding, "utf-8")
        self.assertEqual(settlement.total_amount, Decimal("-1114.55"))
        self.assertEqual([(row.amount, row.posted_date, row.adjustment_id, row.quantity)
                          for row in settlement.rows], [
            (Decimal("-1234.56"), datetime(2026, 6, 20, 18, 2, 11), "AJ1", 3),
            (Decimal("185.18"), datetime(2026, 6, 20), "AJ1", None),
            (Decimal("-65.17"), datetime(2026, 6, 25), "", None)])

    def test_simulator_settlements(self):
        """Test that the simulator's US, DE, UK and JP settlements parse with Σ rows = total."""
        from ..tools.spapi_simulator import settlement as simulated
        from ..tools.spapi_simulator.clock import DAY
        from ..tools.spapi_simulator.scenario import Scenario
        from ..tools.spapi_simulator.testing import START

        scenario = Scenario(seed=3, orders=60, start=START)
        periods = simulated.closed_periods(scenario, START + 20 * DAY)
        self.assertEqual(periods, [0, 1, 2])
        expected = {  # marketplace: (marks in the text, start written, total, rows)
            "US": ("2026-05-12 00:00:00 UTC", Decimal("470.16"), 58),
            "DE": ("12.05.2026 00:00:00 UTC", Decimal("60.74"), 20),
            "UK": ("2026-05-12T00:00:00+00:00", Decimal("-42.97"), 4),
            "JP": ("2026-05-12T09:00:00+09:00", Decimal("16897"), 16),
        }
        for code, (start_text, total, count) in expected.items():
            with self.subTest(marketplace=code):
                report = simulated.build(scenario, code, 1)
                text = simulated.render(report)
                self.assertIn(start_text, text)
                settlement = parse_settlement(text.encode(), f"{code}.txt")
                self.assertEqual(settlement.settlement_id, report.settlement_id)
                self.assertEqual(settlement.currency, report.currency)
                self.assertEqual(settlement.start_date, datetime(2026, 5, 12))
                self.assertEqual(settlement.end_date, datetime(2026, 5, 25, 23, 59, 59))
                self.assertEqual(settlement.deposit_date, datetime(2026, 5, 28))
                self.assertEqual(settlement.total_amount, total)
                self.assertEqual(len(settlement.rows), count)
                self.assertEqual(sum(row.amount for row in settlement.rows), total)
                unit = Decimal(1) if code == "JP" else Decimal("0.01")
                self.assertEqual(total, report.total * unit)
                self.assertEqual(sorted(row.amount for row in settlement.rows),
                                 sorted(row["amount"] * unit for row in report.rows))
        self.assertIn("\t60,74\tEUR\t", simulated.render(simulated.build(scenario, "DE", 1)))

    # === FORMATS === #

    def test_number_formats(self):
        """Test that amounts in local formats are read with the right decimal mark."""
        for currency, text, amount in [
            ("EUR", "95,00", "95.00"), ("EUR", "-0,51", "-0.51"), ("EUR", "1.234,56", "1234.56"),
            ("USD", "1,234.56", "1234.56"), ("EUR", "1234", "1234"),
            ("EUR", "1 234,56", "1234.56"), ("EUR", "1\u00a0234,56", "1234.56"),
            ("EUR", "-1\u202f234,56", "-1234.56"), ("EUR", "1.234.567,8", "1234567.8"),
            ("USD", "1,234,567.89", "1234567.89"), ("CHF", "1'234.50", "1234.50"),
            ("USD", "+12.30", "12.30"), ("EUR", "\u22124,75", "-4.75"), ("EUR", "1,234", "1234"),
            ("USD", "1.234", "1234"), ("JPY", "1,490", "1490"), ("JPY", "-224", "-224"),
            ("JPY", "1490.00", "1490"), ("KWD", "1,234", "1.234"), ("EUR", "0,5", "0.5"),
            ("EUR", "999999999,99", "999999999.99"),
        ]:
            with self.subTest(text=text):
                content = short_file(
                    ROW.replace("USD", currency).replace("-12.30", text),
                    summary=SUMMARY.replace("USD", currency).replace("-12.30", text))
                settlement = parse_settlement(content)
                self.assertEqual(settlement.rows[0].amount, Decimal(amount))
                self.assertEqual(str(settlement.total_amount), str(settlement.rows[0].amount))

    def test_ambiguous_numbers_follow_the_file(self):
        """Test that 1,234 is decided by the file's other values, and contradictions refused."""
        content = short_file(ROW.replace("-12.30", "1,234"), ROW.replace("-12.30", "1.5"),
                             summary=SUMMARY.replace("-12.30", "1235.50"))
        self.assertEqual([row.amount for row in parse_settlement(content).rows],
                         [Decimal(1234), Decimal("1.5")])
        content = short_file(ROW.replace("-12.30", "1.234"),
                             summary=SUMMARY.replace("-12.30", "1.234,00"))
        self.assertEqual(parse_settlement(content).rows[0].amount, Decimal(1234))
        self.assertFileError(
            short_file(ROW.replace("-12.30", "1,234"), summary=SUMMARY.replace("-12.30", "95,00")),
            'settlement.txt, line 3, column "amount": "1,234" is ambiguous: the file writes '
            'decimals with "," (line 2: "95,00") but USD amounts have 2 decimals')
        self.assertFileError(
            short_file(ROW.replace("-12.30", "95,00"), summary=SUMMARY.replace("-12.30", "1,234")),
            'settlement.txt, line 3, column "amount": "95,00" writes decimals with "," but line 2 '
            'groups thousands with it ("1,234")')
        self.assertFileError(
            short_file(ROW.replace("-12.30", "1,00")),
            'settlement.txt, line 3, column "amount": "1,00" writes decimals with "," but line 2 '
            'writes them with "." ("-12.30")')

    def test_dates(self):
        """Test that every date format is read value by value as naive UTC."""
        for text, moment in [
            ("2026-06-17 08:14:22 UTC", datetime(2026, 6, 17, 8, 14, 22)),
            ("17.06.2026 08:14:22 UTC", datetime(2026, 6, 17, 8, 14, 22)),
            ("17.06.2026", datetime(2026, 6, 17)),
            ("2026-06-17", datetime(2026, 6, 17)),
            ("2026-06-17T17:14:22+09:00", datetime(2026, 6, 17, 8, 14, 22)),
            ("2026-06-17T08:14:22+00:00", datetime(2026, 6, 17, 8, 14, 22)),
            ("2026-06-17T08:14:22Z", datetime(2026, 6, 17, 8, 14, 22)),
            ("2026-06-17T08:14:22.250Z", datetime(2026, 6, 17, 8, 14, 22, 250000)),
            ("2026-06-17T03:14:22-0500", datetime(2026, 6, 17, 8, 14, 22)),
            ("2026-06-17 01:14:22 PDT", datetime(2026, 6, 17, 8, 14, 22)),
        ]:
            with self.subTest(text=text):
                settlement = parse_settlement(short_file(ROW.replace("2026-06-30", text)))
                self.assertEqual(settlement.rows[0].posted_date, moment)
        for text in ("30.02.2026", "2026/06/17", "06/17/2026", "2026-06-17 08:14:22 XYZ",
                     "yesterday"):
            with self.subTest(text=text):
                self.assertFileError(
                    short_file(ROW.replace("2026-06-30", text)),
                    f'settlement.txt, line 3, column "posted-date": "{text}" is not a date')
        self.assertFileError(
            short_file(ROW.replace("2026-06-30", "1999-12-31")),
            'settlement.txt, line 3, column "posted-date": "1999-12-31" is not between '
            '2000-01-01 and 2100-01-01')

    def test_encodings(self):
        """Test that UTF-8, UTF-8 with BOM, cp1252 and cp932 are told apart."""
        for description, encoding, expected in [
            ("Gebühr für Lagerung", "utf-8", "utf-8"),
            ("Gebühr für Lagerung", "utf-8-sig", "utf-8-sig"),
            ("Gebühr für Lagerung – Straße", "cp1252", "cp1252"),
            ("Frais de réexpédition", "cp1252", "cp1252"),  # é+letter is a kanji in cp932
            ("在庫保管手数料", "cp932", "cp932"),
            ("ストレージ", "cp932", "cp932"),
            ("Storage Fee", "ascii", "utf-8"),
        ]:
            with self.subTest(description=description, encoding=encoding):
                content = short_file(ROW.replace("Storage Fee", description)).decode()
                settlement = parse_settlement(content.encode(encoding))
                self.assertEqual(settlement.encoding, expected)
                self.assertEqual(settlement.rows[0].amount_description, description)

    def test_broken_lines_blank_lines_and_trailing_blanks(self):
        """Test that a value broken over lines is joined back; blank lines are ignored."""
        content = "\n".join([
            "", HEADER + "\t", "  ", SUMMARY.replace("-12.30", "-36.90"),
            ROW.replace("Storage Fee", "Storage\r\nFee"),
            "",
            ROW.replace("Storage Fee", "Long\nterm\nstorage"),
            ROW + "\t \t", "\t\t", "",
        ]).encode()
        settlement = parse_settlement(content)
        self.assertEqual(settlement.columns, tuple(HEADER.split("\t")))
        self.assertEqual([(row.line, row.amount_description, row.posted_date)
                          for row in settlement.rows], [
            (5, "Storage Fee", datetime(2026, 6, 30)),
            (8, "Long term storage", datetime(2026, 6, 30)),
            (11, "Storage Fee", datetime(2026, 6, 30)),
        ])
        # A line without a tab after a complete row continues its last value.
        content = "\n".join([HEADER + "\tpromotion-id", SUMMARY + "\t", ROW + "\tSUMMER-",
                             "SALE", ROW + "\t", ""]).encode()
        content = content.replace(b"\t-12.30\tUSD", b"\t-24.60\tUSD")
        settlement = parse_settlement(content)
        self.assertEqual([(row.line, row.values["promotion-id"]) for row in settlement.rows],
                         [(3, "SUMMER- SALE"), (5, "")])

    # === STREAMING === #

    def test_reader_streams_rows_and_checks_the_total_at_the_end(self):
        """Test that the reader gives the summary first, then rows, then checks the total."""
        stream = io.BytesIO(short_file(ROW, ROW.replace("-12.30", "-0.01")))
        reader = SettlementReader(stream, "stream.txt")
        self.assertEqual((reader.settlement_id, reader.total_amount, reader.currency),
                         ("111", Decimal("-12.30"), "USD"))
        self.assertEqual(reader.sha256, hashlib.sha256(stream.getvalue()).hexdigest())
        rows = []
        with self.assertRaises(SettlementFileError) as caught:
            for row in reader:
                rows.append(row.amount)
        self.assertEqual(rows, [Decimal("-12.30"), Decimal("-0.01")])
        self.assertEqual(str(caught.exception), (
            'stream.txt, line 2, column "total-amount": the rows add up to -12.31, not to the '
            'total amount -12.30 (difference -0.01, over 2 rows)'))
        self.assertFalse(stream.closed)
        with self.assertRaises(RuntimeError):
            iter(reader)

    def test_streams_of_every_kind(self):
        """Test that a named file, a non-seekable stream and a bytearray are all read."""
        class Pipe:
            def __init__(self, data):
                self.data = io.BytesIO(data)

            def read(self, size=-1):
                return self.data.read(size)

        content = short_file(ROW)
        stream = io.BytesIO(b"junk before" + content)
        stream.seek(len(b"junk before"))
        stream.name = "/tmp/reports/settlement-111.txt"
        for source, name in [(stream, "settlement-111.txt"), (Pipe(content), "settlement file"),
                             (bytearray(content), "settlement file")]:
            with self.subTest(name=name):
                settlement = parse_settlement(source)
                self.assertEqual(settlement.filename, name)
                self.assertEqual(settlement.sha256, hashlib.sha256(content).hexdigest())
                self.assertEqual(settlement.rows[0].amount, Decimal("-12.30"))
        with self.assertRaises(TypeError):
            parse_settlement(content.decode())
        self.assertFileError(b"\n", "settlement file, line 1: the file is empty", filename=None)

    # === BAD INPUT === #

    def test_bad_headers(self):
        """Test that a wrong, incomplete or duplicated header is refused, naming columns."""
        for content, message in [
            (b"", "settlement.txt, line 1: the file is empty"),
            (b"\n \n\t\n", "settlement.txt, line 1: the file is empty"),
            (HEADER.replace("\tcurrency", "").replace("\tamount\t", "\t").encode() + b"\n",
             'settlement.txt, line 1: missing columns "currency", "amount"'),
            (b"order-id,sku,amount\n1,2,3\n",
             'settlement.txt, line 1: the first line is not the tab-separated header of a '
             'settlement report (missing columns "settlement-id", "settlement-start-date", '
             '"settlement-end-date", "deposit-date", "total-amount", "currency", '
             '"transaction-type", "amount-type", "amount-description", "amount")'),
            (HEADER.encode() + b"\tAmount\n",
             'settlement.txt, line 1, column 12: the header names the column "amount" twice'),
            ((HEADER + "\n").encode(),
             "settlement.txt, line 2: no summary row: the file has only its header"),
        ]:
            with self.subTest(message=message):
                self.assertFileError(content, message)

    def test_bad_rows(self):
        """Test that each bad row is refused, naming its line and column."""
        for content, message in [
            (short_file(ROW.replace("111", "222", 1), summary=SUMMARY.replace("-12.30", "")),
             'settlement.txt, line 2, column "total-amount": no summary row: the first row after '
             'the header must give the settlement\'s total amount, it is empty'),
            (short_file(ROW, summary=SUMMARY[:-1] + "-12.30\t"),
             'settlement.txt, line 2, column "amount": the summary row (the first after the '
             'header) has an amount: "-12.30"'),
            (short_file(ROW.replace("USD", "EUR")),
             'settlement.txt, line 3, column "currency": more than one currency in the file: '
             '"EUR" here, "USD" in the summary (line 2)'),
            (short_file(ROW, ROW.replace("111", "112", 1)),
             'settlement.txt, line 4, column "settlement-id": more than one settlement in the '
             'file: "112" here, "111" in the summary (line 2)'),
            (short_file(ROW, SUMMARY),
             'settlement.txt, line 4, column "total-amount": a second summary row (only the '
             'first row after the header gives a total amount): "-12.30"'),
            (short_file(ROW.replace("-12.30", "12,3,4")),
             'settlement.txt, line 3, column "amount": "12,3,4" is not a number'),
            (short_file(ROW.replace("-12.30", "NaN")),
             'settlement.txt, line 3, column "amount": "NaN" is not a number'),
            (short_file(ROW.replace("-12.30", "1e5")),
             'settlement.txt, line 3, column "amount": "1e5" is not a number'),
            (short_file(ROW.replace("-12.30", "-1 000 000 000.00")),
             'settlement.txt, line 3, column "amount": "-1 000 000 000.00" is not below '
             '1000000000 in absolute value'),
            (short_file(ROW.replace("-12.30", "-12.3051")),
             'settlement.txt, line 3, column "amount": "-12.3051" has more decimals than USD '
             'amounts have (2)'),
            (short_file(ROW.replace("-12.30", "-12.305")),
             'settlement.txt, line 3, column "amount": "-12.305" is ambiguous: the file writes '
             'decimals with "." (line 2: "-12.30") but USD amounts have 2 decimals'),
            (short_file(ROW.replace("-12.30", "")),
             'settlement.txt, line 3, column "amount": the amount is empty'),
            (short_file(ROW.replace("-12.30", "-12.30 USD")),
             'settlement.txt, line 3, column "amount": "-12.30 USD" is not a number'),
            (short_file(ROW, summary=SUMMARY.replace("-12.30", "-12.31")),
             'settlement.txt, line 2, column "total-amount": the rows add up to -12.30, not to '
             'the total amount -12.31 (difference 0.01, over 1 rows)'),
            (short_file(ROW, summary=SUMMARY.replace("USD", "$")),
             'settlement.txt, line 2, column "currency": "$" is not a currency code (like EUR)'),
            (short_file(ROW, summary=SUMMARY.replace("2026-06-30", "2026-06-01")),
             'settlement.txt, line 2, column "settlement-end-date": the settlement ends '
             '(2026-06-01 00:00:00) before it starts (2026-06-16 00:00:00)'),
            (short_file(ROW, summary=SUMMARY.replace("2026-06-16", "")),
             'settlement.txt, line 2, column "settlement-start-date": the date is empty'),
            (short_file(ROW, summary=SUMMARY.replace("2026-07-02", "2.7.26")),
             'settlement.txt, line 2, column "deposit-date": "2.7.26" is not a date'),
        ]:
            with self.subTest(message=message):
                self.assertFileError(content, message)

    def test_quantity_must_be_whole(self):
        """Test that a quantity that is not a whole number names its line and column."""
        content = flat_file(
            {"settlement-id": "1", "settlement-start-date": "2026-06-16",
             "settlement-end-date": "2026-06-30", "deposit-date": "2026-07-02",
             "total-amount": "10.00", "currency": "USD"},
            [{"settlement-id": "1", "transaction-type": "Order", "amount-type": "ItemPrice",
              "amount-description": "Principal", "amount": "10.00",
              "quantity-purchased": "1,5"}]).encode()
        self.assertFileError(content, 'settlement.txt, line 3, column "quantity-purchased": '
                                      '"1,5" is not a whole number of units')

    def test_truncated_and_misshapen_rows(self):
        """Test that a truncated file, a short row and a row too wide are refused."""
        for content, message in [
            (short_file(ROW)[:-20],  # ends with "Storage Fe"
             'settlement.txt, line 3, column "amount": the file is cut short: its last row has 9 '
             'of the 11 columns'),
            (short_file(ROW)[:-20] + b"\n\n",
             'settlement.txt, line 3, column "amount": the file is cut short: its last row has 9 '
             'of the 11 columns'),
            (short_file(ROW[:20], ROW),  # "111\t\t\t\t\tUSD\tServiceF"
             'settlement.txt, line 3, column "amount-type": the row has 7 columns where the '
             'header has 11'),
            (short_file(ROW + "\tsurprise", ROW),
             'settlement.txt, line 3, column 12: the row has 12 columns where the header has '
             '11: "surprise"'),
            (short_file("just some words", ROW),
             'settlement.txt, line 3: no tab-separated columns (the header has 11): "just some '
             'words"'),
        ]:
            with self.subTest(message=message):
                self.assertFileError(content, message)

    def test_binary_garbage(self):
        """Test that NUL bytes, control characters and undecodable bytes are refused."""
        utf8 = short_file(ROW.replace("Storage Fee", "Rücksendegebühr für Größe"))
        for content, message in [
            (short_file(ROW.replace("Storage Fee", "Stor\x00age")),
             'settlement.txt, line 3, column "amount-description": binary data, not text: a NUL '
             'byte (0x00)'),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
             "settlement.txt, line 2, column 1: binary data, not text: the control character "
             "0x1A"),
            (("\ufeff" + HEADER).encode("utf-16-le") + b"\n\x00",
             'settlement.txt, line 1, column 1: binary data, not text: a NUL byte (0x00)'),
            (short_file(ROW.replace("Storage Fee", "Geb\x81hr")).decode().encode("latin-1"),
             'settlement.txt, line 3, column "amount-description": byte 0x81 is not text in '
             'UTF-8, cp932 (Japanese) or cp1252 (binary data?)'),
            (utf8.replace(b"-12.30\t2026", b"-12.30\t\xff2026"),
             'settlement.txt, line 3, column "posted-date": byte 0xFF is not valid UTF-8, the '
             'encoding of the rest of the file (a damaged file?)'),
            (b"\xef\xbb\xbf" + short_file(ROW).replace(b"Storage", b"St\xfcrage"),
             'settlement.txt, line 3, column "amount-description": byte 0xFC is not valid UTF-8, '
             'the encoding of the rest of the file (a damaged file?)'),
        ]:
            with self.subTest(message=message):
                self.assertFileError(content, message)


@tagged("post_install", "-at_install")
class TestProposedFeeRole(BaseCase):
    """What Create Rule proposes for a row no rule knows, from the words of its codes."""

    def test_words_of_the_code_name_the_fee_account(self):
        """Test that each kind of unknown fee is proposed on the account its words name."""
        self.assertEqual([proposed_fee_role(*codes) for codes in [
            ("ServiceFee", "Cost of Advertising", "SponsoredBrandsVideo"),
            ("other-transaction", "other-transaction", "FBA Inbound Placement Service Fee"),
            ("ServiceFee", "other-transaction", "Long-Term Storage Fee"),
            ("Adjustment", "FBA Inventory Reimbursement", "WAREHOUSE_MISPLACED"),
            ("ServiceFee", "Cost of Advertising", "TaxAmount"),
            ("ServiceFee", "other-transaction", "Mystery Fee"),
        ]], [("account", "advertising_account_id"), ("account", "fba_fee_account_id"),
             ("account", "storage_account_id"), ("account", "reimbursement_account_id"),
             ("fee_tax", False), ("account", "other_fee_account_id")])
