"""The per-board table of a multi-board run's report (``summary.boards`` of results.json).

Each row: the board, the samples it ran, agreement with golden, failures, its own throughput,
latency and host round trip percentiles, recoveries, samples handed back to the other boards and
why it was taken out of the run (if it was). Single-board runs have no ``summary.boards``.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.results_doc import Percentiles, Summary


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


def board_rows(summary: Summary) -> list[BoardRow]:
    """Rows of ``summary.boards`` (empty for a single-board run)."""
    rows = []
    for name, entry in (summary.boards or {}).items():
        latency = entry.latency_us or Percentiles()
        rtt = entry.host_rtt_ms or Percentiles()
        rows.append(
            BoardRow(
                name=name,
                samples=entry.samples,
                agreement=entry.agreement,
                failed=entry.failed,
                throughput_ips=entry.throughput_ips,
                latency_p50_us=latency.p50,
                latency_p99_us=latency.p99,
                rtt_p50_ms=rtt.p50,
                recoveries=entry.recoveries,
                handed_back=entry.handed_back,
                taken_out=entry.taken_out,
                energy_uj=entry.energy_uj_per_inference,
            )
        )
    return rows
