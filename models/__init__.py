from . import amazon_seller_marketplace
from . import amazon_seller_account
from . import amazon_seller_offer
from . import amazon_seller_sync_error
from . import amazon_seller_order_import
from . import res_partner
from . import sale_order
from . import sale_order_line
