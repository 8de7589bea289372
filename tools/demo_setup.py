"""The demo shop, wired to the local SP-API simulator (run through ``odoo shell``, idempotent).

``make demo`` pipes this file into ``odoo shell``; tests import its functions
(``tests/test_demo.py``). :func:`main` builds, step by step, a German company selling on the
European, North-American and Japanese marketplaces as a newcomer expects to find it:

* the company *Amazon Demo Shop GmbH* (Germany, EUR) with its chart of accounts (SKR03 when
  ``l10n_de`` is installed, Odoo's generic chart otherwise), VAT on its products and exchange
  rates for USD, GBP, CAD and JPY;
* the users *Salesperson*, *Warehouse*, *Accountant* and *E-commerce manager* holding exactly
  the groups of their role (README, *Usage*), and carriers DHL and UPS with their Amazon carrier
  codes;
* one demo account per Amazon region pointing at the simulator, with the simulator's Seller ID,
  its SKU catalogue mapped to products but one SKU (:data:`UNMAPPED_SKU`), so that an order waits
  for its mapping, and one FBM offer per account sending its quantity to Amazon
  (:func:`sync_stock_offers`); the European account uploads its invoices;
* stock on hand in the warehouse for the goods the company ships itself (FBM), and in the FBA
  locations Amazon's quantities (the FBA inventory flow when installed);
* the orders of the last 30 days imported, two of them cancelled by their buyer, the shipped
  ones invoiced, the settlements imported and reviewed (a rule for the fee codes no rule
  covers), and on the company's bank journal the deposit of one payout, to be matched once the
  settlement is posted;
* one FBM delivery per account shipped with DHL, and every flow run once
  (:func:`first_runs`), so that the overview shows no flow that never ran, but the invoice
  upload, which its scheduled action does as soon as Odoo serves (each invoice a PDF; outside
  Europe Amazon relays no invoices), Multi-Channel Fulfilment and inbound shipments (they wait
  for a person to send an order or stock through Amazon).
"""
from datetime import timedelta
import json
import os
import time
import urllib.request

from odoo import Command, fields

SIMULATOR_URL = os.environ.get("AMAZON_SELLER_SIMULATOR_URL", "http://127.0.0.1:8073")
COMPANY_NAME = "Amazon Demo Shop GmbH"
DEMO_ACCOUNTS = {
    "NA": ("Demo Seller North America", ["us", "ca"]),
    "EU": ("Demo Seller Europe", ["de", "fr", "uk"]),
    "FE": ("Demo Seller Japan", ["jp"]),
}
# units of each currency for one euro (ECB reference rates of autumn 2026, rounded)
EXCHANGE_RATES = {"USD": 1.08, "GBP": 0.85, "CAD": 1.50, "JPY": 165.0}
# the SKU left for the newcomer to map on the Japanese account (its product has no internal
# reference there to match): its order waits as *Awaiting SKU Mapping*
UNMAPPED_SKU = ("FE", "SIM-GLV-180")
# goods on hand in the warehouse per FBM product, set when below
FBM_STOCK = 500
# the demo's users: login (= password) → (name, the groups of the role in README's *Usage*)
DEMO_USERS = {
    "sales": ("Salesperson", ["sales_team.group_sale_salesman_all_leads",
                              "amazon_seller.group_amazon_seller_user"]),
    "warehouse": ("Warehouse", ["stock.group_stock_user",
                                "amazon_seller.group_amazon_seller_user"]),
    "accountant": ("Accountant", ["account.group_account_user",
                                  "amazon_seller.group_amazon_seller_user"]),
    "manager": ("E-commerce manager", ["base.group_system",
                                       "sales_team.group_sale_salesman_all_leads",
                                       "amazon_seller.group_amazon_seller_manager"]),
}
DEMO_CARRIERS = {"DHL": "amazon_seller.carrier_code_dhl", "UPS": "amazon_seller.carrier_code_ups"}
# the Seller ID (merchant token) the simulator answers with (its feeds' and reports' sellerId)
SIMULATOR_SELLER_ID = "A2SIMSELLER0001"
# the flows the set-up leaves to their scheduled action (Odoo runs it as soon as it serves)
SCHEDULED_FIRST_RUNS = {"invoice_upload"}
# buyers' cancellations asked of the simulator when the demo has none yet
CANCELLATIONS = 2


