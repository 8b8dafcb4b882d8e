"""The README's test command (plain ``pytest``) never writes into ``out/`` or the user's store.

``pytest`` without paths runs the project's test suite (``testpaths``: ``tests`` and ``hil``).
The HIL tests in ``hil/`` are part of it, because they are the end-to-end test of the harness on
the simulated board, but a test suite must not overwrite the report of the user's last
``ferhil run`` or add runs to their result store. So in that mode (pytest's ``args_source`` is
``TESTPATHS``) the run's ``--report-dir`` and ``--db`` come from the command line only: when
they are not given there, the report folder is a fresh folder under pytest's temporary
directory and the store is a SQLite file beside it; ``$FERHIL_DB``, ini keys and the ``out/hil``
default are ignored. ``pytest hil``, ``ferhil run`` and CI commands that name paths are not
affected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.suite.config import FerhilConfig

SUITE_FOLDER = "ferhil-hil"


def is_test_suite_run(config: pytest.Config) -> bool:
    """True when pytest was started without paths, i.e. it runs the ``testpaths`` suite."""
    source = getattr(config, "args_source", None)
    return source is not None and source == pytest.Config.ArgsSource.TESTPATHS


def isolate(config: pytest.Config, resolved: FerhilConfig) -> FerhilConfig:
    """Return ``resolved`` with report folder and store in pytest's temporary directory.

    Only values not given on the command line are replaced (see the module docstring).
    """
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:  # pytest's tmpdir plugin is disabled: a private temporary folder
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="ferhil-suite-"))
    else:
        base = factory.mktemp(SUITE_FOLDER, numbered=False)
    changes: dict[str, object] = {}
    if config.getoption("ferhil_report_dir", default=None) is None:
        changes["report_dir"] = base / "hil"
    if config.getoption("ferhil_db", default=None) is None:
        changes["db"] = str(base / "ferhil-results.sqlite")
    return resolved.replace(**changes) if changes else resolved
