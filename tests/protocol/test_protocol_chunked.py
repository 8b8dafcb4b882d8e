"""Inputs larger than one frame: INFER_PART + empty INFER, in-process and over a real pty."""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from firmware.host import protocol as p
from firmware.host.agent_errors import AgentReplyError
from firmware.host.chunked_input import needs_parts, parse_part_reply, part_payloads
from firmware.host.client import AgentClient
from firmware.host.codec import Frame, FrameDecoder, encode_frame
from firmware.host.messages import InferResult, parse_error_reply
from golden.tta import combine

BIG_SHAPE = (4, 64, 64)  # 16 KiB (the big_hostsim fixture's input), like KWS20 v3's 128x128
BIG_BYTES = int(np.prod(BIG_SHAPE))
ERROR_TYPE = p.MessageType.ERROR | p.REPLY_BIT


def exchange(ser: Any, wire: bytes, timeout: float = 2.0) -> list[Frame]:
    """Write raw bytes, collect one reply frame."""
    ser.write(wire)
    dec = FrameDecoder()
    frames: list[Frame] = []
    deadline = time.monotonic() + timeout
    while not frames and time.monotonic() < deadline:
        frames += [f for f in dec.feed(ser.read(max(1, ser.in_waiting))) if isinstance(f, Frame)]
    return frames


def test_part_payloads_cover_the_input_in_order() -> None:
    data = bytes(np.random.default_rng(0).integers(0, 256, BIG_BYTES, dtype=np.uint8))
    parts = part_payloads(data)
    assert len(parts) == -(-BIG_BYTES // p.INFER_PART_MAX_DATA) == 5
    assert all(len(x) <= p.MAX_PAYLOAD for x in parts)
    rebuilt = bytearray(BIG_BYTES)
    for x in parts:
        (offset,) = struct.unpack_from("<I", x)
        rebuilt[offset : offset + len(x) - 4] = x[4:]
    assert bytes(rebuilt) == data
    assert needs_parts(BIG_BYTES) and not needs_parts(48 * 48) and not needs_parts(p.MAX_PAYLOAD)
    assert parse_part_reply(struct.pack("<I", 77)) == 77


def test_client_infers_a_16k_input_in_parts(
    big_hostsim: Any, stub_outputs: Callable[[np.ndarray], np.ndarray]
) -> None:
    client = AgentClient(big_hostsim, timeout=5.0)
    info = client.hello()
    assert info.input_shape == BIG_SHAPE and info.input_size == BIG_BYTES > info.max_payload
    assert client.infer_wire_bytes() <= p.MAX_WIRE_FRAME
    client.check_rx_window()
    rng = np.random.default_rng(1)
    xs = rng.integers(-128, 128, (6, *BIG_SHAPE), dtype=np.int8)
    one = client.infer(41, xs[0])
    assert isinstance(one, InferResult) and one.ok and one.seq == 41
    np.testing.assert_array_equal(one.outputs, stub_outputs(xs[0]))
    results = list(client.infer_stream(enumerate(xs[1:]), window=4))
    assert [r.seq for r in results] == list(range(5))
    for r, x in zip(results, xs[1:], strict=True):
        assert isinstance(r, InferResult) and r.ok
        np.testing.assert_array_equal(r.outputs, stub_outputs(x))
    assert client.bench(2).iterations == 2  # BENCH re-runs the last (staged) input


def test_tta_on_a_16k_input_in_parts(
    big_hostsim: Any, stub_outputs: Callable[[np.ndarray], np.ndarray]
) -> None:
    client = AgentClient(big_hostsim, timeout=5.0)
    info = client.hello()
    xs = np.random.default_rng(2).integers(-128, 128, (3, *BIG_SHAPE), dtype=np.int8)
    results = [client.infer(0, xs[0], tta=True)]
    results += list(client.infer_stream(enumerate(xs[1:], start=1), tta=True))
    for r, x in zip(results, xs, strict=True):
        assert isinstance(r, InferResult) and r.ok and r.tta_outputs is not None
        np.testing.assert_array_equal(r.outputs, stub_outputs(x))
        mirrored = stub_outputs(np.ascontiguousarray(x[..., ::-1]))
        np.testing.assert_array_equal(r.tta_outputs, combine(stub_outputs(x), mirrored))
        assert r.tta_cycles == 2 * info.model_cycles


def _send(ser: Any, msg: int, seq: int, payload: bytes) -> Frame:
    [reply] = exchange(ser, encode_frame(Frame(msg, seq, payload), leading_delimiter=True))
    return reply


def _error(reply: Frame) -> Any:
    assert reply.msg_type == ERROR_TYPE, reply
    return parse_error_reply(reply.seq, reply.payload)


def test_agent_refuses_gaps_overruns_and_incomplete_inputs(
    big_hostsim: Any, stub_outputs: Callable[[np.ndarray], np.ndarray]
) -> None:
    infer, part = p.MessageType.INFER, p.MessageType.INFER_PART
    err = _error(_send(big_hostsim, infer, 1, b""))  # nothing staged
    assert err.code == p.ErrorCode.NO_INPUT and err.detail == 0 and err.seq_valid
    x = np.random.default_rng(2).integers(-128, 128, BIG_SHAPE, dtype=np.int8)
    parts = part_payloads(x.tobytes())
    reply = _send(big_hostsim, part, 2, parts[0])
    assert reply.msg_type == part | p.REPLY_BIT and parse_part_reply(reply.payload) == 4060
    err = _error(_send(big_hostsim, part, 3, parts[2]))  # skips part 1: a gap
    assert err.code == p.ErrorCode.BAD_ARGUMENT and err.detail == 4060
    past_end = struct.pack("<I", BIG_BYTES - 2) + b"abc"
    err = _error(_send(big_hostsim, part, 4, past_end))
    assert err.code == p.ErrorCode.BAD_ARGUMENT
    err = _error(_send(big_hostsim, part, 5, struct.pack("<I", 0)))  # no data
    assert err.code == p.ErrorCode.BAD_ARGUMENT and err.detail == p.INFER_PART_MAX_DATA
    err = _error(_send(big_hostsim, infer, 6, b""))  # only part 0 staged
    assert err.code == p.ErrorCode.NO_INPUT and err.detail == 4060
    for i, payload in enumerate(parts[1:]):
        first = _send(big_hostsim, part, 10 + i, payload)
        again = _send(big_hostsim, part, 10 + i, payload)  # a retry: answered from the reply cache
        assert again == first
    reply = _send(big_hostsim, infer, 20, b"")
    assert reply.msg_type == infer | p.REPLY_BIT
    client = AgentClient(big_hostsim)
    client.hello()
    with pytest.raises(AgentReplyError) as exc:
        client.request(infer, b"")  # the staged input was used up by the INFER
    assert exc.value.code == p.ErrorCode.NO_INPUT
    np.testing.assert_array_equal(client.infer(0, x).outputs, stub_outputs(x))
    err = _error(_send(big_hostsim, infer, 30, bytes(100)))  # a whole-input INFER of the wrong size
    assert err.code == p.ErrorCode.BAD_INPUT_SIZE and err.detail == BIG_BYTES
