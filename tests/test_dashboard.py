from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import AmazonSellerCase
from .loopback import LoopbackServer

# Tuesday 10 March 2026, 13:00 in Berlin (the user's time zone): "today" runs from
# 9 March 23:00 to 10 March 23:00 UTC.
NOW = "2026-03-10 12:00:00"


@tagged("post_install", "-at_install")
class TestDashboard(AmazonSellerCase):
    """The Amazon overview: its figures on known orders, and the records each figure opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="Europe/Berlin"))
        cls.account = cls.account.with_env(cls.env)
        cls.account.invoice_orders = False  # shipped orders wait for their invoice
        cls.other = cls.env["amazon.seller.account"].create({
            "name": "Other Seller", "region": "NA", "marketplace_ids": [cls.marketplace_us.id]})
        cls.product = cls.env["product.product"].create({
            "name": "Dashboard mug", "default_code": "DASH-MUG", "is_storable": True,
            "invoice_policy": "delivery"})
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.account.warehouse_id.lot_stock_id, 100)
        cls.buyer = cls.env["res.partner"].create({"name": "Amazon buyer"})
        service = cls.env["product.product"].create({"name": "Carriage", "type": "service"})
        cls.carrier = cls.env["delivery.carrier"].create({"name": "DHL", "product_id": service.id})
        with freeze_time(NOW):
            cls.orders = cls._make_orders()

    @classmethod
    def _order(cls, ref, bought, ship_by=None, channel="fbm", account=None, confirm=True,
               **values):
        order = cls.env["sale.order"].create({
            "partner_id": cls.buyer.id,
            "amazon_account_id": (account or cls.account).id,
            "amazon_order_ref": ref,
            "amazon_fulfillment_channel": channel,
            "amazon_marketplace_id": cls.marketplace_us.id,
            "date_order": bought,
            "amazon_ship_by": ship_by,
            "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
            **values,
        })
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _ship(cls, order, done, confirmation):
        picking = order.picking_ids
        picking.write({"carrier_id": cls.carrier.id, "carrier_tracking_ref": f"T-{order.amazon_order_ref}"})
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking.button_validate()
        picking.write({"date_done": done, "amazon_confirmation_state": confirmation})

    @classmethod
    def _make_orders(cls):
        orders = {
            # bought today, due later today
            "due-today": cls._order("111-0000001", "2026-03-10 08:00:00", "2026-03-10 18:00:00"),
            # bought at 00:30 in Berlin (today), due this morning: overdue
            "overdue": cls._order("111-0000002", "2026-03-09 23:30:00", "2026-03-10 09:00:00"),
            # bought at 23:30 in Berlin yesterday, due tomorrow
            "due-tomorrow": cls._order("111-0000003", "2026-03-09 22:30:00", "2026-03-11 18:00:00"),
            # bought today, then cancelled: counted nowhere
            "cancelled": cls._order("111-0000004", "2026-03-10 09:00:00", "2026-03-10 22:30:00"),
            # shipped late, Amazon refused the confirmation
            "refused": cls._order("111-0000005", "2026-03-05 10:00:00", "2026-03-06 10:00:00"),
            # shipped on time 3 days ago, and 17 days ago
            "on-time": cls._order("111-0000006", "2026-03-06 10:00:00", "2026-03-08 10:00:00"),
            "on-time-old": cls._order("111-0000007", "2026-02-20 10:00:00", "2026-02-22 10:00:00"),
            # FBA, bought today: no delivery to ship from the warehouse
            "fba": cls._order("111-0000008", "2026-03-10 07:00:00", channel="fba"),
            # an unmapped SKU: waits as a quotation
            "waiting": cls._order("111-0000009", "2026-03-08 10:00:00", "2026-03-11 10:00:00",
                                  confirm=False, amazon_awaiting_mapping=True),
            # another account's order, bought today and overdue
            "other": cls._order("111-0000010", "2026-03-10 06:00:00", "2026-03-10 10:00:00",
                                account=cls.other),
        }
        orders["cancelled"]._action_cancel()
        cls._ship(orders["refused"], "2026-03-07 10:00:00", "error")
        cls._ship(orders["on-time"], "2026-03-07 10:00:00", "sent")
        cls._ship(orders["on-time-old"], "2026-02-21 10:00:00", "sent")
        return orders

    def figures(self, account):
        account.invalidate_recordset()
        return {
            "orders today": account.dashboard_orders_today,
            "to ship today": account.dashboard_to_ship_today,
            "overdue": account.dashboard_overdue,
            "confirmation errors": account.dashboard_confirmation_errors,
            "awaiting mapping": account.dashboard_awaiting_mapping,
            "shipped, not invoiced": account.to_invoice_count,
            "late 7 days": round(account.late_shipment_rate_7d, 1),
            "late 30 days": round(account.late_shipment_rate_30d, 1),
        }

    def opened_refs(self, action):
        records = self.env[action["res_model"]].search(action["domain"])
        if records._name == "stock.picking":
            records = records.sale_id
        return sorted(records.mapped("amazon_order_ref"))

    @freeze_time(NOW)
    def test_figures_of_known_orders(self):
        """Test each figure of the overview on orders of known dates, deadlines and states."""
        self.assertEqual(self.figures(self.account), {
            "orders today": 3,            # due-today, overdue (00:30 Berlin), fba
            "to ship today": 1,           # due-today
            "overdue": 1,
            "confirmation errors": 1,     # refused
            "awaiting mapping": 1,
            "shipped, not invoiced": 3,   # refused, on-time, on-time-old
            "late 7 days": 66.7,          # overdue and refused late, on-time on time
            "late 30 days": 50.0,         # ... and on-time-old on time
        })
        self.assertEqual(self.figures(self.other), {
            "orders today": 1, "to ship today": 0, "overdue": 1, "confirmation errors": 0,
            "awaiting mapping": 0, "shipped, not invoiced": 0,
            "late 7 days": 100.0, "late 30 days": 100.0,
        })

    @freeze_time(NOW)
    def test_figures_in_another_time_zone(self):
        """Test that "today" is the user's day: in New York (08:00, summer time since Sunday)
        the order bought at 00:30 Berlin time was bought yesterday evening."""
        account = self.account.with_context(tz="America/New_York")
        self.assertEqual(account.dashboard_orders_today, 2)  # due-today, fba
        # due at 18:00 UTC, 14:00 in New York: still today
        self.assertEqual(account.dashboard_to_ship_today, 1)

    @freeze_time("2026-03-08 09:30:00")
    def test_ship_by_in_the_marketplace_time_across_dst(self):
        """Test that amazon.com deadlines are shown and counted in Pacific time, across the
        switch to summer time (Sunday 8 March 2026, 02:00 PST = 10:00 UTC): at 01:30 PST the
        Los Angeles day runs 23 hours, to 07:00 UTC on Monday, while the Berlin user's day
        ends at 23:00 UTC."""
        before_switch = self._order("111-0000021", "2026-03-07 20:00:00", "2026-03-08 09:59:00")
        end_of_day = self._order("111-0000022", "2026-03-07 20:00:00", "2026-03-09 06:59:59")
        next_day = self._order("111-0000023", "2026-03-07 20:00:00", "2026-03-09 07:30:00")
        self.assertEqual(
            [before_switch.amazon_ship_by_local, end_of_day.amazon_ship_by_local,
             next_day.amazon_ship_by_local],
            ["2026-03-08 01:59 PST", "2026-03-08 23:59 PDT", "2026-03-09 00:30 PDT"])
        due = self.env["stock.picking"].search([("amazon_due_today", "=", True)])
        self.assertEqual(due.sale_id, before_switch | end_of_day)
        self.assertEqual(self.account.dashboard_to_ship_today, 2)
        self.assertEqual(self.opened_refs(self.account.action_view_to_ship_today()),
                         ["111-0000021", "111-0000022"])

    @freeze_time(NOW)
    def test_each_figure_opens_what_it_counts(self):
        """Test that every figure's action lists exactly the records the figure counts."""
        account = self.account
        self.assertEqual(self.opened_refs(account.action_view_orders_today()),
                         ["111-0000001", "111-0000002", "111-0000008"])
        self.assertEqual(self.opened_refs(account.action_view_to_ship_today()), ["111-0000001"])
        self.assertEqual(self.opened_refs(account.action_view_overdue()), ["111-0000002"])
        self.assertEqual(self.opened_refs(account.action_view_confirmation_errors()), ["111-0000005"])
        self.assertEqual(self.opened_refs(account.action_view_awaiting_mapping()), ["111-0000009"])
        self.assertEqual(self.opened_refs(account.action_view_to_invoice()),
                         ["111-0000005", "111-0000006", "111-0000007"])
        self.assertEqual(account.action_view_to_ship_today()["res_model"], "stock.picking")
        self.assertEqual(self.opened_refs(self.other.action_view_overdue()), ["111-0000010"])
        # the figure's filter shows as a facet, and narrows nothing beyond the figure
        context = account.action_view_confirmation_errors()["context"]
        self.assertEqual([key for key in context if key.startswith("search_default_")],
                         ["search_default_amazon_confirmation_error"])

    def test_reports_of_sales_and_fees(self):
        """Test the Reporting menus: confirmed Amazon sales by week, marketplace and channel;
        the settlement rows' fees by month and type, as a graph first."""
        sales = self.env["ir.actions.act_window"]._for_xml_id("amazon_seller.action_amazon_sales_report")
        self.assertEqual(sales["view_mode"], "graph,pivot,list")
        confirmed = self.env["sale.order"].search(safe_eval(sales["domain"]))
        self.assertEqual(sorted(confirmed.mapped("amazon_order_ref")), [
            "111-0000001", "111-0000002", "111-0000003", "111-0000005", "111-0000006",
            "111-0000007", "111-0000008", "111-0000010"])
        views = self.env["sale.order"].get_views([(v, t) for v, t in sales["views"]])["views"]
        self.assertIn('<field name="date_order" interval="week"/>', views["graph"]["arch"])
        self.assertIn('<field name="amazon_marketplace_id"/>', views["graph"]["arch"])
        self.assertIn('name="amazon_fulfillment_channel" type="row"', views["pivot"]["arch"])
        fees = self.env["ir.actions.act_window"]._for_xml_id("amazon_seller.action_amazon_fees_report")
        self.assertEqual((fees["res_model"], fees["view_mode"]),
                         ("amazon.seller.settlement.line", "graph,pivot,list"))
        graph = self.env["amazon.seller.settlement.line"].get_views(
            [(fees["views"][0][0], "graph")])["views"]["graph"]["arch"]
        self.assertIn('<field name="posted_date" interval="month"/>', graph)
        self.assertIn('<field name="amount_description"/>', graph)
        menu = self.env.ref("amazon_seller.menu_amazon_seller_report_fees")
        self.assertEqual(menu.action, self.env.ref("amazon_seller.action_amazon_fees_report"))
        self.assertEqual(self.env.ref("amazon_seller.menu_amazon_seller_root").child_id[0],
                         self.env.ref("amazon_seller.menu_amazon_seller_overview"))

    def test_settlement_figures_open_their_settlements(self):
        """Test the settlements to review and payouts not deposited, and what they open."""
        Settlement = self.env["amazon.seller.settlement"]
        usd = self.env.ref("base.USD")
        review, ready, posted, _deposited = Settlement.create([{
            "account_id": self.account.id, "settlement_ref": ref, "currency_id": usd.id,
            "total_amount": 100.0, "state": state,
        } for ref, state in (("S-REVIEW", "to_review"), ("S-READY", "ready"), ("S-POSTED", "posted"),
                             ("S-DEPOSITED", "deposited"))])
        Settlement.create({"account_id": self.other.id, "settlement_ref": "S-OTHER",
                           "currency_id": usd.id, "state": "to_review"})
        self.assertEqual(self.account.settlement_to_review_count, 1)
        self.assertEqual((self.account.undeposited_count, self.account.unposted_settlement_count),
                         (1, 2), "a deposited payout is posted")
        self.assertEqual(Settlement.search(self.account.action_view_settlements_to_review()["domain"]),
                         review)
        self.assertEqual(
            Settlement.search(self.account.action_view_unposted_settlements()["domain"]),
            review | ready)
        self.assertEqual(Settlement.search(self.account.action_view_undeposited()["domain"]), posted)

    @freeze_time(NOW)
    def test_flows_show_last_success_and_open_errors(self):
        """Test the per-flow lines: last successful run, failure, open errors and their list."""
        self.account._flow_state("orders").write({
            "last_run": "2026-03-10 11:45:00", "last_success": "2026-03-10 11:45:00",
            "last_message": "3 orders imported"})
        self.account._flow_state("shipments").write({
            "last_run": "2026-03-10 11:50:00", "last_success": False, "failed": True,
            "last_message": "Amazon is throttling requests"})
        Error = self.env["amazon.seller.sync.error"]
        open_errors = Error.create([
            {"account_id": self.account.id, "flow": "orders", "amazon_ref": ref, "message": "bad",
             "state": state}
            for ref, state in (("111-9000001", "open"), ("111-9000002", "needs_attention"))])
        Error.create([
            {"account_id": self.account.id, "flow": "orders", "amazon_ref": "111-9000003",
             "message": "fixed", "state": "resolved"},
            {"account_id": self.account.id, "flow": "listings", "amazon_ref": "SKU-1",
             "message": "bad row", "state": "open"},
            {"account_id": self.other.id, "flow": "orders", "amazon_ref": "111-9000004",
             "message": "bad", "state": "open"},
        ])
        self.account.invalidate_recordset()
        self.assertEqual(self.account.dashboard_flows, [
            {"flow": "orders", "name": "Orders", "last_success": "3/10/26, 12:45 PM",
             "failed": False, "message": "3 orders imported", "errors": 2},
            {"flow": "shipments", "name": "Shipment Confirmations", "last_success": False,
             "failed": True, "message": "Amazon is throttling requests", "errors": 0},
            {"flow": "listings", "name": "Listings", "last_success": False, "failed": False,
             "message": "", "errors": 1},
            *({"flow": flow, "name": name, "last_success": False, "failed": False,
               "message": "", "errors": 0} for flow, name in (
                ("inventory", "FBA Inventory"), ("stock_push", "Stock Push"),
                ("invoicing", "Invoicing"), ("invoice_upload", "Invoice Upload"),
                ("settlements", "Settlements"), ("returns", "Customer Returns"),
                ("removals", "Removal Orders"), ("mcf", "Multi-Channel Fulfilment"),
                ("inbound", "Inbound Shipments"))),
        ])
        action = self.account.with_context(amazon_flow="orders").action_view_flow_errors()
        self.assertEqual(Error.search(action["domain"]), open_errors)


