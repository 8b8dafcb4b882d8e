"""The regression block hil/test_no_regression.py records follows the results schema."""

from __future__ import annotations

from harness.regression.baseline import BaselineChoice
from harness.regression.compare import compare_documents, regression_block
from harness.regression.limits import RegressionLimits
from reports.results_doc import check_results_document, load_results
from reports.sample_data import make_results


def test_recorded_regression_block_is_a_typed_section() -> None:
    base = make_results(seed=1, n_samples=120, accuracy=0.8)
    new = make_results(seed=2, n_samples=120, accuracy=0.4, model_version="2")
    limits = RegressionLimits()
    verdict = compare_documents(base, new, limits)
    assert verdict.paired and not verdict.passed
    new["regression"] = regression_block(BaselineChoice(None, "test baseline"), verdict, limits)
    check_results_document(new)
    block = load_results(new).regression
    assert block is not None and block.failed and block.failed[0] == "accuracy"
    assert any(c.stats is not None and c.stats.lost is not None for c in block.checks)
