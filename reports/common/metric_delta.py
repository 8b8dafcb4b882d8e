"""A metric seen in two runs, and whether its change is an improvement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["better", "worse", "same", "n/a"]
Unit = Literal["pct", "us", "ms", "uj", "mw", "count", "ips"]

ACCURACY_TOLERANCE = 5e-4
RELATIVE_TOLERANCE = 0.01


@dataclass(frozen=True)
class MetricDelta:
    """One metric in a base and a new run; ``tolerance`` is the change still counted as same."""

    name: str
    base: float | None
    new: float | None
    unit: Unit
    higher_is_better: bool
    tolerance: float = 0.0

    @property
    def delta(self) -> float | None:
        """``new - base``, or ``None`` when either side is missing."""
        return None if self.base is None or self.new is None else self.new - self.base

    @property
    def direction(self) -> Direction:
        """Whether the change is an improvement, a regression or within tolerance."""
        delta = self.delta
        if delta is None:
            return "n/a"
        if abs(delta) <= self.tolerance:
            return "same"
        return "better" if (delta > 0) == self.higher_is_better else "worse"


def relative_tolerance(base: float | None, fraction: float = RELATIVE_TOLERANCE) -> float:
    """``fraction`` of ``|base|`` (0 when base is missing): noise band for latency and energy."""
    return abs(base) * fraction if base is not None else 0.0
