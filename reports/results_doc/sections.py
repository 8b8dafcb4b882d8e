"""The optional top-level blocks of ``results.json``: energy, verdict, regression, boards.

Writers: ``harness/meters/method/energy.py`` and ``hil_energy.py`` (``energy``),
    ``harness/suite/verdict.py``
(``verdict``), ``harness/regression/compare.py`` (``regression``), ``harness/lab/board_pool.py``
(``boards``), ``ResultsCollector.record_threshold`` (``thresholds``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from reports.results_doc.summary import VerdictStatus

TestOutcomeName = Literal["passed", "failed", "skipped", "error"]


@dataclass(frozen=True)
class IdleBaseline:
    """The separately recorded idle level (``energy.windows.idle``)."""

    duration_s: float
    power_mw: float


@dataclass(frozen=True)
class EnergyWindows:
    """Where the BENCH window lies in the power trace (``energy.windows``; times in s)."""

    trigger_s: float
    trigger_marks: str
    start_s: float
    end_s: float
    guard_s: float
    idle: IdleBaseline
    sample_interval_s: float
    points: int
    device_window_s: float | None = None
    device_cycles: int | None = None
    idle_in_record_mw: float | None = None


@dataclass(frozen=True)
class PowerTrace:
    """The decimated power record (``energy.trace``)."""

    t_s: list[float]
    power_mw: list[float]


@dataclass(frozen=True)
class EnergySection:
    """The energy measurement's trace and windows (``energy``)."""

    trace: PowerTrace
    windows: EnergyWindows
    sim_energy_model: dict[str, Any] | None = None


@dataclass(frozen=True)
class FailedTest:
    """A failed HIL test and its message (``verdict.failed[]``)."""

    test: str
    nodeid: str
    message: str


@dataclass(frozen=True)
class TestOutcome:
    """One HIL test's outcome (``verdict.tests[]``)."""

    __test__ = False  # not a pytest class

    test: str
    nodeid: str
    outcome: TestOutcomeName
    message: str


@dataclass(frozen=True)
class VerdictSection:
    """The one verdict of the run: its pytest tests' outcomes (``verdict``)."""

    status: VerdictStatus
    source: str
    failed: list[FailedTest]
    tests: list[TestOutcome]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BaselineRef:
    """The run a regression check compared against (``regression.baseline``)."""

    run_id: str | None
    model: str | None
    reason: str


@dataclass(frozen=True)
class ChangeStats:
    """The statistical test of an accuracy change (``regression.checks[].stats``)."""

    delta: float
    low: float
    high: float
    p_value: float
    method: str
    n: int
    lost: int | None = None
    gained: int | None = None


@dataclass(frozen=True)
class RegressionCheck:
    """One metric of the regression table, texts as shown (``regression.checks[]``)."""

    metric: str
    baseline: str
    new: str
    delta: str
    threshold: str
    verdict: str
    evidence: str
    stats: ChangeStats | None = None


@dataclass(frozen=True)
class RegressionSection:
    """What ``hil/test_no_regression.py`` judged against the baseline (``regression``)."""

    baseline: BaselineRef
    passed: bool
    paired: bool
    note: str
    alpha: float
    failed: list[str]
    checks: list[RegressionCheck]


@dataclass(frozen=True)
class BoardEntry:
    """One board of a multi-board run (``boards[]``)."""

    board: str
    board_kind: str | None = None
    board_id: str | None = None
    probe: str | None = None
    simulated: bool | None = None
    flashed: bool | None = None
    firmware_hash: str | None = None
    error: str | None = None
    recoveries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Threshold:
    """A pass/fail threshold and where the harness took it from (``thresholds.<key>``)."""

    value: float
    source: str
