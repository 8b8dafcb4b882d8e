"""Compare two whole runs (``results.json`` documents): pair their samples, judge, record.

:func:`compare_documents` is the one comparison behind ``hil/test_no_regression.py``; the test
records its outcome as the run's ``regression`` block (:func:`regression_block`), which
``comparison.html`` and ``ferhil history`` show as recorded. Samples are paired by sample id
when both runs ran the same data set (same content hash) and the same ids; otherwise the runs
are compared as independent samples and the block says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.regression.baseline import BaselineChoice
from harness.regression.limits import RegressionLimits
from harness.regression.verdict import Pair, RegressionVerdict, evaluate

REGRESSION_BLOCK = "regression"


def _correct(sample: Mapping[str, Any]) -> bool:
    return sample.get("status", "ok") == "ok" and sample.get("predicted") == sample.get("label")


def _key(sample: Mapping[str, Any]) -> Any:
    return sample.get("id") if sample.get("id") is not None else sample.get("index")


def pair_samples(base: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[Pair] | None, str]:
    """The paired outcomes of two documents, or ``None`` and why they cannot be paired."""
    base_hash = (base.get("dataset") or {}).get("hash")
    new_hash = (new.get("dataset") or {}).get("hash")
    base_samples: Sequence[Mapping[str, Any]] = base.get("samples") or []
    new_samples: Sequence[Mapping[str, Any]] = new.get("samples") or []
    if base_hash != new_hash:
        return None, (
            f"the data sets differ ({str(base_hash)[:12]} vs {str(new_hash)[:12]}): "
            "compared as independent samples (unpaired intervals)"
        )
    if not base_samples or not new_samples:
        return None, "per-sample results missing: compared as independent samples (unpaired)"
    by_key = {_key(s): s for s in base_samples}
    if set(by_key) != {_key(s) for s in new_samples}:
        return None, "the runs scored different samples: compared as independent samples"
    pairs = [(int(s.get("label", -1)), _correct(by_key[_key(s)]), _correct(s)) for s in new_samples]
    return pairs, f"paired: the same {len(pairs)} samples in both runs (exact McNemar test)"


def compare_documents(
    base: Mapping[str, Any], new: Mapping[str, Any], limits: RegressionLimits
) -> RegressionVerdict:
    """Judge ``new`` against its baseline ``base`` (both ``results.json`` documents)."""
    pairs, note = pair_samples(base, new)
    return evaluate(base.get("summary") or {}, new.get("summary") or {}, limits, pairs, note)


def regression_block(
    choice: BaselineChoice, verdict: RegressionVerdict, limits: RegressionLimits
) -> dict[str, Any]:
    """The ``regression`` block of ``results.json`` (what the test judged, for the pages)."""
    run = choice.run
    return {
        "baseline": {
            "run_id": run.id if run else None,
            "model": f"{run.model_name} v{run.model_version}" if run else None,
            "reason": choice.reason,
        },
        "passed": verdict.passed,
        "paired": verdict.paired,
        "note": verdict.note,
        "alpha": limits.significance_alpha,
        "failed": [c.metric for c in verdict.failed],
        "checks": verdict.to_json(),
    }
