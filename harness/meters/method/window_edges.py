"""Find the BENCH window's two edges in a power record.

One edge is marked by the meter's hardware trigger (time 0 of the record): the window's start
when the trigger input fires on the edge that opens the window, its end when it fires on the
closing edge (the N6705's low-true Trigger In with a GPIO held high during BENCH). Both edges
are located in the power itself, as the crossings of the midpoint between the idle and the
active level by the smoothed power; the trigger-marked one must agree with time 0, and the
other must lie inside the record ("both edges seen").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from harness.meters.base import FloatArray, Trace
from harness.meters.errors import EnergyMeasurementError

TriggerMarks = Literal["start", "end"]


@dataclass(frozen=True)
class WindowEdges:
    """The located window (seconds in record time) and the active power level (watts)."""

    start_s: float
    end_s: float
    active_level_w: float
    marks: TriggerMarks

    @property
    def trigger_offset_s(self) -> float:
        """How far the power edge lies from the hardware trigger."""
        return self.start_s if self.marks == "start" else self.end_s


def smooth(values: FloatArray, width: int) -> FloatArray:
    """Centred moving average of ``width`` samples (edges padded with the end values)."""
    kernel = np.ones(width) / width
    padded = np.pad(values, (width // 2, width - 1 - width // 2), mode="edge")
    return np.asarray(np.convolve(padded, kernel, mode="valid"), dtype=np.float64)


def find_edges(
    trace: Trace,
    p_idle_w: float,
    expected_s: float,
    smooth_s: float,
    marks: TriggerMarks,
    trigger_tolerance_s: float = 2e-3,
) -> WindowEdges:
    """Locate the window in ``trace``.

    Args:
        trace: the record (time 0 = hardware trigger).
        p_idle_w: the idle baseline.
        expected_s: the expected window length (from the calibration BENCH).
        smooth_s: smoothing length for the edge search.
        marks: which edge the hardware trigger marks.
        trigger_tolerance_s: how far the marked power edge may lie from time 0.

    Raises:
        EnergyMeasurementError: no power step, an edge outside the record, or a trigger that
            does not line up with the power.
    """
    t, dt = trace.t_s, trace.sample_interval_s
    width = max(3, round(smooth_s / dt))
    s = smooth(trace.power_w, width)
    sign = 1.0 if marks == "start" else -1.0
    lo, hi = sorted((sign * 0.25 * expected_s, sign * 0.75 * expected_s))
    middle = (t >= lo) & (t <= hi)
    if middle.sum() < 3:
        raise EnergyMeasurementError("the record holds no samples inside the window", {})
    active = float(np.median(s[middle]))
    idle_part = t < -width * dt if marks == "start" else t > width * dt
    noise = float(np.std(trace.power_w[idle_part])) if idle_part.sum() > 10 else 0.0
    step = active - p_idle_w
    if step <= max(6.0 * noise / math.sqrt(width), 1e-9):
        raise EnergyMeasurementError(
            f"no power step in the window (active {active * 1e3:.3f} mW vs idle "
            f"{p_idle_w * 1e3:.3f} mW): check the meter is on the board's supply, the current "
            "range and the trigger wiring",
            {},
        )
    level = p_idle_w + step / 2
    above = np.nonzero(s > level)[0]
    first, last = int(above[0]), int(above[-1])
    start = float(t[first])
    if first > 0:
        start = float(t[first - 1] + (level - s[first - 1]) / (s[first] - s[first - 1]) * dt)
    end = float(t[last])
    if last + 1 < len(s):
        end = float(t[last] + (s[last] - level) / (s[last] - s[last + 1]) * dt)
    edges = WindowEdges(start, end, active, marks)
    margin = 2 * width
    if marks == "start" and last >= len(s) - margin:
        raise EnergyMeasurementError(
            "the window's end edge is not inside the record (the window outlasted the record): "
            "rerun, or check that BENCH ran the requested N",
            {},
        )
    if marks == "end" and first < margin:
        raise EnergyMeasurementError(
            "the window's start edge is not inside the record (pre-trigger too short): rerun, "
            "or check that BENCH ran the requested N",
            {},
        )
    if abs(edges.trigger_offset_s) > max(trigger_tolerance_s, 2 * width * dt):
        raise EnergyMeasurementError(
            f"the power {'rose' if marks == 'start' else 'fell'} "
            f"{edges.trigger_offset_s * 1e3:.2f} ms away from the hardware trigger: the "
            "trigger wiring or edge does not mark the BENCH window",
            {},
        )
    return edges