# === COMPANY, CURRENCIES, USERS, CARRIERS === #

def demo_company(env):
    """The German demo company with its chart of accounts (SKR03 when l10n_de is installed)."""
    company = env["res.company"].search([("name", "=", COMPANY_NAME)], limit=1)
    if not company:
        # (install_mode: the company's country must not install Odoo's other German modules,
        # such as e-invoicing, which need Python packages the demo does not have)
        company = env["res.company"].with_context(install_mode=True).create({
            "name": COMPANY_NAME, "country_id": env.ref("base.de").id,
            "currency_id": env.ref("base.EUR").id, "street": "Hafenstraße 12",
            "zip": "20457", "city": "Hamburg", "vat": "DE123456788",
        })
    if not company.chart_template:
        german = env["ir.module.module"].search_count([("name", "=", "l10n_de"),
                                                      ("state", "=", "installed")])
        env["account.chart.template"].try_loading(
            "de_skr03" if german else "generic_coa", company, install_demo=False)
        company.currency_id = env.ref("base.EUR")  # (the generic chart would make it USD)
    Warehouse = env["stock.warehouse"]
    if not Warehouse.search_count([("company_id", "=", company.id)]):
        Warehouse.create({"name": "Hamburg", "code": "HAM", "company_id": company.id})
    return company


def fiscal_positions(env, company):
    """Odoo finds the fiscal position of each buyer: besides Germany's own and EU businesses with
    a VAT number (applied by the chart), buyers outside the EU (exports, no VAT); private buyers
    elsewhere in the EU bear their country's VAT through the One-Stop-Shop (the shop is past
    the threshold, as most Amazon sellers are: Odoo's OSS positions), German VAT otherwise."""
    positions = env["account.fiscal.position"].search([("company_id", "=", company.id)])
    eu_business = positions.filtered(lambda p: p.auto_apply and p.vat_required)[:1]
    chart = env["account.chart.template"].with_company(company)
    suffix = company.chart_template.removeprefix("de_")
    for xmlid, values in {
        "fiscal_position_eu_no_id_partner": {"auto_apply": True,
                                             "country_group_id": eu_business.country_group_id.id},
        "fiscal_position_non_eu_partner": {"auto_apply": True},
    }.items():
        position = chart.ref(f"{xmlid}_{suffix}", raise_if_not_found=False)
        if position and not position.auto_apply:
            position.write(values)
    company.amazon_eu_distance_sales = "oss"


def exchange_rates(env, company):
    """Rates of the demo's currencies against the euro, from before the first order to today."""
    Rate = env["res.currency.rate"]
    today = fields.Date.context_today(env["res.currency.rate"])
    for code, rate in EXCHANGE_RATES.items():
        currency = env["res.currency"].with_context(active_test=False).search([("name", "=", code)])
        currency.active = True
        for day in (today - timedelta(days=90), today):
            if not Rate.search_count([("currency_id", "=", currency.id),
                                      ("company_id", "=", company.id), ("name", "=", day)]):
                Rate.create({"currency_id": currency.id, "company_id": company.id, "name": day,
                             "rate": rate})


def demo_users(env, company):
    """The administrator works in the demo company; each role's user holds its groups only."""
    admin = env.ref("base.user_admin")
    admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id,
                 "password": "admin"})  # noqa: S106 - the demo's documented login
    users = env["res.users"]
    for login, (name, groups) in DEMO_USERS.items():
        user = users.with_context(active_test=False).search([("login", "=", login)], limit=1)
        values = {"name": name, "login": login, "password": login, "active": True,
                  "company_ids": [Command.set(company.ids)], "company_id": company.id,
                  "group_ids": [Command.set([env.ref(group).id for group in groups])]}
        if user:
            user.write(values)
        else:
            user = users.with_context(no_reset_password=True).create(values)
        users |= user
    return users


