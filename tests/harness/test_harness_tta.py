"""``--tta hflip``: the hostsim board computes TTA bit-exactly beside the single pass."""

import json
import shutil
from pathlib import Path

import pytest
from harness_testkit import generated_set, saved_model

from golden.format import load
from golden.tta import run_tta
from harness.run.hil_run import HilRun
from harness.run.results import SampleRecord
from harness.run.run_inputs import run_inputs
from harness.run.tta import tta_summary
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

HIL_TTA = Path(__file__).resolve().parents[2] / "hil" / "test_tta.py"


def test_tta_summary_counts_missing_results_as_wrong():
    def record(i, label, predicted, match=True):
        r = SampleRecord(i, str(i), label, [0, 0], 0)
        r.predicted = label
        if predicted is not None:
            r.extra.update(tta_outputs=[0, 1], tta_predicted=predicted, tta_match=match)
            r.extra["tta_latency_us"] = 20.0
        r.extra["tta_golden_predicted"] = predicted if predicted is not None else 1
        return r

    records = [record(0, 1, 1), record(1, 0, 1, match=False), record(2, 1, None)]
    block = tta_summary(records, "hflip", True, single_latency_mean=10.0)
    assert block["samples"] == 3 and block["answered"] == 2
    assert block["matched_golden"] == 1 and block["mismatched"] == 1
    assert block["accuracy"] == pytest.approx(1 / 3)  # the unanswered sample counts as wrong
    assert block["golden_accuracy"] == pytest.approx(2 / 3)
    assert block["latency_us"]["mean"] == 20.0 and block["latency_ratio"] == 2.0
    assert block["simulated"] is True and block["kind"] == "hflip"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim")
def test_hostsim_tta_run_matches_golden_tta(tmp_path):
    load_option_providers()
    data = generated_set(tmp_path / "data", 24, seed=5)
    model_path = saved_model(tmp_path, seed=6)
    cfg = FerhilConfig.defaults(
        board="hostsim",
        model=str(model_path),
        dataset=str(data),
        report_dir=tmp_path / "out",
        progress=False,
        tta="hflip",
    )
    run = HilRun(cfg, load_model=lambda ref: load(ref))
    try:
        run.prepare()
        device = run.start()
        records = run.stream()
    finally:
        run.finish()
    cycles = device.hello.model_cycles
    assert len(records) == 24 and all(r.status == "ok" and r.match for r in records)
    golden_tta = run_tta(run.model, run_inputs(run.test_set.dataset, run.model))
    for r in records:  # the headline stays the single pass; TTA comes beside it
        assert r.device_cycles == cycles and r.outputs == r.golden_outputs
        assert r.extra["tta_outputs"] == golden_tta[r.index].tolist()
        assert r.extra["tta_match"] is True and r.extra["tta_device_cycles"] == 2 * cycles
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    tta = doc["summary"]["tta"]
    assert tta["kind"] == "hflip" and tta["samples"] == tta["answered"] == 24
    assert tta["matched_golden"] == 24 and tta["mismatched"] == 0
    assert tta["accuracy"] == tta["golden_accuracy"]
    assert tta["latency_ratio"] == pytest.approx(2.0) and tta["simulated"] is True
    assert doc["summary"]["matched_golden"] == 24  # single-pass figures unchanged
    assert doc["samples"][0]["tta_golden_outputs"] == golden_tta[0].tolist()
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="tta-latency"' in html and "TTA (hflip) accuracy" in html
    assert "on-device, TTA (hflip) (µs, simulated board; 2.00× single pass)" in html


@pytest.mark.slow
@pytest.mark.parametrize("tta", [True, False])
def test_hil_tta_test_judges_or_skips(pytester, tmp_path, tta):
    pytester.makepyfile(test_copy_tta=HIL_TTA.read_text())
    model = saved_model(tmp_path)
    out = tmp_path / "report"
    args = ["--board", "fake", "--model", str(model), "--limit", "12", "--report-dir", str(out)]
    result = pytester.runpytest(*args, *(["--tta", "hflip"] if tta else []), "-rs")
    if not tta:
        result.assert_outcomes(skipped=2)
        result.stdout.fnmatch_lines(["*--tta is off*"])
        assert "tta" not in json.loads((out / "results.json").read_text())["summary"]
        return
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1 and outcomes.get("failed") is None  # energy: no edge log
    doc = json.loads((out / "results.json").read_text())
    assert doc["summary"]["tta"]["matched_golden"] == 12


def test_journal_of_another_tta_setting_is_not_resumed():
    from harness.run.journal import same_identity

    plain = {"model_hash": "m", "firmware_hash": "f", "dataset_hash": "d", "samples_run": 9}
    tta = {**plain, "tta": "hflip"}
    assert same_identity(plain, dict(plain)) and same_identity(tta, dict(tta))
    assert not same_identity(plain, tta)  # a --tta run would keep records without TTA
    assert not same_identity(tta, plain)
