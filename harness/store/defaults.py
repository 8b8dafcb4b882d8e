"""Names that say where the result store is, importable without SQLAlchemy (option help)."""

from __future__ import annotations

from pathlib import Path

#: Environment variable holding the store's SQLAlchemy URL or SQLite file.
DB_ENV = "FERHIL_DB"
#: The SQLite file used when no URL is given, in the parent folder of the report folder.
DEFAULT_DB_FILE = "ferhil-results.sqlite"
#: Where ``ferhil history`` looks without ``--db`` (the parent of the default ``out/hil``).
DEFAULT_OUT_DIR = Path("out")
