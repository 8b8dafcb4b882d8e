"""The model under test is not worse than its baseline beyond the regression thresholds.

The baseline (``harness/regression/baseline.py``, the one definition the pages and ``ferhil
history`` use too) is the newest complete run of an earlier model version on the same board kind
and data set in the result store (``--db``), or ``--baseline RUN_ID|MODEL_VERSION``. Without a
baseline the test skips and says why.

Accuracy, overall and per class, is compared sample by sample (exact McNemar test on the paired
outcomes; unpaired intervals when the data sets differ, said in the message) and fails only when
the drop is larger than ``--max-accuracy-drop-pp`` / ``--max-class-accuracy-drop-pp`` AND
significant at ``--significance-alpha`` (default 0.01). Golden mismatches, latency and energy
have plain thresholds. The comparison is recorded as the run's ``regression`` block (shown by
comparison.html); the failure message is the whole table and names every crossed metric.
"""

import pytest

from harness.regression.baseline import baseline_document_at
from harness.regression.compare import REGRESSION_BLOCK, compare_documents, regression_block
from harness.regression.limits import load_limits
from harness.regression.recorder import json_safe
from harness.store.location import db_url


def test_no_regression_against_baseline(ferhil_run, ferhil_config, pytestconfig, record_property):
    document = json_safe(ferhil_run.document())
    limits = load_limits(ferhil_config, pytestconfig.rootpath / "pyproject.toml")
    url = db_url(ferhil_config.get("db"), ferhil_config.get("report-dir"))
    choice, base = baseline_document_at(url, document, ferhil_config.get("baseline"))
    record_property("ferhil.baseline", choice.run.id if choice.run else None)
    if choice.run is None or base is None:
        note = f"regression: no baseline ({choice.reason}); nothing to compare with"
        ferhil_run.results.add_note(note)
        record_property("ferhil.regression", note)
        pytest.skip(note)
    verdict = compare_documents(base, document, limits)
    ferhil_run.results.add_section(REGRESSION_BLOCK, regression_block(choice, verdict, limits))
    for check in verdict.checks:
        record_property(f"ferhil.regression.{check.metric}", f"{check.delta} ({check.verdict})")
    crossed = ", ".join(c.metric for c in verdict.failed)
    ident = document["identity"]
    assert verdict.passed, (
        f"regression in {crossed}: model {ident['model_name']} v{ident['model_version']} "
        f"against {choice.reason}; {verdict.note}\n{verdict.table()}"
    )
    ferhil_run.results.add_note(
        f"regression: no threshold crossed against {choice.reason}; {verdict.note}"
    )
