"""The meter drivers ferhil knows, by name (``--meter-driver n6705|dmm6500``).

A new driver is listed in :data:`DRIVERS`; drivers do not register themselves, so this module
imports them and nothing imports this module back.
"""

from __future__ import annotations

from harness.meters.drivers.dmm6500 import Dmm6500Meter
from harness.meters.drivers.n6705 import N6705Meter
from harness.meters.errors import MeterError

#: Driver class by ``--meter-driver`` name.
DRIVERS: dict[str, type] = {"dmm6500": Dmm6500Meter, "n6705": N6705Meter}


def driver_names() -> list[str]:
    """Names of the known drivers, sorted."""
    return sorted(DRIVERS)


def driver_class(name: str) -> type:
    """Return the driver class registered as ``name``.

    Raises:
        MeterError: for an unknown name, listing the known ones.
    """
    try:
        return DRIVERS[name]
    except KeyError:
        raise MeterError(
            f"unknown meter driver {name!r}; use --meter-driver with one of "
            f"{', '.join(sorted(DRIVERS))}"
        ) from None
