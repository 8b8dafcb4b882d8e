"""End to end: the real hostsim firmware on a real pseudo-terminal, 240 images."""

import json
import shutil

import numpy as np
import pytest
from harness_testkit import saved_model

from golden.format import load
from harness.run.hil_run import HilRun
from harness.run.test_set import generated_dataset
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
]


def test_hostsim_run_matches_golden_on_240_images(tmp_path):
    load_option_providers()
    ds = generated_dataset(240, seed=7)
    data = tmp_path / "set.npz"
    np.savez(data, images=ds.images, labels=ds.labels)
    model_path = saved_model(tmp_path, seed=5)
    cfg = FerhilConfig.defaults(
        board="hostsim",
        model=str(model_path),
        dataset=str(data),
        report_dir=tmp_path / "out",
        progress=False,
        window=8,
    )
    run = HilRun(cfg, load_model=lambda ref: load(ref))
    try:
        run.prepare()
        device = run.start()
        assert device.flashed and device.board.facts.simulated
        assert device.hello.model_hash == run.model.hash()
        assert device.hello.firmware_hash == run.artifact.firmware_hash
        records = run.stream()
    finally:
        run.finish()
    assert len(records) == 240
    assert all(r.status == "ok" and r.match for r in records), [
        (r.id, r.error, r.max_abs_diff) for r in records if not r.match
    ][:5]
    assert all(r.device_cycles == device.hello.model_cycles for r in records)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["summary"]["matched_golden"] == 240 and doc["summary"]["simulated"] is True
    assert doc["identity"]["firmware_hash"] == run.artifact.firmware_hash
    assert doc["summary"]["latency_us"]["p50"] == pytest.approx(
        device.hello.model_cycles / device.hello.core_clock_hz * 1e6
    )
    lines = [json.loads(x) for x in (tmp_path / "out" / "samples.jsonl").read_text().splitlines()]
    assert [x["index"] for x in lines if "index" in x] == list(range(240))
    assert lines[0]["journal"] == 1 and lines[-1] == {"journal_end": run.run_id, "complete": True}
    assert device.board.process is None, "finish() stops the simulator"
    console = tmp_path / "out" / "console.log"  # non-frame output of the board, kept
    assert console.is_file() and b"\x00" not in console.read_bytes()
    assert 'href="console.log"' in (tmp_path / "out" / "report.html").read_text()
