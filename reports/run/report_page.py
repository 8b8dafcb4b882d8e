"""The per-run HTML report (``report.html``): verdict, plots, tables, provenance, energy."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reports.common.coerce import as_str
from reports.common.formatting import fmt_time
from reports.common.labels import clock_kind_label, yes_no
from reports.common.run_view import (
    RunView,
    class_rows,
    confusion_matrix,
    decide_verdict,
    run_view,
    sample_latencies,
)
from reports.common.sample_tables import failure_reasons, failure_rows, mismatch_rows
from reports.common.templating import render_page
from reports.run.boards_view import board_rows
from reports.run.energy_view import EnergyView, energy_view
from reports.run.plot_power import power_trace_svg
from reports.run.plots_run import confusion_svg, latency_svg, per_class_svg
from reports.run.tta_view import tta_view

REPORT_FILE = "report.html"


def _toolchain(toolchain: dict[str, Any]) -> str | None:
    parts = [f"{k} {v}" for k, v in toolchain.items() if as_str(v) is not None]
    return ", ".join(parts) or None


def provenance(view: RunView) -> list[tuple[str, Any, bool]]:
    """Label / value / monospace rows describing where the run's figures come from."""
    doc = view.doc
    run, ident, data = doc.run, doc.identity, doc.dataset
    clock = ident.core_clock_hz
    return [
        ("run id", run.id, True),
        ("started", _ts(run.started), False),
        (
            "finished",
            _ts(run.finished) or ("not finished" if not view.complete else None),
            False,
        ),
        ("git sha", run.git_sha, True),
        ("ferhil version", run.ferhil_version, False),
        ("command", " ".join(run.argv) or None, True),
        ("model", view.model_label, False),
        ("model hash", ident.model_hash, True),
        ("firmware hash", ident.firmware_hash, True),
        ("board", view.board_label + (" (simulated)" if view.board_simulated else ""), False),
        ("board id", ident.board_id, True),
        ("probe", ident.probe, False),
        ("protocol version", ident.protocol_version, False),
        ("core clock", f"{clock / 1e6:g} MHz" if clock else None, False),
        ("clock kind", clock_kind_label(ident.clock_kind), False),
        ("flashed this run", yes_no(ident.flashed), False),
        ("toolchain", _toolchain(ident.toolchain), False),
        ("dataset", data.name, False),
        ("dataset path", data.path, True),
        ("dataset hash", data.hash, True),
        ("dataset generated", yes_no(data.generated), False),
        ("schema", f"{doc.schema} v{doc.schema_version}", False),
    ]


def _ts(value: str | None) -> str | None:
    return fmt_time(value) if value else None


def top_confusions(
    matrix: np.ndarray | None, classes: list[str], count: int = 3
) -> list[tuple[str, str, int]]:
    """The ``count`` largest off-diagonal cells as (true class, predicted class, samples)."""
    if matrix is None:
        return []
    cells = [
        (int(matrix[i, j]), i, j)
        for i in range(matrix.shape[0])
        for j in range(matrix.shape[1])
        if i != j and matrix[i, j] > 0
    ]
    cells.sort(key=lambda c: (-c[0], c[1], c[2]))
    return [(classes[i], classes[j], n) for n, i, j in cells[:count]]


def _energy_plot(energy: EnergyView | None) -> Any:
    if energy is None or not energy.has_trace:
        return None
    return power_trace_svg(
        energy.t_s,
        energy.power_mw,
        idle=energy.idle,
        active=energy.active,
        triggers=energy.triggers,
        integration=energy.integration,
        baseline_mw=energy.baseline_mw,
        simulated=energy.meter_simulated,
    )


def report_context(
    results: Mapping[str, Any], links: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Everything ``report.html.j2`` needs, built from a results dict.

    Raises:
        ReportDataError: ``results`` is not a ferhil results dict.
    """
    view = run_view(results)
    matrix = confusion_matrix(view)
    rows = class_rows(view)
    latencies = sample_latencies(view.samples)
    energy = energy_view(view)
    markers = {q: view.latency_us[q] for q in ("p50", "p90", "p99")}
    markers["budget"] = view.latency_budget_us
    summary, dataset = view.doc.summary, view.doc.dataset
    rtt = summary.host_rtt_ms
    all_failures = failure_rows(view.doc.samples, view.classes, cap=len(view.samples))
    has_class_data = any(r.device is not None for r in rows)
    return {
        "v": view,
        "verdict": decide_verdict(view),
        "links": dict(links or {}),
        "dataset_name": dataset.name,
        "samples_total": dataset.samples_total,
        "samples_planned": dataset.samples_run or dataset.samples_total,
        "rtt": {"p50": rtt.p50, "p90": rtt.p90, "p99": rtt.p99, "mean": rtt.mean},
        "throughput": summary.throughput_ips,
        "class_rows": rows,
        "top_confusions": top_confusions(matrix, view.classes),
        "confusion_svg": confusion_svg(matrix, view.classes) if matrix is not None else None,
        "per_class_svg": per_class_svg(
            view.classes,
            [r.device for r in rows],
            [r.golden for r in rows],
            overall=view.accuracy,
            threshold=view.threshold,
        )
        if has_class_data
        else None,
        "latency_svg": latency_svg(latencies, markers) if latencies.size else None,
        "latency_count": int(latencies.size),
        "boards": board_rows(view.doc.summary),
        "energy": energy,
        "tta": tta_view(view.doc.summary),
        "power_svg": _energy_plot(energy),
        "mismatches": mismatch_rows(view.doc.samples, view.classes),
        "failures": failure_rows(view.doc.samples, view.classes),
        "failure_reasons": failure_reasons(all_failures.rows),
        "provenance": provenance(view),
    }


def write_report(
    results: dict[str, Any], out_dir: Path, *, links: dict[str, str] | None = None
) -> Path:
    """Render ``out_dir/report.html`` from a results dict.

    The page is self-contained (inline CSS and SVG plots, no scripts, no network) and shows a
    SIMULATED banner for simulated boards or meters and an INCOMPLETE RUN banner when
    ``run.complete`` is not true. Missing sections render as short notes.

    Args:
        results: a dict following the ``ferhil-results`` schema (``results.json``).
        out_dir: folder to write into (created when missing).
        links: optional navigation links, label → URL (e.g. ``{"History": "../history.html"}``).

    Returns:
        The path of the written ``report.html``.

    Raises:
        ReportDataError: ``results`` is not a ferhil results dict, or ``out_dir`` is not writable.
    """
    context = report_context(results, links)
    return render_page("report.html.j2", Path(out_dir) / REPORT_FILE, **context)
