"""The model under test is not worse than its baseline beyond the regression thresholds.

The baseline is the newest complete run of an earlier model version on the same board kind and
data set in the result store (``--db``), or ``--baseline RUN_ID|MODEL_VERSION``; thresholds come
from the ``--max-*`` options, ``[tool.ferhil.regression]`` in ``pyproject.toml`` or the defaults
(``harness/regression/limits.py``). The failure message is the whole table (metric, baseline,
new, delta, threshold, verdict) and names every crossed metric. Without a baseline there is
nothing to judge: the test skips with the reason (also in the report's notes and the JUnit
properties), it never passes.
"""

import pytest

from harness.regression.baseline import find_baseline_at
from harness.regression.limits import load_limits
from harness.regression.recorder import json_safe
from harness.regression.verdict import evaluate
from harness.store.location import db_url


def test_no_regression_against_baseline(ferhil_run, ferhil_config, pytestconfig, record_property):
    document = json_safe(ferhil_run.document())
    limits = load_limits(ferhil_config, pytestconfig.rootpath / "pyproject.toml")
    url = db_url(ferhil_config.get("db"), ferhil_config.get("report-dir"))
    choice = find_baseline_at(url, document, ferhil_config.get("baseline"))
    record_property("ferhil.baseline", choice.run.id if choice.run else None)
    if choice.run is None:
        note = f"regression: no baseline ({choice.reason}); nothing to compare with"
        ferhil_run.notes.append(note)
        record_property("ferhil.regression", note)
        pytest.skip(note)
    verdict = evaluate(choice.run.summary or {}, document["summary"], limits)
    for check in verdict.checks:
        record_property(f"ferhil.regression.{check.metric}", f"{check.delta} ({check.verdict})")
    crossed = ", ".join(c.metric for c in verdict.failed)
    ident = document["identity"]
    assert verdict.passed, (
        f"regression in {crossed}: model {ident['model_name']} v{ident['model_version']} "
        f"against {choice.reason}\n{verdict.table()}"
    )
    ferhil_run.notes.append(f"regression: no threshold crossed against {choice.reason}")
