"""Stream a test set through the board, pipelined, keeping a record of every image.

:func:`stream_samples` feeds the int8 inputs to ``client.infer_stream(items, window)`` so up to
``window`` requests are in flight (the link is never idle). Each reply becomes a
:class:`~harness.results.SampleRecord`: device outputs, golden comparison, cycles and the host
round-trip time of the answered attempt, or a failed record (the client's
:class:`~firmware.messages.InferFailure` reason after its retries, or a device status). The
record goes to ``sink`` at once (``samples.jsonl`` is appended as results arrive, so an
interrupted run keeps what it measured).

When the stream breaks (an exception from the link), the sample it was waiting for is recorded
as failed with the error text, the link is re-synchronised (``ping``) and the stream resumes
with the next image; after ``max_consecutive_failures`` failures in a row the remaining images
are recorded as failed ("not attempted") rather than dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from harness.results import SampleRecord, device_result, failed_result


class StreamingClient(Protocol):
    """The part of :class:`firmware.client.AgentClient` streaming needs."""

    def infer_stream(
        self, items: Iterable[tuple[int, np.ndarray]], window: int = ...
    ) -> Iterator[Any]:
        """Yield one reply (result or failure) per ``(key, x)`` item, in order."""
        ...

    def ping(self) -> Any:
        """Round-trip a PING (used to re-synchronise)."""
        ...


Sink = Callable[[SampleRecord], None]


def _reply_fields(reply: Any) -> tuple[list[int], int | None, str | None]:
    """Return (outputs, cycles, error text or None) of an INFER result or failure."""
    if getattr(reply, "error", None) is not None and not getattr(reply, "ok", False):
        attempts = getattr(reply, "attempts", None)
        tries = f" after {attempts} attempts" if attempts else ""
        return [], None, f"{reply.error}{tries}"
    status = int(getattr(reply, "status", 0) or 0)
    outputs = [int(v) for v in np.asarray(getattr(reply, "outputs", [])).ravel()]
    cycles = getattr(reply, "cycles", None)
    error = None if status == 0 else f"device status {status}"
    return outputs, (None if cycles is None else int(cycles)), error


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
    on_progress: Callable[[int], None] | None = None,
) -> list[SampleRecord]:
    """Run every input through ``client``; return one record per input, in order.

    Args:
        client: the protocol client.
        inputs: int8 ``(N, C, H, W)`` model inputs.
        templates: one record per input carrying index, id, label and golden outputs.
        sink: called with each finished record as soon as it exists.
        window: requests in flight.
        clock_hz: core clock for cycles -> microseconds.
        tolerance: largest allowed |device - golden|.
        max_consecutive_failures: give up on the link after this many failures in a row.
        on_progress: called with the number of records finished so far.
    """
    records: list[SampleRecord] = []
    sent_at: dict[int, float] = {}
    consecutive = 0

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
            for reply in client.infer_stream(items(), window=window):
                i = len(records)
                if getattr(reply, "seq", i) != i:
                    raise RuntimeError(f"reply for sample {reply.seq} while waiting for {i}")
                queued = (time.perf_counter() - sent_at.pop(i, time.perf_counter())) * 1e3
                device_rtt = getattr(reply, "rtt_s", None)
                rtt = device_rtt * 1e3 if device_rtt else queued
                outputs, cycles, error = _reply_fields(reply)
                record = templates[i]
                if error is not None:
                    finish(failed_result(record, error, rtt))
                    continue
                finish(device_result(record, outputs, cycles, clock_hz, rtt, tolerance))
                consecutive = 0
            if len(records) < len(templates):
                raise RuntimeError("the reply stream ended before every image was answered")
        except Exception as exc:  # the link broke: record, re-sync, resume with the next image
            i = len(records)
            if i >= len(templates):
                break
            finish(failed_result(templates[i], f"{type(exc).__name__}: {exc}"))
            consecutive += 1
            if consecutive >= max_consecutive_failures:
                for j in range(len(records), len(templates)):
                    finish(
                        failed_result(
                            templates[j],
                            f"not attempted: {consecutive} consecutive failures, last: {exc}",
                        )
                    )
                break
            try:
                client.ping()
            except Exception:  # the next attempt records its own failure
                time.sleep(0.1)
    return records
