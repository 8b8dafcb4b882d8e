"""A real ``ferhil run`` on hostsim killed mid-stream (SIGKILL, SIGTERM), then ``--resume``.

Checks the whole crash-safety chain: the journal keeps every record, no simulator outlives the
harness, the store marks the run ``aborted`` (SIGKILL) or ``incomplete`` (SIGTERM), and the
resumed run accounts for every image exactly once, bit-exact with golden.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.store.store import ResultStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
]

REPO = Path(__file__).resolve().parents[2]
N = 30


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _journal_records(path: Path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if "index" in data:
            out.append(data)
    return out


def _ferhil_run(tmp_path: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "ferhil.cli", "run", "--limit", str(N), "--baud", "57600",
        "--report-dir", str(tmp_path / "hil"), "--db", str(tmp_path / "store.sqlite"),
        "--no-progress", *extra, "--", "-q", "-k", "golden",
    ]  # fmt: skip


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_killed_run_resumes_with_every_sample_once(tmp_path: Path, sig: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FERHIL_DB"}
    journal = tmp_path / "hil" / "samples.jsonl"
    proc = subprocess.Popen(
        _ferhil_run(tmp_path), cwd=REPO, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while not (journal.exists() and len(_journal_records(journal)) >= 5):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no samples were journalled in time"
            time.sleep(0.2)
        boards = _children(proc.pid)
        assert boards, "the run has no simulator child"
        os.kill(proc.pid, sig)  # the harness only, not its process group
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in boards) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in boards), "the simulator outlived the harness"
    before = _journal_records(journal)
    assert 5 <= len(before) < N
    results = tmp_path / "hil" / "results.json"
    with ResultStore(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        (killed,) = store.runs()
        if sig == signal.SIGKILL:
            assert code == -signal.SIGKILL and not results.exists()
            assert killed.status == "aborted" and killed.finished is None
        else:
            assert code == pytest.ExitCode.INTERRUPTED  # unwound like Ctrl-C
            assert json.loads(results.read_text())["run"]["complete"] is False
            assert killed.status == "incomplete"
    done = subprocess.run(
        _ferhil_run(tmp_path, "--resume"), cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    doc = json.loads(results.read_text())
    assert doc["run"]["complete"] is True
    assert [s["index"] for s in doc["samples"]] == list(range(N)), "every image exactly once"
    assert all(s["status"] == "ok" and s["match"] for s in doc["samples"])
    kept = sum(1 for r in before if r["status"] == "ok")
    assert f"resumed an interrupted run: kept {kept} of {N} samples" in doc["run"]["notes"]
    after = _journal_records(journal)
    assert after[: len(before)] == before, "the journal was rewritten"
    assert sorted({r["index"] for r in after}) == list(range(N))
    with ResultStore(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        statuses = sorted(r.status for r in store.runs())
    assert statuses == sorted(["complete", "aborted" if sig == signal.SIGKILL else "incomplete"])
