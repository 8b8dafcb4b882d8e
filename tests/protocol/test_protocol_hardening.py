"""Protocol corner cases found by the adversarial pass (issue 15), over a real pty."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from firmware.host import protocol as p
from firmware.host.agent_errors import ProtocolError
from firmware.host.client import AgentClient
from firmware.host.codec import Frame, FrameDecoder, build_raw_frame, cobs_encode, crc32
from firmware.host.messages import parse_error_reply

pytestmark = pytest.mark.skipif(
    not Path("/dev/ptmx").exists(), reason="hostsim needs Linux pseudo-terminals"
)


def exchange(ser: Any, wire: bytes, want: int = 1, timeout: float = 2.0) -> list[Frame]:
    ser.write(wire)
    dec = FrameDecoder()
    frames: list[Frame] = []
    deadline = time.monotonic() + timeout
    while len(frames) < want and time.monotonic() < deadline:
        frames += [f for f in dec.feed(ser.read(max(1, ser.in_waiting))) if isinstance(f, Frame)]
    return frames


def raw_frame(msg_type: int, seq: int, payload: bytes) -> bytes:
    """A raw frame with a correct CRC, even when the payload exceeds MAX_PAYLOAD."""
    body = bytes([msg_type, 0]) + seq.to_bytes(2, "little") + len(payload).to_bytes(2, "little")
    body += payload
    return body + crc32(body).to_bytes(4, "little")


@pytest.mark.parametrize("size", [4065, 4067, 4069])
def test_oversized_ping_gets_bad_length_with_its_real_seq(
    hostsim: Callable[..., Any], size: int
) -> None:
    with hostsim() as sim, sim.open() as ser:
        payload = bytes(i % 255 + 1 for i in range(size))  # > MAX_PAYLOAD, fits the RX buffer
        wire = b"\0" + cobs_encode(raw_frame(p.MessageType.PING, 777, payload)) + b"\0"
        assert len(wire) <= p.RX_FRAME_CAPACITY + 2
        [reply] = exchange(ser, wire)
        err = parse_error_reply(reply.seq, reply.payload)
        assert err.code == p.ErrorCode.BAD_LENGTH
        # the header was parsed and its CRC matched: SEQ_VALID with the request's own seq
        assert err.seq_valid and reply.seq == 777 and err.request_type == p.MessageType.PING


def test_bad_length_without_a_header_is_not_seq_valid(hostsim: Callable[..., Any]) -> None:
    with hostsim() as sim, sim.open() as ser:
        [reply] = exchange(ser, b"\0" + cobs_encode(b"\x02\x00\x10\x27\x00") + b"\0")
        err = parse_error_reply(reply.seq, reply.payload)
        assert err.code == p.ErrorCode.BAD_LENGTH and not err.seq_valid and reply.seq == 0


def test_frames_with_bit7_are_never_answered_even_corrupted(hostsim: Callable[..., Any]) -> None:
    with hostsim() as sim, sim.open() as ser:
        for msg_type in (0x82, 0xFF, 0x83):
            good = bytearray(build_raw_frame(Frame(msg_type, 9, b"xyz")))
            bad_crc = bytes(good[:-1]) + bytes([good[-1] ^ 0x55])
            lying = bytearray(good)
            lying[4] = 77  # len field disagrees
            for raw in (bytes(good), bad_crc, bytes(lying), bytes([msg_type, 1, 2])):
                assert exchange(ser, b"\0" + cobs_encode(raw) + b"\0", timeout=0.2) == []
        [reply] = exchange(ser, b"\0" + cobs_encode(build_raw_frame(Frame(2, 10, b"ok"))) + b"\0")
        assert reply == Frame(p.MessageType.PING | p.REPLY_BIT, 10, b"ok")


def test_rx_window_smaller_than_one_frame_is_refused_up_front(
    hostsim: Callable[..., Any],
) -> None:
    x = np.zeros((1, 48, 48), np.int8)
    with hostsim("--rx-buffer", "1000") as sim, sim.open() as ser:
        client = AgentClient(ser, timeout=1.0)
        start = time.monotonic()
        with pytest.raises(ProtocolError, match="receive window holds 1000 bytes"):
            list(client.infer_stream([(0, x)]))
        assert time.monotonic() - start < 3  # no time-outs: diagnosed from HELLO
    with hostsim("--rx-buffer", "4096") as sim, sim.open() as ser:
        AgentClient(ser, timeout=1.0).check_rx_window()  # one frame fits: fine
