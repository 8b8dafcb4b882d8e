"""Exact arithmetic primitives: the spec §2.11 worked example and pooling/activation rules."""

from __future__ import annotations

from fractions import Fraction
from math import floor

import numpy as np
import pytest

from golden.arithmetic import (
    ArithmeticArgumentError,
    activate,
    avg_pool2d,
    max_pool2d,
    pool_output_size,
    requantize,
    total_shift,
    truncating_divide,
    zero_pad2d,
)
from golden.errors import FerhilError

X = np.array([[10, -20, 30], [0, 127, -128], [5, 5, 5]])
W = np.array([[1, 2, 3], [-4, 5, -6], [7, -8, 9]])


def test_worked_example_spec_2_11() -> None:
    dot = int((X * W).sum())
    assert dot == 1503
    acc = dot + 128 * (-384 // 128)  # stored bias -384 -> hardware bias floor(-384/128) = -3
    assert acc == 1119
    s = total_shift(-1, 8)
    assert s == -1
    y = activate(requantize(np.array([acc]), s), "relu")
    assert y.tolist() == [4]


def test_ties_round_half_toward_plus_infinity() -> None:
    assert requantize(np.array([-384, 384]), -1).tolist() == [-1, 2]


def test_saturation() -> None:
    assert requantize(np.array([70000, -70000]), -1).tolist() == [127, -128]


def test_four_bit_layer_r5() -> None:
    s = total_shift(-2, 4)
    assert s == 2  # r = 5 -> (acc + 16) >> 5
    acc = np.arange(-200, 200)
    expected = [min(127, max(-128, floor(Fraction(int(a), 32) + Fraction(1, 2)))) for a in acc]
    assert requantize(acc, s).tolist() == expected


@pytest.mark.parametrize("shift", list(range(-15, 16)))
def test_requantize_matches_rational_formula(shift: int) -> None:
    rng = np.random.default_rng(shift + 100)
    acc = np.concatenate([rng.integers(-(1 << 22), 1 << 22, 300), np.arange(-300, 300)])
    got = requantize(acc, shift)
    scale = Fraction(2) ** shift / 128
    expected = [min(127, max(-128, floor(int(a) * scale + Fraction(1, 2)))) for a in acc]
    assert got.tolist() == expected


def test_requantize_rejects_float() -> None:
    with pytest.raises(FerhilError, match="integer"):
        requantize(np.array([1.5]), 0)


def test_activations() -> None:
    y = np.array([-128, -5, 0, 7, 127])
    assert activate(y, "relu").tolist() == [0, 0, 0, 7, 127]
    assert activate(y, "abs").tolist() == [127, 5, 0, 7, 127]
    assert activate(y, "none").tolist() == y.tolist()
    with pytest.raises(ArithmeticArgumentError, match="relu"):
        activate(y, "tanh")


def test_max_pool_matches_loop() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-128, 128, size=(3, 9, 11))
    out = max_pool2d(x, (2, 3), 2)
    assert out.shape == (3, 4, 5)
    for c in range(3):
        for i in range(4):
            for j in range(5):
                assert out[c, i, j] == x[c, 2 * i : 2 * i + 2, 2 * j : 2 * j + 3].max()


def test_avg_pool_truncates_toward_zero() -> None:
    x = np.array([[[-1, -2], [-2, -2]], [[1, 2], [2, 2]], [[-3, -3], [-3, -4]]])
    # sums -7, 7, -13 over 4 -> -1 (not floor -2), 1, -3 (not floor -4)
    assert avg_pool2d(x, 2, 2).ravel().tolist() == [-1, 1, -3]


def test_avg_pool_matches_loop() -> None:
    rng = np.random.default_rng(2)
    x = rng.integers(-128, 128, size=(2, 4, 13, 10))
    out = avg_pool2d(x, (3, 2), 3)
    assert out.shape == (2, 4, 4, 3)
    for idx in np.ndindex(*out.shape):
        n, c, i, j = idx
        window = x[n, c, 3 * i : 3 * i + 3, 3 * j : 3 * j + 2]
        s = int(window.sum())
        expected = abs(s) // 6 * (1 if s >= 0 else -1)
        assert out[idx] == expected


def test_truncating_divide() -> None:
    assert truncating_divide(np.array([-9, -8, -1, 0, 1, 8, 9]), 4).tolist() == [
        -2,
        -2,
        0,
        0,
        0,
        2,
        2,
    ]


def test_pool_output_size() -> None:
    assert pool_output_size(48, 2, 2) == 24
    assert pool_output_size(7, 3, 2) == 3
    assert pool_output_size(5, 5, 16) == 1
    with pytest.raises(ArithmeticArgumentError):
        pool_output_size(2, 3, 1)


def test_zero_pad() -> None:
    x = np.ones((1, 2, 2), dtype=np.int8)
    p = zero_pad2d(x, 2)
    assert p.shape == (1, 6, 6)
    assert p.sum() == 4 and p[0, 2:4, 2:4].tolist() == [[1, 1], [1, 1]]
    assert zero_pad2d(x, 0) is x
