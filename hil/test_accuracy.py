"""Device accuracy on the test set reaches the model card's threshold.

The threshold rule is documented in ``harness/suite/thresholds.py``: ``--accuracy-threshold``, else
the model card's ``accuracy_threshold``, else its measured int8 accuracy minus
``max(0.02, 3 binomial standard errors)``. The test skips on the generated stand-in set (no
FER2013) and when no threshold is known.
"""

import pytest

from harness.suite.thresholds import accuracy_threshold


def test_accuracy_reaches_threshold(ferhil_run, ferhil_config, record_property):
    summary = ferhil_run.document()["summary"]
    record_property("accuracy", summary["accuracy"])
    record_property("golden_accuracy", summary["golden_accuracy"])
    if not summary["samples"]:
        pytest.fail("nothing to judge: the test set is empty (check --dataset and --limit)")
    if ferhil_run.test_set.generated:
        pytest.skip(ferhil_run.test_set.note)
    threshold = accuracy_threshold(ferhil_run.model, ferhil_config, summary["samples"])
    if threshold is None:
        pytest.skip("no accuracy threshold: the model card has none; pass --accuracy-threshold")
    record_property("accuracy_threshold", threshold.value)
    ferhil_run.results.record_threshold("accuracy", threshold.value, threshold.source)
    assert summary["accuracy"] >= threshold.value, (
        f"accuracy {summary['accuracy']:.4f} < {threshold.value:.4f} ({threshold.source}) on "
        f"{summary['samples']} images of {ferhil_run.test_set.note}"
    )
