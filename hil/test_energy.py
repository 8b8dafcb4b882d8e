"""Energy per inference of the board under test, through the configured power meter.

``--meter sim`` (default) measures the simulated board through the simulated SCPI meter and
reports the simulator's truth next to the measurement; ``--meter <VISA resource>
--meter-driver n6705|dmm6500`` measures a real board. ``--energy-budget-uj`` makes the test
fail above a budget. In a multi-board run every board is measured
(``summary.energy_by_board``; the top-level figures are the first board's). Figures go to
results.json (summary and the ``energy`` block) and to the JUnit XML as properties.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.meters.errors import EnergyMeasurementError
from harness.meters.glue.hil_energy import (
    SimMeterUnavailableError,
    measure_run_energy,
    record_energy,
    record_partial_energy,
)

JUNIT_KEYS = (
    "energy_uj_per_inference",
    "active_power_mw",
    "idle_power_mw",
    "energy_window_s",
    "energy_n",
    "energy_latency_us",
    "energy_device_latency_us",
    "energy_truth_uj_per_inference",
)


def test_energy_per_inference(
    ferhil_session: Any, ferhil_config: Any, record_testsuite_property: Any
) -> None:
    run = ferhil_session
    outcomes = {}
    for board, view in run.board_views():  # boards differ: each is measured (one meter each)
        try:
            outcomes[board] = measure_run_energy(view, ferhil_config)
        except SimMeterUnavailableError as exc:
            pytest.skip(str(exc))
        except EnergyMeasurementError as exc:
            record_partial_energy(run.results, exc.partial)  # keep what was measured
            raise
    outcome = record_energy(run.results, outcomes)
    summary = outcome.summary()
    for key in JUNIT_KEYS:
        if summary.get(key) is not None:
            record_testsuite_property(f"ferhil.{key}", summary[key])
    record_testsuite_property("ferhil.meter", outcome.meter)

    for board, each in outcomes.items():
        assert each.result.energy_uj_per_inference > 0, f"non-positive energy on board {board}"
    energy = outcome.result.energy_uj_per_inference
    assert energy > 0, f"measured a non-positive energy per inference ({energy:.3f} µJ)"
    budget = ferhil_config.get("energy-budget-uj")
    if budget is not None:
        run.results.record_threshold("energy_uj_per_inference", budget, "--energy-budget-uj")
        assert energy <= budget, (
            f"energy per inference {energy:.2f} µJ exceeds the budget {budget:g} µJ "
            f"(N={outcome.result.n}, window {outcome.result.window_s:.3f} s, "
            f"meter {outcome.meter['resource']})"
        )