@tagged("post_install", "-at_install")
class TestDashboardAccess(AmazonSellerCase):
    """Who sees which figures of the overview."""

    def arch(self, user):
        view = self.env.ref("amazon_seller.amazon_seller_account_view_kanban_dashboard")
        return self.env["amazon.seller.account"].with_user(user).get_views(
            [(view.id, "kanban")])["views"]["kanban"]["arch"]

    def test_plain_amazon_user_sees_the_dashboard_without_money(self):
        """Test that an Amazon user reads every operational figure, but no settlement figure."""
        user = new_test_user(self.env, login="dash-user",
                             groups="base.group_user,amazon_seller.group_amazon_seller_user")
        arch = self.arch(user)
        self.assertIn('name="dashboard_orders_today"', arch)
        self.assertIn('name="dashboard_overdue"', arch)
        self.assertNotIn("settlement_to_review_count", arch)
        self.assertNotIn("undeposited_count", arch)
        # no Inventory rights: the delivery figures open the orders concerned
        self.assertIn("action_view_to_ship_today", arch)
        account = self.account.with_user(user)
        account.read(["dashboard_orders_today", "dashboard_to_ship_today", "dashboard_overdue",
                      "dashboard_confirmation_errors", "dashboard_awaiting_mapping",
                      "dashboard_flows", "to_invoice_count", "late_shipment_rate_7d",
                      "late_shipment_rate_30d", "setup_step"])
        self.assertEqual(account.dashboard_to_ship_today, 0)
        action = account.action_view_overdue()
        self.assertEqual(action["res_model"], "sale.order", "orders, which the user may read")
        self.assertIn(f"No FBM delivery of {self.account.name} is overdue.", action["help"])

    def test_accountant_and_warehouse_see_their_figures(self):
        """Test that accountants see the settlement figures, warehouse users open deliveries."""
        accountant = new_test_user(self.env, login="dash-accountant", groups=(
            "base.group_user,account.group_account_user,amazon_seller.group_amazon_seller_user"))
        self.assertIn("settlement_to_review_count", self.arch(accountant))
        self.assertIn("action_view_undeposited", self.arch(accountant))
        warehouse = new_test_user(self.env, login="dash-warehouse", groups=(
            "base.group_user,stock.group_stock_user,amazon_seller.group_amazon_seller_user"))
        self.assertIn("action_view_to_ship_today", self.arch(warehouse))
        self.assertNotIn("settlement_to_review_count", self.arch(warehouse))


