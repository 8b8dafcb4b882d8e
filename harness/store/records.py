"""Conversion between ``results.json`` documents and result-store rows.

:class:`StoredRun` is the read-only view of one run row that the store hands out (no ORM
objects escape the store, so callers never touch a closed session).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from harness.store.errors import StoreError
from harness.store.schema import STATUS_COMPLETE, STATUS_INCOMPLETE, RunTable
from reports.results_doc import ResultsDocumentError, load_results


@dataclass(frozen=True)
class StoredRun:
    """One run as recorded in the store (see :mod:`harness.store.schema` for the columns)."""

    id: str
    status: str
    source: str
    started: datetime
    finished: datetime | None
    updated: datetime
    model_name: str | None
    model_version: str | None
    model_hash: str | None
    firmware_hash: str | None
    board: str | None
    board_kind: str | None
    board_id: str | None
    git_sha: str | None
    dataset_name: str | None
    dataset_hash: str | None
    simulated: bool | None
    samples_planned: int | None
    samples_recorded: int
    accuracy: float | None
    summary: dict[str, Any] | None

    @property
    def complete(self) -> bool:
        """True when the run finished and every sample was recorded."""
        return self.status == STATUS_COMPLETE

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (timestamps as ISO 8601 text)."""
        data = asdict(self)
        for key in ("started", "finished", "updated"):
            value = data[key]
            data[key] = value.isoformat(timespec="seconds") if value is not None else None
        data["complete"] = self.complete
        return data


def utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_time(text: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp of ``results.json`` (``None`` when missing or unreadable)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def check_document(document: Any) -> dict[str, Any]:
    """Return ``document`` when it is a ``ferhil-results`` document with a run id.

    The layout is checked by :func:`reports.results_doc.load_results`.

    Raises:
        StoreError: naming what is missing or wrong.
    """
    run = document.get("run") if isinstance(document, Mapping) else None
    if isinstance(run, Mapping) and not run.get("id"):
        raise StoreError("the results document has no run.id; it cannot be stored")
    try:
        load_results(document, what="the results document")
    except ResultsDocumentError as exc:
        raise StoreError(str(exc)) from exc
    return dict(document)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def run_columns(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the indexed column values of a run row from a results document."""
    run = dict(document.get("run") or {})
    ident = dict(document.get("identity") or {})
    data = dict(document.get("dataset") or {})
    summary = document.get("summary")
    accuracy = summary.get("accuracy") if isinstance(summary, Mapping) else None
    simulated = ident.get("simulated")
    return {
        "id": str(run["id"]),
        "started": parse_time(run.get("started")) or datetime.now(UTC),
        "finished": parse_time(run.get("finished")),
        "model_name": _text(ident.get("model_name")),
        "model_version": _text(ident.get("model_version")),
        "model_hash": _text(ident.get("model_hash")),
        "firmware_hash": _text(ident.get("firmware_hash")),
        "board": _text(ident.get("board")),
        "board_kind": _text(ident.get("board_kind") or ident.get("board")),
        "board_id": _text(ident.get("board_id")),
        "git_sha": _text(run.get("git_sha")),
        "dataset_name": _text(data.get("name")),
        "dataset_hash": _text(data.get("hash")),
        "simulated": None if simulated is None else bool(simulated),
        "samples_planned": data.get("samples_run") or data.get("samples_total"),
        "accuracy": float(accuracy) if isinstance(accuracy, int | float) else None,
    }


def final_status(document: Mapping[str, Any]) -> str:
    """``complete`` when the document says ``run.complete: true``, else ``incomplete``."""
    run = document.get("run") or {}
    return STATUS_COMPLETE if run.get("complete") is True else STATUS_INCOMPLETE


def stored_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without ``samples`` and ``summary`` (those have their own columns)."""
    return {k: v for k, v in document.items() if k not in ("samples", "summary")}


def sample_columns(record: Mapping[str, Any], position: int) -> dict[str, Any]:
    """Return the column values of one sample row (``position`` when it has no ``index``)."""
    idx = record.get("index")
    latency = record.get("latency_us")
    match = record.get("match")
    return {
        "idx": int(idx) if isinstance(idx, int) else position,
        "sample_id": _text(record.get("id")),
        "label": record.get("label"),
        "predicted": record.get("predicted"),
        "golden_predicted": record.get("golden_predicted"),
        "match": None if match is None else bool(match),
        "status": _text(record.get("status")),
        "latency_us": float(latency) if isinstance(latency, int | float) else None,
        "record": dict(record),
    }


def stored_run(row: RunTable, samples_recorded: int) -> StoredRun:
    """Return the read-only view of an ORM run row."""
    return StoredRun(
        id=row.id,
        status=row.status,
        source=row.source,
        started=utc(row.started) or datetime.now(UTC),
        finished=utc(row.finished),
        updated=utc(row.updated) or datetime.now(UTC),
        model_name=row.model_name,
        model_version=row.model_version,
        model_hash=row.model_hash,
        firmware_hash=row.firmware_hash,
        board=row.board,
        board_kind=row.board_kind,
        board_id=row.board_id,
        git_sha=row.git_sha,
        dataset_name=row.dataset_name,
        dataset_hash=row.dataset_hash,
        simulated=row.simulated,
        samples_planned=row.samples_planned,
        samples_recorded=samples_recorded,
        accuracy=row.accuracy,
        summary=dict(row.summary) if row.summary is not None else None,
    )
