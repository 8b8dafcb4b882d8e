"""The host-native simulated board: the firmware built for the host, attached to a pty.

"Flashing" launches the executable (``<exe> --pty [--baud N] [--clock-hz F] [--gpio-log P]``);
its first stdout line is the pty path, opened with pyserial. Cycle counts come from the
deterministic cost model and are labelled simulated.
"""

from __future__ import annotations

from pathlib import Path

from firmware.host.link import Transport
from harness.devices.boards.base import Board, BoardFacts, BoardSpec, Capability
from harness.devices.boards.sim_process import SimulatorProcess
from harness.devices.transports import open_transport
from harness.errors import TransportError


class HostsimBoard(Board):
    """Simulated MAX78000 running as a host process behind a pseudo-terminal."""

    capabilities = frozenset({Capability.GPIO_LOG})

    def __init__(self, spec: BoardSpec) -> None:
        super().__init__(
            spec,
            BoardFacts(
                name=spec.name,
                kind="hostsim",
                firmware_board="hostsim",
                simulated=True,
                persistent=False,
                board_id=None,
                probe="launch",
            ),
        )
        self.process: SimulatorProcess | None = None
        self.launches = 0

    def command(self, image: Path) -> list[str]:
        """Return the command line that launches ``image``."""
        argv = [str(image), "--pty"]
        if self.spec.baud:
            argv += ["--baud", str(self.spec.baud)]
        if self.spec.clock_hz:
            argv += ["--clock-hz", f"{self.spec.clock_hz:g}"]
        if self.spec.gpio_log is not None:
            argv += ["--gpio-log", str(self.spec.gpio_log)]
        if self.launches == 0:  # injected board faults hit the first launch only
            argv += list(self.spec.sim_args)
        return argv

    def _program(self, image: Path) -> None:
        """Start the simulator running ``image``."""
        if not image.is_file():
            raise TransportError(f"hostsim executable {image} does not exist; build it first")
        argv = self.command(image)
        self.launches += 1
        self.process = SimulatorProcess(argv)

    def _open_link(self) -> Transport:
        """Open the simulator's pty (raises when the simulator is not running)."""
        if self.process is None or not self.process.alive():
            raise TransportError("hostsim is not running; flash (launch) it first")
        return open_transport(
            self.process.first_line,
            baud=self.spec.baud or 115200,
            timeout=self.spec.read_timeout_s,
            wait_s=2.0,
        )

    def _stop(self) -> None:
        """Stop the simulator."""
        if self.process is not None:
            self.process.stop()
            self.process = None
