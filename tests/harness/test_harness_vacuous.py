"""No vacuous passes: nothing answered fails, and a run below the answered floor is incomplete."""

import json

import pytest
from harness_testkit import copy_hil_suite, saved_model

CONFTEST = """
from harness.devices.boards.registry import BOARD_KINDS
from harness.devices.boards.fake import FakeBoard

KINDS = {
    "fake-mute": lambda spec: FakeBoard(spec, fail=set(range(10_000))),
    "fake-fail": lambda spec: FakeBoard(spec, fail={4}),
}

def pytest_configure(config):
    BOARD_KINDS.update(KINDS)

def pytest_unconfigure(config):
    for name in KINDS:
        BOARD_KINDS.pop(name, None)
"""


@pytest.mark.slow
def test_board_answering_nothing_fails_every_judging_test(pytester, tmp_path):
    pytester.makeconftest(CONFTEST)
    copy_hil_suite(pytester)
    out = tmp_path / "r"
    result = pytester.runpytest(
        "--board", "fake-mute", "--model", str(saved_model(tmp_path)), "--limit", "12",
        "--report-dir", str(out), "test_copy_golden_match.py", "test_copy_latency.py",
    )  # fmt: skip
    result.assert_outcomes(failed=3)
    text = result.stdout.str()
    failures = text.split("short test summary info")[0]  # the failure blocks, not the summaries
    assert failures.count("Failed: nothing to judge: the board answered 0 of 12 samples") == 2
    assert "verdict: FAIL: test_every_sample_answered" in text
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["complete"] is False and doc["summary"]["failed"] == 12
    assert any("fewer than the floor 12" in n for n in doc["run"]["notes"])


@pytest.mark.slow
@pytest.mark.parametrize(("floor", "complete"), [(None, False), ("95%", True), ("20", False)])
def test_answered_floor_decides_complete(pytester, tmp_path, floor, complete):
    pytester.makeconftest(CONFTEST)
    copy_hil_suite(pytester)
    out = tmp_path / "r"
    extra = ["--min-answered", floor] if floor else []
    pytester.runpytest(
        "--board", "fake-fail", "--model", str(saved_model(tmp_path)), "--limit", "20",
        "--report-dir", str(out), *extra, "test_copy_golden_match.py",
    )  # fmt: skip
    doc = json.loads((out / "results.json").read_text())
    assert doc["summary"]["failed"] == 1  # 19 of 20 answered
    assert doc["run"]["complete"] is complete


def test_bad_floor_is_a_usage_error(pytester):
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--min-answered", "-3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--min-answered" in result.stderr.str()
