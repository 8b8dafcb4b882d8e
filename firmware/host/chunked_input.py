"""Inputs larger than one frame: INFER_PART messages, then an INFER without payload.

KWS20 v3 takes 128x128 int8 = 16 KiB, four times the 4,064-byte frame payload (sized to the
MAX78000FTHR USB bridge's 4 KiB window). The host splits such an input into INFER_PART requests
(``offset:u32`` + up to :data:`firmware.host.protocol.INFER_PART_MAX_DATA` bytes, in order) and ends
with an INFER whose payload is empty; the agent runs the staged input. Every part is an ordinary
request (sequence number, CRC, retries, reply cache), so the loss handling of single-frame
requests applies to each part. See ``firmware/PROTOCOL.md``.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable, Iterator
from typing import Protocol

from firmware.host import protocol as p
from firmware.host.agent_errors import AgentReplyError, AgentTimeoutError, ProtocolError
from firmware.host.codec import Frame
from firmware.host.messages import InferFailure, InferResult, infer_result


class PartClient(Protocol):
    """What the chunked requests need of :class:`firmware.host.client.AgentClient`."""

    attempts: int

    def request(
        self,
        msg_type: p.MessageType,
        payload: bytes = b"",
        timeout: float | None = None,
        attempts: int | None = None,
        flags: int = 0,
    ) -> Frame:
        """Send one request and return its reply frame, retrying on loss."""


def needs_parts(input_bytes: int, max_payload: int = p.MAX_PAYLOAD) -> bool:
    """True when an input of ``input_bytes`` does not fit one INFER payload."""
    return input_bytes > max_payload


def part_payloads(data: bytes, max_data: int = p.INFER_PART_MAX_DATA) -> list[bytes]:
    """Return the INFER_PART payloads (``offset`` + bytes) that stage ``data`` in order."""
    if not data:
        raise ProtocolError("an input needs at least one byte")
    head = p.layout_format(p.INFER_PART_REQUEST)
    return [
        struct.pack(head, offset) + data[offset : offset + max_data]
        for offset in range(0, len(data), max_data)
    ]


def parse_part_reply(payload: bytes) -> int:
    """Return ``staged`` of an INFER_PART reply payload."""
    size = p.layout_size(p.INFER_PART_REPLY)
    if len(payload) != size:
        raise ProtocolError(f"INFER_PART reply has {len(payload)} bytes, expected {size}")
    (staged,) = struct.unpack(p.layout_format(p.INFER_PART_REPLY), payload)
    return int(staged)


def infer_in_parts(client: PartClient, key: int, data: bytes, *, tta: bool = False) -> InferResult:
    """Stage ``data`` with INFER_PART requests, run it with an empty INFER; ``key`` is echoed.

    With ``tta`` the INFER carries the TTA flag and the result its ``tta_outputs``.

    Raises:
        ProtocolError: the agent staged another number of bytes than sent (or a link error).
        AgentTimeoutError: a part or the INFER got no reply after all attempts.
        AgentReplyError: the agent refused a part or the INFER.
    """
    start = time.monotonic()
    for payload in part_payloads(data):
        staged = parse_part_reply(client.request(p.MessageType.INFER_PART, payload).payload)
        offset = struct.unpack_from("<I", payload)[0]
        if staged != offset + len(payload) - p.layout_size(p.INFER_PART_REQUEST):
            raise ProtocolError(
                f"the agent staged {staged} input bytes after the part at offset {offset}: "
                "parts were lost or reordered; retry the sample"
            )
    flags = p.REQUEST_FLAG_TTA_HFLIP if tta else 0
    reply = client.request(p.MessageType.INFER, b"", flags=flags)
    return infer_result(key, reply.payload, tta, rtt_s=time.monotonic() - start)


def stream_in_parts(
    client: PartClient, items: Iterable[tuple[int, bytes]], *, tta: bool = False
) -> Iterator[InferResult | InferFailure]:
    """Infer each ``(key, data)`` in parts, one sample at a time (``tta``: with TTA too).

    Every sample ends as an :class:`InferResult` or an :class:`InferFailure` with the reason
    (each part was already retried ``client.attempts`` times).
    """
    for key, data in items:
        try:
            yield infer_in_parts(client, key, data, tta=tta)
        except (AgentTimeoutError, AgentReplyError, ProtocolError) as exc:
            code = exc.code if isinstance(exc, AgentReplyError) else None
            yield InferFailure(key, f"chunked input: {exc}", client.attempts, code)
