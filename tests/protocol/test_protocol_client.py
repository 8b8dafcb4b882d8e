"""AgentClient retry and pipelining logic against the C agent in-process (loopback HAL),
with deterministic loss injected on the link."""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable

import numpy as np
import pytest

from firmware.host import protocol as p
from firmware.host.agent_errors import AgentReplyError, AgentTimeoutError, ProtocolError
from firmware.host.client import AgentClient
from firmware.host.codec import Frame, FrameDecoder
from firmware.host.messages import InferFailure, InferResult

Mutator = Callable[[int, bytes], bytes | None]


class LoopbackTransport:
    """Feeds written bytes to the in-process agent; lets tests drop or damage frames.

    ``on_request(i, wire)`` / ``on_reply(i, wire)`` see the i-th request / reply frame and
    return the bytes to deliver (``None`` drops it).
    """

    def __init__(
        self, lib: ctypes.CDLL, on_request: Mutator | None = None, on_reply: Mutator | None = None
    ) -> None:
        self.lib = lib
        self.on_request = on_request
        self.on_reply = on_reply
        self.requests = 0
        self.replies = 0
        self.rx = bytearray()
        self.timeout = 0.01
        lib.loopback_start()

    def write(self, data: bytes) -> int:
        frames = [f for f in bytes(data).split(b"\0") if f]
        for frame in frames:
            wire = b"\0" + frame + b"\0"
            if self.on_request is not None:
                mutated = self.on_request(self.requests, wire)
                wire = b"" if mutated is None else mutated
            self.requests += 1
            self.lib.loopback_feed(wire, len(wire))
        buf = ctypes.create_string_buffer(1 << 16)
        while (n := self.lib.loopback_take(buf, len(buf))) > 0:
            for reply in buf.raw[:n].split(b"\0"):
                if not reply:
                    continue
                wire = reply + b"\0"
                if self.on_reply is not None:
                    mutated = self.on_reply(self.replies, wire)
                    wire = b"" if mutated is None else mutated
                self.replies += 1
                self.rx += wire
        return len(data)

    def read(self, n: int = 1) -> bytes:
        if not self.rx:
            time.sleep(self.timeout)
            return b""
        out = bytes(self.rx[:n])
        del self.rx[:n]
        return out

    @property
    def in_waiting(self) -> int:
        return len(self.rx)

    def close(self) -> None:
        pass


def x_of(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-128, 128, (1, 48, 48), dtype=np.int8)


