"""The portable C kernels are bit-exact with golden inference (host gcc driver)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from firmware_testlib import C_DIR, DRIVER_DIR, STRICT_CFLAGS, DriverRunner, have

from golden.arithmetic import activate, requantize
from golden.format import QuantModel
from golden.inference import run
from golden.synthetic import random_legal_model

pytestmark = pytest.mark.skipif(not have("gcc"), reason="gcc is not installed")


def _features(model: QuantModel) -> set[str]:
    feats = set()
    for layer in model.layers:
        feats.add(f"{layer.op}-w{layer.weight_bits}")
        feats.add(f"act-{layer.activation}")
        if layer.op == "conv2d":
            feats.add(f"k{layer.kernel_size}-pad{layer.pad}")
        if layer.pool is not None:
            feats.add(f"pool-{layer.pool.kind}")
        if layer.bias is not None:
            feats.add("bias")
    feats.add("wide-out" if model.wide_output else "int8-out")
    return feats


def _check(cnn_driver: DriverRunner, model: QuantModel, seed: int, n: int = 12) -> None:
    x = np.random.default_rng(seed).integers(-128, 128, size=(n, *model.input_shape))
    got = cnn_driver(model, x.astype(np.int8))
    expected = run(model, x.astype(np.int8))
    assert got.shape == expected.shape
    bad = np.argwhere(got != expected)
    assert bad.size == 0, f"mismatch at {bad[:5].tolist()}: {got[tuple(bad[0])]} vs golden"


@pytest.mark.parametrize("bits", [8, 4, 2, 1])
@pytest.mark.parametrize("wide", [True, False])
def test_each_weight_width_and_output_kind(cnn_driver: DriverRunner, bits: int, wide: bool) -> None:
    rng = np.random.default_rng(100 * bits + wide)
    model = random_legal_model(
        rng,
        input_shape=(2, 17, 19),
        max_layers=5,
        weight_bits_choices=(bits,),
        wide_output=wide,
    )
    _check(cnn_driver, model, seed=bits)


@pytest.mark.slow
def test_random_models_cover_every_layer_feature(cnn_driver: DriverRunner) -> None:
    seen: set[str] = set()
    for seed in range(24):
        rng = np.random.default_rng(seed)
        shape = (int(rng.integers(1, 4)), int(rng.integers(6, 30)), int(rng.integers(6, 30)))
        model = random_legal_model(rng, input_shape=shape, max_layers=6)
        seen |= _features(model)
        _check(cnn_driver, model, seed=seed, n=8)
    required = {f"conv2d-w{b}" for b in (8, 4, 2, 1)} | {f"linear-w{b}" for b in (8, 4, 2, 1)}
    required |= {"pool-max", "pool-avg", "act-relu", "act-abs", "act-none", "bias"}
    required |= {"wide-out", "int8-out", "k1-pad0", "k3-pad1", "k3-pad2"}
    assert required <= seen, f"not covered: {sorted(required - seen)}"


def test_fer_shaped_model(cnn_driver: DriverRunner, fer_model: QuantModel) -> None:
    _check(cnn_driver, fer_model, seed=3, n=16)


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exe = tmp_path_factory.mktemp("probe") / "kernel_probe"
    subprocess.run(
        [
            "gcc",
            *STRICT_CFLAGS,
            f"-I{C_DIR}",
            str(DRIVER_DIR / "kernel_probe.c"),
            str(C_DIR / "kernels.c"),
            "-o",
            str(exe),
        ],
        check=True,
    )
    return exe


def test_requantize_and_activations_match_golden(probe: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    edges = [0, 1, -1, 127, 128, -128, -129, 384, -384, 1119, 70000, -70000, 2**31 - 1, -(2**31)]
    accs = np.concatenate(
        [edges, rng.integers(-(2**31), 2**31 - 1, 2000), rng.integers(-5000, 5000, 2000)]
    ).astype(np.int32)
    (tmp_path / "a.bin").write_bytes(accs.astype("<i4").tobytes())
    subprocess.run([str(probe), str(tmp_path / "a.bin"), str(tmp_path / "o.bin")], check=True)
    out = np.frombuffer((tmp_path / "o.bin").read_bytes(), np.int8).astype(np.int64)
    shifts = range(-8, 23)
    req = out[: len(accs) * len(shifts)].reshape(len(shifts), len(accs))
    for i, r in enumerate(shifts):
        np.testing.assert_array_equal(req[i], requantize(accs, 7 - r), err_msg=f"r={r}")
    acts = out[len(accs) * len(shifts) :].reshape(3, 256)
    values = np.arange(-128, 128)
    for i, name in enumerate(["none", "relu", "abs"]):
        np.testing.assert_array_equal(acts[i], activate(values, name), err_msg=name)


def test_spec_worked_example(probe: Path, tmp_path: Path) -> None:
    # max78000-arithmetic.md §2.11: acc 1119 with r = 8 -> 4; ties -384 -> -1 and 384 -> 2;
    # saturation 70000 -> 127.
    accs = np.array([1119, -384, 384, 70000], np.int32)
    (tmp_path / "a.bin").write_bytes(accs.astype("<i4").tobytes())
    subprocess.run([str(probe), str(tmp_path / "a.bin"), str(tmp_path / "o.bin")], check=True)
    out = np.frombuffer((tmp_path / "o.bin").read_bytes(), np.int8)
    r8 = out[(8 + 8) * 4 : (8 + 8) * 4 + 4]
    assert r8.tolist() == [4, -1, 2, 127]


@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 1, 5), (1, 2, 2), (3, 4, 1), (1, 2, 7)])
def test_tiny_planes_take_the_edge_paths(
    cnn_driver: DriverRunner, shape: tuple[int, int, int]
) -> None:
    # Planes narrower than the 3x3 kernel exercise every zero-padding branch of ferhil_conv2d_s8.
    convs = 0
    for seed in range(4):
        model = random_legal_model(np.random.default_rng(seed), input_shape=shape, max_layers=5)
        convs += sum(layer.op == "conv2d" for layer in model.layers)
        _check(cnn_driver, model, seed=seed, n=4)
    assert convs > 0
