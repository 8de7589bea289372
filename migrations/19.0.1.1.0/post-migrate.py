"""After 19.0.1.1.0 is loaded: the account's order synchronisation state becomes the state of its
orders flow, and the scheduled actions run the flows."""

from odoo import SUPERUSER_ID, api

# Old columns of amazon_seller_account → fields of the orders flow state.
ORDER_STATE_COLUMNS = {
    "orders_checkpoint": "checkpoint",
    "orders_resume_token": "resume_token",
    "orders_resume_window": "resume_window",
    "last_sync_date": "last_run",
    "last_sync_message": "last_message",
    "last_sync_failed": "failed",
}
CRONS = {
    "amazon_seller.ir_cron_sync_orders": "amazon.seller.order.import",
    "amazon_seller.ir_cron_sync_shipments": "amazon.seller.shipment.export",
}


def migrate(cr, version):
    if not version:
        return
    move_order_state(cr)
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, model in CRONS.items():
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.write({"model_id": env["ir.model"]._get_id(model), "code": "model._cron_run()"})


def move_order_state(cr):
    """Copy the old columns into orders flow states (one per account), then drop them."""
    cr.execute("""
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'amazon_seller_account' AND column_name = ANY(%s)
    """, [list(ORDER_STATE_COLUMNS)])
    old_columns = [row[0] for row in cr.fetchall()]
    if not old_columns:
        return
    new_columns = [ORDER_STATE_COLUMNS[column] for column in old_columns]
    if "last_sync_date" in old_columns and "last_sync_failed" in old_columns:
        new_columns.append("last_success")
        old_columns.append("CASE WHEN last_sync_failed THEN NULL ELSE last_sync_date END")
    cr.execute(f"""
        INSERT INTO amazon_seller_flow_state (account_id, company_id, flow, {", ".join(new_columns)},
                                              create_uid, create_date, write_uid, write_date)
        SELECT id, company_id, 'orders', {", ".join(old_columns)},
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM amazon_seller_account
        ON CONFLICT (account_id, flow) DO NOTHING
    """)  # noqa: S608 - column names come from the constant above, not from data
    for column in ORDER_STATE_COLUMNS:
        cr.execute(f'ALTER TABLE amazon_seller_account DROP COLUMN IF EXISTS "{column}"')
