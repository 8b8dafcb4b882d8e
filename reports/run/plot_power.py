"""Power-trace plot: meter samples, trigger markers, shaded idle and active windows."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from markupsafe import Markup

from reports.common.figure_svg import (
    ACCENT,
    BAD,
    MUTED,
    WARN,
    figure_to_svg,
    new_figure,
    plot_style,
)

MAX_POINTS = 3000
MAX_TRIGGERS = 400


def decimate(
    t: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a trace to about ``max_points`` points keeping each bucket's min and max.

    Short spikes (an inference of a few samples) stay visible, which plain striding would lose.
    """
    n = t.size
    if n <= max_points:
        return t, y
    buckets = max_points // 2
    edges = np.linspace(0, n, buckets + 1).astype(int)
    out_t, out_y = [], []
    for lo, hi in itertools.pairwise(edges.tolist()):
        if hi <= lo:
            continue
        seg = y[lo:hi]
        i_min, i_max = int(np.argmin(seg)), int(np.argmax(seg))
        for i in sorted({i_min, i_max}):
            out_t.append(t[lo + i])
            out_y.append(seg[i])
    return np.array(out_t), np.array(out_y)


def power_trace_svg(
    t_s: np.ndarray,
    power_mw: np.ndarray,
    *,
    idle: Sequence[tuple[float, float]] = (),
    active: Sequence[tuple[float, float]] = (),
    triggers: Sequence[float] = (),
    integration: tuple[float, float] | None = None,
    baseline_mw: float | None = None,
    simulated: bool = False,
    key: str = "power",
) -> Markup:
    """Plot the power trace (mW over ms) with windows and trigger markers.

    Args:
        t_s: sample times in seconds.
        power_mw: power in milliwatts, same length as ``t_s``.
        idle: idle-baseline windows ``(start_s, end_s)``, shaded grey.
        active: inference windows, shaded orange.
        triggers: trigger edge times in seconds, drawn as thin red lines (at most 400).
        integration: the integration bounds (window widened by the guard band), dotted lines.
        baseline_mw: the idle baseline level (recorded separately), a dashed line.
        simulated: adds "simulated meter" to the title.
        key: page-unique id prefix.
    """
    t_plot, p_plot = decimate(np.asarray(t_s, float), np.asarray(power_mw, float))
    t_ms = t_plot * 1e3
    with plot_style():
        fig = new_figure(13.0, 3.6)
        ax = fig.add_subplot()
        xaxis = ax.get_xaxis_transform()
        if idle:
            ax.broken_barh(
                [(a * 1e3, (b - a) * 1e3) for a, b in idle],
                (0, 1),
                transform=xaxis,
                facecolors=MUTED,
                alpha=0.22,
                label="idle record",
            )
        if active:
            ax.broken_barh(
                [(a * 1e3, (b - a) * 1e3) for a, b in active],
                (0, 1),
                transform=xaxis,
                facecolors=WARN,
                alpha=0.28,
                label="inference window",
            )
        ax.plot(t_ms, p_plot, color=ACCENT, lw=0.7, label="power")
        shown = list(triggers)[:MAX_TRIGGERS]
        if shown:
            ax.vlines(
                np.array(shown) * 1e3,
                0,
                1,
                transform=xaxis,
                colors=BAD,
                lw=1.6 if len(shown) <= 10 else 0.5,
                alpha=0.7,
                label="trigger edge",
            )
        if integration is not None:
            ax.vlines(
                np.array(integration) * 1e3,
                0,
                1,
                transform=xaxis,
                colors=MUTED,
                lw=1.0,
                linestyles=":",
                label="integration bounds",
            )
        if baseline_mw is not None:
            ax.axhline(
                baseline_mw,
                color=MUTED,
                lw=1.0,
                ls="--",
                label=f"idle baseline {baseline_mw:.2f} mW",
            )
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("power (mW)")
        ax.set_ylim(bottom=min(0.0, float(p_plot.min()) if p_plot.size else 0.0))
        ax.set_title("Power trace" + (" (simulated meter)" if simulated else ""), loc="left")
        ax.legend(loc="upper right", ncols=6, fontsize=7.5, frameon=False, bbox_to_anchor=(1, 1.14))
    return figure_to_svg(fig, key, "Power trace with trigger markers and shaded windows")
