"""A real ``ferhil run`` on hostsim, killed mid-stream, becomes ``aborted``: never complete."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from regression_testkit import results

from harness.regression.baseline import find_baseline
from harness.store.errors import StoreError
from harness.store.store import ResultStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
]


def _wait_for_samples(db: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        if db.exists():
            try:
                with ResultStore(f"sqlite:///{db}") as store:
                    runs = store.runs()
            except StoreError:  # the run is creating the tables right now
                runs = []
            if runs and runs[0].samples_recorded > 0:
                return
        time.sleep(0.5)
    raise AssertionError("no samples were recorded in time")


def test_killed_ferhil_run_is_never_complete(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "FERHIL_DB"}
    # 9600 baud wire time: ~2.4 s per image, so the run is still streaming when killed.
    proc = subprocess.Popen(
        [sys.executable, "-m", "ferhil.cli", "run", "--limit", "100", "--baud", "9600",
         "--report-dir", str(tmp_path / "hil"), "--db", str(db), "--no-progress", "--", "-q",
         "-k", "golden"],
        cwd=Path(__file__).resolve().parents[2], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_samples(db, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its hostsim board
        proc.wait(timeout=30)
    with ResultStore(f"sqlite:///{db}") as store:
        (killed,) = store.runs()
        assert killed.status == "aborted" and not killed.complete and killed.summary is None
        assert killed.finished is None
        assert 0 < killed.samples_recorded < (killed.samples_planned or 100)
        assert store.results(killed.id)["run"]["complete"] is False
        later = results("later", version="999", board_kind=killed.board_kind)
        later["dataset"]["hash"] = killed.dataset_hash
        assert find_baseline(store, later).run is None
