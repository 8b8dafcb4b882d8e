"""Fixtures shared by every test folder."""

from __future__ import annotations

import os

import pytest

# reports.common.figure_svg loads matplotlib (the report's figures) before any in-process pytester
# session: pytester drops the modules a nested session imported, and a matplotlib half-imported
# there and half here has two Artist classes (Figure() then fails with "'Figure' object has no
# attribute 'items'", seen when a pytester test ran just before the fault campaign).
import reports.common.figure_svg  # noqa: F401
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
