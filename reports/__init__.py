"""Rendering of HIL result data: HTML reports, plots and regression pages.

Public entry points (all write one self-contained HTML file and return its path):

* :func:`write_report` — ``report.html`` for one results dict.
* :func:`write_history` — ``history.html`` for a list of runs across model versions.
* :func:`write_comparison` — ``comparison.html`` for a new run against a base run.

``reports`` never drives a run and never imports ``harness``, ``firmware`` or ``models``.
"""

from reports.coerce import ReportDataError
from reports.comparison_page import write_comparison
from reports.history_page import write_history
from reports.report_page import write_report

__all__ = ["ReportDataError", "write_comparison", "write_history", "write_report"]
