"""The one supervisor of the harness's child processes: they never outlive the harness.

Every program the harness starts (the hostsim board, QEMU, OpenOCD) goes through :func:`spawn`
or :func:`run`:

* the child asks the kernel for a parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGKILL)``,
  Linux): when the harness dies in any way, SIGKILL included, the kernel kills the child; the
  child also checks that its parent is still the harness right after the call, closing the
  race with a parent that died during the fork;
* the child stays in the harness's process group (``kill -- -PGID`` stops the whole run);
* :func:`stop_all` (also registered with :mod:`atexit`) stops the children still running at a
  normal exit.

The simulated power meter's SCPI server is a thread of the harness process and dies with it.
The parent-death signal fires when the *thread* that started the child exits, so children are
only ever started from long-lived threads: the main thread, or else one daemon spawner thread
that lives as long as the process (boards brought up in parallel threads, for example, hand
their launches to it).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

PR_SET_PDEATHSIG = 1
STOP_GRACE_S = 3.0

_LIBC: Any = None
if sys.platform.startswith("linux"):  # loaded here: dlopen after fork could deadlock
    try:
        _LIBC = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no libc symbols
        _LIBC = None

_CHILDREN: weakref.WeakSet[subprocess.Popen[Any]] = weakref.WeakSet()


def _death_signal_preexec(
    parent: int, extra: Callable[[], Any] | None = None
) -> Callable[[], None]:
    """Return the ``preexec_fn`` run in the child between fork and exec."""

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
            if os.getppid() != parent:  # the harness died before prctl took effect
                os._exit(1)
        if extra is not None:
            extra()

    return preexec


def parent_death_supported() -> bool:
    """True when children get the parent-death signal (Linux)."""
    return _LIBC is not None


_SPAWN_JOBS: queue.SimpleQueue[tuple[Callable[[], Any], list[Any], threading.Event]] = (
    queue.SimpleQueue()
)
_SPAWNER_LOCK = threading.Lock()
_SPAWNER: threading.Thread | None = None


def _spawner_loop() -> None:
    while True:
        job, box, done = _SPAWN_JOBS.get()
        try:
            box.append((True, job()))
        except BaseException as exc:  # handed back to the caller's thread
            box.append((False, exc))
        done.set()


def _on_long_lived_thread(job: Callable[[], Any]) -> Any:
    """Run ``job`` on the main thread (directly) or on the process-long spawner thread."""
    global _SPAWNER
    if threading.current_thread() is threading.main_thread():
        return job()
    with _SPAWNER_LOCK:
        if _SPAWNER is None or not _SPAWNER.is_alive():
            _SPAWNER = threading.Thread(target=_spawner_loop, name="ferhil-spawner", daemon=True)
            _SPAWNER.start()
    box: list[Any] = []
    done = threading.Event()
    _SPAWN_JOBS.put((job, box, done))
    done.wait()
    ok, value = box[0]
    if not ok:
        raise value
    return value


def spawn(argv: Sequence[str], **popen_kwargs: Any) -> subprocess.Popen[Any]:
    """Start ``argv`` as a supervised child (see the module docstring).

    Args:
        argv: the program and its arguments.
        **popen_kwargs: passed to :class:`subprocess.Popen` (a given ``preexec_fn`` runs after
            the parent-death setup; ``start_new_session`` is refused: the child must stay in
            the run's process group).

    Raises:
        ValueError: ``start_new_session`` was asked for.
        OSError: the program cannot be started.
    """
    if popen_kwargs.pop("start_new_session", False):
        raise ValueError("supervised children stay in the harness's process group")
    extra = popen_kwargs.pop("preexec_fn", None)
    preexec = _death_signal_preexec(os.getpid(), extra)
    proc: subprocess.Popen[Any] = _on_long_lived_thread(
        lambda: subprocess.Popen(list(argv), preexec_fn=preexec, **popen_kwargs)
    )
    _CHILDREN.add(proc)
    return proc


def stop(proc: subprocess.Popen[Any], grace_s: float = STOP_GRACE_S) -> int | None:
    """Terminate ``proc``, kill it after ``grace_s`` seconds; return its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            try:
                proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                return None
    _CHILDREN.discard(proc)
    return proc.returncode


def run(
    argv: Sequence[str], *, timeout: float, **popen_kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` to completion like :func:`subprocess.run` (text output captured).

    Raises:
        subprocess.TimeoutExpired: after ``timeout`` seconds (the child is killed first).
    """
    proc = spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen_kwargs)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        _CHILDREN.discard(proc)
        raise
    _CHILDREN.discard(proc)
    return subprocess.CompletedProcess(list(argv), proc.returncode, out, err)


def live_children() -> list[subprocess.Popen[Any]]:
    """The supervised children still running."""
    return [p for p in list(_CHILDREN) if p.poll() is None]


def stop_all() -> None:
    """Stop every supervised child still running (registered with :mod:`atexit`)."""
    for proc in live_children():
        stop(proc, grace_s=1.0)


atexit.register(stop_all)
