from . import amazon_seller_marketplace
from . import amazon_seller_account
