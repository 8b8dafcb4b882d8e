"""``ferhil history``: import, table, JSON, pages, --check."""

from __future__ import annotations

import json

import pytest
from regression_testkit import results

from ferhil.cli import main

WHY = "regression in accuracy: model fercnn v3 against newest earlier model version 2"


def _write(folder, doc) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(doc))


@pytest.fixture
def artifacts(tmp_path):
    """Three CI artifacts: v1 and v2 complete, v3 complete and worse than v2."""
    root = tmp_path / "artifacts"
    _write(root / "a", results("r1", version="1", accuracy=0.55, started="2026-11-01T00:00:00Z"))
    _write(root / "b", results("r2", version="2", accuracy=0.85, started="2026-11-02T00:00:00Z"))
    _write(
        root / "c" / "deep",
        results(
            "r3",
            version="3",
            accuracy=0.30,
            started="2026-11-03T00:00:00Z",
            seed=4,
            failed_tests={"test_no_regression_against_baseline": WHY},
        ),
    )
    return root


def test_import_then_table_and_pages(tmp_path, artifacts, capsys) -> None:
    db, out = tmp_path / "h.sqlite", tmp_path / "pages"
    argv = ["history", "--db", str(db), "--out", str(out), "--import", str(artifacts)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert text.count("imported: run") == 3
    header = next(i for i, line in enumerate(text.splitlines()) if line.startswith("run "))
    table = text.splitlines()[header + 1 : header + 4]
    assert [line.split()[0] for line in table] == ["r1", "r2", "r3"]
    assert all(" complete " in line and "fercnn v" in line for line in table)
    assert "run r3: baseline: newest earlier model version 2 (run r2)" in text
    assert f"verdict of run r3: FAIL: test_no_regression_against_baseline ({WHY})" in text
    assert "regression checks (computed now" in text and "(paired)" in text
    assert (out / "history.html").is_file() and (out / "comparison.html").is_file()
    history = (out / "history.html").read_text()
    assert all(f"fercnn v{v}" in history for v in (1, 2, 3))
    assert 'href="history.html"' in (out / "comparison.html").read_text()

    assert main(argv) == 0  # importing again changes nothing
    again = capsys.readouterr().out
    assert again.count("present: run") == 3 and "(3 runs)" in again


def test_json_and_check_for_ci(tmp_path, artifacts, capsys, store_url) -> None:
    code = main(
        ["history", "--db", store_url, "--out", str(tmp_path), "--import", str(artifacts),
         "--json", "--check"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1  # r3's recorded verdict: its regression test failed
    data = json.loads(captured.out)
    assert data["comparison"]["verdict"]["status"] == "fail"
    assert data["comparison"]["verdict"]["failed"][0]["message"] == WHY
    assert [r["id"] for r in data["runs"]] == ["r1", "r2", "r3"]
    assert all(r["complete"] and r["samples_recorded"] == 40 for r in data["runs"])
    comparison = data["comparison"]
    assert comparison["run"] == "r3" and comparison["baseline"] == "r2"
    assert comparison["passed"] is False
    failed = {c["metric"] for c in comparison["checks"] if c["verdict"] == "FAIL"}
    assert "accuracy" in failed
    assert "imported: run" in captured.err  # progress goes to stderr in --json mode


def test_baseline_and_thresholds_from_the_command_line(tmp_path, artifacts, capsys) -> None:
    db = tmp_path / "h.sqlite"
    base = ["history", "--db", str(db), "--no-pages", "--json", "--check"]
    tolerate_mismatches = ["--max-golden-mismatches", "5"]  # the generated runs have 5
    assert main([*base, "--import", str(artifacts), "--run", "r2", *tolerate_mismatches]) == 0
    capsys.readouterr()
    lenient = [
        "--max-accuracy-drop-pp", "100", "--max-class-accuracy-drop-pp", "100",
        "--max-golden-mismatches", "100", "--max-latency-increase-pct", "100",
        "--max-energy-increase-pct", "100",
    ]  # fmt: skip
    assert main([*base, *lenient]) == 1  # --check follows r3's recorded verdict, not thresholds
    assert json.loads(capsys.readouterr().out)["comparison"]["passed"] is True
    assert main([*base, "--baseline", "1", *lenient]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["comparison"]["run"] == "r3" and data["comparison"]["baseline"] == "r1"


def test_missing_store_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["history", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "no result store at" in capsys.readouterr().err


def test_import_of_a_non_results_file_fails_clearly(tmp_path, capsys) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"schema": "other"}')
    code = main(["history", "--db", str(tmp_path / "h.sqlite"), "--import", str(bad)])
    assert code == 2 and "not a ferhil results document" in capsys.readouterr().err


def test_store_and_regression_options_are_harness_options() -> None:
    from harness.suite.option_table import load_option_providers

    table = load_option_providers()
    assert table["db"].env == "FERHIL_DB" and table["db"].key == "ferhil_db"
    assert table["baseline"].key == "ferhil_baseline" and table["record"].default is True
    for name in ("accuracy-drop-pp", "class-accuracy-drop-pp", "golden-mismatches",
                 "latency-increase-pct", "energy-increase-pct"):  # fmt: skip
        assert f"max-{name}" in table
