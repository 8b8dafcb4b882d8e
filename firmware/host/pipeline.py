"""Pipelined INFER streaming over a :class:`~firmware.host.link.FrameLink`.

Up to ``window`` requests are in flight. The agent handles frames strictly in order, so:

* a reply to a request implies that every request *transmitted before it* and still
  unanswered was lost: those are sent again at once (fast retransmit);
* if nothing answers the oldest in-flight request within ``timeout`` of the later of its
  transmission and the last progress, every in-flight request is sent again (go-back-N);
* an ERROR reply naming an in-flight request is retried when the error is a link error
  (:data:`~firmware.host.protocol.RETRYABLE_ERRORS`) and fails the sample otherwise.

A retry reuses the request's sequence number, so a request that was answered after all (its
reply was lost) is answered again from the agent's reply cache or recomputed; a second reply
for a finished request is ignored. Each sample is sent at most ``attempts`` times, then it
becomes an :class:`~firmware.host.messages.InferFailure` with the reason; a reply whose status
says a CNN call failed on the device becomes an ``InferFailure`` too (not retried: the device
answered). Results come out in submission order.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from firmware.host import protocol as p
from firmware.host.agent_errors import FrameError, ProtocolError
from firmware.host.codec import Frame
from firmware.host.link import FrameLink
from firmware.host.messages import (
    InferFailure,
    InferResult,
    infer_result,
    parse_error_reply,
)

_INFER_REPLY = int(p.MessageType.INFER) | p.REPLY_BIT
_ERROR_REPLY = int(p.MessageType.ERROR) | p.REPLY_BIT


def describe_status(status: int) -> str:
    """Explain a non-zero INFER/BENCH status."""
    try:
        name = p.InferStatus(status).name
    except ValueError:
        name = f"unknown status {status}"
    return (
        f"the device reported {name}: a CNN call failed on the board; "
        "check the firmware build for this model and reset the board"
    )


@dataclass
class PipelineRequest:
    """One sample to infer: caller key, wire sequence number, input bytes and header flags.

    ``flags`` with :data:`~firmware.host.protocol.REQUEST_FLAG_TTA_HFLIP` asks for TTA as well.
    """

    key: int
    seq: int
    data: bytes
    flags: int = 0


@dataclass
class _InFlight:
    request: PipelineRequest
    attempts: int = 0
    sent_index: int = -1
    sent_at: float = 0.0
    outcome: InferResult | InferFailure | None = None


class _Pipeline:
    def __init__(self, link: FrameLink, window: int, timeout: float, attempts: int) -> None:
        self.link = link
        self.window = max(1, window)
        self.timeout = timeout
        self.attempts = attempts
        self.order: deque[_InFlight] = deque()
        self.inflight: dict[int, _InFlight] = {}
        self.send_counter = 0
        self.last_progress = time.monotonic()

    def transmit(self, item: _InFlight) -> None:
        item.attempts += 1
        item.sent_index = self.send_counter
        self.send_counter += 1
        item.sent_at = time.monotonic()
        self.inflight[item.request.seq] = item
        request = item.request
        self.link.send(Frame(int(p.MessageType.INFER), request.seq, request.data, request.flags))

    def finish(self, item: _InFlight, outcome: InferResult | InferFailure) -> None:
        item.outcome = outcome
        self.inflight.pop(item.request.seq, None)

    def retry_or_fail(self, item: _InFlight, reason: str, code: int | None = None) -> None:
        if item.attempts >= self.attempts:
            self.finish(
                item,
                InferFailure(
                    item.request.key,
                    f"{reason} (gave up after {item.attempts} attempts)",
                    item.attempts,
                    code,
                ),
            )
        else:
            self.transmit(item)

    def retransmit_overtaken(self, answered: _InFlight) -> None:
        lost = [q for q in self.inflight.values() if q.sent_index < answered.sent_index]
        for q in sorted(lost, key=lambda q: q.sent_index):
            self.retry_or_fail(q, "request lost on the link (a later request was answered)")

    def on_frame(self, frame: Frame) -> None:
        item = self.inflight.get(frame.seq)
        if item is None:
            return  # stale duplicate or unsolicited ERROR for garbage: nothing to do
        now = time.monotonic()
        if frame.msg_type == _INFER_REPLY:
            self.last_progress = now
            self.retransmit_overtaken(item)
            tta = bool(item.request.flags & p.REQUEST_FLAG_TTA_HFLIP)
            try:
                result = infer_result(
                    item.request.key, frame.payload, tta, now - item.sent_at, item.attempts
                )
            except ProtocolError as exc:
                self.retry_or_fail(item, str(exc))
                return
            if result.status != p.InferStatus.OK:
                self.finish(
                    item,
                    InferFailure(item.request.key, describe_status(result.status), item.attempts),
                )
                return
            self.finish(item, result)
        elif frame.msg_type == _ERROR_REPLY:
            error = parse_error_reply(frame.seq, frame.payload)
            if error.request_type not in (0, int(p.MessageType.INFER)):
                return
            self.last_progress = now
            if error.seq_valid:
                self.retransmit_overtaken(item)
            if error.code in p.RETRYABLE_ERRORS:
                self.retry_or_fail(item, str(error), error.code)
            else:
                failure = InferFailure(item.request.key, str(error), item.attempts, error.code)
                self.finish(item, failure)

    def on_timeout(self) -> None:
        self.last_progress = time.monotonic()
        for q in sorted(self.inflight.values(), key=lambda q: q.sent_index):
            self.retry_or_fail(q, f"no INFER reply within {self.timeout:g} s")

    def run(self, requests: Iterator[PipelineRequest]) -> Iterator[InferResult | InferFailure]:
        exhausted = False
        while True:
            while not exhausted and len(self.inflight) < self.window:
                request = next(requests, None)
                if request is None:
                    exhausted = True
                    break
                item = _InFlight(request)
                self.order.append(item)
                self.transmit(item)
            while self.order and self.order[0].outcome is not None:
                outcome = self.order.popleft().outcome
                assert outcome is not None
                yield outcome
            if not self.inflight:
                if exhausted and not self.order:
                    return
                continue
            oldest = min(self.inflight.values(), key=lambda q: q.sent_index)
            deadline = max(oldest.sent_at, self.last_progress) + self.timeout
            event = self.link.receive(deadline)
            if event is None:
                self.on_timeout()
            elif not isinstance(event, FrameError):
                self.on_frame(event)


def run_pipeline(
    link: FrameLink,
    requests: Iterator[PipelineRequest],
    *,
    window: int,
    timeout: float,
    attempts: int,
) -> Iterator[InferResult | InferFailure]:
    """Stream ``requests`` through the agent; yield one outcome per request, in order."""
    return _Pipeline(link, window, timeout, attempts).run(requests)
