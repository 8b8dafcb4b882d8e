"""Matplotlib figures as inline SVG for self-contained HTML pages.

Figures are built with :class:`matplotlib.figure.Figure` directly (no ``pyplot``, no global
backend switch), under a temporary style (:func:`plot_style`) and written as SVG with text
converted to paths, so a page needs no font at view time. :func:`figure_to_svg` strips the XML
prologue, metadata and comments and prefixes every element id, so several SVGs can share one page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from markupsafe import Markup
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

# Colours shared by plots and the page CSS.
GOOD = "#1a7f37"
BAD = "#cf222e"
ACCENT = "#0969da"
GOLDEN = "#8250df"
MUTED = "#8c959f"
WARN = "#bf8700"

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#57606a",
    "axes.labelcolor": "#24292f",
    "xtick.color": "#57606a",
    "ytick.color": "#57606a",
    "axes.grid": True,
    "grid.color": "#d0d7de",
    "grid.linewidth": 0.6,
    "svg.fonttype": "path",
    "text.parse_math": False,
    "svg.hashsalt": "ferhil",
    "figure.dpi": 100.0,
}

_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->|<metadata>.*?</metadata>", re.S)
_ID_REF = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')
_SIZE = re.compile(r'<svg\b([^>]*?)\swidth="[^"]*"\s+height="[^"]*"')


@contextmanager
def plot_style() -> Iterator[None]:
    """Apply the report plot style for the duration of the block (restored afterwards)."""
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def new_figure(width_in: float, height_in: float) -> Figure:
    """Create a figure with a constrained layout; call inside :func:`plot_style`."""
    return Figure(figsize=(width_in, height_in), layout="constrained")


def figure_to_svg(fig: Figure, key: str, label: str) -> Markup:
    """Render ``fig`` as an inline ``<svg>`` element.

    Args:
        fig: the figure (built inside :func:`plot_style`).
        key: a page-unique token used to prefix the SVG's element ids.
        label: accessible description of the plot (``aria-label``).

    Returns:
        Markup safe to insert into an HTML template.
    """
    buf = io.StringIO()
    with plot_style():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = _COMMENT.sub("", _PROLOGUE.sub("", buf.getvalue(), count=1))
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", key) + "-"
    text = _ID_REF.sub(lambda m: m.group(1) + prefix + m.group(2), text)
    safe_label = Markup.escape(label)
    text = _SIZE.sub(
        rf'<svg\1 class="plot-svg" role="img" aria-label="{safe_label}"', text, count=1
    )
    return Markup(text.strip())


def style_class_matrix(
    fig: Figure, ax: Axes, image: ScalarMappable, classes: Any, *, colorbar_label: str
) -> None:
    """Label a class-by-class matrix plot (predicted x true label) and add its colour bar."""
    n = len(classes)
    ax.set_xticks(range(n), labels=list(classes), rotation=35, ha="right")
    ax.set_yticks(range(n), labels=list(classes))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true label")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(colorbar_label)
    bar.outline.set_visible(False)
