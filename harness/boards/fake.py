"""A device double for testing the harness itself (``--board fake``), like labgrid's fakes.

The fake board "builds" its image by saving the model, "flashes" by loading it, and answers
through :class:`FakeAgentClient`, which has the protocol client's API (``hello``, ``ping``,
``infer_stream``, ``bench``, ``reset``) and computes outputs with the golden model. Faults are
injected by constructor arguments: ``corrupt`` (indices whose outputs are altered), ``fail``
(indices answered by a failure record, as after exhausted retries), ``interrupt_after``
(raise ``KeyboardInterrupt`` after that many replies, as Ctrl-C would), ``die_after`` (the
first launch stops answering, even to RESET, after that many requests; a relaunch recovers).
Tests register variants with ``BOARD_KINDS["fake-x"] = lambda spec: FakeBoard(spec,
corrupt={3})``. Cycle counts are the cost model's estimate (simulated, like hostsim's).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from firmware.protocol import PROTOCOL_VERSION
from golden.cost import estimate_cycles
from golden.format import QuantModel, load, save
from golden.inference import run
from harness.boards.base import BoardFacts, BoardSpec

FAKE_CLOCK_HZ = 50_000_000
FAKE_CYCLES = 250_000  # only when no model is known


@dataclass
class FakeReply:
    """An INFER reply (the fields the harness reads)."""

    seq: int
    status: int
    cycles: int
    outputs: np.ndarray

    @property
    def ok(self) -> bool:
        """True when the device ran the inference without error."""
        return self.status == 0


@dataclass
class FakeFailure:
    """A request that got no reply (like :class:`firmware.messages.InferFailure`)."""

    seq: int
    error: str
    attempts: int
    ok: bool = False


@dataclass
class FakeAgentClient:
    """Answers like the firmware agent, from the golden model, with injected faults."""

    model: QuantModel
    firmware_hash: str
    corrupt: set[int] = field(default_factory=set)
    fail: set[int] = field(default_factory=set)
    interrupt_after: int | None = None
    served: int = 0
    cycles: int = FAKE_CYCLES
    die_after: int | None = None

    def _check_alive(self) -> None:
        if self.die_after is not None and self.served >= self.die_after:
            raise ConnectionError("the fake board stopped answering")

    def hello(self) -> dict[str, Any]:
        """Return the HELLO fields the harness checks."""
        return {
            "protocol_version": PROTOCOL_VERSION,
            "clock_kind": 1,
            "core_clock_hz": FAKE_CLOCK_HZ,
            "model_hash": self.model.hash(),
            "firmware_hash": self.firmware_hash,
            "board_name": "fake",
            "model_name": self.model.name,
            "model_version": self.model.version,
        }

    def ping(self) -> bool:
        """Answers while the board is alive."""
        self._check_alive()
        return True

    def infer_stream(
        self, items: Iterable[tuple[int, np.ndarray]], window: int = 4
    ) -> Iterator[FakeReply | FakeFailure]:
        """Yield one reply per ``(key, x)``, in order (``window`` is accepted and ignored)."""
        for key, x in items:
            self._check_alive()
            self.served += 1
            if self.interrupt_after is not None and self.served > self.interrupt_after:
                raise KeyboardInterrupt
            if key in self.fail:
                yield FakeFailure(seq=key, error=f"no INFER reply for seq {key}", attempts=3)
                continue
            out = run(self.model, np.asarray(x)[None])[0].astype(np.int64)
            if key in self.corrupt:
                out = out.copy()
                out[key % out.size] += 3
            yield FakeReply(seq=key, status=0, cycles=self.cycles, outputs=out)

    def bench(self, n: int) -> dict[str, int]:
        """Return BENCH figures for ``n`` iterations."""
        return {
            "status": 0,
            "iterations": n,
            "total_cycles": n * self.cycles,
            "min_cycles": self.cycles,
            "max_cycles": self.cycles,
        }

    def reset(self) -> None:
        """A dead fake board does not come back by reset (only by relaunch)."""
        self._check_alive()


class FakeLink:
    """A transport placeholder (the fake client does not use bytes)."""

    def write(self, data: bytes) -> int:
        """Accept and drop ``data``."""
        return len(data)

    def read(self, size: int = 1) -> bytes:
        """Never returns data."""
        return b""

    def close(self) -> None:
        """Nothing to close."""


class FakeBoard:
    """A simulated board without processes or bytes."""

    def __init__(
        self,
        spec: BoardSpec,
        *,
        corrupt: Iterable[int] = (),
        fail: Iterable[int] = (),
        interrupt_after: int | None = None,
        die_after: int | None = None,
    ) -> None:
        self.spec = replace(spec, gpio_log=None)  # writes no GPIO edge log
        self.facts = BoardFacts(
            name=spec.name,
            kind="fake",
            firmware_board="fake",
            simulated=True,
            persistent=False,
            probe="launch",
        )
        self.corrupt = set(corrupt)
        self.fail = set(fail)
        self.interrupt_after = interrupt_after
        self.die_after = die_after
        self.launches = 0
        self.model: QuantModel | None = None
        self.firmware_hash = ""
        self._dir = tempfile.TemporaryDirectory(prefix="ferhil-fake-")

    def build_image(self, model: QuantModel) -> tuple[Path, str]:
        """Save ``model`` as the "firmware image"; return its path and hash."""
        path = save(model, Path(self._dir.name) / "image.qmodel.npz")
        return path, hashlib.sha256(path.read_bytes()).hexdigest()

    def flash(self, image: Path) -> None:
        """Load the model the image holds."""
        self.model = load(image)
        self.launches += 1
        self.firmware_hash = hashlib.sha256(Path(image).read_bytes()).hexdigest()

    def connect(self) -> FakeLink:
        """Return a placeholder link."""
        if self.model is None:
            raise ConnectionError("the fake board holds no image; flash it first")
        return FakeLink()

    def make_client(self, transport: Any) -> FakeAgentClient:
        """Return the fake agent for the loaded model."""
        assert self.model is not None
        return FakeAgentClient(
            self.model,
            self.firmware_hash,
            self.corrupt,
            self.fail,
            self.interrupt_after,
            cycles=estimate_cycles(self.model),
            die_after=self.die_after if self.launches == 1 else None,
        )

    def close(self) -> None:
        """Forget the loaded model."""
        self.model = None
