"""Regression checks between model versions: baselines, thresholds, verdicts and pages.

* :mod:`harness.regression.baseline`: which stored run a new run is compared with;
* :mod:`harness.regression.limits`: thresholds (options, ``[tool.ferhil.regression]``, defaults);
* :mod:`harness.regression.verdict`: the metric-by-metric comparison table;
* :mod:`harness.regression.recorder`: records a running HIL run in the result store;
* :mod:`harness.regression.pages`: ``history.html`` and ``comparison.html``.
"""
