"""The energy section of a report: figures from the summary and the power trace.

``results["energy"]`` is read in the layout the harness energy measurement writes
(``harness/meters/energy.py``; every part optional)::

    {"trace": {"t_s": [...], "power_mw": [...]},
     "windows": {"trigger_s": 0.0, "trigger_marks": "start", "start_s": s, "end_s": s,
                 "guard_s": s, "idle": {"duration_s": s, "power_mw": p}, ...},
     "sim_energy_model": {...}}

The BENCH window ``[start_s, end_s]`` is shaded as active, the record outside the guard-widened
window as idle margin, the trigger time is marked and the separately recorded idle baseline is
drawn as a level. A generic layout is accepted too: ``windows = {"idle": W, "active": W}`` with
``W`` one ``[start_s, end_s]`` pair, a list of pairs or of ``{"start": s, "end": s}`` objects,
and ``triggers`` (in ``energy`` or ``windows``) as times or ``{"t_s": t}`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reports.coerce import as_dict, as_float, as_list, as_str, dig
from reports.run_view import RunView

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


def _window(item: Any) -> Window | None:
    if isinstance(item, dict):
        start = as_float(item.get("start", item.get("start_s")))
        end = as_float(item.get("end", item.get("end_s")))
    else:
        pair = as_list(item)
        if len(pair) != 2:
            return None
        start, end = as_float(pair[0]), as_float(pair[1])
    if start is None or end is None or end < start:
        return None
    return (start, end)


def parse_windows(value: Any) -> list[Window]:
    """Read one window or a list of windows in any accepted layout (bad entries dropped)."""
    single = _window(value)
    if single is not None:
        return [single]
    return [w for w in map(_window, as_list(value)) if w is not None]


def parse_triggers(value: Any) -> list[float]:
    """Read trigger times given as floats or ``{"t_s": ...}`` objects."""
    times = []
    for item in as_list(value):
        t = as_float(item.get("t_s", item.get("t"))) if isinstance(item, dict) else as_float(item)
        if t is not None:
            times.append(t)
    return times


def _trace(energy: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    trace = as_dict(energy.get("trace"))
    t, p = as_list(trace.get("t_s")), as_list(trace.get("power_mw"))
    n = min(len(t), len(p))
    pairs = [(as_float(a), as_float(b)) for a, b in zip(t[:n], p[:n], strict=True)]
    good = [(a, b) for a, b in pairs if a is not None and b is not None]
    if not good:
        return np.zeros(0), np.zeros(0)
    arr = np.array(good, dtype=float)
    return arr[:, 0], arr[:, 1]


def _bench_layout(view: EnergyView, windows: dict[str, Any]) -> None:
    """Fill windows, trigger and baseline from the harness BENCH-window layout."""
    start, end = as_float(windows.get("start_s")), as_float(windows.get("end_s"))
    if start is None or end is None or end < start:
        return
    view.active = [(start, end)]
    guard = as_float(windows.get("guard_s")) or 0.0
    view.integration = (start - guard, end + guard)
    trigger = as_float(windows.get("trigger_s"))
    view.triggers = [trigger] if trigger is not None else []
    view.baseline_mw = as_float(dig(windows, "idle", "power_mw"))
    if view.has_trace:
        t0, t1 = float(view.t_s[0]), float(view.t_s[-1])
        lo, hi = view.integration
        view.idle = [w for w in ((t0, lo), (hi, t1)) if w[1] > w[0]]


def _details(summary: dict[str, Any], windows: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    labels = (
        ("energy_n", "inferences in window", "{:,.0f}"),
        ("energy_window_s", "window length", "{:.4f} s"),
        ("energy_latency_us", "latency from window", "{:,.1f} µs"),
        ("energy_device_latency_us", "latency from device cycles", "{:,.1f} µs"),
    )
    for key, label, pattern in labels:
        value = as_float(summary.get(key))
        if value is not None:
            rows.append((label, pattern.format(value)))
    marks = as_str(windows.get("trigger_marks"))
    if marks:
        rows.append(("trigger marks window", marks))
    interval = as_float(windows.get("sample_interval_s"))
    if interval:
        rows.append(("meter sample interval", f"{interval * 1e6:,.2f} µs"))
    return rows


def energy_view(view: RunView) -> EnergyView | None:
    """Return the energy section of a run, or ``None`` when the run measured no energy."""
    summary = view.summary
    energy = as_dict(view.raw.get("energy"))
    figures = {
        key: as_float(summary.get(key))
        for key in (
            "energy_uj_per_inference",
            "active_power_mw",
            "idle_power_mw",
            "energy_truth_uj_per_inference",
        )
    }
    if not energy and all(v is None for v in figures.values()):
        return None
    windows = as_dict(energy.get("windows"))
    t_s, power = _trace(energy)
    result = EnergyView(
        uj_per_inference=figures["energy_uj_per_inference"],
        active_power_mw=figures["active_power_mw"],
        idle_power_mw=figures["idle_power_mw"],
        truth_uj_per_inference=figures["energy_truth_uj_per_inference"],
        meter=as_dict(summary.get("meter")),
        meter_simulated=view.meter_simulated,
        t_s=t_s,
        power_mw=power,
        idle=parse_windows(windows.get("idle")),
        active=parse_windows(windows.get("active")),
        triggers=parse_triggers(energy.get("triggers", windows.get("triggers"))),
        details=_details(summary, windows)
        + _flat_rows(as_dict(energy.get("sim_energy_model")), "simulation model: "),
    )
    _bench_layout(result, windows)
    return result
