"""Option rows of the result store (``--db``, ``--record/--no-record``).

Importing this module registers the rows in :data:`harness.suite.options.OPTIONS` (it is listed in
:mod:`harness.suite.option_table`), so they exist in pytest, the ini file and ``ferhil run``.
"""

from __future__ import annotations

from harness.store.defaults import DB_ENV, DEFAULT_DB_FILE
from harness.suite.options import OPTIONS, Option, in_group

STORE_OPTIONS: tuple[Option, ...] = (
    Option(
        "db",
        "result store: a SQLAlchemy URL (postgresql+psycopg2://user@host/ferhil) or a SQLite "
        f"file (default: {DEFAULT_DB_FILE} in the parent folder of --report-dir)",
        env=DB_ENV,
        metavar="URL",
    ),
    Option("record", "record the run in the result store", default=True, flag=True),
)

OPTIONS.add(*in_group("store", STORE_OPTIONS))
