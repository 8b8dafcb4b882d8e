"""Option rows of the regression check: ``--baseline`` and one row per threshold.

Thresholds left unset here fall back to ``[tool.ferhil.regression]`` in ``pyproject.toml``, then
to the defaults (:mod:`harness.regression.limits`). Importing this module registers the rows.
"""

from __future__ import annotations

from harness.regression.limits import RegressionLimits
from harness.suite.options import OPTIONS, Option, in_group, non_negative_float, non_negative_int

_DEFAULTS = RegressionLimits()


def _fallback(key: str) -> str:
    default = getattr(_DEFAULTS, key)
    return f" (unset: {key} of [tool.ferhil.regression] in pyproject.toml, else {default})"


REGRESSION_OPTIONS: tuple[Option, ...] = (
    Option(
        "baseline",
        "compare with this run id or model version instead of the newest earlier model "
        "version on the same board kind and data set",
        env="FERHIL_BASELINE",
        metavar="RUN_ID|MODEL_VERSION",
    ),
    Option(
        "max-accuracy-drop-pp",
        "largest allowed accuracy drop against the baseline, in percentage points"
        + _fallback("max_accuracy_drop_pp"),
        type=non_negative_float,
        metavar="PP",
    ),
    Option(
        "max-class-accuracy-drop-pp",
        "largest allowed per-class accuracy drop, in percentage points"
        + _fallback("max_class_accuracy_drop_pp"),
        type=non_negative_float,
        metavar="PP",
    ),
    Option(
        "min-class-samples",
        "classes with fewer samples are shown but not judged" + _fallback("min_class_samples"),
        type=non_negative_int,
        metavar="N",
    ),
    Option(
        "max-golden-mismatches",
        "largest allowed number of samples not matching the golden outputs"
        + _fallback("max_golden_mismatches"),
        type=non_negative_int,
        metavar="N",
    ),
    Option(
        "max-latency-increase-pct",
        "largest allowed growth of the on-device latency p50, in percent"
        + _fallback("max_latency_increase_pct"),
        type=non_negative_float,
        metavar="PCT",
    ),
    Option(
        "max-energy-increase-pct",
        "largest allowed growth of the energy per inference, in percent"
        + _fallback("max_energy_increase_pct"),
        type=non_negative_float,
        metavar="PCT",
    ),
    Option(
        "significance-alpha",
        "an accuracy drop larger than the minimum fails only when significant at this level "
        "(exact McNemar test on paired samples)" + _fallback("significance_alpha"),
        type=non_negative_float,
        metavar="ALPHA",
    ),
)

OPTIONS.add(*in_group("regression", REGRESSION_OPTIONS))
