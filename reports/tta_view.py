"""The test-time augmentation figures of a report: ``summary.tta`` beside the single pass.

``summary.tta`` is written by the harness when a run used ``--tta`` (``harness/tta.py``); the
single-pass figures stay the headline and this view only adds the TTA ones next to them. Every
part is optional: an older results.json without the block gives no view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.coerce import as_dict, as_float, as_int, as_str


@dataclass(frozen=True)
class TtaView:
    """TTA accuracy, golden agreement, latency and energy of one run."""

    kind: str
    accuracy: float | None
    golden_accuracy: float | None
    answered: int | None
    matched_golden: int | None
    mismatched: int | None
    latency_us: dict[str, float | None]
    latency_ratio: float | None
    energy_uj_per_inference: float | None
    energy_ratio: float | None
    simulated: bool

    @property
    def label(self) -> str:
        """``TTA (hflip)``: the name the report shows beside the single-pass figures."""
        return f"TTA ({self.kind})"

    @property
    def origin(self) -> str:
        """``simulated board`` or ``measured on the board``: how to read the figures."""
        return "simulated board" if self.simulated else "measured on the board"


def tta_view(summary: Any) -> TtaView | None:
    """Return the view of ``summary["tta"]``, or ``None`` when the run had no TTA."""
    block = as_dict(as_dict(summary).get("tta"))
    if not block:
        return None
    latency = as_dict(block.get("latency_us"))
    return TtaView(
        kind=as_str(block.get("kind")) or "hflip",
        accuracy=as_float(block.get("accuracy")),
        golden_accuracy=as_float(block.get("golden_accuracy")),
        answered=as_int(block.get("answered")),
        matched_golden=as_int(block.get("matched_golden")),
        mismatched=as_int(block.get("mismatched")),
        latency_us={q: as_float(latency.get(q)) for q in ("p50", "p90", "p99", "mean")},
        latency_ratio=as_float(block.get("latency_ratio")),
        energy_uj_per_inference=as_float(block.get("energy_uj_per_inference")),
        energy_ratio=as_float(block.get("energy_ratio")),
        simulated=bool(block.get("simulated", as_dict(summary).get("simulated"))),
    )
