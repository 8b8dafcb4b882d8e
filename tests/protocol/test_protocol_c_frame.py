"""The C frame layer (firmware/c/frame.c) against the Python codec: same bytes both ways."""

from __future__ import annotations

import ctypes
import random

import pytest

from firmware.host import protocol as p
from firmware.host.codec import Frame, cobs_decode, cobs_encode, crc32, decode_frame, encode_frame


def c_cobs_encode(lib: ctypes.CDLL, data: bytes) -> bytes:
    cap = p.cobs_max_encoded_size(len(data))
    out = ctypes.create_string_buffer(cap)
    n = lib.cobs_encode(data, len(data), out, cap)
    assert n > 0
    return out.raw[:n]


def c_cobs_decode(lib: ctypes.CDLL, data: bytes) -> bytes | None:
    out = ctypes.create_string_buffer(max(1, len(data)))
    n = lib.cobs_decode(data, len(data), out, len(out))
    return None if n < 0 else out.raw[:n]


def c_frame_encode(lib: ctypes.CDLL, frame: Frame) -> bytes:
    scratch = ctypes.create_string_buffer(p.MAX_RAW_FRAME)
    wire = ctypes.create_string_buffer(p.MAX_WIRE_FRAME)
    n = lib.frame_encode(
        frame.msg_type,
        frame.flags,
        frame.seq,
        frame.payload,
        len(frame.payload),
        scratch,
        len(scratch),
        wire,
        len(wire),
    )
    assert n > 0
    return wire.raw[:n]


def random_bytes(rng: random.Random, n: int, zero_rate: float) -> bytes:
    return bytes(0 if rng.random() < zero_rate else rng.randrange(1, 256) for _ in range(n))


@pytest.mark.parametrize("seed", range(3))
def test_crc32_matches(agent_lib: ctypes.CDLL, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        data = random_bytes(rng, rng.randrange(0, 3000), 0.1)
        assert agent_lib.crc32_update(0, data, len(data)) == crc32(data)
    # chaining
    assert agent_lib.crc32_update(agent_lib.crc32_update(0, b"1234", 4), b"56789", 5) == 0xCBF43926


@pytest.mark.parametrize("zero_rate", [0.0, 0.01, 0.3, 1.0])
def test_cobs_same_bytes_both_ways(agent_lib: ctypes.CDLL, zero_rate: float) -> None:
    rng = random.Random(int(zero_rate * 100))
    lengths = [0, 1, 253, 254, 255, 508, 509, *(rng.randrange(0, 4100) for _ in range(40))]
    for n in lengths:
        data = random_bytes(rng, n, zero_rate)
        py = cobs_encode(data)
        assert c_cobs_encode(agent_lib, data) == py
        assert c_cobs_decode(agent_lib, py) == data
        assert cobs_decode(py) == data


def test_c_cobs_decode_rejects_what_python_rejects(agent_lib: ctypes.CDLL) -> None:
    rng = random.Random(7)
    for _ in range(300):
        data = random_bytes(rng, rng.randrange(1, 40), 0.02)
        try:
            expected: bytes | None = cobs_decode(data)
        except Exception:
            expected = None
        assert c_cobs_decode(agent_lib, data) == expected


def test_frames_same_bytes_both_ways(agent_lib: ctypes.CDLL) -> None:
    rng = random.Random(11)
    sizes = [0, 1, 2304, p.MAX_PAYLOAD, *(rng.randrange(0, p.MAX_PAYLOAD) for _ in range(30))]
    for size in sizes:
        frame = Frame(rng.randrange(256), rng.randrange(65536), random_bytes(rng, size, 0.05))
        wire = c_frame_encode(agent_lib, frame)
        assert wire == encode_frame(frame)
        assert decode_frame(wire[:-1]) == frame


def test_c_refuses_oversized_payload(agent_lib: ctypes.CDLL) -> None:
    scratch = ctypes.create_string_buffer(p.MAX_RAW_FRAME + 16)
    wire = ctypes.create_string_buffer(p.MAX_WIRE_FRAME * 2)
    big = bytes(p.MAX_PAYLOAD + 1)
    n = agent_lib.frame_encode(2, 0, 1, big, len(big), scratch, len(scratch), wire, len(wire))
    assert n == 0
