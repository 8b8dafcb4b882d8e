"""The protocol client as the harness sees it: :class:`firmware.host.client.AgentClient`'s API.

Boards with their own client (:attr:`harness.devices.boards.base.Capability.OWN_CLIENT`, the fake
board)
implement this protocol and return the real message types of :mod:`firmware.host.messages`, so the
harness never checks for dicts or probes for methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

import numpy as np

from firmware.host.link import Transport
from firmware.host.messages import BenchResult, HelloInfo, InferFailure, InferResult, SelftestResult


class DeviceClient(Protocol):
    """What the harness calls on a protocol client (see :class:`firmware.host.client.AgentClient`).

    Attributes:
        timeout: seconds to wait for each reply.
    """

    timeout: float

    def hello(self, attempts: int | None = None) -> HelloInfo:
        """Return the agent's HELLO."""
        ...

    def ping(self, payload: bytes = b"") -> float:
        """Echo ``payload``; return the round-trip time."""
        ...

    def allocate_seq(self) -> int:
        """Return a fresh wire sequence number."""
        ...

    def infer(self, seq: int, x: np.ndarray, *, tta: bool = False) -> InferResult:
        """Run one inference (``tta``: with the on-device TTA too)."""
        ...

    def check_rx_window(self) -> None:
        """Refuse a board whose receive window cannot hold one INFER frame."""
        ...

    def infer_stream(
        self, items: Iterable[tuple[int, np.ndarray]], window: int = 4, *, tta: bool = False
    ) -> Iterator[InferResult | InferFailure]:
        """Yield one result or failure per ``(key, x)``, in order (``tta``: with TTA)."""
        ...

    def bench(self, n: int, timeout: float | None = None, *, tta: bool = False) -> BenchResult:
        """Run ``n`` inferences (``tta``: TTA inferences) back to back on the last input."""
        ...

    def selftest(self, timeout: float | None = None) -> SelftestResult:
        """Run the image's known-answer test."""
        ...

    def alive(self) -> bool:
        """Return True when the agent answers one PING."""
        ...

    def reset(self, boot_timeout: float = 5.0) -> HelloInfo:
        """Reset the board; return its HELLO."""
        ...


#: Builds a protocol client on a board's byte link.
ClientFactory = Callable[[Transport], DeviceClient]
