"""The regression comparison a run's ``test_no_regression`` recorded (``regression`` block).

The comparison page shows it as recorded: which baseline, paired or not, and per metric the
delta, the threshold, the verdict and the statistical evidence (p-value, interval, samples
lost and gained). Nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.coerce import as_dict, as_float, as_list, as_str

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


def regression_view(results: dict[str, Any]) -> RegressionView | None:
    """The ``regression`` block of ``results`` (``None`` when the run recorded none)."""
    block = as_dict(results.get("regression"))
    if not block:
        return None
    baseline = as_dict(block.get("baseline"))
    rows = [
        {key: as_str(as_dict(row).get(key)) or "" for key in COLUMNS}
        for row in as_list(block.get("checks"))
    ]
    passed = block.get("passed")
    return RegressionView(
        baseline=as_str(baseline.get("model")) or as_str(baseline.get("run_id")) or "?",
        reason=as_str(baseline.get("reason")) or "",
        note=as_str(block.get("note")) or "",
        alpha=as_float(block.get("alpha")),
        passed=passed if isinstance(passed, bool) else None,
        failed=[str(x) for x in as_list(block.get("failed"))],
        rows=rows,
    )
