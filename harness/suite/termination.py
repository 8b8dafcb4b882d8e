"""SIGTERM handled like Ctrl-C: what ``timeout``, CI job limits and ``docker stop`` send.

:func:`sigterm_as_interrupt` makes SIGTERM raise :class:`KeyboardInterrupt` in the main
thread, so a terminated run unwinds exactly like an interrupted one: the journal segment is
closed, ``results.json`` is written with ``complete: false``, the result store row becomes
``incomplete`` and the board's processes are stopped. SIGKILL cannot be caught; for it the
journal (:mod:`harness.run.journal`), the store's owner check (``aborted``) and the children's
parent-death signal (:mod:`harness.devices.processes`) take over.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

Restore = Callable[[], None]


class TerminatedError(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM."""


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise TerminatedError(f"terminated by signal {signum} (SIGTERM)")


def sigterm_as_interrupt() -> Restore:
    """Install the SIGTERM handler; return a function that restores the previous one.

    Does nothing (and restores nothing) outside the main thread or when SIGTERM already has a
    handler of the program's own (not the default action).
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: Any = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None) and previous is not _raise_interrupt:
        return lambda: None
    signal.signal(signal.SIGTERM, _raise_interrupt)

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is _raise_interrupt:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

    return restore
