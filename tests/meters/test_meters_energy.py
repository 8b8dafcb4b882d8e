"""The energy method against the simulated meter and synthetic BENCH edge logs."""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import numpy as np
import pytest

from harness.meters.base import AcquisitionConfig, Trace, record_immediate
from harness.meters.drivers.n6705 import N6705Meter
from harness.meters.errors import EnergyMeasurementError
from harness.meters.method.energy import EnergySettings, choose_n, decimate, measure_energy
from harness.meters.method.window_edges import find_edges
from harness.meters.simulator.energy_model import SimEnergyModel
from harness.meters.simulator.sim_signal import BoardSignal
from harness.meters.simulator.synthetic_bench import SyntheticBench

FAST = EnergySettings(min_window_s=0.1, idle_window_s=0.2)
# The simulated workload of the tests/meters fixtures (conftest.py): 2 ms per inference.
CLOCK_HZ = 50e6
MACS = 10_000_000
CYCLES = 100_000


@pytest.fixture(autouse=True)
def _same_workload_as_the_fixtures(sim_signal: BoardSignal) -> None:
    assert (
        sim_signal.clock_hz,
        sim_signal.macs_per_inference,
        sim_signal.cycles_per_inference,
    ) == (CLOCK_HZ, MACS, CYCLES)


def truth_uj() -> float:
    # E = e_mac * MACs + e_cycle * cycles + P_static * cycles / clock, from the model's
    # documented parameters: 2 pJ * 1e7 + 100 pJ * 1e5 + 10 mW * 2 ms = 20 + 10 + 20 µJ.
    model = SimEnergyModel()
    expected = (
        model.e_mac_j * MACS + model.e_cycle_j * CYCLES + model.active_static_w * CYCLES / CLOCK_HZ
    )
    assert expected == pytest.approx(50e-6)
    return expected * 1e6


@pytest.mark.parametrize(
    ("sim_signal", "marks"), [(True, "start"), (False, "end")], indirect=["sim_signal"]
)
@pytest.mark.parametrize("n", [60, 150])
def test_energy_matches_the_simulator_truth(
    sim_meter: N6705Meter,
    sim_signal: BoardSignal,
    synthetic_bench: SyntheticBench,
    n: int,
    marks: str,
) -> None:
    # The N6705's low-true Trigger In fires at the window start when the pin is low during
    # BENCH (FTHR default) and at its end when the pin is high.
    settings = replace(FAST, n=n, window_active_high=not sim_signal.pin_active_low)
    assert settings.marks == marks
    result = measure_energy(sim_meter, synthetic_bench.bench, CLOCK_HZ, settings)
    assert result.energy_uj_per_inference == pytest.approx(truth_uj(), rel=0.02)
    assert result.window_s == pytest.approx(n * CYCLES / CLOCK_HZ, rel=0.01)
    assert result.latency_us == pytest.approx(result.device_latency_us, rel=0.01)
    assert result.idle_power_mw == pytest.approx(20.0, rel=0.02)
    # active power = idle + E / t_inference = 20 mW + 50 µJ / 2 ms
    assert result.active_power_mw == pytest.approx(45.0, rel=0.02)
    assert result.windows["trigger_marks"] == marks
    assert result.windows[f"{marks}_s"] == pytest.approx(0.0, abs=1e-3)
    summary = result.summary()
    assert summary["energy_n"] == n and summary["energy_uj_per_inference"] > 0
    assert len(result.section()["trace"]["t_s"]) == len(result.section()["trace"]["power_mw"])


def test_auto_n_reaches_the_minimum_window(
    sim_meter: N6705Meter, synthetic_bench: SyntheticBench, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ferhil.meter")
    settings = replace(FAST, n=None, min_window_s=0.15)
    result = measure_energy(sim_meter, synthetic_bench.bench, CLOCK_HZ, settings)
    logged = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"energy window: BENCH({result.n})") for m in logged), logged
    assert any(m.startswith("energy window found: ") for m in logged), logged
    assert any(" configured: N6705Meter" in m for m in logged), logged
    assert result.n == math.ceil(1.05 * 0.15 / (CYCLES / CLOCK_HZ))
    assert result.window_s >= 0.15
    assert choose_n(8 * CYCLES, 8, CLOCK_HZ, 1.0) == 525


def test_too_short_window_is_refused(
    sim_meter: N6705Meter, synthetic_bench: SyntheticBench
) -> None:
    with pytest.raises(EnergyMeasurementError, match=r"below the 0\.1 s minimum") as info:
        measure_energy(sim_meter, synthetic_bench.bench, CLOCK_HZ, replace(FAST, n=20))
    assert info.value.partial["idle_power_mw"] > 0


