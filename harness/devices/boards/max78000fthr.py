"""The real MAX78000FTHR: programmed by pyOCD or ADI's OpenOCD, console UART over USB.

The serial port comes from ``--port`` or the lab inventory (a path, a pyserial URL or
``probe:UID``), else the tty whose USB serial number is the probe id, else the one attached
DAPLink virtual COM port (USB VID:PID 0D28:0204); see :mod:`harness.devices.ports`. Programmed
firmware persists, so the harness connects first and flashes only when HELLO reports other
firmware or another model.
"""

from __future__ import annotations

from pathlib import Path

from serial.tools import list_ports

from firmware.host.link import Transport
from harness.devices.boards.base import Board, BoardFacts, BoardSpec
from harness.devices.flashers.base import Flasher, FlasherSettings
from harness.devices.flashers.registry import create_flasher
from harness.devices.ports import resolve_port
from harness.devices.transports import open_transport

DEFAULT_BAUD = 115200
DEFAULT_FLASHER = "openocd"  # ADI's supported path; pyOCD needs a MAX78000 pack
PORT_REAPPEAR_S = 10.0


class Max78000FthrBoard(Board):
    """A MAX78000FTHR on a USB cable."""

    def __init__(self, spec: BoardSpec) -> None:
        flasher_name = spec.flasher or DEFAULT_FLASHER
        super().__init__(
            spec,
            BoardFacts(
                name=spec.name,
                kind="max78000fthr",
                firmware_board="max78000fthr",
                simulated=False,
                persistent=True,
                board_id=spec.probe,
                probe=f"{flasher_name}:{spec.probe or 'any'}",
            ),
        )
        self.flasher: Flasher = create_flasher(
            flasher_name,
            FlasherSettings(
                probe=spec.probe,
                target=spec.target,
                pack=spec.pack,
                connect_mode=spec.connect_mode,
                timeout_s=spec.flash_timeout_s,
            ),
        )

    def port(self) -> str:
        """Return the console port (see :func:`harness.devices.ports.resolve_port`).

        Raises:
            ConfigError: when no port is configured and none can be found for the probe.
        """
        return resolve_port(
            self.spec.port,
            self.spec.probe,
            lambda: list_ports.comports(),
            board=f"board {self.spec.name!r}",
        )

    def _program(self, image: Path) -> None:
        """Program ``image`` (the console is closed first: the USB port may re-enumerate)."""
        self.flasher.flash(image)

    def _open_link(self) -> Transport:
        """Open the console UART, waiting for the port to reappear after programming."""
        return open_transport(
            self.port(),
            baud=self.spec.baud or DEFAULT_BAUD,
            timeout=self.spec.read_timeout_s,
            wait_s=PORT_REAPPEAR_S,
        )
