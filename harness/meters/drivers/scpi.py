"""One SCPI session over pyvisa: bounded queries, error translation, ``SYST:ERR?`` checks.

Every query runs under the pyvisa timeout, so a meter that stops answering raises
:class:`~harness.meters.errors.MeterTimeoutError` instead of hanging, and a dropped link raises
:class:`~harness.meters.errors.MeterConnectionError`. Any VISA resource string works
(``TCPIP0::host::5025::SOCKET``, ``TCPIP0::host::INSTR``, ``USB0::...::INSTR``,
``ASRL/dev/ttyUSB0::INSTR``); the default backend is pyvisa-py (``@py``).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from typing import Any

import numpy as np
import pyvisa
from pyvisa import constants
from pyvisa.errors import InvalidSession, VisaIOError

from harness.meters.base import FloatArray
from harness.meters.errors import (
    InstrumentError,
    MeterConnectionError,
    MeterError,
    MeterTimeoutError,
)

#: At most this many entries are drained from the error queue in one check.
MAX_ERRORS = 32

LOG = logging.getLogger("ferhil.meter")


class ScpiSession:
    """A newline-terminated SCPI session.

    Args:
        resource: VISA resource string.
        visa_library: pyvisa backend (``@py``; ``path.yaml@sim`` for pyvisa-sim).
        timeout_s: per-query timeout in seconds.
    """

    def __init__(self, resource: str, *, visa_library: str = "@py", timeout_s: float = 5.0) -> None:
        self.resource = resource
        self.timeout_s = timeout_s
        try:
            self._rm = pyvisa.ResourceManager(visa_library)
            self._inst: Any = self._rm.open_resource(
                resource,
                read_termination="\n",
                write_termination="\n",
                timeout=int(timeout_s * 1000),
            )
        except (VisaIOError, OSError, ValueError) as exc:
            raise MeterConnectionError(
                f"cannot open meter {resource!r} ({exc}); check the resource string, that the "
                "meter is on and reachable, and --meter"
            ) from exc
        self._closed = False
        LOG.info("opened meter %s (timeout %g s)", resource, timeout_s)

    def write(self, command: str) -> None:
        """Send one command (no reply expected)."""
        LOG.debug("SCPI write %s: %s", self.resource, command)
        self._call(command, lambda: self._inst.write(command))

    def query(self, command: str, timeout_s: float | None = None) -> str:
        """Send a query and return the stripped reply line."""
        if timeout_s is not None:
            self._inst.timeout = int(timeout_s * 1000)
        try:
            reply = self._call(command, lambda: self._inst.query(command))
        finally:
            if timeout_s is not None and not self._closed:
                self._inst.timeout = int(self.timeout_s * 1000)
        text = str(reply).strip()
        if command.strip().upper() == "*IDN?":
            LOG.info("meter %s *IDN? -> %s", self.resource, text)
        else:
            LOG.debug("SCPI query %s: %s -> %.80s", self.resource, command, text)
        return text

    def query_floats(self, command: str, timeout_s: float | None = None) -> FloatArray:
        """Send a query whose reply is comma-separated numbers and return them."""
        text = self.query(command, timeout_s)
        if not text:
            return np.zeros(0, dtype=np.float64)
        try:
            return np.array([float(part) for part in text.split(",")], dtype=np.float64)
        except ValueError as exc:
            raise MeterError(
                f"meter {self.resource} answered {command!r} with something that is not a list "
                f"of numbers ({text[:60]!r}...): wrong --meter-driver?"
            ) from exc

    def errors(self) -> list[str]:
        """Drain ``SYST:ERR?`` and return the non-zero entries (``-113,"Undefined header"``)."""
        found: list[str] = []
        for _ in range(MAX_ERRORS):
            reply = self.query("SYST:ERR?")
            code = reply.split(",", 1)[0].strip()
            try:
                if int(code) == 0:
                    break
            except ValueError:
                raise MeterError(
                    f"meter {self.resource} answered SYST:ERR? with {reply!r}, not a SCPI error "
                    "entry"
                ) from None
            found.append(reply)
        return found

    def check(self, context: str) -> None:
        """Raise :class:`InstrumentError` when the error queue is not empty.

        Args:
            context: what was being done, for the message (``configuring the digitizer``).
        """
        found = self.errors()
        if found:
            raise InstrumentError(
                f"meter {self.resource} reported SCPI error {found[0]} while {context}"
                + (
                    f" (and {len(found) - 1} more: {'; '.join(found[1:])})"
                    if len(found) > 1
                    else ""
                )
                + "; check the settings are within the instrument's ranges",
                found,
            )

    def close(self) -> None:
        """Close the session (idempotent)."""
        if self._closed:
            return
        self._closed = True
        # Only the instrument: pyvisa shares one ResourceManager per backend, and closing it
        # would close every other meter session of this process.
        with contextlib.suppress(VisaIOError, InvalidSession, OSError):
            self._inst.close()

    def _peer_closed(self) -> bool:
        """Whether a raw-socket meter closed the connection (pyvisa-py reports a timeout)."""
        try:
            backend = self._inst.visalib.sessions[self._inst.session]
            sock = backend.interface
            if not isinstance(sock, socket.socket):
                return False
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except (OSError, AttributeError, KeyError, TypeError):
            return isinstance(sys.exc_info()[1], ConnectionError)

    def _call(self, command: str, action: Any) -> Any:
        if self._closed:
            raise MeterConnectionError(f"meter {self.resource} session is closed")
        try:
            return action()
        except VisaIOError as exc:
            if exc.error_code == constants.StatusCode.error_timeout:
                if self._peer_closed():
                    raise MeterConnectionError(
                        f"link to meter {self.resource} closed by the meter during "
                        f"{command!r}; check the meter and its network/USB link"
                    ) from exc
                raise MeterTimeoutError(
                    f"meter {self.resource} did not answer {command!r} within "
                    f"{self._inst.timeout / 1000:g} s; check it is on, connected and not busy"
                ) from exc
            raise MeterConnectionError(
                f"link to meter {self.resource} failed during {command!r}: {exc}"
            ) from exc
        except InvalidSession as exc:
            raise MeterConnectionError(
                f"the session to meter {self.resource} was closed ({exc}); open the meter again"
            ) from exc
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, EOFError) as exc:
            raise MeterConnectionError(
                f"link to meter {self.resource} broke during {command!r} ({exc}); check the "
                "meter and its network/USB link"
            ) from exc
        except OSError as exc:
            raise MeterConnectionError(
                f"cannot reach meter {self.resource} during {command!r} ({exc}); check the "
                "resource string (--meter), that the meter is on and its link is up"
            ) from exc
