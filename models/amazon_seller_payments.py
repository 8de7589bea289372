from contextlib import contextmanager
import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)

# The accounts of Amazon money, per Amazon account and currency: field → (name, account type,
# reconcilable). They are found by (English) name and type in the company's chart, or created
# with a code that follows the codes of their type there, named in each installed language.
PAYMENT_ACCOUNTS = {
    "transit_account_id": (_lt("Amazon payouts in transit"), "asset_current", True),
    "reserve_account_id": (_lt("Amazon reserve"), "asset_current", True),
    "mf_tax_account_id": (_lt("Marketplace facilitator tax"), "liability_current", False),
    "fee_account_id": (_lt("Amazon selling fees"), "expense", False),
    "fba_fee_account_id": (_lt("Amazon FBA fees"), "expense", False),
    "storage_account_id": (_lt("Amazon storage fees"), "expense", False),
    "advertising_account_id": (_lt("Amazon advertising"), "expense", False),
    "subscription_account_id": (_lt("Amazon subscription"), "expense", False),
    "other_fee_account_id": (_lt("Amazon other fees"), "expense", False),
    "reimbursement_account_id": (_lt("Amazon reimbursements"), "income_other", False),
    "loan_account_id": (_lt("Amazon lending"), "liability_current", True),
}

# Where each role belongs in a localisation's chart: the code its new account follows (the next
# free code after it) and the range (code prefix) an account of the role must lie in. In SKR03
# money in transit is 1360 Geldtransit, Amazon's receivables beside 1500 other assets, tax
# Amazon remits beside 1590 Durchlaufende Posten, its fees with the selling costs (4760
# commissions, 4780 third-party distribution services, 46xx advertising), reimbursements beside
# 2742 compensation received, Amazon's loans beside 1705 Darlehen; SKR04 the same places in its
# own numbering. Other charts: after the accounts of the role's type.
CHART_PLACES = {
    "de_skr03": {
        "transit_account_id": "1360", "reserve_account_id": "1500", "mf_tax_account_id": "1590",
        "fee_account_id": "4760", "fba_fee_account_id": "4780", "storage_account_id": "4780",
        "advertising_account_id": "4600", "subscription_account_id": "4900",
        "other_fee_account_id": "4970", "reimbursement_account_id": "2742",
        "loan_account_id": "1705",
    },
    "de_skr04": {
        "transit_account_id": "1460", "reserve_account_id": "1300", "mf_tax_account_id": "1370",
        "fee_account_id": "6770", "fba_fee_account_id": "6780", "storage_account_id": "6780",
        "advertising_account_id": "6600", "subscription_account_id": "6300",
        "other_fee_account_id": "6855", "reimbursement_account_id": "4970",
        "loan_account_id": "3500",
    },
}

# Tax Odoo adds to Amazon's fees where its localisation asks for it: an EU seller's fees from
# Amazon EU S.à r.l. (Luxembourg) for its EU marketplaces are services from another member state,
# reverse charge (§13b UStG: l10n_de's "19% EU O S", base on line 46, input and output tax 67/47).
CHART_FEE_TAXES = {
    "de_skr03": "tax_eu_19_purchase_goods_skr03",
    "de_skr04": "tax_eu_19_purchase_goods_skr04",
}
# The roles whose rows are Amazon's fees (not reimbursements, reserve or tax).
FEE_ROLES = ("fee_account_id", "fba_fee_account_id", "storage_account_id",
             "advertising_account_id", "subscription_account_id", "other_fee_account_id")


def chart_place(chart_template, field):
    """The code a role's account follows in that chart, or None where the chart has no place
    for it."""
    return CHART_PLACES.get(chart_template or "", {}).get(field)


def in_its_place(chart_template, field, code):
    """Whether an account code lies in the range the chart gives the role (the first two
    digits of its place: 13xx for SKR03's money in transit); any code where it gives none."""
    place = chart_place(chart_template, field)
    return not place or (code or "").startswith(place[:2])


