"""The host end of the agent link: frames over any byte transport, with deadlines.

A transport is anything with ``write(bytes)``, ``read(n) -> bytes`` (returning early, possibly
empty, when its timeout passes) and ``close()``: a pyserial ``Serial`` or
``serial.serial_for_url("socket://...")`` qualifies.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol, runtime_checkable

from firmware.host.agent_errors import FrameError, ProtocolError
from firmware.host.codec import Frame, FrameDecoder, encode_frame

READ_POLL_S = 0.05
"""The client sets a transport's own read timeout to this, so its deadlines stay accurate."""


@runtime_checkable
class Transport(Protocol):
    """A byte stream to the board (pyserial ``Serial`` satisfies it)."""

    def write(self, data: bytes, /) -> int | None:
        """Send ``data``."""

    def read(self, size: int = 1, /) -> bytes:
        """Return up to ``size`` bytes; fewer (maybe none) when the transport's timeout passes."""

    def close(self) -> None:
        """Release the transport."""


def describe_transport(transport: object) -> str:
    """Return a short description for messages, e.g. ``/dev/pts/5 at 115200 baud``."""
    port = getattr(transport, "port", None) or getattr(transport, "name", None)
    where = str(port) if port else type(transport).__name__
    baud = getattr(transport, "baudrate", None)
    return f"{where} at {baud} baud" if baud else where


class FrameLink:
    """Sends frames and receives decoded frames (or framing errors) until a deadline.

    Attributes:
        transport: The byte transport.
        bytes_sent: Total bytes written.
        bytes_received: Total bytes read.
        framing_errors: Received frames that failed to decode (counted, then skipped).
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.decoder = FrameDecoder()
        self.bytes_sent = 0
        self.bytes_received = 0
        self.framing_errors = 0
        self._events: deque[Frame | FrameError] = deque()
        if hasattr(transport, "timeout"):
            current = transport.timeout
            if current is None or current > READ_POLL_S:
                transport.timeout = READ_POLL_S

    def send(self, frame: Frame) -> int:
        """Write ``frame`` (with a leading delimiter for resync); return the wire byte count."""
        wire = encode_frame(frame, leading_delimiter=True)
        try:
            self.transport.write(wire)
            flush = getattr(self.transport, "flush", None)
            if callable(flush):
                flush()
        except OSError as exc:
            raise ProtocolError(
                f"writing to {describe_transport(self.transport)} failed ({exc}): "
                "is the board still connected?"
            ) from exc
        self.bytes_sent += len(wire)
        return len(wire)

    def _read_some(self) -> bytes:
        waiting = getattr(self.transport, "in_waiting", 0)
        try:
            return self.transport.read(max(1, int(waiting or 0)))
        except OSError as exc:
            raise ProtocolError(
                f"reading from {describe_transport(self.transport)} failed ({exc}): "
                "is the board still connected?"
            ) from exc

    def receive(self, deadline: float) -> Frame | FrameError | None:
        """Return the next received frame or framing error, or ``None`` at ``deadline``.

        Args:
            deadline: A :func:`time.monotonic` value.
        """
        while not self._events:
            if time.monotonic() >= deadline:
                return None
            data = self._read_some()
            if data:
                self.bytes_received += len(data)
                for event in self.decoder.feed(data):
                    if isinstance(event, FrameError):
                        self.framing_errors += 1
                    self._events.append(event)
        return self._events.popleft()

    def discard_input(self) -> None:
        """Drop buffered input (stale replies from an earlier session)."""
        reset = getattr(self.transport, "reset_input_buffer", None)
        if callable(reset):
            reset()
        self.decoder.reset()
        self._events.clear()
