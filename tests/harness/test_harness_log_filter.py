"""The run's log file keeps ferhil's records and only warnings and errors of other libraries."""

from __future__ import annotations

import logging

import pytest

from harness.suite.log_filter import OwnRecordsFilter


def _record(name: str, level: int) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "msg", None, None)


@pytest.mark.parametrize(
    ("name", "level", "kept"),
    [
        ("ferhil", logging.DEBUG, True),
        ("ferhil.streaming", logging.DEBUG, True),
        ("pyvisa", logging.DEBUG, False),
        ("pyvisa", logging.INFO, False),
        ("pyvisa", logging.WARNING, True),
        ("serial.tools", logging.ERROR, True),
        ("ferhilx", logging.DEBUG, False),  # a prefix is not the ferhil tree
        ("root", logging.DEBUG, False),
    ],
)
def test_filter_keeps_ferhil_and_foreign_warnings(name: str, level: int, kept: bool) -> None:
    assert OwnRecordsFilter().filter(_record(name, level)) is kept


def test_log_file_of_a_session_has_no_foreign_debug(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import logging

        def test_logs():
            logging.getLogger("pyvisa").debug("foreign-debug-line")
            logging.getLogger("pyvisa").warning("foreign-warning-line")
            logging.getLogger("ferhil.streaming").debug("own-debug-line")
        """
    )
    log = pytester.path / "run.log"
    result = pytester.runpytest(f"--log-file={log}", "--log-file-level=DEBUG")
    result.assert_outcomes(passed=1)
    text = log.read_text()
    assert "own-debug-line" in text and "foreign-warning-line" in text
    assert "foreign-debug-line" not in text
