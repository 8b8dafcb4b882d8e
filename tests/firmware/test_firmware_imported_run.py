"""`ferhil run` of imported ADI models on hostsim with a generic test set: every sample = golden.

The real run path: ``python -m ferhil run --model M.qmodel.npz --dataset SET.npz --board
hostsim`` builds the portable firmware, starts hostsim on a pseudo-terminal and streams 200
seeded int8 inputs (plus ADI's sample input) through the agent protocol. KWS20 v3's 16 KiB input
goes as INFER_PART frames; CIFAR-10's 3 KiB input as single INFER frames. The test recomputes
golden itself and compares every sample's device outputs with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from firmware.builder.izer import shared_izer_dir
from golden.format import save
from golden.inference import run
from models.export.import_ai8x import import_ai8x

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
]
REPO = Path(__file__).resolve().parents[2]
N_INPUTS = 200
MODELS = {
    "kws20_v3": (
        "ai85-kws20_v3-qat8-q.pth.tar", "kws20-v3-hwc.yaml", "sample_kws_20.npy", (128, 128)
    ),
    "cifar10": (
        "ai85-cifar10-qat8-q.pth.tar", "cifar10-nas.yaml", "sample_cifar-10.npy", (3, 32, 32)
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MODELS))
def test_ferhil_run_of_imported_model_matches_golden(tmp_path: Path, name: str) -> None:
    root = shared_izer_dir()
    if root is None:
        pytest.skip("the shared ai8x-synthesis copy is absent")
    ckpt, net, sample, shape = MODELS[name]
    model = import_ai8x(root / "trained" / ckpt, root / "networks" / net, input_shape=shape)
    model_path = save(model, tmp_path / f"{name}.qmodel.npz")
    rng = np.random.default_rng(12)
    xs = rng.integers(-128, 128, (N_INPUTS, *shape)).astype(np.int8)
    xs[0] = np.load(root / "tests" / sample).reshape(shape)
    expected = run(model, xs.astype(np.int64))
    labels = rng.integers(0, expected.shape[1], N_INPUTS)  # class indices of the model
    data = tmp_path / f"{name}.npz"
    np.savez(data, inputs=xs, labels=labels)
    out = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if k not in ("FERHIL_DB", "FERHIL_BASELINE")}
    done = subprocess.run(
        [sys.executable, "-m", "ferhil", "run", "--model", str(model_path), "--dataset",
         str(data), "--board", "hostsim", "--report-dir", str(out), "--db",
         str(tmp_path / "store.sqlite"), "--no-progress", "--", "-q"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    doc = json.loads((out / "results.json").read_text())
    summary = doc["summary"]
    assert summary["samples"] == N_INPUTS and summary["failed"] == 0, summary
    assert summary["matched_golden"] == N_INPUTS and summary["mismatched"] == 0, summary
    records = [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines()]
    records = sorted((r for r in records if "index" in r), key=lambda r: r["index"])
    assert [r["index"] for r in records] == list(range(N_INPUTS))
    got = np.array([r["outputs"] for r in records], dtype=np.int64)
    bad = np.flatnonzero((got != expected).any(axis=1))
    assert bad.size == 0, f"{bad.size} of {N_INPUTS} samples differ from golden, e.g. {bad[:5]}"
    assert np.array_equal([r["golden_outputs"] for r in records], expected)
    assert len(set(map(tuple, expected))) > N_INPUTS // 2, "outputs should vary with the input"
    confusion = np.array(summary["confusion"])
    assert confusion.shape == (expected.shape[1],) * 2 and confusion.sum() == N_INPUTS
    assert summary["golden_accuracy"] == pytest.approx(np.mean(expected.argmax(1) == labels))
