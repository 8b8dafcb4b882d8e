"""The result store: every HIL run, its samples and its summary, in one SQL database.

SQLite (one file, no server) by default; any SQLAlchemy URL works, so a lab's runners can share
one PostgreSQL database. Writes follow the life of a run, each step one transaction:

1. :meth:`ResultStore.begin_run` creates the run row with status ``running``;
2. :meth:`ResultStore.append_samples` appends a batch of sample rows;
3. :meth:`ResultStore.finish_run` writes the summary, any samples still missing and the final
   status (``complete`` or ``incomplete``) together.

A run whose process is killed becomes ``aborted`` at the next access of the store (the row
records its owner process and host, see :mod:`harness.store.liveness`), so it never stays
``running``, is never mistaken for a finished run nor used as a baseline.
:meth:`ResultStore.import_results` stores a whole ``results.json`` in one transaction and is
idempotent by run id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from harness.store.engine import database_errors, open_engine, schema_lock
from harness.store.errors import StoreError
from harness.store.liveness import current_owner, owner_gone
from harness.store.location import display_url, sqlite_file
from harness.store.ownership import check_ferhil_database
from harness.store.records import (
    StoredRun,
    check_document,
    final_status,
    run_columns,
    sample_columns,
    stored_document,
    stored_run,
    utc,
)
from harness.store.schema import (
    STATUS_ABORTED,
    STATUS_COMPLETE,
    STATUS_RUNNING,
    STORE_SCHEMA_VERSION,
    Base,
    MetaTable,
    RunTable,
    SampleTable,
)

LOG = logging.getLogger("ferhil.store")


class ResultStore:
    """Read and write HIL runs in the database at ``url`` (tables are created when missing).

    Raises:
        StoreError: the database cannot be reached or holds another schema version.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        check_ferhil_database(url)  # SQLite: read-only, before the engine's pragmas
        try:
            self.engine = open_engine(url)
            if sqlite_file(url) is None:
                check_ferhil_database(url, self.engine)
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
            with schema_lock(self.engine):  # several hosts may open an empty store at once
                Base.metadata.create_all(self.engine)
                self._check_schema()
            LOG.info("opened result store %s", display_url(url))
        except SQLAlchemyError as exc:
            LOG.error("cannot open result store %s: %s", display_url(url), exc)
            raise StoreError(
                f"cannot open the result store {display_url(url)}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0]}; check --db / $FERHIL_DB"
            ) from exc

    def _check_schema(self) -> None:
        with self._transaction() as session:
            meta = session.get(MetaTable, "schema_version")
            if meta is None:
                session.add(MetaTable(key="schema_version", value=str(STORE_SCHEMA_VERSION)))
            elif meta.value != str(STORE_SCHEMA_VERSION):
                raise StoreError(
                    f"the result store {display_url(self.url)} has schema version {meta.value}, "
                    f"this ferhil writes version {STORE_SCHEMA_VERSION}; use another --db"
                )

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        with self._sessions() as session, session.begin():
            yield session

    def _write(self, what: str) -> AbstractContextManager[None]:
        """Context for a write: database errors become :class:`StoreError` naming ``what``."""
        return database_errors(f"{what} in {display_url(self.url)}")

    # -- writes -----------------------------------------------------------------------------
    def begin_run(self, document: Mapping[str, Any]) -> str:
        """Create the run row of ``document`` with status ``running``; return the run id.

        Raises:
            StoreError: the document has no run id, or a run with this id exists.
        """
        doc = check_document(document)
        doc["run"] = dict(doc["run"], owner=current_owner())
        columns = dict(run_columns(doc), finished=None)
        now = datetime.now(UTC)
        with self._write(f"starting run {columns['id']}"), self._transaction() as session:
            if session.get(RunTable, columns["id"]) is not None:
                raise StoreError(f"run {columns['id']} is already in the result store")
            self._reap(session)
            session.add(
                RunTable(
                    **columns,
                    status=STATUS_RUNNING,
                    source="live",
                    updated=now,
                    summary=None,
                    document=stored_document(doc),
                )
            )
        LOG.info("store: run %s started", columns["id"])
        return str(columns["id"])

    def append_samples(self, run_id: str, records: Sequence[Mapping[str, Any]]) -> int:
        """Append sample records of a ``running`` run in one transaction; return how many.

        Records already stored (same index) are left as they are.

        Raises:
            StoreError: the run is unknown or already finished.
        """
        with self._write(f"appending samples to run {run_id}"), self._transaction() as session:
            row = self._open_run(session, run_id)
            added = self._add_samples(session, run_id, records)
            row.updated = datetime.now(UTC)
        LOG.debug("store: run %s: %d sample(s) appended", run_id, added)
        return added

    def finish_run(self, run_id: str, document: Mapping[str, Any]) -> StoredRun:
        """Write the summary, missing samples and final status of a run in one transaction.

        The status is ``complete`` when ``document["run"]["complete"]`` is true, else
        ``incomplete``.

        Raises:
            StoreError: the run is unknown or already finished, or the document is not a
                results document of this run.
        """
        doc = check_document(document)
        if str(doc["run"]["id"]) != run_id:
            raise StoreError(f"the results document is for run {doc['run']['id']}, not {run_id}")
        with self._write(f"finishing run {run_id}"), self._transaction() as session:
            row = self._open_run(session, run_id)
            for key, value in run_columns(doc).items():
                setattr(row, key, value)
            self._add_samples(session, run_id, doc.get("samples") or [])
            row.summary = dict(doc.get("summary") or {})
            row.document = stored_document(doc)
            row.status = final_status(doc)
            row.updated = datetime.now(UTC)
            LOG.info("store: run %s finished as %s", run_id, row.status)
        return self.run(run_id)

    def import_results(self, document: Mapping[str, Any]) -> bool:
        """Store a whole results document in one transaction.

        Returns:
            ``True`` when the run was added, ``False`` when its run id was already stored (the
            stored run is left unchanged: importing the same file twice is harmless).

        Raises:
            StoreError: ``document`` is not a results document.
        """
        doc = check_document(document)
        columns = run_columns(doc)
        with self._write(f"importing run {columns['id']}"), self._transaction() as session:
            if session.get(RunTable, columns["id"]) is not None:
                LOG.info("store: run %s already stored; import skipped", columns["id"])
                return False
            session.add(
                RunTable(
                    **columns,
                    status=final_status(doc),
                    source="import",
                    updated=datetime.now(UTC),
                    summary=dict(doc.get("summary") or {}),
                    document=stored_document(doc),
                )
            )
            session.flush()
            self._add_samples(session, columns["id"], doc.get("samples") or [])
        LOG.info("store: run %s imported", columns["id"])
        return True

    @staticmethod
    def _reap(session: Session) -> int:
        """Mark ``running`` rows whose recording process is gone as ``aborted``."""
        reaped = 0
        now = datetime.now(UTC)
        for row in session.scalars(select(RunTable).where(RunTable.status == STATUS_RUNNING)):
            owner = (row.document or {}).get("run", {}).get("owner")
            if owner_gone(owner, utc(row.updated), now):
                row.status = STATUS_ABORTED
                row.finished = None
                reaped += 1
                LOG.warning("store: run %s marked aborted (its process %s is gone)", row.id, owner)
        return reaped

    def reap_aborted(self) -> int:
        """Mark every ``running`` run whose process is gone as ``aborted``; return how many."""
        with self._write("marking aborted runs"), self._transaction() as session:
            return self._reap(session)

    def _open_run(self, session: Session, run_id: str) -> RunTable:
        row = session.get(RunTable, run_id, with_for_update=True)
        if row is None:
            raise StoreError(f"run {run_id} is not in the result store; begin_run() it first")
        if row.status != STATUS_RUNNING:
            raise StoreError(f"run {run_id} is already finished ({row.status})")
        return row

    @staticmethod
    def _add_samples(session: Session, run_id: str, records: Sequence[Mapping[str, Any]]) -> int:
        rows = [sample_columns(r, i) for i, r in enumerate(records)]
        if not rows:
            return 0
        wanted = [r["idx"] for r in rows]
        have = set(
            session.scalars(
                select(SampleTable.idx).where(
                    SampleTable.run_id == run_id, SampleTable.idx.in_(wanted)
                )
            )
        )
        fresh = [dict(r, run_id=run_id) for r in rows if r["idx"] not in have]
        if fresh:
            session.execute(insert(SampleTable), fresh)  # one executemany
        return len(fresh)

    def _reap_quietly(self) -> None:
        """:meth:`reap_aborted` for readers; a read-only database is read as it is."""
        with suppress(StoreError):
            self.reap_aborted()

    # -- reads ------------------------------------------------------------------------------
    def runs(
        self,
        *,
        board_kind: str | None = None,
        dataset_hash: str | None = None,
        model_name: str | None = None,
        complete_only: bool = False,
    ) -> list[StoredRun]:
        """Return the matching runs, oldest first (dead ``running`` runs become ``aborted``)."""
        self._reap_quietly()
        counts = (
            select(SampleTable.run_id, func.count().label("n"))
            .group_by(SampleTable.run_id)
            .subquery()
        )
        query = select(RunTable, counts.c.n).outerjoin(counts, counts.c.run_id == RunTable.id)
        if board_kind is not None:
            query = query.where(RunTable.board_kind == board_kind)
        if dataset_hash is not None:
            query = query.where(RunTable.dataset_hash == dataset_hash)
        if model_name is not None:
            query = query.where(RunTable.model_name == model_name)
        if complete_only:
            query = query.where(RunTable.status == STATUS_COMPLETE)
        query = query.order_by(RunTable.started, RunTable.id)
        with self._sessions() as session:
            return [stored_run(row, int(n or 0)) for row, n in session.execute(query)]

    def _run_row(self, session: Session, run_id: str) -> RunTable:
        row = session.get(RunTable, run_id)
        if row is None:
            raise StoreError(f"run {run_id} is not in the result store {display_url(self.url)}")
        return row

    def run(self, run_id: str) -> StoredRun:
        """Return one run.

        Raises:
            StoreError: no run has this id.
        """
        self._reap_quietly()
        with self._sessions() as session:
            row = self._run_row(session, run_id)
            n = session.scalar(select(func.count()).where(SampleTable.run_id == run_id))
            return stored_run(row, int(n or 0))

    def has_run(self, run_id: str) -> bool:
        """True when a run with this id is stored."""
        with self._sessions() as session:
            return session.get(RunTable, run_id) is not None

    def results(self, run_id: str, *, samples: bool = True) -> dict[str, Any]:
        """Rebuild the ``results.json`` document of a run (``run.complete`` from its status).

        Raises:
            StoreError: no run has this id.
        """
        self._reap_quietly()
        with self._sessions() as session:
            row = self._run_row(session, run_id)
            document = dict(row.document)
            document["run"] = dict(document.get("run") or {}, complete=row.status == "complete")
            document["run"]["store_status"] = row.status
            document["summary"] = dict(row.summary or {})
            if samples:
                records = session.scalars(
                    select(SampleTable.record)
                    .where(SampleTable.run_id == run_id)
                    .order_by(SampleTable.idx)
                )
                document["samples"] = [dict(r) for r in records]
            return document
