"""Compare a new run with its baseline, metric by metric, against the limits.

Every metric gets one row (metric, baseline, new, delta, threshold, verdict, evidence); the
verdict is ``pass``, ``FAIL`` or ``n/a`` (a figure is missing on either side, or a class has too
few samples to judge). Accuracy deltas are in percentage points, latency and energy deltas in
percent of the baseline.

Accuracy (overall and per class) is judged statistically (:mod:`harness.regression.stats`): it
fails only when the drop is larger than the configured minimum (``max_*accuracy_drop_pp``) AND
significant (two-sided p < ``significance_alpha``). With the same samples in both runs
(``pairs``) the test is the exact McNemar test on the paired outcomes; otherwise the runs are
compared as independent samples (Fisher exact, Newcombe interval) and the evidence says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.regression.limits import RegressionLimits
from harness.regression.stats import paired_change, unpaired_change
from reports.results_doc.sections import ChangeStats

PASS, FAIL, NOT_JUDGED = "pass", "FAIL", "n/a"
HEADER = ("metric", "baseline", "new", "delta", "threshold", "verdict", "evidence")

#: One paired sample: (true label, correct in the baseline, correct in the new run).
Pair = tuple[int, bool, bool]


@dataclass(frozen=True)
class MetricCheck:
    """One row of the regression table (texts already formatted)."""

    metric: str
    baseline: str
    new: str
    delta: str
    threshold: str
    verdict: str
    evidence: str = ""
    stats: ChangeStats | None = None

    def cells(self) -> tuple[str, ...]:
        """The row's cells in :data:`HEADER` order."""
        return (
            self.metric,
            self.baseline,
            self.new,
            self.delta,
            self.threshold,
            self.verdict,
            self.evidence,
        )


@dataclass(frozen=True)
class RegressionVerdict:
    """All metric checks of one comparison."""

    checks: tuple[MetricCheck, ...]
    paired: bool = False
    note: str = ""

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

    def to_json(self) -> list[dict[str, Any]]:
        """The checks as a list of dicts (for JSON output and JUnit properties)."""
        rows: list[dict[str, Any]] = []
        for check in self.checks:
            row: dict[str, Any] = dict(zip(HEADER, check.cells(), strict=True))
            if check.stats is not None:
                row["stats"] = dataclasses.asdict(check.stats)
            rows.append(row)
        return rows


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100.0 * value:.2f}%"


def _val(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.4g} {unit}"


def _evidence(change: ChangeStats, alpha: float) -> str:
    level = f"{100 * (1 - alpha):g}%"
    text = (
        f"p={change.p_value:.2g}, {level} CI [{100 * change.low:+.2f}, {100 * change.high:+.2f}] pp"
    )
    if change.lost is not None:
        return f"{text}, {change.lost} lost / {change.gained} gained (paired)"
    return f"{text}, n={change.n} (unpaired)"


def _accuracy_check(
    name: str,
    base: float | None,
    new: float | None,
    change: ChangeStats | None,
    limit: float,
    alpha: float,
) -> MetricCheck:
    threshold = f"drop > {limit:g} pp at p < {alpha:g}"
    if base is None or new is None or change is None:
        return MetricCheck(name, _pct(base), _pct(new), "-", threshold, NOT_JUDGED)
    delta = 100.0 * (new - base)  # the runs' own figures; the test only adds the evidence
    crossed = -delta > limit + 1e-9 and change.p_value < alpha
    return MetricCheck(
        name,
        _pct(base),
        _pct(new),
        f"{delta:+.2f} pp",
        threshold,
        FAIL if crossed else PASS,
        _evidence(change, alpha),
        change,
    )


def _paired(pairs: Sequence[Pair], alpha: float, label: int | None = None) -> ChangeStats:
    chosen = [p for p in pairs if label is None or p[0] == label]
    lost = sum(1 for _, b, n in chosen if b and not n)
    gained = sum(1 for _, b, n in chosen if n and not b)
    return paired_change(lost, gained, len(chosen), alpha)


def _unpaired(
    base_acc: float | None,
    base_n: int | None,
    new_acc: float | None,
    new_n: int | None,
    alpha: float,
) -> ChangeStats | None:
    if None in (base_acc, base_n, new_acc, new_n):
        return None
    assert base_acc is not None and base_n is not None and new_acc is not None and new_n is not None
    return unpaired_change(round(base_acc * base_n), base_n, round(new_acc * new_n), new_n, alpha)


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
    base: Mapping[str, Any],
    new: Mapping[str, Any],
    limits: RegressionLimits,
    pairs: Sequence[Pair] | None,
) -> list[MetricCheck]:
    base_classes = base.get("per_class_accuracy") or {}
    new_classes = new.get("per_class_accuracy") or {}
    counts, base_counts = class_counts(new), class_counts(base)
    alpha = limits.significance_alpha
    checks = []
    for i, name in enumerate(new_classes):
        n = counts[i] if counts is not None and i < len(counts) else None
        n_base = base_counts[i] if base_counts is not None and i < len(base_counts) else None
        b, v = _num(base_classes.get(name)), _num(new_classes.get(name))
        change = _paired(pairs, alpha, i) if pairs else _unpaired(b, n_base, v, n, alpha)
        check = _accuracy_check(
            f"accuracy[{name}]", b, v, change, limits.max_class_accuracy_drop_pp, alpha
        )
        if check.verdict != NOT_JUDGED and (n is None or n < limits.min_class_samples):
            few = f"n/a (n={n} < {limits.min_class_samples})"
            check = dataclasses.replace(check, verdict=few)
        checks.append(check)
    return checks


def _completed(summary: Mapping[str, Any]) -> int | None:
    counts = class_counts(summary)
    if counts is not None:
        return sum(counts)
    samples = _num(summary.get("samples"))
    return None if samples is None else int(samples)


def evaluate(
    base: Mapping[str, Any],
    new: Mapping[str, Any],
    limits: RegressionLimits,
    pairs: Sequence[Pair] | None = None,
    note: str = "",
) -> RegressionVerdict:
    """Check the ``summary`` block ``new`` against the baseline's ``base``.

    Args:
        base: the baseline's summary.
        new: the new run's summary.
        limits: thresholds and significance level.
        pairs: the paired outcomes when both runs ran the same samples (see
            :func:`harness.regression.compare.compare_documents`); ``None``: unpaired.
        note: how the runs were matched (shown with the table).
    """
    alpha = limits.significance_alpha
    base_acc, new_acc = _num(base.get("accuracy")), _num(new.get("accuracy"))
    overall = (
        _paired(pairs, alpha)
        if pairs
        else _unpaired(base_acc, _completed(base), new_acc, _completed(new), alpha)
    )
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
        _accuracy_check("accuracy", base_acc, new_acc, overall, limits.max_accuracy_drop_pp, alpha),
        *_class_checks(base, new, limits, pairs),
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
    return RegressionVerdict(tuple(checks), paired=bool(pairs), note=note)
