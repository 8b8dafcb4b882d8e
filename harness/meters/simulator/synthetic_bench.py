"""A stand-in for the hostsim board's BENCH: writes the GPIO edge log a BENCH would write.

Used to exercise the simulated meter without building firmware (and by the meters tests).
``bench(n)`` appends the window's start edge, waits ``host_s_per_inference * n`` of host time
(the host-speed work), appends the end edge with the virtual cycle counter advanced by
``n * cycles_per_inference`` and returns those cycles, as ``AgentClient.bench(n)`` does.
"""

from __future__ import annotations

import time
from pathlib import Path


class SyntheticBench:
    """Edge-log writer with the hostsim line format ``<mono ns> <cycles> <pin> <level>``.

    Args:
        edge_log: the file to append to.
        cycles_per_inference: virtual cycles of one inference.
        pin: pin name written in the log.
        active_level: level written at the window start (the other level at its end).
        host_s_per_inference: host seconds spent per inference.
    """

    def __init__(
        self,
        edge_log: Path,
        cycles_per_inference: int,
        *,
        pin: str = "P2.0",
        active_level: int = 1,
        host_s_per_inference: float = 0.0,
    ) -> None:
        self.edge_log = Path(edge_log)
        self.cycles_per_inference = cycles_per_inference
        self.pin = pin
        self.active_level = active_level
        self.host_s_per_inference = host_s_per_inference
        self.cycles = 1000

    def _edge(self, level: int) -> None:
        with self.edge_log.open("a", encoding="ascii") as handle:
            handle.write(f"{time.monotonic_ns()} {self.cycles} {self.pin} {level}\n")

    def bench(self, n: int) -> int:
        """Write one BENCH window of ``n`` inferences; return its virtual cycles."""
        self._edge(self.active_level)
        time.sleep(self.host_s_per_inference * n)
        total = n * self.cycles_per_inference
        self.cycles += total
        self._edge(1 - self.active_level)
        self.cycles += 50  # the loop between BENCH commands
        return total
