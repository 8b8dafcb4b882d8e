"""The verdict of a run, read in one place: the ``verdict`` block the HIL tests recorded.

The document is loaded through :func:`reports.common.run_view.run_view` (which checks it against
:mod:`reports.results_doc`); the status and reasons are
:func:`reports.common.run_view.decide_verdict`'s,
so the app shows what ``report.html`` shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.common.run_view import decide_verdict, run_view


def run_verdict(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``{"status": ..., "reasons": [...], "source": "recorded"|"report"}``.

    Raises:
        ReportDataError: ``document`` is not a ferhil results document.
    """
    view = run_view(dict(document))
    verdict = decide_verdict(view)
    recorded = view.doc.verdict
    if recorded is not None:
        return {"status": recorded.status, "reasons": list(verdict.reasons), "source": "recorded"}
    return {"status": verdict.status, "reasons": list(verdict.reasons), "source": "report"}
