from __future__ import annotations

from fractions import Fraction
from math import floor, log2

import numpy as np
import pytest

from golden.format import weight_range
from golden.quantize import (
    QuantizationError,
    bit_shift_for,
    hardware_bias_to_stored,
    quantize_layer,
    stored_bias_to_hardware,
)


def reference_quantize(w: list[float], b: list[float], q: int) -> tuple[list[int], list[int], int]:
    """Spec §2.2 with exact rationals, one value at a time."""
    limit = max(abs(v) for v in w + b)
    shift = min(max(floor(log2(1 / limit)), -7 - q), 23 - q)
    scale = Fraction(2) ** (q - 1) * Fraction(2) ** shift
    lo, hi = -(2 ** (q - 1)), 2 ** (q - 1) - 1

    def qv(v: float) -> int:
        return min(max(floor(Fraction(v) * scale + Fraction(1, 2)), lo), hi)

    return [qv(v) for v in w], [qv(v) for v in b], -shift


@pytest.mark.parametrize("bits", [8, 4, 2, 1])
@pytest.mark.parametrize("seed", range(3))
def test_matches_rational_reference(bits: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.1 * (seed + 1), size=(4, 3, 3, 3))
    b = rng.normal(0, 0.05, size=4)
    got = quantize_layer(w, b, bits)
    rw, rb, shift = reference_quantize(w.ravel().tolist(), b.tolist(), bits)
    assert got.output_shift == shift
    lo, hi = weight_range(bits)
    expected_w = np.clip(np.array(rw), lo, hi)
    assert got.weights.ravel().tolist() == expected_w.tolist()
    assert got.bias is not None and got.bias.tolist() == rb
    assert got.weights.dtype == np.int8 and got.weights.shape == w.shape


def test_bias_limited_to_q_bit_range() -> None:
    w = np.full((1, 4), 0.01)
    b = np.array([0.9])  # limit = 0.9 -> shift 0; 4-bit bias 0.9*8 = 7.2 -> 7, then clamp 7
    got = quantize_layer(w, b, 4)
    assert got.output_shift == 0
    assert got.bias is not None and got.bias.tolist() == [7]
    got2 = quantize_layer(w, np.array([-0.999]), 2)
    assert got2.bias is not None and got2.bias.tolist() == [-2]


def test_shift_quantile_and_clamp() -> None:
    params = np.array([0.001] * 99 + [1.0])
    assert bit_shift_for(params, 8) == 0
    assert bit_shift_for(params, 8, shift_quantile=0.5) == 9  # floor(log2(1000)) = 9
    assert bit_shift_for(np.zeros(3), 8) == 15  # clamp 23 - q
    assert bit_shift_for(np.array([1000.0]), 8) == -10  # floor(log2(1/1000)) = -10 (>= -15)
    assert bit_shift_for(np.array([1e9]), 8) == -15


def test_no_bias_and_bad_input() -> None:
    got = quantize_layer(np.array([[0.5, -0.25]]), None, 8)
    assert got.bias is None and got.weights.tolist() == [
        [127, -64]
    ]  # 0.5*128*2 = 128 clamps to 127 and got.output_shift == -1
    with pytest.raises(QuantizationError, match="weight_bits"):
        quantize_layer(np.ones((1, 1)), None, 3)
    with pytest.raises(QuantizationError, match="finite"):
        quantize_layer(np.array([[np.nan]]), None, 8)


@pytest.mark.parametrize("bits", [8, 4, 2, 1])
def test_bias_conversion_round_trip(bits: int) -> None:
    hw = np.arange(-128, 128, dtype=np.int8)
    stored = hardware_bias_to_stored(hw, bits)
    assert stored.tolist() == [v * 2 ** (bits - 1) for v in range(-128, 128)]
    assert stored_bias_to_hardware(stored, bits).tolist() == hw.tolist()


def test_stored_bias_floor_rule() -> None:
    # ADI's MNIST checkpoint has 8-bit FC biases that are not multiples of 128 (spec §7)
    assert stored_bias_to_hardware(np.array([2936, -1, -129, 127]), 8).tolist() == [22, -1, -2, 0]
    assert stored_bias_to_hardware(np.array([-9, 9]), 4).tolist() == [-2, 1]
    with pytest.raises(QuantizationError, match="int8"):
        stored_bias_to_hardware(np.array([128 * 200]), 8)
