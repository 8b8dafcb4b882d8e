"""On-device test-time augmentation in a HIL run (``--tta hflip``), beside the single pass.

With ``--tta hflip`` every INFER asks the agent for the horizontal-flip TTA as well (the request
flag ``TTA_HFLIP``, ``firmware/PROTOCOL.md``): one request, one reply holding the single-pass
outputs (the headline, unchanged) and the TTA outputs (``golden/tta.py``'s rule). Each sample
record gets optional ``tta_*`` fields and ``summary`` a separate ``tta`` block; nothing of the
single-pass figures changes. Importing this module registers the option row.

Sample fields (present only with ``--tta``): ``tta_golden_outputs``, ``tta_golden_predicted``,
``tta_outputs``, ``tta_predicted``, ``tta_match``, ``tta_max_abs_diff``, ``tta_device_cycles``
(both passes), ``tta_latency_us``, ``tta_error`` (why a sample has no TTA result).

``summary.tta``: ``kind``, ``samples``, ``answered``, ``matched_golden``, ``mismatched``,
``accuracy``, ``golden_accuracy``, ``latency_us`` (p50/p90/p99/mean of both passes),
``latency_ratio`` (TTA mean / single-pass mean), ``simulated``, and the energy figures
``energy_uj_per_inference`` and ``energy_ratio`` when ``hil/test_tta.py`` measured them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from firmware.host.messages import InferResult
from golden.format import QuantModel
from golden.tta import TTA_KINDS, run_tta
from harness.errors import ConfigError
from harness.run.results import SampleRecord, percentiles
from harness.suite.options import OPTIONS, Option

OPTIONS.add(
    Option(
        "tta",
        "also run test-time augmentation on the device (hflip: the mirrored image as a second "
        "inference, outputs averaged); reported beside the single pass, never instead of it",
        choices=TTA_KINDS,
        env="FERHIL_TTA",
        metavar="KIND",
    )
)


def tta_kind(config: Any) -> str | None:
    """Return the configured TTA kind (``hflip``) or ``None`` when ``--tta`` is off."""
    value = config.get("tta")
    return str(value) if value else None


def golden_tta_outputs(model: QuantModel, inputs: np.ndarray, golden: np.ndarray) -> np.ndarray:
    """Return the golden TTA outputs ``(N, num_outputs)`` of the run's int8 inputs.

    Raises:
        ConfigError: the inputs are not images ``(N, C, H, W)`` (a 1-D model has no mirror).
    """
    if inputs.ndim != 4:
        raise ConfigError(
            f"--tta hflip mirrors images, but this model's inputs have shape {inputs.shape[1:]}; "
            "run without --tta"
        )
    return run_tta(model, inputs, single=golden)


def add_golden(templates: Sequence[SampleRecord], outputs: np.ndarray) -> None:
    """Give every template its golden TTA outputs and prediction (``extra`` fields)."""
    for record in templates:
        row = outputs[record.index]
        record.extra["tta_golden_outputs"] = [int(v) for v in row]
        record.extra["tta_golden_predicted"] = int(np.argmax(row))


def fill_record(
    record: SampleRecord, reply: InferResult, clock_hz: float | None, tolerance: int = 0
) -> SampleRecord:
    """Add the TTA result of ``reply`` to ``record`` and compare it with the golden TTA."""
    extra = record.extra
    if reply.tta_outputs is None:
        extra["tta_error"] = "the board answered without TTA outputs"
        extra["tta_match"] = False
        return record
    out = [int(v) for v in np.asarray(reply.tta_outputs).ravel()]
    golden = extra.get("tta_golden_outputs")
    extra["tta_outputs"] = out
    extra["tta_predicted"] = int(np.argmax(out)) if out else None
    if golden is not None and len(golden) == len(out):
        diff = int(np.max(np.abs(np.asarray(out, np.int64) - np.asarray(golden, np.int64))))
        extra["tta_max_abs_diff"] = diff
        extra["tta_match"] = diff <= tolerance
    else:
        extra["tta_match"] = False
        extra["tta_error"] = f"{len(out)} TTA outputs, golden has {len(golden or [])}"
    cycles = reply.tta_cycles
    extra["tta_device_cycles"] = None if cycles is None else int(cycles)
    if cycles is not None and clock_hz:
        extra["tta_latency_us"] = float(cycles) / float(clock_hz) * 1e6
    return record


def tta_summary(
    records: Sequence[SampleRecord], kind: str, simulated: bool, single_latency_mean: Any = None
) -> dict[str, Any]:
    """Return ``summary.tta``: TTA accuracy, golden agreement and latency (see module doc).

    A sample without a TTA result counts as wrong, as failed samples do for the single pass.
    """
    n = len(records)
    answered = [r for r in records if r.status == "ok" and r.extra.get("tta_outputs") is not None]
    correct = sum(1 for r in answered if r.extra.get("tta_predicted") == r.label)
    golden_correct = sum(1 for r in records if r.extra.get("tta_golden_predicted") == r.label)
    latency = percentiles(
        [float(r.extra["tta_latency_us"]) for r in answered if r.extra.get("tta_latency_us")]
    )
    mean = latency.get("mean")
    ratio = mean / single_latency_mean if mean and single_latency_mean else None
    return {
        "kind": kind,
        "samples": n,
        "answered": len(answered),
        "matched_golden": sum(1 for r in answered if r.extra.get("tta_match")),
        "mismatched": sum(1 for r in answered if not r.extra.get("tta_match")),
        "accuracy": correct / n if n else None,
        "golden_accuracy": golden_correct / n if n else None,
        "latency_us": latency,
        "latency_ratio": ratio,
        "simulated": simulated,
    }
