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


#: One sample's outcome, by pairing key: (true label, predicted correctly).
Outcome = tuple[int, bool]


def _correct(sample: Mapping[str, Any]) -> bool:
    return sample.get("status", "ok") == "ok" and sample.get("predicted") == sample.get("label")


def _key(sample: Mapping[str, Any]) -> Any:
    return sample.get("id") if sample.get("id") is not None else sample.get("index")


def sample_outcomes(samples: Sequence[Any]) -> tuple[dict[Any, Outcome] | None, str]:
    """Each sample's outcome by its id (index when it has none), or ``None`` and why not.

    A document whose samples repeat an id, lack one, or carry a label that is not an integer
    cannot be paired sample by sample: pairing it anyway would compare the wrong images.
    """
    if not isinstance(samples, Sequence) or isinstance(samples, str):
        return None, "samples are not a list"
    outcomes: dict[Any, Outcome] = {}
    for position, sample in enumerate(samples):
        if not isinstance(sample, Mapping):
            return None, f"sample {position} is not a record"
        key, label = _key(sample), sample.get("label")
        if key is None or isinstance(key, (dict, list)):
            return None, f"sample {position} has no id or index"
        if isinstance(label, bool) or not isinstance(label, int):
            return None, f"sample {key!r} has no integer label"
        if key in outcomes:
            return None, f"sample id {key!r} occurs twice"
        outcomes[key] = (label, _correct(sample))
    return outcomes, ""


def pair_samples(base: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[Pair] | None, str]:
    """The paired outcomes of two documents, or ``None`` and why they cannot be paired."""
    base_hash = (base.get("dataset") or {}).get("hash")
    new_hash = (new.get("dataset") or {}).get("hash")
    if base_hash != new_hash:
        return None, (
            f"the data sets differ ({str(base_hash)[:12]} vs {str(new_hash)[:12]}): "
            "compared as independent samples (unpaired intervals)"
        )
    base_samples = base.get("samples") or []
    new_samples = new.get("samples") or []
    if not base_samples or not new_samples:
        return None, "per-sample results missing: compared as independent samples (unpaired)"
    base_out, base_why = sample_outcomes(base_samples)
    new_out, new_why = sample_outcomes(new_samples)
    if base_out is None or new_out is None:
        which, why = ("baseline", base_why) if base_out is None else ("new run", new_why)
        return None, f"the {which}'s {why}: compared as independent samples (unpaired)"
    if set(base_out) != set(new_out):
        return None, "the runs scored different samples: compared as independent samples"
    pairs = [(label, base_out[key][1], correct) for key, (label, correct) in new_out.items()]
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
