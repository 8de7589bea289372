"""``make demo``'s set-up (tools/demo_setup.py) run against the simulator: the shop a newcomer
finds must look like a shop."""
from odoo.tests import TransactionCase, tagged

from ..tools import demo_setup


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from ..tools.spapi_simulator import Simulator

        cls.simulator = Simulator(orders=300, models_dir=False, rate_limits=False).start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.company, cls.accounts, cls.settlements = demo_setup.main(cls.env, cls.simulator.url)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))

    def amazon_orders(self, *domain):
        return self.env["sale.order"].search([("amazon_account_id", "in", self.accounts.ids),
                                              *domain])

    def test_a_german_shop_with_rates_and_vat(self):
        """Test that the demo company sells in euros, knows the rates of the other currencies and
        charges VAT on its products."""
        self.assertEqual((self.company.country_id.code, self.company.currency_id.name),
                         ("DE", "EUR"))
        self.assertEqual(len(self.accounts), 3)
        self.assertEqual(set(self.accounts.company_id.ids), {self.company.id})
        for code, rate in (("USD", 1.08), ("GBP", 0.85), ("CAD", 1.5), ("JPY", 165.0)):
            currency = self.env["res.currency"].search([("name", "=", code)])
            self.assertAlmostEqual(currency.with_company(self.company).rate, rate, places=6,
                                   msg=code)
        self.assertTrue(self.company.account_sale_tax_id)
        mug = self.env["product.product"].search([("default_code", "=", "SIM-MUG-001")])
        self.assertIn(self.company.account_sale_tax_id, mug.taxes_id)
        german = self.amazon_orders(("amazon_marketplace_id.name", "=", "Germany"),
                                    ("state", "=", "sale"), ("amazon_is_business", "=", False))
        self.assertTrue(german)
        self.assertTrue(all(line.tax_ids for line in german.order_line.filtered("amazon_offer_id")))
        if self.company.chart_template == "de_skr03":  # (l10n_de is installed in demo databases)
            self.assertTrue(all(order.amount_tax > 0 for order in german if order.amount_untaxed),
                            "VAT in Germany (replacements are free)")
        currencies = set(self.amazon_orders().currency_id.mapped("name"))
        self.assertEqual(currencies, {"EUR", "USD", "GBP", "CAD", "JPY"})
        # the orders' pivot adds euros: yen are converted, not added to dollars
        for order in self.amazon_orders(("currency_id.name", "=", "JPY"), ("state", "=", "sale")):
            self.assertAlmostEqual(order.amazon_untaxed_company, order.amount_untaxed / 165.0,
                                   places=2)
        for order in self.amazon_orders(("currency_id.name", "=", "EUR"), ("state", "=", "sale")):
            self.assertAlmostEqual(order.amazon_untaxed_company, order.amount_untaxed, places=2)

    def test_stock_is_never_negative(self):
        """Test that goods are on hand for the FBM deliveries and at Amazon's FBA locations."""
        quants = self.env["stock.quant"].search([("location_id.usage", "=", "internal"),
                                                 ("company_id", "=", self.company.id)])
        self.assertFalse(quants.filtered(lambda q: q.quantity < 0))
        self.assertTrue(quants.filtered(lambda q: q.location_id in self.accounts.fba_location_id
                                        and q.quantity > 0))
        waiting = self.amazon_orders(("state", "=", "sale")).picking_ids.filtered(
            lambda p: p.state in ("confirmed", "waiting"))
        self.assertFalse(waiting, "every FBM delivery to ship has its goods reserved")
        self.assertTrue(self.amazon_orders().picking_ids.filtered(lambda p: p.state == "assigned"))

    def test_cancelled_and_awaiting_mapping(self):
        """Test that buyers' cancellations show and that one order waits for its SKU."""
        self.assertEqual(len(self.amazon_orders(("state", "=", "cancel"))), 2)
        awaiting = self.amazon_orders(("amazon_awaiting_mapping", "=", True))
        self.assertEqual(len(awaiting), 1)
        to_map = self.env["amazon.seller.offer"].search([("account_id", "in", self.accounts.ids),
                                                         ("product_id", "=", False)])
        self.assertEqual(to_map.mapped("sku"), ["SIM-GLV-180"])
        self.assertEqual(to_map.account_id.name, "Demo Seller Japan")
        self.assertFalse(self.env["amazon.seller.sync.error"].search(
            [("account_id", "in", self.accounts.ids)]), "no order failed")

    def test_settlement_ready_and_payout_to_match(self):
        """Test that settlements wait to be posted and that the bank holds one payout's deposit."""
        ready = self.settlements.filtered(lambda s: s.state == "ready")
        self.assertTrue(ready)
        deposit = self.env["account.bank.statement.line"].search([
            ("company_id", "=", self.company.id), ("payment_ref", "like", "AMAZON PAYMENTS")])
        self.assertEqual(len(deposit), 1)
        settlement = ready.filtered(lambda s: s.settlement_ref in deposit.payment_ref)
        self.assertEqual(settlement.currency_id.name, "EUR")
        self.assertEqual(deposit.amount, settlement.total_amount)
        settlement.action_post()
        settlement.action_match_deposit()
        self.assertEqual(settlement.state, "deposited")

    def test_accounts_are_set_up(self):
        """Test that the demo accounts passed their connection test: their set-up is complete;
        the European one uploads its invoices to Amazon."""
        self.assertEqual(set(self.accounts.mapped("setup_step")), {"done"})
        self.assertEqual(sorted((a.name, a.upload_invoices) for a in self.accounts), [
            ("Demo Seller Europe", True), ("Demo Seller Japan", False),
            ("Demo Seller North America", False)])

    def test_every_flow_ran_but_the_invoice_upload(self):
        """Test that the accounts have their Seller ID and one FBM offer syncing its stock, and
        that, on the overview, no flow shows "never" but the invoice upload: the scheduled action
        uploads the European account's invoices (queued), the others upload none (Amazon relays
        invoices in Europe only); MCF and inbound shipments wait for a person to send an order or
        stock through Amazon; the shipment confirmations sent each account's first shipment."""
        self.assertEqual(set(self.accounts.mapped("merchant_token")), {"A2SIMSELLER0001"})
        for account in self.accounts:
            synced = self.env["amazon.seller.offer"].search([("account_id", "=", account.id),
                                                             ("sync_stock", "=", True)])
            self.assertEqual(len(synced), 1, account.name)
            self.assertEqual(synced.fulfillment_channel, "fbm")
            self.assertTrue(synced.stock_pushed_qty or synced.stock_pushed_date
                            or account._flow_state("stock_push").last_success, account.name)
            never = {flow["flow"] for flow in account.dashboard_flows if not flow["last_success"]}
            self.assertFalse(never - {"invoice_upload", "mcf", "inbound"}, account.name)
            self.assertEqual("invoice_upload" in never, True, account.name)
            shipped = self.amazon_orders(("amazon_account_id", "=", account.id)).picking_ids \
                .filtered("amazon_confirmation_state")
            self.assertEqual(shipped.mapped("amazon_confirmation_state"), ["sent"], account.name)
        europe = self.accounts.filtered(lambda a: a.region == "EU")
        self.assertIn(europe, self.env["amazon.seller.invoice.upload"]._accounts_to_run())
        self.assertTrue(self.env["account.move"].search_count([
            ("amazon_account_id", "=", europe.id), ("amazon_upload_state", "=", "to_upload")]))

    def test_users_hold_their_roles_groups_only(self):
        """Test that the demo users hold exactly the groups the README gives their role."""
        groups = {login: sorted(self.env["res.users"].search([("login", "=", login)]).group_ids
                                .mapped(lambda g: g.get_external_id()[g.id]))
                  for login in ("sales", "warehouse", "accountant", "manager")}
        self.assertEqual(groups, {
            "sales": ["amazon_seller.group_amazon_seller_user",
                      "sales_team.group_sale_salesman_all_leads"],
            "warehouse": ["amazon_seller.group_amazon_seller_user", "stock.group_stock_user"],
            "accountant": ["account.group_account_user", "amazon_seller.group_amazon_seller_user"],
            "manager": ["amazon_seller.group_amazon_seller_manager", "base.group_system",
                        "sales_team.group_sale_salesman_all_leads"],
        })

    def test_running_again_changes_nothing(self):
        """Test that the set-up is idempotent: a second run adds no order, user or deposit."""
        counts = (len(self.amazon_orders()), self.env["res.users"].search_count([]),
                  self.env["account.bank.statement.line"].search_count([]),
                  self.env["delivery.carrier"].search_count([]))
        company, accounts, _settlements = demo_setup.main(self.env, self.simulator.url)
        self.assertEqual((company, accounts), (self.company, self.accounts))
        self.assertEqual((len(self.amazon_orders()), self.env["res.users"].search_count([]),
                          self.env["account.bank.statement.line"].search_count([]),
                          self.env["delivery.carrier"].search_count([])), counts)
