"""The per-board table of a multi-board run's report (``summary.boards`` of results.json).

Each row: the board, the samples it ran, agreement with golden, failures, its own throughput,
latency and host round trip percentiles, recoveries, samples handed back to the other boards and
why it was taken out of the run (if it was). Single-board runs have no ``summary.boards``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports.coerce import as_dict, as_float, as_int, as_str


@dataclass(frozen=True)
class BoardRow:
    """One board of the run."""

    name: str
    samples: int | None
    agreement: float | None
    failed: int | None
    throughput_ips: float | None
    latency_p50_us: float | None
    latency_p99_us: float | None
    rtt_p50_ms: float | None
    recoveries: int | None
    handed_back: int | None
    taken_out: str | None
    energy_uj: float | None = None


def board_rows(summary: Mapping[str, Any]) -> list[BoardRow]:
    """Rows of ``summary["boards"]`` (empty for a single-board run)."""
    rows = []
    for name, raw in as_dict(summary.get("boards")).items():
        entry = as_dict(raw)
        latency = as_dict(entry.get("latency_us"))
        rtt = as_dict(entry.get("host_rtt_ms"))
        rows.append(
            BoardRow(
                name=str(name),
                samples=as_int(entry.get("samples")),
                agreement=as_float(entry.get("agreement")),
                failed=as_int(entry.get("failed")),
                throughput_ips=as_float(entry.get("throughput_ips")),
                latency_p50_us=as_float(latency.get("p50")),
                latency_p99_us=as_float(latency.get("p99")),
                rtt_p50_ms=as_float(rtt.get("p50")),
                recoveries=as_int(entry.get("recoveries")),
                handed_back=as_int(entry.get("handed_back")),
                taken_out=as_str(entry.get("taken_out")),
                energy_uj=as_float(entry.get("energy_uj_per_inference")),
            )
        )
    return rows
