"""``samples.jsonl`` file names and the older, header-less journal format.

The journal itself (append, fsync in batches, resume from the journal alone) is
:mod:`harness.run.journal`. Journals written before it had no segment headers; for those, an
interrupted run's ``results.json`` (``complete: false``) says which model, firmware and data set
the samples belong to, and :func:`kept_samples` reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.run.results import SampleRecord

SAMPLES_FILE = "samples.jsonl"
RESULTS_FILE = "results.json"


def record_from_json(data: dict[str, Any]) -> SampleRecord:
    """Return the :class:`SampleRecord` of one journal line (unknown keys go to ``extra``)."""
    known = set(SampleRecord.__dataclass_fields__) - {"extra"}
    record = SampleRecord(**{k: v for k, v in data.items() if k in known})
    record.extra = {k: v for k, v in data.items() if k not in known}
    return record


def kept_samples(
    report_dir: Path, identity: dict[str, Any], samples_run: int
) -> list[SampleRecord]:
    """Return the successful samples of a header-less journal whose run matches ``identity``.

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
            record = record_from_json(json.loads(line))
        except (ValueError, TypeError):
            continue  # a line cut by the interruption
        if record.status == "ok" and 0 <= record.index < samples_run:
            kept[record.index] = record
    return [kept[i] for i in sorted(kept)]
