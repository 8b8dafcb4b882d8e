"""Root conftest: make the ferhil pytest plugin available in this checkout.

The plugin is normally registered through the ``pytest11`` entry point of the installed
package (``ferhil = harness.plugin``). When entry-point autoloading is off
(``PYTEST_DISABLE_PLUGIN_AUTOLOAD``) or the package is not installed, this conftest registers it
instead; it never registers it twice.
"""

from __future__ import annotations

import os
from importlib import metadata


def _entry_point_active() -> bool:
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(ep.name == "ferhil" for ep in metadata.entry_points(group="pytest11"))


# pytester: the harness's plugin tests run throw-away pytest sessions (tests/harness).
pytest_plugins = ["pytester"] + ([] if _entry_point_active() else ["harness.plugin"])
