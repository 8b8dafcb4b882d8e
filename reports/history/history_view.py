"""Runs across model versions, grouped by board kind and dataset, with baselines.

A run's baseline is the latest *complete* earlier run of the same group; incomplete runs are
shown but never serve as a baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.common.metric_delta import ACCURACY_TOLERANCE, MetricDelta, Unit, relative_tolerance
from reports.common.run_view import RunView, Verdict, class_rows, decide_verdict, run_view


@dataclass
class RunPoint:
    """One run as a row/point of the history page."""

    view: RunView
    started: str
    per_class: dict[str, float | None]
    p50_us: float | None
    p99_us: float | None
    energy_uj: float | None
    report_link: str | None = None
    baseline: RunPoint | None = None

    @property
    def verdict(self) -> Verdict:
        """The run's recorded test verdict (never recomputed)."""
        return decide_verdict(self.view)

    @property
    def failed_tests(self) -> list[str]:
        """Names of the HIL tests that failed in this run."""
        block = self.view.doc.verdict
        return [f.test for f in block.failed] if block is not None else []

    @property
    def complete(self) -> bool:
        """Whether the run finished (only complete runs can be baselines)."""
        return self.view.complete

    @property
    def version_label(self) -> str:
        """Short x-axis label: model version (or short hash)."""
        version = self.view.doc.identity.model_version
        model_hash = self.view.doc.identity.model_hash or ""
        return f"v{version}" if version else (model_hash[:8] or "?")

    def change(self, metric: str) -> MetricDelta:
        """``metric`` against the baseline run (higher accuracy, lower latency/energy is better)."""
        base = self.baseline.metric(metric) if self.baseline is not None else None
        if metric in ("accuracy", "golden_accuracy"):
            return MetricDelta(metric, base, self.metric(metric), "pct", True, ACCURACY_TOLERANCE)
        unit: Unit = "uj" if metric == "energy_uj" else "us"
        return MetricDelta(metric, base, self.metric(metric), unit, False, relative_tolerance(base))

    def metric(self, metric: str) -> float | None:
        """A scalar metric by name: accuracy, golden_accuracy, p50_us, p99_us, energy_uj."""
        if metric == "accuracy":
            return self.view.accuracy
        if metric == "golden_accuracy":
            return self.view.golden_accuracy
        value = getattr(self, metric)
        return value if isinstance(value, float) else None


@dataclass
class RunGroup:
    """Runs on one board kind and one dataset, oldest first."""

    board_kind: str
    dataset: str
    dataset_hash: str | None
    points: list[RunPoint] = field(default_factory=list)
    key: str = "group"

    @property
    def classes(self) -> list[str]:
        """Class names seen in the group, in first-seen order."""
        names: dict[str, None] = {}
        for point in self.points:
            names.update(dict.fromkeys(point.per_class))
        return list(names)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _point(results: Mapping[str, Any], index: int, links: Mapping[str, str]) -> RunPoint:
    view = run_view(results, what=f"runs[{index}]")
    return RunPoint(
        view=view,
        started=view.doc.run.started,
        per_class={row.name: row.device for row in class_rows(view)},
        p50_us=view.latency_us["p50"],
        p99_us=view.latency_us["p99"],
        energy_uj=_float(view.doc.summary.energy_uj_per_inference),
        report_link=links.get(view.run_id),
    )


def group_runs(
    runs: Sequence[Mapping[str, Any]], links: Mapping[str, str] | None = None
) -> list[RunGroup]:
    """Group runs by (board kind, dataset hash), sort each group by start time, set baselines.

    Args:
        runs: results-like dicts (see ``write_history``).
        links: optional report URL per run id.

    Raises:
        ReportDataError: an entry is not a results dict.
    """
    groups: dict[tuple[str, str], RunGroup] = {}
    for index, results in enumerate(runs):
        point = _point(results, index, links or {})
        identity, dataset = point.view.doc.identity, point.view.doc.dataset
        board = identity.board_kind or "unknown board"
        name = dataset.name or "unknown dataset"
        data_hash = dataset.hash
        key = (board, data_hash or name)
        groups.setdefault(key, RunGroup(board, name, data_hash)).points.append(point)
    for group in groups.values():
        group.points.sort(key=lambda p: p.started)
        last_complete: RunPoint | None = None
        for point in group.points:
            point.baseline = last_complete
            if point.complete:
                last_complete = point
    ordered = sorted(groups.values(), key=lambda g: (g.board_kind, g.dataset, g.dataset_hash or ""))
    for number, group in enumerate(ordered):
        group.key = f"group{number}"
    return ordered
