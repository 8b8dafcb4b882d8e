"""The ferhil pytest plugin (entry point ``pytest11: ferhil = harness.plugin``).

Options come from the option table (:mod:`harness.suite.options`): every row becomes a command-line
option, an ini key and a fixture ``ferhil_<name>``. Session fixtures:

* ``ferhil_config``: the resolved option values (:class:`~harness.suite.config.FerhilConfig`);
* ``ferhil_run_factory``: builds the :class:`~harness.run.hil_run.HilRun` (override it in a
  conftest to inject fakes);
* ``ferhil_session``: the run with the board up and identity-checked (HELLO);
* ``ferhil_run``: the run after the whole test set was streamed; its ``records`` hold one
  result per image; tests add to ``results.json`` through ``ferhil_run.results``
  (:class:`~harness.run.run_results.ResultsCollector`).

Under pytest-xdist (``-n N``) the boards of ``--board`` are shared out among the workers, one
per worker, and each streams its shard of the test set; a run of ``hil/`` is distributed with
``--dist each`` so every worker with a board runs the HIL tests, and workers without a board
skip them with the reason. Each worker writes into ``<report-dir>/<worker id>``; the controller
merges them into one ``results.json``, ``report.html`` and store record
(:mod:`harness.lab.xdist_boards`).

At session end the run writes ``results.json`` and ``report.html`` into ``--report-dir``
(also after a failure or Ctrl-C, marked ``complete: false``). JUnit XML (``--junitxml``) gets
the model hash, firmware hash, board and data set as test-suite properties.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from golden.errors import FerhilError
from harness.errors import ConfigError
from harness.lab.xdist_boards import finish_controller, worker_config
from harness.run.hil_run import HilRun
from harness.suite.config import FerhilConfig
from harness.suite.log_filter import filter_log_file
from harness.suite.option_fixtures import option_fixtures_plugin
from harness.suite.option_table import load_option_providers
from harness.suite.options import GROUPS
from harness.suite.suite_mode import is_test_suite_run, isolate
from harness.suite.termination import sigterm_as_interrupt
from harness.suite.verdict import VERDICT_BLOCK, VerdictCollector, verdict_line

CONFIG_KEY = pytest.StashKey[FerhilConfig]()
VERDICT_KEY = pytest.StashKey[VerdictCollector]()
RUN_KEY = pytest.StashKey[HilRun]()
RESTORE_KEY = pytest.StashKey[Callable[[], None]]()
NO_BOARD_KEY = pytest.StashKey[str | None]()
MERGED_KEY = pytest.StashKey[tuple[Any, Any, Any]]()
STARTED_KEY = pytest.StashKey[float]()
GROUP = "ferhil"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare every row of the option table as an option and an ini key."""
    for option in load_option_providers():  # one --help section per concern
        group = parser.getgroup(f"{GROUP}-{option.group}", GROUPS[option.group])
        option.add_to(group.addoption)
        parser.addini(option.key, option.help, default=None)


def pytest_configure(config: pytest.Config) -> None:
    """Resolve the options and register the per-option fixtures."""
    table = load_option_providers()
    try:
        resolved = FerhilConfig.resolve(
            cli=lambda key: config.getoption(key, default=None),
            ini=lambda key: config.getini(key),
            table=table,
        )
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")
    config.stash[STARTED_KEY] = time.time()
    resolved = _places_from_lg_env(config, resolved)
    workerinput = getattr(config, "workerinput", {})
    worker = workerinput.get("workerid")
    if worker is not None:  # pytest-xdist: never let two workers write one report folder
        resolved = resolved.replace(report_dir=resolved.report_dir / worker)
        try:  # nor drive one board
            resolved, no_board = worker_config(resolved, worker, workerinput["workercount"])
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[NO_BOARD_KEY] = no_board
    elif _is_hil_session(config) and config.getoption("dist", "no") in ("load", "loadgroup"):
        config.option.dist = "each"  # every worker runs the HIL tests on its own board(s)
    config.stash[CONFIG_KEY] = resolved
    config.stash[RESTORE_KEY] = sigterm_as_interrupt()  # SIGTERM unwinds like Ctrl-C
    collector = VerdictCollector()
    config.stash[VERDICT_KEY] = collector
    config.pluginmanager.register(collector, f"ferhil-verdict-{id(config)}")
    name = "ferhil-option-fixtures"
    if not config.pluginmanager.has_plugin(name):
        config.pluginmanager.register(option_fixtures_plugin(table, CONFIG_KEY), name)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Restore the SIGTERM handler of before :func:`pytest_configure`."""
    restore = config.stash.get(RESTORE_KEY, None)
    if restore is not None:
        restore()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Keep the log file about ferhil; plain ``pytest`` (the test suite): runs are isolated.

    Under the test suite, runs go to a temporary folder and store.
    """
    config = session.config
    filter_log_file(config)
    if CONFIG_KEY in config.stash and is_test_suite_run(config):
        config.stash[CONFIG_KEY] = isolate(config, config.stash[CONFIG_KEY])


