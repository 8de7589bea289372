from datetime import timedelta

from odoo import models

from .. import const
from ..formats.returns_parser import parse_fba_returns, parse_fbm_returns

# Amazon lists a return once its fulfilment centre processed it and updates rows of earlier
# days later: each request reaches back this far before the checkpoint (rows are stored once).
LOOKBACK = timedelta(days=35)
# First run of an account: returns of the last days.
INITIAL_DAYS = 30
# Waiting returns matched again per run (their order imported, their delivery validated since).
RETRIES_PER_RUN = 500
PARSERS = {
    const.FBA_RETURNS_REPORT_TYPE: parse_fba_returns,
    const.FBM_RETURNS_REPORT_TYPE: parse_fbm_returns,
}
# What a later listing of a stored return may change.
UPDATABLE = ("amazon_status", "delivered_on", "tracking_ref", "return_carrier",
             "customer_comments")


class AmazonSellerReturnImport(models.AbstractModel):
    """The returns flow: Amazon's customer-returns reports of each marketplace — FBA
    (``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA``) and merchant-fulfilled
    (``GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE``) — become ``amazon.seller.return`` records,
    each stored once (its Amazon key) and matched to its order: FBA returns go back into the FBA
    stock (or the unsellable location) at once, FBM returns wait as return transfers for the
    warehouse. Each request covers the days since the last run and ``LOOKBACK`` before; the
    checkpoint advances once every report of the run is stored. Unreadable rows are recorded as
    synchronisation errors naming their line; returns that cannot be matched yet wait and are
    matched again at each run."""

    _name = "amazon.seller.return.import"
    _inherit = "amazon.seller.report.flow"
    _description = "Amazon Customer Returns Import"
    _flow = "returns"
    _cron_xmlid = "amazon_seller.ir_cron_sync_returns"
    _parsers = PARSERS

    # === THE FLOW === #

    def _run(self, account, state, stats, commit):
        done = self._run_reports(account, state, stats, commit, LOOKBACK, INITIAL_DAYS)
        self._match_waiting(account, stats)
        stats["waiting"] = self.env["amazon.seller.return"].search_count(
            [("account_id", "=", account.id), ("state", "=", "waiting")])
        return done

    def _summary(self, stats):
        message = self.env._(
            "%(created)s new return(s), %(received)s back in stock, %(expected)s expected at "
            "the warehouse, %(waiting)s waiting, %(failed)s failed", created=stats["created"],
            received=stats["received"], expected=stats["expected"], waiting=stats["waiting"],
            failed=stats["failed"])
        return message + self._pending_note(stats)

    # === ONE REPORT === #

    def _store_rows(self, account, marketplace, report_type, rows, stats):
        new = self._store(account, rows, stats)
        new._match()
        self._count(new, stats)

    def _store(self, account, rows, stats):
        """Create the returns Amazon reports for the first time, update those it lists again;
        return the new ones."""
        Return = self.env["amazon.seller.return"].with_context(mail_create_nolog=True)
        rows = {row.key: row for row in rows}  # a row listed twice: its last version
        known = {record.key: record for record in Return.search(
            [("account_id", "=", account.id), ("key", "in", list(rows))])}
        for key, record in known.items():
            changes = {name: value for name, value in self._values(rows[key]).items()
                       if name in UPDATABLE and value and record[name] != value}
            if changes:
                record.write(changes)
                stats["updated"] += 1
        created = Return.create([{"account_id": account.id, **self._values(row)}
                                 for key, row in rows.items() if key not in known])
        stats["created"] += len(created)
        return created

    @staticmethod
    def _values(row):
        return {
            "key": row.key, "channel": row.channel, "order_ref": row.order_ref, "sku": row.sku,
            "asin": row.asin or False, "quantity": row.quantity,
            "returned_at": row.returned_at or False, "disposition": row.disposition or False,
            "sellable": row.sellable, "reason": row.reason or False,
            "amazon_status": row.status or False, "license_plate": row.license_plate or False,
            "fulfillment_center": row.fulfillment_center or False,
            "customer_comments": row.comments or False, "rma": row.rma or False,
            "return_carrier": row.carrier or False, "tracking_ref": row.tracking or False,
            "delivered_on": row.delivered_on or False,
        }

    def _match_waiting(self, account, stats):
        """Match again the returns still waiting for their order or delivery."""
        waiting = self.env["amazon.seller.return"].search(
            [("account_id", "=", account.id), ("state", "=", "waiting")],
            limit=RETRIES_PER_RUN, order="returned_at, id")
        waiting._match()
        self._count(waiting, stats)

    @staticmethod
    def _count(records, stats):
        """Count the returns now back in stock or expected at the warehouse."""
        for record in records.filtered(lambda r: r.state != "waiting"):
            stats[record.state] += 1
