"""Before 19.0.1.1.0 is loaded: order synchronisation errors become the errors of the orders flow.

Their Amazon order id column becomes the generic Amazon reference (kept, not re-created empty),
and the old uniqueness on (account, order id) makes way for (account, flow, reference).
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'amazon_seller_sync_error' AND column_name = 'amazon_order_ref'
    """)
    if not cr.fetchone():
        return
    cr.execute("ALTER TABLE amazon_seller_sync_error RENAME COLUMN amazon_order_ref TO amazon_ref")
    cr.execute("ALTER TABLE amazon_seller_sync_error DROP CONSTRAINT IF EXISTS "
               "amazon_seller_sync_error_order_unique")
    cr.execute("ALTER TABLE amazon_seller_sync_error ADD COLUMN IF NOT EXISTS flow varchar")
    cr.execute("UPDATE amazon_seller_sync_error SET flow = 'orders' WHERE flow IS NULL")
