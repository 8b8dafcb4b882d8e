"""Is the process that records a ``running`` run still there? (the store's ``aborted`` rule).

A run row records its owner: host name, process id and the process's start time (Linux
``/proc/<pid>/stat``, so a recycled pid is not mistaken for the owner). A ``running`` row whose
owner runs on this host and is gone, or, on another host, whose heartbeat (the row's
``updated`` time, refreshed with every batch of samples) is older than
:data:`STALE_AFTER_S`, is marked ``aborted`` by the next store access: it never stays
``running`` and is never a baseline.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

STALE_AFTER_S = 3600.0
"""Seconds without a heartbeat after which a run owned by another host counts as aborted."""


def _start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), or ``None``."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])  # field 22 of proc(5), counted after the ")" of the name
    except (IndexError, ValueError):
        return None


def current_owner() -> dict[str, Any]:
    """The owner record of this process: ``host``, ``pid`` and ``start_ticks``."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "start_ticks": _start_ticks(pid)}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_gone(
    owner: Mapping[str, Any] | None, updated: datetime | None, now: datetime | None = None
) -> bool:
    """True when the run recorded with ``owner`` and last heartbeat ``updated`` is dead.

    Args:
        owner: the ``run.owner`` record (``None`` for runs recorded before owners existed:
            judged by the heartbeat alone).
        updated: the row's last heartbeat (UTC).
        now: the current time (for tests).
    """
    now = now or datetime.now(UTC)
    stale = updated is None or (now - updated).total_seconds() > STALE_AFTER_S
    if not owner or owner.get("host") != socket.gethostname():
        return stale
    pid = owner.get("pid")
    if not isinstance(pid, int) or not _pid_alive(pid):
        return True
    ticks = owner.get("start_ticks")
    return ticks is not None and _start_ticks(pid) not in (None, ticks)
