from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.errors import BusyError, NotFoundError
from app.live import LiveRuns, Progress
from reports.sample_data import make_results

FAKE_RUN = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from harness.cli.commands import interruptible
    interruptible()  # as `ferhil run` does: Stop works even if SIGINT came in ignored
    folder, n = Path(sys.argv[1]), int(sys.argv[2])
    document = json.loads(Path(sys.argv[3]).read_text())
    with (folder / "samples.jsonl").open("w") as log:
        for s in document["samples"][:n]:
            log.write(json.dumps(s) + "\\n")
            log.flush()
            time.sleep(float(sys.argv[5]))
    (folder / "results.json").write_text(json.dumps(document))
    print("fake run done")
    sys.exit(int(sys.argv[4]))
    """
)


class FakeRuns(LiveRuns):
    """Runs a script that writes a journal and results.json like ``ferhil run``."""

    def __init__(self, folder: Path, document: Path, code: int = 0, sample_s: float = 0.02) -> None:
        super().__init__(folder, "sqlite:///unused", "hostsim")
        self.document, self.code, self.sample_s = document, code, sample_s

    def command(self, folder: Path, limit: int, model: str | None) -> list[str]:
        script = folder.parent / "fake_run.py"
        script.write_text(FAKE_RUN)
        return [
            sys.executable,
            str(script),
            str(folder),
            str(limit),
            str(self.document),
            str(self.code),
            str(self.sample_s),
        ]


@pytest.fixture
def document(tmp_path: Path) -> tuple[Path, dict]:
    results = make_results(seed=5, n_samples=30, n_failed=2, n_mismatched=3)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(results))
    return path, results


def test_events_count_the_journal_and_end_with_the_run(tmp_path: Path, document) -> None:
    path, results = document
    runs = FakeRuns(tmp_path / "runs", path)
    job = runs.start(limit=30, total=3589)
    assert job.folder == tmp_path / "runs" / "job1" and job.total == 30
    events = list(job.events())
    kinds = [k for k, _ in events]
    assert kinds[-1] == "done" and kinds.count("done") == 1 and "progress" in kinds
    final = events[-1][1]
    samples = results["samples"]
    ok = [s for s in samples if s["status"] == "ok"]
    assert final["progress"] == {
        "total": 30,
        "done": 30,
        "accuracy": sum(s["predicted"] == s["label"] for s in ok) / len(ok),
        "correct": sum(s["predicted"] == s["label"] for s in ok),
        "matched": sum(bool(s["match"]) for s in ok),
        "mismatched": sum(not s["match"] for s in ok),
        "failed": len(samples) - len(ok),
    }
    assert final["run_id"] == results["run"]["id"] and final["returncode"] == 0
    assert final["verdict"]["status"] in ("pass", "fail")
    dones = [e[1]["done"] for e in events if e[0] == "progress"]
    assert dones == sorted(dones)


def test_one_run_at_a_time_and_unknown_jobs(tmp_path: Path, document) -> None:
    runs = FakeRuns(tmp_path / "runs", document[0])
    assert runs.latest() is None
    job = runs.start(limit=30, total=100)
    assert runs.latest() is job
    with pytest.raises(BusyError):
        runs.start(limit=5, total=100)
    with pytest.raises(NotFoundError):
        runs.get("../job1")
    list(job.events())
    assert runs.start(limit=5, total=3).total == 3  # the next run may start once it ended
    runs.close()


def test_a_crashed_run_reports_its_console(tmp_path: Path) -> None:
    runs = FakeRuns(tmp_path / "runs", tmp_path / "missing.json", code=3)
    job = runs.start(limit=1, total=1)
    final = list(job.events())[-1][1]
    assert final["returncode"] != 0 and final["run_id"] is None
    assert "missing.json" in final["error"]  # the traceback tail of the console


def test_stop_interrupts_the_run(tmp_path: Path, document) -> None:
    runs = FakeRuns(tmp_path / "runs", document[0], sample_s=0.2)  # 30 samples: 6 s
    job = runs.start(limit=30, total=30)
    journal = job.folder / "samples.jsonl"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (journal.is_file() and journal.read_text()):
        time.sleep(0.02)  # stop a run that is streaming, however slow the machine is
    runs.stop(job.id)
    final = list(job.events())[-1][1]
    assert final["returncode"] != 0 and final["progress"]["done"] < 30


def test_progress_of_failed_and_partial_lines() -> None:
    p = Progress(total=3)
    p.add({"status": "failed"})
    p.add({"status": "ok", "label": 1, "predicted": 1, "match": True})
    assert p.to_json() == {
        "total": 3, "done": 2, "accuracy": 1.0, "correct": 1, "matched": 1, "mismatched": 0,
        "failed": 1,
    }  # fmt: skip
