"""Several hosts writing to one PostgreSQL result store at once lose and mix no runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from regression_testkit import fresh_database

from harness.store.store import ResultStore

WRITERS = 4
SAMPLES = 120
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_writers_leave_every_run_complete_and_distinct(
    postgres_admin_url: str, tmp_path: Path
) -> None:
    url = fresh_database(postgres_admin_url, "ferhil_concurrent")  # empty: writers race to create
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    gate = tmp_path / "barrier"
    gate.mkdir()
    script = str(Path(__file__).with_name("store_writer.py"))

    def argv(k: int) -> list[str]:
        return [sys.executable, script, url, str(tmp_path / f"w{k}"), str(10 + k), str(SAMPLES)]

    writers = [
        subprocess.Popen(
            [*argv(k), str(gate), str(WRITERS)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(WRITERS)
    ]
    outputs = [w.communicate(timeout=600) for w in writers]
    for writer, (_out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err[-3000:]
    run_ids = [out.strip().splitlines()[-1] for out, _ in outputs]
    assert len(set(run_ids)) == WRITERS
    with ResultStore(url) as store:
        for k, run_id in enumerate(run_ids):
            local = json.loads((tmp_path / f"w{k}" / "results.json").read_text())
            stored = store.results(run_id)
            assert stored["run"]["id"] == run_id and stored["run"]["complete"] is True
            assert store.run(run_id).status == "complete"
            assert len(stored["samples"]) == SAMPLES
            assert [s["index"] for s in stored["samples"]] == list(range(SAMPLES))
            mine = {s["index"]: s["golden_outputs"] for s in local["samples"]}
            assert {s["index"]: s["golden_outputs"] for s in stored["samples"]} == mine
            assert stored["identity"]["model_hash"] == local["identity"]["model_hash"]
