"""pytest -n N: boards shared out among workers, shards of the test set, one merged run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from harness_testkit import saved_model

from harness.lab.xdist_boards import shard_indices, worker_config
from harness.store.store import ResultStore
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

REPO = Path(__file__).resolve().parents[2]


def test_boards_are_shared_out_one_per_worker(tmp_path: Path) -> None:
    load_option_providers()
    cfg = FerhilConfig.defaults(board="fake,fake")
    first, skip = worker_config(cfg, "gw0", 3)
    assert skip is None and first["board"] == "fake" and first["xdist-shard"] == "0/2"
    assert first["record"] is False, "workers leave recording to the controller"
    _third, skip = worker_config(cfg, "gw2", 3)
    assert skip is not None and "gw2 has no board" in skip and "-n 2" in skip
    lab = tmp_path / "lab.yaml"
    lab.write_text("boards:\n" + "".join(f"  sim-{i}: {{kind: fake}}\n" for i in (1, 2, 3)))
    cfg = FerhilConfig.defaults(board="sim-1,sim-2,sim-3", lab=lab)
    assert worker_config(cfg, "gw0", 2)[0]["board"] == "sim-1,sim-3"  # a pool on gw0
    assert worker_config(cfg, "gw1", 2)[0]["xdist-shard"] == "1/2"
    assert shard_indices(range(7), "1/3") == [1, 4] and shard_indices([5, 6], None) == [5, 6]


@pytest.mark.slow
def test_pytest_n3_with_two_boards_merges_one_run(tmp_path: Path) -> None:
    out, db = tmp_path / "out", tmp_path / "store.sqlite"
    argv = [
        sys.executable, "-m", "pytest", str(REPO / "hil"), "-n", "3", "-p", "no:cacheprovider",
        "--board", "fake,fake", "--model", str(saved_model(tmp_path)), "--limit", "60",
        "--report-dir", str(out), "--db", str(db), "-rs",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "xdist worker gw2 has no board: the run has 2 board(s)" in done.stdout
    assert "ferhil (merged over xdist workers)" in done.stdout
    doc = json.loads((out / "results.json").read_text())
    assert [s["index"] for s in doc["samples"]] == list(range(60)), "each image once"
    assert {s["board"] for s in doc["samples"]} == {"fake@gw0", "fake@gw1"}
    assert doc["summary"]["samples"] == 60 and doc["summary"]["matched_golden"] == 60
    assert set(doc["summary"]["boards"]) == {"fake@gw0", "fake@gw1"}
    assert len(doc["run"]["xdist_workers"]) == 2
    assert (out / "report.html").is_file()
    with ResultStore(f"sqlite:///{db}") as store:
        runs = store.runs()
    assert [r.id for r in runs] == [doc["run"]["id"]], "one record for the merged run"


def _doc(board: str, indices: list[int], ips: float) -> dict:
    samples = [
        {"index": i, "id": f"s{i}", "label": 0, "golden_outputs": [1, 0], "golden_predicted": 0,
         "status": "ok", "outputs": [1, 0], "predicted": 0, "match": True, "latency_us": 10.0}
        for i in indices
    ]  # fmt: skip
    return {
        "run": {"id": f"run-{board}-{indices[0]}", "complete": True, "notes": []},
        "identity": {"board": board},
        "dataset": {"classes": ["a", "b"]},
        "summary": {"samples": len(indices), "throughput_ips": ips, "simulated": True},
        "samples": samples,
    }


def test_merge_documents_keeps_each_sample_once_and_labels_boards() -> None:
    from harness.lab.xdist_boards import merge_documents

    merged = merge_documents(
        [_doc("hostsim", [0, 2, 4], 30.0), _doc("hostsim", [1, 3], 20.0)], ["gw0", "gw1"]
    )
    assert [s["index"] for s in merged["samples"]] == [0, 1, 2, 3, 4]
    assert [s["board"] for s in merged["samples"]][:2] == ["hostsim@gw0", "hostsim@gw1"]
    assert merged["summary"]["samples"] == 5 and merged["summary"]["matched_golden"] == 5
    assert merged["summary"]["throughput_ips"] == pytest.approx(5 / 0.1)  # over the longest wall
    assert set(merged["summary"]["boards"]) == {"hostsim@gw0", "hostsim@gw1"}
    assert merged["identity"]["board"] == "hostsim@gw0,hostsim@gw1"
