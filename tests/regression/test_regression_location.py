"""Where the result store is: --db, $FERHIL_DB, default next to the report folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.store.location import db_url, display_url


def test_default_is_next_to_the_report_folder(tmp_path) -> None:
    url = db_url(None, tmp_path / "out" / "hil", environ={})
    assert url == f"sqlite:///{tmp_path / 'out' / 'ferhil-results.sqlite'}"
    assert db_url(None, None, environ={}).endswith("/out/ferhil-results.sqlite")


def test_option_beats_environment_and_paths_mean_sqlite(tmp_path) -> None:
    env = {"FERHIL_DB": "postgresql+psycopg2://lab@db.example/ferhil"}
    assert db_url(None, tmp_path, environ=env) == env["FERHIL_DB"]
    assert db_url(tmp_path / "x.sqlite", tmp_path, environ=env) == (
        f"sqlite:///{(tmp_path / 'x.sqlite').resolve()}"
    )
    assert db_url("rel.sqlite", None, environ={}) == f"sqlite:///{Path('rel.sqlite').resolve()}"


def test_bad_url_and_password_masking() -> None:
    with pytest.raises(ConfigError, match="not a database URL"):
        db_url("::nonsense://", None, environ={})
    shown = display_url("postgresql+psycopg2://lab:secret@db.example/ferhil")
    assert "secret" not in shown and "lab" in shown
