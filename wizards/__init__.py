from . import amazon_seller_order_sync_wizard
from . import amazon_seller_ship_wizard
from . import amazon_seller_tracking_import_wizard
from . import amazon_seller_month_end_wizard
from . import amazon_seller_hold_wizard
from . import amazon_seller_label_wizard
from . import amazon_seller_message_wizard
