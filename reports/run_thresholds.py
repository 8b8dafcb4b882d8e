"""Pass/fail thresholds recorded with a run, and where each came from.

A threshold is looked up in this order, first found wins:

1. ``summary.<summary_key>`` (a number);
2. ``thresholds.<key>`` for each of the spec's keys: a number or ``{"value": v, "source": text}``
   (``source`` says where the harness took it from, e.g. "model metadata accuracy_threshold");
3. the run option ``run.options.<option>`` (a string, as the harness records options).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.coerce import as_float, as_str, dig


@dataclass(frozen=True)
class ThresholdSpec:
    """Where a threshold may be recorded in a results dict."""

    summary_key: str
    keys: tuple[str, ...]
    option: str


ACCURACY_THRESHOLD = ThresholdSpec(
    "accuracy_threshold", ("accuracy", "accuracy_threshold"), "accuracy-threshold"
)
ENERGY_BUDGET = ThresholdSpec(
    "energy_budget_uj", ("energy_uj_per_inference", "energy_budget_uj"), "energy-budget-uj"
)
LATENCY_BUDGET = ThresholdSpec(
    "latency_budget_us", ("latency_p99_us", "latency_budget_us"), "latency-budget-us"
)


def _number(value: Any) -> float | None:
    number = as_float(value)
    if number is None and isinstance(value, str):
        try:
            return as_float(float(value))
        except ValueError:
            return None
    return number


def read_threshold(results: dict[str, Any], spec: ThresholdSpec) -> tuple[float | None, str | None]:
    """Return ``(value, source)`` of a threshold (``(None, None)`` when the run has none)."""
    value = as_float(dig(results, "summary", spec.summary_key))
    if value is not None:
        return value, None
    for key in spec.keys:
        entry = dig(results, "thresholds", key)
        if isinstance(entry, dict):
            value, source = as_float(entry.get("value")), as_str(entry.get("source"))
        else:
            value, source = as_float(entry), None
        if value is not None:
            return value, source
    value = _number(dig(results, "run", "options", spec.option))
    if value is not None:
        return value, f"--{spec.option}"
    return None, None
