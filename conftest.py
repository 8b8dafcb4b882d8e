"""Root conftest: make the ferhil pytest plugin available in this checkout.

The plugin is normally registered through the ``pytest11`` entry point of the installed
package (``ferhil = harness.plugin``). When entry-point autoloading is off
(``PYTEST_DISABLE_PLUGIN_AUTOLOAD``) or the package is not installed, this conftest registers it
instead; it never registers it twice.
"""

from __future__ import annotations

import os
from importlib import metadata

import pytest


def _entry_point_active() -> bool:
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(ep.name == "ferhil" for ep in metadata.entry_points(group="pytest11"))


# pytester: the harness's plugin tests run throw-away pytest sessions (tests/harness).
pytest_plugins = ["pytester"] + ([] if _entry_point_active() else ["harness.plugin"])


# Guard of the README's test command: plain `pytest` (testpaths) must leave the user's `out/`
# folder and result store as they were (harness/suite/suite_mode.py sends HIL runs to pytest's tmp).
def _snapshot(paths):
    state = {}
    for root in paths:
        files = [root] if root.is_file() else (root.rglob("*") if root.is_dir() else [])
        for f in files:
            if f.is_file():
                st = f.stat()
                state[str(f)] = (st.st_mtime_ns, st.st_size)
    return state


def _guarded_paths(config):
    from pathlib import Path

    from harness.store.location import db_url, sqlite_file

    paths = [Path(config.rootpath) / "out"]
    store = sqlite_file(db_url(None))
    if store is not None:
        paths.append(Path(store).resolve())
    return paths


def pytest_sessionstart(session):
    from harness.suite.suite_mode import is_test_suite_run

    if is_test_suite_run(session.config):
        paths = _guarded_paths(session.config)
        session.config._ferhil_guard = (paths, _snapshot(paths))


def pytest_sessionfinish(session, exitstatus):
    guard = getattr(session.config, "_ferhil_guard", None)
    if guard is None:
        return
    paths, before = guard
    after = _snapshot(paths)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        shown = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
        message = (
            f"the test suite changed the user's out/ or result store: {shown} (every test must "
            "write into tmp_path; if you ran `ferhil run` in this checkout meanwhile, rerun)"
        )
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("!", "ferhil: " + message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
