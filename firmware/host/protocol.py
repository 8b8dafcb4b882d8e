"""The ferhil agent protocol: the one definition of every constant and payload layout.

``firmware/PROTOCOL.md`` explains the protocol; this module is its machine-readable form. The C
header ``firmware/c/protocol_defs.h`` is rendered from this module (see
:mod:`firmware.builder.protocol_header`) and a test checks that the committed header matches.

All multi-byte integers are little-endian. A frame before byte stuffing is::

    type:u8  flags:u8  seq:u16  len:u16  payload[len]  crc32:u32

``crc32`` is CRC-32/ISO-HDLC (the zlib/IEEE 802.3 CRC: reflected polynomial 0xEDB88320, initial
value 0xFFFFFFFF, final XOR 0xFFFFFFFF) over every byte before it. The frame is COBS-encoded
and terminated by one 0x00 byte on the wire.
"""

from __future__ import annotations

import struct
from enum import IntEnum
from typing import Final

PROTOCOL_VERSION: Final = 3

# --- framing -----------------------------------------------------------------------------------
FRAME_DELIMITER: Final = 0x00
HEADER_FORMAT: Final = "<BBHH"  # type, flags, seq, payload length
HEADER_SIZE: Final = struct.calcsize(HEADER_FORMAT)
CRC_SIZE: Final = 4
FRAME_OVERHEAD: Final = HEADER_SIZE + CRC_SIZE
MAX_WIRE_FRAME: Final = 4096
"""Most bytes one frame may occupy on the wire: COBS bytes plus the 0x00 delimiter (and an
optional leading delimiter). Sized to the MAX78000FTHR USB bridge's 4 KiB buffer."""
MAX_PAYLOAD: Final = 4064
MAX_RAW_FRAME: Final = MAX_PAYLOAD + FRAME_OVERHEAD


def cobs_max_encoded_size(raw_len: int) -> int:
    """Return the most bytes COBS may produce for ``raw_len`` input bytes (no delimiter)."""
    return raw_len + 1 + raw_len // 254


MAX_ENCODED_FRAME: Final = cobs_max_encoded_size(MAX_RAW_FRAME)
RX_FRAME_CAPACITY: Final = MAX_WIRE_FRAME
"""Bytes the agent buffers for one encoded frame; longer frames are reported as OVERSIZE."""

RX_BUFFER_NONE: Final = 0
"""HELLO ``rx_buffer_bytes``: the agent cannot buffer while busy (stop-and-wait only)."""
RX_BUFFER_FLOW_CONTROLLED: Final = 0xFFFFFFFF
"""HELLO ``rx_buffer_bytes``: the link has flow control; the host's writes block, nothing drops."""


class MessageType(IntEnum):
    """Frame ``type`` byte. A reply has the request's type with :data:`REPLY_BIT` set."""

    HELLO = 0x01
    PING = 0x02
    INFER = 0x03
    BENCH = 0x04
    RESET = 0x05
    SELFTEST = 0x06
    """Run the image's built-in known-answer test (izer's on the accelerator backend)."""
    INFER_PART = 0x07
    """Stage part of an input larger than one frame; an INFER without payload then runs it."""
    ERROR = 0x7F
    """Only sent by the agent, always with :data:`REPLY_BIT` set (0xFF on the wire)."""


REPLY_BIT: Final = 0x80


class ErrorCode(IntEnum):
    """``code`` of an ERROR reply."""

    BAD_CRC = 1
    BAD_LENGTH = 2
    UNKNOWN_COMMAND = 3
    BAD_INPUT_SIZE = 4
    BUSY = 5
    OVERSIZE = 6
    BAD_FRAMING = 7
    BAD_ARGUMENT = 8
    NO_INPUT = 9


RETRYABLE_ERRORS: Final = frozenset(
    {
        ErrorCode.BAD_CRC,
        ErrorCode.BAD_LENGTH,
        ErrorCode.BUSY,
        ErrorCode.OVERSIZE,
        ErrorCode.BAD_FRAMING,
    }
)
"""Link-level errors: the request may succeed when sent again."""

