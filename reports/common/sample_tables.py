"""Rows of the per-sample tables: golden mismatches and failed samples.

Both tables are capped (a run can have thousands of samples); the caller gets the rows shown and
the total so the page can say "showing 50 of 812".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reports.results_doc import Sample

DEFAULT_CAP = 50


@dataclass(frozen=True)
class OutputCell:
    """One element of a device output vector next to the golden value."""

    device: int | float | None
    golden: int | float | None

    @property
    def differs(self) -> bool:
        """Whether device and golden disagree on this element."""
        return self.device != self.golden


@dataclass(frozen=True)
class MismatchRow:
    """A sample whose device outputs differ from the golden outputs."""

    index: int | None
    sample_id: str
    label: str
    predicted: str
    golden_predicted: str
    cells: list[OutputCell]
    max_abs_diff: float | None


@dataclass(frozen=True)
class FailureRow:
    """A sample the device did not answer correctly (timeout, protocol error, crash)."""

    index: int | None
    sample_id: str
    label: str
    error: str


@dataclass(frozen=True)
class Capped:
    """The rows shown of a longer list."""

    rows: list[Any]
    total: int

    @property
    def hidden(self) -> int:
        """How many rows were left out."""
        return self.total - len(self.rows)


def class_name(index: int | None, classes: list[str]) -> str:
    """Name of the class ``index`` (``"—"`` when absent, ``"#9"`` when out of range)."""
    if index is None:
        return "—"
    return classes[index] if 0 <= index < len(classes) else f"#{index}"


def _cells(device: list[int], golden: list[int]) -> list[OutputCell]:
    dev: list[int | None] = [*device]
    gold: list[int | None] = [*golden]
    width = max(len(dev), len(gold))
    dev += [None] * (width - len(dev))
    gold += [None] * (width - len(gold))
    return [OutputCell(d, g) for d, g in zip(dev, gold, strict=True)]


def _max_abs_diff(sample: Sample, cells: list[OutputCell]) -> float | None:
    if sample.max_abs_diff is not None:
        return float(sample.max_abs_diff)
    diffs = [
        abs(c.device - c.golden) for c in cells if c.device is not None and c.golden is not None
    ]
    return float(max(diffs)) if diffs else None


def mismatch_rows(samples: Sequence[Sample], classes: list[str], cap: int = DEFAULT_CAP) -> Capped:
    """Samples that ran but differ from the golden model, largest difference first."""
    rows = []
    for s in samples:
        if not s.ok or s.match is not False:
            continue
        cells = _cells(s.outputs or [], s.golden_outputs)
        rows.append(
            MismatchRow(
                index=s.index,
                sample_id=s.id or "—",
                label=class_name(s.label, classes),
                predicted=class_name(s.predicted, classes),
                golden_predicted=class_name(s.golden_predicted, classes),
                cells=cells,
                max_abs_diff=_max_abs_diff(s, cells),
            )
        )
    rows.sort(key=lambda r: -(r.max_abs_diff if r.max_abs_diff is not None else float("inf")))
    return Capped(rows[:cap], len(rows))


def failure_rows(samples: Sequence[Sample], classes: list[str], cap: int = DEFAULT_CAP) -> Capped:
    """Samples whose status is ``failed``, in run order."""
    rows = [
        FailureRow(
            index=s.index,
            sample_id=s.id or "—",
            label=class_name(s.label, classes),
            error=s.error or "failed, no reason given",
        )
        for s in samples
        if not s.ok
    ]
    return Capped(rows[:cap], len(rows))


def failure_reasons(rows: list[FailureRow], cap: int = 10) -> list[tuple[str, int]]:
    """Most frequent failure reasons with digits masked, so 'seq 17' and 'seq 18' group."""
    masked = Counter("".join("#" if ch.isdigit() else ch for ch in r.error) for r in rows)
    return masked.most_common(cap)
