"""Serial ports the way labs name them: by probe USB serial number, pyserial URL or path.

A MAX78000FTHR's DAPLink is one USB device with the debug probe and the console UART, so the
probe's unique id (what pyOCD and OpenOCD call the probe) is also the USB serial number of the
board's tty. :func:`resolve_port` turns a board's ``port``/``probe`` into something
:func:`harness.devices.transports.open_transport` opens:

* a pyserial URL (``rfc2217://host:port``, ``socket://host:port``, ``hwgrep://REGEX``, ...)
  or a device path (``/dev/ttyACM0``, ``COM5``): used as given;
* ``probe:UID`` (or no port and a ``probe``): the tty whose USB serial number is ``UID``
  (exactly, or a unique part of it, like the probe option);
* nothing: the one attached DAPLink tty (USB VID:PID 0D28:0204), if exactly one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from harness.errors import ConfigError

DAPLINK_VID_PID = (0x0D28, 0x0204)
PROBE_PREFIX = "probe:"
#: pyserial URL schemes (``serial_for_url``) accepted as ports.
URL_SCHEMES = ("socket", "rfc2217", "hwgrep", "loop", "spy", "alt")

Lister = Callable[[], Sequence[ListPortInfo]]


def is_url(port: str) -> bool:
    """True for a pyserial URL (``scheme://...``)."""
    return "://" in port


def _describe(ports: Sequence[ListPortInfo]) -> str:
    rows = [f"{p.device} (serial {p.serial_number or '?'})" for p in ports if p.hwid != "n/a"]
    return ", ".join(rows) or "none"


def port_of_probe(probe: str, ports: Sequence[ListPortInfo]) -> str:
    """Return the tty whose USB serial number is ``probe`` (or uniquely contains it).

    Raises:
        ConfigError: no tty or several ttys match.
    """
    wanted = probe.strip().lower()
    if not wanted:
        raise ConfigError("an empty probe id cannot name a serial port; give the probe's id")
    numbered = [p for p in ports if p.serial_number]
    exact = [p for p in numbered if p.serial_number.lower() == wanted]
    matches = exact or [p for p in numbered if wanted in p.serial_number.lower()]
    devices = sorted({p.device for p in matches})
    if len(devices) == 1:
        result: str = devices[0]
        return result
    if not devices:
        raise ConfigError(
            f"no serial port belongs to probe {probe!r} (ports: {_describe(ports)}); plug the "
            "board in, check the probe id with `ferhil doctor`, or give --port"
        )
    raise ConfigError(
        f"probe id {probe!r} matches several ports ({', '.join(devices)}); give more of the id"
    )


def daplink_ports(ports: Sequence[ListPortInfo]) -> list[str]:
    """The device paths of attached DAPLink virtual COM ports."""
    return sorted(p.device for p in ports if (p.vid, p.pid) == DAPLINK_VID_PID)


def resolve_port(
    port: str | None,
    probe: str | None,
    lister: Lister = list_ports.comports,
    board: str = "the board",
) -> str:
    """Return the port to open for a board with ``port``/``probe`` (see the module docstring).

    Raises:
        ConfigError: when the port cannot be found, naming what was found.
    """
    if port and port.startswith(PROBE_PREFIX):
        return port_of_probe(port[len(PROBE_PREFIX) :], lister())
    if port:
        return port
    ports = lister()
    if probe:
        return port_of_probe(probe, ports)
    found = daplink_ports(ports)
    if len(found) == 1:
        return found[0]
    raise ConfigError(
        f"no serial port for {board}: give --port (a path, probe:UID or a pyserial URL such "
        f"as rfc2217://host:port) or --probe UID (DAPLink ports found: {found or 'none'})"
    )


def probe_port_map(probe_ids: Sequence[str], ports: Sequence[ListPortInfo]) -> dict[str, str]:
    """For ``ferhil doctor``: each probe id with its tty, or why there is none."""
    out = {}
    for uid in probe_ids:
        try:
            out[uid] = port_of_probe(uid, ports)
        except ConfigError:
            out[uid] = "no matching port"
    return out