def demo_carriers(env, company):
    """DHL and UPS, each with Amazon's carrier code, so that confirmations name the carrier."""
    carriers = env["delivery.carrier"]
    for name, code in DEMO_CARRIERS.items():
        carrier = carriers.search([("name", "=", name), ("company_id", "in", [company.id, False])],
                                  limit=1)
        if not carrier:
            product = env["product.product"].create({
                "name": env._("Shipping %(carrier)s", carrier=name), "type": "service",
                "list_price": 0.0, "company_id": company.id})
            carrier = carriers.create({"name": name, "product_id": product.id,
                                       "company_id": company.id})
        carrier.amazon_carrier_id = env.ref(code)
        carriers |= carrier
    return carriers


# === ACCOUNTS, CATALOGUE, STOCK === #

def wire_demo_accounts(env, company, simulator_url=SIMULATOR_URL):
    """One account per Amazon region in the demo company, all pointing at the simulator;
    accounts of the same name an older demo made in another company are archived."""
    Account = env["amazon.seller.account"].with_context(active_test=False)
    names = [name for name, _codes in DEMO_ACCOUNTS.values()]
    Account.search([("name", "in", names), ("company_id", "!=", company.id)]).write(
        {"sync_enabled": False, "active": False})
    accounts = Account
    for region, (name, marketplace_codes) in DEMO_ACCOUNTS.items():
        values = {
            "name": name,
            "company_id": company.id,
            "region": region,
            "marketplace_ids": [Command.set([
                env.ref(f"amazon_seller.marketplace_{code}").id for code in marketplace_codes])],
            "endpoint_url": simulator_url,
            "lwa_app_id": "amzn1.application-oa2-client.demo",
            "lwa_client_secret": "demo-secret",
            "refresh_token": f"Atzr|demo-{region.lower()}",
            "merchant_token": SIMULATOR_SELLER_ID,
            "sync_enabled": True,
            "active": True,
            # the accountant sees the invoice upload work where Amazon relays invoices (EU)
            "upload_invoices": region == "EU",
            "user_id": env.ref("base.user_admin").id,
        }
        account = Account.search([("name", "=", name), ("company_id", "=", company.id)], limit=1)
        if account:
            account.write(values)
        else:
            account = Account.create(values)
        # The simulator's clock starts anew with each demo, its history 30 days back: so does
        # the synchronisation window (orders already imported are recognised and left alone).
        account._flow_state("orders").checkpoint = fields.Datetime.now() - timedelta(days=30)
        account.action_test_connection()  # as a newcomer would: the set-up is then complete
        accounts |= account
    return accounts


def simulator_get(simulator_url, path):
    with urllib.request.urlopen(f"{simulator_url}/_simulator/{path}", timeout=10) as answer:
        return json.load(answer)


def map_catalogue(env, company, accounts, simulator_url=SIMULATOR_URL):
    """A storable product with the company's VAT per simulator SKU (but :data:`UNMAPPED_SKU`),
    offered on every demo marketplace in both channels. Return the products."""
    catalogue = simulator_get(simulator_url, "catalogue")
    catalogue = catalogue.get("catalogue", catalogue) if isinstance(catalogue, dict) else catalogue
    Product, Offer = env["product.product"], env["amazon.seller.offer"]
    products = Product
    vat = company.account_sale_tax_id
    unmapped_region, unmapped_sku = UNMAPPED_SKU
    for entry in catalogue:
        code = entry["sku"] if entry["sku"] != unmapped_sku else False
        product = Product.search([("name", "=", entry["title"]), ("default_code", "=", code)],
                                 limit=1) or Product.create({
            "name": entry["title"], "default_code": code, "is_storable": True,
            "list_price": entry["base_price"],
        })
        if vat and vat not in product.taxes_id:
            product.taxes_id = [Command.link(vat.id)]
        products |= product
        for account in accounts.filtered(
                lambda a: entry["sku"] != unmapped_sku or a.region != unmapped_region):
            for marketplace in account.marketplace_ids:
                for channel in ("fba", "fbm"):
                    key = [("account_id", "=", account.id), ("marketplace_id", "=", marketplace.id),
                           ("sku", "=", entry["sku"]), ("fulfillment_channel", "=", channel)]
                    if not Offer.with_context(active_test=False).search_count(key):
                        Offer.create({"account_id": account.id, "marketplace_id": marketplace.id,
                                      "sku": entry["sku"], "fulfillment_channel": channel,
                                      "product_id": product.id})
    return products


