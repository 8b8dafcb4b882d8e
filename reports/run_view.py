"""A normalised, render-ready view of one results dict.

:func:`run_view` reads a (possibly partial) ``results.json`` dict once, fills what it can derive
from the samples when the summary lacks it, and reads the verdict the tests recorded.
Templates and plots only see :class:`RunView`, never the raw dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from golden.format import FER_CLASSES
from reports.coerce import as_dict, as_float, as_int, as_list, as_str, check_results, dig
from reports.labels import threshold_source_label
from reports.run_thresholds import (
    ACCURACY_THRESHOLD,
    ENERGY_BUDGET,
    LATENCY_BUDGET,
    read_threshold,
)

VerdictStatus = Literal["pass", "fail", "incomplete", "not judged"]
SUPPORTED_SCHEMA_VERSION = 1


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
        return as_str(self.run.get("id")) or "(no run id)"

    @property
    def model_label(self) -> str:
        """``name vVERSION`` of the model under test."""
        name = as_str(self.identity.get("model_name")) or "unknown model"
        version = as_str(self.identity.get("model_version"))
        return f"{name} v{version}" if version else name

    @property
    def board_label(self) -> str:
        """Board kind (and board name when it differs)."""
        kind = as_str(self.identity.get("board_kind"))
        board = as_str(self.identity.get("board"))
        if kind and board and board != kind:
            return f"{kind} ({board})"
        return kind or board or "unknown board"


def _samples(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [as_dict(s) for s in as_list(results.get("samples")) if isinstance(s, dict)]


def _ok(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in samples if s.get("status", "ok") == "ok"]


def _classes(results: dict[str, Any], samples: list[dict[str, Any]]) -> list[str]:
    names = [str(c) for c in as_list(dig(results, "dataset", "classes"))]
    if names:
        return names
    per_class = as_dict(dig(results, "summary", "per_class_accuracy"))
    if per_class:
        return [str(c) for c in per_class]
    size = len(as_list(dig(results, "summary", "confusion")))
    labels = [as_int(s.get("label")) for s in samples]
    size = max([size, *[(x + 1) for x in labels if x is not None]], default=0)
    if size <= len(FER_CLASSES):
        return list(FER_CLASSES)
    return [f"class {i}" for i in range(size)]


def _counts(summary: dict[str, Any], samples: list[dict[str, Any]]) -> dict[str, int | None]:
    ok = _ok(samples)
    derived: dict[str, int | None] = {
        "samples": len(samples) if samples else None,
        "matched_golden": sum(s.get("match") is True for s in ok) if samples else None,
        "mismatched": sum(s.get("match") is False for s in ok) if samples else None,
        "failed": len(samples) - len(ok) if samples else None,
    }
    return {k: as_int(summary.get(k)) if k in summary else v for k, v in derived.items()}


def _accuracy(samples: list[dict[str, Any]], key: str) -> float | None:
    scored = [s for s in _ok(samples) if as_int(s.get(key)) is not None]
    if not scored:
        return None
    return sum(s[key] == s.get("label") for s in scored) / len(scored)


def _latency(summary: dict[str, Any], samples: list[dict[str, Any]]) -> dict[str, float | None]:
    given = as_dict(summary.get("latency_us"))
    values = sample_latencies(samples)
    derived = {
        "p50": float(np.percentile(values, 50)) if values.size else None,
        "p90": float(np.percentile(values, 90)) if values.size else None,
        "p99": float(np.percentile(values, 99)) if values.size else None,
        "mean": float(values.mean()) if values.size else None,
    }
    return {k: as_float(given[k]) if k in given else v for k, v in derived.items()}


def sample_latencies(samples: list[dict[str, Any]]) -> np.ndarray:
    """Return the on-device latencies (µs) of the successful samples as a float array."""
    values = [as_float(s.get("latency_us")) for s in _ok(samples)]
    return np.array([v for v in values if v is not None], dtype=float)


def _board_simulated(identity: dict[str, Any], summary: dict[str, Any]) -> bool:
    flag = identity.get("simulated")
    return flag if isinstance(flag, bool) else bool(summary.get("simulated"))


def _notes(results: dict[str, Any]) -> list[str]:
    notes = [str(n) for n in as_list(dig(results, "run", "notes")) if as_str(n)]
    dataset_note = as_str(dig(results, "dataset", "note"))
    if dataset_note and dataset_note not in notes:
        notes.append(dataset_note)
    if dig(results, "dataset", "generated") is True:
        notes.append("the test set was generated (not FER2013 images): accuracy is not meaningful")
    return notes


def decide_verdict(view: RunView) -> Verdict:
    """Return the verdict the run's tests recorded (the ``verdict`` block); never judge anew.

    The pytest outcomes are the one verdict of a run (``harness/verdict.py`` writes the block):
    ``fail`` lists each failed test with its message (the thresholds it crossed). A run that was
    not judged by its tests (no block) shows ``not judged``, an unfinished one ``incomplete``.
    """
    block = as_dict(view.raw.get("verdict"))
    reasons = [
        f"{as_str(f.get('test')) or 'a test'} failed: {as_str(f.get('message')) or 'no message'}"
        for f in (as_dict(x) for x in as_list(block.get("failed")))
    ]
    status = as_str(block.get("status"))
    if status in ("pass", "fail", "not judged"):
        if status == "pass" and not view.complete:
            return Verdict("incomplete", reasons)
        return Verdict(status, reasons)  # type: ignore[arg-type]
    if not view.complete:
        return Verdict("incomplete", reasons)
    return Verdict(
        "not judged",
        ["no test verdict recorded: this results.json was not written by a HIL test session"],
    )


def class_rows(view: RunView) -> list[ClassRow]:
    """Per-class device accuracy (from the summary) and golden accuracy (from the samples)."""
    given = as_dict(view.summary.get("per_class_accuracy"))
    ok = _ok(view.samples)
    rows = []
    for i, name in enumerate(view.classes):
        mine = [s for s in ok if as_int(s.get("label")) == i]
        device = as_float(given.get(name)) if name in given else _accuracy(mine, "predicted")
        rows.append(
            ClassRow(name, len(mine) if ok else None, device, _accuracy(mine, "golden_predicted"))
        )
    return rows


def confusion_matrix(view: RunView) -> np.ndarray | None:
    """Return the confusion matrix (rows: true label, columns: prediction) or ``None``."""
    n = len(view.classes)
    given = as_list(view.summary.get("confusion"))
    if given and all(len(as_list(r)) == n for r in given) and len(given) == n:
        cells = [[as_int(c) for c in as_list(r)] for r in given]
        if all(c is not None for row in cells for c in row):
            return np.array(cells, dtype=int)
    matrix = np.zeros((n, n), dtype=int)
    found = False
    for s in _ok(view.samples):
        label, pred = as_int(s.get("label")), as_int(s.get("predicted"))
        if label is not None and pred is not None and 0 <= label < n and 0 <= pred < n:
            matrix[label, pred] += 1
            found = True
    return matrix if found else None


def run_view(results: Any, what: str = "results") -> RunView:
    """Build the :class:`RunView` of a results dict.

    Raises:
        ReportDataError: ``results`` is not a ferhil results dict.
    """
    results = check_results(results, what)
    summary = as_dict(results.get("summary"))
    identity = as_dict(results.get("identity"))
    samples = _samples(results)
    warnings = []
    version = as_int(results.get("schema_version"))
    if version is not None and version > SUPPORTED_SCHEMA_VERSION:
        warnings.append(
            f"results schema version {version} is newer than this report writer "
            f"({SUPPORTED_SCHEMA_VERSION}); fields it does not know are not shown"
        )
    threshold, threshold_source = read_threshold(results, ACCURACY_THRESHOLD)
    budget, budget_source = read_threshold(results, LATENCY_BUDGET)
    accuracy = as_float(summary.get("accuracy"))
    golden = as_float(summary.get("golden_accuracy"))
    return RunView(
        raw=results,
        run=as_dict(results.get("run")),
        identity=identity,
        dataset=as_dict(results.get("dataset")),
        summary=summary,
        samples=samples,
        classes=_classes(results, samples),
        complete=dig(results, "run", "complete") is True,
        board_simulated=_board_simulated(identity, summary),
        meter_simulated=bool(dig(summary, "meter", "simulated")),
        summary_simulated=bool(summary.get("simulated")),
        counts=_counts(summary, samples),
        accuracy=accuracy if accuracy is not None else _accuracy(samples, "predicted"),
        golden_accuracy=golden if golden is not None else _accuracy(samples, "golden_predicted"),
        threshold=threshold,
        threshold_source=threshold_source_label(threshold_source),
        latency_budget_us=budget,
        latency_budget_source=budget_source,
        energy_budget_uj=read_threshold(results, ENERGY_BUDGET)[0],
        notes=_notes(results),
        latency_us=_latency(summary, samples),
        warnings=warnings,
    )
