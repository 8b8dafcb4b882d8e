"""The pytest plugin, exercised through throw-away pytest sessions (pytester)."""

import json

import pytest
from harness_testkit import copy_hil_suite, saved_model

from fixtures.paths import fer2013_file

FAKE_KINDS_CONFTEST = """
from harness.devices.boards.registry import BOARD_KINDS
from harness.devices.boards.fake import FakeBoard

KINDS = {
    "fake-corrupt": lambda spec: FakeBoard(spec, corrupt={3, 11}),
    "fake-interrupt": lambda spec: FakeBoard(spec, interrupt_after=7),
    "fake-fail": lambda spec: FakeBoard(spec, fail={4}),
}

def pytest_configure(config):
    BOARD_KINDS.update(KINDS)

def pytest_unconfigure(config):
    for name in KINDS:
        BOARD_KINDS.pop(name, None)
"""


def test_table_generates_options_ini_and_fixtures(pytester):
    pytester.makeini("[pytest]\nferhil_board = fake\nferhil_window = 3\n")
    pytester.makepyfile(
        """
        import pytest

        def test_values(ferhil_board, ferhil_limit, ferhil_window, ferhil_flash, ferhil_config):
            assert ferhil_board == "fake"          # ini
            assert ferhil_limit == 5               # command line
            assert ferhil_window == 3              # ini, converted to int
            assert ferhil_flash is None            # default (automatic)
            assert ferhil_config["limit"] == 5 and ferhil_config.report_dir.name == "out"

        @pytest.mark.parametrize("ferhil_limit", ["2"], indirect=True)
        def test_per_test_override(ferhil_limit):
            assert ferhil_limit == 2
        """
    )
    result = pytester.runpytest("--limit", "5", "--report-dir", "out")
    result.assert_outcomes(passed=2)
    helptext = pytester.runpytest("--help").stdout.str()
    for word in ("--board", "--no-flash", "--report-dir", "ferhil_report_dir", "FERHIL_BOARD"):
        assert word in helptext


def test_bad_option_value_is_a_usage_error(pytester):
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--flasher", "jlink")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--flasher" in result.stderr.str()


def test_fake_board_run_writes_results_and_junit(pytester, tmp_path):
    copy_hil_suite(pytester)
    model = saved_model(tmp_path, accuracy_threshold=0.0)
    out = tmp_path / "report"
    junit = tmp_path / "junit.xml"
    result = pytester.runpytest(
        "--board",
        "fake",
        "--model",
        str(model),
        "--limit",
        "30",
        "--report-dir",
        str(out),
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit1",
        "-rs",
    )
    if fer2013_file("publictest") is None:  # a fresh clone: the accuracy test skips, saying why
        result.assert_outcomes(passed=5, skipped=1)
        result.stdout.fnmatch_lines(["SKIPPED*test_copy_accuracy.py*FER2013 was not found*"])
    else:
        result.assert_outcomes(passed=6)
    doc = json.loads((out / "results.json").read_text())
    assert doc["schema"] == "ferhil-results" and doc["run"]["complete"] is True
    assert doc["summary"]["samples"] == 30 and doc["summary"]["matched_golden"] == 30
    assert doc["identity"]["board"] == "fake" and doc["identity"]["simulated"] is True
    assert len(doc["samples"]) == 30 and doc["samples"][0]["status"] == "ok"
    journal = [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines()]
    assert len([x for x in journal if "index" in x]) == 30  # plus the segment header and end
    xml = junit.read_text()
    assert 'name="ferhil.model_hash"' in xml and 'name="accuracy"' in xml
    result.stdout.fnmatch_lines(["*results: *results.json"])


def test_golden_mismatch_lists_sample_ids_and_largest_difference(pytester, tmp_path):
    pytester.makeconftest(FAKE_KINDS_CONFTEST)
    copy_hil_suite(pytester)
    model = saved_model(tmp_path)
    result = pytester.runpytest(
        "--board",
        "fake-corrupt",
        "--model",
        str(model),
        "--limit",
        "20",
        "--report-dir",
        str(tmp_path / "r"),
        "test_copy_golden_match.py",
    )
    result.assert_outcomes(passed=1, failed=1)
    text = result.stdout.str()
    assert "2 of 20 samples differ from golden" in text
    ids = [s["id"] for s in json.loads((tmp_path / "r" / "results.json").read_text())["samples"]]
    assert ids[3] in text and ids[11] in text
    assert "largest difference 3" in text


def test_failed_sample_is_recorded_not_lost(pytester, tmp_path):
    pytester.makeconftest(FAKE_KINDS_CONFTEST)
    copy_hil_suite(pytester)
    model = saved_model(tmp_path)
    result = pytester.runpytest(
        "--board",
        "fake-fail",
        "--model",
        str(model),
        "--limit",
        "10",
        "--report-dir",
        str(tmp_path / "r"),
        "test_copy_golden_match.py::test_every_sample_answered",
    )
    result.assert_outcomes(failed=1)
    assert "1 samples failed" in result.stdout.str()
    samples = json.loads((tmp_path / "r" / "results.json").read_text())["samples"]
    assert len(samples) == 10 and samples[4]["status"] == "failed"
    assert "no INFER reply" in samples[4]["error"]


