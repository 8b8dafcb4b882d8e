"""Fault injection (``--inject``): a seeded transport wrapper usable with any board.

``--inject drop=0.001,flip=0.0005,stall=0.01:3s,reset=0.002,seed=7`` wraps the board's byte
link (real or simulated) in a :class:`FaultyTransport`:

* ``drop=P``: each frame, in both directions, loses one byte with probability P;
* ``flip=P``: each frame, in both directions, gets one bit flipped with probability P;
* ``stall=P:D``: each written frame freezes the link with probability P for D seconds
  (``3s``, ``500ms`` or a plain number): nothing is delivered in either direction meanwhile,
  then everything queued goes through (a USB hiccup);
* ``reset=P``: before each written frame, with probability P, a protocol RESET request is
  slipped in (the board restarts; its reply carries a sequence number nobody waits for);
* ``seed=N``: the random seed (default 0): the same seed gives the same faults;
* ``die-after=N`` / ``hang-after=N``: the simulated board (hostsim) exits / stops answering
  for good when frame N+1 arrives (first launch only; the relaunched board runs clean).

Frames are the host's writes (one request each) and, on the way back, the bytes between two
``0x00`` delimiters (the fault lands within the first :data:`REPLY_SPAN` bytes of a reply,
which is short). Faults start after bring-up (HELLO and the identity check run on a clean
link). Every sample must still end as exactly one result or failure record, never silently
wrong: the protocol's CRC, sequence numbers and retries are what is under test. Importing this
module registers the ``inject`` option row.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firmware.host import protocol as p
from firmware.host.codec import Frame, encode_frame
from firmware.host.link import READ_POLL_S, Transport
from harness.devices.transport_proxy import TransportProxy
from harness.errors import ConfigError
from harness.suite.options import OPTIONS, Option

_PROBABILITIES = ("drop", "flip", "reset")
REPLY_SPAN = 48
"""Received frames are hit within their first REPLY_SPAN bytes (their length is unknown)."""
_COUNTS = ("die-after", "hang-after")


def _duration(text: str) -> float:
    value = text.strip().lower()
    if value.endswith("ms"):
        return float(value[:-2]) / 1000.0
    if value.endswith("s"):
        return float(value[:-1])
    return float(value)


@dataclass
class FaultPlan:
    """What to inject (see the module docstring); ``armed`` turns the faults on."""

    drop: float = 0.0
    flip: float = 0.0
    stall: float = 0.0
    stall_s: float = 0.0
    reset: float = 0.0
    seed: int = 0
    die_after: int | None = None
    hang_after: int | None = None
    armed: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    _links: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """Parse ``key=value,...`` (the ``--inject`` syntax).

        Raises:
            ConfigError: an unknown key or a value out of range, with the accepted syntax.
        """
        plan = cls()
        for part in filter(None, (s.strip() for s in text.split(","))):
            key, sep, value = part.partition("=")
            key = key.strip().lower()
            try:
                if not sep:
                    raise ValueError("expected key=value")
                if key in _PROBABILITIES:
                    setattr(plan, key, float(value))
                elif key == "stall":
                    prob, _, dur = value.partition(":")
                    plan.stall, plan.stall_s = float(prob), _duration(dur or "1s")
                    if plan.stall_s <= 0:
                        raise ValueError("the stall duration must be positive")
                elif key == "seed":
                    plan.seed = int(value)
                elif key in _COUNTS:
                    count = int(value)
                    if count < 1:
                        raise ValueError("must be >= 1")
                    setattr(plan, key.replace("-", "_"), count)
                else:
                    raise ValueError(f"unknown fault {key!r}")
            except ValueError as exc:
                raise ConfigError(
                    f"--inject {part!r}: {exc}; use e.g. drop=0.001,flip=0.0005,"
                    "stall=0.01:3s,reset=0.001,seed=7,die-after=500,hang-after=500"
                ) from None
        for key in ("drop", "flip", "stall", "reset"):
            if not 0.0 <= getattr(plan, key) <= 1.0:
                raise ConfigError(f"--inject {key}: a probability must lie in 0..1")
        return plan

    def sim_args(self) -> tuple[str, ...]:
        """The hostsim options of the board faults (``--die-after``, ``--hang-after``)."""
        args: list[str] = []
        if self.die_after:
            args += ["--die-after", str(self.die_after)]
        if self.hang_after:
            args += ["--hang-after", str(self.hang_after)]
        return tuple(args)

    def count(self, kind: str, n: int = 1) -> None:
        """Count ``n`` injected faults of ``kind`` (for the report)."""
        with self._lock:
            self.counts[kind] = self.counts.get(kind, 0) + n

    def wrap(self, transport: Transport) -> FaultyTransport:
        """Return ``transport`` behind the faults of this plan (each link its own seed)."""
        with self._lock:
            self._links += 1
            rng = random.Random(self.seed * 1_000_003 + self._links)
        return FaultyTransport(transport, self, rng)

    def wrap_factory(self, make_client: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Return a client factory that builds clients on wrapped transports."""
        return lambda transport: make_client(self.wrap(transport))

    def describe(self) -> str:
        """One line for the run's notes: the plan and what was injected."""
        parts = [f"{k}={getattr(self, k):g}" for k in ("drop", "flip", "reset") if getattr(self, k)]
        if self.stall:
            parts.append(f"stall={self.stall:g}:{self.stall_s:g}s")
        if self.die_after:
            parts.append(f"die-after={self.die_after}")
        if self.hang_after:
            parts.append(f"hang-after={self.hang_after}")
        done = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "none"
        return f"fault injection (seed {self.seed}): {','.join(parts)}; injected: {done}"


