"""Turn ``--meter``/``--meter-driver`` into an open, identified meter.

``sim`` starts :class:`~harness.meters.simulator.sim_server.SimulatedMeterServer` on loopback and
talks to
it through pyvisa with the n6705 driver, exactly as to a lab instrument; anything else is a
VISA resource string opened with pyvisa-py. :class:`MeterSession` closes the session and
stops the simulated server.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

from harness.meters.base import Meter
from harness.meters.drivers.registry import driver_class, driver_names
from harness.meters.drivers.scpi import ScpiSession
from harness.meters.errors import MeterError, MeterIdentityError
from harness.meters.simulator.energy_model import SimEnergyModel
from harness.meters.simulator.sim_server import SimulatedMeterServer
from harness.meters.simulator.sim_signal import BoardSignal

#: Driver keyword arguments that open_meter passes through, per driver.
DRIVER_OPTIONS: dict[str, tuple[str, ...]] = {
    "n6705": ("channel", "poll_s"),
    "dmm6500": ("supply_voltage_v", "poll_s"),
}


def default_trigger_edge(driver: str, window_active_high: bool) -> str:
    """The edge a driver's trigger input uses by default.

    The N6705 Trigger In is low-true (falling edge only); the DMM6500 takes the edge that
    opens the window.
    """
    if driver == "n6705":
        return "falling"
    return "rising" if window_active_high else "falling"


@dataclass
class MeterSession:
    """An identified meter and, for ``sim``, the server it talks to."""

    meter: Meter
    idn: str
    simulated: bool
    server: SimulatedMeterServer | None = None

    @property
    def signal(self) -> BoardSignal | None:
        """The simulated rail (``sim`` only)."""
        return self.server.signal if self.server is not None else None

    def info(self) -> dict[str, Any]:
        """``summary.meter`` of results.json."""
        return {
            "driver": self.meter.driver,
            "resource": self.meter.resource,
            "idn": self.idn,
            "simulated": self.simulated,
        }

    def close(self) -> None:
        """Close the meter and stop the simulated server (idempotent)."""
        self.meter.close()
        if self.server is not None:
            self.server.stop()

    def __enter__(self) -> MeterSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def idle_signal(clock_hz: float = 50e6) -> BoardSignal:
    """A simulated rail with no board attached yet (attach an edge log later)."""
    return BoardSignal(
        SimEnergyModel(), clock_hz=clock_hz, macs_per_inference=0.0, cycles_per_inference=1.0
    )


def open_meter(
    spec: str = "sim",
    *,
    driver: str | None = None,
    port: int = 0,
    timeout_s: float = 5.0,
    visa_library: str = "@py",
    signal: BoardSignal | None = None,
    **driver_options: Any,
) -> MeterSession:
    """Open and identify the meter named by ``spec``.

    Args:
        spec: ``sim`` or a VISA resource string.
        driver: ``n6705`` or ``dmm6500``; ``None`` picks the driver whose ``*IDN?`` check
            passes (``sim`` is an n6705).
        port: TCP port of the simulated server (0 = free port).
        timeout_s: per-query timeout.
        visa_library: pyvisa backend (``@py``, or ``file.yaml@sim`` for pyvisa-sim).
        signal: the simulated rail for ``sim`` (default: idle until a log is attached).
        **driver_options: passed to the driver (``channel``, ``supply_voltage_v``).

    Raises:
        MeterError: bad combination, unreachable meter or wrong instrument.
    """
    server = None
    if spec == "sim":
        if driver not in (None, "n6705"):
            raise MeterError(
                "the simulated meter speaks the n6705 command set; drop "
                f"--meter-driver {driver} or give a real meter's resource"
            )
        driver = "n6705"
        server = SimulatedMeterServer(signal or idle_signal(), port=port).start()
        resource = server.resource
    else:
        resource = spec
    try:
        session = ScpiSession(resource, visa_library=visa_library, timeout_s=timeout_s)
        try:
            meter, idn = _identified(session, driver, driver_options)
        except BaseException:
            session.close()
            raise
    except BaseException:
        if server is not None:
            server.stop()
        raise
    return MeterSession(meter, idn, simulated=server is not None, server=server)


def _identified(
    session: ScpiSession, driver: str | None, options: dict[str, Any]
) -> tuple[Meter, str]:
    """Build the named driver, or the first whose ``*IDN?`` check passes; identify it."""
    names = [driver] if driver is not None else driver_names()
    refused: list[str] = []
    for name in names:
        accepted = DRIVER_OPTIONS[name]
        meter: Meter = driver_class(name)(
            session, **{k: v for k, v in options.items() if k in accepted and v is not None}
        )
        try:
            return meter, meter.identify()
        except MeterIdentityError as exc:
            if driver is not None:
                raise
            refused.append(str(exc))
    raise MeterIdentityError(
        f"no meter driver recognises {session.resource}: {refused[0].split(';')[0]}; "
        f"supported: {', '.join(driver_names())}"
    )