def test_window_must_agree_with_the_device_bench_time(
    sim_meter: N6705Meter, synthetic_bench: SyntheticBench
) -> None:
    calls: list[int] = []

    def bench_reporting_half(n: int) -> int:
        calls.append(n)  # the window's BENCH (not the calibration) reports half its cycles
        return synthetic_bench.bench(n) // (2 if len(calls) > 1 else 1)

    with pytest.raises(EnergyMeasurementError, match="disagrees with the board's own BENCH"):
        measure_energy(sim_meter, bench_reporting_half, CLOCK_HZ, replace(FAST, n=80))


def test_bench_that_never_raises_the_trigger(sim_meter: N6705Meter) -> None:
    with pytest.raises(EnergyMeasurementError, match="no trigger arrived") as info:
        measure_energy(
            sim_meter, lambda n: n * CYCLES, CLOCK_HZ, replace(FAST, n=50, timeout_s=0.2)
        )
    assert info.value.partial["stage"] == "window"


def step_trace(
    start: float, end: float, t0: float, t1: float, dt: float = 1e-4, noise: float = 0.0
) -> Trace:
    t = np.arange(t0, t1, dt)
    power = np.where((t >= start) & (t < end), 0.05, 0.02)
    power = power + np.random.default_rng(0).normal(0, noise, len(t))
    return Trace(t, power / 2.0, np.full(len(t), 2.0), dt)


def test_find_edges_trigger_at_start_and_at_end() -> None:
    edges = find_edges(step_trace(0.0, 0.3, -0.05, 0.4, noise=1e-3), 0.02, 0.3, 1e-3, "start")
    assert edges.start_s == pytest.approx(0.0, abs=2e-4)
    assert edges.end_s == pytest.approx(0.3, abs=2e-4)
    edges = find_edges(step_trace(-0.3, 0.0, -0.4, 0.05), 0.02, 0.3, 1e-3, "end")
    assert (edges.start_s, edges.end_s) == (
        pytest.approx(-0.3, abs=2e-4),
        pytest.approx(0.0, abs=2e-4),
    )
    assert edges.active_level_w == pytest.approx(0.05)


def test_find_edges_failures() -> None:
    with pytest.raises(EnergyMeasurementError, match="no power step"):
        find_edges(step_trace(0.0, 0.0, -0.05, 0.4), 0.02, 0.3, 1e-3, "start")
    with pytest.raises(EnergyMeasurementError, match="end edge is not inside"):
        find_edges(step_trace(0.0, 1.0, -0.05, 0.4), 0.02, 0.3, 1e-3, "start")
    with pytest.raises(EnergyMeasurementError, match="start edge is not inside"):
        find_edges(step_trace(-1.0, 0.0, -0.4, 0.05), 0.02, 0.3, 1e-3, "end")
    with pytest.raises(EnergyMeasurementError, match="away from the hardware trigger"):
        find_edges(step_trace(0.05, 0.35, -0.05, 0.5), 0.02, 0.3, 1e-3, "start")


class StartTriggeredMeter:
    """A current-only meter without pre-trigger (like the DMM6500), triggered at the start."""

    driver = "memory"
    resource = "memory"

    def __init__(self) -> None:
        self.config: AcquisitionConfig | None = None
        self.window_s = 0.0

    def identify(self) -> str:
        return "memory"

    def configure(self, config: AcquisitionConfig) -> AcquisitionConfig:
        self.config = replace(
            config, points=config.points - config.pre_trigger_points, pre_trigger_points=0
        )
        return self.config

    def arm(self) -> None: ...
    def trigger(self) -> None: ...
    def wait_complete(self, timeout_s: float) -> None: ...
    def close(self) -> None: ...

    def measure_idle(
        self, duration_s: float, sample_interval_s: float, current_range_a: float | None = None
    ) -> Trace:
        return record_immediate(self, duration_s, sample_interval_s, current_range_a)

    def fetch_trace(self) -> Trace:
        assert self.config is not None
        dt = self.config.sample_interval_s
        t = np.asarray(np.arange(self.config.points) * dt, dtype=np.float64)
        idle = self.config.trigger_source == "immediate"
        power = np.where(~idle & (t < self.window_s), 0.045, 0.020)
        return Trace(t, power / 3.3, np.full(len(t), 3.3), dt)


def test_rising_edge_trigger_marks_the_window_start() -> None:
    meter = StartTriggeredMeter()

    def bench(n: int) -> int:
        meter.window_s = n * CYCLES / CLOCK_HZ
        return n * CYCLES

    settings = replace(FAST, n=100, trigger_edge="rising", window_active_high=True)
    assert settings.marks == "start"
    result = measure_energy(meter, bench, CLOCK_HZ, settings)
    assert result.windows["trigger_marks"] == "start"
    assert result.energy_uj_per_inference == pytest.approx(truth_uj(), rel=0.01)


def test_decimate_keeps_the_mean() -> None:
    trace = step_trace(0.0, 0.3, -0.05, 0.4)
    plot = decimate(trace, points=100)
    assert len(plot["t_s"]) <= 100
    assert np.mean(plot["power_mw"]) == pytest.approx(np.mean(trace.power_w) * 1e3, rel=0.01)
