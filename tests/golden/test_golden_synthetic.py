from __future__ import annotations

import numpy as np
import pytest

from golden.format import weight_range
from golden.inference import run_trace
from golden.synthetic import MAX_FLATTEN_FEATURES, MAX_FLATTEN_PIXELS, random_legal_model


@pytest.mark.parametrize("seed", range(10))
def test_random_model_is_valid_and_non_trivial(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = random_legal_model(rng)
    model.validate()
    assert model.input_shape == (1, 48, 48) and model.num_outputs == 7
    assert model.layers[-1].op == "linear"
    x = np.random.default_rng(seed + 1000).integers(-128, 128, (4, 1, 48, 48)).astype(np.int8)
    trace = run_trace(model, x)
    for layer, out in zip(model.layers, trace, strict=True):
        lo, hi = weight_range(layer.weight_bits)
        assert layer.weights.min() >= lo and layer.weights.max() <= hi
        assert -15 <= layer.output_shift + 8 - layer.weight_bits <= 15
        if layer.op == "conv2d":
            assert layer.weights.shape[2] in (1, 3) and 0 <= layer.pad <= 2
        if not layer.wide:
            v = out.values
            assert np.mean(v == 0) < 0.97, layer.name  # not dead
            assert np.mean(np.abs(v) >= 127) < 0.9, layer.name  # not saturated
    flat_in = trace[-2].values[0] if len(trace) > 1 else x[0]
    first_linear = next(layer for layer in model.layers if layer.op == "linear")
    assert first_linear.in_channels <= MAX_FLATTEN_FEATURES
    assert flat_in.shape[-1] * flat_in.shape[-2] <= MAX_FLATTEN_PIXELS or not first_linear.flatten


def test_reproducible_and_options() -> None:
    a = random_legal_model(np.random.default_rng(42), weight_bits_choices=(4,), wide_output=True)
    b = random_legal_model(np.random.default_rng(42), weight_bits_choices=(4,), wide_output=True)
    assert a.hash() == b.hash()
    assert all(layer.weight_bits == 4 for layer in a.layers)
    assert a.wide_output
    c = random_legal_model(
        np.random.default_rng(1), num_classes=3, wide_output=False, use_bias=False
    )
    assert c.num_outputs == 3 and not c.wide_output
    assert all(layer.bias is None for layer in c.layers)
