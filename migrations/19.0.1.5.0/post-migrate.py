"""After 19.0.1.5.0 is loaded: the tax Amazon collects (marketplace facilitator) counts as tax,
not in the untaxed amount, on the Amazon orders already imported; their totals are computed
again (the total stays Amazon's). Where several dollars are active, each says which (US$,
CA$...)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    orders = env["sale.order"].search([("order_line.amazon_collected_tax", "=", True)])
    if orders:
        env.add_to_compute(env["sale.order"]._fields["amount_untaxed"], orders)
        env.add_to_compute(env["sale.order"]._fields["amount_tax"], orders)
        orders.flush_recordset(["amount_untaxed", "amount_tax"])
    env["amazon.seller.account"]._name_dollars()
