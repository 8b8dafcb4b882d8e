"""The observer API of a HIL run: subclass :class:`RunListener` and override what you need.

:class:`harness.run.hil_run.HilRun` calls every listener added with ``run.add_listener`` on each
event; the base class answers every event with nothing, so a listener overrides only its events
(no ``getattr`` probing for hooks). A listener sees the run as an :class:`ObservedRun`: its
report folder, test set, records and document, and its results collector to add notes and
report links to.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from harness.run.results import SampleRecord
    from harness.run.run_results import ResultsCollector
    from harness.run.test_set import TestSet


class ObservedRun(Protocol):
    """What a listener may read of the run (and its :class:`ResultsCollector` to add to)."""

    @property
    def report_dir(self) -> Path:
        """The report folder."""

    @property
    def test_set(self) -> TestSet | None:
        """The test set (``None`` before it is loaded)."""

    @property
    def records(self) -> Sequence[SampleRecord]:
        """The sample records so far."""

    @property
    def results(self) -> ResultsCollector:
        """The run's results collector."""

    def document(self) -> dict[str, Any]:
        """The ``results.json`` document of what happened so far."""


class RunListener:
    """Observer of one HIL run (e.g. :class:`harness.regression.recorder.StoreRecorder`)."""

    def run_started(self, run: ObservedRun) -> None:
        """The board is up (called once the device session exists)."""

    def sample_recorded(self, run: ObservedRun, record: SampleRecord) -> None:
        """One sample ended as ``record`` (a result or a failure record)."""

    def results_written(self, run: ObservedRun, document: dict[str, Any]) -> None:
        """``results.json`` was written with ``document``."""
