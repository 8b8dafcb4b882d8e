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

from firmware.host.agent_errors import AgentReplyError
from firmware.host.link import Transport
from firmware.host.messages import BenchResult, HelloInfo, InferFailure, InferResult, SelftestResult
from firmware.host.protocol import PROTOCOL_VERSION, ClockKind, ErrorCode, MessageType
from golden.cost import estimate_cycles
from golden.format import QuantModel, load, save
from golden.inference import run
from golden.tta import run_tta
from harness.devices.boards.base import Board, BoardFacts, BoardSpec, Capability

FAKE_CLOCK_HZ = 50_000_000
FAKE_CYCLES = 250_000  # only when no model is known


def fake_hello(model_hash: str, firmware_hash: str, **fields: Any) -> HelloInfo:
    """Return the :class:`HelloInfo` of a simulated agent (``fields`` override the defaults)."""
    values: dict[str, Any] = {
        "protocol_version": PROTOCOL_VERSION,
        "firmware_hash": firmware_hash,
        "firmware_build_id": 0,
        "model_hash": model_hash,
        "model_id": 0,
        "model_name": "fake",
        "model_version": "1",
        "input_shape": (1, 48, 48),
        "input_format": "int8_chw",
        "num_outputs": 7,
        "output_type": "int32",
        "board_name": "fake",
        "core_clock_hz": FAKE_CLOCK_HZ,
        "clock_kind": ClockKind.SIMULATED,
        "max_wire_frame": 0,
        "max_payload": 0,
        "rx_buffer_bytes": 0,
        "model_cycles": FAKE_CYCLES,
        "model_macs": 0,
    }
    values.update(fields)
    return HelloInfo(**values)


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
    timeout: float = 5.0
    _next_seq: int = 1

    def _check_alive(self) -> None:
        if self.die_after is not None and self.served >= self.die_after:
            raise ConnectionError("the fake board stopped answering")

    def hello(self, attempts: int | None = None) -> HelloInfo:
        """Return the HELLO of a simulated agent running the loaded model."""
        shape = tuple(self.model.input_shape) + (1,) * (3 - len(self.model.input_shape))
        return fake_hello(
            model_hash=self.model.hash(),
            firmware_hash=self.firmware_hash,
            model_name=self.model.name,
            model_version=self.model.version,
            input_shape=(int(shape[0]), int(shape[1]), int(shape[2])),
            num_outputs=self.model.num_outputs,
            model_cycles=self.cycles,
        )

    def ping(self, payload: bytes = b"") -> float:
        """Answers while the board is alive (a zero round trip)."""
        self._check_alive()
        return 0.0

    def alive(self) -> bool:
        """Return True while the board answers."""
        return self.die_after is None or self.served < self.die_after

    def allocate_seq(self) -> int:
        """Return a fresh sequence number."""
        self._next_seq += 1
        return self._next_seq - 1

    def check_rx_window(self) -> None:
        """The fake agent takes any input size."""

    def selftest(self, timeout: float | None = None) -> SelftestResult:
        """The fake agent has no SELFTEST (like firmware built before it).

        Raises:
            AgentReplyError: always, UNKNOWN_COMMAND.
        """
        raise AgentReplyError(ErrorCode.UNKNOWN_COMMAND, MessageType.SELFTEST, 0, True, 0)

    def infer(self, seq: int, x: np.ndarray, *, tta: bool = False) -> InferResult:
        """Run one inference (faults apply as in :meth:`infer_stream`)."""
        for reply in self.infer_stream([(seq, x)], tta=tta):
            if isinstance(reply, InferFailure):
                raise ConnectionError(reply.error)
            return reply
        raise ConnectionError("the fake board gave no reply")

    def infer_stream(
        self, items: Iterable[tuple[int, np.ndarray]], window: int = 4, *, tta: bool = False
    ) -> Iterator[InferResult | InferFailure]:
        """Yield one reply per ``(key, x)``, in order (``window`` is accepted and ignored).

        With ``tta`` the golden TTA outputs (``golden/tta.py``) come along, at twice the cycles.
        """
        for key, x in items:
            self._check_alive()
            self.served += 1
            if self.interrupt_after is not None and self.served > self.interrupt_after:
                raise KeyboardInterrupt
            if key in self.fail:
                yield InferFailure(seq=key, error=f"no INFER reply for seq {key}", attempts=3)
                continue
            out = run(self.model, np.asarray(x)[None])[0].astype(np.int64)
            if key in self.corrupt:
                out = out.copy()
                out[key % out.size] += 3
            if not tta:
                yield InferResult(seq=key, status=0, outputs=out, cycles=self.cycles)
                continue
            both = run_tta(self.model, np.asarray(x)[None], single=out[None])[0]
            yield InferResult(key, 0, out, self.cycles, 0.0, 1, both, 2 * self.cycles)

    def bench(self, n: int, timeout: float | None = None, *, tta: bool = False) -> BenchResult:
        """Return BENCH figures for ``n`` iterations (TTA iterations: both passes)."""
        cycles = 2 * self.cycles if tta else self.cycles
        return BenchResult(
            status=0,
            iterations=n,
            total_cycles=n * cycles,
            infer_cycles=n * cycles,
            min_cycles=cycles,
            max_cycles=cycles,
        )

    def reset(self, boot_timeout: float = 5.0) -> HelloInfo:
        """A dead fake board does not come back by reset (only by relaunch)."""
        self._check_alive()
        return self.hello()


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


class FakeBoard(Board):
    """A simulated board without processes or bytes."""

    capabilities = frozenset({Capability.BUILDS_OWN_IMAGE, Capability.OWN_CLIENT})

    def __init__(
        self,
        spec: BoardSpec,
        *,
        corrupt: Iterable[int] = (),
        fail: Iterable[int] = (),
        interrupt_after: int | None = None,
        die_after: int | None = None,
    ) -> None:
        super().__init__(
            replace(spec, gpio_log=None),  # writes no GPIO edge log
            BoardFacts(
                name=spec.name,
                kind="fake",
                firmware_board="fake",
                simulated=True,
                persistent=False,
                probe="launch",
            ),
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

    def _program(self, image: Path) -> None:
        """Load the model the image holds."""
        self.model = load(image)
        self.launches += 1
        self.firmware_hash = hashlib.sha256(image.read_bytes()).hexdigest()

    def _open_link(self) -> Transport:
        """Return a placeholder link."""
        if self.model is None:
            raise ConnectionError("the fake board holds no image; flash it first")
        return FakeLink()

    def make_client(self, transport: Transport) -> FakeAgentClient:
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

    def _stop(self) -> None:
        """Forget the loaded model."""
        self.model = None