PARTICIPATIONS = {"payload": [
    {"marketplace": {"id": "ATVPDKIKX0DER", "name": "Amazon.com"},
     "participation": {"isParticipating": True}},
    {"marketplace": {"id": "A2EUQ1WTGCTBG2", "name": "Amazon.ca"},
     "participation": {"isParticipating": False}},
    {"marketplace": {"id": "A1PA6795UKMFR9", "name": "Amazon.de"},
     "participation": {"isParticipating": True}},
]}


@tagged("post_install", "-at_install")
class TestSetup(AmazonSellerCase):
    """The set-up a new account's form walks through, and the company's defaults."""

    def test_setup_steps_in_order(self):
        """Test that a new account goes credentials → test → marketplaces → journal → sync."""
        account = self.env["amazon.seller.account"].create({"name": "New Seller", "region": "NA"})
        self.assertEqual(account.setup_step, "credentials")
        account.write({"lwa_app_id": "amzn1.application-oa2-client.new"})
        self.assertEqual(account.setup_step, "credentials")
        with LoopbackServer() as server:
            self.point_at(account, server.url)
            self.assertEqual(account.setup_step, "connect")
            server.answer(body=PARTICIPATIONS)
            action = account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        # the US only: Canada is not participating, Germany is another region
        self.assertEqual(account.marketplace_ids, self.marketplace_us)
        self.assertIn("Marketplaces set from Amazon's answer: United States.",
                      action["params"]["message"])
        self.assertTrue(account.connection_tested)
        # the marketplaces brought their journal (the company has a chart of accounts)
        self.assertEqual(account.payments_ids.currency_id, self.env.ref("base.USD"))
        self.assertEqual(account.setup_step, "sync")
        account.payments_ids.unlink()
        self.assertEqual(account.setup_step, "accounting")
        account.action_create_payments()
        self.assertEqual(account.setup_step, "sync")
        account.action_enable_sync()
        self.assertTrue(account.sync_enabled)
        self.assertEqual(account.setup_step, "done")
        # new credentials must be tested again
        account.write(self.credentials())
        self.assertFalse(account.connection_tested)
        self.assertEqual(account.setup_step, "connect")

    def test_marketplaces_chosen_are_kept(self):
        """Test that a test connection never changes marketplaces already chosen."""
        with LoopbackServer() as server:
            self.point_at(self.account, server.url)
            server.answer(body=PARTICIPATIONS)
            action = self.account.action_test_connection()
        self.assertEqual(self.account.marketplace_ids, self.marketplace_us | self.marketplace_ca)
        self.assertNotIn("Marketplaces set", action["params"]["message"])

    def test_account_without_marketplace_in_its_region(self):
        """Test that Amazon listing no marketplace of the region leaves the step to the user."""
        account = self.env["amazon.seller.account"].create({
            "name": "Japan Seller", "region": "FE", **self.credentials()})
        with LoopbackServer() as server:
            self.point_at(account, server.url)
            server.answer(body=PARTICIPATIONS)
            account.action_test_connection()
        self.assertFalse(account.marketplace_ids)
        self.assertEqual(account.setup_step, "marketplaces")

    def test_settings_are_the_defaults_of_new_accounts(self):
        """Test that Settings ▸ Amazon saves the company's defaults and new accounts use them."""
        team = self.env["crm.team"].create({"name": "Marketplaces"})
        settings = self.env["res.config.settings"].create({
            "amazon_team_default_id": team.id,
            "amazon_invoice_orders_default": False,
            "amazon_stock_buffer_default": 3,
        })
        settings.execute()
        company = self.env.company
        self.assertEqual((company.amazon_team_default_id, company.amazon_invoice_orders_default,
                          company.amazon_stock_buffer_default), (team, False, 3))
        reopened = self.env["res.config.settings"].create({})
        self.assertEqual((reopened.amazon_team_default_id, reopened.amazon_invoice_orders_default,
                          reopened.amazon_stock_buffer_default), (team, False, 3))
        account = self.env["amazon.seller.account"].create({"name": "Defaulted Seller"})
        self.assertEqual((account.team_id, account.invoice_orders, account.stock_buffer),
                         (team, False, 3))
        # what the user gives wins over the defaults
        chosen = self.env["amazon.seller.account"].create({
            "name": "Chosen Seller", "invoice_orders": True})
        self.assertTrue(chosen.invoice_orders)

    def test_accounts_without_settings_keep_the_previous_defaults(self):
        """Test that without a company default, accounts invoice and get the Amazon team."""
        account = self.env["amazon.seller.account"].create({"name": "Plain Seller"})
        self.assertTrue(account.invoice_orders)
        self.assertEqual(account.team_id.name, "Amazon")

    def test_settings_show_amazon_before_the_enterprise_upsell(self):
        """Test that Settings has an Amazon app block and no Enterprise Amazon upsell left."""
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="amazon_seller"', arch)
        self.assertNotIn("module_sale_amazon", arch)
        self.assertIn("amazon_stock_buffer_default", arch)


