"""Plots comparing two runs: confusion-matrix difference and per-class accuracy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from markupsafe import Markup

from reports.common.figure_svg import (
    ACCENT,
    MUTED,
    figure_to_svg,
    new_figure,
    plot_style,
    style_class_matrix,
)
from reports.common.metric_delta import MetricDelta


def goodness(delta: np.ndarray) -> np.ndarray:
    """Signed goodness of a confusion difference: more on the diagonal or less off it is good."""
    sign = -np.ones(delta.shape, dtype=float)
    np.fill_diagonal(sign, 1.0)
    return delta * sign


def confusion_delta_svg(delta: np.ndarray, classes: Sequence[str], key: str = "cm-delta") -> Markup:
    """Heatmap of ``new - base`` confusion counts; green = improvement, red = regression."""
    n = len(classes)
    good = goodness(delta)
    limit = max(float(np.abs(good).max()), 1.0)
    with plot_style():
        size = 1.2 + 0.55 * n
        fig = new_figure(size + 1.2, size)
        ax = fig.add_subplot()
        image = ax.imshow(good, cmap="RdYlGn", vmin=-limit, vmax=limit)
        ax.grid(False)
        for i in range(n):
            for j in range(n):
                value = int(delta[i, j])
                text = f"{value:+d}" if value else "·"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color="#24292f" if value else MUTED,
                    fontweight="bold" if i == j else "normal",
                )
        style_class_matrix(fig, ax, image, classes, colorbar_label="← worse      better →")
    return figure_to_svg(fig, key, "Confusion matrix difference, new minus base")


def class_compare_svg(rows: Sequence[MetricDelta], key: str = "class-compare") -> Markup:
    """Grouped bars of per-class accuracy, base (grey) next to new (blue)."""
    x = np.arange(len(rows))
    base = [np.nan if r.base is None else r.base for r in rows]
    new = [np.nan if r.new is None else r.new for r in rows]
    with plot_style():
        fig = new_figure(6.4, 2.9)
        ax = fig.add_subplot()
        ax.bar(x - 0.2, base, 0.4, color=MUTED, label="base")
        ax.bar(x + 0.2, new, 0.4, color=ACCENT, label="new")
        for i, row in enumerate(rows):
            if row.delta is None:
                continue
            colour = {"better": "#1a7f37", "worse": "#cf222e"}.get(row.direction, "#57606a")
            top = np.nanmax([base[i], new[i]])
            ax.annotate(
                f"{row.delta * 100:+.1f}",
                (i, top),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color=colour,
            )
        ax.set_xticks(x, labels=[r.name for r in rows])
        ax.set_ylim(0, 1.12)
        ax.set_ylabel("accuracy")
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
        ax.grid(axis="x", visible=False)
        ax.legend(fontsize=7.5, frameon=False, ncols=2, loc="upper left", bbox_to_anchor=(0, 1.16))
    return figure_to_svg(fig, key, "Per-class accuracy, base versus new")
