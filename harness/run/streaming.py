"""Stream a test set through the board, pipelined, keeping a record of every image.

:func:`stream_samples` feeds the int8 inputs to ``client.infer_stream(items, window)`` so up to
``window`` requests are in flight (the link is never idle). Each reply becomes a
:class:`~harness.run.results.SampleRecord`: device outputs, golden comparison, cycles and the host
round-trip time of the answered attempt, or a failed record (the client's
:class:`~firmware.host.messages.InferFailure` reason after its retries, or a device status). The
record goes to ``sink`` at once (``samples.jsonl`` is appended as results arrive, so an
interrupted run keeps what it measured).

When the stream breaks (an exception from the link), the sample it was waiting for is recorded
as failed with the error text, the link is re-synchronised (``ping``) and the stream resumes
with the next image. A dead link (``ping`` fails, or ``max_consecutive_failures`` failed samples
in a row) climbs a recovery ladder: the caller's ``recover`` resets the board and, if that does
not help, relaunches or reflashes it. When recovery is impossible the remaining images are
recorded as failed ("not attempted") rather than dropped, so a hung board costs seconds, not a
timeout per image.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

import numpy as np

from firmware.host.messages import InferFailure, InferResult
from harness.run.results import SampleRecord, device_result, failed_result
from harness.run.tta import fill_record as fill_tta_record


class StreamingClient(Protocol):
    """The part of :class:`firmware.host.client.AgentClient` streaming needs."""

    def infer_stream(
        self, items: Iterable[tuple[int, np.ndarray]], window: int = ..., *, tta: bool = ...
    ) -> Iterator[InferResult | InferFailure]:
        """Yield one reply (result or failure) per ``(key, x)`` item (``tta``: with TTA)."""
        ...

    def alive(self) -> bool:
        """One PING, one attempt: does the agent answer (used to re-synchronise)?"""
        ...


Sink = Callable[[SampleRecord], None]

LOG = logging.getLogger("ferhil.streaming")


def _reply_fields(reply: InferResult | InferFailure) -> tuple[list[int], int | None, str | None]:
    """Return (outputs, cycles, error text or None) of an INFER result or failure."""
    if isinstance(reply, InferFailure):
        attempts = reply.attempts
        # firmware.host.pipeline already says "gave up after N"
        said = "attempt" in str(reply.error)
        tries = f" after {attempts} attempts" if attempts and not said else ""
        return [], None, f"{reply.error}{tries}"
    status = int(reply.status or 0)
    outputs = [int(v) for v in np.asarray(reply.outputs).ravel()]
    cycles = reply.cycles
    error = None if status == 0 else f"device status {status}"
    return outputs, (None if cycles is None else int(cycles)), error


class _LinkDownError(Exception):
    """Too many failures in a row: time for the recovery ladder."""


def stream_samples(
    client: StreamingClient,
    inputs: np.ndarray,
    templates: Sequence[SampleRecord],
    sink: Sink,
    *,
    window: int = 4,
    clock_hz: float | None = None,
    tolerance: int = 0,
    max_consecutive_failures: int = 3,
    recover: Callable[[], StreamingClient] | None = None,
    max_recoveries: int = 2,
    on_progress: Callable[[int], None] | None = None,
    tta: bool = False,
) -> list[SampleRecord]:
    """Run every input through ``client``; return one record per input, in order.

    Recovery ladder: a broken stream is re-synchronised with ``ping``; when that fails, or after
    ``max_consecutive_failures`` failed samples in a row, ``recover()`` (reset, then relaunch
    or reflash the board) supplies a new client, at most ``max_recoveries`` times in a row
    (a successful sample renews the budget); then the remaining images are recorded as not
    attempted.

    Args:
        client: the protocol client.
        inputs: int8 ``(N, C, H, W)`` model inputs.
        templates: one record per input carrying index, id, label and golden outputs.
        sink: called with each finished record as soon as it exists.
        window: requests in flight.
        clock_hz: core clock for cycles -> microseconds.
        tolerance: largest allowed |device - golden|.
        max_consecutive_failures: failed samples in a row that count as a dead link.
        recover: returns a client for a recovered board (``None``: no recovery).
        max_recoveries: how often ``recover`` may be used.
        on_progress: called with the number of records finished so far.
        tta: ask for the on-device TTA too (``--tta``); records get ``tta_*`` fields
            (:mod:`harness.run.tta`) beside the single-pass result.
    """
    records: list[SampleRecord] = []
    sent_at: dict[int, float] = {}
    consecutive = 0
    recoveries = 0

    def finish(record: SampleRecord) -> None:
        records.append(record)
        sink(record)
        if on_progress is not None:
            on_progress(len(records))

    while len(records) < len(templates):
        start = len(records)

        def items(first: int = start) -> Iterator[tuple[int, np.ndarray]]:
            for i in range(first, len(templates)):
                sent_at[i] = time.perf_counter()
                yield i, inputs[i]

        try:
            replies = (
                client.infer_stream(items(), window=window, tta=True)
                if tta
                else client.infer_stream(items(), window=window)
            )
            for reply in replies:
                i = len(records)
                if reply.seq != i:
                    raise RuntimeError(f"reply for sample {reply.seq} while waiting for {i}")
                queued = (time.perf_counter() - sent_at.pop(i, time.perf_counter())) * 1e3
                device_rtt = reply.rtt_s if isinstance(reply, InferResult) else None
                rtt = device_rtt * 1e3 if device_rtt else queued
                outputs, cycles, error = _reply_fields(reply)
                if error is None:
                    record = device_result(templates[i], outputs, cycles, clock_hz, rtt, tolerance)
                    if tta and isinstance(reply, InferResult):
                        fill_tta_record(record, reply, clock_hz, tolerance)
                    attempts = reply.attempts
                    if isinstance(attempts, int) and attempts > 1:
                        record.extra["attempts"] = attempts
                        LOG.warning(
                            "sample %s (%s) answered after %d attempts",
                            i,
                            templates[i].id,
                            attempts,
                        )
                    LOG.debug("sample %d answered: rtt %.3f ms", i, rtt)
                    finish(record)
                    consecutive = 0
                    recoveries = 0  # the board works again: the next outage gets a full ladder
                    continue
                LOG.warning("sample %s (%s) failed: %s", i, templates[i].id, error)
                finish(failed_result(templates[i], error, rtt))
                consecutive += 1
                if consecutive >= max_consecutive_failures and len(records) < len(templates):
                    raise _LinkDownError(error)
            if len(records) < len(templates):
                raise RuntimeError("the reply stream ended before every image was answered")
        except Exception as exc:  # record, then climb the recovery ladder
            if len(records) >= len(templates):
                break
            reason = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, _LinkDownError):
                LOG.warning(
                    "stream broke at sample %s (%s): %s",
                    len(records),
                    templates[len(records)].id,
                    reason,
                )
                finish(failed_result(templates[len(records)], reason))
                consecutive += 1
            healthy = consecutive < max_consecutive_failures and _ping(client)
            if healthy or len(records) >= len(templates):
                LOG.info("link re-synchronised; resuming at sample %d", len(records))
                continue
            if recover is None or recoveries >= max_recoveries:
                _give_up(
                    templates,
                    finish,
                    len(records),
                    f"board unreachable after {consecutive} failed sample(s) and {recoveries} "
                    f"recoveries; last: {reason}",
                )
                break
            recoveries += 1
            LOG.warning(
                "link down after %d failed sample(s): recovery %d of %d",
                consecutive,
                recoveries,
                max_recoveries,
            )
            try:
                client = recover()
                consecutive = 0
                LOG.info("board recovered; resuming at sample %d", len(records))
            except Exception as rexc:
                _give_up(
                    templates,
                    finish,
                    len(records),
                    f"recovery failed ({type(rexc).__name__}: {rexc}); last: {reason}",
                )
                break
    return records


def _ping(client: StreamingClient) -> bool:
    """Is the link alive? One attempt (``alive()``): bounded time."""
    try:
        return bool(client.alive())
    except Exception:
        return False


def _give_up(templates: Sequence[SampleRecord], finish: Sink, first: int, why: str) -> None:
    LOG.error("%d sample(s) not attempted: %s", len(templates) - first, why)
    for j in range(first, len(templates)):
        finish(failed_result(templates[j], f"not attempted: {why}"))
