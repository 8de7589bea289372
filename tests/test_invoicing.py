from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import AmazonSellerCase, ReplayCase, company_on_chart
from .orders import make_order, money, with_facilitator_tax

US_FBA = "113-5000001-5000001"
US_FBM = "113-5000002-5000002"
DE_B2B = "302-5000003-5000003"
US_CANCELLED = "113-5000004-5000004"
US_TAXED = "113-5000005-5000005"


def us(order):
    order["recipient"]["deliveryAddress"].update(countryCode="US", city="Seattle",
                                                 stateOrRegion="WA", postalCode="98109")
    return order


@tagged("post_install", "-at_install")
class TestPaymentsSetup(AmazonSellerCase):
    """The Amazon Payments journal and accounts, per Amazon account and currency."""

    def test_journal_and_accounts_per_currency_created_once(self):
        """Test that each marketplace currency gets one bank journal and its accounts, once."""
        payments = self.account.payments_ids
        self.assertEqual(sorted(payments.currency_id.mapped("name")), ["CAD", "USD"])
        usd = payments.filtered(lambda p: p.currency_id.name == "USD")
        self.assertEqual(usd.journal_id.name, "Amazon Payments (Test Seller NA, USD)")
        self.assertEqual(usd.journal_id.type, "bank")
        self.assertEqual(usd.balance_account_id, usd.journal_id.default_account_id)
        self.assertIn("Amazon balance", usd.balance_account_id.name)
        self.assertEqual((usd.transit_account_id.name, usd.transit_account_id.account_type,
                          usd.transit_account_id.reconcile),
                         ("Amazon payouts in transit", "asset_current", True))
        self.assertEqual(usd.mf_tax_account_id.account_type, "liability_current")
        self.assertEqual(usd.reimbursement_account_id.account_type, "income_other")
        cad = payments - usd
        self.assertEqual(cad.transit_account_id, usd.transit_account_id, "found again, not doubled")
        accounts = self.env["account.account"].search_count([])
        self.env["amazon.seller.account"]._ensure_payments_of_all_accounts()
        self.assertEqual(self.account.payments_ids, payments, "an update changes nothing")
        self.assertEqual(self.env["account.account"].search_count([]), accounts)
        self.account.marketplace_ids = [Command.link(self.env.ref("amazon_seller.marketplace_mx").id)]
        self.assertEqual(sorted(self.account.payments_ids.currency_id.mapped("name")),
                         ["CAD", "MXN", "USD"])

    def company_on_generic_chart(self, name, currency):
        return company_on_chart(self.env, name, currency, "generic_coa")[1]

    def test_accounts_of_two_companies_on_the_generic_chart(self):
        """Test that two companies on Odoo's generic chart, each with two Amazon accounts of two
        currencies, get their own Amazon accounts per role, created from the first company's
        screen, reused across their Amazon accounts and currencies, and never again."""
        books = self.company_on_generic_chart("Maple Books Ltd", "CAD")
        lamps = self.company_on_generic_chart("Maple Lamps Ltd", "CAD")
        Account = self.env["amazon.seller.account"].with_context(
            allowed_company_ids=[self.env.company.id, books.id, lamps.id])
        marketplaces = [Command.set([self.marketplace_us.id,
                                     self.env.ref("amazon_seller.marketplace_ca").id])]
        sellers = Account.create([
            {"name": f"{company.name} {n}", "company_id": company.id, "region": "NA",
             "marketplace_ids": marketplaces} for company in (books, lamps) for n in (1, 2)])
        payments = sellers.payments_ids
        self.assertEqual(len(payments), 8)
        for company in (books, lamps):
            own = payments.filtered(lambda p: p.company_id == company)
            self.assertEqual(len(own), 4)
            self.assertEqual(len(own.journal_id), 4)
            for field in ("transit_account_id", "reserve_account_id", "mf_tax_account_id",
                          "fee_account_id", "advertising_account_id", "reimbursement_account_id"):
                self.assertEqual(len(own[field]), 1, f"{field} shared in {company.name}")
                self.assertEqual(own[field].company_ids, company)
        books_transit = payments.filtered(lambda p: p.company_id == books).transit_account_id
        self.assertEqual(books_transit.with_company(books).code, "131001")
        self.assertEqual((books_transit.name, books_transit.account_type),
                         ("Amazon payouts in transit", "asset_current"))
        accounts = self.env["account.account"].search_count([])
        sellers._ensure_payments()
        self.env["amazon.seller.account"]._ensure_payments_of_all_accounts()
        self.assertEqual(sellers.payments_ids, payments)
        self.assertEqual(self.env["account.account"].search_count([]), accounts)

    def test_accounts_at_their_place_in_skr03_and_skr04(self):
        """Test that a German company's Amazon accounts lie where its chart puts each role
        (SKR03: transit beside 1360 Geldtransit, fees among the selling costs, advertising in
        46xx; SKR04 in its own numbering), and that accounts an earlier version coded 9993 are
        offered their place and moved there with their entries."""
        de = self.env.ref("amazon_seller.marketplace_de")
        codes = {}
        for chart in ("de_skr03", "de_skr04"):
            company = company_on_chart(self.env, f"Lampen GmbH {chart}", "EUR", chart,
                                       country="de")[1]
            seller = self.env["amazon.seller.account"].with_context(
                allowed_company_ids=[self.env.company.id, company.id]).create({
                    "name": f"Lampen {chart}", "company_id": company.id, "region": "EU",
                    "marketplace_ids": [Command.set(de.ids)]})
            payments = seller.payments_ids
            codes[chart] = {field: payments[field].with_company(company).code for field in (
                "transit_account_id", "reserve_account_id", "mf_tax_account_id",
                "fee_account_id", "fba_fee_account_id", "storage_account_id",
                "advertising_account_id", "subscription_account_id", "other_fee_account_id",
                "reimbursement_account_id")}
            self.assertFalse(seller.misplaced_accounts)
        self.assertEqual(codes["de_skr03"], {
            "transit_account_id": "1361", "reserve_account_id": "1509",
            "mf_tax_account_id": "1591", "fee_account_id": "4761", "fba_fee_account_id": "4781",
            "storage_account_id": "4782", "advertising_account_id": "4601",
            "subscription_account_id": "4901", "other_fee_account_id": "4971",
            "reimbursement_account_id": "2745"})
        self.assertEqual(codes["de_skr04"], {
            "transit_account_id": "1461", "reserve_account_id": "1302",
            "mf_tax_account_id": "1371", "fee_account_id": "6771", "fba_fee_account_id": "6781",
            "storage_account_id": "6782", "advertising_account_id": "6601",
            "subscription_account_id": "6301", "other_fee_account_id": "6858",
            "reimbursement_account_id": "4971"})

        # SKR04's last company, as an earlier version left it: its fees coded 9993
        fees = payments.fee_account_id.with_company(company)
        fees.code = "9993"
        seller.invalidate_recordset(["misplaced_accounts"])
        payments.invalidate_recordset(["misplaced_accounts"])
        self.assertEqual(seller.misplaced_accounts, "9993 Amazon selling fees")
        seller.action_move_accounts_to_chart_places()
        self.assertEqual(fees.code, "6771")
        payments.invalidate_recordset(["misplaced_accounts"])
        seller.invalidate_recordset(["misplaced_accounts"])
        self.assertFalse(seller.misplaced_accounts)

    def test_account_the_chart_cannot_give_is_told_clearly(self):
        """Test that an Amazon account Odoo refuses to create (here: no free code) is said in
        plain words naming the company and the account, with nothing half-created."""
        company = self.company_on_generic_chart("Crowded Chart Ltd", "CAD")
        Account = type(self.env["account.account"])
        search_code = Account._search_new_account_code

        def no_code_after_131000(account, start, cache=None):
            if start == "131000":
                raise UserError("Cannot generate an unused account code.")
            return search_code(account, start, cache)

        with patch.object(Account, "_search_new_account_code", autospec=True,
                          side_effect=no_code_after_131000):
            seller = self.env["amazon.seller.account"].with_company(company).create({
                "name": "Crowded Seller", "company_id": company.id,
                "marketplace_ids": [self.marketplace_us.id]})
            self.assertFalse(seller.payments_ids)
            with self.assertRaises(UserError) as caught:
                seller.action_create_payments()
        message = caught.exception.args[0]
        self.assertIn("The account “Amazon payouts in transit” could not be added to the chart "
                      "of accounts of Crowded Chart Ltd: no free account code follows 131000.",
                      message)
        self.assertIn("of type Current Assets", message)
        self.assertNotIn("Cannot generate", message)

    def test_company_without_chart_is_told_clearly(self):
        """Test that a company without a chart of accounts gets a message, not a traceback."""
        bare = self.env["res.company"].create({"name": "No Chart Co"})
        account = self.env["amazon.seller.account"].with_company(bare).create({
            "name": "Bare Seller", "company_id": bare.id,
            "marketplace_ids": [self.marketplace_us.id]})
        self.assertFalse(account.payments_ids)
        with self.assertRaises(UserError) as caught:
            account.action_create_payments()
        self.assertIn("No Chart Co has no chart of accounts yet", caught.exception.args[0])


