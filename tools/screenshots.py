"""Screenshots of the real UI for README.rst, taken from a running demo (``make demo``).

    .build/venv/bin/python tools/screenshots.py [--url http://localhost:8069]

Logs in as admin through Odoo's JSON-RPC, hands the session cookie to headless Chromium through
the DevTools protocol, opens each page and writes ``static/description/screenshots/<name>.png``.
"""

import argparse
import base64
import itertools
import json
import subprocess
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import websocket

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "static" / "description" / "screenshots"
PAGES = {
    "dashboard": "/odoo/action-amazon_seller.action_amazon_seller_dashboard",
    "orders": "/odoo/action-amazon_seller.action_amazon_orders",
    "order": "/odoo/action-amazon_seller.action_amazon_orders/{order}",
    "accounts": "/odoo/action-amazon_seller.amazon_seller_account_action",
    "account_form": "/odoo/action-amazon_seller.amazon_seller_account_action/{account}",
    "offers": "/odoo/action-amazon_seller.amazon_seller_offer_action",
    "to_ship": "/odoo/action-amazon_seller.action_amazon_to_ship",
    "sync_errors": "/odoo/action-amazon_seller.action_amazon_sync_errors",
    "pivot": "/odoo/action-amazon_seller.action_amazon_orders?view_type=pivot",
    "settlements": "/odoo/action-amazon_seller.action_amazon_settlements",
    "settlement": "/odoo/action-amazon_seller.action_amazon_settlements/{settlement}",
}
# Records the pages above show: (model, domain) of the first one found in the demo.
RECORDS = {
    "order": ("sale.order", [["amazon_order_ref", "!=", False], ["state", "=", "sale"]]),
    "account": ("amazon.seller.account", []),
    "settlement": ("amazon.seller.settlement", [["state", "=", "ready"]]),
}
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1400,850",
]


def login(url, db):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({"jsonrpc": "2.0", "params": {"db": db, "login": "admin", "password": "admin"}})
    request = urllib.request.Request(f"{url}/web/session/authenticate", body.encode(),
                                     {"Content-Type": "application/json"})
    opener.open(request, timeout=30).read()
    return next(cookie.value for cookie in jar if cookie.name == "session_id")


def first_ids(url, session):
    """{name: id} of the first record of each of RECORDS, read through JSON-RPC."""
    ids = {}
    for name, (model, domain) in RECORDS.items():
        body = json.dumps({"jsonrpc": "2.0", "params": {
            "model": model, "method": "search", "args": [domain], "kwargs": {"limit": 1}}})
        request = urllib.request.Request(f"{url}/web/dataset/call_kw", body.encode(), {
            "Content-Type": "application/json", "Cookie": f"session_id={session}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            ids[name] = (json.load(answer).get("result") or [0])[0]
    return ids


class DevTools:
    """Just enough of the Chrome DevTools protocol: send a command, wait for its answer."""

    def __init__(self, port):
        for _attempt in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as answer:
                    target = next(t for t in json.load(answer) if t["type"] == "page")
                break
            except (OSError, StopIteration):
                time.sleep(0.2)
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
        self.ids = itertools.count(1)

    def send(self, method, **params):
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == message_id:
                return message.get("result", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="amazon_demo")
    parser.add_argument("--port", type=int, default=9229)
    args = parser.parse_args()
    session = login(args.url, args.db)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = subprocess.Popen(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                    f"--remote-debugging-port={args.port}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            tools = DevTools(args.port)
            tools.send("Network.enable")
            tools.send("Network.setCookie", name="session_id", value=session, url=args.url)
            tools.send("Page.navigate", url=args.url + "/odoo")
            time.sleep(15)  # the first visit builds the asset bundles
            ids = first_ids(args.url, session)
            for name, path in PAGES.items():
                tools.send("Page.navigate", url=args.url + path.format(**ids))
                time.sleep(4)  # the web client renders asynchronously
                shot = tools.send("Page.captureScreenshot", format="png")
                (OUTPUT / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
                print("wrote", OUTPUT / f"{name}.png")
        finally:
            browser.terminate()


if __name__ == "__main__":
    main()
