"""The simulated board's GPIO edge log and the timeline the simulated meter samples.

The hostsim board (``--gpio-log PATH``) appends one line per trigger edge::

    <CLOCK_MONOTONIC ns> <virtual cycle count> <pin> <level>

The simulated meter needs the board's *simulated* time: while the trigger marks a window
the board's time advances with its virtual cycle counter (``cycles / clock_hz``), because the
host runs the work at host speed; between windows the board idles in host (wall) time. The
:class:`Timeline` stitches these segments; its time ``tau`` (seconds) starts at the log's
origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.meters.errors import MeterError


@dataclass(frozen=True)
class Edge:
    """One line of the edge log."""

    mono_ns: int
    cycles: int
    pin: str
    level: int


def parse_edge_line(line: str, where: str = "edge log") -> Edge | None:
    """Parse one line (``None`` for a blank or ``#`` comment line).

    Raises:
        MeterError: for a malformed line, quoting it.
    """
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    parts = text.split()
    try:
        if len(parts) != 4:
            raise ValueError("expected 4 fields")
        return Edge(int(parts[0]), int(parts[1]), parts[2], int(parts[3]))
    except ValueError as exc:
        raise MeterError(
            f"{where}: cannot read {text!r} ({exc}); lines are "
            "'<monotonic ns> <cycles> <pin> <level>'"
        ) from None


class EdgeLogReader:
    """Reads new complete lines of a growing edge-log file (``tail -f``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._offset = 0
        self._partial = ""

    def read_new(self) -> list[Edge]:
        """Return the edges appended since the last call (none when the file is missing)."""
        try:
            if self.path.stat().st_size < self._offset:  # the board restarted the log
                self._offset, self._partial = 0, ""
            with self.path.open("r", encoding="ascii") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
                self._offset = handle.tell()
        except FileNotFoundError:
            return []
        text = self._partial + chunk
        lines = text.split("\n")
        self._partial = lines.pop()
        edges = [parse_edge_line(line, str(self.path)) for line in lines]
        return [e for e in edges if e is not None]


@dataclass(frozen=True)
class Segment:
    """A stretch of simulated time: ``active`` while the trigger marks a window."""

    start_s: float
    end_s: float
    active: bool
    cycles: int


class Timeline:
    """Simulated board time built from edges of one trigger pin.

    Args:
        origin_ns: CLOCK_MONOTONIC time of ``tau = 0``.
        clock_hz: the simulated core clock.
        pin: the trigger pin name as written in the log (``None``: any pin).
        active_level: the level the pin has during a window.
    """

    def __init__(
        self, origin_ns: int, clock_hz: float, pin: str | None = None, active_level: int = 1
    ) -> None:
        self.origin_ns = origin_ns
        self.clock_hz = clock_hz
        self.pin = pin
        self.active_level = active_level
        self.segments: list[Segment] = []
        self._tau = 0.0  # simulated time at the last edge
        self._mono = origin_ns  # monotonic time of the last edge
        self._cycles: int | None = None
        self._active = False
        #: (monotonic ns, simulated time) of the window starts and ends seen so far.
        self.starts: list[tuple[int, float]] = []
        self.ends: list[tuple[int, float]] = []

    @property
    def active(self) -> bool:
        """Whether the last edge opened a window that has not closed yet."""
        return self._active

    def add(self, edge: Edge) -> None:
        """Feed one edge (edges of other pins and repeated levels are ignored)."""
        if self.pin is not None and edge.pin != self.pin:
            return
        now_active = edge.level == self.active_level
        if now_active == self._active:
            return
        if now_active:
            idle = max(0, edge.mono_ns - self._mono) / 1e9
            self._close(idle, active=False, cycles=0)
            self.starts.append((edge.mono_ns, self._tau))
        else:
            cycles = edge.cycles - (self._cycles if self._cycles is not None else edge.cycles)
            if cycles < 0:
                raise MeterError(f"edge log cycle count went backwards at {edge}")
            self._close(cycles / self.clock_hz, active=True, cycles=cycles)
            self.ends.append((edge.mono_ns, self._tau))
        self._mono = edge.mono_ns
        self._cycles = edge.cycles
        self._active = now_active

    def tau_at(self, mono_ns: int) -> float:
        """Simulated time of a host instant while the board idles after the last edge."""
        if self._active:
            return self._tau
        return self._tau + max(0, mono_ns - self._mono) / 1e9

    def known_until(self, mono_ns: int) -> float:
        """How far simulated time is known at host instant ``mono_ns``."""
        return self.tau_at(mono_ns)

    def segments_until(self, tau_end: float) -> list[Segment]:
        """The segments, with the idle tail after the last edge extended to ``tau_end``."""
        tail = (
            [] if self._active or tau_end <= self._tau else [Segment(self._tau, tau_end, False, 0)]
        )
        return self.segments + tail

    def _close(self, duration_s: float, *, active: bool, cycles: int) -> None:
        if duration_s > 0:
            self.segments.append(Segment(self._tau, self._tau + duration_s, active, cycles))
        self._tau += duration_s
