"""Spread golden inference over CPU cores: one thread per core, single-threaded BLAS in each.

OpenBLAS's own threads spin-wait for each other; on a busy machine (2 cores shared with a
training run) a two-thread matrix product can take several times longer than a one-thread one.
Running independent batch chunks in Python threads (numpy releases the GIL in BLAS and in array
loops) with BLAS limited to one thread keeps both cores busy on an idle machine and degrades
gracefully on a loaded one. Results do not depend on any of this: every product is exact.

``FERHIL_GOLDEN_THREADS`` overrides the number of worker threads (1 = run in the caller's thread
and leave BLAS threading alone). Without the optional ``threadpoolctl`` package the work runs in
the caller's thread.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

THREADS_ENV = "FERHIL_GOLDEN_THREADS"


def worker_count() -> int:
    """Return the number of worker threads to use (``$FERHIL_GOLDEN_THREADS`` or the CPU count)."""
    env = os.environ.get(THREADS_ENV, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[bool]:
    """Limit BLAS to one thread inside the block; yield False when that is not possible."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional dependency
        yield False
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield True


def map_chunks(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """Return ``[fn(item) for item in items]``, computed by worker threads when it helps."""
    workers = min(worker_count(), len(items))
    if workers <= 1:
        return [fn(item) for item in items]
    with _single_threaded_blas() as limited:
        if not limited:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))
