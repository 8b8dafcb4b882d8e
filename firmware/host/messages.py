"""Typed payloads of the agent protocol: HELLO, INFER and BENCH replies, ERROR frames.

The byte layouts come from :mod:`firmware.host.protocol` (the same tables the C header is rendered
from), so these parsers and the agent cannot drift apart.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from firmware.host import protocol as p
from firmware.host.agent_errors import AgentReplyError, ProtocolError


def _unpack(layout: p.Layout, payload: bytes, what: str) -> dict[str, Any]:
    size = p.layout_size(layout)
    if len(payload) < size:
        raise ProtocolError(
            f"{what} payload has {len(payload)} bytes, expected at least {size}: "
            "firmware and host speak different protocol versions; rebuild the firmware"
        )
    values = struct.unpack_from(p.layout_format(layout), payload)
    return dict(zip((name for name, _ in layout), values, strict=True))


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("ascii", errors="replace")


@dataclass(frozen=True)
class HelloInfo:
    """What the agent reports about itself (HELLO reply)."""

    protocol_version: int
    firmware_hash: str
    firmware_build_id: int
    model_hash: str
    model_id: int
    model_name: str
    model_version: str
    input_shape: tuple[int, int, int]
    input_format: str
    num_outputs: int
    output_type: str
    board_name: str
    core_clock_hz: int
    clock_kind: p.ClockKind
    max_wire_frame: int
    max_payload: int
    rx_buffer_bytes: int
    model_cycles: int
    model_macs: int

    @property
    def simulated(self) -> bool:
        """True when cycle counts come from a cost model or an emulator, not silicon."""
        return self.clock_kind != p.ClockKind.HARDWARE

    @property
    def input_size(self) -> int:
        """Bytes of one int8 CHW input."""
        c, h, w = self.input_shape
        return c * h * w

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (enums as names)."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["clock_kind"] = self.clock_kind.name.lower()
        d["input_shape"] = list(self.input_shape)
        d["simulated"] = self.simulated
        return d


def parse_hello(payload: bytes) -> HelloInfo:
    """Parse a HELLO reply payload."""
    v = _unpack(p.HELLO_REPLY, payload, "HELLO")
    try:
        clock_kind = p.ClockKind(v["clock_kind"])
    except ValueError as exc:
        raise ProtocolError(f"HELLO reports unknown clock kind {v['clock_kind']}") from exc
    return HelloInfo(
        protocol_version=v["protocol_version"],
        firmware_hash=_text(v["firmware_hash"]),
        firmware_build_id=v["firmware_build_id"],
        model_hash=_text(v["model_hash"]),
        model_id=v["model_id"],
        model_name=_text(v["model_name"]),
        model_version=_text(v["model_version"]),
        input_shape=(v["input_c"], v["input_h"], v["input_w"]),
        input_format="int8_chw" if v["input_format"] == p.INPUT_FORMAT_INT8_CHW else "unknown",
        num_outputs=v["num_outputs"],
        output_type="int32" if v["output_type"] == p.OUTPUT_TYPE_INT32 else "int8",
        board_name=_text(v["board_name"]),
        core_clock_hz=v["core_clock_hz"],
        clock_kind=clock_kind,
        max_wire_frame=v["max_wire_frame"],
        max_payload=v["max_payload"],
        rx_buffer_bytes=v["rx_buffer_bytes"],
        model_cycles=v["model_cycles"],
        model_macs=v["model_macs"],
    )


@dataclass(frozen=True)
class InferResult:
    """One inference answered by the agent.

    Attributes:
        seq: The caller's sequence number / sample key.
        status: :class:`~firmware.host.protocol.InferStatus` value (0 = ok).
        outputs: Raw outputs as int64 (int32 accumulators, or int8 values for an 8-bit layer).
        cycles: On-device cycles of cnn_start..cnn_wait (see HELLO ``clock_kind``).
        rtt_s: Host round-trip time of the answered attempt, in seconds.
        attempts: How many times the request was sent.
        tta_outputs: The test-time augmentation outputs (``golden.tta``) of an INFER sent with
            :data:`~firmware.host.protocol.REQUEST_FLAG_TTA_HFLIP`, else ``None``.
        tta_cycles: Cycles of both TTA passes (``None`` without TTA).
    """

    seq: int
    status: int
    outputs: np.ndarray
    cycles: int
    rtt_s: float = 0.0
    attempts: int = 1
    tta_outputs: np.ndarray | None = None
    tta_cycles: int | None = None

    @property
    def ok(self) -> bool:
        """True when the device ran the inference without error."""
        return self.status == p.InferStatus.OK


@dataclass(frozen=True)
class InferFailure:
    """A sample that produced no result: the reason says why (never silently dropped)."""

    seq: int
    error: str
    attempts: int
    code: int | None = None
    ok: bool = field(default=False, init=False)


@dataclass(frozen=True)
class TtaReply:
    """An INFER reply to a request with the TTA flag (``INFER_TTA_REPLY``)."""

    status: int
    outputs: np.ndarray
    cycles: int
    tta_outputs: np.ndarray
    tta_cycles: int


def parse_infer_tta_reply(seq: int, payload: bytes) -> TtaReply:
    """Parse the reply to an INFER sent with :data:`~firmware.host.protocol.REQUEST_FLAG_TTA_HFLIP`.

    Raises:
        ProtocolError: the payload is not ``INFER_TTA_REPLY`` + 2 x ``num_outputs`` int32.
    """
    v = _unpack(p.INFER_TTA_REPLY, payload, "INFER (TTA)")
    head = p.layout_size(p.INFER_TTA_REPLY)
    n = v["num_outputs"]
    if len(payload) != head + 8 * n:
        raise ProtocolError(
            f"INFER (TTA) reply for seq {seq} holds {len(payload) - head} output bytes, "
            f"expected {8 * n} for 2 x {n} outputs; rebuild the firmware"
        )
    words = np.frombuffer(payload, dtype="<i4", count=2 * n, offset=head).astype(np.int64)
    return TtaReply(v["status"], words[:n], v["cycles"], words[n:], v["tta_cycles"])


def infer_result(
    seq: int, payload: bytes, tta: bool, rtt_s: float = 0.0, attempts: int = 1
) -> InferResult:
    """Return the :class:`InferResult` of an INFER reply (``tta``: the request had the flag)."""
    if not tta:
        status, outputs, cycles = parse_infer_reply(seq, payload)
        return InferResult(seq, status, outputs, cycles, rtt_s, attempts)
    r = parse_infer_tta_reply(seq, payload)
    return InferResult(
        seq, r.status, r.outputs, r.cycles, rtt_s, attempts, r.tta_outputs, r.tta_cycles
    )


def parse_infer_reply(seq: int, payload: bytes) -> tuple[int, np.ndarray, int]:
    """Return ``(status, outputs int64, cycles)`` of an INFER reply payload."""
    v = _unpack(p.INFER_REPLY, payload, "INFER")
    head = p.layout_size(p.INFER_REPLY)
    n = v["num_outputs"]
    if len(payload) != head + 4 * n:
        raise ProtocolError(
            f"INFER reply for seq {seq} holds {len(payload) - head} output bytes, "
            f"expected {4 * n} for {n} outputs"
        )
    outputs = np.frombuffer(payload, dtype="<i4", count=n, offset=head).astype(np.int64)
    return v["status"], outputs, v["cycles"]


@dataclass(frozen=True)
class BenchResult:
    """BENCH reply: N back-to-back inferences with the trigger GPIO high."""

    status: int
    iterations: int
    total_cycles: int
    infer_cycles: int
    min_cycles: int
    max_cycles: int

    @property
    def mean_cycles(self) -> float:
        """Mean cycles of one cnn_start..cnn_wait window."""
        return self.infer_cycles / self.iterations if self.iterations else 0.0


def parse_bench_reply(payload: bytes) -> BenchResult:
    """Parse a BENCH reply payload."""
    v = _unpack(p.BENCH_REPLY, payload, "BENCH")
    return BenchResult(
        status=v["status"],
        iterations=v["iterations"],
        total_cycles=v["total_cycles"],
        infer_cycles=v["infer_cycles"],
        min_cycles=v["min_cycles"],
        max_cycles=v["max_cycles"],
    )


def bench_request(iterations: int) -> bytes:
    """Return the BENCH request payload."""
    return struct.pack(p.layout_format(p.BENCH_REQUEST), iterations)


def parse_error_reply(seq: int, payload: bytes) -> AgentReplyError:
    """Turn an ERROR frame into the exception that describes it."""
    v = _unpack(p.ERROR_REPLY, payload, "ERROR")
    return AgentReplyError(
        code=v["code"],
        request_type=v["request_type"],
        seq=seq,
        seq_valid=bool(v["err_flags"] & p.ERROR_FLAG_SEQ_VALID),
        detail=v["detail"],
    )


@dataclass(frozen=True)
class SelftestResult:
    """SELFTEST reply: the image's known-answer test (izer's on the accelerator backend)."""

    result: int
    status: int
    cycles: int
    detail: int

    @property
    def passed(self) -> bool:
        """True when every output matched the built-in expected output."""
        return self.result == p.SelftestResult.PASS

    def describe(self) -> str:
        """One line for logs and errors."""
        if self.passed:
            return f"self-test passed ({self.cycles} cycles)"
        if self.result == p.SelftestResult.FAIL:
            return (
                f"self-test FAILED: output {self.detail - 1 if self.detail else '?'} differs from "
                "the known answer built into the image (bad weight load or a wrong build): "
                "rebuild (ferhil build --force) and reflash"
            )
        return f"self-test could not run (CNN status {self.status}, step {self.detail})"


def parse_selftest_reply(payload: bytes) -> SelftestResult:
    """Parse a SELFTEST reply payload."""
    v = _unpack(p.SELFTEST_REPLY, payload, "SELFTEST")
    return SelftestResult(
        result=v["result"], status=v["status"], cycles=v["cycles"], detail=v["detail"]
    )
