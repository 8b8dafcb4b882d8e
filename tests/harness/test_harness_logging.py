"""The ``ferhil.*`` loggers: each area says what it does (captured with caplog)."""

from __future__ import annotations

import logging
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from harness.devices.flashers.base import FlasherSettings
from harness.devices.flashers.openocd_flasher import OpenOcdFlasher
from harness.meters.glue.session import open_meter
from harness.run.results import SampleRecord
from harness.run.streaming import stream_samples


@dataclass
class _Reply:
    seq: int
    outputs: np.ndarray
    attempts: int = 1
    status: int = 0
    cycles: int = 100
    ok: bool = True
    rtt_s: float = 0.001


class _RetryingClient:
    """Answers every sample; sample 2 needed three attempts."""

    def infer_stream(self, items, window=4):
        for key, _x in items:
            yield _Reply(key, np.zeros(7, np.int64), attempts=3 if key == 2 else 1)

    def ping(self) -> None:
        return None


def _templates(n: int) -> list[SampleRecord]:
    return [SampleRecord(i, f"face-{i}", 0, [0] * 7, 0) for i in range(n)]


def test_streaming_retry_is_a_warning_naming_the_sample(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ferhil")
    records = stream_samples(
        _RetryingClient(), np.zeros((4, 1, 2, 2), np.int8), _templates(4), lambda r: None
    )
    assert len(records) == 4
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.name for r in warnings] == ["ferhil.streaming"]
    assert "face-2" in warnings[0].getMessage() and "3 attempts" in warnings[0].getMessage()
    # per-sample lines are DEBUG only: none at INFO
    assert not [r for r in caplog.records if "answered: rtt" in r.getMessage()]


def test_streaming_per_sample_lines_are_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="ferhil.streaming")
    stream_samples(_RetryingClient(), np.zeros((3, 1, 2, 2), np.int8), _templates(3), print)
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(debug) == 3 and debug[0].args[0] == 0  # %-args, formatted only when shown


def test_openocd_flasher_logs_the_command_it_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tools = tmp_path / "msdk" / "Tools" / "OpenOCD"
    (tools / "scripts" / "target").mkdir(parents=True)
    (tools / "scripts" / "target" / "max78000.cfg").write_text("# ADI\n")
    exe = tools / "openocd"
    exe.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(0)\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    image = tmp_path / "fw.elf"
    image.write_bytes(b"\x7fELF")
    env = {"MAXIM_PATH": str(tmp_path / "msdk"), "PATH": os.environ.get("PATH", "")}
    caplog.set_level(logging.INFO, logger="ferhil")
    OpenOcdFlasher(FlasherSettings(), environ=env, list_probes=lambda: []).flash(image)
    messages = [r.getMessage() for r in caplog.records if r.name == "ferhil.flash"]
    assert any(str(exe) in m and "interface/cmsis-dap.cfg" in m for m in messages), messages
    assert any(m.startswith("flashed ") for m in messages)


def test_meter_logs_its_identity_and_settings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ferhil")
    with open_meter("sim", port=0) as session:
        idn = session.info()["idn"]
    messages = [r.getMessage() for r in caplog.records if r.name == "ferhil.meter"]
    assert any("*IDN?" in m and idn in m for m in messages), messages
    assert any(m.startswith("opened meter TCPIP0::127.0.0.1::") for m in messages)


class _Facts:
    name = "board-7"
    persistent = True


class _Board:
    facts = _Facts()

    def close(self) -> None:
        return None


class _ResettingClient:
    def reset(self) -> None:
        return None


def test_bringup_recovery_logs_a_warning_naming_the_board(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from harness.run.bringup import DeviceSession, ExpectedIdentity, recover_session

    caplog.set_level(logging.INFO, logger="ferhil")
    session = DeviceSession(_Board(), _ResettingClient(), None, flashed=False)  # type: ignore[arg-type]
    back, what = recover_session(session, None, ExpectedIdentity("m", "f"), lambda b: None)
    assert back is session and what.startswith("board reset")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.name for r in warnings] == ["ferhil.bringup"]
    assert "board-7" in warnings[0].getMessage()
