"""Constructor-time MAX78000 rules of the fused layers and their three modes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from golden.arithmetic import avg_pool2d
from golden.errors import FerhilError
from golden.format import Pool, QuantLayer
from models.nn.layers import FusedConv2d, FusedLinear, IllegalLayerError, set_mode


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"stride": 2}, ["stride-2", "pooling"]),
        ({"groups": 2}, ["depthwise", "groups=1"]),
        ({"kernel_size": 5, "pad": 2}, ["5x5", "1x1 and 3x3"]),
        ({"kernel_size": 1, "pad": 1}, ["pad 1", "1x1"]),
        ({"pad": 3}, ["pad 3", "0..2"]),
        ({"activation": nn.LeakyReLU()}, ["LeakyReLU", "ReLU, Abs"]),
        ({"activation": "sigmoid"}, ["sigmoid"]),
        ({"weight_bits": 3}, ["weight_bits 3"]),
        ({"pool": {"kind": "max", "kernel": 17, "stride": 2}}, ["pool", "1..16"]),
        ({"pool": {"kind": "median", "kernel": 2}}, ["median"]),
        ({"dilation": 2}, ["dilation"]),
    ],
)
def test_illegal_conv_arguments_are_refused(kwargs: dict, words: list[str]) -> None:
    with pytest.raises(IllegalLayerError) as info:
        FusedConv2d(4, 8, **{"kernel_size": 3, "pad": 1, **kwargs}, name="convX")
    message = str(info.value)
    assert "convX" in message
    for word in words:
        assert word in message
    assert isinstance(info.value, FerhilError)


def test_illegal_channel_counts_and_wide_activation() -> None:
    with pytest.raises(IllegalLayerError, match="1025 input"):
        FusedConv2d(1025, 8)
    with pytest.raises(IllegalLayerError, match="wide"):
        FusedLinear(16, 7, activation="relu", wide=True, name="fc")
    with pytest.raises(IllegalLayerError, match="mode"):
        set_mode(FusedLinear(4, 2), "int8")  # type: ignore[arg-type]


def test_accepted_activation_spellings() -> None:
    assert FusedConv2d(1, 2, activation=nn.ReLU()).activation == "relu"
    assert FusedConv2d(1, 2, activation="ABS").activation == "abs"
    assert FusedConv2d(1, 2, activation=None).activation == "none"


def test_simulate_avg_pool_truncates_toward_zero() -> None:
    rng = np.random.default_rng(1)
    pool = Pool(kind="avg", kernel=(3, 3), stride=3)
    layer = FusedConv2d(1, 1, 1, pad=0, pool=pool, batchnorm=False, activation="none", bias=False)
    # w = 1 and total shift 7 make the layer output exactly its pooled input.
    identity = QuantLayer("id", "conv2d", np.ones((1, 1, 1, 1), np.int8), None, 8, 7, pool=pool)
    layer.load_quant_layer(identity)
    set_mode(layer, "simulate")
    x = rng.integers(-128, 128, (2, 1, 9, 9))
    got = layer(torch.from_numpy(x).double()).numpy()
    pooled = avg_pool2d(x, 3, 3)
    assert (pooled < 0).any()
    np.testing.assert_array_equal(got, pooled)
    assert not np.array_equal(pooled, np.floor(x.reshape(2, 1, 3, 3, 3, 3).mean(axis=(3, 5))))


def test_float_mode_clamps_like_hardware() -> None:
    layer = FusedLinear(1, 1, activation="relu", bias=False)
    with torch.no_grad():
        layer.op.weight.fill_(4.0)
    y = layer(torch.tensor([[-1.0], [0.1], [1.0]]))
    torch.testing.assert_close(y.ravel(), torch.tensor([0.0, 0.4, 127 / 128]))
    none = FusedLinear(1, 1, activation="none", bias=False)
    with torch.no_grad():
        none.op.weight.fill_(4.0)
    assert none(torch.tensor([[-1.0]])).item() == -1.0


def test_qat_gradients_flow_to_weights_and_batchnorm() -> None:
    layer = FusedConv2d(2, 3, pool={"kind": "avg", "kernel": 2, "stride": 2}).train()
    set_mode(layer, "qat")
    x = torch.rand(4, 2, 6, 6) - 0.5
    layer(x).sum().backward()
    assert layer.op.weight.grad is not None and layer.op.weight.grad.abs().sum() > 0
    assert layer.bn is not None and layer.bn.weight.grad is not None
