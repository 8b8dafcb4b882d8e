"""The simulated supply rail: which samples the simulated meter records, from the board's log.

:class:`BoardSignal` follows the hostsim board's GPIO edge log
(:mod:`harness.meters.simulator.edge_log`)
and turns the stretch of simulated time a record covers into current and voltage samples with
the SIMULATED :class:`~harness.meters.simulator.energy_model.SimEnergyModel`. Each sample is the
mean
over its interval (the exact integral of the piecewise-constant model power, plus noise), so a
correct integration of the trace reproduces the model's energy up to noise.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from harness.meters.base import FloatArray
from harness.meters.simulator.edge_log import EdgeLogReader, Segment, Timeline
from harness.meters.simulator.energy_model import SimEnergyModel


def active_time_between(segments: list[Segment], tau: FloatArray) -> FloatArray:
    """Active time inside each interval ``[tau[k], tau[k+1])`` (length ``len(tau) - 1``)."""
    bounds = [0.0]
    cumulative = [0.0]
    total = 0.0
    for seg in segments:
        if seg.active:
            if seg.start_s != bounds[-1]:
                bounds.append(seg.start_s)
                cumulative.append(total)
            total += seg.end_s - seg.start_s
            bounds.append(seg.end_s)
            cumulative.append(total)
    if len(bounds) == 1:
        return np.zeros(len(tau) - 1)
    acc = np.interp(tau, np.array(bounds), np.array(cumulative), left=0.0, right=total)
    return np.asarray(np.diff(acc), dtype=np.float64)


class BoardSignal:
    """The simulated rail of one board, driven by its edge log.

    Args:
        model: the simulated energy model.
        clock_hz: the board's simulated core clock.
        macs_per_inference: MACs of one inference of the model under test.
        cycles_per_inference: simulated cycles of one inference.
        edge_log: the edge-log file (``None``: no board attached yet, the rail idles).
        pin: the trigger pin as named in the log (``None``: any pin).
        active_level: the level the edge log shows during a window (hostsim logs the
            trigger's logical level: 1).
        pin_active_low: whether the simulated trigger *pin* is driven low during a window
            (the MAX78000FTHR default, ``HAL_TRIGGER_ACTIVE_LOW=1``: LED1 lit); the simulated
            meter's Trigger In sees this electrical level.
    """

    def __init__(
        self,
        model: SimEnergyModel,
        *,
        clock_hz: float,
        macs_per_inference: float,
        cycles_per_inference: float,
        edge_log: Path | None = None,
        pin: str | None = None,
        active_level: int = 1,
        pin_active_low: bool = True,
    ) -> None:
        self.model = model
        self.clock_hz = clock_hz
        self.macs_per_cycle = macs_per_inference / cycles_per_inference
        self.macs_per_inference = macs_per_inference
        self.cycles_per_inference = cycles_per_inference
        self.pin = pin
        self.active_level = active_level
        self.pin_active_low = pin_active_low
        self.attach(edge_log)

    def attach(self, edge_log: Path | None) -> None:
        """Follow a (new) edge log; simulated time restarts now."""
        self.edge_log = edge_log
        self._reader = EdgeLogReader(edge_log) if edge_log is not None else None
        self.timeline = Timeline(time.monotonic_ns(), self.clock_hz, self.pin, self.active_level)

    def refresh(self) -> None:
        """Read edges appended to the log since the last call."""
        if self._reader is not None:
            for edge in self._reader.read_new():
                self.timeline.add(edge)

    def truth_energy_j(self) -> float:
        """The model's true extra energy of one inference (joules, simulated)."""
        return self.model.inference_energy_j(
            self.macs_per_inference, self.cycles_per_inference, self.clock_hz
        )

    def window_energy_j(self, cycles: int) -> float:
        """The model's true extra energy of a window of ``cycles`` virtual cycles (joules)."""
        extra = self.model.active_extra_power_w(self.macs_per_cycle, self.clock_hz)
        return extra * cycles / self.clock_hz

    def render(
        self, tau0: float, interval_s: float, points: int, index: int, range_a: float | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Current and voltage samples of ``points`` intervals starting at ``tau0``."""
        tau = np.asarray(tau0 + interval_s * np.arange(points + 1), dtype=np.float64)
        segments = self.timeline.segments_until(float(tau[-1]))
        fraction = active_time_between(segments, tau) / interval_s
        m = self.model
        extra = m.active_extra_power_w(self.macs_per_cycle, self.clock_hz)
        power = m.idle_power_w + extra * fraction
        rng = np.random.default_rng(m.seed + index)
        current = power / m.supply_v + rng.normal(0.0, m.noise_current_a, points)
        voltage = m.supply_v + rng.normal(0.0, m.noise_voltage_v, points)
        if range_a is not None:
            current = np.clip(current, -1.02 * range_a, 1.02 * range_a)
        return current, voltage
