"""Host client of the firmware agent: :class:`AgentClient`.

Every request gets one reply or the client times out and sends it again with the same sequence
number (the agent answers duplicates idempotently), a bounded number of times. See
``firmware/PROTOCOL.md``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator

import numpy as np

from firmware.host import protocol as p
from firmware.host.agent_errors import AgentReplyError, AgentTimeoutError, FrameError, ProtocolError
from firmware.host.chunked_input import infer_in_parts, needs_parts, stream_in_parts
from firmware.host.codec import Frame
from firmware.host.link import FrameLink, Transport, describe_transport
from firmware.host.messages import (
    BenchResult,
    HelloInfo,
    InferFailure,
    InferResult,
    SelftestResult,
    bench_request,
    infer_result,
    parse_bench_reply,
    parse_error_reply,
    parse_hello,
    parse_selftest_reply,
)
from firmware.host.pipeline import PipelineRequest, run_pipeline

DEFAULT_TIMEOUT_S = 2.0
DEFAULT_ATTEMPTS = 3


class AgentClient:
    """Talks to the ferhil agent over a transport (pyserial ``Serial``, socket URL, pty).

    Args:
        transport: Byte transport (``write``, ``read``, ``close``; see :class:`Transport`).
        timeout: Seconds to wait for each reply before sending the request again.
        attempts: How many times a request is sent before it is reported as failed.

    Attributes:
        info: The last HELLO reply (``None`` until :meth:`hello` ran).
    """

    def __init__(
        self,
        transport: Transport,
        timeout: float = DEFAULT_TIMEOUT_S,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        if timeout <= 0 or attempts < 1:
            raise ProtocolError("AgentClient needs timeout > 0 and attempts >= 1")
        self.link = FrameLink(transport)
        self.timeout = timeout
        self.attempts = attempts
        self.info: HelloInfo | None = None
        # A random start keeps a new session's sequence numbers apart from stale replies of an
        # earlier one; stale input is dropped too.
        self._next_seq = random.randrange(0x10000)
        self.link.discard_input()

    def allocate_seq(self) -> int:
        """Return a fresh wire sequence number (16 bits, wrapping)."""
        seq = self._next_seq
        self._next_seq = (self._next_seq + 1) & 0xFFFF
        return seq

    def request(
        self,
        msg_type: p.MessageType,
        payload: bytes = b"",
        timeout: float | None = None,
        attempts: int | None = None,
        flags: int = 0,
    ) -> Frame:
        """Send one request and return its reply frame, retrying on loss.

        Args:
            msg_type: The request type.
            payload: The request payload.
            timeout: Seconds to wait per attempt (default: the client's ``timeout``).
            attempts: How often to send it (default: the client's ``attempts``).
            flags: The header flags (``REQUEST_FLAG_TTA_HFLIP`` for INFER and BENCH).

        Raises:
            AgentTimeoutError: no reply after ``attempts`` tries.
            AgentReplyError: the agent answered with a non-retryable ERROR.
        """
        seq = self.allocate_seq()
        frame = Frame(int(msg_type), seq, payload, flags)
        reply_type = int(msg_type) | p.REPLY_BIT
        error_type = int(p.MessageType.ERROR) | p.REPLY_BIT
        last_error: AgentReplyError | None = None
        wait = self.timeout if timeout is None else timeout
        tries = self.attempts if attempts is None else max(1, attempts)
        for _attempt in range(tries):
            self.link.send(frame)
            deadline = time.monotonic() + wait
            while True:
                event = self.link.receive(deadline)
                if event is None:
                    break
                if isinstance(event, FrameError) or event.seq != seq:
                    continue  # garbled or stale: the retry handles a lost reply
                if event.msg_type == reply_type:
                    return event
                if event.msg_type == error_type:
                    error = parse_error_reply(seq, event.payload)
                    if error.code not in p.RETRYABLE_ERRORS:
                        raise error
                    last_error = error
                    break
        where = describe_transport(self.link.transport)
        if last_error is not None:
            raise ProtocolError(f"{last_error} (on {where}, {tries} attempts)")
        hint = "is the firmware running"
        hint += f" and the baud {getattr(self.link.transport, 'baudrate', '115200')}?"
        raise AgentTimeoutError(
            f"no {msg_type.name} reply in {wait:g} s on {where} ({tries} attempts): {hint}"
        )

    def hello(self, attempts: int | None = None) -> HelloInfo:
        """Ask the agent who it is; checks the protocol version.

        Args:
            attempts: How often to send HELLO (default: the client's ``attempts``).

        Raises:
            ProtocolError: the firmware speaks another protocol version.
        """
        info = parse_hello(self.request(p.MessageType.HELLO, attempts=attempts).payload)
        if info.protocol_version != p.PROTOCOL_VERSION:
            raise ProtocolError(
                f"firmware speaks protocol v{info.protocol_version}, this host v"
                f"{p.PROTOCOL_VERSION}: rebuild and reflash the firmware (ferhil build)"
            )
        self.info = info
        return info

    def ping(self, payload: bytes = b"") -> float:
        """Echo ``payload`` through the agent; return the round-trip time in seconds."""
        start = time.monotonic()
        reply = self.request(p.MessageType.PING, payload)
        if reply.payload != payload:
            raise ProtocolError("PING echo differs from what was sent: the link corrupts data")
        return time.monotonic() - start

    def encode_input(self, x: np.ndarray) -> bytes:
        """Check ``x`` against the firmware's input and return its int8 CHW bytes.

        Raises:
            ProtocolError: wrong shape, or values that are not int8.
        """
        arr = np.asarray(x)
        if self.info is not None:
            c, h, w = self.info.input_shape
            allowed = {(c, h, w)} | ({(h, w)} if c == 1 else set())
            allowed |= {(c, h)} if w == 1 else set()  # a 1-D model's (C, L) input
            if arr.shape not in allowed:
                raise ProtocolError(
                    f"input shape {arr.shape} does not match the firmware's model input "
                    f"{(c, h, w)} (int8 CHW); map images with golden.input_mapping first"
                )
        if arr.dtype != np.int8:
            if not np.issubdtype(arr.dtype, np.integer) or arr.min() < -128 or arr.max() > 127:
                raise ProtocolError(
                    f"input must hold int8 values (dtype {arr.dtype}); "
                    "map uint8 pixels with golden.input_mapping (pixel - 128)"
                )
            arr = arr.astype(np.int8)
        return np.ascontiguousarray(arr).tobytes()

    def infer(self, seq: int, x: np.ndarray, *, tta: bool = False) -> InferResult:
        """Run one inference; ``seq`` is the caller's sample key, echoed in the result.

        With ``tta`` the agent also runs the mirrored input and the result carries the
        combined ``tta_outputs`` (``golden/tta.py``) next to the single-pass outputs.
        """
        data = self.encode_input(x)
        if needs_parts(len(data)):  # larger than one frame: INFER_PART requests, then INFER
            return infer_in_parts(self, seq, data, tta=tta)
        start = time.monotonic()
        flags = p.REQUEST_FLAG_TTA_HFLIP if tta else 0
        reply = self.request(p.MessageType.INFER, data, flags=flags)
        return infer_result(seq, reply.payload, tta, rtt_s=time.monotonic() - start)

    def infer_wire_bytes(self) -> int:
        """Most wire bytes of one INFER request (both delimiters included); needs HELLO."""
        assert self.info is not None, "call hello() first"
        payload = min(self.info.input_size, p.MAX_PAYLOAD)  # larger inputs go in parts
        return p.cobs_max_encoded_size(payload + p.FRAME_OVERHEAD) + 2

    def check_rx_window(self) -> None:
        """Refuse a board whose receive window cannot hold one INFER frame (up-front).

        Such a board drops part of every request, so every sample would time out; this says
        so at once instead.

        Raises:
            ProtocolError: HELLO's ``rx_buffer_bytes`` is non-zero and smaller than one frame.
        """
        if self.info is None:
            self.hello()
        assert self.info is not None
        rx = self.info.rx_buffer_bytes
        need = self.infer_wire_bytes()
        if rx != p.RX_BUFFER_FLOW_CONTROLLED and 0 < rx < need:
            raise ProtocolError(
                f"the board's receive window holds {rx} bytes but one INFER frame needs {need} "
                f"(input {self.info.input_size} bytes): no request can arrive whole; give the "
                "board a larger receive buffer or a model with a smaller input"
            )

    def effective_window(self, window: int, request_bytes: int) -> int:
        """Clamp ``window`` so in-flight requests fit the agent's RX buffering (HELLO)."""
        if self.info is None or self.info.rx_buffer_bytes == p.RX_BUFFER_FLOW_CONTROLLED:
            return max(1, window)
        return max(1, min(window, self.info.rx_buffer_bytes // max(1, request_bytes)))

    def infer_stream(
        self,
        items: Iterable[tuple[int, np.ndarray]],
        window: int = 4,
        *,
        respect_rx_buffer: bool = True,
        tta: bool = False,
    ) -> Iterator[InferResult | InferFailure]:
        """Pipelined inference: keep up to ``window`` requests in flight, yield in order.

        An input larger than one frame goes as INFER_PART requests and an empty INFER, one
        sample at a time (:mod:`firmware.host.chunked_input`); ``window`` does not apply.

        Every item ends as an :class:`InferResult` or an :class:`InferFailure` with the reason
        (timeouts and link errors are retried ``attempts`` times first); nothing is dropped.

        Args:
            items: ``(key, x)`` pairs; ``key`` comes back as the result's ``seq``.
            window: Most requests in flight. Clamped to what the agent's RX buffer (HELLO
                ``rx_buffer_bytes``) holds unless ``respect_rx_buffer`` is False.
            respect_rx_buffer: Set False only to test loss recovery.
            tta: Ask for the horizontal-flip TTA outputs too (``InferResult.tta_outputs``).

        Raises:
            ProtocolError: the board's receive window cannot hold one INFER frame.
        """
        if self.info is None:
            self.hello()
        assert self.info is not None
        wire_bytes = self.infer_wire_bytes()
        if respect_rx_buffer:
            self.check_rx_window()
            window = self.effective_window(window, wire_bytes)
        if needs_parts(self.info.input_size):  # one sample at a time, each in several frames
            parts = ((key, self.encode_input(x)) for key, x in items)
            yield from stream_in_parts(self, parts, tta=tta)
            return
        flags = p.REQUEST_FLAG_TTA_HFLIP if tta else 0

        def requests() -> Iterator[PipelineRequest]:
            for key, x in items:
                yield PipelineRequest(key, self.allocate_seq(), self.encode_input(x), flags)

        yield from run_pipeline(
            self.link, requests(), window=window, timeout=self.timeout, attempts=self.attempts
        )

    def bench(self, n: int, timeout: float | None = None, *, tta: bool = False) -> BenchResult:
        """Run ``n`` inferences back to back on the last INFER input, trigger GPIO high.

        Args:
            n: Iterations (1 .. ``BENCH_MAX_ITERATIONS``).
            timeout: Seconds to wait for the reply; give long runs more than the default.
            tta: Each iteration is one horizontal-flip TTA inference (two passes).
        """
        if not 1 <= n <= p.BENCH_MAX_ITERATIONS:
            raise ProtocolError(f"bench(n) needs 1 <= n <= {p.BENCH_MAX_ITERATIONS}, got {n}")
        flags = p.REQUEST_FLAG_TTA_HFLIP if tta else 0
        reply = self.request(p.MessageType.BENCH, bench_request(n), timeout, flags=flags)
        return parse_bench_reply(reply.payload)

    def selftest(self, timeout: float | None = None) -> SelftestResult:
        """Run the image's known-answer test (SELFTEST) and return its result.

        Raises:
            AgentReplyError: UNKNOWN_COMMAND from firmware built before SELFTEST existed.
        """
        reply = self.request(p.MessageType.SELFTEST, b"", timeout)
        return parse_selftest_reply(reply.payload)

    def alive(self) -> bool:
        """One PING, one attempt: does the agent answer within ``timeout``?"""
        try:
            self.request(p.MessageType.PING, attempts=1)
        except (AgentTimeoutError, ProtocolError):
            return False
        return True

    def reset(self, boot_timeout: float = 5.0) -> HelloInfo:
        """Reset the board and wait until it answers HELLO again; return that HELLO.

        Bounded for recovery: the RESET is sent once; when its reply does not come within
        ``timeout``, one HELLO tells a lost reply (the board answers) from a hung board
        (:class:`AgentTimeoutError` after about two ``timeout``).

        Raises:
            AgentTimeoutError: the board answers neither RESET nor HELLO.
        """
        try:
            self.request(p.MessageType.RESET, attempts=1)
        except AgentTimeoutError:
            return self.hello(attempts=1)
        deadline = time.monotonic() + boot_timeout
        while True:
            try:
                return self.hello(attempts=1)
            except AgentTimeoutError:
                if time.monotonic() >= deadline:
                    raise

    def close(self) -> None:
        """Close the transport."""
        self.link.transport.close()

    def __enter__(self) -> AgentClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "AgentClient",
    "AgentReplyError",
    "AgentTimeoutError",
    "BenchResult",
    "HelloInfo",
    "InferFailure",
    "InferResult",
    "ProtocolError",
]
