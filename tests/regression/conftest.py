"""Fixtures of the regression tests: a result store on SQLite and on a throwaway PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from regression_testkit import fresh_database, postgres_skip_reason, throwaway_postgres

from harness.store.store import ResultStore

_db_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server private to this test session."""
    reason = postgres_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A fresh, empty result-store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    admin = request.getfixturevalue("postgres_admin_url")
    return fresh_database(admin, f"ferhil_test_{next(_db_numbers)}")


@pytest.fixture
def store(store_url: str) -> Iterator[ResultStore]:
    with ResultStore(store_url) as opened:
        yield opened