def _places_from_lg_env(config: pytest.Config, resolved: FerhilConfig) -> FerhilConfig:
    """Without ``--place``: the places of labgrid's ``--lg-env`` / ``$LG_ENV`` file, if any."""
    lg_env = config.getoption("lg_env", None) or os.environ.get("LG_ENV")
    if resolved.place or not lg_env:
        return resolved
    from harness.devices.labgrid_env import places_from_env_file

    try:
        places, coordinator = places_from_env_file(lg_env)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    if not places:
        return resolved
    lg_coordinator = config.getoption("lg_coordinator", None)
    return resolved.replace(
        place=",".join(places),
        coordinator=resolved.coordinator or lg_coordinator or coordinator,
    )


def _is_hil_session(config: pytest.Config) -> bool:
    """True when pytest runs the HIL suite (``hil/``, as ``ferhil run`` does) under xdist."""
    if not getattr(config.option, "numprocesses", None):
        return False
    from harness.cli.commands import HIL_DIR

    for arg in config.args:
        path = Path(str(arg).split("::")[0]).resolve()
        if path == HIL_DIR or HIL_DIR in path.parents:
            return True
    return False


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On the xdist controller: merge the workers' results into one run."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    resolved = config.stash.get(CONFIG_KEY, None)
    if resolved is not None:
        config.stash[MERGED_KEY] = finish_controller(resolved, config.stash[STARTED_KEY])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep every test that uses the HIL run on one xdist worker (``--dist loadgroup``).

    Their outcomes make the run's verdict (:mod:`harness.suite.verdict`).
    """
    collector = config.stash.get(VERDICT_KEY, None)
    for item in items:
        if {"ferhil_session", "ferhil_run"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("ferhil-hil"))
            if collector is not None:
                collector.nodeids.add(item.nodeid)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say which board, model and report folder the run uses."""
    resolved = config.stash.get(CONFIG_KEY, None)
    if resolved is None:
        return None
    return (
        f"ferhil: board={resolved.get('board')} model={resolved.get('model') or 'newest zoo'}"
        f" report-dir={resolved.get('report-dir')}"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Report a run that could not start once: later HIL tests skip, pointing at that error."""
    report: pytest.TestReport = yield
    collector = item.config.stash.get(VERDICT_KEY, None)
    if collector is None or report.when != "setup" or item.nodeid not in collector.nodeids:
        return report
    if report.failed and collector.setup_failed_at is None:
        collector.setup_failed_at = item.nodeid
    elif report.failed:
        report.outcome = "skipped"
        reason = (
            f"not run: the HIL run could not start (see the error of {collector.setup_failed_at})"
        )
        report.longrepr = (str(item.path), 0, reason)
    return report


@pytest.fixture(scope="session")
def ferhil_config(pytestconfig: pytest.Config) -> FerhilConfig:
    """The resolved harness options."""
    return pytestconfig.stash[CONFIG_KEY]


@pytest.fixture(scope="session")
def ferhil_run_factory() -> Callable[[FerhilConfig], HilRun]:
    """Return the callable that builds the run (override to inject fakes)."""
    return HilRun


def _capture_disabled(config: pytest.Config) -> contextlib.AbstractContextManager[Any]:
    capman = config.pluginmanager.getplugin("capturemanager")
    if capman is None:
        return contextlib.nullcontext()
    disabled: contextlib.AbstractContextManager[Any] = capman.global_and_fixture_disabled()
    return disabled


def _prepare_or_skip(run: HilRun, config: FerhilConfig) -> None:
    """Prepare and start ``run``; skip (not fail) when the environment cannot run it at all.

    Skips: no model in the zoo while ``--model`` is not given; a simulated board whose
    toolchain is not installed. Everything else (a bad --model path, a real board that does
    not answer) is an error; a user-facing error (:class:`FerhilError`) is reported by its
    message alone, without a traceback.
    """
    error: FerhilError | None = None
    try:
        run.prepare()
        run.start()
    except FerhilError as exc:
        error = exc
    if error is None:
        return
    kind = type(error).__name__
    if kind == "ZooError" and config.model is None:
        pytest.skip(f"no model to test: {error}")
    if kind == "ToolchainMissingError" and config.board in ("hostsim", "qemu", "fake"):
        pytest.skip(f"cannot build the simulated board's firmware: {error}")
    pytest.fail(f"{kind}: {error}", pytrace=False)  # outside `except`: no chained traceback


@pytest.fixture(scope="session")
def ferhil_session(
    pytestconfig: pytest.Config,
    ferhil_config: FerhilConfig,
    ferhil_run_factory: Callable[[FerhilConfig], HilRun],
    record_testsuite_property: Callable[[str, object], None],
) -> Iterator[HilRun]:
    """The run with the model and test set loaded and the board up (identity checked)."""
    no_board = pytestconfig.stash.get(NO_BOARD_KEY, None)
    if no_board:
        pytest.skip(no_board)
    run = ferhil_run_factory(ferhil_config)
    pytestconfig.stash[RUN_KEY] = run
    from harness.regression.recorder import recorders_for  # the result store (sqlalchemy)

    for recorder in recorders_for(ferhil_config):
        run.add_listener(recorder)
    setup_error: str | None = None
    try:
        _prepare_or_skip(run, ferhil_config)
        identity = run.document()["identity"]
        for key in (
            "model_name",
            "model_hash",
            "firmware_hash",
            "board",
            "board_kind",
            "simulated",
        ):
            record_testsuite_property(f"ferhil.{key}", identity.get(key))
        assert run.test_set is not None
        record_testsuite_property("ferhil.dataset", run.test_set.note)
        yield run
    except pytest.skip.Exception:
        raise
    except BaseException as exc:  # the board did not come up: the verdict says why
        setup_error = str(getattr(exc, "msg", None) or f"{type(exc).__name__}: {exc}")
        raise
    finally:
        verdict = pytestconfig.stash[VERDICT_KEY].block(run.complete, setup_error)
        run.results.add_section(VERDICT_BLOCK, verdict)
        run.results.add_summary(verdict=verdict["status"])
        run.finish()


@pytest.fixture(scope="session")
def ferhil_run(pytestconfig: pytest.Config, ferhil_session: HilRun) -> HilRun:
    """The run after every image was streamed and compared with the golden outputs."""
    if not ferhil_session.complete:
        ferhil_session.stream(progress=_capture_disabled(pytestconfig))
    return ferhil_session


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print where the results and the report are (merged over xdist workers)."""
    merged = config.stash.get(MERGED_KEY, None)
    if merged is not None and merged[0] is not None:
        terminalreporter.write_sep("-", "ferhil (merged over xdist workers)")
        summary = json.loads(merged[0].read_text(encoding="utf-8"))["summary"]
        terminalreporter.write_line(
            f"samples {summary['samples']}, matched golden {summary['matched_golden']}, "
            f"failed {summary['failed']}, accuracy {summary['accuracy']}, boards "
            + ", ".join(f"{k} ({v['samples']})" for k, v in summary.get("boards", {}).items())
        )
        for label, value in (
            ("results", merged[0]),
            ("report: ", merged[1]),
            ("store:  ", merged[2]),
        ):
            if value is not None:
                terminalreporter.write_line(f"{label} {value}")
        return
    run = config.stash.get(RUN_KEY, None)
    if run is None or run.results.results_path is None:
        return
    terminalreporter.write_sep("-", "ferhil")
    terminalreporter.write_line(f"verdict: {verdict_line(run.results.section(VERDICT_BLOCK))}")
    terminalreporter.write_line(f"results: {run.results.results_path}")
    if run.results.report_path is not None:
        terminalreporter.write_line(f"report:  {run.results.report_path}")
    else:
        terminalreporter.write_line("report:  not rendered (reports.html is unavailable)")
