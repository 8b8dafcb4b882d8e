"""The test-time augmentation figures of a report: ``summary.tta`` beside the single pass.

``summary.tta`` is written by the harness when a run used ``--tta`` (``harness/run/tta.py``); the
single-pass figures stay the headline and this view only adds the TTA ones next to them. Every
view reads the typed ``summary.tta`` record (:mod:`reports.results_doc`); a run without ``--tta``
has none and gives no view.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.results_doc import Summary


@dataclass(frozen=True)
class TtaView:
    """TTA accuracy, golden agreement, latency and energy of one run."""

    kind: str
    accuracy: float | None
    golden_accuracy: float | None
    answered: int
    matched_golden: int
    mismatched: int
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


def tta_view(summary: Summary) -> TtaView | None:
    """Return the view of ``summary.tta``, or ``None`` when the run had no TTA."""
    block = summary.tta
    if block is None:
        return None
    latency = block.latency_us
    simulated = block.simulated if block.simulated is not None else summary.simulated
    return TtaView(
        kind=block.kind,
        accuracy=block.accuracy,
        golden_accuracy=block.golden_accuracy,
        answered=block.answered,
        matched_golden=block.matched_golden,
        mismatched=block.mismatched,
        latency_us={
            "p50": latency.p50,
            "p90": latency.p90,
            "p99": latency.p99,
            "mean": latency.mean,
        },
        latency_ratio=block.latency_ratio,
        energy_uj_per_inference=block.energy_uj_per_inference,
        energy_ratio=block.energy_ratio,
        simulated=bool(simulated),
    )
