"""Rendering of HIL result data: HTML reports, plots and regression pages.

Public entry points (all write one self-contained HTML file and return its path):

* :func:`write_report` — ``report.html`` for one results dict.
* :func:`write_history` — ``history.html`` for a list of runs across model versions.
* :func:`write_comparison` — ``comparison.html`` for a new run against a base run.

They are also importable from :mod:`reports.html`. ``reports`` never drives a run and never
imports ``harness``, ``firmware`` or ``models``.

The page writers load on first use, so that the harness can import the light
:mod:`reports.results_doc` (the owner of ``results.json``) without jinja2 or matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reports.common.coerce import ReportDataError

if TYPE_CHECKING:
    from reports.html import write_comparison, write_history, write_report

__all__ = ["ReportDataError", "write_comparison", "write_history", "write_report"]


def __getattr__(name: str) -> Any:
    if name in ("write_comparison", "write_history", "write_report"):
        from reports import html

        return getattr(html, name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
