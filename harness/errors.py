"""User-facing errors of the harness; each message says what went wrong and what to do."""

from __future__ import annotations

from golden.errors import FerhilError


class HarnessError(FerhilError):
    """The harness cannot go on; the message says how to fix it."""


class ConfigError(HarnessError, ValueError):
    """An option value, a lab inventory or a board name is unusable."""


class FlashError(HarnessError):
    """Programming the board failed (no probe, missing pack, timeout, tool error)."""


class TransportError(HarnessError):
    """The link to the board cannot be opened or broke."""


class DeviceIdentityError(HarnessError):
    """The board runs other firmware or another model than the one under test."""


class DeviceSelftestError(HarnessError):
    """The firmware's known-answer test (SELFTEST) failed before streaming."""
