from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..formats.tracking_parser import TrackingFileError, TrackingRow, parse_tracking_file
from ..utils import in_english


def reasons(problems):
    """(line, reason in English) of each problem."""
    return [(problem.line, in_english(problem.reason)) for problem in problems]


@tagged("post_install", "-at_install")
class TestTrackingParser(BaseCase):
    """A carrier's tracking export, whatever its flavour (pure)."""

    def test_tabs_utf8_bom_and_delivery_references(self):
        """Test a tab-separated UTF-8 file with BOM naming deliveries, with ISO dates."""
        content = ("\ufeffDelivery\tCarrier Name\tTracking Number\tShip Date\n"
                   "WH/OUT/00007\tUPS\t1Z999AA10123456784\t2026-11-20\n"
                   "\n"
                   "WH/OUT/00008\tUPS\t\t\n").encode("utf-8")
        rows, problems = parse_tracking_file(content)
        self.assertEqual(rows, [TrackingRow(2, "", "WH/OUT/00007", "UPS", "1Z999AA10123456784",
                                            datetime(2026, 11, 20))])
        self.assertEqual(reasons(problems), [(4, "no tracking number")])

    def test_bad_dates_and_missing_references_are_named(self):
        """Test that a row with an unreadable date or no reference names its line."""
        content = b"order-id,tracking,date\n,T1,\n302-1,T2,tomorrow\n"
        rows, problems = parse_tracking_file(content)
        self.assertEqual(rows, [])
        self.assertEqual(reasons(problems), [(2, "no Amazon order id nor delivery reference"),
                                             (3, "ship date 'tomorrow' is not a date")])

    def test_unreadable_files(self):
        """Test that an empty file, a file without separator or columns is refused clearly."""
        for content, reason in [
            (b"", "the file is empty"),
            (b"just one column\n1\n", "no column separator"),
            (b"order;tracking number\n", None),
            (b"carrier;tracking\nDHL;1\n", "no order column"),
        ]:
            with self.subTest(content=content):
                if reason is None:
                    self.assertEqual(parse_tracking_file(content), ([], []))
                    continue
                with self.assertRaises(TrackingFileError) as caught:
                    parse_tracking_file(content)
                self.assertIn(reason, caught.exception.args[0])
