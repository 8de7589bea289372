from . import test_account
from . import test_gateway
from . import test_connection
from . import test_ui
from . import test_order_sync
