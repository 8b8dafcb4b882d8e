"""Trend plots of a run group: accuracy, per-class accuracy, latency and energy per version."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from markupsafe import Markup
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from reports.common.figure_svg import (
    ACCENT,
    BAD,
    GOLDEN,
    GOOD,
    MUTED,
    figure_to_svg,
    new_figure,
    plot_style,
)
from reports.history.history_view import RunGroup


def _series(
    ax: Axes,
    values: Sequence[float | None],
    complete: Sequence[bool],
    *,
    colour: str,
    label: str,
    marker: str = "o",
    dashed: bool = False,
    incomplete_label: str | None = None,
) -> None:
    """Plot complete runs as a connected line; incomplete runs as hollow grey markers."""
    x = np.arange(len(values))
    good = [i for i, v in enumerate(values) if v is not None and complete[i]]
    partial = [i for i, v in enumerate(values) if v is not None and not complete[i]]
    if good:
        ax.plot(
            x[good],
            [float(values[i] or 0.0) for i in good],
            color=colour,
            marker=marker,
            ms=4,
            lw=1.0 if dashed else 1.6,
            ls="--" if dashed else "-",
            mfc="none" if dashed else colour,
            label=label,
        )
    if partial:
        ax.plot(
            x[partial],
            [float(values[i] or 0.0) for i in partial],
            ls="none",
            marker=marker,
            ms=5,
            mfc="none",
            mec=MUTED,
            label=incomplete_label or "_nolegend_",
        )


def _finish(ax: Axes, labels: list[str], title: str, ylabel: str, percent: bool = False) -> None:
    ax.set_title(title, loc="left")
    ax.set_ylabel(ylabel)
    ax.set_xticks(range(len(labels)), labels=labels, rotation=30 if len(labels) > 6 else 0)
    ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
    if percent:
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, frameon=False)


def history_svg(group: RunGroup) -> Markup:
    """A 2x2 panel of trends for one group (x axis: runs oldest→newest, labelled by version)."""
    points = group.points
    labels = [p.version_label for p in points]
    complete = [p.complete for p in points]
    with plot_style():
        fig = new_figure(10.0, 6.2)
        axes = fig.subplots(2, 2)
        ax = axes[0][0]
        _series(
            ax,
            [p.view.accuracy for p in points],
            complete,
            colour=ACCENT,
            label="device",
            incomplete_label="incomplete run",
        )
        _series(
            ax,
            [p.view.golden_accuracy for p in points],
            complete,
            colour=GOLDEN,
            label="golden model",
            marker="s",
            dashed=True,
        )
        _finish(ax, labels, "Accuracy", "accuracy", percent=True)
        ax = axes[0][1]
        palette = colormaps["tab10"]
        for i, name in enumerate(group.classes):
            values = [p.per_class.get(name) for p in points]
            _series(ax, values, complete, colour=to_hex(palette(i % 10)), label=name)
        _finish(ax, labels, "Per-class accuracy", "accuracy", percent=True)
        if ax.get_legend() is not None:
            ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
        ax = axes[1][0]
        _series(ax, [p.p50_us for p in points], complete, colour=GOOD, label="p50")
        _series(ax, [p.p99_us for p in points], complete, colour=BAD, label="p99", marker="^")
        _finish(ax, labels, "On-device latency", "µs")
        ax = axes[1][1]
        energy = [p.energy_uj for p in points]
        _series(ax, energy, complete, colour=ACCENT, label="energy / inference")
        if all(v is None for v in energy):
            ax.text(
                0.5, 0.5, "no energy measured", transform=ax.transAxes, ha="center", color=MUTED
            )
        _finish(ax, labels, "Energy per inference", "µJ")
    return figure_to_svg(
        fig, f"hist-{group.key}", f"Trends for {group.board_kind} / {group.dataset}"
    )
