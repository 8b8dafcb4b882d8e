"""The samples journal: append-only segments, cut lines, identity checks, never truncated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness.run.answered_floor import answered_floor
from harness.run.journal import SampleJournal, read_journal, resumable, set_aside
from harness.run.results import SampleRecord
from harness.run.sample_log import SAMPLES_FILE
from harness.store.liveness import current_owner, owner_gone

IDENT = {"model_hash": "m", "firmware_hash": "f", "dataset_hash": "d", "samples_run": 5}


def _rec(i: int, status: str = "ok") -> SampleRecord:
    return SampleRecord(index=i, id=f"s{i}", label=0, golden_outputs=[1], golden_predicted=0,
                        status=status, outputs=[1], predicted=0, match=status == "ok")  # fmt: skip


def test_resume_keeps_last_ok_record_per_image_across_segments_and_cut_lines(tmp_path: Path):
    path = tmp_path / SAMPLES_FILE
    first = SampleJournal(path, {"run_id": "r1", **IDENT}, fsync_every=2)
    for rec in (_rec(0), _rec(1, "failed"), _rec(2)):
        first.append(rec)
    with path.open("a") as f:  # SIGKILL in the middle of a line: no end marker, cut line
        f.write('{"index": 3, "id": "s3", "lab')
    assert resumable(tmp_path, IDENT) is not None
    assert [r.index for r in resumable(tmp_path, IDENT) or []] == [0, 2]
    second = SampleJournal(path, {"run_id": "r2", **IDENT})
    second.append(_rec(1))
    second.close(complete=False)
    contents = read_journal(path)
    assert [h["run_id"] for h in contents.headers] == ["r1", "r2"]
    assert [r.index for _h, r in contents.records] == [0, 1, 2, 1]  # nothing rewritten
    assert [r.index for r in resumable(tmp_path, IDENT) or []] == [0, 1, 2]
    assert resumable(tmp_path, {**IDENT, "firmware_hash": "other"}) is None


def test_unfinished_journal_is_set_aside_never_truncated(tmp_path: Path):
    path = tmp_path / SAMPLES_FILE
    journal = SampleJournal(path, {"run_id": "r/1", **IDENT})
    journal.append(_rec(0))
    text = path.read_text()
    moved = set_aside(tmp_path)
    assert moved is not None and moved.read_text() == text and not path.exists()
    done = SampleJournal(path, {"run_id": "r2", **IDENT})
    done.close(complete=True)
    assert set_aside(tmp_path) is None and path.exists()  # a finished run's journal stays


def test_header_less_journal_needs_its_results_json(tmp_path: Path):
    (tmp_path / SAMPLES_FILE).write_text(json.dumps(_rec(0).to_json()) + "\n")
    assert resumable(tmp_path, IDENT) == []  # no results.json saying what it was


def test_answered_floor_default_all_count_and_percentage():
    assert answered_floor(None, 100) == 100 and answered_floor("all", 7) == 7
    assert answered_floor("90", 100) == 90 and answered_floor("500", 100) == 100
    assert answered_floor("99%", 100) == 99 and answered_floor("99.5%", 1000) == 995


def test_owner_liveness():
    now = datetime.now(UTC)
    me = current_owner()
    assert not owner_gone(me, now, now)
    assert owner_gone({**me, "pid": 2**22 + 12345}, now, now)  # no such process
    assert owner_gone({**me, "start_ticks": -1}, now, now)  # pid recycled by another process
    far = {"host": "elsewhere", "pid": 1}
    assert not owner_gone(far, now, now)
    assert owner_gone(far, now - timedelta(hours=2), now)  # heartbeat stale
