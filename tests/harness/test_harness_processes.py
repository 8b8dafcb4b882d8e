"""The child-process supervisor: children die with the harness, also on SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.devices import processes

REPO = Path(__file__).resolve().parents[2]

PARENT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from harness.devices import processes
child = processes.spawn(["sleep", "60"])
print(child.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not processes.parent_death_supported(), reason="needs Linux prctl")
def test_child_dies_when_the_harness_is_sigkilled() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(REPO)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the child outlived its SIGKILLed parent"


def test_spawn_stays_in_the_process_group_and_stop_all_stops_children() -> None:
    child = processes.spawn(["sleep", "60"])
    assert os.getpgid(child.pid) == os.getpgid(0)
    assert child in processes.live_children()
    processes.stop_all()
    assert child.poll() is not None and child not in processes.live_children()
    with pytest.raises(ValueError, match="process group"):
        processes.spawn(["true"], start_new_session=True)


def test_run_kills_a_child_that_overruns_its_timeout() -> None:
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run(["sleep", "30"], timeout=0.3)
    assert time.monotonic() - start < 5
    done = processes.run([sys.executable, "-c", "print('hi')"], timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "hi"


def test_a_child_started_from_a_short_lived_thread_outlives_that_thread() -> None:
    """The parent-death signal follows the starting thread: spawn hands it to a long-lived one."""
    import threading

    box = []
    worker = threading.Thread(target=lambda: box.append(processes.spawn(["sleep", "30"])))
    worker.start()
    worker.join()
    proc = box[0]
    try:
        time.sleep(0.5)
        assert proc.poll() is None, "the child died with the thread that started it"
    finally:
        processes.stop(proc)
