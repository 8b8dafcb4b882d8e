"""Connecting to the store's database (SQLAlchemy engines) and wrapping its errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from harness.store.errors import StoreError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL: readers (ferhil history) never block the recording run; NORMAL sync keeps every
    # transaction atomic and only risks the last commits on power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(url: str) -> Engine:
    """Return the engine of ``url``; SQLite gets its folder created, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def database_errors(what: str) -> Iterator[None]:
    """Turn SQLAlchemy errors raised inside the block into :class:`StoreError` naming ``what``."""
    try:
        yield
    except SQLAlchemyError as exc:
        first = str(exc).splitlines()[0]
        raise StoreError(f"{what}: {exc.__class__.__name__}: {first}") from exc


#: Key of the PostgreSQL advisory lock that serialises creating the store's tables.
SCHEMA_LOCK_KEY = 0x66657268696C  # "ferhil"


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Serialise table creation between processes (hosts) that open one store at once.

    On PostgreSQL a session advisory lock is held for the block (``CREATE TABLE`` of two
    writers racing on an empty database fails otherwise); SQLite serialises writes itself.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
            conn.commit()
