"""User-facing errors of the meters package; each message says what went wrong and what to do."""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError


class MeterError(HarnessError):
    """A power meter cannot be used or a measurement failed."""


class MeterIdentityError(MeterError):
    """``*IDN?`` names an instrument the selected driver does not support."""


class MeterTimeoutError(MeterError):
    """The meter did not answer a query, or an acquisition did not finish, in time."""


class MeterConnectionError(MeterError):
    """The link to the meter cannot be opened or broke during a measurement."""


class InstrumentError(MeterError):
    """The instrument reported a SCPI error (``SYST:ERR?`` was not ``0``)."""

    def __init__(self, message: str, scpi_errors: list[str]) -> None:
        super().__init__(message)
        self.scpi_errors = scpi_errors


class EnergyMeasurementError(MeterError):
    """The energy measurement failed; :attr:`partial` keeps what was measured before."""

    def __init__(self, message: str, partial: dict[str, Any]) -> None:
        super().__init__(message)
        self.partial = partial
