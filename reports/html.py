"""The HTML page writers of :mod:`reports`, in one import.

``harness`` renders through ``importlib.import_module("reports.html").write_report``; the
regression code uses :func:`write_history` and :func:`write_comparison`. Each writes one
self-contained HTML file (inline CSS and SVG/PNG, no scripts, no network) and returns its path.
"""

from reports.comparison.comparison_page import COMPARISON_FILE, write_comparison
from reports.history.history_page import HISTORY_FILE, write_history
from reports.run.report_page import REPORT_FILE, write_report

__all__ = [
    "COMPARISON_FILE",
    "HISTORY_FILE",
    "REPORT_FILE",
    "write_comparison",
    "write_history",
    "write_report",
]
