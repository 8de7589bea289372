"""After 19.0.1.2.0 is loaded: SKUs no longer stand on a placeholder product.

Offers of the placeholder product become offers to map (no product). Open Amazon orders that were
confirmed with placeholder lines and of which nothing left the warehouse nor was invoiced go back
to what an order with an unmapped SKU is now: a quotation awaiting SKU mapping (its delivery of
the placeholder cancelled), with one activity per offer to map; those whose offer was mapped
since are completed and confirmed again at once, as the importer confirms them. Orders already
shipped or invoiced keep their lines, a note in their chatter.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
    placeholder = env.ref("amazon_seller.product_amazon_placeholder", raise_if_not_found=False)
    if not placeholder:
        return
    offers = env["amazon.seller.offer"].with_context(active_test=False).search(
        [("product_id", "=", placeholder.id)])
    offers.product_id = False
    lines = env["sale.order.line"].search([
        ("product_id", "=", placeholder.id), ("order_id.amazon_account_id", "!=", False),
        ("order_id.state", "=", "sale")])
    orders = lines.order_id
    untouched = orders.filtered(lambda order: not _has_left(order))
    reopen_for_mapping(env, untouched)
    for order in orders - untouched:
        order.message_post(body=env._(
            "This Amazon order was confirmed with the placeholder product for unmapped SKUs and "
            "has already shipped or been invoiced: its lines are left as they are."))
    waiting_offers = untouched.order_line.amazon_offer_id
    waiting_offers.filtered(lambda offer: not offer.product_id)._ask_for_mapping()
    env["amazon.seller.order.import"]._complete_mapped_lines(waiting_offers.filtered("product_id"))


def _has_left(order):
    """Whether goods of the order left or it was invoiced: then it is not reopened."""
    return any(move.state == "done" for move in order.order_line.move_ids) \
        or any(move.state == "posted" for move in order.invoice_ids)


def reopen_for_mapping(env, orders):
    """Cancel the orders' deliveries and set them back to quotations awaiting SKU mapping."""
    if not orders:
        return
    orders.write({"locked": False})
    orders._action_cancel()
    orders.write({"state": "draft", "amazon_awaiting_mapping": True})
    orders._message_log_batch(bodies={order.id: env._(
        "Amazon order back to quotation: it waits until its unmapped SKUs are mapped to "
        "products, then it is confirmed again.") for order in orders})