class FaultyTransport(TransportProxy):
    """A transport wrapper that drops, flips, stalls and resets (see :class:`FaultPlan`).

    The optional pyserial attributes the protocol client uses are the wrapped transport's
    (:class:`harness.devices.transport_proxy.TransportProxy`); ``write`` and ``read`` apply
    the plan's faults.
    """

    def __init__(self, inner: Transport, plan: FaultPlan, rng: random.Random) -> None:
        super().__init__(inner)
        self._plan = plan
        self._rng = rng
        self._stalled_until = 0.0
        self._queued = bytearray()
        self._rx_state: tuple[int, int, int, int] = (0, -1, -1, 0)

    def _roll(self, span: int) -> tuple[int, int, int]:
        """Decide the faults of the next frame: (drop offset, flip offset, flip bit); -1 = none."""
        plan, rng = self._plan, self._rng
        if not plan.armed:
            return -1, -1, 0
        drop = rng.randrange(span) if plan.drop and rng.random() < plan.drop else -1
        flip = rng.randrange(span) if plan.flip and rng.random() < plan.flip else -1
        return drop, flip, 1 << rng.randrange(8)

    def _apply(self, data: bytes, drop: int, flip: int, bit: int, start: int = 0) -> bytes:
        out = bytearray()
        for offset, byte in enumerate(data, start):
            if offset == drop:
                self._plan.count("drop")
                continue
            if offset == flip:
                self._plan.count("flip")
                byte ^= bit
            out.append(byte)
        return bytes(out)

    def _mangle_received(self, data: bytes) -> bytes:
        """Apply per-frame faults to received bytes (frames end at ``0x00``)."""
        plan = self._plan
        if not plan.armed or not (plan.drop or plan.flip):
            return data
        out = bytearray()
        for byte in data:
            pos, drop, flip, bit = self._rx_state
            out += self._apply(bytes([byte]), drop, flip, bit, pos)
            if byte == 0:
                self._rx_state = (0, *self._roll(REPLY_SPAN))
            else:
                self._rx_state = (pos + 1, drop, flip, bit)
        return bytes(out)

    def _stalled(self) -> bool:
        return time.monotonic() < self._stalled_until

    def _release(self) -> None:
        if self._queued and not self._stalled():
            data = bytes(self._queued)
            self._queued.clear()
            self.inner.write(data)

    def write(self, data: bytes, /) -> int:
        """Write ``data`` through the faults (the caller sees every byte as written)."""
        plan, rng = self._plan, self._rng
        wire = bytearray()
        if plan.armed and plan.reset and rng.random() < plan.reset:
            plan.count("reset")
            reset = Frame(int(p.MessageType.RESET), rng.randrange(0x10000), b"")
            wire += encode_frame(reset, leading_delimiter=True)
        wire += self._apply(bytes(data), *self._roll(max(1, len(data))))
        if plan.armed and plan.stall and rng.random() < plan.stall:
            plan.count("stall")
            self._stalled_until = time.monotonic() + plan.stall_s
        if self._stalled():
            self._queued.extend(wire)
        else:
            self._release()
            self.inner.write(bytes(wire))
        return len(data)

    def read(self, size: int = 1, /) -> bytes:
        """Read through the faults; nothing arrives while the link is stalled."""
        if self._stalled():  # an empty read takes the client's poll interval
            left = self._stalled_until - time.monotonic()
            time.sleep(min(READ_POLL_S, max(0.0, left)))
            return b""
        self._release()
        return self._mangle_received(self.inner.read(size))


def parse_inject(text: str) -> str:
    """Option converter: validate the ``--inject`` text (kept as text in the config)."""
    FaultPlan.parse(text)
    return text


INJECT = Option(
    "inject",
    "inject link faults, seeded: drop=P,flip=P,stall=P:3s,reset=P,seed=N (per frame), "
    "any board; die-after=N,hang-after=N kill or hang a simulated board (hostsim)",
    type=parse_inject,
    env="FERHIL_INJECT",
    metavar="FAULTS",
)

OPTIONS.add(INJECT)
