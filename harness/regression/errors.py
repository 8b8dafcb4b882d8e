"""Errors of the regression check."""

from __future__ import annotations

from harness.errors import HarnessError


class RegressionError(HarnessError):
    """A baseline or a threshold cannot be determined; the message says what to pass."""
