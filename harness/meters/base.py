"""The power-meter interface, its configuration and trace records.

A meter digitizes the current (and, where it can, the voltage) of the board's supply rail
into a trace that starts at a trigger. :class:`Meter` is the protocol every driver implements;
the drivers are listed by name in ``harness/meters/drivers/registry.py``
(``--meter-driver n6705|dmm6500``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from harness.meters.errors import MeterError

TriggerSource = Literal["external", "bus", "immediate"]
TriggerEdge = Literal["rising", "falling"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AcquisitionConfig:
    """What one acquisition records.

    Attributes:
        sample_interval_s: time between samples (the meter may round it; drivers return the
            value in effect from :meth:`Meter.configure`).
        points: samples in the record, pre-trigger samples included.
        pre_trigger_points: samples recorded before the trigger (0 when the meter cannot).
        current_range_a: the current range; ``None`` lets the driver choose (auto or its
            documented default).
        trigger_source: ``external`` (the trigger input, wired to the board's trigger GPIO),
            ``bus`` (``*TRG``/:meth:`Meter.trigger`) or ``immediate`` (on :meth:`Meter.arm`).
        trigger_edge: the edge of the trigger input that starts the record.
    """

    sample_interval_s: float
    points: int
    pre_trigger_points: int = 0
    current_range_a: float | None = None
    trigger_source: TriggerSource = "external"
    trigger_edge: TriggerEdge = "falling"

    def __post_init__(self) -> None:
        if not self.sample_interval_s > 0:
            raise MeterError(f"sample interval must be positive, got {self.sample_interval_s}")
        if self.points < 1 or not 0 <= self.pre_trigger_points < self.points:
            raise MeterError(
                f"need points >= 1 and 0 <= pre_trigger_points < points, got "
                f"points={self.points}, pre_trigger_points={self.pre_trigger_points}"
            )

    @property
    def duration_s(self) -> float:
        """Length of the whole record in seconds."""
        return self.points * self.sample_interval_s


@dataclass
class Trace:
    """A fetched record; time 0 is the trigger (negative times are pre-trigger samples).

    Attributes:
        t_s: sample times in seconds.
        current_a: supply current in amperes.
        voltage_v: supply voltage in volts (the rail's set point for current-only meters).
        sample_interval_s: time between samples in seconds.
        units: the unit of each array (``t_s``: s, ``current_a``: A, ``voltage_v``: V).
    """

    t_s: FloatArray
    current_a: FloatArray
    voltage_v: FloatArray
    sample_interval_s: float
    units: dict[str, str] = field(
        default_factory=lambda: {"t_s": "s", "current_a": "A", "voltage_v": "V", "power_w": "W"}
    )

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if len(self.current_a) != n or len(self.voltage_v) != n:
            raise MeterError(
                f"trace arrays differ in length (t {n}, current {len(self.current_a)}, "
                f"voltage {len(self.voltage_v)}): the meter returned an incomplete record"
            )

    @property
    def power_w(self) -> FloatArray:
        """Instantaneous power in watts (current x voltage per sample)."""
        return np.asarray(self.current_a * self.voltage_v, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.t_s)


@runtime_checkable
class Meter(Protocol):
    """A supply-rail power meter (real or simulated) behind a SCPI session."""

    #: Registry name of the driver (``n6705``, ``dmm6500``).
    driver: str
    #: The VISA resource string the meter was opened with.
    resource: str

    def identify(self) -> str:
        """Query ``*IDN?``, check the vendor/model family and return the reply.

        Raises:
            MeterIdentityError: when the instrument is not of the driver's family.
        """
        ...

    def configure(self, config: AcquisitionConfig) -> AcquisitionConfig:
        """Program range, sample interval, points and trigger; check ``SYST:ERR?``.

        Returns:
            The configuration in effect (the meter may round the sample interval or lack
            pre-trigger capture).
        """
        ...

    def arm(self) -> None:
        """Start waiting for the trigger (``immediate`` sources start recording now)."""
        ...

    def trigger(self) -> None:
        """Send a bus trigger (for ``trigger_source="bus"``)."""
        ...

    def wait_complete(self, timeout_s: float) -> None:
        """Block until the record is complete.

        Raises:
            MeterTimeoutError: when the trigger or the end of the record did not come in time.
        """
        ...

    def fetch_trace(self) -> Trace:
        """Read the completed record."""
        ...

    def measure_idle(
        self, duration_s: float, sample_interval_s: float, current_range_a: float | None = None
    ) -> Trace:
        """Record the idle baseline: ``duration_s`` with an immediate trigger."""
        ...

    def close(self) -> None:
        """Release the instrument session."""
        ...


def record_immediate(
    meter: Meter,
    duration_s: float,
    sample_interval_s: float,
    current_range_a: float | None = None,
    timeout_s: float = 30.0,
) -> Trace:
    """Record ``duration_s`` of the rail with an immediate trigger (drivers' ``measure_idle``).

    Args:
        meter: an identified meter.
        duration_s: record length in seconds.
        sample_interval_s: requested sample interval.
        current_range_a: current range (``None``: the driver's choice).
        timeout_s: extra seconds allowed beyond ``duration_s`` for the record to finish.
    """
    points = max(2, int(np.ceil(duration_s / sample_interval_s)))
    meter.configure(
        AcquisitionConfig(sample_interval_s, points, 0, current_range_a, trigger_source="immediate")
    )
    meter.arm()
    meter.wait_complete(duration_s + timeout_s)
    return meter.fetch_trace()
