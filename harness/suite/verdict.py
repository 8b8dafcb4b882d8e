"""The one verdict of a HIL run: the outcomes of its pytest tests.

The plugin feeds every test report of the tests that use the run (``ferhil_session`` /
``ferhil_run``) to a :class:`VerdictCollector`; before the run writes ``results.json`` it adds
the collector's :meth:`~VerdictCollector.block` as the top-level ``verdict`` block (and
``summary.verdict``, the status alone, which the result store keeps in its ``summary`` column).
``report.html``, ``comparison.html``, ``ferhil history --check`` and the store all show this
block; none of them judges a run on its own. The block::

    {"status": "pass" | "fail" | "incomplete" | "not judged", "source": "pytest",
     "counts": {"passed": 4, "failed": 1, "skipped": 1, "error": 0},
     "failed": [{"test": "test_no_regression_against_baseline", "nodeid": "...",
                 "message": "regression in accuracy: ..."}],
     "tests": [{"test": ..., "nodeid": ..., "outcome": "passed", "message": ""}, ...]}

``fail``: a test failed or errored; ``incomplete``: the run did not stream every sample;
``pass``: at least one test passed and none failed; ``not judged``: nothing passed or failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

VERDICT_BLOCK = "verdict"
PASS, FAIL, INCOMPLETE, NOT_JUDGED = "pass", "fail", "incomplete", "not judged"
MESSAGE_LIMIT = 4000


@dataclass
class TestOutcome:
    """The outcome of one test (the worst of its setup, call and teardown phases)."""

    test: str
    nodeid: str
    outcome: str
    message: str

    def to_json(self) -> dict[str, str]:
        """The outcome as a JSON-ready dict."""
        return {
            "test": self.test,
            "nodeid": self.nodeid,
            "outcome": self.outcome,
            "message": self.message,
        }


def _message(report: pytest.TestReport) -> str:
    """The one-paragraph reason of a failure or skip (assertion text, skip reason)."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skip: (file, line, reason)
        text = str(longrepr[2]).removeprefix("Skipped: ")
    else:
        crash = getattr(longrepr, "reprcrash", None)
        text = str(crash.message) if crash is not None else str(longrepr or "")
        text = text.removeprefix("AssertionError: ").removeprefix("Failed: ")
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."


class VerdictCollector:
    """Collects the outcomes of the HIL tests of one session (see the module docstring)."""

    def __init__(self) -> None:
        self.nodeids: set[str] = set()
        self.outcomes: dict[str, TestOutcome] = {}
        self.setup_failed_at: str | None = None

    def add(self, report: pytest.TestReport) -> None:
        """Record one phase report of a HIL test."""
        if report.nodeid not in self.nodeids:
            return
        if report.when == "call" or report.failed or report.skipped:
            outcome = "passed" if report.passed else ("skipped" if report.skipped else "failed")
            if report.failed and report.when != "call":
                outcome = "error"
            known = self.outcomes.get(report.nodeid)
            if known is not None and known.outcome in ("failed", "error"):
                return  # a failed call stays failed whatever its teardown did
            name = report.nodeid.rsplit("::", 1)[-1]
            message = "" if report.passed else _message(report)
            self.outcomes[report.nodeid] = TestOutcome(name, report.nodeid, outcome, message)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Pytest hook (the collector is registered as a plugin): see :meth:`add`."""
        self.add(report)

    def block(self, complete: bool, setup_error: str | None = None) -> dict[str, Any]:
        """The ``verdict`` block of the outcomes so far.

        Args:
            complete: every sample was streamed.
            setup_error: why the run could not start (model, firmware or board), if it could not.
        """
        tests = list(self.outcomes.values())
        if setup_error is not None:
            tests.append(TestOutcome("run setup", "ferhil_session", "error", setup_error))
        counts = {k: sum(t.outcome == k for t in tests) for k in ("passed", "failed", "skipped")}
        counts["error"] = sum(t.outcome == "error" for t in tests)
        failed = [t for t in tests if t.outcome in ("failed", "error")]
        if failed:
            status = FAIL
        elif not complete:
            status = INCOMPLETE
        elif counts["passed"]:
            status = PASS
        else:
            status = NOT_JUDGED
        return {
            "status": status,
            "source": "pytest",
            "counts": counts,
            "failed": [{"test": t.test, "nodeid": t.nodeid, "message": t.message} for t in failed],
            "tests": [t.to_json() for t in tests],
        }


def verdict_line(block: dict[str, Any] | None) -> str:
    """One line for terminals: ``FAIL: test_a (why); test_b (why)`` or ``PASS``."""
    if not block:
        return "NO VERDICT (the run was not judged by its tests)"
    status = str(block.get("status", NOT_JUDGED)).upper()
    failed = block.get("failed") or []
    if not failed:
        return status
    parts = []
    for f in failed:
        lines = str(f.get("message") or "").strip().splitlines()
        parts.append(f"{f.get('test')} ({lines[0] if lines else 'no message'})")
    return f"{status}: " + "; ".join(parts)
