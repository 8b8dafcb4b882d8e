"""The comparison page (``comparison.html``): a new run against a base run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reports.common.run_view import decide_verdict, run_view
from reports.common.templating import render_page
from reports.comparison.comparison_view import (
    changed_samples,
    class_deltas,
    comparison_warnings,
    confusion_delta,
    flipped_samples,
    metric_deltas,
)
from reports.comparison.plots_comparison import class_compare_svg, confusion_delta_svg
from reports.comparison.regression_view import regression_view

COMPARISON_FILE = "comparison.html"


def write_comparison(
    base: dict[str, Any],
    new: dict[str, Any],
    out_dir: Path,
    *,
    images: Mapping[int, np.ndarray] | None = None,
    links: Mapping[str, str] | None = None,
) -> Path:
    """Render ``out_dir/comparison.html`` comparing ``new`` against ``base``.

    The verdict shown is the new run's recorded test verdict (its ``verdict`` block), with the
    failed tests and their messages; the regression statistics are the ``regression`` block that
    ``hil/test_no_regression.py`` recorded (paired McNemar tests, flipped samples). Also shows
    metric deltas coloured better/worse (higher accuracy and throughput are better; lower
    mismatches, failures, latency, power and energy are better; latency and energy changes within
    1 % count as unchanged), the confusion-matrix difference (new − base), the samples that
    flipped right → wrong and wrong → right (with their faces when ``images`` has them) and the
    samples whose prediction or status changed, matched by sample id (index when ids are missing).

    Args:
        base: results dict of the baseline run.
        new: results dict of the candidate run.
        out_dir: folder to write into (created when missing).
        images: optional face image per sample index (uint8 ``(48, 48)`` or int8 device input);
            changed samples found here are shown inline as PNG.
        links: optional navigation links, label → URL.

    Returns:
        The path of the written ``comparison.html``.

    Raises:
        ReportDataError: a run is not a results dict, an image has the wrong shape or dtype, or
            ``out_dir`` is not writable.
    """
    base_view, new_view = run_view(base, "base"), run_view(new, "new")
    metrics = metric_deltas(base_view, new_view)
    classes = class_deltas(base_view, new_view)
    delta = confusion_delta(base_view, new_view)
    changed, counts = changed_samples(base_view, new_view, images)
    flipped_lost, flipped_gained = flipped_samples(base_view, new_view, images)
    verdict = decide_verdict(new_view)  # the new run's test verdict; the page never judges
    has_classes = any(r.base is not None or r.new is not None for r in classes)
    return render_page(
        "comparison.html.j2",
        Path(out_dir) / COMPARISON_FILE,
        base=base_view,
        new=new_view,
        metrics=metrics,
        classes=classes,
        class_svg=class_compare_svg(classes) if has_classes else None,
        cm_svg=confusion_delta_svg(delta, new_view.classes) if delta is not None else None,
        changed=changed,
        change_counts=counts,
        show_images=any(r.image_uri for r in changed.rows),
        flipped_lost=flipped_lost,
        flipped_gained=flipped_gained,
        warnings=comparison_warnings(base_view, new_view),
        overall=verdict.status,
        overall_label=verdict.status,
        verdict_reasons=verdict.reasons,
        regression=regression_view(new_view.doc),
        links=dict(links or {}),
    )
