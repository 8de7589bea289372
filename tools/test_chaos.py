"""The chaos test (``python -m tools.chaos``): its checks on made-up data, then a short real run.

Plain pytest, no Odoo import: the short run is a subprocess (a real Odoo server killed five
times during order sync and shipment confirmation, 1.5-2.5 minutes here), skipped only when
the project's venv is absent (``make setup`` creates it).
"""

import os
import signal
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from .chaos import checks

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".build" / "venv" / "bin" / "python"
SHORT_RUN = ["--orders", "300", "--kills", "5", "--db", "amazon_seller_chaos_test"]
SHORT_RUN_TIMEOUT = 480  # seconds; the harness bounds each of its own phases well below


# === The checks, on made-up data === #

class FakeCursor:
    """Answers the one query the checks make themselves (the quantities of the deliveries)."""

    def __init__(self, quantities):
        self.quantities = quantities
        self.rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, params=None):
        self.rows = [(picking, item, quantity) for picking, items in self.quantities.items()
                     for item, quantity in items.items()] if "stock_move" in sql else []

    def fetchall(self):
        return self.rows


def fake_run(quantities=None):
    connection = SimpleNamespace(cursor=lambda: FakeCursor(quantities or {}))
    return SimpleNamespace(db_connection=connection, order_story=lambda ref, calls=True: [])


def amazon_order(ref, status="UNSHIPPED", fulfilled_by="MERCHANT", total="10.00", currency="USD",
                 marketplace="ATVPDKIKX0DER"):
    return {"orderId": ref, "salesChannel": {"marketplaceId": marketplace},
            "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": fulfilled_by},
            "proceeds": {"grandTotal": {"amount": total, "currencyCode": currency}}}


def odoo_order(ref, status="UNSHIPPED", channel="fbm", total="10.00", account=1, name=None,
               currency="USD", marketplace="ATVPDKIKX0DER"):
    return (account, ref, name or f"S-{ref}", status, channel, Decimal(total), currency, 2,
            marketplace, "sale", None)


def confirm_call(ref, package, status=204, fault=None, items=None):
    return {"operation": "confirmShipment", "status": status, "fault": fault, "time": "T",
            "params": {"orderId": ref, "body": {"packageDetail": {
                "packageReferenceId": package,
                "orderItems": [{"orderItemId": k, "quantity": v} for k, v in (items or {"I1": 1}).items()]}}}}


def picking(picking_id, ref, package, confirmation="sent"):
    return (picking_id, f"WH/OUT/{picking_id}", "done", confirmation, package, ref, 1,
            f"CHAOS-{picking_id}", "")


def orders_verdict(amazon, odoo):
    verdict = checks.Verdict()
    checks.check_orders(fake_run(), verdict, {1: amazon}, odoo)
    return verdict


def confirmations_verdict(amazon, packages, calls, quantities=None):
    verdict = checks.Verdict()
    checks.check_confirmations(fake_run(quantities), verdict, {1: amazon}, packages, calls)
    return verdict


def test_orders_equal_pass():
    """Test that identical orders pass, pending ones need not be imported."""
    amazon = [amazon_order("A"), amazon_order("B", "SHIPPED", "AMAZON"), amazon_order("P", "PENDING")]
    verdict = orders_verdict(amazon, [odoo_order("A"), odoo_order("B", "SHIPPED", "fba")])
    assert verdict.ok, verdict.failures


@pytest.mark.parametrize(("odoo", "expected"), [
    ([], "missing"),
    ([odoo_order("A"), odoo_order("A", name="S-again")], "more than once"),
    ([odoo_order("A"), odoo_order("Z")], "not Amazon's orders"),
    ([odoo_order("A", status="SHIPPED")], "status"),
    ([odoo_order("A", total="10.01")], "status, channel or total"),
])
def test_orders_differences_fail(odoo, expected):
    """Test that a missing, doubled, foreign order or a different status or total fails check 1/2."""
    verdict = orders_verdict([amazon_order("A")], odoo)
    assert not verdict.ok
    assert expected in " ".join(message for _check, message, _lines in verdict.failures)


def test_confirmed_once_pass():
    """Test that one 204 per queued package, its items delivered, passes; faults do not count."""
    calls = [confirm_call("A", "1", status=500, fault="500"), confirm_call("A", "1")]
    verdict = confirmations_verdict([amazon_order("A", "SHIPPED")], [picking(7, "A", "1")], calls,
                                    quantities={7: {"I1": 1}})
    assert verdict.ok, verdict.failures


@pytest.mark.parametrize(("packages", "calls", "expected"), [
    ([picking(7, "A", "1")], [confirm_call("A", "1"), confirm_call("A", "1")], "more than once"),
    ([picking(7, "A", "1", "to_send")], [], "never confirmed"),
    ([picking(7, "A", "1", "error")], [confirm_call("A", "1")], "not marked sent"),
    ([picking(7, "A", "1")], [confirm_call("A", "1"), confirm_call("A", "2")], "never queued"),
    ([picking(7, "A", "1")], [confirm_call("A", "1", items={"I1": 2})], "items differ"),
    ([picking(7, "A", None, None)], [], "without a queued confirmation"),
    ([picking(7, "A", "1")], [confirm_call("A", "1"), confirm_call("A", "1", status=400)],
     "sent again after Amazon had accepted"),
])
def test_confirmation_problems_fail(packages, calls, expected):
    """Test that a package confirmed twice (or sent again after its 204, which the simulator
    refuses), never, not marked sent, unknown, with other items, or a validated delivery never
    queued fails check 3."""
    verdict = confirmations_verdict([amazon_order("A", "SHIPPED")], packages, calls,
                                    quantities={7: {"I1": 1}})
    assert not verdict.ok
    assert expected in " ".join(message for _check, message, _lines in verdict.failures)


def test_cancelled_order_refusal_passes():
    """Test that a package refused because Amazon cancelled the order first is counted apart."""
    verdict = confirmations_verdict(
        [amazon_order("A", "CANCELLED"), amazon_order("B", "SHIPPED")],
        [picking(7, "A", "1", "cancelled"), picking(8, "B", "1")],
        [confirm_call("A", "1", status=400), confirm_call("B", "1")], quantities={8: {"I1": 1}})
    assert verdict.ok, verdict.failures
    assert verdict.figures["confirmations: refused: order cancelled on Amazon"] == 1


# === The short run === #

def test_short_chaos_run():
    """Test that orders and confirmations come out exactly once through five SIGKILLs of a real
    Odoo server (300 orders, faults at a low rate)."""
    if not VENV_PYTHON.exists():
        pytest.skip(f"{VENV_PYTHON} is absent: run `make setup` first")
    env = {key: value for key, value in os.environ.items() if key != "AMAZON_SELLER_CHAOS_REEXEC"}
    process = subprocess.Popen([str(VENV_PYTHON), "-m", "tools.chaos", *SHORT_RUN], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=SHORT_RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # the harness cleans up its processes and database
        try:
            output, _ = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        pytest.fail(f"the chaos run took more than {SHORT_RUN_TIMEOUT} s:\n{output[-6000:]}")
    print(output)
    assert process.returncode == 0, f"chaos run failed (exit {process.returncode}):\n{output[-12000:]}"
