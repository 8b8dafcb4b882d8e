"""The QEMU board: the Cortex-M4 firmware on ``qemu-system-arm -M mps2-an386``.

"Flashing" starts QEMU through the firmware package's launcher
(``firmware.boards.qemu_mps2_an386.launch.start_qemu(elf, icount_shift=...)``), whose serial
port is a TCP socket opened with pyserial's ``socket://`` URL. Cycle counts are QEMU icount
instruction counts (deterministic, labelled simulated).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from firmware.boards.qemu_mps2_an386 import launch as qemu_launch
from firmware.boards.qemu_mps2_an386.launch import QemuProcess
from firmware.host.link import Transport
from harness.devices import processes
from harness.devices.boards.base import Board, BoardFacts, BoardSpec
from harness.devices.transports import open_transport
from harness.errors import TransportError

ICOUNT_SHIFT = 7


class QemuBoard(Board):
    """Simulated board: firmware for mps2-an386 under QEMU, serial over TCP."""

    def __init__(self, spec: BoardSpec) -> None:
        super().__init__(
            replace(spec, gpio_log=None),  # writes no GPIO edge log
            BoardFacts(
                name=spec.name,
                kind="qemu",
                firmware_board="qemu_mps2_an386",
                simulated=True,
                persistent=False,
                board_id=None,
                probe="launch",
            ),
        )
        self.handle: QemuProcess | None = None

    def _program(self, image: Path) -> None:
        """Start QEMU running ``image``."""
        if not image.is_file():
            raise TransportError(f"QEMU firmware {image} does not exist; build it first")
        self.handle = qemu_launch.start_qemu(
            image, icount_shift=ICOUNT_SHIFT, popen=processes.spawn
        )

    def _open_link(self) -> Transport:
        """Open QEMU's serial socket."""
        if self.handle is None:
            raise TransportError("QEMU is not running; flash (launch) it first")
        return open_transport(self.handle.url, timeout=self.spec.read_timeout_s, wait_s=5.0)

    def _stop(self) -> None:
        """Stop QEMU."""
        if self.handle is not None:
            self.handle.close()
            self.handle = None
