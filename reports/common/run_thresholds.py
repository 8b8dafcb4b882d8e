"""Pass/fail thresholds recorded with a run, and where each came from.

A threshold is looked up in this order, first found wins:

1. ``thresholds.<key>``: ``{"value": v, "source": text}`` as ``ResultsCollector.record_threshold``
   writes it (``source`` says where the harness took it from, e.g. "model metadata
   accuracy_threshold");
2. the run option ``run.options.<option>`` (a string, as the harness records options).
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.results_doc import ResultsDocument


@dataclass(frozen=True)
class ThresholdSpec:
    """Where a threshold is recorded in a results document."""

    key: str
    option: str


ACCURACY_THRESHOLD = ThresholdSpec("accuracy", "accuracy-threshold")
ENERGY_BUDGET = ThresholdSpec("energy_uj_per_inference", "energy-budget-uj")
LATENCY_BUDGET = ThresholdSpec("latency_p99_us", "latency-budget-us")


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def read_threshold(doc: ResultsDocument, spec: ThresholdSpec) -> tuple[float | None, str | None]:
    """Return ``(value, source)`` of a threshold (``(None, None)`` when the run has none)."""
    entry = doc.thresholds.get(spec.key)
    if entry is not None:
        return entry.value, entry.source
    value = _number(doc.run.options.get(spec.option))
    if value is not None:
        return value, f"--{spec.option}"
    return None, None