class AmazonSellerPayments(models.Model):
    """Where Amazon's money goes in the books, for one Amazon account and one currency of its
    marketplaces: the *Amazon Payments* bank journal (its default account is the *Amazon
    balance*: what Amazon holds for the seller) and the accounts settlements post to."""

    _name = "amazon.seller.payments"
    _description = "Amazon Payments (journal and accounts per currency)"
    _order = "account_id, currency_id"
    _rec_name = "journal_id"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True)
    journal_id = fields.Many2one(
        comodel_name="account.journal", string="Amazon Payments Journal", required=True,
        check_company=True, domain="[('type', '=', 'bank')]")
    balance_account_id = fields.Many2one(
        related="journal_id.default_account_id", string="Amazon Balance Account")
    transit_account_id = fields.Many2one(
        comodel_name="account.account", string="Payouts in Transit", required=True,
        check_company=True,
        help="Between Amazon and the bank: after a settlement it holds the deposit until the bank "
             "line of the payout is matched with it.")
    reserve_account_id = fields.Many2one(comodel_name="account.account", string="Reserve",
                                         required=True, check_company=True)
    mf_tax_account_id = fields.Many2one(
        comodel_name="account.account", string="Marketplace Facilitator Tax", required=True,
        check_company=True,
        help="Tax Amazon collects and remits itself: never the seller's revenue nor tax to declare.")
    fee_account_id = fields.Many2one(comodel_name="account.account", string="Selling Fees",
                                     required=True, check_company=True)
    fba_fee_account_id = fields.Many2one(comodel_name="account.account", string="FBA Fees",
                                         required=True, check_company=True)
    storage_account_id = fields.Many2one(comodel_name="account.account", string="Storage Fees",
                                         required=True, check_company=True)
    advertising_account_id = fields.Many2one(comodel_name="account.account", string="Advertising",
                                             required=True, check_company=True)
    subscription_account_id = fields.Many2one(comodel_name="account.account",
                                              string="Subscription", required=True,
                                              check_company=True)
    other_fee_account_id = fields.Many2one(comodel_name="account.account", string="Other Fees",
                                           required=True, check_company=True)
    reimbursement_account_id = fields.Many2one(comodel_name="account.account",
                                               string="Reimbursements", required=True,
                                               check_company=True)
    loan_account_id = fields.Many2one(
        comodel_name="account.account", string="Amazon Lending", check_company=True,
        help="Loans of Amazon Capital Services (Amazon Lending): the money lent and its "
             "repayments, taken from the payouts.")
    fee_tax_ids = fields.Many2many(
        comodel_name="account.tax", string="Tax on Amazon's Fees", check_company=True,
        domain="[('type_tax_use', '=', 'purchase')]",
        help="Taxes Odoo adds to Amazon's fees in this currency, on top of Amazon's amounts "
             "(which carry none): the reverse charge of an EU seller's fees from Amazon EU. "
             "Set from the company's localisation; a rule's own taxes win.")
    balance = fields.Monetary(
        string="Amazon Balance", compute="_compute_balance", currency_field="currency_id",
        help="What the journal's default account holds: money Amazon owes the seller.")

    misplaced_accounts = fields.Char(
        compute="_compute_misplaced_accounts",
        help="Accounts of this setup outside the range the company's chart gives their role "
             "(from an earlier version: SKR03 fees coded 9993).")

    _currency_unique = models.Constraint(
        "UNIQUE(account_id, currency_id)", "An Amazon account has one payments setup per currency.")

    @api.constrains("fee_tax_ids")
    def _check_fee_taxes_reverse_charge(self):
        """Taxes added on top of Amazon's fees must net to zero (reverse charge), or the
        settlement would no longer add up to Amazon's payout: VAT Amazon itself charged, within
        its amounts, goes on a settlement rule instead."""
        for payments in self:
            for tax in payments.fee_tax_ids:
                shares = tax.invoice_repartition_line_ids.filtered(
                    lambda line: line.repartition_type == "tax").mapped("factor_percent")
                if tax.amount_type != "percent" or round(sum(shares), 6):
                    raise ValidationError(self.env._(
                        "%(tax)s adds tax to Amazon's fees that nobody paid: only a reverse-charge "
                        "tax (as much input as output tax) can be the Tax on Amazon's Fees. Put VAT "
                        "that Amazon charged on the settlement rule of the fee instead.",
                        tax=tax.display_name))

    @api.depends("journal_id")
    def _compute_balance(self):
        for payments in self:
            account = payments.journal_id.default_account_id
            lines = self.env["account.move.line"].search_fetch(
                [("account_id", "=", account.id), ("parent_state", "=", "posted")],
                ["amount_currency", "balance"]) if account else []
            foreign = payments.currency_id != payments.company_id.currency_id
            payments.balance = sum(lines.mapped("amount_currency" if foreign else "balance")) \
                if lines else 0.0

    @api.depends(*PAYMENT_ACCOUNTS, "company_id.chart_template")
    def _compute_misplaced_accounts(self):
        for payments in self:
            payments.misplaced_accounts = ", ".join(payments._misplaced_names()) or False

    def _misplaced_names(self):
        """"code name" of each misplaced account, as the company's chart shows it."""
        return [f"{account.code} {account.name}" for account in self._misplaced()]

    def _misplaced(self):
        """{account: role field} of this setup's accounts outside their role's range."""
        self.ensure_one()
        chart = self.company_id.chart_template
        accounts = self.with_company(self.company_id)
        return {accounts[field]: field for field in PAYMENT_ACCOUNTS
                if accounts[field] and not in_its_place(chart, field, accounts[field].code)}

    def _move_to_chart_places(self):
        """Give each misplaced account the next free code after its role's place; its
        journal items stay with it."""
        for payments in self:
            company = payments.company_id
            Account = self.env["account.account"].sudo().with_company(company)
            for account, field in payments._misplaced().items():
                account.with_company(company).code = Account._search_new_account_code(
                    chart_place(company.chart_template, field))

    # === CREATION === #

    @api.model
    def _ensure_for(self, accounts):
        """Create, once, the journal and accounts of each currency of the accounts'
        marketplaces. Raise a UserError naming the company that has no chart of accounts."""
        existing = {(p.account_id, p.currency_id) for p in self.search(
            [("account_id", "in", accounts.ids)])}
        values = []
        for account in accounts:
            for currency in account.marketplace_ids.currency_id:
                if (account, currency) in existing:
                    continue
                self._check_chart(account.company_id)
                values.append(self._prepare(account, currency))
        return self.create(values)

    def _check_chart(self, company):
        if not company.chart_template and not self.env["account.account"].search_count(
                [("company_ids", "in", company.ids)], limit=1):
            raise UserError(self.env._(
                "%(company)s has no chart of accounts yet: install one (Accounting ▸ "
                "Configuration ▸ Settings ▸ Fiscal Localization), then create the Amazon "
                "Payments journal again from the Amazon account.", company=company.name))

    def _prepare(self, account, currency):
        company = account.company_id
        Journal = self.env["account.journal"].sudo().with_company(company)
        name = self.env._("Amazon Payments (%(account)s, %(currency)s)", account=account.name,
                          currency=currency.name)
        journal = Journal.search([("name", "=", name), ("company_id", "=", company.id)], limit=1)
        if not journal:
            with self._said_plainly(company, self.env._(
                    "The journal “%(name)s” could not be created in %(company)s, whose chart of "
                    "accounts gives no free code for its bank account. Free a bank account code "
                    "(Accounting ▸ Configuration ▸ Chart of Accounts), then create the Amazon "
                    "Payments journal again from the Amazon account's Accounting tab.",
                    name=name, company=company.name)):
                journal = Journal.create({
                    "name": name, "type": "bank", "company_id": company.id,
                    "code": self._journal_code(company),
                    "currency_id": currency.id if currency != company.currency_id else False,
                })
            journal.default_account_id.name = self.env._(
                "Amazon balance (%(account)s, %(currency)s)", account=account.name,
                currency=currency.name)
        return {
            "account_id": account.id, "currency_id": currency.id, "journal_id": journal.id,
            "fee_tax_ids": [Command.set(self._default_fee_taxes(account, currency).ids)],
            **self._role_accounts(company),
        }

    def _default_fee_taxes(self, account, currency):
        """The reverse-charge tax of the company's localisation for fees of marketplaces of
        ``currency`` that are all in the EU (Amazon EU invoices them from Luxembourg); none
        elsewhere (UK, US...) or for localisations without one."""
        company = account.company_id
        xmlid = CHART_FEE_TAXES.get(company.chart_template or "")
        marketplaces = account.marketplace_ids.filtered(lambda m: m.currency_id == currency)
        europe = self.env.ref("base.europe").country_ids
        if not xmlid or not marketplaces or marketplaces.country_id - europe:
            return self.env["account.tax"]
        return self.env["account.chart.template"].with_company(company).ref(
            xmlid, raise_if_not_found=False) or self.env["account.tax"]

    def _role_accounts(self, company):
        """{field: account id} of every role in ``company``: the account the company's other
        Amazon accounts and currencies already use for it, else the chart's account of that
        name and type, else a new one."""
        known = self.search([("company_id", "=", company.id)], limit=1)
        return {field: (known[field] or self._find_or_create_account(
                    company, *spec, place=chart_place(company.chart_template, field))).id
                for field, spec in PAYMENT_ACCOUNTS.items()}

    @staticmethod
    def _last_code(Account, in_company, account_type):
        """The highest code of the company's accounts of that type (of any type if none)."""
        return (Account.search([*in_company, ("account_type", "=", account_type)],
                               order="code desc", limit=1)
                or Account.search(in_company, order="code desc", limit=1)).code

    def _journal_code(self, company):
        used = set(self.env["account.journal"].sudo().with_context(active_test=False).search(
            [("company_id", "=", company.id)]).mapped("code"))
        return next(code for code in ["AMZ", *(f"AMZ{n}" for n in range(1, 100))]
                    if code not in used)

    def _find_or_create_account(self, company, name, account_type, reconcile, place=None):
        """The company's account of that name and type, or a new one coded after ``place``
        (the role's place in the company's localisation: SKR03 1360 → 1361) or else after the
        others of its type in that company's chart (101300 → 101301...). A code the chart
        cannot give is said in plain words, naming the company and the account to create by
        hand."""
        Account = self.env["account.account"].sudo().with_company(company).with_context(
            lang="en_US")
        in_company = Account._check_company_domain(company)
        name, translated = name._source, name
        account = Account.search([*in_company, ("name", "=", name),
                                  ("account_type", "=", account_type)], limit=1)
        if account:
            return account
        start = place or self._last_code(Account, in_company, account_type)
        label = dict(Account._fields["account_type"]._description_selection(self.env))
        with self._said_plainly(company, self.env._(
                "The account “%(name)s” could not be added to the chart of accounts of "
                "%(company)s: no free account code follows %(code)s. Create an account named "
                "“%(name)s” of type %(type)s in that chart (Accounting ▸ Configuration ▸ Chart "
                "of Accounts), then create the Amazon Payments journal again from the Amazon "
                "account's Accounting tab.", name=name, company=company.name, code=start,
                type=label[account_type])):
            account = Account.create({
                "name": name, "account_type": account_type, "reconcile": reconcile,
                "code": Account._search_new_account_code(start), "company_ids": [company.id],
            })
        for lang, _label in self.env["res.lang"].get_installed():
            if lang != "en_US" and translated._translate(lang) != name:
                account.with_context(lang=lang).name = translated._translate(lang)
        return account

    @contextmanager
    def _said_plainly(self, company, message):
        """What Odoo refuses to create in a company's books (a code taken, none free) becomes
        ``message`` for the person; Odoo's own words go to the log."""
        try:
            with self.env.cr.savepoint():
                yield
        except (UserError, ValidationError):
            _logger.warning("Amazon Payments of %s refused", company.name, exc_info=True)
            raise UserError(message) from None
