"""``samples.jsonl``: one JSON line per finished image, written as results arrive.

The log is flushed after every line, so an interrupted run keeps what it measured. With
``--resume`` a new run of the same model, firmware and data set (as recorded in the interrupted
run's ``results.json``, ``complete: false``) keeps the log's successful samples and streams only
the images it lacks; failed samples are measured again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from harness.results import SampleRecord

SAMPLES_FILE = "samples.jsonl"
RESULTS_FILE = "results.json"


def sample_sink(
    log: IO[str], records: list[SampleRecord], notify: Callable[[SampleRecord], None]
) -> Callable[[SampleRecord], None]:
    """Return the sink that appends a record to ``records`` and ``log`` and calls ``notify``."""

    def write(record: SampleRecord) -> None:
        records.append(record)
        log.write(json.dumps(record.to_json()) + "\n")
        log.flush()
        notify(record)

    return write


def _record(data: dict[str, Any]) -> SampleRecord:
    known = set(SampleRecord.__dataclass_fields__) - {"extra"}
    record = SampleRecord(**{k: v for k, v in data.items() if k in known})
    record.extra = {k: v for k, v in data.items() if k not in known}
    return record


def kept_samples(
    report_dir: Path, identity: dict[str, Any], samples_run: int
) -> list[SampleRecord]:
    """Return the successful samples of an interrupted run that matches ``identity``.

    Args:
        report_dir: the report folder holding ``results.json`` and ``samples.jsonl``.
        identity: ``model_hash``, ``firmware_hash`` and ``dataset_hash`` of the new run.
        samples_run: images the new run streams (must equal the old run's).

    Returns:
        The ``ok`` records by index order; empty when nothing can be resumed.
    """
    try:
        old = json.loads((report_dir / RESULTS_FILE).read_text(encoding="utf-8"))
        lines = (report_dir / SAMPLES_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return []
    same = (
        old.get("run", {}).get("complete") is False
        and old.get("identity", {}).get("model_hash") == identity["model_hash"]
        and old.get("identity", {}).get("firmware_hash") == identity["firmware_hash"]
        and old.get("dataset", {}).get("hash") == identity["dataset_hash"]
        and old.get("dataset", {}).get("samples_run") == samples_run
    )
    if not same:
        return []
    kept: dict[int, SampleRecord] = {}
    for line in lines:
        try:
            record = _record(json.loads(line))
        except (ValueError, TypeError):
            continue  # a line cut by the interruption
        if record.status == "ok" and 0 <= record.index < samples_run:
            kept[record.index] = record
    return [kept[i] for i in sorted(kept)]
