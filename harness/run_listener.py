"""The observer API of a HIL run: subclass :class:`RunListener` and override what you need.

:class:`harness.hil_run.HilRun` calls every listener in ``run.listeners`` on each event; the
base class answers every event with nothing, so a listener overrides only its events (no
``getattr`` probing for hooks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.hil_run import HilRun
    from harness.results import SampleRecord


class RunListener:
    """Observer of one HIL run (e.g. :class:`harness.regression.recorder.StoreRecorder`)."""

    def run_started(self, run: HilRun) -> None:
        """The board is up (called once the device session exists)."""

    def sample_recorded(self, run: HilRun, record: SampleRecord) -> None:
        """One sample ended as ``record`` (a result or a failure record)."""

    def results_written(self, run: HilRun, document: dict[str, Any]) -> None:
        """``results.json`` was written with ``document``."""
