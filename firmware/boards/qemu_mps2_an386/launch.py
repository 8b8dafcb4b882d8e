"""Start the QEMU board (``qemu-system-arm -M mps2-an386``) with its UART on a local TCP port.

:func:`start_qemu` picks a free port (bind to port 0), starts QEMU with
``-serial tcp:127.0.0.1:PORT,server=on,wait=on`` (the guest waits for the host, so no output is
lost) and ``-icount shift=N`` (deterministic instruction counting), waits until the port
accepts, and returns a :class:`QemuProcess`. The host connects with
``serial.serial_for_url(proc.url, timeout=...)``. Cycle counts the firmware reports are SysTick
ticks at 25 MHz virtual time; :meth:`QemuProcess.ticks_to_instructions` converts them.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from golden.errors import FerhilError

QEMU_EXECUTABLE = "qemu-system-arm"
QEMU_MACHINE = "mps2-an386"
SYSTICK_NS = 40  # 25 MHz processor clock
DEFAULT_ICOUNT_SHIFT = 3
START_TIMEOUT_S = 10.0


class QemuError(FerhilError, RuntimeError):
    """QEMU is missing or did not start; the message says why and what to do."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class QemuProcess:
    """A running QEMU board.

    Attributes:
        elf: the firmware ELF.
        port: the TCP port of the guest's UART0.
        icount_shift: the ``-icount shift`` value (one instruction = 2**shift ns).
        process: the QEMU process.
    """

    def __init__(
        self,
        elf: Path,
        port: int,
        icount_shift: int,
        process: subprocess.Popen[bytes],
        log: tempfile._TemporaryFileWrapper[bytes] | None = None,
    ):
        self.elf = elf
        self.port = port
        self.icount_shift = icount_shift
        self.process = process
        self._log = log

    @property
    def url(self) -> str:
        """The pyserial URL of the guest UART (``socket://127.0.0.1:PORT``)."""
        return f"socket://127.0.0.1:{self.port}"

    def ticks_to_instructions(self, ticks: int) -> float:
        """Convert SysTick ticks (the firmware's cycle count) into executed instructions."""
        return ticks * SYSTICK_NS / float(1 << self.icount_shift)

    def alive(self) -> bool:
        """True while QEMU runs."""
        return self.process.poll() is None

    def close(self) -> None:
        """Terminate QEMU (SIGTERM, then SIGKILL after 5 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._log is not None:
            self._log.close()

    def log_text(self) -> str:
        """Return what QEMU wrote to stderr so far (for error messages)."""
        if self._log is None:
            return ""
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")

    def __enter__(self) -> QemuProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def qemu_command(elf: Path, port: int, icount_shift: int) -> list[str]:
    """Return the QEMU command line for ``elf`` with UART0 on ``port``."""
    return [
        QEMU_EXECUTABLE,
        "-M",
        QEMU_MACHINE,
        "-nographic",
        "-monitor",
        "none",
        "-icount",
        f"shift={icount_shift}",
        "-serial",
        f"tcp:127.0.0.1:{port},server=on,wait=on",
        "-kernel",
        str(elf),
    ]


def _wait_listening(proc: subprocess.Popen[bytes], port: int, deadline: float, log: Path) -> None:
    # QEMU with wait=on accepts the first connection and starts the guest; a probe connection
    # would be that client, so watch the listening socket through /proc instead of connecting.
    hex_port = f"{port:04X}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = log.read_text(errors="replace")
            raise QemuError(f"QEMU exited with code {proc.returncode}: {err.strip()}")
        try:
            table = Path("/proc/net/tcp").read_text()
        except OSError:
            time.sleep(0.2)  # no /proc: give QEMU a moment
            return
        for line in table.splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(f":{hex_port}") and fields[3] == "0A":  # LISTEN
                return
        time.sleep(0.01)
    raise QemuError(f"QEMU did not open its UART port {port} within {START_TIMEOUT_S} s")


def start_qemu(
    elf: str | Path,
    *,
    icount_shift: int = DEFAULT_ICOUNT_SHIFT,
    popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen,
) -> QemuProcess:
    """Start QEMU running ``elf``; return once its UART port listens.

    Args:
        elf: the firmware built for board ``qemu_mps2_an386``.
        icount_shift: ``-icount shift`` (0..10); one instruction takes 2**shift ns of
            virtual time.
        popen: starts the process (the harness passes its supervisor,
            ``harness.devices.processes.spawn``, so QEMU dies with the harness).

    Raises:
        QemuError: when qemu-system-arm is missing, the ELF does not exist, or QEMU fails.
    """
    if shutil.which(QEMU_EXECUTABLE) is None:
        raise QemuError(
            f"{QEMU_EXECUTABLE} is not installed; install it with: "
            "sudo apt-get install qemu-system-arm"
        )
    path = Path(elf)
    if not path.is_file():
        raise QemuError(f"no firmware ELF at {path}; build it with ferhil build --board qemu")
    if not 0 <= icount_shift <= 10:
        raise QemuError(f"icount_shift must lie in 0..10, got {icount_shift}")
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="ferhil-qemu-", suffix=".log")  # noqa: SIM115
    proc = popen(
        qemu_command(path, port, icount_shift),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_listening(proc, port, time.monotonic() + START_TIMEOUT_S, Path(log.name))
    except BaseException:
        proc.kill()
        proc.wait(timeout=5)
        log.close()
        raise
    return QemuProcess(path, port, icount_shift, proc, log)
