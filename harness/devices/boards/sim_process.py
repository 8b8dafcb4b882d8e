"""A simulator child process whose first stdout line announces where to connect."""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from collections.abc import Sequence

from harness.devices import processes
from harness.errors import TransportError


class SimulatorProcess:
    """Start ``argv``, wait (bounded) for its first stdout line, then keep draining its output.

    The last lines of output are kept for error messages; draining stops the child from
    blocking on a full pipe. The child is supervised (:mod:`harness.devices.processes`): it dies
    with
    the harness, even on SIGKILL.
    """

    def __init__(self, argv: Sequence[str], ready_timeout_s: float = 10.0) -> None:
        self.argv = list(argv)
        self.tail: deque[str] = deque(maxlen=20)
        try:
            self.proc = processes.spawn(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
            )
        except OSError as exc:
            raise TransportError(f"cannot start {self.argv[0]}: {exc}") from None
        first: list[str] = []
        got_line = threading.Event()

        def drain() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                if not got_line.is_set():
                    first.append(line.strip())
                    got_line.set()
                else:
                    self.tail.append(line.rstrip())
            got_line.set()

        self._reader = threading.Thread(target=drain, name="ferhil-sim-output", daemon=True)
        self._reader.start()
        if not got_line.wait(ready_timeout_s) or not first:
            self.stop()
            raise TransportError(
                f"{self.argv[0]} did not announce its link within {ready_timeout_s:g} s "
                f"(exit code {self.proc.poll()}); output: {' | '.join(self.tail) or 'none'}"
            )
        self.first_line = first[0]

    def alive(self) -> bool:
        """Return True while the process runs."""
        return self.proc.poll() is None

    def stop(self) -> None:
        """Terminate the process (kill it if it does not exit within 3 s)."""
        processes.stop(self.proc)
        # The process has exited, so its output ends: let the reader see EOF before closing.
        self._reader.join(timeout=2.0)
        if self.proc.stdout is not None and not self._reader.is_alive():
            self.proc.stdout.close()
