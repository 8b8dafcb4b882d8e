"""End to end: three real hostsim boards (real ptys, 921,600 baud) in one run from a lab file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from harness_testkit import saved_model

from golden.format import load
from harness.errors import TransportError
from harness.run.hil_run import HilRun
from harness.run.run_listener import RunListener
from harness.run.test_set import generated_dataset
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
]

REPO = Path(__file__).resolve().parents[2]


def _lab(tmp_path: Path) -> Path:
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "boards:\n"
        + "".join(f"  sim-{i}:\n    kind: hostsim\n    baud: 921600\n" for i in (1, 2, 3))
    )
    return lab


def _data(tmp_path: Path, n: int) -> Path:
    ds = generated_dataset(n, seed=11)
    path = tmp_path / "set.npz"
    np.savez(path, images=ds.images, labels=ds.labels)
    return path


def test_three_hostsim_boards_one_killed_mid_run(tmp_path: Path) -> None:
    load_option_providers()
    cfg = FerhilConfig.defaults(
        board="sim-1,sim-2,sim-3",
        lab=_lab(tmp_path),
        model=str(saved_model(tmp_path, seed=5)),
        dataset=str(_data(tmp_path, 240)),
        report_dir=tmp_path / "out",
        progress=False,
        sample_timeout=2.0,
    )
    run = HilRun(cfg, load_model=lambda ref: load(ref))

    class KillSim2(RunListener):
        """Kill sim-2's simulator after 60 results and keep it from being relaunched."""

        def sample_recorded(self, run: HilRun, record: object) -> None:  # type: ignore[override]
            if len(run.records) != 60 or run.pool is None:
                return
            board = run.pool.members[1].board
            board.process.proc.kill()  # type: ignore[attr-defined]

            def gone(image: Path) -> None:
                raise TransportError("sim-2 was unplugged")

            board.flash = gone  # type: ignore[method-assign]

    run.add_listener(KillSim2())
    try:
        run.prepare()
        run.start()
        assert run.pool is not None and all(m.session.flashed for m in run.pool.members)
        run.stream()
    finally:
        run.finish()
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    samples = doc["samples"]
    assert sorted(s["index"] for s in samples) == list(range(240)), "each sample exactly once"
    assert all(s["status"] == "ok" and s["match"] for s in samples), [
        (s["index"], s["board"], s["error"]) for s in samples if not s["match"]
    ][:5]
    assert {s["board"] for s in samples} == {"sim-1", "sim-2", "sim-3"}
    boards = doc["summary"]["boards"]
    assert boards["sim-2"]["taken_out"], boards["sim-2"]
    assert boards["sim-1"]["latency_us"]["p50"] > 0
    assert all(m.board.process is None for m in run.pool.members), "finish() stops every board"


def test_ferhil_run_cli_with_a_lab_of_three_hostsim_boards(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = [
        sys.executable,
        "-m",
        "ferhil.cli",
        "run",
        "--lab",
        str(_lab(tmp_path)),
        "--board",
        "sim-1,sim-2,sim-3",
        "--model",
        str(saved_model(tmp_path, seed=6)),
        "--dataset",
        str(_data(tmp_path, 90)),
        "--report-dir",
        str(out),
        "--no-progress",
        "--",
        "-q",
        "-k",
        "golden or identity or energy",
        "-p",
        "no:randomly",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "FERHIL_DB": str(tmp_path / "store.sqlite")}
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    doc = json.loads((out / "results.json").read_text())
    assert sorted(s["index"] for s in doc["samples"]) == list(range(90))
    assert {s["board"] for s in doc["samples"]} == {"sim-1", "sim-2", "sim-3"}
    assert set(doc["summary"]["boards"]) == {"sim-1", "sim-2", "sim-3"}
    energy = doc["summary"]["energy_by_board"]
    assert set(energy) == {"sim-1", "sim-2", "sim-3"}
    assert all(e["energy_uj_per_inference"] > 0 for e in energy.values())
    assert all(b["energy_uj_per_inference"] > 0 for b in doc["summary"]["boards"].values())
    assert (out / "report.html").is_file()
