"""Frame codec of the agent protocol: COBS, CRC-32, frame encode/decode, streaming decoder.

The C twin is ``firmware/c/frame.c``; tests check that both produce the same bytes. Layout and
constants: :mod:`firmware.host.protocol` and ``firmware/PROTOCOL.md``.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from firmware.host.agent_errors import FrameError, ProtocolError
from firmware.host.protocol import (
    CRC_SIZE,
    FRAME_DELIMITER,
    FRAME_OVERHEAD,
    HEADER_FORMAT,
    HEADER_SIZE,
    MAX_PAYLOAD,
    MAX_RAW_FRAME,
    RX_FRAME_CAPACITY,
    ErrorCode,
)

_DELIM = bytes([FRAME_DELIMITER])


def crc32(data: bytes) -> int:
    """Return the CRC-32 of ``data`` (zlib/IEEE: reflected 0xEDB88320, init/xorout 0xFFFFFFFF)."""
    return zlib.crc32(data) & 0xFFFFFFFF


def cobs_encode(data: bytes) -> bytes:
    """COBS-encode ``data`` (the result holds no 0x00 byte; no delimiter is appended).

    Identical to the C ``cobs_encode``: a run of 254 non-zero bytes closes its block with code
    0xFF and always opens a new block, so the output is ``len + 1 + len // 254`` bytes at most.
    """
    out = bytearray()
    for chunk in bytes(data).split(_DELIM):
        while len(chunk) >= 254:
            out.append(0xFF)
            out += chunk[:254]
            chunk = chunk[254:]
        out.append(len(chunk) + 1)
        out += chunk
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    """Decode COBS ``data`` (without the delimiter).

    Raises:
        FrameError: ``BAD_FRAMING`` when ``data`` is not valid COBS.
    """
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        code = data[i]
        i += 1
        end = i + code - 1
        if code == 0 or end > n or FRAME_DELIMITER in data[i:end]:
            raise FrameError(ErrorCode.BAD_FRAMING, f"invalid COBS block at byte {i - 1}")
        out += data[i:end]
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)


@dataclass(frozen=True)
class Frame:
    """One protocol frame.

    Attributes:
        msg_type: The type byte (:class:`~firmware.host.protocol.MessageType`, ``| REPLY_BIT`` for
            replies).
        seq: Sequence number (0..65535).
        payload: Payload bytes (at most ``MAX_PAYLOAD``).
        flags: The flags byte: request flags (``REQUEST_FLAG_TTA_HFLIP``), 0 in replies.
    """

    msg_type: int
    seq: int
    payload: bytes = b""
    flags: int = 0


def build_raw_frame(frame: Frame) -> bytes:
    """Return the raw (unstuffed) frame: header, payload and CRC-32.

    Raises:
        ProtocolError: when the payload exceeds ``MAX_PAYLOAD`` or a field is out of range.
    """
    if len(frame.payload) > MAX_PAYLOAD:
        raise ProtocolError(
            f"payload of {len(frame.payload)} bytes exceeds the protocol limit of {MAX_PAYLOAD}"
        )
    if not (0 <= frame.msg_type <= 0xFF and 0 <= frame.flags <= 0xFF and 0 <= frame.seq <= 0xFFFF):
        raise ProtocolError(f"frame field out of range: {frame}")
    body = struct.pack(HEADER_FORMAT, frame.msg_type, frame.flags, frame.seq, len(frame.payload))
    body += frame.payload
    return body + struct.pack("<I", crc32(body))


def encode_frame(frame: Frame, *, leading_delimiter: bool = False) -> bytes:
    """Return the wire bytes of ``frame``: COBS-encoded raw frame plus the 0x00 delimiter.

    Args:
        frame: The frame to encode.
        leading_delimiter: Also prepend 0x00, which ends any garbage the receiver holds (the
            host does this for every request).
    """
    wire = cobs_encode(build_raw_frame(frame)) + _DELIM
    return _DELIM + wire if leading_delimiter else wire


def parse_raw_frame(raw: bytes) -> Frame:
    """Parse an unstuffed frame, checking its length and CRC.

    Raises:
        FrameError: ``BAD_LENGTH`` (too short/long or length field inconsistent) or
            ``BAD_CRC``; ``msg_type``/``seq`` are set when the header was present.
    """
    if len(raw) < FRAME_OVERHEAD or len(raw) > MAX_RAW_FRAME:
        raise FrameError(
            ErrorCode.BAD_LENGTH,
            f"frame of {len(raw)} bytes outside [{FRAME_OVERHEAD}, {MAX_RAW_FRAME}]",
        )
    msg_type, flags, seq, length = struct.unpack_from(HEADER_FORMAT, raw)
    (stored,) = struct.unpack_from("<I", raw, len(raw) - CRC_SIZE)
    if crc32(raw[:-CRC_SIZE]) != stored:
        raise FrameError(ErrorCode.BAD_CRC, "CRC mismatch", msg_type=msg_type, seq=seq)
    if length != len(raw) - FRAME_OVERHEAD:
        raise FrameError(
            ErrorCode.BAD_LENGTH,
            f"length field {length} but {len(raw) - FRAME_OVERHEAD} payload bytes",
            msg_type=msg_type,
            seq=seq,
        )
    return Frame(msg_type, seq, bytes(raw[HEADER_SIZE:-CRC_SIZE]), flags)


def decode_frame(encoded: bytes) -> Frame:
    """Decode one COBS-encoded frame (without delimiter).

    Raises:
        FrameError: when the frame is not valid COBS, has a bad length or a bad CRC.
    """
    return parse_raw_frame(cobs_decode(encoded))


class FrameDecoder:
    """Streaming decoder: feed it any bytes, get frames and framing errors back.

    It resynchronises on every 0x00 delimiter, so garbage costs at most the frame it hits.
    Empty frames (two delimiters in a row) are skipped; more than ``capacity`` bytes without a
    delimiter yield one ``OVERSIZE`` error when the delimiter finally arrives.
    """

    def __init__(self, capacity: int = RX_FRAME_CAPACITY) -> None:
        self.capacity = capacity
        self._buffer = bytearray()
        self._oversize = False

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        """Add received bytes; return the frames (or errors) they completed, in order."""
        events: list[Frame | FrameError] = []
        self._buffer += data
        while True:
            end = self._buffer.find(_DELIM)
            if end < 0:
                break
            chunk = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            if self._oversize or len(chunk) > self.capacity:
                self._oversize = False
                events.append(
                    FrameError(ErrorCode.OVERSIZE, f"frame exceeded {self.capacity} bytes")
                )
            elif chunk:
                try:
                    events.append(decode_frame(chunk))
                except FrameError as exc:
                    events.append(exc)
        if len(self._buffer) > self.capacity:
            self._buffer.clear()
            self._oversize = True
        return events

    def reset(self) -> None:
        """Drop any partial frame."""
        self._buffer.clear()
        self._oversize = False
