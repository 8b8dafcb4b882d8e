"""One test set streamed across several boards at once, with work stealing.

Every board (a :class:`Lane`) runs in its own thread and takes the next small chunk of samples
from one shared :class:`WorkQueue` whenever it is free, so a slow board slows nothing: it simply
takes fewer chunks. Each chunk goes through :func:`harness.run.streaming.stream_samples` (pipelined,
with the board's own recovery ladder). When a board's ladder is exhausted the board is taken out
of the run: its unfinished samples (those recorded "not attempted" and the failures in a row that
killed it) go back to the queue for the other boards. A sample therefore ends as exactly one
record, tagged ``board`` with the board that produced it; only when every board is out are the
remaining samples recorded as failed.
"""

from __future__ import annotations

import logging
import queue as queue_module
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from harness.run.results import SampleRecord, failed_result
from harness.run.streaming import stream_samples

LOG = logging.getLogger("ferhil.sharding")

NOT_ATTEMPTED = "not attempted:"


@dataclass
class Lane:
    """One board of a sharded run: its client, recovery and what it did.

    Attributes:
        name: the board's name (the ``board`` tag of its records).
        client: its protocol client (replaced after a recovery).
        recover: the board's recovery ladder; returns a working client or raises.
        clock_hz: the board's core clock (cycles -> microseconds).
        recoveries: recoveries used so far.
        samples: records this board produced.
        busy_s: seconds spent streaming.
        retired: why the board was taken out (``None`` while it runs).
    """

    name: str
    client: Any
    recover: Callable[[], Any]
    clock_hz: float | None = None
    recoveries: int = 0
    samples: int = 0
    busy_s: float = 0.0
    retired: str | None = None
    requeued: list[int] = field(default_factory=list)


class WorkQueue:
    """Sample indices waiting for a board; a taker waits while others may still hand work back."""

    def __init__(self, indices: Sequence[int]) -> None:
        self._todo: deque[int] = deque(indices)
        self._in_flight = 0
        self._cond = threading.Condition()
        self.stopped = False

    def take(self, size: int) -> list[int]:
        """Return up to ``size`` indices; ``[]`` when everything is done (or stopped)."""
        with self._cond:
            while not self._todo and self._in_flight and not self.stopped:
                self._cond.wait(0.5)
            if self.stopped or not self._todo:
                return []
            batch = [self._todo.popleft() for _ in range(min(size, len(self._todo)))]
            self._in_flight += 1
            return batch

    def done(self, requeue: Sequence[int] = ()) -> None:
        """Finish a taken chunk, handing ``requeue`` back to the front of the queue."""
        with self._cond:
            self._todo.extendleft(reversed(list(requeue)))
            self._in_flight -= 1
            self._cond.notify_all()

    def remaining(self) -> int:
        """Indices not yet taken."""
        with self._cond:
            return len(self._todo)

    def drain(self) -> list[int]:
        """Remove and return every index not yet taken."""
        with self._cond:
            rest = list(self._todo)
            self._todo.clear()
            self._cond.notify_all()
            return rest

    def stop(self) -> None:
        """Let every taker return (Ctrl-C)."""
        with self._cond:
            self.stopped = True
            self._cond.notify_all()