@tagged("post_install", "-at_install")
class TestReturnRates(AmazonSellerCase):
    """Returns of the week on the overview, and each SKU's 30-day return rate."""

    def test_returns_of_the_week_and_rate_per_sku(self):
        """Test 1 unit returned of 4 ordered: a 25 % rate on the SKU's offer and 25 % on the
        account; an older return counts in neither week nor rate."""
        product = self.env["product.product"].create({"name": "Rate mug", "is_storable": True})
        offer = self.env["amazon.seller.offer"].create({
            "account_id": self.account.id, "marketplace_id": self.marketplace_us.id,
            "sku": "RATE-MUG", "fulfillment_channel": "fba", "product_id": product.id})
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Rate buyer"}).id,
            "amazon_account_id": self.account.id, "amazon_order_ref": "111-8000001",
            "amazon_fulfillment_channel": "fba",
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4,
                                           "amazon_offer_id": offer.id,
                                           "amazon_order_item_id": "8000001"})]})
        order.action_confirm()
        Return = self.env["amazon.seller.return"]
        common = {"account_id": self.account.id, "channel": "fba", "order_ref": "111-8000001",
                  "sku": "RATE-MUG", "quantity": 1}
        Return.create({**common, "key": "LPN-1", "returned_at": fields.Datetime.now()})
        Return.create({**common, "key": "LPN-2",
                       "returned_at": fields.Datetime.now() - timedelta(days=40)})
        self.assertEqual((offer.returned_qty_30d, offer.return_rate_30d), (1, 25.0))
        self.assertEqual((self.account.dashboard_returns_week,
                          self.account.dashboard_return_rate_30d), (1, 25.0))
        action = self.account.action_view_returns_week()
        self.assertEqual(action["context"]["group_by"], ["sku"])


@tagged("post_install", "-at_install")
class TestDollars(AmazonSellerCase):

    def test_several_dollars_each_say_which(self):
        """Test that an amazon.ca account beside an amazon.com one names both dollars."""
        cad = self.env.ref("base.CAD")
        cad.active = True
        self.env["amazon.seller.account"].create({
            "name": "Canada Seller", "region": "NA",
            "marketplace_ids": [self.env.ref("amazon_seller.marketplace_ca").id]})
        self.assertEqual((self.env.ref("base.USD").symbol, cad.symbol), ("US$", "CA$"))
        self.assertEqual(self.env.ref("base.EUR").symbol, "€", "other currencies keep theirs")
