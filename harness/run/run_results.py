"""What a HIL run found: the collector that ``results.json`` and ``report.html`` are made of.

:class:`ResultsCollector` holds the sample records, the run's notes, the extra ``summary`` keys,
the extra top-level blocks (``energy``, ``verdict``, ``regression``, ``thresholds``) and the
links of ``report.html``. HIL tests and meters add to it through its typed methods
(:meth:`~ResultsCollector.add_summary`, :meth:`~ResultsCollector.add_section`,
:meth:`~ResultsCollector.record_threshold`, :meth:`~ResultsCollector.add_note`); the streaming
stage adds records (:meth:`~ResultsCollector.begin_stream`, :meth:`~ResultsCollector.add_record`,
:meth:`~ResultsCollector.end_stream`). What it holds is read through read-only views.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from harness.run.answered_floor import answered_floor
from harness.run.results import SampleRecord, summarize, write_results_json
from harness.run.sample_log import RESULTS_FILE
from harness.run.tta import tta_summary

LOG = logging.getLogger("ferhil.run")

THRESHOLDS_BLOCK = "thresholds"


class ResultsCollector:
    """The results of one run so far (see the module docstring)."""

    def __init__(self) -> None:
        self._records: list[SampleRecord] = []
        self._notes: list[str] = []
        self._summary: dict[str, Any] = {}
        self._sections: dict[str, Any] = {}
        self._links: dict[str, str] = {}
        self._planned: int | None = None
        self._wall_s: float | None = None
        self._complete = False
        self._results_path: Path | None = None
        self._report_path: Path | None = None

    # -- what tests and meters add --------------------------------------------------------
    def add_summary(self, **values: object) -> None:
        """Add keys to the ``summary`` block (energy figures, the verdict, for example)."""
        self._summary.update(values)

    def add_section(self, name: str, value: Mapping[str, Any]) -> None:
        """Add (or replace) the top-level block ``name`` of ``results.json`` (``energy``...)."""
        self._sections[name] = value

    def record_threshold(self, key: str, value: float, source: str) -> None:
        """Record a pass/fail threshold and where it came from (the ``thresholds`` block)."""
        self._sections.setdefault(THRESHOLDS_BLOCK, {})[key] = {"value": value, "source": source}

    def add_note(self, note: str) -> None:
        """Add a sentence to ``run.notes`` of ``results.json``."""
        self._notes.append(note)

    def add_notes(self, notes: Iterable[str], *, unique: bool = False) -> None:
        """Add several notes; with ``unique`` only those not already there (in order)."""
        for note in notes:
            if not unique or note not in self._notes:
                self._notes.append(note)

    def add_links(self, links: Mapping[str, str], *, replace: bool = True) -> None:
        """Add links rendered into ``report.html`` (``replace=False`` keeps existing names)."""
        for name, target in links.items():
            if replace or name not in self._links:
                self._links[name] = target

    # -- what streaming adds --------------------------------------------------------------
    def begin_stream(self, kept: Sequence[SampleRecord], planned: int) -> None:
        """Start a streaming pass with the resumed records ``kept`` and ``planned`` images."""
        self._records = list(kept)
        self._planned = planned

    def add_record(self, record: SampleRecord) -> None:
        """Add one sample's outcome (in arrival order)."""
        self._records.append(record)

    def end_stream(self, wall_s: float, complete: bool) -> None:
        """End the pass: sort the records by index and say whether the run is complete."""
        self._wall_s = wall_s
        self._records.sort(key=lambda r: r.index)
        self._complete = complete

    # -- read-only views ------------------------------------------------------------------
    @property
    def records(self) -> tuple[SampleRecord, ...]:
        """The sample records (sorted by index once streaming ended)."""
        return tuple(self._records)

    @property
    def notes(self) -> tuple[str, ...]:
        """The run's notes so far."""
        return tuple(self._notes)

    @property
    def sections(self) -> Mapping[str, Any]:
        """The extra top-level blocks of ``results.json``."""
        return MappingProxyType(self._sections)

    def section(self, name: str) -> Any:
        """The block ``name`` (``None`` when nobody added it)."""
        return self._sections.get(name)

    def summary_number(self, key: str) -> float | None:
        """The number added as ``summary.<key>`` (``None``: not added, or not a number)."""
        value = self._summary.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    @property
    def links(self) -> Mapping[str, str]:
        """The links of ``report.html`` (name -> file)."""
        return MappingProxyType(self._links)

    @property
    def planned(self) -> int | None:
        """The images the last streaming pass covers (an xdist worker: its shard)."""
        return self._planned

    @property
    def complete(self) -> bool:
        """True when streaming ended and enough images were answered."""
        return self._complete

    @property
    def stream_wall_s(self) -> float | None:
        """Seconds the last streaming pass took."""
        return self._wall_s

    @property
    def results_path(self) -> Path | None:
        """``results.json`` once written."""
        return self._results_path

    @property
    def report_path(self) -> Path | None:
        """``report.html`` once rendered."""
        return self._report_path

    @property
    def record_count(self) -> int:
        """How many records there are so far."""
        return len(self._records)

    def answered(self) -> int:
        """How many samples the board answered."""
        return sum(1 for r in self._records if r.status == "ok")

    def answered_enough(self, min_answered: str | None, total: int) -> bool:
        """True when at least the ``--min-answered`` floor of ``total`` images was answered.

        Below the floor a note says why the run is not complete.
        """
        answered = self.answered()
        floor = answered_floor(min_answered, total)
        if answered >= floor:
            return True
        self.add_note(
            f"incomplete: {answered} of {total} images were answered, fewer than the floor "
            f"{floor} (--min-answered); the run is not complete and is never a baseline"
        )
        return False

    def summary(
        self, classes: Sequence[str], simulated: bool, tta: str | None = None
    ) -> dict[str, Any]:
        """The ``summary`` block: :func:`harness.run.results.summarize` plus the added keys.

        With ``tta`` (``--tta``'s kind) ``summary.tta`` (:func:`harness.run.tta.tta_summary`) sits
        beside the single pass, joined by the ``tta`` figures added (``hil/test_tta.py``).
        """
        summary = summarize(self._records, classes, simulated, self._wall_s)
        extra = dict(self._summary)
        if tta:
            single_mean = summary["latency_us"]["mean"]
            block = tta_summary(self._records, tta, simulated, single_mean)
            summary["tta"] = {**block, **extra.pop("tta", {})}
        summary.update(extra)
        return summary

    # -- files ----------------------------------------------------------------------------
    def write_results(self, report_dir: Path, document: dict[str, Any]) -> Path:
        """Check ``document`` and write it as ``results.json`` into ``report_dir``; return its path.

        Raises:
            ResultsDocumentError: the document does not follow the ``ferhil-results`` schema.
        """
        self._results_path = write_results_json(report_dir / RESULTS_FILE, document)
        return self._results_path

    def write_report(self, report_dir: Path) -> Path:
        """Render the written ``results.json`` as ``report.html`` through :mod:`reports`."""
        from reports import html

        document = json.loads((report_dir / RESULTS_FILE).read_text(encoding="utf-8"))
        links = {"links": dict(self._links)} if self._links else {}
        self._report_path = Path(html.write_report(document, report_dir, **links))
        LOG.info("wrote %s", self._report_path)
        return self._report_path
