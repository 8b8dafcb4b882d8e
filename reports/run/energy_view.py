"""The energy section of a report: figures from the summary and the power trace.

``energy`` is the typed :class:`~reports.results_doc.EnergySection` the harness energy
measurement writes (``harness/meters/method/energy.py``): the decimated trace and the BENCH windows.
The BENCH window ``[start_s, end_s]`` is shaded as active, the record outside the guard-widened
window as idle margin, the trigger time is marked and the separately recorded idle baseline is
drawn as a level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reports.common.coerce import as_str
from reports.common.run_view import RunView
from reports.results_doc import EnergySection, EnergyWindows, Summary

Window = tuple[float, float]


@dataclass
class EnergyView:
    """Energy figures and trace of one run."""

    uj_per_inference: float | None
    active_power_mw: float | None
    idle_power_mw: float | None
    truth_uj_per_inference: float | None
    meter: dict[str, Any]
    meter_simulated: bool
    t_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    power_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    idle: list[Window] = field(default_factory=list)
    active: list[Window] = field(default_factory=list)
    triggers: list[float] = field(default_factory=list)
    integration: Window | None = None
    baseline_mw: float | None = None
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def truth_error(self) -> float | None:
        """Relative error of the measured energy against the simulated truth."""
        if self.uj_per_inference is None or not self.truth_uj_per_inference:
            return None
        return self.uj_per_inference / self.truth_uj_per_inference - 1.0

    @property
    def has_trace(self) -> bool:
        """Whether a power trace can be plotted."""
        return self.t_s.size > 1

    @property
    def meter_rows(self) -> list[tuple[str, str]]:
        """Meter description as label/value rows (nested values skipped)."""
        return _flat_rows(self.meter)


#: Readable labels of the meter block's keys (others: underscores become spaces).
METER_LABELS = {
    "idn": "identity (*IDN?)",
    "resource": "VISA resource",
    "driver": "meter driver",
    "simulated": "simulated meter",
    "channel": "channel",
    "supply_v": "supply voltage (V)",
    "range_a": "current range (A)",
}


def _flat_rows(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows = []
    for key, value in data.items():
        text = as_str(value)
        if text is not None:
            label = METER_LABELS.get(str(key), str(key).replace("_", " "))
            rows.append((prefix + label, text))
    return rows


def _trace(energy: EnergySection) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(energy.trace.t_s), len(energy.trace.power_mw))
    if n == 0:
        return np.zeros(0), np.zeros(0)
    return (
        np.asarray(energy.trace.t_s[:n], dtype=float),
        np.asarray(energy.trace.power_mw[:n], dtype=float),
    )


def _bench_layout(view: EnergyView, windows: EnergyWindows) -> None:
    """Fill windows, trigger and baseline from the harness BENCH window."""
    start, end = windows.start_s, windows.end_s
    if end < start:
        return
    view.active = [(start, end)]
    view.integration = (start - windows.guard_s, end + windows.guard_s)
    view.triggers = [windows.trigger_s]
    view.baseline_mw = windows.idle.power_mw
    if view.has_trace:
        t0, t1 = float(view.t_s[0]), float(view.t_s[-1])
        lo, hi = view.integration
        view.idle = [w for w in ((t0, lo), (hi, t1)) if w[1] > w[0]]


def _details(summary: Summary, windows: EnergyWindows | None) -> list[tuple[str, str]]:
    rows = []
    labels = (
        (summary.energy_n, "inferences in window", "{:,.0f}"),
        (summary.energy_window_s, "window length", "{:.4f} s"),
        (summary.energy_latency_us, "latency from window", "{:,.1f} µs"),
        (summary.energy_device_latency_us, "latency from device cycles", "{:,.1f} µs"),
    )
    for value, label, pattern in labels:
        if value is not None:
            rows.append((label, pattern.format(value)))
    if windows is not None:
        if windows.trigger_marks:
            rows.append(("trigger marks window", windows.trigger_marks))
        if windows.sample_interval_s:
            rows.append(("meter sample interval", f"{windows.sample_interval_s * 1e6:,.2f} µs"))
    return rows


def energy_view(view: RunView) -> EnergyView | None:
    """Return the energy section of a run, or ``None`` when the run measured no energy."""
    summary = view.doc.summary
    energy = view.doc.energy
    figures = (
        summary.energy_uj_per_inference,
        summary.active_power_mw,
        summary.idle_power_mw,
        summary.energy_truth_uj_per_inference,
    )
    if energy is None and all(v is None for v in figures):
        return None
    t_s, power = _trace(energy) if energy is not None else (np.zeros(0), np.zeros(0))
    windows = energy.windows if energy is not None else None
    model = (energy.sim_energy_model if energy is not None else None) or {}
    result = EnergyView(
        uj_per_inference=summary.energy_uj_per_inference,
        active_power_mw=summary.active_power_mw,
        idle_power_mw=summary.idle_power_mw,
        truth_uj_per_inference=summary.energy_truth_uj_per_inference,
        meter=dict(summary.meter or {}),
        meter_simulated=view.meter_simulated,
        t_s=t_s,
        power_mw=power,
        details=_details(summary, windows) + _flat_rows(model, "simulation model: "),
    )
    if windows is not None:
        _bench_layout(result, windows)
    return result
