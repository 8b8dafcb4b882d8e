"""The :class:`Board` base class: a flasher, a transport and the facts of one board.

Like labgrid's resource/driver split, a :class:`BoardSpec` is a passive description (from the
options and the lab inventory) and a :class:`Board` is the active object built from it by the
factory registered for its kind in :data:`harness.devices.boards.registry.BOARD_KINDS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from firmware.host.link import Transport
from harness.devices.device_client import DeviceClient
from harness.errors import HarnessError
from harness.suite.run_options import core_default

if TYPE_CHECKING:
    from golden.format import QuantModel


@dataclass(frozen=True)
class BoardSpec:
    """Everything needed to build a board (nothing is opened).

    The defaults are the option table's rows (:func:`harness.suite.run_options.core_default`),
    declared there once.

    Attributes:
        name: the board's name (a kind, or a lab inventory name).
        kind: a key of :data:`harness.devices.boards.registry.BOARD_KINDS`.
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
            hostsim's ``--die-after N``/``--hang-after N``, see :mod:`harness.run.faults`).
        place: the labgrid place the board is reached through, if any.
        coordinator: the labgrid coordinator address (default ``$LG_COORDINATOR``).
    """

    name: str
    kind: str
    port: str | None = None
    probe: str | None = None
    baud: int | None = None
    flasher: str | None = None
    target: str = str(core_default("target"))
    pack: Path | None = None
    connect_mode: str = str(core_default("connect-mode"))
    flash_timeout_s: float = float(core_default("flash-timeout"))  # type: ignore[arg-type]
    read_timeout_s: float = float(core_default("sample-timeout"))  # type: ignore[arg-type]
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
        firmware_board: the board id passed to ``firmware.builder.build.build_firmware``.
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


class Capability(Enum):
    """An optional board capability: declared by the class, queried with :meth:`Board.has`.

    Members:
        BUILDS_OWN_IMAGE: :meth:`Board.build_image` makes the image (no firmware build).
        OWN_CLIENT: :meth:`Board.make_client` supplies the protocol client.
        GPIO_LOG: the board writes a GPIO edge log (:meth:`Board.gpio_log`).
        PERSISTENT: programmed firmware survives sessions (connect first, flash on mismatch).
    """

    BUILDS_OWN_IMAGE = "builds-own-image"
    OWN_CLIENT = "own-client"
    GPIO_LOG = "gpio-log"
    PERSISTENT = "persistent"


class Board(ABC):
    """A board under test, with a life cycle written once (labgrid/twister style).

    ``flash`` stops what runs and programs (or launches) an image, ``connect`` opens the link
    once and returns it, ``close`` closes the link, stops what the board started and releases
    what it holds. Subclasses implement the hooks :meth:`_program` and :meth:`_open_link`, and
    optionally :meth:`_stop` (flash and close) and :meth:`_release` (close only). Optional
    capabilities are declared in :attr:`capabilities` and reached through typed methods.

    Attributes:
        spec: the passive description the board was built from.
        facts: what the harness and the report need to know.
        link: the open byte link, if any.
    """

    #: Optional capabilities of this board class.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, spec: BoardSpec, facts: BoardFacts) -> None:
        self.spec = spec
        self.facts = facts
        self.link: Transport | None = None

    def has(self, capability: Capability) -> bool:
        """Return True when this board has ``capability``."""
        if capability is Capability.PERSISTENT:
            return self.facts.persistent
        if capability is Capability.GPIO_LOG:
            return Capability.GPIO_LOG in self.capabilities and self.spec.gpio_log is not None
        return capability in self.capabilities

    def flash(self, image: Path) -> None:
        """Program (real) or launch (simulated) ``image``, after stopping what runs."""
        self.close_link()
        self._stop()
        self._program(Path(image))

    def connect(self) -> Transport:
        """Open the byte link to the running firmware (once; later calls return it)."""
        if self.link is None:
            self.link = self._open_link()
        return self.link

    def close_link(self) -> None:
        """Close the byte link, keeping the board running."""
        if self.link is not None:
            self.link.close()
            self.link = None

    def close(self) -> None:
        """Close the link, stop what the board started and release what it holds."""
        self.close_link()
        self._stop()
        self._release()

    def build_image(self, model: QuantModel) -> tuple[Path, str]:
        """Return the image for ``model`` and its hash (:attr:`Capability.BUILDS_OWN_IMAGE`).

        Raises:
            HarnessError: the board does not build its own image.
        """
        raise self._missing(Capability.BUILDS_OWN_IMAGE)

    def make_client(self, transport: Transport) -> DeviceClient:
        """Return the board's own protocol client (:attr:`Capability.OWN_CLIENT`).

        Raises:
            HarnessError: the board uses the standard agent client.
        """
        raise self._missing(Capability.OWN_CLIENT)

    def gpio_log(self) -> Path | None:
        """Return where the board writes its GPIO edge log, if it has one."""
        return self.spec.gpio_log if self.has(Capability.GPIO_LOG) else None

    @abstractmethod
    def _program(self, image: Path) -> None:
        """Program or launch ``image`` (nothing runs when called)."""

    @abstractmethod
    def _open_link(self) -> Transport:
        """Open and return the byte link to the running firmware."""

    def _stop(self) -> None:  # noqa: B027 (an optional hook)
        """Stop what the board started (simulator processes); default: nothing."""

    def _release(self) -> None:  # noqa: B027 (an optional hook)
        """Release what the board holds beyond its processes (a lab place); default: nothing."""

    def _missing(self, capability: Capability) -> HarnessError:
        return HarnessError(
            f"board {self.facts.name} ({self.facts.kind}) lacks capability {capability.value}; "
            "check board.has(...) first"
        )
