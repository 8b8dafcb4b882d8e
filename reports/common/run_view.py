"""A render-ready view of one results document.

:func:`run_view` loads a ``results.json`` dict once through :mod:`reports.results_doc` (which
refuses layouts no writer produces) and reads the verdict the tests recorded. ``RunView.doc``
is the typed document; the dict parts are its JSON form for the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from golden.format import FER_CLASSES
from reports.common.labels import threshold_source_label
from reports.common.run_thresholds import (
    ACCURACY_THRESHOLD,
    ENERGY_BUDGET,
    LATENCY_BUDGET,
    read_threshold,
)
from reports.results_doc import ResultsDocument, Sample, read_results

VerdictStatus = Literal["pass", "fail", "incomplete", "not judged"]


@dataclass(frozen=True)
class Verdict:
    """Pass/fail decision of a run and the reasons behind a failure."""

    status: VerdictStatus
    reasons: list[str]


@dataclass(frozen=True)
class ClassRow:
    """Accuracy of one class on the device and in the golden model."""

    name: str
    support: int | None
    device: float | None
    golden: float | None


@dataclass
class RunView:
    """Everything a page needs to know about one run, with gaps as ``None``."""

    doc: ResultsDocument
    raw: dict[str, Any]
    run: dict[str, Any]
    identity: dict[str, Any]
    dataset: dict[str, Any]
    summary: dict[str, Any]
    samples: list[dict[str, Any]]
    classes: list[str]
    complete: bool
    board_simulated: bool
    meter_simulated: bool
    summary_simulated: bool
    counts: dict[str, int | None]
    accuracy: float | None
    golden_accuracy: float | None
    threshold: float | None
    threshold_source: str | None
    latency_budget_us: float | None
    latency_budget_source: str | None
    energy_budget_uj: float | None
    latency_us: dict[str, float | None]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def simulated(self) -> bool:
        """Whether any figure of this run comes from a simulated board or meter."""
        return self.board_simulated or self.meter_simulated or self.summary_simulated

    @property
    def run_id(self) -> str:
        """The run id, or a placeholder."""
        return self.doc.run.id or "(no run id)"

    @property
    def model_label(self) -> str:
        """``name vVERSION`` of the model under test."""
        name = self.doc.identity.model_name or "unknown model"
        version = self.doc.identity.model_version
        return f"{name} v{version}" if version else name

    @property
    def board_label(self) -> str:
        """Board kind (and board name when it differs)."""
        kind, board = self.doc.identity.board_kind, self.doc.identity.board
        if kind and board and board != kind:
            return f"{kind} ({board})"
        return kind or board or "unknown board"


def _ok(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in samples if s["status"] == "ok"]


def _classes(doc: ResultsDocument) -> list[str]:
    if doc.dataset.classes:
        return list(doc.dataset.classes)
    if doc.summary.per_class_accuracy:
        return list(doc.summary.per_class_accuracy)
    size = max([len(doc.summary.confusion), *[s.label + 1 for s in doc.samples]], default=0)
    if size <= len(FER_CLASSES):
        return list(FER_CLASSES)
    return [f"class {i}" for i in range(size)]


def _golden_accuracy(samples: list[Sample]) -> float | None:
    scored = [s for s in samples if s.ok]
    if not scored:
        return None
    return sum(s.golden_predicted == s.label for s in scored) / len(scored)


def sample_latencies(samples: list[dict[str, Any]]) -> np.ndarray:
    """Return the on-device latencies (µs) of the successful samples as a float array."""
    values = [s["latency_us"] for s in _ok(samples)]
    return np.array([v for v in values if v is not None], dtype=float)


def _board_simulated(doc: ResultsDocument) -> bool:
    flag = doc.identity.simulated
    return flag if flag is not None else bool(doc.summary.simulated)


def _notes(doc: ResultsDocument) -> list[str]:
    notes = [n for n in doc.run.notes if n]
    dataset_note = doc.dataset.note
    if dataset_note and dataset_note not in notes:
        notes.append(dataset_note)
    if doc.dataset.generated is True:
        notes.append("the test set was generated (not FER2013 images): accuracy is not meaningful")
    return notes


def decide_verdict(view: RunView) -> Verdict:
    """Return the verdict the run's tests recorded (the ``verdict`` block); never judge anew.

    The pytest outcomes are the one verdict of a run (``harness/suite/verdict.py`` writes the
    block):
    ``fail`` lists each failed test with its message (the thresholds it crossed). A run that was
    not judged by its tests (no block) shows ``not judged``, an unfinished one ``incomplete``.
    """
    block = view.doc.verdict
    reasons = [
        f"{f.test or 'a test'} failed: {f.message or 'no message'}"
        for f in (block.failed if block is not None else [])
    ]
    status = block.status if block is not None else None
    if status is not None and status != "incomplete":
        if status == "pass" and not view.complete:
            return Verdict("incomplete", reasons)
        return Verdict(status, reasons)
    if not view.complete:
        return Verdict("incomplete", reasons)
    return Verdict(
        "not judged",
        ["no test verdict recorded: this results.json was not written by a HIL test session"],
    )


def class_rows(view: RunView) -> list[ClassRow]:
    """Per-class device accuracy (from the summary) and golden accuracy (from the samples)."""
    given = view.doc.summary.per_class_accuracy
    ok = [s for s in view.doc.samples if s.ok]
    rows = []
    for i, name in enumerate(view.classes):
        mine = [s for s in ok if s.label == i]
        rows.append(
            ClassRow(name, len(mine) if ok else None, given.get(name), _golden_accuracy(mine))
        )
    return rows


def confusion_matrix(view: RunView) -> np.ndarray | None:
    """Return the confusion matrix (rows: true label, columns: prediction).

    ``None`` when no sample was answered or the matrix does not fit the classes.
    """
    n = len(view.classes)
    given = view.doc.summary.confusion
    if len(given) == n and all(len(row) == n for row in given) and any(map(any, given)):
        return np.array(given, dtype=int)
    return None


def run_view(results: Any, what: str = "results") -> RunView:
    """Build the :class:`RunView` of a results dict.

    Raises:
        ReportDataError: ``results`` is not a ferhil results document (one line saying where).
    """
    loaded = read_results(results, what)
    doc = loaded.document
    results = doc.to_json()
    summary = results["summary"]
    latency = doc.summary.latency_us
    threshold, threshold_source = read_threshold(doc, ACCURACY_THRESHOLD)
    budget, budget_source = read_threshold(doc, LATENCY_BUDGET)
    return RunView(
        doc=doc,
        raw=results,
        run=results["run"],
        identity=results["identity"],
        dataset=results["dataset"],
        summary=summary,
        samples=results["samples"],
        classes=_classes(doc),
        complete=doc.run.complete,
        board_simulated=_board_simulated(doc),
        meter_simulated=bool((doc.summary.meter or {}).get("simulated")),
        summary_simulated=bool(doc.summary.simulated),
        counts={
            "samples": doc.summary.samples,
            "matched_golden": doc.summary.matched_golden,
            "mismatched": doc.summary.mismatched,
            "failed": doc.summary.failed,
        },
        accuracy=doc.summary.accuracy,
        golden_accuracy=doc.summary.golden_accuracy,
        threshold=threshold,
        threshold_source=threshold_source_label(threshold_source),
        latency_budget_us=budget,
        latency_budget_source=budget_source,
        energy_budget_uj=read_threshold(doc, ENERGY_BUDGET)[0],
        notes=_notes(doc),
        latency_us={
            "p50": latency.p50,
            "p90": latency.p90,
            "p99": latency.p99,
            "mean": latency.mean,
        },
        warnings=list(loaded.warnings),
    )
