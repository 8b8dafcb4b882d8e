"""The :class:`Board` protocol: a flasher, a transport and the facts of one board.

Like labgrid's resource/driver split, a :class:`BoardSpec` is a passive description (from the
options and the lab inventory) and a :class:`Board` is the active object built from it by the
factory registered for its kind in :data:`harness.boards.registry.BOARD_KINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from harness.transports import Transport


@dataclass(frozen=True)
class BoardSpec:
    """Everything needed to build a board (nothing is opened).

    Attributes:
        name: the board's name (a kind, or a lab inventory name).
        kind: a key of :data:`harness.boards.registry.BOARD_KINDS`.
        port: serial port (real boards).
        probe: debug probe unique id (real boards).
        baud: link speed (real boards) or simulated wire speed (hostsim); ``None`` = default.
        flasher: flasher name for real boards.
        target: pyOCD target name.
        pack: CMSIS pack for pyOCD.
        connect_mode: pyOCD connect mode.
        flash_timeout_s: bound on programming.
        read_timeout_s: transport read timeout.
        clock_hz: core clock override.
        meter: power meter resource from the lab inventory, if any.
        gpio_log: where a simulated board writes its trigger-pin log, if anywhere.
        sim_args: extra options of a simulated board's first launch (fault injection:
            hostsim's ``--die-after N``/``--hang-after N``, see :mod:`harness.faults`).
        place: the labgrid place the board is reached through, if any.
        coordinator: the labgrid coordinator address (default ``$LG_COORDINATOR``).
    """

    name: str
    kind: str
    port: str | None = None
    probe: str | None = None
    baud: int | None = None
    flasher: str | None = None
    target: str = "max78000"
    pack: Path | None = None
    connect_mode: str = "halt"
    flash_timeout_s: float = 120.0
    read_timeout_s: float = 5.0
    clock_hz: float | None = None
    meter: str | None = None
    gpio_log: Path | None = None
    sim_args: tuple[str, ...] = ()
    place: str | None = None
    coordinator: str | None = None


@dataclass(frozen=True)
class BoardFacts:
    """What the harness and the report need to know about a board.

    Attributes:
        name: the board's name.
        kind: its kind.
        firmware_board: the board id passed to ``firmware.build.build_firmware``.
        simulated: True for simulators (figures are labelled simulated).
        persistent: True when programmed firmware survives between sessions, so the harness
            connects first and flashes only on an identity mismatch.
        board_id: a stable id of this physical board (probe unique id) if known.
        probe: how it is programmed (flasher name and probe), for the report.
    """

    name: str
    kind: str
    firmware_board: str
    simulated: bool
    persistent: bool
    board_id: str | None = None
    probe: str | None = None


@runtime_checkable
class Board(Protocol):
    """A board under test."""

    facts: BoardFacts

    def flash(self, image: Path) -> None:
        """Program (real) or launch (simulated) ``image``."""
        ...

    def connect(self) -> Transport:
        """Open the byte link to the running firmware."""
        ...

    def close(self) -> None:
        """Close the link and stop what the board started (simulator processes)."""
        ...


# Optional board capabilities (duck-typed, see harness.hil_run):
#   build_image(model) -> (image path, firmware hash): the board builds its own image;
#   make_client(transport) -> client: the board supplies its own protocol client.
