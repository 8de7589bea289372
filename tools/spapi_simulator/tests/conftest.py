"""Makes the simulator importable as `spapi_simulator` for these tests, by file location.

The addon's root `__init__.py` imports Odoo, so these plain-pytest tests must not be imported
as part of the addon package (this folder has no `__init__.py` on purpose); sys.path is left
untouched.  Under pytest-odoo the same modules are simply loaded a second time."""

import importlib.util
import os
import sys


def _load_simulator():
    if "spapi_simulator" in sys.modules:
        return
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        "spapi_simulator", os.path.join(package_dir, "__init__.py"),
        submodule_search_locations=[package_dir])
    module = importlib.util.module_from_spec(spec)
    sys.modules["spapi_simulator"] = module
    spec.loader.exec_module(module)


_load_simulator()
