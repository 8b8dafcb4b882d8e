"""The QEMU board: the Cortex-M4 firmware on ``qemu-system-arm -M mps2-an386``.

"Flashing" starts QEMU through the firmware package's launcher
(``firmware.boards.qemu_mps2_an386.launch.start_qemu(elf, icount_shift=...)``), whose serial
port is a TCP socket opened with pyserial's ``socket://`` URL. Cycle counts are QEMU icount
instruction counts (deterministic, labelled simulated).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from firmware.boards.qemu_mps2_an386 import launch as qemu_launch
from harness import processes
from harness.boards.base import BoardFacts, BoardSpec
from harness.errors import TransportError
from harness.transports import Transport, open_transport

ICOUNT_SHIFT = 7


def _url_of(handle: Any) -> str:
    url = getattr(handle, "url", None)
    if isinstance(url, str):
        return url
    port = getattr(handle, "port", None)
    if isinstance(port, int):
        return f"socket://127.0.0.1:{port}"
    raise TransportError(f"the QEMU launcher returned {handle!r} without a url or port")


class QemuBoard:
    """Simulated board: firmware for mps2-an386 under QEMU, serial over TCP."""

    def __init__(self, spec: BoardSpec) -> None:
        self.spec = replace(spec, gpio_log=None)  # writes no GPIO edge log
        self.facts = BoardFacts(
            name=spec.name,
            kind="qemu",
            firmware_board="qemu_mps2_an386",
            simulated=True,
            persistent=False,
            board_id=None,
            probe="launch",
        )
        self.handle: Any = None
        self.link: Transport | None = None

    def flash(self, image: Path) -> None:
        """Start (or restart) QEMU running ``image``."""
        self.close()
        if not Path(image).is_file():
            raise TransportError(f"QEMU firmware {image} does not exist; build it first")
        self.handle = qemu_launch.start_qemu(
            Path(image), icount_shift=ICOUNT_SHIFT, popen=processes.spawn
        )

    def connect(self) -> Transport:
        """Open QEMU's serial socket."""
        if self.handle is None:
            raise TransportError("QEMU is not running; flash (launch) it first")
        if self.link is None:
            self.link = open_transport(
                _url_of(self.handle), timeout=self.spec.read_timeout_s, wait_s=5.0
            )
        return self.link

    def close(self) -> None:
        """Close the socket and stop QEMU."""
        if self.link is not None:
            self.link.close()
            self.link = None
        if self.handle is not None:
            for method in ("stop", "close", "terminate"):
                if callable(getattr(self.handle, method, None)):
                    getattr(self.handle, method)()
                    break
            self.handle = None
