"""``samples.jsonl`` as the run's durable journal: what ``--resume`` rebuilds a run from.

The journal is append-only. Each run (or resumed run) that writes to it starts a *segment* with
a header line ``{"journal": 1, "run_id", "model_hash", "firmware_hash", "dataset_hash",
"samples_run", "started"}``, followed by one line per finished image (a
:class:`~harness.run.results.SampleRecord`), and ends, when the run ends normally or is interrupted
by Ctrl-C or SIGTERM, with ``{"journal_end": run_id, "complete": bool}``. Every line is
flushed to the kernel as soon as it is written (so killing the process, even with SIGKILL,
loses nothing) and ``fsync``-ed in batches (every :data:`FSYNC_EVERY` records or
:data:`FSYNC_INTERVAL_S` seconds, and at the end), so a power cut loses at most one batch.

Nothing ever truncates a journal that holds records of an unfinished run:

* ``--resume`` appends to it: the new run keeps, per image, the last successful record of
  the segments whose identity (model, firmware, data set, number of images) equals its own
  and streams only the missing or failed images; ``results.json`` is not needed;
* a journal of another identity, or a fresh run (no ``--resume``) in a folder whose journal
  did not end complete, is moved aside to ``samples.<run id>.interrupted.jsonl`` first.

A line cut by a kill (no trailing newline) is ignored and the next line starts on a new line.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.run.results import SampleRecord
from harness.run.sample_log import SAMPLES_FILE, kept_samples, record_from_json

JOURNAL_VERSION = 1
FSYNC_EVERY = 32
FSYNC_INTERVAL_S = 1.0
#: ``tta`` (the ``--tta`` kind) is in the headers of ``--tta`` runs only; absent means off.
IDENTITY_KEYS = ("model_hash", "firmware_hash", "dataset_hash", "samples_run", "tta")


@dataclass
class JournalContents:
    """What an existing journal holds.

    Attributes:
        headers: the segment headers, oldest first (empty for a journal of the older,
            header-less format).
        records: every sample record with the header it was written under (``None``
            for a header-less journal).
        ended_complete: True when the last segment ended with ``complete: true``.
    """

    headers: list[dict[str, Any]] = field(default_factory=list)
    records: list[tuple[dict[str, Any] | None, SampleRecord]] = field(default_factory=list)
    ended_complete: bool = False

    @property
    def empty(self) -> bool:
        """True when the journal holds no header and no record."""
        return not self.headers and not self.records


def read_journal(path: Path) -> JournalContents:
    """Parse the journal at ``path`` (a missing file is an empty journal)."""
    contents = JournalContents()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return contents
    header: dict[str, Any] | None = None
    for line in text.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue  # a line cut by a kill
        if not isinstance(data, dict):
            continue
        if "journal" in data:
            header = data
            contents.headers.append(data)
            contents.ended_complete = False
        elif "journal_end" in data:
            contents.ended_complete = data.get("complete") is True
        else:
            try:
                contents.records.append((header, record_from_json(data)))
            except (TypeError, ValueError):
                continue
    return contents


def same_identity(header: Mapping[str, Any] | None, identity: Mapping[str, Any]) -> bool:
    """True when a segment ``header`` was written by a run of ``identity``."""
    return header is not None and all(header.get(k) == identity.get(k) for k in IDENTITY_KEYS)


def resumable(report_dir: Path, identity: Mapping[str, Any]) -> list[SampleRecord] | None:
    """Return the successful samples a run of ``identity`` can keep from ``report_dir``.

    Args:
        report_dir: the folder holding ``samples.jsonl``.
        identity: ``model_hash``, ``firmware_hash``, ``dataset_hash`` and ``samples_run``.

    Returns:
        The kept records by index (the last ``ok`` record of each image), or ``None`` when the
        journal belongs to another identity (it must then be moved aside, not appended to).
    """
    path = report_dir / SAMPLES_FILE
    contents = read_journal(path)
    total = int(identity["samples_run"])
    if not contents.headers:  # older header-less journal: its results.json decides
        return kept_samples(report_dir, dict(identity), total) if contents.records else []
    if not all(same_identity(h, identity) for h in contents.headers):
        return None
    kept: dict[int, SampleRecord] = {}
    for _header, record in contents.records:
        if record.status == "ok" and 0 <= record.index < total:
            kept[record.index] = record
    return [kept[i] for i in sorted(kept)]


def set_aside(report_dir: Path) -> Path | None:
    """Move an unfinished journal out of the way (never deleted); return its new path.

    A journal whose last segment ended complete is left in place (the caller may overwrite it:
    its run's ``results.json`` holds every sample).
    """
    path = report_dir / SAMPLES_FILE
    contents = read_journal(path)
    if contents.empty or contents.ended_complete:
        return None
    run_id = str(contents.headers[-1].get("run_id")) if contents.headers else "legacy"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in run_id)[:80]
    target = report_dir / f"samples.{safe}.interrupted.jsonl"
    n = 1
    while target.exists():
        n += 1
        target = report_dir / f"samples.{safe}.{n}.interrupted.jsonl"
    path.replace(target)
    return target


def start_segment(
    report_dir: Path, identity: Mapping[str, Any], resume: bool
) -> tuple[list[SampleRecord], list[str]]:
    """Prepare ``report_dir``'s journal for a new segment; return the kept records and notes.

    With ``resume`` the journal's successful samples of the same identity are kept
    (:func:`resumable`); otherwise (or when nothing matches) an unfinished journal is set aside
    and a finished run's journal is removed.
    """
    total = int(identity["samples_run"])
    notes: list[str] = []
    if resume:
        kept = resumable(report_dir, identity)
        if kept is not None:
            return kept, [f"resumed an interrupted run: kept {len(kept)} of {total} samples"]
        notes.append(
            "--resume: the journal in the report folder is of another model, firmware or "
            "data set; nothing was kept"
        )
    moved = set_aside(report_dir)
    if moved is not None:
        notes.append(f"an unfinished journal was kept as {moved.name}")
    elif (report_dir / SAMPLES_FILE).exists():
        (report_dir / SAMPLES_FILE).unlink()  # a finished run's journal
    return [], notes


class SampleJournal:
    """Appends one run segment to ``samples.jsonl`` (see the module docstring).

    Args:
        path: the journal file (created when missing, never truncated).
        header: the segment header: ``run_id`` and the identity keys.
        fsync_every: records between ``fsync`` calls.
        fsync_interval_s: most seconds between ``fsync`` calls while records arrive.
    """

    def __init__(
        self,
        path: Path,
        header: Mapping[str, Any],
        *,
        fsync_every: int = FSYNC_EVERY,
        fsync_interval_s: float = FSYNC_INTERVAL_S,
    ) -> None:
        self.path = path
        self.run_id = str(header.get("run_id"))
        self.fsync_every = max(1, fsync_every)
        self.fsync_interval_s = fsync_interval_s
        path.parent.mkdir(parents=True, exist_ok=True)
        needs_newline = path.exists() and path.stat().st_size > 0 and not _ends_in_newline(path)
        self._file: IO[str] | None = path.open("a", encoding="utf-8")
        if needs_newline:
            self._file.write("\n")  # the last line was cut by a kill: start a fresh one
        self._unsynced = 0
        self._last_sync = time.monotonic()
        self._write_line({"journal": JOURNAL_VERSION, **header, "started": time.time()})
        self.sync()

    def _write_line(self, data: Mapping[str, Any]) -> None:
        assert self._file is not None, "the journal is closed"
        self._file.write(json.dumps(data) + "\n")
        self._file.flush()

    def append(self, record: SampleRecord) -> None:
        """Write one record (flushed at once, fsync-ed in batches)."""
        self._write_line(record.to_json())
        self._unsynced += 1
        if (
            self._unsynced >= self.fsync_every
            or time.monotonic() - self._last_sync >= self.fsync_interval_s
        ):
            self.sync()

    def sync(self) -> None:
        """Force everything written so far to disk."""
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._unsynced = 0
        self._last_sync = time.monotonic()

    def close(self, complete: bool) -> None:
        """End the segment (``complete`` says whether the run finished) and close the file."""
        if self._file is None:
            return
        try:
            self._write_line({"journal_end": self.run_id, "complete": bool(complete)})
            self.sync()
        finally:
            self._file.close()
            self._file = None


def _ends_in_newline(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"
