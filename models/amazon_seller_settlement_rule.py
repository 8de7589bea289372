from odoo import api, fields, models

from .amazon_seller_payments import FEE_ROLES

RULE_KINDS = [
    ("order", "Order Receivable"),
    ("refund", "Refund"),
    ("mf_tax", "Marketplace Facilitator Tax"),
    ("fee_tax", "Tax on Amazon's Fees"),
    ("account", "Account"),
    ("reserve", "Reserve"),
    ("transit", "Via the Bank"),
    ("carried", "Earlier Payout"),
]
# Accounts of the Amazon Payments setup a rule of kind "account" may name (field of
# amazon.seller.payments); an explicit account on the rule wins.
PAYMENTS_ACCOUNTS = [
    ("fee_account_id", "Selling Fees"),
    ("fba_fee_account_id", "FBA Fees"),
    ("storage_account_id", "Storage Fees"),
    ("advertising_account_id", "Advertising"),
    ("subscription_account_id", "Subscription"),
    ("other_fee_account_id", "Other Fees"),
    ("reimbursement_account_id", "Reimbursements"),
    ("loan_account_id", "Amazon Lending"),
]
WILDCARD = "*"


class AmazonSellerSettlementRule(models.Model):
    """How a kind of settlement row is booked: (transaction type, amount type, amount
    description), ``*`` matching anything, the most exact rule winning → what it is (an order's
    receivable, a refund, tax Amazon remits, an expense or income account, the reserve, money in
    transit, tax Amazon charges on its own fees). Data the accountant edits; rows no rule
    matches hold their settlement for review.

    Two kinds of rows wait on the payouts-in-transit account: *via the bank* rows are money
    between Amazon and the bank outside the payout (the card charge paying a negative payout,
    a micro deposit), each matched with its own bank line; *earlier payout* rows carry a payout
    of an earlier settlement (Payable to Amazon: a negative payout's debt; Failed Disbursement:
    a payout the bank refused) and are reconciled with that payout when posted."""

    _name = "amazon.seller.settlement.rule"
    _inherit = ["analytic.mixin"]
    _description = "Amazon Settlement Rule"
    _order = "sequence, transaction_type, amount_type, amount_description, id"

    name = fields.Char(string="Fee Type", translate=True,
                       help="What the rows are, in words (Selling fee, Advertising...); shown "
                            "with Amazon's code in summaries, pivots and exports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company", help="Empty: the rule applies to every company.")
    transaction_type = fields.Char(required=True, default=WILDCARD,
                                   help="The row's transaction-type (Order, Refund, ServiceFee...); * for any.")
    amount_type = fields.Char(required=True, default=WILDCARD,
                              help="The row's amount-type (ItemPrice, ItemFees...); * for any.")
    amount_description = fields.Char(
        required=True, default=WILDCARD,
        help="The row's amount-description (Principal, Commission, Storage Fee...); * for any.")
    kind = fields.Selection(selection=RULE_KINDS, required=True, default="account")
    payments_account = fields.Selection(
        selection=PAYMENTS_ACCOUNTS, string="Amazon Payments Account",
        help="For rows booked on an account: which account of the Amazon Payments setup.")
    account_id = fields.Many2one(
        comodel_name="account.account", string="Account", check_company=True,
        help="An account of your own, instead of the Amazon Payments setup's.")
    tax_ids = fields.Many2many(comodel_name="account.tax", string="Taxes", check_company=True,
                               help="Taxes included in the amount (e.g. input VAT on fees).")
    specificity = fields.Integer(compute="_compute_specificity", store=True)

    @api.depends("transaction_type", "amount_type", "amount_description")
    def _compute_specificity(self):
        for rule in self:
            rule.specificity = sum(value != WILDCARD for value in (
                rule.transaction_type, rule.amount_type, rule.amount_description))

    @api.depends("name", "transaction_type", "amount_type", "amount_description")
    def _compute_display_name(self):
        for rule in self:
            rule.display_name = f"{rule.name} ({rule._code()})" if rule.name else rule._code()

    def _code(self):
        """Amazon's code of the rows: transaction type / amount type / description."""
        return " / ".join((self.transaction_type or WILDCARD, self.amount_type or WILDCARD,
                           self.amount_description or WILDCARD))

    def _label_for(self, description):
        """A row's fee type for a person: the rule's name with Amazon's description beside
        it (Selling fee (referral) · Commission), Amazon's words alone for unnamed rules."""
        self.ensure_one()
        if not self.name:
            return description or self._code()
        return f"{self.name} · {description}" if description and description != self.name \
            else self.name

    # === MATCHING === #

    @api.model
    def _matcher(self, company):
        """A function (transaction type, amount type, description) → the most exact rule of
        ``company`` (or of every company), or an empty recordset; the rules read once."""
        rules = self.search([("company_id", "in", [company.id, False])],
                            order="specificity desc, sequence, id")
        # at equal exactness, the company's own rule before the shared default
        rules = rules.sorted(lambda r: (-r.specificity, not r.company_id, r.sequence, r.id))
        cache = {}

        def match(transaction_type, amount_type, description):
            key = (transaction_type or "", amount_type or "", description or "")
            if key not in cache:
                cache[key] = next((rule for rule in rules if rule._matches(*key)), self.browse())
            return cache[key]

        return match

    def _matches(self, transaction_type, amount_type, description):
        return all(pattern == WILDCARD or pattern.casefold() == value.casefold()
                   for pattern, value in ((self.transaction_type, transaction_type),
                                          (self.amount_type, amount_type),
                                          (self.amount_description, description)))

    def _taxes_for(self, payments):
        """(taxes, included in Amazon's amount) of this rule's rows: the rule's own taxes
        (VAT Amazon charged, within its amount), else for a fee the payments setup's reverse
        charge (on top, netting to zero), else none."""
        self.ensure_one()
        if self.tax_ids:
            return self.tax_ids, True
        if self.kind == "account" and not self.account_id \
                and (self.payments_account or "other_fee_account_id") in FEE_ROLES:
            return payments.fee_tax_ids, False
        return self.env["account.tax"], True

    def _account_for(self, payments):
        """The account rows of this rule are booked on, for an Amazon Payments setup. Tax
        Amazon charges on its fees (GST/HST on Canadian advertising, VAT) is input tax the
        seller reclaims: the account of the company's default purchase tax."""
        self.ensure_one()
        if self.account_id:
            return self.account_id
        if self.kind == "fee_tax":
            return payments.company_id._amazon_input_tax_account()
        by_kind = {"mf_tax": "mf_tax_account_id", "reserve": "reserve_account_id",
                   "transit": "transit_account_id", "carried": "transit_account_id"}
        field = by_kind.get(self.kind) or self.payments_account or "other_fee_account_id"
        return payments[field]
