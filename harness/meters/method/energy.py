"""Energy per inference from a trigger-marked window, with an idle baseline subtracted.

The method (after ADI's PMON practice and the MLPerf Tiny EnergyRunner):

1. *Idle baseline*: record ``idle_window_s`` with an immediate trigger while the board waits;
   ``P_idle`` is the mean of ``i*v`` over it.
2. *Calibration*: a short BENCH (``calibration_n`` inferences) gives the device's cycles per
   inference; it sizes the record and, with ``n=None`` ("auto"), picks N so that the window
   lasts at least ``min_window_s``.
3. *Window*: the meter is armed on its external trigger input, wired to the board's trigger
   GPIO (held at its active level for the whole BENCH: low on the FTHR by default); BENCH runs
   N inferences back to back. The trigger marks the window's start (the edge into the active
   level) or its end (the edge out of it, with the window recorded as pre-trigger data); the
   record has idle margins on both sides.
4. *Edges*: both edges are located in the power (:mod:`harness.meters.method.window_edges`); the
   trigger-marked one must agree with the trigger, the other must lie inside the record.
5. *Energy*: ``E/inference = sum((P - P_idle) * dt) / N`` over the window widened by a guard
   band on both sides (where ``P - P_idle`` averages zero), so an edge placed a sample off
   does not bias the result. Never mean current x voltage x a latency from elsewhere.

The window length gives a latency per inference, reported next to the device's cycles/clock.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.meters.base import AcquisitionConfig, Meter, Trace
from harness.meters.errors import EnergyMeasurementError, MeterError
from harness.meters.method.window_edges import TriggerMarks, WindowEdges, find_edges

LOG = logging.getLogger("ferhil.meter")

#: ``bench(n)`` runs n inferences with the trigger held and returns the device's total cycles.
BenchFn = Callable[[int], int]
#: Largest record the method asks for; the sample interval grows for longer windows.
MAX_RECORD_POINTS = 100_000
#: Largest relative difference between the power window and the device's BENCH time.
WINDOW_AGREEMENT = 0.10
#: Points kept in results.json for the trace plot.
PLOT_POINTS = 2_000


@dataclass(frozen=True)
class EnergySettings:
    """How the measurement is made (``--energy-n``, ``--energy-min-window-s``, ...).

    Attributes:
        n: BENCH inferences in the window (``None``: chosen to reach ``min_window_s``).
        min_window_s: shortest acceptable window.
        idle_window_s: length of the idle-baseline record.
        sample_interval_s: requested sample interval (grows for long windows).
        margin_s: idle record kept before and after the window.
        calibration_n: inferences of the calibration BENCH.
        current_range_a: meter current range (``None``: the driver's choice).
        trigger_edge: edge the meter's trigger input fires on.
        window_active_high: whether the trigger GPIO is high during BENCH.
        smooth_s: smoothing length of the edge search.
        timeout_s: extra seconds allowed for a record to finish.
    """

    n: int | None = None
    min_window_s: float = 1.0
    idle_window_s: float = 0.5
    sample_interval_s: float = 40.96e-6
    margin_s: float = 0.05
    calibration_n: int = 8
    current_range_a: float | None = None
    trigger_edge: str = "falling"
    window_active_high: bool = False
    smooth_s: float = 0.5e-3
    timeout_s: float = 30.0

    @property
    def marks(self) -> TriggerMarks:
        """Which window edge the hardware trigger marks."""
        return "start" if (self.trigger_edge == "rising") == self.window_active_high else "end"


@dataclass
class EnergyResult:
    """One energy measurement; :meth:`summary` and :meth:`section` feed results.json."""

    n: int
    energy_uj_per_inference: float
    active_power_mw: float
    idle_power_mw: float
    window_s: float
    latency_us: float
    device_latency_us: float
    windows: dict[str, Any]
    trace: dict[str, list[float]]
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The ``summary`` keys of results.json owned by the energy measurement."""
        return {
            "energy_uj_per_inference": self.energy_uj_per_inference,
            "active_power_mw": self.active_power_mw,
            "idle_power_mw": self.idle_power_mw,
            "energy_window_s": self.window_s,
            "energy_n": self.n,
            "energy_latency_us": self.latency_us,
            "energy_device_latency_us": self.device_latency_us,
            **self.extra,
        }

    def section(self) -> dict[str, Any]:
        """``results["energy"]``: the decimated trace and the windows, for the plot."""
        return {"trace": self.trace, "windows": self.windows}


def choose_n(cycles: int, calibration_n: int, clock_hz: float, min_window_s: float) -> int:
    """N such that N inferences last at least ``min_window_s`` (5 % margin)."""
    per_inference_s = cycles / calibration_n / clock_hz
    if per_inference_s <= 0:
        raise MeterError("the calibration BENCH reported 0 cycles; cannot size the window")
    return max(1, math.ceil(1.05 * min_window_s / per_inference_s))


def decimate(trace: Trace, points: int = PLOT_POINTS) -> dict[str, list[float]]:
    """Bin-mean the power trace to at most ``points`` points (mW) for the report plot."""
    bins = max(1, math.ceil(len(trace) / points))
    usable = (len(trace) // bins) * bins
    t = trace.t_s[:usable].reshape(-1, bins).mean(axis=1)
    p = trace.power_w[:usable].reshape(-1, bins).mean(axis=1) * 1e3
    return {"t_s": [round(float(x), 7) for x in t], "power_mw": [round(float(x), 5) for x in p]}


def _record_window(
    meter: Meter, bench: BenchFn, n: int, expected_s: float, s: EnergySettings
) -> tuple[Trace, int]:
    """Arm, run BENCH(n), wait and fetch; return the record and the device's cycles."""
    window_s = 1.15 * expected_s + 4 * s.smooth_s
    pre_s = s.margin_s + (window_s if s.marks == "end" else 0.0)
    post_s = s.margin_s + (window_s if s.marks == "start" else 0.0)
    interval = max(s.sample_interval_s, (pre_s + post_s) / MAX_RECORD_POINTS)
    pre = math.ceil(pre_s / interval)
    config = meter.configure(
        AcquisitionConfig(
            interval,
            pre + math.ceil(post_s / interval),
            pre,
            s.current_range_a,
            "external",
            "rising" if s.trigger_edge == "rising" else "falling",
        )
    )
    recorded_pre_s = config.pre_trigger_points * config.sample_interval_s
    if s.marks == "end" and recorded_pre_s < 0.9 * pre_s:
        raise MeterError(
            f"the {meter.driver} meter cannot record {pre_s:.3f} s before its trigger, which a "
            f"{s.trigger_edge}-edge trigger at the window's end needs: use the other edge"
        )
    meter.arm()
    # The pre-trigger samples must be filled before the trigger edge comes (the meter ignores
    # an earlier trigger): the window itself fills them when the trigger marks its end.
    ahead_s = recorded_pre_s - (expected_s if s.marks == "end" else 0.0)
    time.sleep(max(0.0, ahead_s + 0.02) if recorded_pre_s > 0 else 0.0)
    LOG.info(
        "energy window: BENCH(%d), expected %.3f s, recording %d points at %g s (%s edge)",
        n,
        expected_s,
        config.points,
        config.sample_interval_s,
        s.trigger_edge,
    )
    cycles = int(bench(n))
    meter.wait_complete(config.duration_s + s.timeout_s)
    return meter.fetch_trace(), cycles


def measure_energy(
    meter: Meter, bench: BenchFn, clock_hz: float, settings: EnergySettings | None = None
) -> EnergyResult:
    """Measure energy per inference (see the module docstring for the method).

    Args:
        meter: an identified meter on the board's supply.
        bench: runs BENCH(n) on the board and returns the device's total cycles.
        clock_hz: the board's core clock (turns device cycles into time).
        settings: measurement settings.

    Raises:
        EnergyMeasurementError: with :attr:`~EnergyMeasurementError.partial` holding what was
            measured before the failure.
    """
    s = settings or EnergySettings()
    partial: dict[str, Any] = {"stage": "idle"}
    try:
        idle = meter.measure_idle(s.idle_window_s, s.sample_interval_s, s.current_range_a)
        p_idle = float(np.mean(idle.power_w))
        LOG.info("idle power %.3f mW over %d points", p_idle * 1e3, len(idle))
        partial.update(
            stage="calibration",
            idle_power_mw=p_idle * 1e3,
            idle_window_s=len(idle) * idle.sample_interval_s,
        )
        cal_cycles = int(bench(s.calibration_n))
        n = s.n or choose_n(cal_cycles, s.calibration_n, clock_hz, s.min_window_s)
        expected_s = cal_cycles / s.calibration_n / clock_hz * n
        partial.update(stage="window", n=n, expected_window_s=expected_s)
        trace, cycles = _record_window(meter, bench, n, expected_s, s)
        edges = find_edges(trace, p_idle, expected_s, s.smooth_s, s.marks)
    except EnergyMeasurementError as exc:
        raise EnergyMeasurementError(str(exc), {**partial, **exc.partial}) from exc
    except MeterError as exc:
        LOG.warning("energy measurement failed at stage %s: %s", partial.get("stage"), exc)
        raise EnergyMeasurementError(f"{exc} (measured so far: {partial})", partial) from exc
    if edges.end_s - edges.start_s < s.min_window_s:
        raise EnergyMeasurementError(
            f"the window lasted {edges.end_s - edges.start_s:.3f} s, below the "
            f"{s.min_window_s:g} s minimum: raise --energy-n or use --energy-n auto",
            {**partial, "window_s": edges.end_s - edges.start_s},
        )
    device_s = cycles / clock_hz
    if abs(edges.end_s - edges.start_s - device_s) > max(
        WINDOW_AGREEMENT * device_s, 4 * s.smooth_s
    ):
        raise EnergyMeasurementError(
            f"the window found in the power ({edges.end_s - edges.start_s:.4f} s) disagrees with "
            f"the board's own BENCH time ({device_s:.4f} s = {cycles} cycles at {clock_hz:g} "
            "Hz): check --clock-hz, the current range and that nothing else loads the supply",
            {**partial, "window_s": edges.end_s - edges.start_s, "device_window_s": device_s},
        )
    LOG.info(
        "energy window found: %.4f s in the power, %.4f s by the board (%d cycles)",
        edges.end_s - edges.start_s,
        device_s,
        cycles,
    )
    return _result(trace, idle, p_idle, edges, n, cycles, clock_hz, s)


def _result(
    trace: Trace,
    idle: Trace,
    p_idle: float,
    edges: WindowEdges,
    n: int,
    cycles: int,
    clock_hz: float,
    s: EnergySettings,
) -> EnergyResult:
    guard = max(4 * s.smooth_s, 10 * trace.sample_interval_s)
    t, p = trace.t_s, trace.power_w
    inside = (t >= edges.start_s - guard) & (t < edges.end_s + guard)
    energy_j = float(np.sum(p[inside] - p_idle) * trace.sample_interval_s)
    core = (t >= edges.start_s) & (t < edges.end_s)
    outside = ~inside
    window_s = edges.end_s - edges.start_s
    device_s = cycles / clock_hz
    windows = {
        "trigger_s": 0.0,
        "trigger_marks": edges.marks,
        "start_s": edges.start_s,
        "end_s": edges.end_s,
        "guard_s": guard,
        "device_window_s": device_s,
        "device_cycles": cycles,
        "idle": {"duration_s": len(idle) * idle.sample_interval_s, "power_mw": p_idle * 1e3},
        "idle_in_record_mw": float(np.mean(p[outside]) * 1e3) if outside.any() else None,
        "sample_interval_s": trace.sample_interval_s,
        "points": len(trace),
    }
    return EnergyResult(
        n=n,
        energy_uj_per_inference=energy_j / n * 1e6,
        active_power_mw=float(np.mean(p[core]) * 1e3),
        idle_power_mw=p_idle * 1e3,
        window_s=window_s,
        latency_us=window_s / n * 1e6,
        device_latency_us=device_s / n * 1e6,
        windows=windows,
        trace=decimate(trace),
    )
