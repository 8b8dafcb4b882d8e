"""A labgrid place leased for a run: acquired through the coordinator, released at the end.

:class:`PlaceLease` acquires the place with ``labgrid-client acquire`` (a place already
acquired by this user and host, e.g. by hand before the run, is used and left acquired), reads
the place's resources through labgrid's own :class:`~labgrid.resource.remote.RemotePlace`
(its ``NetworkSerialPort`` or local serial port, and a debug probe resource where present) and
releases the place on :meth:`release`, at interpreter exit and hence after Ctrl-C too. A place
acquired by someone else is refused with a :class:`PlaceLockedError` that names the holder.
The coordinator address comes from ``--coordinator`` / ``$LG_COORDINATOR`` (labgrid's own
variable). labgrid's Python API is driven from the thread that created the lease only.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, HarnessError

ACQUIRE_TIMEOUT_S = 60.0
#: Place tag naming the ferhil board kind behind a place (default: a real MAX78000FTHR).
KIND_TAG = "ferhil_kind"


class PlaceLockedError(HarnessError):
    """The labgrid place is acquired by someone else."""


@dataclass(frozen=True)
class PlaceResources:
    """What ferhil uses of a place: its serial port, its speed, its probe and its tags."""

    serial_url: str
    speed: int | None
    probe: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def _client_binary() -> str:
    found = shutil.which("labgrid-client") or str(Path(sys.executable).with_name("labgrid-client"))
    if not Path(found).exists():
        raise ConfigError(
            "labgrid-client not found: install labgrid (pip install labgrid) to use --place"
        )
    return found


class PlaceLease:
    """One labgrid place held by this run (see the module docstring)."""

    def __init__(self, name: str, coordinator: str | None = None) -> None:
        self.name = name
        self.coordinator = coordinator or os.environ.get("LG_COORDINATOR") or "127.0.0.1:20408"
        self.held = False
        self._lock = threading.Lock()
        self._resources: PlaceResources | None = None

    def _client(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LG_COORDINATOR": self.coordinator}
        try:
            return subprocess.run(
                [_client_binary(), "-x", self.coordinator, "-p", self.name, *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=ACQUIRE_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise HarnessError(
                f"labgrid coordinator {self.coordinator} did not answer within "
                f"{ACQUIRE_TIMEOUT_S:g} s; check --coordinator / $LG_COORDINATOR"
            ) from None

    def acquire(self) -> None:
        """Acquire the place (reuse it when this user already holds it).

        Raises:
            PlaceLockedError: someone else holds the place.
            HarnessError: the coordinator or the place cannot be used.
        """
        with self._lock:
            if self.held:
                return
            done = self._client("acquire")
            text = (done.stderr or done.stdout).strip().splitlines()
            message = text[-1] if text else f"exit code {done.returncode}"
            if done.returncode == 0:
                self.held = True
                atexit.register(self.release)
                return
            if "You have already acquired place" in message:
                return  # acquired by hand before the run: use it, leave it acquired
            if "already acquired by" in message:
                raise PlaceLockedError(
                    f"labgrid place {self.name!r} is locked: {message.split('. ')[0]}; wait for "
                    "it, ask the holder to release it, or choose another --place"
                )
            raise HarnessError(
                f"cannot acquire labgrid place {self.name!r} through coordinator "
                f"{self.coordinator}: {message}; check the place name (labgrid-client places)"
            )

    def release(self) -> None:
        """Release the place if this run acquired it (idempotent, never raises)."""
        with self._lock:
            if not self.held:
                return
            self.held = False
        try:
            self._client("release")
        except Exception:  # at exit or after Ctrl-C: the coordinator may be gone
            return

    def resources(self) -> PlaceResources:
        """Read the place's serial port and probe through labgrid (cached).

        Raises:
            HarnessError: the place has no serial port resource.
        """
        if self._resources is None:
            self._resources = _read_resources(self.name, self.coordinator)
        return self._resources


def _sync_session(place: str, coordinator: str, timeout_s: float = 10.0) -> None:
    """Let labgrid's shared client session see our ``acquire`` (made by labgrid-client).

    labgrid keeps one client session per process; one for another coordinator is dropped so
    that the next RemotePlace starts a fresh one.
    """
    import asyncio
    import time

    from labgrid.resource.remote import RemotePlaceManager

    manager: Any = RemotePlaceManager.get()
    if manager.session is not None and manager.url != coordinator:
        manager.session = None
    if manager.session is None:
        return  # the first RemotePlace starts the session with fresh state
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        known = manager.session.places.get(place)
        if known is not None and known.acquired:
            return
        manager.loop.run_until_complete(asyncio.sleep(0.1))


def _read_resources(place: str, coordinator: str) -> PlaceResources:
    from labgrid import Target
    from labgrid.resource import NetworkSerialPort, SerialPort, USBDebugger
    from labgrid.resource.remote import NetworkUSBDebugger, RemotePlace

    _sync_session(place, coordinator)
    target = Target(f"ferhil-{place}")
    before = os.environ.get("LG_COORDINATOR")
    os.environ["LG_COORDINATOR"] = coordinator  # how labgrid's RemotePlace finds it
    try:
        remote = RemotePlace(target, name=place)
    finally:
        if before is None:
            os.environ.pop("LG_COORDINATOR", None)
        else:
            os.environ["LG_COORDINATOR"] = before
    serial_url, speed, probe = None, None, None
    for resource in target.resources:
        if isinstance(resource, NetworkSerialPort):
            scheme = "rfc2217" if resource.protocol == "rfc2217" else "socket"
            query = "?ign_set_control" if scheme == "rfc2217" else ""  # as labgrid's driver
            serial_url = f"{scheme}://{resource.host}:{resource.port}{query}"
            speed = int(resource.speed)
        elif isinstance(resource, SerialPort) and resource.port:  # RawSerialPort, USBSerialPort
            serial_url, speed = str(resource.port), int(resource.speed)
        elif isinstance(resource, USBDebugger | NetworkUSBDebugger):
            probe = resource.busnum
    if serial_url is None:
        raise HarnessError(
            f"labgrid place {place!r} has no serial port resource (NetworkSerialPort or "
            "USBSerialPort); add one with labgrid-client -p PLACE add-match"
        )
    tags = {str(k): str(v) for k, v in (remote.tags or {}).items()}
    return PlaceResources(serial_url, speed, None if probe is None else str(probe), tags)
