"""The simulated meter: a real SCPI server on loopback (raw TCP socket, newline-terminated).

:class:`SimulatedMeterServer` serves
:class:`~harness.meters.simulator.sim_instrument.SimulatedN6705` on
``127.0.0.1:<port>`` (port 0 = a free port), so the N6705 driver talks to it through pyvisa
exactly as to a lab instrument: ``TCPIP0::127.0.0.1::<port>::SOCKET``. Use it as a context
manager; leaving the block stops the server thread and closes open connections.
:class:`Faults` lets tests make it stop answering or drop the connection.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from dataclasses import dataclass
from types import TracebackType

from harness.meters.simulator.sim_instrument import SimulatedN6705
from harness.meters.simulator.sim_signal import BoardSignal


@dataclass
class Faults:
    """Failures to inject (tests flip them while a client is connected).

    Attributes:
        hang: read commands but never answer (a meter that stops responding).
        drop_after: close the connection after this many further commands (``None``: never).
    """

    hang: bool = False
    drop_after: int | None = None


class _Handler(socketserver.StreamRequestHandler):
    server: _TcpServer

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections.add(self.request)

    def finish(self) -> None:
        with self.server.lock:
            self.server.connections.discard(self.request)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        owner = self.server.owner
        for raw in self.rfile:
            line = raw.decode("ascii", "replace").strip()
            if not line:
                continue
            faults = owner.faults
            if faults.drop_after is not None:
                if faults.drop_after <= 0:
                    faults.drop_after = None
                    self.request.shutdown(socket.SHUT_RDWR)
                    return
                faults.drop_after -= 1
            replies = owner.instrument.handle(line)
            if faults.hang:
                continue
            for reply in replies:
                self.wfile.write(reply.encode("ascii") + b"\n")
            self.wfile.flush()


class _TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], owner: SimulatedMeterServer) -> None:
        self.owner = owner
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        super().__init__(address, _Handler)


class SimulatedMeterServer:
    """A SIMULATED N6705 on loopback, measuring the simulated board's rail.

    Args:
        signal: the simulated rail (edge log + energy model).
        port: TCP port (0 = any free port).
        host: address to bind (loopback by default).
    """

    def __init__(self, signal: BoardSignal, *, port: int = 0, host: str = "127.0.0.1") -> None:
        self.signal = signal
        self.instrument = SimulatedN6705(signal)
        self.faults = Faults()
        self._host = host
        self._requested_port = port
        self._server: _TcpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound TCP port (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("the simulated meter server is not running")
        return int(self._server.server_address[1])

    @property
    def resource(self) -> str:
        """The VISA resource string of the running server."""
        return f"TCPIP0::{self._host}::{self.port}::SOCKET"

    def start(self) -> SimulatedMeterServer:
        """Bind and serve in a daemon thread; return ``self``."""
        self._server = _TcpServer((self._host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ferhil-sim-meter", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            with server.lock:
                for conn in list(server.connections):  # end the handler threads too
                    with contextlib.suppress(OSError):
                        conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimulatedMeterServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
