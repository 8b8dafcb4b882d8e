"""Plots of one run: confusion matrix, per-class accuracy and the latency histogram."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from markupsafe import Markup
from matplotlib.axes import Axes
from matplotlib.container import BarContainer

from reports.common.figure_svg import (
    ACCENT,
    BAD,
    GOLDEN,
    GOOD,
    MUTED,
    WARN,
    figure_to_svg,
    new_figure,
    plot_style,
    style_class_matrix,
)


def row_normalised(matrix: np.ndarray) -> np.ndarray:
    """Divide each row by its sum (rows summing to zero stay zero)."""
    sums = matrix.sum(axis=1, keepdims=True).astype(float)
    result: np.ndarray = np.divide(
        matrix, sums, out=np.zeros(matrix.shape, dtype=float), where=sums > 0
    )
    return result


def confusion_svg(matrix: np.ndarray, classes: Sequence[str], key: str = "confusion") -> Markup:
    """Confusion matrix: counts in the cells, colour = fraction of the true-label row.

    Args:
        matrix: ``(n, n)`` counts, rows = true label, columns = prediction.
        classes: the ``n`` class names.
        key: page-unique id prefix.
    """
    n = len(classes)
    frac = row_normalised(matrix)
    with plot_style():
        size = 1.2 + 0.55 * n
        fig = new_figure(size + 1.2, size)
        ax = fig.add_subplot()
        image = ax.imshow(frac, cmap="Blues", vmin=0.0, vmax=1.0)
        ax.grid(False)
        for i in range(n):
            for j in range(n):
                colour = "white" if frac[i, j] > 0.55 else "#24292f"
                weight = "bold" if i == j else "normal"
                ax.text(
                    j,
                    i,
                    str(int(matrix[i, j])),
                    ha="center",
                    va="center",
                    color=colour,
                    fontsize=8.5,
                    fontweight=weight,
                )
        style_class_matrix(fig, ax, image, classes, colorbar_label="fraction of true-label row")
    return figure_to_svg(fig, key, "Confusion matrix: counts, colour by row fraction")


def _bar_labels(ax: Axes, bars: BarContainer, values: Sequence[float | None]) -> None:
    for rect, value in zip(bars.patches, values, strict=True):
        if value is None:
            continue
        ax.annotate(
            f"{value:.0%}",
            (rect.get_x() + rect.get_width() / 2, value),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
            color="#57606a",
        )


def per_class_svg(
    classes: Sequence[str],
    device: Sequence[float | None],
    golden: Sequence[float | None] | None = None,
    *,
    overall: float | None = None,
    threshold: float | None = None,
    key: str = "per-class",
) -> Markup:
    """Per-class accuracy bars for the device (and the golden model when given).

    Missing values are drawn as empty slots. ``overall`` and ``threshold`` are horizontal lines.
    """
    x = np.arange(len(classes))
    dev = [np.nan if v is None else v for v in device]
    show_golden = golden is not None and any(v is not None for v in golden)
    width = 0.4 if show_golden else 0.65
    with plot_style():
        fig = new_figure(6.4, 3.0)
        ax = fig.add_subplot()
        offset = -width / 2 if show_golden else 0.0
        bars = ax.bar(x + offset, dev, width, color=ACCENT, label="device")
        _bar_labels(ax, bars, list(device))
        if show_golden and golden is not None:
            gold = [np.nan if v is None else v for v in golden]
            ax.bar(x + width / 2, gold, width, color=GOLDEN, alpha=0.55, label="golden model")
        if overall is not None:
            ax.axhline(overall, color=GOOD, lw=1.2, ls="-", label=f"overall {overall:.1%}")
        if threshold is not None:
            ax.axhline(threshold, color=BAD, lw=1.2, ls="--", label=f"threshold {threshold:.1%}")
        ax.set_xticks(x, labels=list(classes))
        ax.set_ylim(0, 1.12)
        ax.set_ylabel("accuracy")
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", ncols=4, fontsize=7.5, frameon=False, bbox_to_anchor=(0, 1.16))
    return figure_to_svg(fig, key, "Per-class accuracy bars")


def latency_bins(values: np.ndarray) -> list[float]:
    """Histogram bin edges: numpy's "auto" rule capped at 60 bins.

    Identical latencies (a deterministic simulated clock) get one narrow bin, 0.2 % of the value
    wide, instead of a bar spanning the whole axis.
    """
    centre = float(np.median(values))
    if float(np.ptp(values)) <= 1e-6 * max(abs(centre), 1.0):
        half = max(abs(centre) * 1e-3, 0.05)
        return [centre - half, centre + half]
    edges = np.histogram_bin_edges(values, bins="auto")
    if edges.size > 61:
        edges = np.histogram_bin_edges(values, bins=60)
    return [float(e) for e in edges]


def latency_svg(
    latencies_us: np.ndarray,
    markers: dict[str, float | None],
    *,
    key: str = "latency",
) -> Markup:
    """Histogram of on-device latencies with vertical markers (e.g. p50/p90/p99, budget)."""
    values = np.asarray(latencies_us, dtype=float)
    bins = latency_bins(values)
    with plot_style():
        fig = new_figure(12.0, 3.4)
        ax = fig.add_subplot()
        ax.hist(values, bins=bins, color=ACCENT, alpha=0.85, edgecolor="white", linewidth=0.4)
        if len(bins) == 2:
            shown = bins + [v for v in markers.values() if v is not None]
            pad = max(12 * (bins[1] - bins[0]), 0.05 * (max(shown) - min(shown)))
            ax.set_xlim(min(shown) - pad, max(shown) + pad)
            ax.set_title(
                f"all {values.size} samples took {values[0]:,.2f} µs (deterministic clock)",
                loc="left",
                fontweight="normal",
            )
        styles = {
            "p50": (GOOD, "-"),
            "p90": (MUTED, "--"),
            "p99": (BAD, ":"),
            "budget": (WARN, "-."),
        }
        for name, value in markers.items():
            if value is None:
                continue
            colour, dash = styles.get(name, (MUTED, "-."))
            ax.axvline(value, color=colour, ls=dash, lw=1.4, label=f"{name} {value:,.1f} µs")
        ax.set_xlabel("on-device latency (µs)")
        ax.set_ylabel("samples")
        ax.grid(axis="x", visible=False)
        if any(v is not None for v in markers.values()):
            ax.legend(fontsize=7.5, frameon=False, loc="upper right")
    return figure_to_svg(fig, key, "Latency histogram with percentile markers")
