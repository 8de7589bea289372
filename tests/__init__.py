from . import test_account
from . import test_gateway
from . import test_connection
from . import test_ui
from . import test_order_sync
from . import test_order_import
from . import test_order_mapper
from . import test_shipment
