"""Write ``history.html`` and ``comparison.html`` from the result store (through :mod:`reports`).

``history.html`` shows every stored run; ``comparison.html`` compares one run (default: the
newest complete run) with its baseline (:mod:`harness.regression.baseline`). Both pages link to
each other, and to ``report.html`` when they are written into a run's report folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.regression.baseline import BaselineChoice, find_baseline
from harness.regression.flip_images import changed_sample_images
from harness.store.records import StoredRun
from harness.store.store import ResultStore

HISTORY_LABEL = "History"
COMPARISON_LABEL = "Comparison with baseline"
REPORT_LABEL = "Run report"


@dataclass(frozen=True)
class RegressionPages:
    """The pages written (``None`` when not written) and the baseline of the comparison."""

    history: Path | None
    comparison: Path | None
    target: StoredRun | None
    baseline: BaselineChoice | None

    def links(self) -> dict[str, str]:
        """Navigation links (label -> file name) to the written pages."""
        out = {}
        if self.history is not None:
            out[HISTORY_LABEL] = self.history.name
        if self.comparison is not None:
            out[COMPARISON_LABEL] = self.comparison.name
        return out


def _recorded_baseline(store: ResultStore, run_id: str, explicit: str | None) -> BaselineChoice:
    """The baseline the run's test compared with (its ``regression`` block), else the rule's."""
    document = store.results(run_id, samples=False)
    recorded = (document.get("regression") or {}).get("baseline") or {}
    wanted = recorded.get("run_id")
    if not explicit and wanted and store.has_run(str(wanted)):
        return BaselineChoice(store.run(str(wanted)), str(recorded.get("reason") or ""))
    return find_baseline(store, document, explicit)


def existing_reports(runs: list[dict[str, Any]], out_dir: Path) -> dict[str, str]:
    """Relative links from ``out_dir`` to the ``report.html`` of each run that still has one.

    A run's report folder is its recorded ``--report-dir`` option (relative paths are taken
    from the current folder, as ``ferhil run`` wrote them).
    """
    links = {}
    for doc in runs:
        run = doc.get("run") or {}
        folder = (run.get("options") or {}).get("report-dir")
        if not folder or not run.get("id"):
            continue
        report = Path(folder) / "report.html"
        if report.is_file():
            links[str(run["id"])] = Path(
                os.path.relpath(report.resolve(), out_dir.resolve())
            ).as_posix()
    return links


def _target(store: ResultStore, run_id: str | None) -> StoredRun | None:
    if run_id is not None:
        return store.run(run_id)
    complete = store.runs(complete_only=True)
    return complete[-1] if complete else None


def write_pages(
    store: ResultStore,
    out_dir: Path,
    *,
    run_id: str | None = None,
    baseline: str | None = None,
    images: Mapping[int, np.ndarray] | None = None,
    report: str | None = None,
) -> RegressionPages:
    """Write ``history.html`` and, when the run has a baseline, ``comparison.html``.

    Args:
        store: the result store.
        out_dir: folder for the pages (created when missing).
        run_id: the run to compare (default: the newest complete run).
        baseline: ``--baseline`` (run id or model version), else the default rule.
        images: face images by sample index, shown next to changed samples (default: read
            those of the changed samples from the run's recorded data set).
        report: the run's ``report.html`` (relative URL) to link from both pages.

    Raises:
        harness.store.StoreError: ``run_id`` is not stored.
        harness.regression.errors.RegressionError: ``baseline`` names no usable run.
        reports.ReportDataError: a stored document cannot be rendered.
    """
    from reports.html import COMPARISON_FILE, HISTORY_FILE, write_comparison, write_history

    out_dir = Path(out_dir)
    target = _target(store, run_id)
    choice: BaselineChoice | None = None
    if target is not None:
        choice = _recorded_baseline(store, target.id, baseline)
    nav: dict[str, str] = {REPORT_LABEL: report} if report else {}
    comparison_name = COMPARISON_FILE if choice is not None and choice.run is not None else None
    history_links = dict(nav)
    if comparison_name:
        history_links[COMPARISON_LABEL] = comparison_name
    runs: list[dict[str, Any]] = [store.results(r.id, samples=False) for r in store.runs()]
    history = write_history(
        runs, out_dir, links=history_links, report_links=existing_reports(runs, out_dir)
    )
    comparison = None
    if target is not None and choice is not None and choice.run is not None:
        base_doc, new_doc = store.results(choice.run.id), store.results(target.id)
        if images is None:  # e.g. `ferhil history`: read the changed faces from the data set
            images = changed_sample_images(base_doc, new_doc)
        comparison = write_comparison(
            base_doc,
            new_doc,
            out_dir,
            images=images,
            links={**nav, HISTORY_LABEL: HISTORY_FILE},
        )
    return RegressionPages(history, comparison, target, choice)