def chunk_size(remaining: int, lanes: int, window: int, largest: int = 32) -> int:
    """Chunk for the next take: big while much is left, small at the tail so boards end together."""
    return max(1, min(largest, max(window, remaining // max(1, 4 * lanes))))


def _fresh(template: SampleRecord) -> SampleRecord:
    return replace(template, extra=dict(template.extra))


def _unfinished(records: Sequence[SampleRecord]) -> list[int]:
    """Positions of a dead board's chunk to hand back.

    Those are the samples recorded "not attempted" and the failures in a row at the chunk's end
    (they failed because the board died).
    """
    positions = [k for k, r in enumerate(records) if (r.error or "").startswith(NOT_ATTEMPTED)]
    tail = len(records)
    while tail > 0 and records[tail - 1].status != "ok":
        tail -= 1
    return sorted(set(positions) | set(range(tail, len(records))))


def _check_after_failure(
    lane: Lane, records: Sequence[SampleRecord], recover: Callable[[], Any], budget: int
) -> list[int]:
    """A chunk ended in failures: is the board still there? Return positions to hand back.

    The board answers a PING, or its recovery ladder brings it back: the failures stand.
    Otherwise the board is taken out and the failures at the chunk's end go to the others.
    """
    try:
        lane.client.ping()
        return []
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
    try:
        if lane.recoveries >= budget:
            raise RuntimeError(f"recovery ladder used {lane.recoveries} times")
        recover()
        return []
    except Exception as exc:
        lane.retired = f"board unreachable ({reason}); recovery: {type(exc).__name__}: {exc}"
        LOG.warning("board %s taken out of the run: %s", lane.name, lane.retired)
    return _unfinished(records)


def stream_sharded(
    lanes: Sequence[Lane],
    inputs: np.ndarray,
    templates: Sequence[SampleRecord],
    sink: Callable[[SampleRecord], None],
    *,
    window: int = 4,
    tolerance: int = 0,
    max_recoveries: int = 2,
    on_progress: Callable[[int], None] | None = None,
    tta: bool = False,
) -> list[SampleRecord]:
    """Stream ``inputs`` across ``lanes``; return one record per input (any order).

    Args:
        lanes: the boards (at least one).
        inputs: int8 model inputs, one per template.
        templates: one record per input (index, id, label, golden outputs).
        sink: called (from the board threads, serialised) with each final record.
        window: requests in flight per board.
        tolerance: largest allowed |device - golden|.
        max_recoveries: recovery ladder climbs per board over the whole run.
        on_progress: called with the number of final records so far.
        tta: ask every board for the on-device TTA too (``--tta``).
    """
    queue = WorkQueue(range(len(templates)))
    finished: queue_module.SimpleQueue[SampleRecord] = queue_module.SimpleQueue()
    final: list[SampleRecord] = []

    def publish(records: Sequence[SampleRecord]) -> None:
        for record in records:
            finished.put(record)

    def deliver(wait_s: float) -> None:
        """Hand finished records to ``sink`` from the caller's thread."""
        try:
            record = finished.get(timeout=wait_s)
        except queue_module.Empty:
            return
        while True:
            final.append(record)
            sink(record)
            try:
                record = finished.get_nowait()
            except queue_module.Empty:
                break
        if on_progress is not None:
            on_progress(len(final))

    def live() -> int:
        return sum(1 for lane in lanes if lane.retired is None)

    def work(lane: Lane) -> None:
        def recover() -> Any:
            lane.recoveries += 1
            lane.client = lane.recover()
            return lane.client

        while lane.retired is None:
            batch = queue.take(chunk_size(queue.remaining(), live(), window))
            if not batch:
                return
            chunk = [_fresh(templates[i]) for i in batch]
            t0 = time.perf_counter()
            try:
                records = stream_samples(
                    lane.client,
                    inputs[batch],
                    chunk,
                    lambda r: None,
                    window=window,
                    clock_hz=lane.clock_hz,
                    tolerance=tolerance,
                    recover=recover,
                    max_recoveries=max(0, max_recoveries - lane.recoveries),
                    tta=tta,
                )
                back = (
                    _unfinished(records)
                    if any((r.error or "").startswith(NOT_ATTEMPTED) for r in records)
                    else []
                )
                if back:
                    lane.retired = records[back[0]].error or "board unreachable"
                    LOG.warning("board %s taken out of the run: %s", lane.name, lane.retired)
                elif records and records[-1].status != "ok":
                    back = _check_after_failure(lane, records, recover, max_recoveries)
            except Exception as exc:  # a bug or an unexpected link error: hand it all back
                records, back = chunk, list(range(len(chunk)))
                lane.retired = f"{type(exc).__name__}: {exc}"
                LOG.exception("board %s failed a chunk; its samples go to the others", lane.name)
            lane.busy_s += time.perf_counter() - t0
            keep = [r for k, r in enumerate(records) if k not in set(back)]
            for record in keep:
                record.extra["board"] = lane.name
            lane.samples += len(keep)
            lane.requeued.extend(batch[k] for k in back)
            if back:
                LOG.info("board %s handed %d sample(s) back to the queue", lane.name, len(back))
            LOG.debug("board %s finished a chunk of %d", lane.name, len(batch))
            publish(keep)
            queue.done([batch[k] for k in back])

    threads = [
        threading.Thread(target=work, args=(lane,), name=f"ferhil-board-{lane.name}", daemon=True)
        for lane in lanes
    ]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            deliver(0.1)
    except BaseException:
        queue.stop()
        for thread in threads:
            thread.join(10.0)
        while not finished.empty():
            deliver(0.0)
        raise
    rest = queue.drain()
    if rest:
        why = "; ".join(f"{lane.name}: {lane.retired}" for lane in lanes if lane.retired)
        LOG.error("%d sample(s) not attempted: every board is out (%s)", len(rest), why)
        publish(
            [
                failed_result(_fresh(templates[i]), f"{NOT_ATTEMPTED} every board is out ({why})")
                for i in rest
            ]
        )
    while not finished.empty():
        deliver(0.0)
    return sorted(final, key=lambda r: r.index)
