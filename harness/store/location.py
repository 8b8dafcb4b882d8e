"""Where the result store lives: ``--db``, ``$FERHIL_DB`` or a SQLite file next to the reports.

A value is either a SQLAlchemy URL (``postgresql+psycopg2://user@host/ferhil``,
``sqlite:////abs/path.sqlite``) or a plain file path, which means a SQLite file. Without a value
the store is :data:`DEFAULT_DB_FILE` in the parent of the report folder: with the default
``--report-dir out/hil`` that is ``out/ferhil-results.sqlite``, next to the ``out/hil`` report
folder, and ``ferhil history`` looks there by default too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from harness.errors import ConfigError
from harness.store.defaults import DB_ENV, DEFAULT_DB_FILE, DEFAULT_OUT_DIR

#: The driver a bare ``postgresql://`` URL uses (``psycopg2-binary`` is a ferhil dependency).
POSTGRES_DRIVER = "postgresql+psycopg2"


def default_db_path(report_dir: Path | None = None) -> Path:
    """Return the default SQLite file: next to ``report_dir`` (``out/`` when ``None``)."""
    base = Path(report_dir).parent if report_dir is not None else DEFAULT_OUT_DIR
    return base / DEFAULT_DB_FILE


def db_url(
    value: str | Path | None,
    report_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Return the SQLAlchemy URL of the result store.

    Args:
        value: ``--db`` (URL or SQLite file path); ``None`` falls back to ``$FERHIL_DB``, then
            to :func:`default_db_path`.
        report_dir: the run's report folder (sets the default location).
        environ: the environment (default ``os.environ``).

    Raises:
        ConfigError: the value looks like a URL but SQLAlchemy cannot parse it.
    """
    env = os.environ if environ is None else environ
    text = str(value) if value not in (None, "") else env.get(DB_ENV, "")
    if not text:
        return sqlite_url(default_db_path(report_dir))
    if "://" not in text:
        return sqlite_url(Path(text))
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise ConfigError(
            f"--db {text!r} is not a database URL ({exc}); pass a SQLite file path or a "
            "SQLAlchemy URL such as postgresql+psycopg2://user:password@host/ferhil"
        ) from exc
    if parsed.drivername == "postgresql":
        # SQLAlchemy 2.1 picks psycopg (3) for a bare postgresql://; ferhil installs psycopg2.
        return parsed.set(drivername=POSTGRES_DRIVER).render_as_string(hide_password=False)
    return text


def sqlite_url(path: Path) -> str:
    """Return the ``sqlite:///`` URL of a file (made absolute)."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def display_url(url: str) -> str:
    """Return ``url`` with any password masked, for messages and reports."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL (``None`` for other databases or memory)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
