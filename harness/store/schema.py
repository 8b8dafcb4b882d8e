"""Tables of the result store (SQLAlchemy Core/ORM, portable between SQLite and PostgreSQL).

* ``ferhil_runs``: one row per HIL run: identity (model name, version and hash, firmware hash,
  board kind and id, git sha, dataset hash, simulated), timestamps, ``status`` and the summary.
  ``status`` is ``running`` from the first transaction on, ``complete`` or ``incomplete`` after
  the final one; a run whose process died becomes ``aborted`` (:mod:`harness.store.liveness`)
  and is never complete.
* ``ferhil_samples``: one row per streamed image, keyed by ``(run_id, idx)``.
* ``ferhil_store_meta``: ``schema_version`` of these tables.

JSON columns hold the parts of ``results.json`` that have no column of their own, so the whole
document can be rebuilt (:meth:`harness.store.store.ResultStore.results`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STORE_SCHEMA_VERSION = 1

STATUS_RUNNING = "running"
STATUS_COMPLETE = "complete"
STATUS_INCOMPLETE = "incomplete"
STATUS_ABORTED = "aborted"
STATUSES = (STATUS_RUNNING, STATUS_COMPLETE, STATUS_INCOMPLETE, STATUS_ABORTED)


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class RunTable(Base):
    """One HIL run."""

    __tablename__ = "ferhil_runs"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16), default="live")
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    model_name: Mapped[str | None] = mapped_column(String(200), index=True)
    model_version: Mapped[str | None] = mapped_column(String(80))
    model_hash: Mapped[str | None] = mapped_column(String(64))
    firmware_hash: Mapped[str | None] = mapped_column(String(64))
    board: Mapped[str | None] = mapped_column(String(200))
    board_kind: Mapped[str | None] = mapped_column(String(80))
    board_id: Mapped[str | None] = mapped_column(String(200))
    git_sha: Mapped[str | None] = mapped_column(String(64))
    dataset_name: Mapped[str | None] = mapped_column(String(200))
    dataset_hash: Mapped[str | None] = mapped_column(String(64))
    simulated: Mapped[bool | None] = mapped_column(Boolean)
    samples_planned: Mapped[int | None] = mapped_column(Integer)
    accuracy: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_ferhil_runs_lineage", "board_kind", "dataset_hash", "status"),)


class SampleTable(Base):
    """One streamed image of a run."""

    __tablename__ = "ferhil_samples"

    run_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("ferhil_runs.id", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[str | None] = mapped_column(String(200))
    label: Mapped[int | None] = mapped_column(Integer)
    predicted: Mapped[int | None] = mapped_column(Integer)
    golden_predicted: Mapped[int | None] = mapped_column(Integer)
    match: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(16))
    latency_us: Mapped[float | None] = mapped_column(Float)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class MetaTable(Base):
    """Key/value facts about the store itself (``schema_version``)."""

    __tablename__ = "ferhil_store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