@tagged("post_install", "-at_install")
class TestInvoicing(ReplayCase):
    """US orders (facilitator tax, FBA and FBM) and an EU business order, invoiced as they ship."""

    @classmethod
    def replay_orders(cls):
        fba = with_facilitator_tax(us(make_order(
            US_FBA, market="US", fulfilled_by="AMAZON", status="SHIPPED",
            items=(("INV-1", 1, "129.99"),))), "10.40")
        fbm = with_facilitator_tax(us(make_order(
            US_FBM, market="US", items=(("INV-1", 2, "50.00"),), shipping="7.99")), "8.00")
        b2b = make_order(DE_B2B, market="DE", fulfilled_by="AMAZON", status="SHIPPED",
                         items=(("INV-1", 1, "119.00"),))
        b2b["programs"] = ["AMAZON_BUSINESS"]
        b2b["buyer"]["buyerCompanyName"] = "Muster GmbH"
        b2b["tax"] = {"taxRegistrations": [{"entityType": "BUYER", "taxRegistrationType": "VAT",
                                            "taxRegistrationNumber": "DE123456789",
                                            "legalName": "Muster GmbH"}]}
        cancelled = us(make_order(US_CANCELLED, market="US", status="CANCELLED",
                                  items=(("INV-1", 1, "10.00"),)))
        taxed = with_facilitator_tax(us(make_order(
            US_TAXED, market="US", items=(("INV-TAXED", 1, "11.99"),), shipping="1.80")), "1.14")
        return [fba, fbm, b2b, cancelled, taxed]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_eu = cls.account
        cls.account = cls.us_account("Test Seller US", warehouse_id=cls.account_eu.warehouse_id.id)
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.env["res.currency.rate"].create({"currency_id": eur.id, "name": "2026-01-01",
                                             "rate": 0.9})
        cls.product = cls.env["product.product"].create({
            "name": "INV-1", "default_code": "INV-1", "is_storable": True,
            "taxes_id": [Command.clear()]})
        cls.env["amazon.seller.offer"].create([{
            "account_id": account.id, "marketplace_id": marketplace.id, "sku": "INV-1",
            "fulfillment_channel": channel, "product_id": cls.product.id,
        } for account in (cls.account, cls.account_eu) for marketplace in account.marketplace_ids
            for channel in ("fba", "fbm")])
        # a product as Odoo creates it: with the company's default sales tax (generic chart 15 %)
        cls.taxed_product = cls.env["product.product"].create({
            "name": "INV-TAXED", "default_code": "INV-TAXED", "type": "consu"})
        cls.env["amazon.seller.offer"].create({
            "account_id": cls.account.id, "marketplace_id": cls.marketplace_us.id,
            "sku": "INV-TAXED", "fulfillment_channel": "fbm",
            "product_id": cls.taxed_product.id})
        stock = cls.account.warehouse_id.lot_stock_id
        cls.env["stock.quant"]._update_available_quantity(cls.product, stock, 10)
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.account.fba_location_id, 10)
        service = cls.env["product.product"].create({"name": "Carriage", "type": "service"})
        cls.carrier = cls.env["delivery.carrier"].create({"name": "UPS", "product_id": service.id})

    def order(self, ref):
        return self.env["sale.order"].search([("amazon_order_ref", "=", ref)])

    def invoice_run(self):
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_invoice_orders").method_direct_trigger()

    def test_facilitator_tax_is_not_revenue(self):
        """Test that Amazon's marketplace-facilitator tax is its own line on its own account."""
        self.sync_orders(self.account)
        order = self.order(US_FBA)
        mf_line = order.order_line.filtered(lambda l: l.product_id.default_code == "AMAZON-MF-TAX")
        goods = order.order_line.filtered("amazon_order_item_id")
        self.assertEqual((goods.price_total, goods.tax_ids.ids), (129.99, []))
        self.assertEqual((mf_line.price_total, mf_line.tax_ids.ids), (10.40, []))
        self.assertEqual(order.amount_total, 140.39)
        self.assertFalse(order.order_line.filtered(
            lambda l: l.product_id.default_code == "AMAZON-ROUNDING"))
        self.invoice_run()
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 140.39))
        usd = self.account.payments_ids.filtered(lambda p: p.currency_id.name == "USD")
        mf_booked = invoice.line_ids.filtered(lambda l: l.account_id == usd.mf_tax_account_id)
        self.assertEqual(mf_booked.balance, -10.40)
        revenue = invoice.line_ids.filtered(lambda l: l.product_id == self.product)
        self.assertEqual(revenue.balance, -129.99)
        self.assertEqual(invoice.invoice_date, date(2026, 11, 1), "the day Amazon shipped it")
        self.assertEqual((invoice.amazon_account_id, invoice.amazon_marketplace_id),
                         (self.account, self.marketplace_us))
        self.assertEqual(self.account._flow_state("invoicing").last_message, "1 invoiced, 0 failed")

    def test_sales_figures_leave_out_the_tax_amazon_collects(self):
        """Test that the facilitator tax is tax, not untaxed revenue: on the order (its untaxed
        amount and totals), in sales analysis and in invoice analysis, the total still
        Amazon's."""
        self.sync_orders(self.account)
        order = self.order(US_FBA)
        self.assertEqual((order.amount_untaxed, order.amount_tax, order.amount_total),
                         (129.99, 10.40, 140.39))
        totals = order.tax_totals
        self.assertEqual((totals["base_amount_currency"], round(totals["total_amount_currency"], 2)),
                         (129.99, 140.39))
        groups = totals["subtotals"][0]["tax_groups"]
        self.assertEqual([(g["group_name"], g["tax_amount_currency"]) for g in groups],
                         [("Tax collected by Amazon", 10.40)])
        self.env.flush_all()
        sold = self.env["sale.report"]._read_group(
            [("order_reference", "=", f"sale.order,{order.id}")], [], ["price_subtotal:sum"])
        self.assertAlmostEqual(sold[0][0], 129.99)
        self.invoice_run()
        self.env.flush_all()
        invoiced = self.env["account.invoice.report"]._read_group(
            [("move_id", "=", order.invoice_ids.id)], [], ["price_subtotal:sum"])
        self.assertAlmostEqual(invoiced[0][0], 129.99)

    def test_tax_amazon_collects_is_the_only_tax_of_the_sale(self):
        """Test that a facilitator order of a product carrying the company's 15 % sales tax
        books Amazon's item price as revenue, Amazon's tax on its own line, and no Odoo tax,
        through the account's editable fiscal position."""
        self.assertEqual(self.taxed_product.taxes_id.mapped("amount"), [15.0])
        self.sync_orders(self.account)
        order = self.order(US_TAXED)
        self.assertEqual(order.fiscal_position_id, self.account.tax_collected_fiscal_position_id)
        self.assertEqual(order.fiscal_position_id.name, "Tax collected by Amazon")
        self.assertEqual(sorted((line.product_id.default_code, line.price_subtotal,
                                 line.price_tax) for line in order.order_line),
                         [("AMAZON-MF-TAX", 1.14, 0.0), ("AMAZON-SHIPPING", 1.80, 0.0),
                          ("INV-TAXED", 11.99, 0.0)])
        self.assertEqual((order.amount_untaxed, order.amount_tax, order.amount_total),
                         (13.79, 1.14, 14.93), "the only tax is Amazon's")
        order.picking_ids.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": "1Z5"})
        order.picking_ids.move_ids.quantity = 1
        order.picking_ids.button_validate()
        self.invoice_run()
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.amount_total, invoice.amount_tax),
                         ("posted", 14.93, 0.0))
        self.assertFalse(invoice.line_ids.filtered("tax_line_id"), "no Odoo tax line")
        revenue = invoice.line_ids.filtered(lambda l: l.product_id == self.taxed_product)
        self.assertEqual(revenue.balance, -11.99)

    def test_fbm_invoiced_for_what_shipped_only(self):
        """Test that an FBM order waits for its delivery and invoices only what left."""
        self.sync_orders(self.account)
        order = self.order(US_FBM)
        self.invoice_run()
        self.assertFalse(order.invoice_ids, "nothing shipped, nothing invoiced")
        picking = order.picking_ids
        picking.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": "1Z1"})
        picking.move_ids.write({"quantity": 1, "picked": True})
        Form.from_action(self.env, picking.button_validate()).save().process()
        self.invoice_run()
        first = order.invoice_ids
        goods = first.invoice_line_ids.filtered(lambda l: l.product_id == self.product)
        self.assertEqual(goods.quantity, 1)
        self.assertEqual(first.amount_total, 65.99, "charges (7.99 + MF tax 8.00) with the first parcel")
        backorder = order.picking_ids - picking
        backorder.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": "1Z2"})
        backorder.move_ids.write({"quantity": 1, "picked": True})
        backorder.button_validate()
        self.invoice_run()
        second = order.invoice_ids - first
        self.assertEqual(second.amount_total, 50.00)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_business_buyer_invoiced_with_vat(self):
        """Test that a business order with the buyer's VAT number is invoiced to that company."""
        self.sync_orders(self.account_eu)
        order = self.order(DE_B2B)
        company = order.partner_invoice_id
        self.assertEqual((company.name, company.vat, company.is_company),
                         ("Muster GmbH", "DE123456789", True))
        self.invoice_run()
        self.assertEqual(order.invoice_ids.partner_id, company)
        self.assertEqual(order.invoice_ids.currency_id.name, "EUR")
        eur = self.account_eu.payments_ids.filtered(lambda p: p.currency_id.name == "EUR")
        self.assertEqual(eur.journal_id.currency_id.name, "EUR", "a journal in the other currency")

    def test_cancelled_orders_are_never_invoiced(self):
        """Test that a cancelled order gets no invoice, and one cancelled after its invoice gets
        a draft credit note and an activity."""
        self.sync_orders(self.account)
        self.invoice_run()
        self.assertFalse(self.order(US_CANCELLED))
        order = self.order(US_FBA)
        self.assertEqual(order.invoice_ids.state, "posted")
        cancel = make_order(US_FBA, market="US", fulfilled_by="AMAZON", status="CANCELLED",
                            items=(("INV-1", 1, "129.99"),), updated="2026-11-05T10:00:00Z")
        self.env["amazon.seller.order.import"]._import_orders(self.account, [cancel])
        credit = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual((credit.state, credit.amount_total), ("draft", 140.39))
        self.assertIn("credit note", order.activity_ids.note)

    def test_failing_invoice_does_not_block_the_others(self):
        """Test that an order that cannot be invoiced is listed and retried, the rest invoiced."""
        self.sync_orders(self.account)
        self.sync_orders(self.account_eu)
        SaleOrder = type(self.env["sale.order"])
        original = SaleOrder._create_invoices

        def create_invoices(orders, *args, **kwargs):
            if DE_B2B in orders.mapped("amazon_order_ref"):
                raise UserError("No income account is defined for Muster's product.")
            return original(orders, *args, **kwargs)

        with patch.object(SaleOrder, "_create_invoices", create_invoices):
            self.invoice_run()
        self.assertEqual(self.order(US_FBA).invoice_ids.state, "posted")
        failed = self.order(DE_B2B)
        self.assertFalse(failed.invoice_ids)
        self.assertIn("No income account", failed.amazon_invoice_error)
        self.assertIn(failed, self.env["sale.order"].search([("amazon_invoice_error", "!=", False)]))
        error = self.env["amazon.seller.sync.error"].search([("flow", "=", "invoicing")])
        self.assertEqual((error.amazon_ref, error.state), (DE_B2B, "open"))
        error.action_retry()
        self.assertEqual(failed.invoice_ids.state, "posted")
        self.assertEqual(error.state, "resolved")

    def test_switch_list_action_and_no_email(self):
        """Test the switch, the list action, and that Amazon invoices are never e-mailed."""
        self.sync_orders(self.account)
        self.account.invoice_orders = False
        self.invoice_run()
        order = self.order(US_FBA)
        self.assertFalse(order.invoice_ids, "switched off: the scheduled action leaves it")
        action = order.action_amazon_invoice()
        self.assertEqual(action["params"]["message"],
                         "1 invoiced, 0 could not be (see Amazon: Invoice Failed).")
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        sender = self.env["account.move.send"]
        self.assertEqual(sender._get_default_sending_methods(invoice), {"manual"})
        self.assertFalse(sender._is_applicable_to_move("email", invoice))

    # === invoices handed to the buyer through Amazon (EU) === #

    def fresh_simulator(self):
        """A simulator of its own: uploads change Amazon's side for good."""
        from ..tools.spapi_simulator import Simulator

        self.simulator = Simulator(**self.simulator_kwargs()).start()
        self.addCleanup(self.simulator.stop)
        self.point_at(self.account_eu, self.simulator.url)

    def upload_runs(self, count):
        uploader = self.env["amazon.seller.invoice.upload"]
        for _run in range(count):
            uploader._run_now(self.account_eu)

    def test_eu_invoice_and_credit_note_uploaded_once(self):
        """Test that a posted EU invoice and its credit note reach Amazon once each, as PDF."""
        self.fresh_simulator()
        self.account_eu.upload_invoices = True
        self.sync_orders(self.account_eu)
        self.invoice_run()
        invoice = self.order(DE_B2B).invoice_ids
        self.assertEqual(invoice.amazon_upload_state, "to_upload")
        self.assertFalse(self.order(US_FBA).invoice_ids.amazon_upload_state, "US: no upload")
        self.upload_runs(3)  # send; report in progress; report done
        self.assertEqual(invoice.amazon_upload_state, "uploaded", invoice.amazon_upload_message)
        credit = invoice._reverse_moves()
        credit.action_post()
        self.upload_runs(3)
        self.assertEqual(credit.amazon_upload_state, "uploaded", credit.amazon_upload_message)
        self.upload_runs(2)
        uploads = self.simulator.vat_invoices()
        self.assertEqual([(u["orderId"], u["invoiceNumber"], u["documentType"], u["totalAmount"])
                          for u in uploads],
                         [(DE_B2B, invoice.name, "Invoice", "119.00"),
                          (DE_B2B, credit.name, "CreditNote", "119.00")])
        state = self.account_eu._flow_state("invoice_upload")
        self.assertFalse(state.failed, state.last_message)

    def test_vcs_seller_upload_confirmed_by_the_vat_invoice_data_report(self):
        """Test that for a seller on Amazon's VAT Calculation Service the feed's acceptance only
        says the file arrived: the invoice is uploaded once Amazon's VAT invoice data report
        says so; and that FeatureNotAvailable says what it means."""
        self.fresh_simulator()
        self.account_eu.write({"upload_invoices": True, "vat_calculation_service": True})
        self.sync_orders(self.account_eu)
        self.invoice_run()
        invoice = self.order(DE_B2B).invoice_ids
        self.upload_runs(2)  # send; feed report in progress
        self.upload_runs(1)  # feed done: received, the VAT report asked
        self.upload_runs(1)
        self.assertEqual(invoice.amazon_upload_state, "uploaded", invoice.amazon_upload_message)
        self.assertTrue(self.simulator.calls("createReport"), "the VAT invoice data report")

        credit = invoice._reverse_moves()
        credit.action_post()
        self.simulator.set_vcs_self_invoicing(False)
        self.upload_runs(3)
        self.assertEqual(credit.amazon_upload_state, "error")
        self.assertIn("Amazon does not take invoices from this account",
                      credit.amazon_upload_message)

    def test_rejected_upload_is_shown_and_retried(self):
        """Test that Amazon's rejection shows on the invoice and the retry sends it once."""
        self.fresh_simulator()
        self.account_eu.upload_invoices = True
        self.sync_orders(self.account_eu)
        self.invoice_run()
        invoice = self.order(DE_B2B).invoice_ids
        Uploader = type(self.env["amazon.seller.invoice.upload"])
        with patch.object(Uploader, "_pdf", lambda uploader, move: b"<html>not a PDF</html>"):
            self.upload_runs(3)
        self.assertEqual(invoice.amazon_upload_state, "error")
        self.assertIn("InvoiceFileIsNotPDF", invoice.amazon_upload_message)
        error = self.env["amazon.seller.sync.error"].search([("flow", "=", "invoice_upload")])
        self.assertEqual((error.amazon_ref, error.res_id), (invoice.name, invoice.id))
        self.upload_runs(1)
        self.assertEqual(invoice.amazon_upload_state, "error", "not before its retry time")
        error.next_retry = "2020-01-01 00:00:00"
        self.upload_runs(3)
        self.assertEqual(invoice.amazon_upload_state, "uploaded", invoice.amazon_upload_message)
        self.assertEqual(len(self.simulator.vat_invoices()), 1)
        self.assertEqual(error.state, "resolved")


