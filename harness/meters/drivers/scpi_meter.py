"""What every SCPI meter driver shares: the session, the configuration guard, idle and close."""

from __future__ import annotations

from harness.meters.base import AcquisitionConfig, Trace, record_immediate
from harness.meters.drivers.scpi import ScpiSession
from harness.meters.errors import MeterError


class ScpiMeter:
    """Base of the SCPI drivers: holds the session and the last applied configuration.

    Args:
        session: the open SCPI session.
    """

    driver = "scpi"

    def __init__(self, session: ScpiSession) -> None:
        self.session = session
        self.resource = session.resource
        self._config: AcquisitionConfig | None = None

    def measure_idle(
        self, duration_s: float, sample_interval_s: float, current_range_a: float | None = None
    ) -> Trace:
        """Record the idle baseline (an immediate-trigger record of ``duration_s``)."""
        return record_immediate(self, duration_s, sample_interval_s, current_range_a)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the SCPI session."""
        self.session.close()

    def _require_config(self) -> AcquisitionConfig:
        if self._config is None:
            raise MeterError("configure() the meter before arming or fetching")
        return self._config
