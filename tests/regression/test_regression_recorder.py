"""The plugin records every run (fake board, throw-away pytest sessions) and links the pages."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from regression_testkit import results

from golden.format import save
from golden.synthetic import random_legal_model
from harness.regression.baseline import find_baseline
from harness.store.store import ResultStore

HIL_DIR = Path(__file__).resolve().parents[2] / "hil"
KIT_DIR = Path(__file__).resolve().parent

INTERRUPT_CONFTEST = """
from harness.devices.boards.registry import BOARD_KINDS
from harness.devices.boards.fake import FakeBoard

def pytest_configure(config):
    BOARD_KINDS["fake-interrupt"] = lambda spec: FakeBoard(spec, interrupt_after=7)

def pytest_unconfigure(config):
    BOARD_KINDS.pop("fake-interrupt", None)
"""


def _models(tmp_path: Path) -> dict[str, Path]:
    """One model saved as versions 1, 2, 5 and 6 (same weights: same predictions)."""
    import numpy as np

    model = random_legal_model(np.random.default_rng(3), max_layers=3, max_channels=8)
    return {
        v: save(dataclasses.replace(model, version=v), tmp_path / f"m{v}.qmodel.npz")
        for v in ("1", "2", "5", "6")
    }


def _run(pytester, model: Path, report: Path, *extra: str, board: str = "fake", **kw):
    return pytester.runpytest(
        "--board", board, "--model", str(model), "--limit", "20", "--report-dir", str(report),
        "-p", "no:cacheprovider", *extra, **kw,
    )  # fmt: skip


@pytest.mark.slow
def test_runs_are_recorded_compared_and_linked(pytester, tmp_path) -> None:
    pytester.makeconftest(INTERRUPT_CONFTEST)
    pytester.makepyfile(test_copy_no_regression=(HIL_DIR / "test_no_regression.py").read_text())
    models, runs = _models(tmp_path), tmp_path / "runs"

    first = _run(pytester, models["1"], runs / "v1")
    first.assert_outcomes(skipped=1)  # no baseline yet: the regression test skips
    db = runs / "ferhil-results.sqlite"  # default: next to the report folder
    with ResultStore(f"sqlite:///{db}") as store:
        (row,) = store.runs()
        assert row.status == "complete" and row.samples_recorded == 20
        assert row.model_version == "1" and row.board_kind == "fake" and row.simulated
    doc1 = json.loads((runs / "v1" / "results.json").read_text())
    assert row.id == doc1["run"]["id"] and row.model_hash == doc1["identity"]["model_hash"]
    assert any("no baseline" in note for note in doc1["run"]["notes"])
    report1 = (runs / "v1" / "report.html").read_text()
    assert 'href="history.html"' in report1 and 'href="comparison.html"' not in report1
    assert (runs / "v1" / "history.html").is_file()

    _run(pytester, models["2"], runs / "v2").assert_outcomes(passed=1)
    report2 = (runs / "v2" / "report.html").read_text()
    assert 'href="history.html"' in report2 and 'href="comparison.html"' in report2
    history2 = (runs / "v2" / "history.html").read_text()
    assert 'href="../v1/report.html"' in history2 and 'href="report.html"' in history2
    comparison = (runs / "v2" / "comparison.html").read_text()
    assert "fercnn" in comparison or "v1" in comparison
    doc2 = json.loads((runs / "v2" / "results.json").read_text())
    assert any("no threshold crossed" in note for note in doc2["run"]["notes"])

    interrupted = _run(
        pytester, models["5"], runs / "v5", board="fake-interrupt", no_reraise_ctrlc=True
    )
    assert interrupted.ret == pytest.ExitCode.INTERRUPTED
    with ResultStore(f"sqlite:///{db}") as store:
        rows = {r.model_version: r for r in store.runs()}
        assert rows["5"].status == "incomplete" and rows["5"].samples_recorded == 7
        v2_id = rows["2"].id
    new = _run(pytester, models["6"], runs / "v6", "--junitxml", str(tmp_path / "j.xml"))
    new.assert_outcomes(passed=1)
    assert f'name="ferhil.baseline" value="{v2_id}"' in (tmp_path / "j.xml").read_text()


@pytest.mark.slow
def test_no_record_and_explicit_db(pytester, tmp_path) -> None:
    pytester.makepyfile(test_copy_no_regression=(HIL_DIR / "test_no_regression.py").read_text())
    model = _models(tmp_path)["1"]
    _run(pytester, model, tmp_path / "a", "--no-record").assert_outcomes(skipped=1)
    assert not (tmp_path / "ferhil-results.sqlite").exists()
    assert not (tmp_path / "a" / "history.html").exists()
    db = tmp_path / "elsewhere" / "lab.sqlite"
    os.environ.pop("FERHIL_DB", None)
    _run(pytester, model, tmp_path / "b", "--db", str(db)).assert_outcomes(skipped=1)
    with ResultStore(f"sqlite:///{db}") as store:
        assert [r.status for r in store.runs()] == ["complete"]


KILLED_WRITER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from regression_testkit import results
from harness.store.store import ResultStore

doc = results("killed", version="9", started="2026-11-25T00:00:00Z")
store = ResultStore(sys.argv[1])
store.begin_run(doc)
for i, sample in enumerate(doc["samples"]):
    store.append_samples("killed", [sample])
    print(i, flush=True)
    time.sleep(0.1)
store.finish_run("killed", doc)
print("finished", flush=True)
"""


def test_killed_run_is_aborted_and_never_a_baseline(store_url: str) -> None:
    with ResultStore(store_url) as store:
        store.import_results(results("v8", version="8", started="2026-11-24T00:00:00Z"))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, store_url, str(KIT_DIR)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        for _ in range(5):  # five samples committed
            assert proc.stdout.readline().strip().isdigit()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with ResultStore(store_url) as store:
        killed = store.run("killed")
        # its process is gone: aborted at once, never left "running", no finish time
        assert killed.status == "aborted" and not killed.complete and killed.finished is None
        assert 5 <= killed.samples_recorded < 40 and killed.summary is None
        choice = find_baseline(store, results("new", version="10"))
        assert choice.run is not None and choice.run.id == "v8"


def test_run_that_never_connects_is_stored_incomplete_with_why(pytester, tmp_path) -> None:
    pytester.makepyfile(test_copy_no_regression=(HIL_DIR / "test_no_regression.py").read_text())
    model, runs = _models(tmp_path)["1"], tmp_path / "runs"
    result = _run(pytester, model, runs / "nc", board="max78000fthr")  # no --port: never up
    result.assert_outcomes(errors=1)
    with ResultStore(f"sqlite:///{runs / 'ferhil-results.sqlite'}") as store:
        (row,) = store.runs()
        assert row.status == "incomplete" and row.samples_recorded == 0
        assert row.model_version == "1"
        assert store.runs(complete_only=True) == []  # never a baseline
        stored = store.results(row.id, samples=False)
    assert stored["summary"]["verdict"] == "fail"
    (failure,) = stored["verdict"]["failed"]
    assert failure["test"] == "run setup" and "no serial port for board" in failure["message"]
    assert 'href="history.html"' in (runs / "nc" / "report.html").read_text()
