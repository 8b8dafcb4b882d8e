"""Plain ``pytest`` (the README's test command) never writes into out/ or the user's store."""

import json

from harness_testkit import HARNESS_HIL_TESTS, HIL_DIR, saved_model


def _hil_folder(pytester):
    folder = pytester.path / "hil"
    folder.mkdir()
    for stem in HARNESS_HIL_TESTS:  # other basenames: the originals are imported in this session
        copy = stem.replace("test_", "test_suite_", 1)
        (folder / f"{copy}.py").write_text((HIL_DIR / f"{stem}.py").read_text())
    (pytester.path / "pytest.ini").write_text("[pytest]\ntestpaths = hil\n")


def test_plain_pytest_keeps_out_and_the_user_store_untouched(pytester, tmp_path, monkeypatch):
    _hil_folder(pytester)
    user_store = tmp_path / "user-store.sqlite"
    monkeypatch.setenv("FERHIL_DB", str(user_store))
    model = saved_model(tmp_path, accuracy_threshold=0.0)
    result = pytester.runpytest("--board", "fake", f"--model={model}", "--limit", "14")
    assert result.ret == 0, result.stdout.str()
    assert not (pytester.path / "out").exists(), "the test suite wrote into out/"
    assert not user_store.exists(), "the test suite wrote into the store named by $FERHIL_DB"
    written = list(pytester.path.parent.rglob("ferhil-hil/hil/results.json"))
    assert len(written) == 1, "the run's results went nowhere"
    assert json.loads(written[0].read_text())["summary"]["samples"] == 14
    assert (written[0].parent.parent / "ferhil-results.sqlite").is_file()
    result.stdout.fnmatch_lines(["*report-dir=*ferhil-hil*"])


def test_pytest_with_paths_still_writes_where_asked(pytester, tmp_path, monkeypatch):
    _hil_folder(pytester)
    monkeypatch.delenv("FERHIL_DB", raising=False)
    model = saved_model(tmp_path, accuracy_threshold=0.0)
    result = pytester.runpytest("hil", "--board", "fake", f"--model={model}", "--limit", "14")
    assert result.ret == 0, result.stdout.str()
    assert (pytester.path / "out" / "hil" / "results.json").is_file()
    assert (pytester.path / "out" / "ferhil-results.sqlite").is_file()
