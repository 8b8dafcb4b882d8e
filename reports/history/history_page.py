"""The history page (``history.html``): metrics across model versions, per board and dataset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.common.coerce import ReportDataError
from reports.common.templating import render_page
from reports.history.history_view import group_runs
from reports.history.plots_history import history_svg

HISTORY_FILE = "history.html"


def write_history(
    runs: Sequence[Mapping[str, Any]],
    out_dir: Path,
    *,
    links: Mapping[str, str] | None = None,
    report_links: Mapping[str, str] | None = None,
) -> Path:
    """Render ``out_dir/history.html`` from a list of runs.

    Runs are grouped by ``identity.board_kind`` and ``dataset.hash`` (name when no hash) and
    ordered by ``run.started``. Each group gets a trend panel (accuracy, per-class accuracy,
    latency p50/p99, energy per inference) and a table with deltas against the baseline, the
    latest earlier *complete* run; incomplete runs are greyed and never baselines.

    Args:
        runs: results-like dicts; each needs at least ``run.id``, ``run.started``,
            ``run.complete``, ``identity.model_name/model_version/model_hash``,
            ``identity.board_kind``, ``dataset.hash`` and ``summary.*`` (accuracy,
            per_class_accuracy, latency_us, energy_uj_per_inference). Samples are optional.
        out_dir: folder to write into (created when missing).
        links: optional navigation links, label → URL.
        report_links: optional per-run report URL, keyed by run id (links the table rows).

    Returns:
        The path of the written ``history.html``.

    Raises:
        ReportDataError: ``runs`` is not a list of results dicts, or ``out_dir`` is not writable.
    """
    if isinstance(runs, Mapping | str | bytes) or not isinstance(runs, Sequence):
        raise ReportDataError(
            f"runs must be a list of results dicts, got {type(runs).__name__}; "
            "pass the runs loaded from the result store"
        )
    groups = group_runs(runs, report_links)
    panels = [{"group": g, "svg": history_svg(g)} for g in groups]
    return render_page(
        "history.html.j2",
        Path(out_dir) / HISTORY_FILE,
        groups=panels,
        runs_total=len(runs),
        any_simulated=any(p.view.simulated for g in groups for p in g.points),
        links=dict(links or {}),
    )
