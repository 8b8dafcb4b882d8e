"""The result store: every HIL run recorded in SQL (SQLite by default, PostgreSQL for labs).

See :mod:`harness.store.store` for the write protocol and :mod:`harness.store.location` for
where the database is.
"""

from harness.store.errors import StoreError
from harness.store.location import DB_ENV, DEFAULT_DB_FILE, db_url, default_db_path
from harness.store.records import StoredRun
from harness.store.schema import STATUS_COMPLETE, STATUS_INCOMPLETE, STATUS_RUNNING
from harness.store.store import ResultStore

__all__ = [
    "DB_ENV",
    "DEFAULT_DB_FILE",
    "STATUS_COMPLETE",
    "STATUS_INCOMPLETE",
    "STATUS_RUNNING",
    "ResultStore",
    "StoreError",
    "StoredRun",
    "db_url",
    "default_db_path",
]