def sync_stock_offers(env, accounts, simulator_url=SIMULATOR_URL):
    """On each account, one FBM offer sends its free quantity to Amazon (the stock push flow):
    on its first marketplace, the first mapped SKU the simulator lists there as merchant-fulfilled
    (its listings report shows each SKU in one channel per marketplace)."""
    catalogue = simulator_get(simulator_url, "catalogue")
    catalogue = catalogue.get("catalogue", catalogue) if isinstance(catalogue, dict) else catalogue
    Offer = env["amazon.seller.offer"]
    offers = Offer
    for account in accounts:
        marketplace = account.marketplace_ids[:1]
        fbm_skus = [entry["sku"] for entry in catalogue if any(
            offer.get("marketplaceId") == marketplace.marketplace_id and offer.get("channel") == "FBM"
            for offer in entry.get("offers", {}).values())]
        candidates = Offer.search([
            ("account_id", "=", account.id), ("marketplace_id", "=", marketplace.id),
            ("sku", "in", fbm_skus), ("fulfillment_channel", "=", "fbm"),
            ("product_id", "!=", False)])
        offers |= (candidates.filtered("sync_stock") or candidates.sorted(
            lambda offer: fbm_skus.index(offer.sku)))[:1]
    offers.filtered(lambda offer: not offer.sync_stock).sync_stock = True
    return offers


def set_on_hand(env, location, quantities):
    """Inventory adjustments bringing ``location`` to ``{product: quantity}``."""
    Quant = env["stock.quant"].with_context(inventory_mode=True)
    quants = Quant
    for product, quantity in quantities.items():
        quant = Quant.search([("product_id", "=", product.id), ("location_id", "=", location.id),
                              ("lot_id", "=", False)], limit=1)
        if quant and quant.quantity == quantity:
            continue
        quant = quant or Quant.create({"product_id": product.id, "location_id": location.id})
        quant.inventory_quantity = quantity
        quants |= quant
    if quants:
        quants.action_apply_inventory()


def stock_warehouse(env, company, products):
    """Enough goods on hand in the company's warehouse for the orders it ships itself."""
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    on_hand = {quant.product_id: quant.quantity for quant in env["stock.quant"].search([
        ("location_id", "=", warehouse.lot_stock_id.id), ("product_id", "in", products.ids)])}
    set_on_hand(env, warehouse.lot_stock_id, {
        product: FBM_STOCK for product in products if on_hand.get(product, 0) < FBM_STOCK})


def stock_fba(env, accounts):
    """The FBA locations at Amazon's quantities: through the FBA inventory flow when the addon
    has it, otherwise by reading Amazon's inventory summaries and adjusting the locations."""
    if "amazon.seller.inventory.import" in env.registry:
        for account in accounts:
            env["amazon.seller.inventory.import"]._run_now(account)
        return
    offers = env["amazon.seller.offer"]
    for account in accounts:
        gateway = account._get_gateway()
        quantities = {}
        for marketplace in account.marketplace_ids:
            for page in gateway.get_inventory_summaries(marketplace.marketplace_id):
                for summary in page:
                    offer = offers.search([
                        ("account_id", "=", account.id), ("marketplace_id", "=", marketplace.id),
                        ("sku", "=", summary["sellerSku"]), ("fulfillment_channel", "=", "fba"),
                        ("product_id", "!=", False)], limit=1)
                    if offer:
                        # one pool per account: Amazon's pan-regional stock, the most it reports
                        quantities[offer.product_id] = max(
                            quantities.get(offer.product_id, 0),
                            (summary.get("inventoryDetails") or {}).get("fulfillableQuantity",
                                                                         summary["totalQuantity"]))
        in_location = env["stock.quant"].search([("location_id", "=", account.fba_location_id.id)])
        quantities.update({quant.product_id: 0 for quant in in_location
                           if quant.product_id not in quantities and quant.quantity < 0})
        set_on_hand(env, account.fba_location_id, quantities)


