"""Refuse to write ferhil's tables into a database that belongs to something else.

``--db`` may name any SQLite file or SQLAlchemy URL. Before the store creates its tables,
:func:`check_ferhil_database` makes sure the database is new, empty or already a ferhil store
(its tables start with :data:`TABLE_PREFIX`). A SQLite file is inspected read-only, before
the store's connection settings (WAL) could change it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, inspect

from harness.store.errors import StoreError
from harness.store.location import display_url, sqlite_file

#: The prefix of every ferhil table (``ferhil_runs``, ``ferhil_store_meta``...).
TABLE_PREFIX = "ferhil_"


def _refuse(where: str, tables: list[str]) -> StoreError:
    shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    return StoreError(
        f"{where} is not a ferhil result store (it holds other tables: {shown}); ferhil will not "
        "add its tables to it: give --db a new file or an existing ferhil store"
    )


def sqlite_tables(path: Path) -> list[str]:
    """Return the table names of the SQLite file ``path``, opened read-only.

    Raises:
        StoreError: when the file is not a SQLite database.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"--db {path} is not a SQLite database ({exc}); give a new file or a ferhil store"
        ) from None
    return [str(r[0]) for r in rows if not str(r[0]).startswith("sqlite_")]


def check_ferhil_database(url: str, engine: Engine | None = None) -> None:
    """Raise when the database at ``url`` holds tables but is not a ferhil store.

    Args:
        url: the store URL.
        engine: an engine on ``url`` for non-SQLite databases (inspected for table names).

    Raises:
        StoreError: naming the database and what to do.
    """
    path = sqlite_file(url)
    if path is not None:
        if not path.is_file() or path.stat().st_size == 0:
            return
        tables = sqlite_tables(path)
        where = f"--db {path}"
    elif engine is not None:
        tables = list(inspect(engine).get_table_names())
        where = f"--db {display_url(url)}"
    else:
        return
    if tables and not any(t.startswith(TABLE_PREFIX) for t in tables):
        raise _refuse(where, tables)
