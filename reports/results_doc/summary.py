"""The ``summary`` record of ``results.json`` and its parts.

Written by ``harness/run/results.py`` (``summarize``), extended by the energy measurement
(``hil/test_energy.py``: figures, ``meter``, ``energy_by_board``, ``energy_partial``), the
pytest plugin (``verdict``) and multi-board runs (``boards``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

VerdictStatus = Literal["pass", "fail", "incomplete", "not judged"]


@dataclass(frozen=True)
class Percentiles:
    """p50/p90/p99/mean of a timing (``null`` when nothing was timed)."""

    p50: float | None = None
    p90: float | None = None
    p99: float | None = None
    mean: float | None = None


@dataclass(frozen=True)
class EnergyFigures:
    """One board's energy figures (an ``summary.energy_by_board`` entry)."""

    energy_uj_per_inference: float
    active_power_mw: float
    idle_power_mw: float
    energy_window_s: float
    energy_n: int
    energy_latency_us: float
    energy_device_latency_us: float
    meter: dict[str, Any]
    energy_truth_uj_per_inference: float | None = None


@dataclass(frozen=True)
class BoardSummary:
    """One board's share of a multi-board run (a ``summary.boards`` entry)."""

    samples: int
    matched_golden: int | None = None
    failed: int | None = None
    ok: int | None = None
    agreement: float | None = None
    throughput_ips: float | None = None
    busy_s: float | None = None
    latency_us: Percentiles | None = None
    host_rtt_ms: Percentiles | None = None
    taken_out: str | None = None
    recoveries: int | None = None
    handed_back: int | None = None
    energy_uj_per_inference: float | None = None


@dataclass(frozen=True)
class TtaSummary:
    """On-device test-time augmentation beside the single pass (``summary.tta``, ``--tta``).

    Written by ``harness/run/tta.py`` (``tta_summary``); ``hil/test_tta.py`` adds the energy of
    one TTA inference (both passes). The single-pass figures stay the headline.
    """

    kind: str
    samples: int
    answered: int
    matched_golden: int
    mismatched: int
    accuracy: float | None
    golden_accuracy: float | None
    latency_us: Percentiles
    latency_ratio: float | None = None
    simulated: bool | None = None
    energy_uj_per_inference: float | None = None
    energy_n: int | None = None
    energy_truth_uj_per_inference: float | None = None
    energy_ratio: float | None = None
    energy_partial: dict[str, Any] | None = None


@dataclass(frozen=True)
class Summary:
    """Counts, accuracy and timing of the run, plus energy and verdict (``summary``)."""

    samples: int
    matched_golden: int
    mismatched: int
    failed: int
    accuracy: float | None
    golden_accuracy: float | None
    per_class_accuracy: dict[str, float | None]
    confusion: list[list[int]]
    latency_us: Percentiles
    host_rtt_ms: Percentiles
    throughput_ips: float | None = None
    simulated: bool | None = None
    verdict: VerdictStatus | None = None
    energy_uj_per_inference: float | None = None
    active_power_mw: float | None = None
    idle_power_mw: float | None = None
    energy_window_s: float | None = None
    energy_n: int | None = None
    energy_latency_us: float | None = None
    energy_device_latency_us: float | None = None
    energy_truth_uj_per_inference: float | None = None
    meter: dict[str, Any] | None = None
    energy_partial: dict[str, Any] | None = None
    energy_by_board: dict[str, EnergyFigures] | None = None
    boards: dict[str, BoardSummary] | None = None
    tta: TtaSummary | None = None
