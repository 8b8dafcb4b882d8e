"""Keep the board's console: every received byte run that is not a protocol frame.

The agent's frames are COBS-encoded and delimited by 0x00; whatever else the board prints
(boot banners, ``printf`` debugging, fault dumps) arrives between those delimiters and fails to
decode as a frame. :class:`ConsoleTap` wraps a transport, passes every byte through unchanged to
the protocol client, and writes those non-frame byte runs to ``console.log`` in the report
folder (linked from ``report.html``), so what the board said survives the run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

from firmware.host.agent_errors import FrameError
from firmware.host.codec import decode_frame
from firmware.host.link import Transport
from harness.devices.transport_proxy import TransportProxy

CONSOLE_FILE = "console.log"
CONSOLE_LINK = "Board console"
_DELIMITER = 0
_LIMIT = 1 << 16

LOG = logging.getLogger("ferhil.console")


class ConsoleSplitter:
    """Splits a received byte stream into frames (dropped) and console text (kept)."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        self.buffer = bytearray()
        self.bytes_kept = 0

    def feed(self, data: bytes) -> None:
        """Add received bytes; write every completed non-frame run to the sink."""
        self.buffer += data
        while True:
            end = self.buffer.find(_DELIMITER)
            if end < 0:
                break
            chunk = bytes(self.buffer[:end])
            del self.buffer[: end + 1]
            self._judge(chunk)
        if len(self.buffer) > _LIMIT:  # a long run without a delimiter is console output
            self._keep(bytes(self.buffer))
            self.buffer.clear()

    def _judge(self, chunk: bytes) -> None:
        if not chunk:
            return
        try:
            decode_frame(chunk)
        except FrameError:
            self._keep(chunk)

    def _keep(self, chunk: bytes) -> None:
        self.sink.write(chunk)
        self.sink.flush()
        self.bytes_kept += len(chunk)
        text = chunk.decode("utf-8", errors="replace").strip()
        if text:
            LOG.debug("board console: %s", text[:500])

    def close(self) -> None:
        """Keep what is left (console text after the last delimiter)."""
        if self.buffer:
            self._keep(bytes(self.buffer))
            self.buffer.clear()


class ConsoleTap(TransportProxy):
    """A transport wrapper that copies non-frame bytes to a :class:`ConsoleSplitter`."""

    def __init__(self, transport: Transport, splitter: ConsoleSplitter) -> None:
        super().__init__(transport)
        self._splitter = splitter

    def read(self, size: int = 1, /) -> bytes:
        """Read from the board, keeping a copy of console output."""
        data = self.inner.read(size)
        if data:
            self._splitter.feed(data)
        return data


def open_console(report_dir: Path) -> tuple[ConsoleSplitter, Path]:
    """Open ``report_dir/console.log`` (truncated) and return its splitter and path."""
    path = Path(report_dir) / CONSOLE_FILE
    return ConsoleSplitter(path.open("wb")), path
