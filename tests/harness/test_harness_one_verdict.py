"""One verdict: a run that fails a HIL test shows FAIL, naming the test, everywhere.

Two runs through the real plugin on the fake board share one result store: version 1 passes,
version 2 runs on a board that corrupts two outputs, so ``test_device_outputs_match_golden``
fails and ``test_no_regression_against_baseline`` fails on the golden-mismatch threshold.
results.json, the store, report.html, comparison.html, ``ferhil history --check`` and pytest's
exit code must all show that one verdict and name the failed test.
"""

import dataclasses
import json

import pytest
from harness_testkit import HIL_DIR, copy_hil_suite, small_model

from ferhil.cli import main
from golden.format import save

CORRUPT_CONFTEST = """
from harness.devices.boards.registry import BOARD_KINDS
from harness.devices.boards.fake import FakeBoard

def pytest_configure(config):
    BOARD_KINDS["fake-corrupt"] = lambda spec: FakeBoard(spec, corrupt={3, 11})

def pytest_unconfigure(config):
    BOARD_KINDS.pop("fake-corrupt", None)
"""
FAILED_TEST = "test_device_outputs_match_golden"
REGRESSION_TEST = "test_no_regression_against_baseline"


@pytest.fixture
def two_runs(pytester, tmp_path):
    pytester.makeconftest(CORRUPT_CONFTEST)
    copy_hil_suite(pytester)
    pytester.makepyfile(test_copy_no_regression=(HIL_DIR / "test_no_regression.py").read_text())
    model = small_model(accuracy_threshold=0.0)
    db = tmp_path / "store.sqlite"
    results = {}
    for version, board in (("1", "fake"), ("2", "fake-corrupt")):
        path = save(dataclasses.replace(model, version=version), tmp_path / f"v{version}.npz")
        out = tmp_path / f"v{version}"
        results[version] = pytester.runpytest(
            f"--board={board}", f"--model={path}", "--limit=30", f"--report-dir={out}",
            f"--db={db}", "--no-progress",
        )  # fmt: skip
    return tmp_path, db, results


@pytest.mark.slow
def test_failed_hil_test_is_the_verdict_of_every_page(two_runs, capsys) -> None:
    root, db, results = two_runs
    assert results["1"].ret == 0, results["1"].stdout.str()
    assert results["2"].ret == pytest.ExitCode.TESTS_FAILED  # the exit code
    results["2"].stdout.fnmatch_lines([f"verdict: FAIL: {FAILED_TEST} (2 of 30 samples differ*"])

    doc = json.loads((root / "v2" / "results.json").read_text())
    assert doc["verdict"]["status"] == "fail" and doc["summary"]["verdict"] == "fail"
    assert [f["test"] for f in doc["verdict"]["failed"]] == [FAILED_TEST, REGRESSION_TEST]
    assert doc["verdict"]["failed"][1]["message"].startswith("regression in golden mismatches")
    assert "2 of 30 samples differ from golden" in doc["verdict"]["failed"][0]["message"]
    assert doc["regression"]["baseline"]["model"].endswith("v1")  # compared with version 1

    from harness.store.store import ResultStore

    with ResultStore(f"sqlite:///{db}") as store:  # the store keeps the same verdict
        stored = store.results(doc["run"]["id"], samples=False)
        assert stored["verdict"]["status"] == "fail" and stored["summary"]["verdict"] == "fail"

    report = (root / "v2" / "report.html").read_text()
    assert '<span class="chip fail big">fail</span>' in report
    assert f"{FAILED_TEST} failed: 2 of 30 samples differ from golden" in report
    comparison = (root / "v2" / "comparison.html").read_text()
    assert '<span class="chip fail big">fail</span>' in comparison
    assert f"{FAILED_TEST} failed: 2 of 30 samples differ from golden" in comparison
    assert f"{REGRESSION_TEST} failed: regression in golden mismatches" in comparison
    assert 'id="regression-table"' in comparison  # the recorded paired comparison
    assert "paired: the same 30 samples" in comparison

    first = json.loads((root / "v1" / "results.json").read_text())
    assert first["verdict"]["status"] == "pass"
    assert '<span class="chip pass big">pass</span>' in (root / "v1" / "report.html").read_text()

    capsys.readouterr()
    code = main(["history", "--db", str(db), "--out", str(root / "pages"), "--check"])
    text = capsys.readouterr()
    assert code == 1
    assert f"FAIL: {FAILED_TEST} (2 of 30 samples differ from golden" in text.out
    assert f"verdict is FAIL: {FAILED_TEST}" in text.err
    history = (root / "pages" / "history.html").read_text()
    assert '<span class="chip fail">fail</span>' in history  # v2's row
    assert '<span class="chip pass">pass</span>' in history  # v1's row
    assert f'<small class="mono">{FAILED_TEST}</small>' in history
    history_comparison = (root / "pages" / "comparison.html").read_text()
    assert f"{FAILED_TEST} failed: 2 of 30 samples differ" in history_comparison
