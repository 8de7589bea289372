from . import amazon_seller_order_sync_wizard