def test_interrupted_run_keeps_samples_jsonl(pytester, tmp_path):
    pytester.makeconftest(FAKE_KINDS_CONFTEST)
    copy_hil_suite(pytester)
    model = saved_model(tmp_path)
    out = tmp_path / "r"
    result = pytester.runpytest(
        "--board",
        "fake-interrupt",
        "--model",
        str(model),
        "--limit",
        "20",
        "--report-dir",
        str(out),
        no_reraise_ctrlc=True,
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    lines = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert [x["index"] for x in lines[1:-1]] == list(range(7))
    assert lines[-1]["complete"] is False  # the segment ended, interrupted
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["complete"] is False and doc["summary"]["samples"] == 7


def test_generated_set_when_data_missing_skips_accuracy(pytester, tmp_path):
    pytester.makeconftest(
        """
        import harness.run.test_set as ts

        def pytest_configure(config):
            config._saved_fer = ts.fer2013_file
            ts.fer2013_file = lambda split: None

        def pytest_unconfigure(config):
            ts.fer2013_file = config._saved_fer
        """
    )
    copy_hil_suite(pytester)
    model = saved_model(tmp_path, accuracy_threshold=0.0)
    result = pytester.runpytest(
        "--board",
        "fake",
        "--model",
        str(model),
        "--report-dir",
        str(tmp_path / "r"),
        "-rs",
    )
    result.assert_outcomes(passed=5, skipped=1)
    assert "FER2013 was not found" in result.stdout.str()
    doc = json.loads((tmp_path / "r" / "results.json").read_text())
    assert doc["dataset"]["generated"] is True and doc["summary"]["samples"] == 70
    assert any("FER2013 was not found" in n for n in doc["run"]["notes"])


def test_missing_explicit_dataset_is_a_clear_error(pytester, tmp_path):
    copy_hil_suite(pytester)
    model = saved_model(tmp_path)
    result = pytester.runpytest(
        "--board",
        "fake",
        "--model",
        str(model),
        "--dataset",
        str(tmp_path / "nope.npz"),
        "--report-dir",
        str(tmp_path / "r"),
        "test_copy_identity.py",
    )
    result.assert_outcomes(errors=1, skipped=1)  # said once; the other test points at it
    # The short test summary repeats the message only when the terminal is wide enough for it,
    # so count before it: the error + the verdict, each once.
    before_summary = result.stdout.str().split("short test summary info")[0]
    assert before_summary.count("nope.npz does not exist") == 2


@pytest.mark.slow
def test_resume_completes_an_interrupted_run(pytester, tmp_path):
    pytester.makeconftest(FAKE_KINDS_CONFTEST)
    copy_hil_suite(pytester)
    model = saved_model(tmp_path)
    out = tmp_path / "r"
    common = ["--model", str(model), "--limit", "20", "--report-dir", str(out)]
    first = pytester.runpytest("--board", "fake-interrupt", *common, no_reraise_ctrlc=True)
    assert first.ret == pytest.ExitCode.INTERRUPTED
    second = pytester.runpytest("--board", "fake", "--resume", *common, "test_copy_golden_match.py")
    second.assert_outcomes(passed=2)
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["complete"] is True and doc["summary"]["matched_golden"] == 20
    assert [s["index"] for s in doc["samples"]] == list(range(20))
    assert "resumed an interrupted run: kept 7 of 20 samples" in doc["run"]["notes"]
    lines = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert sorted(x["index"] for x in lines if "index" in x) == list(range(20))


@pytest.mark.slow
def test_rows_added_by_another_module_get_option_ini_env_and_fixture(pytester, monkeypatch):
    from harness.suite.options import OPTIONS, Option

    row = Option(
        "widget-count", "a row another module adds", default=1, type=int, env="FERHIL_TEST_WIDGETS"
    )
    monkeypatch.setattr(OPTIONS, "_rows", {**OPTIONS._rows, row.name: row})
    pytester.makeini("[pytest]\nferhil_widget_count = 5\n")
    pytester.makepyfile(
        """
        def test_row(ferhil_widget_count, ferhil_config):
            assert ferhil_widget_count == ferhil_config["widget-count"]
            assert ferhil_widget_count == int(__import__("os").environ.get("EXPECT", "0"))
        """
    )
    monkeypatch.setenv("EXPECT", "5")
    pytester.runpytest().assert_outcomes(passed=1)  # ini
    monkeypatch.setenv("FERHIL_TEST_WIDGETS", "6")
    monkeypatch.setenv("EXPECT", "6")
    pytester.runpytest().assert_outcomes(passed=1)  # environment beats ini
    monkeypatch.setenv("EXPECT", "7")
    pytester.runpytest("--widget-count", "7").assert_outcomes(passed=1)  # command line wins
