"""Fixtures shared by every test folder."""

from __future__ import annotations

import os

import pytest

from firmware.builder.izer import IzerInstall, IzerMissingError, find_izer, shared_izer_dir


@pytest.fixture(scope="session")
def izer_install() -> IzerInstall:
    """The izer checkout of ``$FERHIL_IZER``, else the shared copy beside the repository.

    Skips (with the reason) when neither is usable; ``.ci/run`` makes sure one is.
    """
    where = os.environ.get("FERHIL_IZER") or shared_izer_dir()
    if where is None:
        pytest.skip("izer not found: set FERHIL_IZER or provide ../shared/vendor/ai8x-synthesis")
    try:
        return find_izer(where)
    except IzerMissingError as exc:
        pytest.skip(str(exc))
