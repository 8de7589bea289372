"""Set-up of the chaos database, run through ``odoo shell`` (``env`` is the shell's) before the
server starts: not imported by the harness.

* three accounts on the simulator (CHAOS_SIMULATOR_URL), synchronisation enabled, orders read
  from 2020: North America (US, CA), Europe (DE, FR, UK), Far East (JP) - every marketplace of
  the simulator belongs to one account;
* a storable product per catalogue SKU, offered in both channels on every marketplace, with
  plenty of stock in each account's warehouse (FBM deliveries can be validated);
* carriers: DHL and UPS (Amazon carrier codes), a local courier (carrierCode Other);
* the two crons every minute, due now;
* the server action the warehouse user runs (through JSON-RPC) to validate a delivery;
* the admin's password "admin" (JSON-RPC login).

Prints one line ``CHAOS-SETUP {json}`` with the ids the harness needs.
"""
import json
import os
import urllib.request
import uuid

from odoo import Command, fields

SIMULATOR_URL = os.environ["CHAOS_SIMULATOR_URL"]
ACCOUNTS = (("NA", "Chaos NA", ("us", "ca")), ("EU", "Chaos EU", ("de", "fr", "uk")),
            ("FE", "Chaos FE", ("jp",)))
STOCK_PER_PRODUCT = 1_000_000
CARRIERS = ("DHL", "UPS", "Speedy Local Couriers")

# The warehouse user's "Validate" on one delivery, in one transaction: carrier and tracking
# number, the quantities (all of them, or all but one unit, leaving a backorder), validation.
VALIDATE_CODE = """
ctx = env.context
for picking in records:
    if picking.state in ('done', 'cancel'):
        continue
    picking.write({'carrier_id': ctx['chaos_carrier_id'], 'carrier_tracking_ref': ctx['chaos_tracking']})
    moves = picking.move_ids.filtered(lambda m: m.state not in ('done', 'cancel'))
    held_back = False
    for move in moves:
        quantity = move.product_uom_qty
        if ctx.get('chaos_partial') and not held_back and quantity > 1:
            quantity = quantity - 1
            held_back = True
        move.write({'quantity': quantity, 'picked': True})
    if ctx.get('chaos_partial') and not held_back and len(moves) > 1:
        moves[-1:].write({'quantity': 0, 'picked': False})
    picking.with_context(skip_backorder=True, skip_sms=True, skip_expired=True).button_validate()
"""

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 - odoo shell's env
with urllib.request.urlopen(f"{SIMULATOR_URL}/_simulator/catalogue", timeout=30) as answer:
    catalogue = json.load(answer)["catalogue"]

accounts = env["amazon.seller.account"].create([{
    "name": name,
    "region": region,
    "marketplace_ids": [Command.set([env.ref(f"amazon_seller.marketplace_{code}").id for code in codes])],
    "endpoint_url": SIMULATOR_URL,
    "lwa_app_id": "amzn1.application-oa2-client.chaos",
    "lwa_client_secret": "chaos-secret",
    # fresh per run: the client caches access tokens per refresh token, process-wide
    "refresh_token": f"Atzr|chaos-{uuid.uuid4().hex}",
    "sync_enabled": True,
} for region, name, codes in ACCOUNTS])
for account in accounts:
    account._flow_state("orders").checkpoint = "2020-01-01 00:00:00"

products = env["product.product"].create([{
    "name": entry["title"], "default_code": entry["sku"], "is_storable": True,
    "list_price": entry["base_price"],
} for entry in catalogue])
env["amazon.seller.offer"].create([{
    "account_id": account.id, "marketplace_id": marketplace.id, "sku": product.default_code,
    "fulfillment_channel": channel, "product_id": product.id,
} for account in accounts for marketplace in account.marketplace_ids for product in products
    for channel in ("fba", "fbm")])
for location in accounts.warehouse_id.lot_stock_id:
    for product in products:
        env["stock.quant"]._update_available_quantity(product, location, STOCK_PER_PRODUCT)

carriage = env["product.product"].create({"name": "Chaos carriage", "type": "service"})
carriers = env["delivery.carrier"].create([{"name": name, "product_id": carriage.id} for name in CARRIERS])

crons = {flow: env.ref(f"amazon_seller.ir_cron_sync_{flow}") for flow in ("orders", "shipments")}
for cron in crons.values():
    cron.write({"interval_number": 1, "interval_type": "minutes", "active": True,
                "nextcall": fields.Datetime.now()})

action = env["ir.actions.server"].create({
    "name": "Chaos: validate a delivery",
    "model_id": env.ref("stock.model_stock_picking").id,
    "state": "code",
    "code": VALIDATE_CODE,
})
env.ref("base.user_admin").password = "admin"  # noqa: S105 - the JSON-RPC login of the harness
env.cr.commit()

print("CHAOS-SETUP " + json.dumps({
    "accounts": {account.id: {"name": account.name,
                              "marketplaces": account.marketplace_ids.mapped("marketplace_id")}
                 for account in accounts},
    "carriers": carriers.ids,
    "crons": {flow: cron.id for flow, cron in crons.items()},
    "validate_action": action.id,
    "admin_login": env.ref("base.user_admin").login,
}), flush=True)
