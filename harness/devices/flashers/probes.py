"""Debug probes attached to this machine, and the expansion of a probe id to a full serial.

ADI's OpenOCD selects a CMSIS-DAP probe by its *exact* USB serial (``adapter serial``); the
MAX78000FTHR's MAX32625PICO reports 48 hex characters. A lab inventory may name a probe by any
unique part of that serial (as pyOCD accepts): :func:`expand_probe_serial` turns it into the
full serial of the one attached probe that contains it. The attached probes are listed through
pyOCD's CMSIS-DAP enumeration (``ConnectHelper.get_all_connected_probes(blocking=False)``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from harness.errors import FlashError

ProbeLister = Callable[[], Sequence[str]]


def attached_probe_serials() -> list[str]:
    """Return the unique ids (USB serials) of the attached CMSIS-DAP probes.

    Raises:
        FlashError: pyOCD (used only to enumerate probes) is not installed.
    """
    try:
        helpers = importlib.import_module("pyocd.core.helpers")
    except ImportError as exc:
        raise FlashError(
            "listing debug probes needs pyOCD (pip install pyocd), or give the probe's full "
            "serial with --probe"
        ) from exc
    probes = helpers.ConnectHelper.get_all_connected_probes(
        blocking=False, print_wait_message=False
    )
    return [str(p.unique_id) for p in probes]


def expand_probe_serial(part: str, serials: Sequence[str]) -> str:
    """Return the one serial in ``serials`` equal to or containing ``part`` (case-insensitive).

    Raises:
        FlashError: none or several attached probes match.
    """
    wanted = part.strip().lower()
    exact = [s for s in serials if s.lower() == wanted]
    if exact:
        return exact[0]
    matches = [s for s in serials if wanted in s.lower()]
    if len(matches) == 1:
        return matches[0]
    attached = ", ".join(serials) if serials else "none"
    if not matches:
        raise FlashError(
            f"no attached CMSIS-DAP probe has {part!r} in its serial (attached: {attached}); "
            "plug in the board's USB cable or fix the probe id in --probe / the lab inventory"
        )
    raise FlashError(
        f"{len(matches)} attached probes match {part!r} ({', '.join(matches)}); give a longer "
        "part of the serial"
    )
