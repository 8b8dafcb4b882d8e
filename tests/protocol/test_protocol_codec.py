"""Python frame codec: COBS, CRC-32, frames, streaming resync."""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.host import protocol as p
from firmware.host.agent_errors import FrameError, ProtocolError
from firmware.host.codec import (
    Frame,
    FrameDecoder,
    build_raw_frame,
    cobs_decode,
    cobs_encode,
    crc32,
    decode_frame,
    encode_frame,
)

# COBS examples from Cheshire & Baker (1999) / the Wikipedia article's table.
COBS_VECTORS = [
    (b"\x00", b"\x01\x01"),
    (b"\x00\x00", b"\x01\x01\x01"),
    (b"\x00\x11\x00", b"\x01\x02\x11\x01"),
    (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
    (b"\x11\x22\x33\x44", b"\x05\x11\x22\x33\x44"),
    (b"\x11\x00\x00\x00", b"\x02\x11\x01\x01\x01"),
]


@pytest.mark.parametrize(("raw", "encoded"), COBS_VECTORS)
def test_cobs_known_vectors(raw: bytes, encoded: bytes) -> None:
    assert cobs_encode(raw) == encoded
    assert cobs_decode(encoded) == raw


def test_cobs_254_run_always_opens_a_final_block() -> None:
    data = bytes(range(1, 255))  # 254 non-zero bytes
    # ferhil (like the C side) always closes with a code byte; the minimal form is accepted too
    assert cobs_encode(data) == b"\xff" + data + b"\x01"
    assert cobs_decode(b"\xff" + data) == data
    assert cobs_decode(cobs_encode(data)) == data


def test_cobs_rejects_invalid() -> None:
    for bad in (b"\x00", b"\x05\x11\x22", b"\x03\x11\x00"):
        with pytest.raises(FrameError) as info:
            cobs_decode(bad)
        assert info.value.code == p.ErrorCode.BAD_FRAMING


@given(st.binary(max_size=2000))
def test_cobs_round_trip(data: bytes) -> None:
    enc = cobs_encode(data)
    assert 0 not in enc
    assert len(enc) <= p.cobs_max_encoded_size(len(data))
    assert cobs_decode(enc) == data


def test_crc32_check_value() -> None:
    # The CRC-32/ISO-HDLC catalogue check value of "123456789".
    assert crc32(b"123456789") == 0xCBF43926


@given(
    st.integers(0, 255), st.integers(0, 0xFFFF), st.binary(max_size=p.MAX_PAYLOAD), st.booleans()
)
@settings(max_examples=60)
def test_frame_round_trip(msg_type: int, seq: int, payload: bytes, lead: bool) -> None:
    wire = encode_frame(Frame(msg_type, seq, payload), leading_delimiter=lead)
    assert wire.endswith(b"\x00")
    assert len(wire) <= p.MAX_WIRE_FRAME
    body = wire.strip(b"\x00")
    assert 0 not in body
    assert decode_frame(body) == Frame(msg_type, seq, payload)


def test_raw_frame_layout() -> None:
    raw = build_raw_frame(Frame(0x03, 0x1234, b"\xaa\xbb"))
    assert raw[:6] == bytes([0x03, 0x00, 0x34, 0x12, 0x02, 0x00])
    assert raw[6:8] == b"\xaa\xbb"
    assert struct.unpack("<I", raw[8:])[0] == crc32(raw[:8])


def test_bad_crc_reports_untrusted_header() -> None:
    raw = bytearray(build_raw_frame(Frame(0x02, 77, b"hello")))
    raw[7] ^= 0x01
    with pytest.raises(FrameError) as info:
        decode_frame(cobs_encode(bytes(raw)))
    assert info.value.code == p.ErrorCode.BAD_CRC
    assert info.value.seq == 77


def test_truncated_and_length_mismatch() -> None:
    raw = build_raw_frame(Frame(0x02, 5, b"abcdef"))
    with pytest.raises(FrameError) as info:
        decode_frame(cobs_encode(raw[:7]))
    assert info.value.code == p.ErrorCode.BAD_LENGTH
    with pytest.raises(FrameError) as info:
        decode_frame(cobs_encode(raw[:-3]))  # CRC no longer matches
    assert info.value.code == p.ErrorCode.BAD_CRC
    # Consistent CRC but a lying length field.
    body = bytearray(raw[:-4])
    body[4] = 2
    lying = bytes(body) + struct.pack("<I", crc32(bytes(body)))
    with pytest.raises(FrameError) as info:
        decode_frame(cobs_encode(lying))
    assert info.value.code == p.ErrorCode.BAD_LENGTH


def test_oversized_payload_refused() -> None:
    with pytest.raises(ProtocolError, match="exceeds"):
        encode_frame(Frame(0x02, 1, bytes(p.MAX_PAYLOAD + 1)))


def test_decoder_reports_oversize_and_recovers() -> None:
    dec = FrameDecoder(capacity=100)
    good = encode_frame(Frame(0x82, 9, b"ok"))
    events = dec.feed(b"\x01" * 500 + b"\x00" + good)
    assert isinstance(events[0], FrameError) and events[0].code == p.ErrorCode.OVERSIZE
    assert events[1] == Frame(0x82, 9, b"ok")


def test_decoder_byte_by_byte_equals_bulk() -> None:
    stream = b"".join(encode_frame(Frame(0x81, i, bytes([i]) * i)) for i in range(20))
    dec = FrameDecoder()
    one_by_one = [ev for b in stream for ev in dec.feed(bytes([b]))]
    assert one_by_one == FrameDecoder().feed(stream)
    assert len(one_by_one) == 20


@pytest.mark.parametrize("seed", range(5))
def test_decoder_resyncs_after_random_garbage(seed: int) -> None:
    rng = random.Random(seed)
    dec = FrameDecoder()
    sent: list[Frame] = []
    got: list[Frame] = []
    for i in range(200):
        garbage = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
        frame = Frame(0x83, i, bytes(rng.randrange(256) for _ in range(rng.randrange(0, 50))))
        sent.append(frame)
        for ev in dec.feed(garbage + encode_frame(frame, leading_delimiter=True)):
            if isinstance(ev, Frame) and ev.msg_type == 0x83:
                got.append(ev)
    # Every frame after a delimiter is recovered; garbage never yields a valid frame.
    assert got == sent