# === ORDERS, INVOICES, SETTLEMENTS, BANK === #

def import_orders(env, accounts):
    """The orders of the last 30 days, one account after the other."""
    return {account: env["amazon.seller.order.import"]._run_now(account) for account in accounts}


def cancel_some_orders(env, accounts, simulator_url=SIMULATOR_URL):
    """Have buyers cancel two unshipped FBM orders on Amazon (unless the demo already shows
    cancelled orders) and synchronise again, so that the demo shows cancellations."""
    if env["sale.order"].search_count([("amazon_account_id", "in", accounts.ids),
                                       ("state", "=", "cancel")]):
        return
    unshipped = simulator_get(simulator_url, "orders?status=UNSHIPPED")["orders"]
    imported = set(env["sale.order"].search([
        ("amazon_account_id", "in", accounts.ids), ("state", "=", "sale"),
        ("amazon_fulfillment_channel", "=", "fbm")]).mapped("amazon_order_ref"))
    for order in [o for o in unshipped if o["orderId"] in imported][:CANCELLATIONS]:
        request = urllib.request.Request(
            f"{simulator_url}/_simulator/orders/{order['orderId']}/cancel", data=b"{}",
            method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()
    import_orders(env, accounts)


def invoice_and_settle(env, accounts):
    """Invoice what shipped, import the settlements, give the fee codes no rule covers a rule
    (other fees) and check them again: what remains *To Review* lacks orders."""
    for account in accounts:
        env["amazon.seller.invoicing"]._run_now(account)
    for account in accounts:
        env["amazon.seller.settlement.import"]._run_now(account)
    settlements = env["amazon.seller.settlement"].search([("account_id", "in", accounts.ids)])
    Rule = env["amazon.seller.settlement.rule"]
    unmapped = settlements.line_ids.filtered(lambda line: not line.rule_id)
    for code in {(line.transaction_type or "*", line.amount_type or "*",
                  line.amount_description or "*") for line in unmapped}:
        Rule.create({"transaction_type": code[0], "amount_type": code[1],
                     "amount_description": code[2], "kind": "account",
                     "payments_account": "other_fee_account_id"})
    settlements.filtered(lambda s: s.state not in ("posted", "deposited")).action_check()
    return settlements


def bank_deposit(env, company, settlements):
    """On the company's bank journal, the deposit of the latest euro payout ready to post."""
    ready = settlements.filtered(lambda s: s.state in ("ready", "posted")
                                 and s.currency_id == company.currency_id and s.total_amount > 0)
    settlement = ready.sorted(lambda s: (s.state == "ready", s.date_end or s.create_date.date()))[-1:]
    if not settlement:
        return env["account.bank.statement.line"]
    journal = env["account.journal"].search([
        ("company_id", "=", company.id), ("type", "=", "bank"),
        ("id", "not in", settlement.account_id.payments_ids.journal_id.ids)], limit=1)
    reference = f"AMAZON PAYMENTS EUROPE {settlement.settlement_ref}"
    Line = env["account.bank.statement.line"]
    return Line.search([("journal_id", "=", journal.id), ("payment_ref", "=", reference)]) \
        or Line.create({
            "journal_id": journal.id, "date": settlement.deposit_date or settlement.date_end,
            "payment_ref": reference, "amount": settlement.total_amount,
        })


def first_shipments(env, accounts):
    """On each account, the warehouse ships one FBM delivery with DHL (unless the account has
    a confirmation already): the shipment confirmations then have work to send."""
    Picking = shipped = env["stock.picking"]
    for account in accounts:
        orders = env["sale.order"].search([("amazon_account_id", "=", account.id),
                                           ("amazon_fulfillment_channel", "=", "fbm")])
        if Picking.search_count([("sale_id", "in", orders.ids),
                                 ("amazon_confirmation_state", "!=", False)]):
            continue
        picking = Picking.search([
            ("sale_id", "in", orders.ids), ("state", "=", "assigned"),
            ("picking_type_code", "=", "outgoing"), ("sale_id.amazon_status", "=", "UNSHIPPED")],
            order="scheduled_date, id", limit=1)
        if not picking:
            continue
        carrier = env["delivery.carrier"].search([
            ("name", "=", "DHL"), ("company_id", "in", [picking.company_id.id, False])], limit=1)
        picking.write({"carrier_id": carrier.id,
                       "carrier_tracking_ref": f"JJD0099{picking.id:011d}"})
        picking.move_ids.picked = True
        picking._action_done()
        shipped |= picking
    return shipped


def first_runs(env, accounts):
    """Run once, for each account, every flow its scheduled action runs that never succeeded
    (shipment confirmations, listings, stock push, MCF, inbound shipments...), so that the
    overview shows when each last ran; but :data:`SCHEDULED_FIRST_RUNS`. Return {account: the
    flows that ran}."""
    Flow = env["amazon.seller.flow"]
    ran = {}
    for flow, _label in env["amazon.seller.flow.state"]._fields["flow"].selection:
        if flow in SCHEDULED_FIRST_RUNS:
            continue
        runner = Flow._runner_of(flow)
        for account in runner._accounts_to_run() & accounts:
            if not account._flow_state(flow).last_success and runner._can_run(account):
                runner._run_now(account)
                ran.setdefault(account, []).append(flow)
    return ran


def schedule(env):
    """Orders flow in every minute; the settlements ready to post wait a day for the newcomer
    to post one (the scheduled action would post them at once)."""
    env.ref("amazon_seller.ir_cron_sync_orders").write(
        {"interval_number": 1, "interval_type": "minutes"})
    env.ref("amazon_seller.ir_cron_post_settlements").nextcall = \
        fields.Datetime.now() + timedelta(days=1)


def main(env, simulator_url=SIMULATOR_URL, commit=None, say=None):
    """Build the demo shop step by step, ``commit`` (when given) after each, telling ``say``
    (when given) what each step did and when it ended."""
    commit = commit or (lambda: None)
    started = time.monotonic()

    def done(message):
        commit()
        if say:
            say(f"[{time.monotonic() - started:5.1f} s] {message}")

    company = demo_company(env)
    done(f"company {company.name} ({company.chart_template})")
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    exchange_rates(env, company)
    fiscal_positions(env, company)
    demo_users(env, company)
    demo_carriers(env, company)
    accounts = wire_demo_accounts(env, company, simulator_url)
    products = map_catalogue(env, company, accounts, simulator_url)
    sync_stock_offers(env, accounts, simulator_url)
    stock_warehouse(env, company, products)
    schedule(env)
    done(f"rates, users, carriers, {len(accounts)} accounts, {len(products)} products in stock")
    for account in import_orders(env, accounts):
        done(f"{account.name}: {account._flow_state('orders').last_message}")
    cancel_some_orders(env, accounts, simulator_url)
    stock_fba(env, accounts)
    for account in accounts:
        env["amazon.seller.return.import"]._run_now(account)
        env["amazon.seller.removal.import"]._run_now(account)
    done("cancellations, FBA stock, customer returns, removal orders")
    settlements = invoice_and_settle(env, accounts)
    bank_deposit(env, company, settlements)
    done(f"orders invoiced, {len(settlements)} settlements, "
         f"{len(settlements.filtered(lambda s: s.state == 'ready'))} ready to post, "
         f"a payout's deposit on the bank journal")
    shipped = first_shipments(env, accounts)
    ran = first_runs(env, accounts)
    done(f"{len(shipped)} deliveries shipped, first runs of the other flows "
         f"({', '.join(sorted(set().union(*ran.values())))})")
    return company, accounts, settlements


if __name__ == "__main__" and "env" in globals():  # odoo shell
    main(env, commit=env.cr.commit, say=print)  # noqa: F821 - provided by odoo shell
    print("demo shop wired to", SIMULATOR_URL)