def flip(wire: bytes) -> bytes:
    b = bytearray(wire)
    b[len(b) // 2] ^= 0x10 if b[len(b) // 2] != 0x10 else 0x20
    return bytes(b)


def test_lost_reply_is_retried_and_answered_from_cache(agent_lib: ctypes.CDLL) -> None:
    t = LoopbackTransport(agent_lib, on_reply=lambda i, w: None if i == 1 else w)
    client = AgentClient(t, timeout=0.1)
    model_cycles = client.hello().model_cycles
    cycles_before = agent_lib.loopback_cycles()
    r = client.infer(1, x_of(1))  # reply 1 (the first INFER reply) is lost
    assert r.ok
    assert t.requests == 3  # HELLO, INFER, INFER again with the same sequence number
    # the retry was served from the reply cache: only one inference ran
    assert agent_lib.loopback_cycles() - cycles_before == model_cycles + 2 * p.SIM_COMMAND_CYCLES


def test_corrupted_request_gets_error_then_retry(agent_lib: ctypes.CDLL) -> None:
    t = LoopbackTransport(agent_lib, on_request=lambda i, w: flip(w) if i == 0 else w)
    info = AgentClient(t, timeout=0.5).hello()
    assert info.board_name == "loopback"
    assert t.requests == 2 and t.replies == 2  # the ERROR reply and the HELLO reply


def test_timeout_message_is_actionable(agent_lib: ctypes.CDLL) -> None:
    t = LoopbackTransport(agent_lib, on_request=lambda i, w: None)
    t.port = "/dev/pts/99"  # type: ignore[attr-defined]
    client = AgentClient(t, timeout=0.05, attempts=2)
    with pytest.raises(AgentTimeoutError, match=r"no HELLO reply in 0.05 s on /dev/pts/99"):
        client.hello()
    assert t.requests == 2


def test_non_retryable_error_raises(agent_lib: ctypes.CDLL) -> None:
    client = AgentClient(LoopbackTransport(agent_lib), timeout=0.2)
    with pytest.raises(AgentReplyError) as err:
        client.infer(0, np.zeros(100, np.int8))  # no HELLO yet: the agent checks the size
    assert err.value.code == p.ErrorCode.BAD_INPUT_SIZE and err.value.detail == 2304
    assert isinstance(err.value, ProtocolError)


def test_stream_recovers_from_losses_both_ways(agent_lib: ctypes.CDLL) -> None:
    lost_requests = {2, 5, 6}
    lost_replies = {3, 9}
    t = LoopbackTransport(
        agent_lib,
        on_request=lambda i, w: None if i in lost_requests else (flip(w) if i == 8 else w),
        on_reply=lambda i, w: None if i in lost_replies else w,
    )
    client = AgentClient(t, timeout=0.1, attempts=4)
    client.hello()
    inputs = {k: x_of(k) for k in range(20)}
    results = list(client.infer_stream(inputs.items(), window=4))
    assert [r.seq for r in results] == list(range(20))
    assert all(isinstance(r, InferResult) and r.ok for r in results)
    expected = {k: client.infer(k, x).outputs for k, x in inputs.items()}
    for r in results:
        assert isinstance(r, InferResult)
        np.testing.assert_array_equal(r.outputs, expected[r.seq])
    assert sum(r.attempts for r in results) > 20


def test_stream_reports_failures_never_drops(agent_lib: ctypes.CDLL) -> None:
    # every transmission of sample 3 is lost: it must end as a failure record, in order

    def drop_sample_3(i: int, wire: bytes) -> bytes | None:
        frame = FrameDecoder().feed(wire)[0]
        assert isinstance(frame, Frame)
        if frame.msg_type == p.MessageType.INFER and frame.payload[:1] == b"\x03":
            return None
        return wire

    t = LoopbackTransport(agent_lib, on_request=drop_sample_3)
    client = AgentClient(t, timeout=0.05, attempts=3)
    items = [(k, np.full((1, 48, 48), k, np.int8)) for k in range(8)]
    results = list(client.infer_stream(items, window=3))
    assert [r.seq for r in results] == list(range(8))
    failed = [r for r in results if isinstance(r, InferFailure)]
    assert [f.seq for f in failed] == [3]
    assert failed[0].attempts == 3 and "gave up after 3 attempts" in failed[0].error


def test_stream_wrong_size_fails_without_retry(agent_lib: ctypes.CDLL) -> None:
    from firmware.host.link import FrameLink
    from firmware.host.pipeline import PipelineRequest, run_pipeline

    link = FrameLink(LoopbackTransport(agent_lib))
    reqs = iter([PipelineRequest(0, 1, bytes(2304)), PipelineRequest(1, 2, bytes(10))])
    out = list(run_pipeline(link, reqs, window=2, timeout=0.2, attempts=3))
    assert isinstance(out[0], InferResult)
    assert isinstance(out[1], InferFailure) and out[1].code == p.ErrorCode.BAD_INPUT_SIZE
    assert out[1].attempts == 1 and "rebuild" in out[1].error


def test_window_clamped_to_rx_buffer(agent_lib: ctypes.CDLL) -> None:
    client = AgentClient(LoopbackTransport(agent_lib))
    info = client.hello()
    assert client.effective_window(8, 2400) == 8  # loopback is flow-controlled
    from dataclasses import replace

    client.info = replace(info, rx_buffer_bytes=4096)
    assert client.effective_window(8, 2400) == 1
    client.info = replace(info, rx_buffer_bytes=16384)
    assert client.effective_window(8, 2400) == 6
    client.info = replace(info, rx_buffer_bytes=0)
    assert client.effective_window(8, 2400) == 1


def test_protocol_version_mismatch_is_explained(
    agent_lib: ctypes.CDLL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(p, "PROTOCOL_VERSION", 99)
    with pytest.raises(ProtocolError, match="rebuild and reflash"):
        AgentClient(LoopbackTransport(agent_lib)).hello()


def test_device_status_failure(agent_lib: ctypes.CDLL) -> None:
    client = AgentClient(LoopbackTransport(agent_lib), timeout=0.2)
    client.hello()
    failing = np.zeros((1, 48, 48), np.int8)
    failing.reshape(-1)[:4] = np.frombuffer(b"FAIL", np.int8)  # the stub's cnn_wait fails
    r = client.infer(0, failing)
    assert r.status == p.InferStatus.CNN_WAIT_FAILED and not r.ok and r.outputs.size == 0
    results = list(client.infer_stream([(0, x_of(0)), (1, failing), (2, x_of(2))], window=2))
    assert [type(r).__name__ for r in results] == ["InferResult", "InferFailure", "InferResult"]
    assert isinstance(results[1], InferFailure) and "CNN_WAIT_FAILED" in results[1].error
    assert results[1].attempts == 1  # the device answered: not retried
