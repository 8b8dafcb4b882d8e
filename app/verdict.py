"""The verdict of a run, read in one place so that the one-verdict field can be adopted here.

Today a ``results.json`` carries no single verdict of the HIL tests; ``report.html`` decides one
from the document (:func:`reports.run_view.decide_verdict`: complete, no failed or mismatched
samples, thresholds met; an explicit boolean ``summary.passed`` wins). The app shows that same
decision. When the harness records the pytest outcome as the verdict, read it here first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.run_view import decide_verdict, run_view


def run_verdict(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``{"status": "pass"|"fail"|"incomplete", "reasons": [...], "source": ...}``."""
    recorded = document.get("verdict")
    if isinstance(recorded, Mapping) and isinstance(recorded.get("status"), str):
        reasons = recorded.get("reasons") or recorded.get("failed") or []
        return {
            "status": str(recorded["status"]).lower(),
            "reasons": [str(r) for r in reasons] if isinstance(reasons, list) else [str(reasons)],
            "source": "recorded",
        }
    verdict = decide_verdict(run_view(dict(document)))
    return {"status": verdict.status, "reasons": list(verdict.reasons), "source": "report"}
