"""The flashers ferhil knows, by name, and :func:`create_flasher`.

Explicit imports (no module names in strings); the flasher modules import pyOCD only when they
flash, so importing this registry stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.devices.flashers.base import Flasher, FlasherSettings
from harness.devices.flashers.openocd_flasher import OpenOcdFlasher
from harness.devices.flashers.pyocd_flasher import PyOcdFlasher
from harness.errors import ConfigError

FlasherFactory = Callable[[FlasherSettings], Flasher]

#: Flasher factories by name.
FLASHERS: dict[str, FlasherFactory] = {
    "pyocd": PyOcdFlasher,
    "openocd": OpenOcdFlasher,
}


def create_flasher(name: str, settings: FlasherSettings) -> Flasher:
    """Return the flasher registered as ``name``.

    Raises:
        ConfigError: for an unknown name, listing the known ones.
    """
    if name not in FLASHERS:
        raise ConfigError(f"unknown flasher {name!r}; known: {', '.join(sorted(FLASHERS))}")
    return FLASHERS[name](settings)
