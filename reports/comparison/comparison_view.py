"""Base-versus-new comparison of two runs: metric deltas and changed predictions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from reports.common.metric_delta import ACCURACY_TOLERANCE, MetricDelta, Unit, relative_tolerance
from reports.common.run_view import RunView, class_rows, confusion_matrix
from reports.common.sample_tables import Capped, class_name
from reports.comparison.thumbnails import image_data_uri
from reports.results_doc import Sample

ChangeKind = Literal["fixed", "broken", "changed", "now failing", "now ok"]
CHANGE_ORDER: tuple[ChangeKind, ...] = ("broken", "now failing", "fixed", "now ok", "changed")


@dataclass(frozen=True)
class ChangedSample:
    """A sample whose prediction or status differs between the runs."""

    index: int | None
    sample_id: str
    label: str
    base: str
    new: str
    kind: ChangeKind
    image_uri: str | None


def metric_deltas(base: RunView, new: RunView) -> list[MetricDelta]:
    """Headline metrics of both runs (latency and energy: 1 % counts as unchanged)."""

    def s(view: RunView, *path: str) -> float | None:
        value: Any = view.doc.summary
        for key in path:
            value = getattr(value, key)
        return None if value is None else float(value)

    rows = [
        MetricDelta("accuracy", base.accuracy, new.accuracy, "pct", True, ACCURACY_TOLERANCE),
        MetricDelta(
            "golden accuracy",
            base.golden_accuracy,
            new.golden_accuracy,
            "pct",
            True,
            ACCURACY_TOLERANCE,
        ),
    ]
    for key, name in (("mismatched", "golden mismatches"), ("failed", "failed samples")):
        b_count, n_count = base.counts[key], new.counts[key]
        rows.append(
            MetricDelta(
                name,
                None if b_count is None else float(b_count),
                None if n_count is None else float(n_count),
                "count",
                False,
            )
        )
    for q in ("p50", "p90", "p99", "mean"):
        b, n = base.latency_us[q], new.latency_us[q]
        rows.append(MetricDelta(f"latency {q}", b, n, "us", False, relative_tolerance(b)))
    b, n = s(base, "host_rtt_ms", "p50"), s(new, "host_rtt_ms", "p50")
    rows.append(MetricDelta("host round trip p50", b, n, "ms", False, relative_tolerance(b)))
    b, n = s(base, "throughput_ips"), s(new, "throughput_ips")
    rows.append(MetricDelta("throughput", b, n, "ips", True, relative_tolerance(b)))
    energy_rows: tuple[tuple[str, str, Unit], ...] = (
        ("energy_uj_per_inference", "energy / inference", "uj"),
        ("active_power_mw", "active power", "mw"),
        ("idle_power_mw", "idle power", "mw"),
    )
    for key, name, unit in energy_rows:
        b, n = s(base, key), s(new, key)
        rows.append(MetricDelta(name, b, n, unit, False, relative_tolerance(b)))
    return rows


def class_deltas(base: RunView, new: RunView) -> list[MetricDelta]:
    """Per-class accuracy of both runs, over the union of class names (new order first)."""
    b_rows = {r.name: r.device for r in class_rows(base)}
    n_rows = {r.name: r.device for r in class_rows(new)}
    names = list(dict.fromkeys([*n_rows, *b_rows]))
    return [
        MetricDelta(n, b_rows.get(n), n_rows.get(n), "pct", True, ACCURACY_TOLERANCE) for n in names
    ]


def confusion_delta(base: RunView, new: RunView) -> np.ndarray | None:
    """``new - base`` confusion counts, or ``None`` if either is missing or classes differ."""
    b, n = confusion_matrix(base), confusion_matrix(new)
    if b is None or n is None or base.classes != new.classes or b.shape != n.shape:
        return None
    result: np.ndarray | None = n - b
    return result


def _key(sample: Sample) -> str:
    return sample.id or str(sample.index)


def _kind(b: Sample, n: Sample) -> ChangeKind | None:
    if b.ok != n.ok:
        return "now ok" if n.ok else "now failing"
    if not n.ok or b.predicted == n.predicted:
        return None
    if n.predicted == n.label:
        return "fixed"
    return "broken" if b.predicted == n.label else "changed"


def _row(
    other: Sample,
    sample: Sample,
    base: RunView,
    new: RunView,
    kind: ChangeKind,
    images: Mapping[int, np.ndarray] | None,
) -> ChangedSample:
    image = images.get(sample.index) if images is not None else None
    return ChangedSample(
        index=sample.index,
        sample_id=sample.id or "—",
        label=class_name(sample.label, new.classes),
        base=_shown(other, base),
        new=_shown(sample, new),
        kind=kind,
        image_uri=image_data_uri(image) if image is not None else None,
    )


def changed_samples(
    base: RunView, new: RunView, images: Mapping[int, np.ndarray] | None = None, cap: int = 100
) -> tuple[Capped, dict[ChangeKind, int]]:
    """Samples (matched by id, else index) whose prediction or status changed.

    Returns:
        The capped rows (regressions first) and the count per change kind.
    """
    base_by_key = {_key(s): s for s in base.doc.samples}
    rows: list[ChangedSample] = []
    for sample in new.doc.samples:
        other = base_by_key.get(_key(sample))
        kind = _kind(other, sample) if other is not None else None
        if other is None or kind is None:
            continue
        rows.append(_row(other, sample, base, new, kind, images))
    counts = {k: sum(r.kind == k for r in rows) for k in CHANGE_ORDER}
    rows.sort(key=lambda r: CHANGE_ORDER.index(r.kind))
    return Capped(rows[:cap], len(rows)), counts


def flipped_samples(
    base: RunView, new: RunView, images: Mapping[int, np.ndarray] | None = None, cap: int = 60
) -> tuple[Capped, Capped]:
    """Samples whose correctness flipped: (right → wrong, wrong → right), matched by id.

    A sample is right when it was answered and its prediction equals its label (a failed sample
    is wrong), the pairing McNemar's test counts. Each row carries its face image when
    ``images`` (by the new run's sample index) has it.
    """
    base_by_key = {_key(s): s for s in base.doc.samples}
    lost: list[ChangedSample] = []
    gained: list[ChangedSample] = []
    for sample in new.doc.samples:
        other = base_by_key.get(_key(sample))
        if other is None or other.correct == sample.correct:
            continue
        row = _row(other, sample, base, new, _kind(other, sample) or "changed", images)
        (gained if sample.correct else lost).append(row)
    return Capped(lost[:cap], len(lost)), Capped(gained[:cap], len(gained))


def _shown(sample: Sample, view: RunView) -> str:
    if not sample.ok:
        return "failed"
    return class_name(sample.predicted, view.classes)


def comparison_warnings(base: RunView, new: RunView) -> list[str]:
    """Reasons the comparison may mislead (different data or board, incomplete runs)."""
    notes = []
    if base.doc.dataset.hash != new.doc.dataset.hash:
        notes.append("the runs used different datasets (hashes differ): accuracy is not comparable")
    if base.doc.identity.board_kind != new.doc.identity.board_kind:
        notes.append("the runs used different board kinds: latency and energy are not comparable")
    for name, view in (("base", base), ("new", new)):
        if not view.complete:
            notes.append(
                f"the {name} run is incomplete: its figures cover only part of the dataset"
            )
    if base.simulated != new.simulated:
        notes.append("one run is simulated and the other is not")
    return notes