ERROR_FLAG_SEQ_VALID: Final = 0x01
"""ERROR ``err_flags`` bit: the header ``seq`` is the offending request's (its CRC was good)."""

REQUEST_FLAG_TTA_HFLIP: Final = 0x01
"""Header ``flags`` bit of an INFER or BENCH request: horizontal-flip test-time augmentation.
INFER then also runs the mirrored input and answers :data:`INFER_TTA_REPLY`; BENCH runs that
pair (flip, two inferences, the combination) per iteration. The rule is ``golden/tta.py``'s.
Other flag bits are reserved and ignored; replies carry flags 0."""


class InferStatus(IntEnum):
    """``status`` of an INFER or BENCH reply: 0 or the CNN call that failed."""

    OK = 0
    CNN_INIT_FAILED = 1
    CNN_LOAD_INPUT_FAILED = 2
    CNN_START_FAILED = 3
    CNN_WAIT_FAILED = 4
    CNN_UNLOAD_FAILED = 5


class ClockKind(IntEnum):
    """HELLO ``clock_kind``: what the cycle counts mean."""

    HARDWARE = 0
    SIMULATED = 1
    QEMU_ICOUNT = 2
    HARDWARE_TIMER_US = 3
    """A hardware timer that runs while the core sleeps (izer's ``--timer``, ``cnn_time`` in
    microseconds), reported as core-clock cycles (us * core_clock_hz / 1e6)."""


class SelftestResult(IntEnum):
    """SELFTEST ``result``."""

    PASS = 0
    FAIL = 1
    """The outputs differ from the expected ones (``detail``: 1 + index of the first mismatch;
    izer's check reports 1 for any mismatch)."""
    ERROR = 2
    """A CNN call failed (``status`` says which)."""


INPUT_FORMAT_INT8_CHW: Final = 1
OUTPUT_TYPE_INT8: Final = 0
OUTPUT_TYPE_INT32: Final = 1
HASH_HEX_LEN: Final = 64
NAME_FIELD_LEN: Final = 32
"""Fixed size of the NUL-padded board / model name / model version fields in HELLO."""
BENCH_MAX_ITERATIONS: Final = 1_000_000
AGENT_REPLY_CACHE_ENTRIES: Final = 4
AGENT_REPLY_CACHE_PAYLOAD: Final = 512
"""Replies with payloads up to this size are cached for idempotent retries."""
SIM_COMMAND_CYCLES: Final = 2000
"""Simulated cycles a simulated board adds for decoding and dispatching one frame."""

# --- payload layouts: (field, struct code) in wire order -----------------------------------------
Layout = tuple[tuple[str, str], ...]

