"""Byte links to a board: the :class:`Transport` protocol and its openers, registered by scheme.

The transport type is the protocol client's own (:class:`firmware.host.link.Transport`, re-exported
here): ``write(bytes)``, ``read(n) -> bytes`` (fewer bytes at its timeout) and ``close()``;
pyserial objects qualify. Openers by URL scheme:

* ``serial`` (a device path such as ``/dev/ttyACM0`` or a pty ``/dev/pts/5``): pyserial,
* ``socket`` (``socket://127.0.0.1:5555``, QEMU's TCP serial): pyserial's ``serial_for_url``,
* ``rfc2217`` (a network serial port with baud control, e.g. ser2net or a labgrid exporter),
  ``hwgrep`` (the first port whose description/hwid matches a regex), ``loop``: pyserial URLs.

Lab names for ports (probe USB serial numbers) are resolved by :mod:`harness.devices.ports`.

:func:`open_transport` retries while the port is not there yet (a USB serial port re-enumerates
after flashing; a simulator may need a moment), up to a deadline, then raises a clear error.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import serial

from firmware.host.link import Transport
from harness.errors import TransportError

Opener = Callable[[str, int, float], Transport]


def open_serial(url: str, baud: int, timeout: float) -> Transport:
    """Open a serial device or pty with 8N1 framing at ``baud``.

    A write blocks at most ``timeout`` plus the wire time of one largest frame, so a hung
    board (its receive buffer full) costs bounded time, not a fixed 10 s per write.
    """
    frame_wire_s = 4096 * 10 / max(1, baud)
    result: Transport = serial.Serial(
        url, baudrate=baud, timeout=timeout, write_timeout=timeout + frame_wire_s
    )
    return result


def open_socket(url: str, baud: int, timeout: float) -> Transport:
    """Open a ``socket://host:port`` link (the baud rate does not apply)."""
    link: Transport = serial.serial_for_url(url, timeout=timeout)
    return link


def open_url(url: str, baud: int, timeout: float) -> Transport:
    """Open a pyserial URL (``rfc2217://``, ``hwgrep://``, ``loop://``) at ``baud``.

    pyserial's RFC 2217 client has no write timeout; the others get one.
    """
    extra = {} if url.startswith("rfc2217://") else {"write_timeout": max(timeout, 10.0)}
    link: Transport = serial.serial_for_url(url, baudrate=baud, timeout=timeout, **extra)
    return link


#: Openers by scheme; ``serial`` serves every URL without ``://``.
TRANSPORTS: dict[str, Opener] = {
    "serial": open_serial,
    "socket": open_socket,
    "rfc2217": open_url,
    "hwgrep": open_url,
    "loop": open_url,
}


def scheme_of(url: str) -> str:
    """Return the registry scheme of ``url`` (``serial`` for plain device paths)."""
    return url.split("://", 1)[0] if "://" in url else "serial"


def open_transport(
    url: str, baud: int = 115200, timeout: float = 2.0, wait_s: float = 0.0
) -> Transport:
    """Open the link at ``url``, retrying for up to ``wait_s`` seconds while it is absent.

    Args:
        url: a device path or ``scheme://...``.
        baud: the serial speed.
        timeout: the read timeout of the returned transport (seconds).
        wait_s: how long to keep retrying a port that is not (yet) there.

    Raises:
        TransportError: for an unknown scheme or when the port cannot be opened in time.
    """
    scheme = scheme_of(url)
    opener = TRANSPORTS.get(scheme)
    if opener is None:
        raise TransportError(
            f"no transport for {url!r}; use a device path or one of "
            f"{', '.join(s + '://' for s in TRANSPORTS if s != 'serial')}"
        )
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return opener(url, baud, timeout)
        except (serial.SerialException, OSError) as exc:
            if time.monotonic() >= deadline:
                raise TransportError(
                    f"cannot open {url}: {exc}. Check the cable and the port name "
                    "(`ferhil doctor` lists serial ports), and that no other program "
                    "(a terminal, another test run) holds the port"
                ) from None
            time.sleep(0.1)
