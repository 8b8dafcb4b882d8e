"""Imported ADI models (CIFAR-10; KWS20 v3 with Conv1d) on the portable firmware equal golden.

The checkpoints come from the shared ai8x-synthesis copy and are read by
``models.export.import_ai8x``.
CIFAR-10 is built for hostsim and driven over its pseudo-terminal with 200 seeded inputs plus
ADI's sample input. KWS20 v3's generated C is also run directly on the host (``cnn_driver``) over
the same 200 inputs; its run over the agent protocol (16 KiB input in INFER_PART frames) through
``ferhil run`` is in ``test_firmware_imported_run.py``.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import serial
from firmware_testlib import DriverRunner, have

from firmware.builder.build import build_firmware
from firmware.builder.izer import shared_izer_dir
from firmware.host.client import AgentClient
from firmware.host.messages import InferResult
from golden.format import QuantModel
from golden.inference import run
from models.export.import_ai8x import import_ai8x

pytestmark = pytest.mark.slow
N_INPUTS = 200
MODELS = {
    "kws20_v3": (
        "ai85-kws20_v3-qat8-q.pth.tar", "kws20-v3-hwc.yaml", "sample_kws_20.npy", (128, 128)
    ),
    "cifar10": (
        "ai85-cifar10-qat8-q.pth.tar", "cifar10-nas.yaml", "sample_cifar-10.npy", (3, 32, 32)
    ),
}  # fmt: skip


def _model_and_inputs(name: str) -> tuple[QuantModel, np.ndarray]:
    root = shared_izer_dir()
    if root is None:
        pytest.skip("the shared ai8x-synthesis copy is absent")
    if not have("gcc"):
        pytest.skip("gcc is not installed (apt-get install gcc)")
    ckpt, net, sample, shape = MODELS[name]
    model = import_ai8x(root / "trained" / ckpt, root / "networks" / net, input_shape=shape)
    rng = np.random.default_rng(7)
    xs = rng.integers(-128, 128, (N_INPUTS, *shape))
    xs[0] = np.load(root / "tests" / sample)
    return model, xs


def test_imported_kws20_generated_c_matches_golden(cnn_driver: DriverRunner) -> None:
    model, xs = _model_and_inputs("kws20_v3")
    expected = run(model, xs)
    got = cnn_driver(model, xs)
    bad = np.flatnonzero((got != expected).any(axis=1))
    assert bad.size == 0, f"{bad.size} of {N_INPUTS} inputs differ from golden, e.g. {bad[:5]}"
    assert len(set(map(tuple, expected))) > N_INPUTS // 2, "outputs should vary with the input"


def test_imported_cifar10_on_hostsim_matches_golden(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    name = "cifar10"
    model, xs = _model_and_inputs(name)
    expected = run(model, xs)
    artifact = build_firmware("hostsim", model, cache_dir=tmp_path_factory.mktemp(name))
    proc = subprocess.Popen([str(artifact.path), "--pty"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    client = AgentClient(
        serial.Serial(proc.stdout.readline().strip(), 115200, timeout=0.05), timeout=30.0
    )
    try:
        info = client.hello()
        assert info.model_hash == model.hash() and info.num_outputs == expected.shape[1]
        fw_shape = info.input_shape
        items = ((i, x.reshape(fw_shape).astype(np.int8)) for i, x in enumerate(xs))
        results = list(client.infer_stream(items, window=4))
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
    assert len(results) == N_INPUTS
    failed = [r for r in results if not isinstance(r, InferResult) or not r.ok]
    assert not failed, f"{len(failed)} failed, first: {failed[0]}"
    got = np.stack([r.outputs for r in results if isinstance(r, InferResult)])
    bad = np.flatnonzero((got != expected).any(axis=1))
    assert bad.size == 0, f"{bad.size} of {N_INPUTS} inputs differ from golden, e.g. {bad[:5]}"
    assert len(set(map(tuple, expected))) > N_INPUTS // 2, "outputs should vary with the input"