HELLO_REPLY: Final[Layout] = (
    ("protocol_version", "H"),
    ("clock_kind", "B"),
    ("input_format", "B"),
    ("max_wire_frame", "I"),
    ("max_payload", "I"),
    ("rx_buffer_bytes", "I"),
    ("core_clock_hz", "I"),
    ("input_c", "H"),
    ("input_h", "H"),
    ("input_w", "H"),
    ("num_outputs", "H"),
    ("output_type", "B"),
    ("reserved", "B"),
    ("reserved2", "H"),
    ("model_id", "Q"),
    ("firmware_build_id", "Q"),
    ("model_cycles", "Q"),
    ("model_macs", "Q"),
    ("firmware_hash", f"{HASH_HEX_LEN}s"),
    ("model_hash", f"{HASH_HEX_LEN}s"),
    ("board_name", f"{NAME_FIELD_LEN}s"),
    ("model_name", f"{NAME_FIELD_LEN}s"),
    ("model_version", f"{NAME_FIELD_LEN}s"),
)
INFER_REPLY: Final[Layout] = (
    ("status", "B"),
    ("reserved", "B"),
    ("num_outputs", "H"),
    ("cycles", "I"),
)
"""Followed by ``num_outputs`` int32 raw outputs."""
INFER_TTA_REPLY: Final[Layout] = (
    ("status", "B"),
    ("reserved", "B"),
    ("num_outputs", "H"),
    ("cycles", "I"),
    ("tta_cycles", "I"),
)
"""The reply to an INFER with :data:`REQUEST_FLAG_TTA_HFLIP`: ``cycles`` is the single pass
(as in :data:`INFER_REPLY`), ``tta_cycles`` both passes (each counted like ``cycles``); followed
by ``num_outputs`` int32 single-pass outputs, then ``num_outputs`` int32 TTA outputs
(``floor((single + mirrored) / 2)``)."""
BENCH_REQUEST: Final[Layout] = (("iterations", "I"),)
BENCH_REPLY: Final[Layout] = (
    ("status", "B"),
    ("reserved", "B"),
    ("reserved2", "H"),
    ("iterations", "I"),
    ("total_cycles", "Q"),
    ("infer_cycles", "Q"),
    ("min_cycles", "I"),
    ("max_cycles", "I"),
)
"""``total_cycles``: the whole loop (input loads included, trigger high); ``infer_cycles``: the
sum of the cnn_start..cnn_wait windows; min/max: the extremes of one window."""
SELFTEST_REPLY: Final[Layout] = (
    ("result", "B"),
    ("status", "B"),
    ("reserved", "H"),
    ("cycles", "I"),
    ("detail", "I"),
)
"""SELFTEST: the known-answer input is built into the image; the request has no payload."""
INFER_PART_REQUEST: Final[Layout] = (("offset", "I"),)
"""Followed by 1..``INFER_PART_MAX_DATA`` input bytes, written at ``offset`` of the agent's input
buffer. ``offset`` 0 starts a new input; any other offset must not lie past the bytes staged so
far (no gaps), so parts go in order and a resent part rewrites the same bytes."""
INFER_PART_REPLY: Final[Layout] = (("staged", "I"),)
"""Contiguous input bytes staged so far (``offset + data`` of the highest part)."""
ERROR_REPLY: Final[Layout] = (
    ("code", "B"),
    ("err_flags", "B"),
    ("request_type", "B"),
    ("reserved", "B"),
    ("detail", "I"),
)


def layout_format(layout: Layout) -> str:
    """Return the little-endian :mod:`struct` format string of ``layout``."""
    return "<" + "".join(code for _, code in layout)


def layout_size(layout: Layout) -> int:
    """Return the byte size of ``layout``."""
    return struct.calcsize(layout_format(layout))


def layout_offsets(layout: Layout) -> dict[str, int]:
    """Return the byte offset of each field of ``layout``."""
    offsets: dict[str, int] = {}
    position = 0
    for name, code in layout:
        offsets[name] = position
        position += struct.calcsize("<" + code)
    return offsets


LAYOUTS: Final[dict[str, Layout]] = {
    "HELLO_REPLY": HELLO_REPLY,
    "INFER_REPLY": INFER_REPLY,
    "INFER_TTA_REPLY": INFER_TTA_REPLY,
    "BENCH_REQUEST": BENCH_REQUEST,
    "BENCH_REPLY": BENCH_REPLY,
    "ERROR_REPLY": ERROR_REPLY,
    "SELFTEST_REPLY": SELFTEST_REPLY,
    "INFER_PART_REQUEST": INFER_PART_REQUEST,
    "INFER_PART_REPLY": INFER_PART_REPLY,
}
INFER_PART_MAX_DATA: Final = MAX_PAYLOAD - layout_size(INFER_PART_REQUEST)
"""Most input bytes one INFER_PART carries (4,060)."""

assert MAX_ENCODED_FRAME + 2 <= MAX_WIRE_FRAME, "a maximal frame must fit the wire limit"
