"""Per-sample records and the run summary of ``results.json``; writing the document.

The layout is owned by :mod:`reports.results_doc` (records, ``docs/results.schema.json``):
:func:`write_results_json` checks a document against it before writing.

Accuracy counts a failed sample (timeout, device error) as wrong, so a flaky link can never
raise the figure; ``failed`` says how many there were. ``per_class_accuracy`` is the recall of
each class; ``confusion`` counts the samples that completed (rows: label, columns: predicted).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reports.results_doc import check_results_document


@dataclass
class SampleRecord:
    """The outcome of one image (one line of ``samples.jsonl``)."""

    index: int
    id: str
    label: int
    golden_outputs: list[int]
    golden_predicted: int
    status: str = "ok"
    outputs: list[int] | None = None
    predicted: int | None = None
    match: bool = False
    max_abs_diff: int | None = None
    device_cycles: int | None = None
    latency_us: float | None = None
    rtt_ms: float | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this record (``extra`` keys are merged in)."""
        data = asdict(self)
        extra = data.pop("extra")
        data.update(extra)
        return data


def device_result(
    record: SampleRecord,
    outputs: Sequence[int],
    cycles: int | None,
    clock_hz: float | None,
    rtt_ms: float | None,
    tolerance: int = 0,
) -> SampleRecord:
    """Fill ``record`` from a device reply and compare it with the golden outputs."""
    out = [int(v) for v in outputs]
    record.outputs = out
    record.predicted = int(np.argmax(out)) if out else None
    if len(out) == len(record.golden_outputs):
        diff = int(np.max(np.abs(np.asarray(out, np.int64) - record.golden_outputs)))
        record.max_abs_diff = diff
        record.match = diff <= tolerance
    else:
        record.match = False
        record.error = f"{len(out)} outputs, golden has {len(record.golden_outputs)}"
    record.device_cycles = None if cycles is None else int(cycles)
    if cycles is not None and clock_hz:
        record.latency_us = float(cycles) / float(clock_hz) * 1e6
    record.rtt_ms = rtt_ms
    record.status = "ok"
    return record


def failed_result(record: SampleRecord, error: str, rtt_ms: float | None = None) -> SampleRecord:
    """Mark ``record`` failed with ``error`` (nothing is dropped)."""
    record.status = "failed"
    record.error = error
    record.match = False
    record.rtt_ms = rtt_ms
    return record


def percentiles(values: Sequence[float], points: Sequence[int] = (50, 90, 99)) -> dict[str, Any]:
    """Return ``{"p50":..., "p90":..., "p99":..., "mean":...}`` (``None`` values when empty)."""
    arr = np.asarray([v for v in values if v is not None], dtype=np.float64)
    out: dict[str, Any] = {
        f"p{p}": (float(np.percentile(arr, p)) if arr.size else None) for p in points
    }
    out["mean"] = float(arr.mean()) if arr.size else None
    return out


def summarize(
    records: Sequence[SampleRecord],
    classes: Sequence[str],
    simulated: bool,
    wall_s: float | None = None,
) -> dict[str, Any]:
    """Return the ``summary`` block of ``results.json`` for ``records``."""
    n = len(records)
    k = len(classes)
    labels = np.asarray([r.label for r in records], dtype=np.int64)
    ok = [r for r in records if r.status == "ok" and r.predicted is not None]
    correct = sum(1 for r in ok if r.predicted == r.label)
    golden_correct = sum(1 for r in records if r.golden_predicted == r.label)
    confusion = np.zeros((k, k), dtype=np.int64)
    for r in ok:
        if r.predicted is not None and 0 <= r.predicted < k:
            confusion[r.label, r.predicted] += 1
    per_class: dict[str, float | None] = {}
    for c, name in enumerate(classes):
        count = int((labels == c).sum())
        per_class[name] = float(confusion[c, c] / count) if count else None
    return {
        "samples": n,
        "matched_golden": sum(1 for r in records if r.match),
        "mismatched": sum(1 for r in ok if not r.match),
        "failed": n - len(ok),
        "accuracy": correct / n if n else None,
        "golden_accuracy": golden_correct / n if n else None,
        "per_class_accuracy": per_class,
        "confusion": confusion.tolist(),
        "latency_us": percentiles([r.latency_us for r in ok if r.latency_us is not None]),
        "host_rtt_ms": percentiles([r.rtt_ms for r in ok if r.rtt_ms is not None]),
        "throughput_ips": (n / wall_s) if wall_s else None,
        "simulated": simulated,
    }


def write_json(path: Path, document: dict[str, Any]) -> Path:
    """Write ``document`` as indented JSON through a temporary file (atomic replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=1, default=_jsonable) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def write_results_json(path: Path, document: dict[str, Any]) -> Path:
    """Check ``document`` against the ``ferhil-results`` records, then write it (atomic).

    Raises:
        ResultsDocumentError: the document does not follow the schema (a writer's bug; the
            message names the key).
    """
    plain = json.loads(json.dumps(document, default=_jsonable))
    check_results_document(plain)
    return write_json(path, plain)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