ORDER_A = "114-8829371-4410258"
ORDER_B = "114-8829371-4410259"
ORDER_C = "114-8829371-4410260"


@tagged("post_install", "-at_install")
class TestSettlementPosting(ReplayCase):
    """The accounting design's worked example, to the cent (USD, settlement 16-30 June)."""

    @classmethod
    def replay_orders(cls):
        a = with_facilitator_tax(us(make_order(ORDER_A, market="US", fulfilled_by="AMAZON",
                                               status="SHIPPED", items=(("EX-1", 1, "129.99"),))),
                                 "10.40")
        b = with_facilitator_tax(us(make_order(ORDER_B, market="US", fulfilled_by="AMAZON",
                                               status="SHIPPED", items=(("EX-1", 1, "89.00"),),
                                               shipping="7.99")), "7.27")
        item = b["orderItems"][0]
        item["proceeds"]["breakdowns"].append({"type": "DISCOUNT", "subtotal": money("-8.90", "USD")})
        b["proceeds"]["grandTotal"] = money("95.36", "USD")
        c = with_facilitator_tax(us(make_order(ORDER_C, market="US", fulfilled_by="AMAZON",
                                               status="SHIPPED", items=(("EX-1", 1, "45.50"),))),
                                 "3.75")
        return [a, b, c]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.us_account("Example Seller")
        product = cls.env["product.product"].create({
            "name": "EX-1", "default_code": "EX-1", "is_storable": True,
            "taxes_id": [Command.clear()]})
        cls.env["amazon.seller.offer"].create({
            "account_id": cls.account.id, "marketplace_id": cls.marketplace_us.id, "sku": "EX-1",
            "fulfillment_channel": "fba", "product_id": product.id})
        cls.env["stock.quant"]._update_available_quantity(product, cls.account.fba_location_id, 10)

    def balance(self, account):
        return round(sum(self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]).mapped("balance")), 2)

    def test_worked_example_to_the_cent(self):
        """Test the design's example: invoices paid, MF tax 0, reserve 300.00, transit 125.06."""
        self.sync_orders(self.account)
        self.env["amazon.seller.invoicing"]._run_now(self.account)
        orders = {ref: self.env["sale.order"].search([("amazon_order_ref", "=", ref)])
                  for ref in (ORDER_A, ORDER_B, ORDER_C)}
        self.assertEqual([orders[ref].invoice_ids.amount_total for ref in (ORDER_A, ORDER_B, ORDER_C)],
                         [140.39, 95.36, 49.25])
        credit_note = orders[ORDER_C].invoice_ids._reverse_moves()
        credit_note.action_post()
        usd = self.account.payments_ids
        # what settlement S1 left: a reserve of 420.00, and order C's facilitator tax withheld
        equity = self.env["account.account"].search([("account_type", "=", "equity")], limit=1)
        opening = self.env["account.move"].create({"move_type": "entry", "line_ids": [
            Command.create({"account_id": usd.reserve_account_id.id, "balance": 420.0}),
            Command.create({"account_id": usd.mf_tax_account_id.id, "balance": 3.75}),
            Command.create({"account_id": equity.id, "balance": -423.75})]})
        opening.action_post()
        rows = [
            ("Order", ORDER_A, "ItemPrice", "Principal", "129.99"),
            ("Order", ORDER_A, "ItemPrice", "Tax", "10.40"),
            ("Order", ORDER_A, "ItemFees", "Commission", "-19.50"),
            ("Order", ORDER_A, "ItemFees", "FBAPerUnitFulfillmentFee", "-4.75"),
            ("Order", ORDER_A, "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "-10.40"),
            ("Order", ORDER_B, "ItemPrice", "Principal", "89.00"),
            ("Order", ORDER_B, "ItemPrice", "Shipping", "7.99"),
            ("Order", ORDER_B, "Promotion", "Principal", "-8.90"),
            ("Order", ORDER_B, "ItemPrice", "Tax", "6.61"),
            ("Order", ORDER_B, "ItemPrice", "ShippingTax", "0.66"),
            ("Order", ORDER_B, "ItemFees", "Commission", "-13.21"),
            ("Order", ORDER_B, "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "-6.61"),
            ("Order", ORDER_B, "ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", "-0.66"),
            ("Refund", ORDER_C, "ItemPrice", "Principal", "-45.50"),
            ("Refund", ORDER_C, "ItemPrice", "Tax", "-3.75"),
            ("Refund", ORDER_C, "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "3.75"),
            ("Refund", ORDER_C, "ItemFees", "Commission", "6.83"),
            ("Refund", ORDER_C, "ItemFees", "RefundCommission", "-1.37"),
            ("ServiceFee", "", "other-transaction", "Storage Fee", "-64.28"),
            ("ServiceFee", "", "other-transaction", "Subscription Fee", "-39.99"),
            ("ServiceFee", "", "Cost of Advertising", "TransactionTotalAmount", "-50.00"),
            ("other-transaction", "", "other-transaction", "WAREHOUSE_DAMAGE", "18.75"),
            ("other-transaction", "", "other-transaction", "Previous Reserve Amount Balance", "420.00"),
            ("other-transaction", "", "other-transaction", "Current Reserve Amount", "-300.00"),
        ]
        header = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                  "total-amount\tcurrency\ttransaction-type\torder-id\tamount-type\t"
                  "amount-description\tamount\tposted-date")
        lines = [header, "S2\t2026-06-16 00:00:00 UTC\t2026-06-30 23:59:59 UTC\t"
                         "2026-07-02 00:00:00 UTC\t125.06\tUSD\t\t\t\t\t\t"]
        lines += [f"S2\t\t\t\t\tUSD\t{t}\t{o}\t{at}\t{d}\t{amount}\t2026-06-20 10:00:00 UTC"
                  for t, o, at, d, amount in rows]
        settlement, _outcome = self.env["amazon.seller.settlement.import"]._import_file(
            self.account, "\n".join(lines).encode(), "s2.txt")
        self.assertEqual(settlement.state, "ready", settlement.problems)
        settlement.action_post()
        self.assertEqual(settlement.state, "posted")
        for ref in (ORDER_A, ORDER_B):
            self.assertEqual(orders[ref].invoice_ids.payment_state, "paid", ref)
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertEqual(self.balance(usd.mf_tax_account_id), 0.0)
        self.assertEqual(self.balance(usd.reserve_account_id), 300.0)
        self.assertEqual(self.balance(usd.balance_account_id), 0.0)
        self.assertEqual(self.balance(usd.transit_account_id), 125.06)
        self.assertEqual(self.balance(usd.fee_account_id), 27.25)
        self.assertEqual(self.balance(usd.storage_account_id), 64.28)
        self.assertEqual(self.balance(usd.advertising_account_id), 50.0)
        self.assertEqual(self.balance(usd.reimbursement_account_id), -18.75)
        self.assertEqual(settlement.statement_id.journal_id, usd.journal_id)
        with self.assertRaises(UserError):
            settlement.action_post()
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_post_settlements").method_direct_trigger()
        self.assertEqual(len(self.env["account.bank.statement"].search(
            [("journal_id", "=", usd.journal_id.id)])), 1, "never posted twice")
        # the payout reaches the bank on 3 July
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.account.company_id.id),
             ("id", "not in", self.env["amazon.seller.payments"].search([]).journal_id.ids)],
            limit=1)
        with self.assertRaises(UserError):
            settlement.action_match_deposit()
        deposit = self.env["account.bank.statement.line"].create({
            "journal_id": bank.id, "date": "2026-07-03", "amount": 125.06,
            "payment_ref": "AMAZON.COM SERVICES S2"})
        settlement.action_match_deposit()
        self.assertEqual(settlement.state, "deposited")
        self.assertEqual(settlement.deposit_line_id, deposit)
        self.assertTrue(deposit.is_reconciled)
        self.assertEqual(self.balance(usd.transit_account_id), 0.0)
