"""Regression checks between model versions: baselines, thresholds, verdicts and pages.

Every ``ferhil run`` (and every pytest session using the plugin) is recorded in the result store
(:mod:`harness.store`; ``--db URL`` / ``$FERHIL_DB``, default ``ferhil-results.sqlite`` in the
parent folder of ``--report-dir``, i.e. ``out/ferhil-results.sqlite``; ``--no-record`` turns it
off). ``hil/test_no_regression.py`` compares the run with its baseline and fails CI when a
threshold is crossed; the report folder gets ``history.html`` and ``comparison.html``, linked
from ``report.html``. ``ferhil history`` lists the stored runs, rebuilds the pages, prints JSON
for CI (``--json``), judges the newest run (``--check``) and imports older ``results.json``
artifacts (``--import``).

* :mod:`harness.regression.baseline`: which stored run a new run is compared with;
* :mod:`harness.regression.limits`: thresholds (options, ``[tool.ferhil.regression]``, defaults);
* :mod:`harness.regression.verdict`: the metric-by-metric comparison table;
* :mod:`harness.regression.recorder`: records a running HIL run in the result store;
* :mod:`harness.regression.pages`: ``history.html`` and ``comparison.html``.
"""
