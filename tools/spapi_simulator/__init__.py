"""A standalone local simulator of Amazon's Selling Partner API (standard library only).

    from .tools.spapi_simulator import Simulator
    sim = Simulator(seed=1, orders=50).start()
    sim.url        # base URL for SP-API calls and the LWA token endpoint
    sim.calls()    # the call log
    sim.stop()

See README.md in this folder.
"""

from .server import Simulator
from .scenario import PROFILES

__all__ = ["Simulator", "PROFILES"]
