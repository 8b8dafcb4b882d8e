"""FerNet "simulate" mode is bit-exact with golden.inference.run; QAT and BN folding sanity."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn

from golden.inference import run
from golden.outputs import dequantize_outputs
from golden.synthetic import random_legal_model
from models.nn.layers import FusedConv2d, set_mode
from models.nn.network import FerNet, from_quant_model, to_quant_model

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _random_config(rng: np.random.Generator, h: int, w: int, classes: int) -> dict[str, Any]:
    """A random legal FerNet configuration on a small (C, h, w) input."""
    layers: list[dict[str, Any]] = []
    size_h, size_w = h, w
    for i in range(int(rng.integers(1, 4))):
        pool = None
        if rng.random() < 0.5 and min(size_h, size_w) >= 2:
            pool = {"kind": str(rng.choice(["max", "avg"])), "kernel": 2, "stride": 2}
            size_h, size_w = (size_h - 2) // 2 + 1, (size_w - 2) // 2 + 1
        k = int(rng.choice([1, 3]))
        layers.append(
            {
                "name": f"c{i}",
                "op": "conv2d",
                "out_channels": int(rng.integers(1, 9)),
                "kernel_size": k,
                "pad": k // 2,
                "pool": pool,
                "batchnorm": bool(rng.random() < 0.7),
                "activation": str(rng.choice(["relu", "abs", "none"])),
                "weight_bits": int(rng.choice([8, 4, 2, 1])),
                "bias": bool(rng.random() < 0.7),
            }
        )
    wide = bool(rng.random() < 0.5)
    layers.append(
        {
            "name": "fc",
            "op": "linear",
            "out_channels": classes,
            "flatten": True,
            "wide": wide,
            "activation": "none" if wide else str(rng.choice(["relu", "none"])),
            "weight_bits": int(rng.choice([8, 4])),
        }
    )
    return {
        "input_shape": [int(rng.integers(1, 3)), h, w],
        "classes": [f"k{i}" for i in range(classes)],
        "layers": layers,
    }


def _randomize_bn(net: nn.Module, rng: np.random.Generator) -> None:
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            assert m.running_mean is not None and m.running_var is not None
            m.running_mean.copy_(torch.from_numpy(rng.normal(0, 0.1, n)).float())
            m.running_var.copy_(torch.from_numpy(rng.uniform(0.01, 0.2, n)).float())
            m.weight.data.copy_(torch.from_numpy(rng.uniform(0.2, 1.0, n)).float())
            m.bias.data.copy_(torch.from_numpy(rng.normal(0, 0.1, n)).float())


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), h=st.integers(4, 12), w=st.integers(4, 12))
def test_simulate_matches_golden_on_synthetic_models(seed: int, h: int, w: int) -> None:
    rng = np.random.default_rng(seed)
    model = random_legal_model(rng, input_shape=(2, h, w), max_layers=4, max_channels=8)
    # izer refuses pad >= kernel size (1x1 with pad > 0); golden.synthetic may still draw it.
    assume(all(q.op == "linear" or q.pad < q.kernel_size for q in model.layers))
    x = rng.integers(-128, 128, (3, 2, h, w)).astype(np.int8)
    net = from_quant_model(model)
    np.testing.assert_array_equal(net.simulate(x), run(model, x))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), h=st.integers(4, 10), w=st.integers(4, 10))
def test_simulate_of_trained_net_matches_golden(seed: int, h: int, w: int) -> None:
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed % 2**31)
    net = FerNet(_random_config(rng, h, w, classes=3)).eval()
    _randomize_bn(net, rng)
    qmodel = to_quant_model(net, "prop", "1")
    x = rng.integers(-128, 128, (3, *net.input_shape)).astype(np.int8)
    np.testing.assert_array_equal(net.simulate(x), run(qmodel, x))


def test_qat_forward_approximates_simulate() -> None:
    rng = np.random.default_rng(7)
    torch.manual_seed(7)
    config = _random_config(rng, 10, 10, classes=4)
    config["layers"][-1].update(wide=False, activation="none", weight_bits=8)
    net = FerNet(config).eval()
    _randomize_bn(net, rng)
    x = rng.integers(-128, 128, (16, *net.input_shape)).astype(np.int8)
    set_mode(net, "qat")
    with torch.no_grad():
        qat = net(torch.from_numpy(x).float() / 128).numpy() * 128
    sim = net.simulate(x)
    assert np.mean(np.abs(qat - sim) <= 1.0) > 0.95
    assert np.abs(qat - sim).max() <= 16


def test_batchnorm_folding_preserves_float_function() -> None:
    rng = np.random.default_rng(3)
    layer = FusedConv2d(3, 5, 3, pad=1, activation="none").eval()
    _randomize_bn(layer, rng)
    x = torch.from_numpy(rng.uniform(-1, 1, (4, 3, 6, 6))).float()
    w, b = layer.folded_params()
    direct = torch.clamp(torch.nn.functional.conv2d(x, w, b, padding=1), -1, 127 / 128)
    torch.testing.assert_close(layer(x), direct, atol=1e-5, rtol=1e-5)


def test_qat_wide_output_matches_dequantized_simulate() -> None:
    rng = np.random.default_rng(9)
    torch.manual_seed(9)
    config = _random_config(rng, 8, 8, classes=3)
    config["layers"][-1].update(wide=True, activation="none")
    net = FerNet(config).eval()
    _randomize_bn(net, rng)
    qmodel = to_quant_model(net, "w", "1")
    x = rng.integers(-128, 128, (8, *net.input_shape)).astype(np.int8)
    set_mode(net, "qat")
    with torch.no_grad():
        qat = net(torch.from_numpy(x).float() / 128).numpy()
    sim = dequantize_outputs(qmodel, run(qmodel, x))
    np.testing.assert_allclose(qat, sim, atol=0.05 * max(1e-3, float(np.abs(sim).max())))
