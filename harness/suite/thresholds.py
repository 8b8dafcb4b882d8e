"""Pass/fail thresholds of the HIL tests, from options or the model card (``metadata``).

Accuracy (``hil/test_accuracy.py``), first that applies:

1. ``--accuracy-threshold``;
2. ``metadata["accuracy_threshold"]`` (a model card's explicit floor);
3. the measured int8 accuracy on FER2013 PublicTest (``metadata["publictest_int8_accuracy"]``,
   else ``["int8_accuracy"]``, ``["quantized_accuracy"]`` or ``["accuracy"]``) minus a
   tolerance of
   ``max(0.02, 3 * sqrt(p * (1 - p) / n))``: two points, widened to three binomial standard
   errors when the run streams few images (``--limit``), so sampling noise alone does not fail
   the test;
4. none: the test skips and says how to set one.

Latency budget for the on-device p99 (``hil/test_latency.py``), first that applies:

1. ``--latency-budget-us``;
2. ``metadata["latency_budget_us"]``;
3. for a simulated or real accelerator clock: twice the cost model's estimate
   (``golden.cost.estimate_latency_us`` at the board's clock), a sanity bound;
4. none (QEMU instruction counts run the portable kernels on the CPU, not the accelerator):
   the figures are recorded and the budget check skips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from golden.format import QuantModel
from harness.suite.config import ConfigLike, as_config

ACCURACY_KEYS = (
    "publictest_int8_accuracy",
    "int8_accuracy",
    "quantized_accuracy",
    "accuracy",
)
MIN_ACCURACY_TOLERANCE = 0.02
COST_MODEL_MARGIN = 2.0
CLOCK_KIND_HARDWARE = 0
CLOCK_KIND_SIMULATED = 1


@dataclass(frozen=True)
class Threshold:
    """A threshold value and a sentence saying where it came from."""

    value: float
    source: str


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def accuracy_threshold(model: QuantModel, options: ConfigLike, samples: int) -> Threshold | None:
    """Return the accuracy floor for a run of ``samples`` images (see the module docstring)."""
    explicit = as_config(options).accuracy_threshold
    if explicit is not None:
        return Threshold(explicit, "--accuracy-threshold")
    meta = model.metadata or {}
    card = _number(meta.get("accuracy_threshold"))
    if card is not None:
        return Threshold(card, "model metadata accuracy_threshold")
    for key in ACCURACY_KEYS:
        measured = _number(meta.get(key))
        if measured is not None and 0.0 <= measured <= 1.0:
            se = math.sqrt(measured * (1.0 - measured) / max(samples, 1))
            tol = max(MIN_ACCURACY_TOLERANCE, 3.0 * se)
            return Threshold(measured - tol, f"model metadata {key}={measured:.4f} minus {tol:.4f}")
    return None


def latency_budget_us(
    model: QuantModel,
    options: ConfigLike,
    clock_kind: int | None,
    clock_hz: float | None,
) -> Threshold | None:
    """Return the p99 latency budget in microseconds (see the module docstring)."""
    explicit = as_config(options).latency_budget_us
    if explicit is not None:
        return Threshold(explicit, "--latency-budget-us")
    card = _number((model.metadata or {}).get("latency_budget_us"))
    if card is not None:
        return Threshold(card, "model metadata latency_budget_us")
    if clock_kind in (CLOCK_KIND_HARDWARE, CLOCK_KIND_SIMULATED) and clock_hz:
        from golden.cost import estimate_latency_us

        estimate = estimate_latency_us(model, clock_hz=clock_hz)
        return Threshold(
            COST_MODEL_MARGIN * estimate,
            f"{COST_MODEL_MARGIN:g} x cost-model estimate {estimate:.1f} us",
        )
    return None
