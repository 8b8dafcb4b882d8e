"""Compare a new run's summary with its baseline's, metric by metric, against the limits.

Every metric gets one row (metric, baseline, new, delta, threshold, verdict); the verdict is
``pass``, ``FAIL`` or ``n/a`` (a figure is missing on either side, or a class has too few
samples to judge). Accuracy deltas are in percentage points, latency and energy deltas in
percent of the baseline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.regression.limits import RegressionLimits

PASS, FAIL, NOT_JUDGED = "pass", "FAIL", "n/a"
HEADER = ("metric", "baseline", "new", "delta", "threshold", "verdict")


@dataclass(frozen=True)
class MetricCheck:
    """One row of the regression table (texts already formatted)."""

    metric: str
    baseline: str
    new: str
    delta: str
    threshold: str
    verdict: str

    def cells(self) -> tuple[str, ...]:
        """The row's cells in :data:`HEADER` order."""
        return (self.metric, self.baseline, self.new, self.delta, self.threshold, self.verdict)


@dataclass(frozen=True)
class RegressionVerdict:
    """All metric checks of one comparison."""

    checks: tuple[MetricCheck, ...]

    @property
    def failed(self) -> list[MetricCheck]:
        """The checks whose threshold was crossed."""
        return [c for c in self.checks if c.verdict == FAIL]

    @property
    def passed(self) -> bool:
        """True when no threshold was crossed."""
        return not self.failed

    def table(self) -> str:
        """The checks as an aligned plain-text table."""
        rows = [HEADER, *(c.cells() for c in self.checks)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(line.rstrip() for line in lines)

    def to_json(self) -> list[dict[str, str]]:
        """The checks as a list of dicts (for JSON output and JUnit properties)."""
        return [dict(zip(HEADER, c.cells(), strict=True)) for c in self.checks]


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100.0 * value:.2f}%"


def _val(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.4g} {unit}"


def _points_check(name: str, base: float | None, new: float | None, limit: float) -> MetricCheck:
    threshold = f"drop <= {limit:g} pp"
    if base is None or new is None:
        return MetricCheck(name, _pct(base), _pct(new), "-", threshold, NOT_JUDGED)
    delta = 100.0 * (new - base)
    verdict = FAIL if -delta > limit + 1e-9 else PASS
    return MetricCheck(name, _pct(base), _pct(new), f"{delta:+.2f} pp", threshold, verdict)


def _growth_check(
    name: str, base: float | None, new: float | None, limit: float, unit: str
) -> MetricCheck:
    threshold = f"increase <= {limit:g}%"
    if base is None or new is None or base <= 0:
        return MetricCheck(name, _val(base, unit), _val(new, unit), "-", threshold, NOT_JUDGED)
    growth = 100.0 * (new - base) / base
    verdict = FAIL if growth > limit + 1e-9 else PASS
    return MetricCheck(
        name, _val(base, unit), _val(new, unit), f"{growth:+.2f}%", threshold, verdict
    )


def golden_mismatches(summary: Mapping[str, Any]) -> int | None:
    """Samples whose device outputs did not match the golden ones (failed samples included)."""
    samples, matched = _num(summary.get("samples")), _num(summary.get("matched_golden"))
    if samples is None or matched is None:
        return None
    return int(samples - matched)


def class_counts(summary: Mapping[str, Any]) -> list[int] | None:
    """Completed samples per class (row sums of the confusion matrix), if present."""
    confusion = summary.get("confusion")
    if not isinstance(confusion, Sequence) or not confusion:
        return None
    return [int(sum(row)) for row in confusion]


def _class_checks(
    base: Mapping[str, Any], new: Mapping[str, Any], limits: RegressionLimits
) -> list[MetricCheck]:
    base_classes = base.get("per_class_accuracy") or {}
    new_classes = new.get("per_class_accuracy") or {}
    counts = class_counts(new)
    checks = []
    for i, name in enumerate(new_classes):
        check = _points_check(
            f"accuracy[{name}]",
            _num(base_classes.get(name)),
            _num(new_classes.get(name)),
            limits.max_class_accuracy_drop_pp,
        )
        n = counts[i] if counts is not None and i < len(counts) else None
        if check.verdict != NOT_JUDGED and (n is None or n < limits.min_class_samples):
            few = f"n/a (n={n} < {limits.min_class_samples})"
            check = dataclasses.replace(check, verdict=few)
        checks.append(check)
    return checks


def evaluate(
    base: Mapping[str, Any], new: Mapping[str, Any], limits: RegressionLimits
) -> RegressionVerdict:
    """Check the ``summary`` block ``new`` against the baseline's ``base``."""
    mismatches_base, mismatches_new = golden_mismatches(base), golden_mismatches(new)
    mismatch_limit = limits.max_golden_mismatches
    mismatch = MetricCheck(
        "golden mismatches",
        "-" if mismatches_base is None else str(mismatches_base),
        "-" if mismatches_new is None else str(mismatches_new),
        "-"
        if None in (mismatches_base, mismatches_new)
        else f"{int(mismatches_new or 0) - int(mismatches_base or 0):+d}",
        f"<= {mismatch_limit}",
        NOT_JUDGED
        if mismatches_new is None
        else (FAIL if mismatches_new > mismatch_limit else PASS),
    )
    latency_base = (base.get("latency_us") or {}).get("p50")
    latency_new = (new.get("latency_us") or {}).get("p50")
    checks = [
        _points_check(
            "accuracy",
            _num(base.get("accuracy")),
            _num(new.get("accuracy")),
            limits.max_accuracy_drop_pp,
        ),
        *_class_checks(base, new, limits),
        mismatch,
        _growth_check(
            "latency p50",
            _num(latency_base),
            _num(latency_new),
            limits.max_latency_increase_pct,
            "us",
        ),
        _growth_check(
            "energy / inference",
            _num(base.get("energy_uj_per_inference")),
            _num(new.get("energy_uj_per_inference")),
            limits.max_energy_increase_pct,
            "uJ",
        ),
    ]
    return RegressionVerdict(tuple(checks))
