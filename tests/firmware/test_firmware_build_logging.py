"""Build commands are logged on ``ferhil.firmware`` (the command line, and failures)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from firmware.builder.toolchains import FirmwareBuildError, run_tool


def test_run_tool_logs_the_command_and_a_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ferhil")
    run_tool([sys.executable, "-c", "pass"], cwd=tmp_path, what="probe build")
    with pytest.raises(FirmwareBuildError):
        run_tool([sys.executable, "-c", "raise SystemExit(3)"], what="broken build")
    records = [r for r in caplog.records if r.name == "ferhil.firmware"]
    first = records[0].getMessage()
    assert first.startswith("probe build: ") and sys.executable in first and str(tmp_path) in first
    assert any(
        r.levelno == logging.ERROR and "broken build failed with exit 3" in r.getMessage()
        for r in records
    )
