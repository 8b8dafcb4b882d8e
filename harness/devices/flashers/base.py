"""The :class:`Flasher` protocol, its settings and the name registry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from harness.suite.run_options import core_default

#: Said by every flasher when the probe cannot reach the core (both flashers use it).
LOWPOWER_LOCKOUT_HINT = (
    "if the board runs firmware that enters a low-power mode right after reset, the probe "
    "cannot attach (low-power lock-out): hold the FTHR's RESET button, start flashing and "
    "release it within a second (ferhil's own firmware waits 2 s at boot for this), or mass-erase "
    "the flash with ADI's OpenOCD: openocd -s $MAXIM_PATH/Tools/OpenOCD/scripts -f "
    'interface/cmsis-dap.cfg -f target/max78000.cfg -c "init; reset halt; max32xxx '
    'mass_erase 0; exit"'
)


@dataclass(frozen=True)
class FlasherSettings:
    """What a flasher needs to know about the probe and the target.

    Attributes:
        probe: debug probe unique id (or a unique part of it); ``None`` = the only probe.
        target: the pyOCD target name (``max78000`` needs ``pack``).
        pack: the CMSIS device pack file, if any.
        connect_mode: pyOCD connect mode (``halt``, ``pre-reset``, ``under-reset``, ``attach``).
        timeout_s: the most seconds finding the probe and programming may take.
        probe_wait_s: how long to poll for a probe that is not (yet) connected.
        frequency_hz: SWD clock.

    The option rows' defaults come from the option table, declared there once.
    """

    probe: str | None = None
    target: str = str(core_default("target"))
    pack: Path | None = None
    connect_mode: str = str(core_default("connect-mode"))
    timeout_s: float = float(core_default("flash-timeout"))  # type: ignore[arg-type]
    probe_wait_s: float = 3.0
    frequency_hz: int = 4_000_000


@runtime_checkable
class Flasher(Protocol):
    """Programs a firmware image into a board."""

    name: str

    def flash(self, image: Path) -> None:
        """Program ``image`` and start it; raise :class:`~harness.errors.FlashError` on failure."""
        ...
