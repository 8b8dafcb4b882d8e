"""The regression comparison a run's ``test_no_regression`` recorded (``regression`` block).

The comparison page shows it as recorded: which baseline, paired or not, and per metric the
delta, the threshold, the verdict and the statistical evidence (p-value, interval, samples
lost and gained). Nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.results_doc import ResultsDocument

COLUMNS = ("metric", "baseline", "new", "delta", "threshold", "verdict", "evidence")


@dataclass(frozen=True)
class RegressionView:
    """The recorded regression block, ready for the template."""

    baseline: str
    reason: str
    note: str
    alpha: float | None
    passed: bool | None
    failed: list[str]
    rows: list[dict[str, str]]


def regression_view(doc: ResultsDocument) -> RegressionView | None:
    """The ``regression`` block of ``doc`` (``None`` when the run recorded none)."""
    block = doc.regression
    if block is None:
        return None
    rows = [{key: getattr(check, key) for key in COLUMNS} for check in block.checks]
    return RegressionView(
        baseline=block.baseline.model or block.baseline.run_id or "?",
        reason=block.baseline.reason,
        note=block.note,
        alpha=block.alpha,
        passed=block.passed,
        failed=list(block.failed),
        rows=rows,
    )
