from collections import Counter
from contextlib import contextmanager
import logging

from psycopg2 import errors as pg_errors

from odoo import api, models
from odoo.exceptions import UserError

from ..exceptions import AmazonError
from ..utils import AmazonDataError, advisory_lock_key

_logger = logging.getLogger(__name__)

# Collisions with another transaction: not anybody's mistake, the batch is simply run again.
CONFLICT_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
CONFLICT_RETRIES = 3


class AmazonSellerFlow(models.AbstractModel):
    """The runner: what every flow repeats, done once.

    A flow (the orders importer, the shipment exporter...) inherits this model, names itself in
    ``_flow`` and implements :meth:`_run`. The runner re-checks each account's preconditions,
    takes the flow's advisory lock on the account, lets the flow commit per batch through
    ``ir.cron._commit_progress``, stops an account on throttling (the flow resumes where it
    stopped), isolates one account's crash from the others and records the result on the
    account's state of the flow.
    """

    _name = "amazon.seller.flow"
    _description = "Amazon Flow Runner"

    #: the key of the flow in ``const.FLOWS``
    _flow = None

    # === SCHEDULED ACTION === #

    @api.model
    def _cron_run(self):
        """Scheduled action: run the flow for every account that has work, the least recently
        run first, committing after each batch. Accounts whose work outlasts the run are reported
        as remaining, so that Odoo calls the action again at once."""
        cron = self.env["ir.cron"]
        accounts = self._accounts_to_run()
        unfinished = len(accounts)
        cron._commit_progress(remaining=unfinished)
        for account in accounts:
            complete = self._run_isolated(
                account,
                commit=lambda processed=1: cron._commit_progress(processed, remaining=unfinished))
            if complete:
                unfinished -= 1
            if not cron._commit_progress(remaining=unfinished):
                break  # out of time: Odoo runs the action again while work remains

    def _accounts_to_run(self):
        """The accounts the scheduled action looks at, the least recently run first."""
        accounts = self.env["amazon.seller.account"].search([("sync_enabled", "=", True)])
        last_runs = {state.account_id: state.last_run for state in self.env[
            "amazon.seller.flow.state"].search([("account_id", "in", accounts.ids),
                                                ("flow", "=", self._flow)])}
        return accounts.sorted(lambda a: (bool(last_runs.get(a)), last_runs.get(a) or 0, a.id))

    def _run_isolated(self, account, commit):
        """Run the flow for one account, under its lock. An unexpected crash is logged with its
        traceback, its unfinished batch undone, recorded on the account, and the other accounts
        go on. Return whether the account's work is complete (a run that stopped for lack of
        time is not)."""
        if not self._can_run(account) or not self._try_lock(account):
            return True  # nothing to do, or another worker is on it
        try:
            return self._run_retrying_conflicts(account, commit)
        except Exception as error:  # noqa: BLE001 - isolate the account, keep the others going
            # the runner alone undoes what the crashed account left unfinished since its last
            # committed batch; the scheduled action's cursor is its own
            self.env.cr.rollback()
            _logger.exception("Amazon account %s: the %s flow crashed", account.id, self._flow)
            self._state(account)._record_run(
                self.env._("unexpected error: %(error)s", error=error), failed=True)
            return True
        finally:
            self._unlock(account)

    def _run_retrying_conflicts(self, account, commit):
        """Run the flow; a batch that collides with another transaction (serialization failure,
        deadlock, lock not available: the warehouse validating a delivery the sync updates, two
        workers activating a currency...) is undone and run again from the last committed
        batch, in a fresh transaction. Return whether the account's work is complete."""
        for _attempt in range(CONFLICT_RETRIES):
            try:
                _stats, complete = self._run_and_record(account, commit)
                return complete
            except CONFLICT_ERRORS as error:
                self.env.cr.rollback()
                _logger.info("Amazon account %s: the %s flow met a concurrent update (%s); "
                             "running its batch again", account.id, self._flow, error.pgcode)
        self._state(account)._record_run(self.env._(
            "Odoo was busy with the same records (another user or worker): the next run goes "
            "on where this one stopped."), failed=True)
        return True

    # === MANUAL RUNS === #

    def _run_now(self, account):
        """Run the flow for ``account`` inside the current transaction (a button, a wizard, a
        test): refuse when another run holds the account; return the Counter of what happened."""
        with self._locked(account):
            stats, _complete = self._run_and_record(account, commit=None)
        return stats

    @contextmanager
    def _locked(self, account):
        """Hold the flow's lock on ``account`` meanwhile, or raise a UserError saying it is busy."""
        if not self._try_lock(account):
            raise UserError(self.env._(
                "Amazon account %(account)s is being synchronised (%(flow)s): try again in a "
                "moment.", account=account.name, flow=self._flow_label()))
        try:
            yield
        finally:
            self._unlock(account)

    # === THE RUN === #

    def _run_and_record(self, account, commit):
        """Run the flow and record its result. Amazon's refusals end the account's run: the
        ones only a person can solve raise an activity, throttling and Amazon's own trouble do
        not. Return (Counter of what happened, whether the work is complete)."""
        state = self._state(account)
        stats = Counter()
        try:
            complete = self._run(account, state, stats, commit)
        except AmazonError as error:
            problem = account._describe_amazon_error(error)
            state._record_run(f"{problem} ({self._summary(stats)})", failed=True)
            _logger.warning("Amazon account %s: the %s flow failed: %s", account.id, self._flow,
                            problem)
            if self._needs_person(account, state, error):
                account._ask_for_help(problem)
            return stats, True
        message = self._summary(stats)
        if not complete:
            message = self.env._("stopped for lack of time (%(summary)s)", summary=message)
        state._record_run(message)
        return stats, complete

    def _run(self, account, state, stats, commit):
        """Do the flow's work for ``account``, counting what happened in ``stats``.

        :param state: the account's ``amazon.seller.flow.state`` of this flow
        :param commit: called after each stored batch (``processed=0`` for an intermediate
            commit): commits it and returns the seconds left to the run; None inside a
            transaction that must not be committed (a wizard, a test)
        :return: whether all the work is done (False when the run stopped for lack of time)
        """
        raise NotImplementedError

    def _failure_reason(self, ref, error, expected):
        """What is recorded for a unit of work (``ref``) that failed: the reason of an
        ``expected`` failure (in the user's language), or — a bug — "unexpected error", its
        traceback in the log."""
        if isinstance(error, expected):
            if isinstance(error, AmazonDataError):
                return error.describe(self.env)
            return error.args[0] if error.args else repr(error)
        _logger.error("Amazon %s flow, %s: unexpected error", self._flow, ref, exc_info=error)
        return self.env._("unexpected error (%(error)s); the server log has the details",
                          error=repr(error))

    def _can_run(self, account):
        """Re-checked just before working: the account may have changed since the run began."""
        return account._can_sync()

    def _needs_person(self, account, state, error):
        """Whether an Amazon error ending the run asks the responsible user to act."""
        return not error.retryable

    def _summary(self, stats):
        """The sentence recorded as the run's result."""
        return self.env._(
            "%(created)s created, %(updated)s updated, %(skipped)s skipped, %(failed)s failed",
            created=stats["created"], updated=stats["updated"], skipped=stats["skipped"],
            failed=stats["failed"])

    @api.model
    def _runner_of(self, flow):
        """The model running ``flow`` (the importer or exporter naming it in ``_flow``)."""
        return next(self.env[name] for name in self.env.registry.descendants(
            [self._name], "_inherit") if self.env[name]._flow == flow)

    # === STATE AND LOCK === #

    def _state(self, account):
        return account._flow_state(self._flow)

    def _try_lock(self, account):
        """A session-level advisory lock (it survives the per-batch commits) on this flow of this
        account: no two workers run one flow of one account at once."""
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)",
                            [advisory_lock_key(self._flow), account.id])
        return self.env.cr.fetchone()[0]

    def _unlock(self, account):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)",
                            [advisory_lock_key(self._flow), account.id])

    def _flow_label(self):
        return dict(self.env["amazon.seller.flow.state"]._fields["flow"]._description_selection(
            self.env))[self._flow]
