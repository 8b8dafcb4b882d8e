"""Errors of the result store."""

from __future__ import annotations

from harness.errors import HarnessError


class StoreError(HarnessError):
    """The result store cannot be opened, read or written; the message says what to do."""
