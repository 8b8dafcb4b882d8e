"""Done-when of the regression feature, end to end on the hostsim board.

Two versions of the zoo model run through ``ferhil run`` (the real harness: firmware build,
hostsim, streaming, store): v1 is the zoo model, v2 a deliberately degraded copy (classifier
rows rotated by one class: a model that still runs bit-exactly but predicts the wrong emotion).
v2 must fail ``test_no_regression`` naming accuracy, while golden matching and latency pass; an
improved v3 (v1's results re-labelled and imported) must pass ``ferhil history --check``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from fixtures.paths import fer2013_dir
from golden.format import QuantModel, save
from golden.zoo import list_zoo, load_model

pytestmark = [
    pytest.mark.slow,
    pytest.mark.data,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
    pytest.mark.skipif(fer2013_dir() is None, reason="needs FER2013 (accuracy is meaningless "
                       "on the generated stand-in set)"),
]  # fmt: skip

FERHIL = [sys.executable, "-m", "ferhil.cli"]
LIMIT = "80"


def degraded(model: QuantModel) -> QuantModel:
    """``model`` as version 2 with the last layer's class rows rotated by one."""
    last = model.layers[-1]
    bias = None if last.bias is None else np.roll(last.bias, 1, axis=0)
    rotated = dataclasses.replace(last, weights=np.roll(last.weights, 1, axis=0), bias=bias)
    metadata = dict(model.metadata, created="2030-01-01T00:00:00+00:00", degraded=True)
    return dataclasses.replace(
        model, version="2", layers=[*model.layers[:-1], rotated], metadata=metadata
    )


def _ferhil(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*FERHIL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def verdicts_all(table: list[str]) -> list[tuple[str, str]]:
    """(metric, verdict) of every row of the regression table."""
    rows = []
    for line in table:
        cells = line.split("  ")
        cells = [c.strip() for c in cells if c.strip()]
        if len(cells) >= 6 and cells[0] != "metric":
            rows.append((cells[0], cells[5]))
    return rows


def _regression_case(junit: Path) -> ET.Element:
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.get("name") == "test_no_regression_against_baseline":
            return case
    raise AssertionError(f"test_no_regression did not run ({junit})")


def test_degraded_version_fails_and_improved_version_passes(tmp_path: Path) -> None:
    if not list_zoo():
        pytest.skip("the model zoo is empty")
    zoo = tmp_path / "zoo"
    v1 = dataclasses.replace(load_model(None), version="1")
    save(v1, zoo / "fer-v1" / "model.qmodel.npz")
    save(degraded(v1), zoo / "fer-v2" / "model.qmodel.npz")
    env = {k: v for k, v in os.environ.items() if k not in ("FERHIL_DB", "FERHIL_BASELINE")}
    env["FERHIL_ZOO"] = str(zoo)
    repo = Path(__file__).resolve().parents[2]
    runs = tmp_path / "runs"

    def run(name: str) -> tuple[subprocess.CompletedProcess, Path]:
        junit = runs / f"{name}.xml"
        done = _ferhil(
            ["run", "--model", f"fer-{name}", "--limit", LIMIT, "--report-dir", str(runs / name),
             "--no-progress", "--", f"--junitxml={junit}", "-q", "-k", "not energy"],
            env, repo,
        )  # fmt: skip
        return done, junit

    first, junit1 = run("v1")
    case1 = _regression_case(junit1)
    assert case1.find("failure") is None and case1.find("error") is None, first.stdout[-3000:]
    skipped = case1.find("skipped")  # no baseline: the test skips and says why
    assert skipped is not None and "no baseline" in (skipped.get("message") or ""), first.stdout
    doc1 = json.loads((runs / "v1" / "results.json").read_text())

    second, junit2 = run("v2")
    assert second.returncode != 0
    failure = _regression_case(junit2).find("failure")
    assert failure is not None, second.stdout[-3000:]
    text = failure.text or ""
    assert f"against newest earlier model version 1 (run {doc1['run']['id']})" in text
    table = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    verdicts = {
        metric: verdict
        for metric, verdict in verdicts_all(table)
        if metric in ("accuracy", "golden mismatches", "latency p50", "energy / inference")
    }
    assert verdicts["accuracy"] == "FAIL", table
    assert verdicts["golden mismatches"] == "pass" and verdicts["latency p50"] == "pass", table
    first_line = next(line for line in table if "regression in " in line)
    named = first_line.split("regression in ", 1)[1].split(": model", 1)[0].split(", ")
    assert named == [m for m, v in verdicts_all(table) if v == "FAIL"] and named[0] == "accuracy"
    report2 = (runs / "v2" / "report.html").read_text()
    assert 'href="comparison.html"' in report2 and (runs / "v2" / "comparison.html").is_file()

    doc2 = json.loads((runs / "v2" / "results.json").read_text())
    improved = json.loads(json.dumps(doc1))
    improved["run"]["id"] = doc1["run"]["id"] + "-v3"
    improved["run"]["started"] = "2030-01-02T00:00:00+00:00"
    improved["identity"]["model_version"] = "3"
    (tmp_path / "v3").mkdir()
    (tmp_path / "v3" / "results.json").write_text(json.dumps(improved))
    db = runs / "ferhil-results.sqlite"
    judged = _ferhil(
        ["history", "--db", str(db), "--import", str(tmp_path / "v3"), "--out", str(tmp_path),
         "--json", "--check"],
        env, repo,
    )  # fmt: skip
    assert judged.returncode == 0, judged.stdout[-3000:] + judged.stderr[-2000:]
    data = json.loads(judged.stdout)
    assert data["comparison"]["run"] == improved["run"]["id"]
    assert data["comparison"]["baseline"] == doc2["run"]["id"]
    assert data["comparison"]["passed"] is True
    assert [r["model_version"] for r in data["runs"]] == ["1", "2", "3"]
