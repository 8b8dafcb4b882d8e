"""golden/tta.py: the mirror, the integer combination rule the firmware repeats, run_tta."""

import numpy as np
import pytest

from golden.inference import run
from golden.synthetic import random_legal_model
from golden.tta import TtaError, check_kind, combine, hflip, run_tta


def test_hflip_reverses_only_the_width_axis():
    x = np.arange(2 * 3 * 4, dtype=np.int64).reshape(2, 3, 4)
    y = hflip(x)
    assert y.shape == x.shape and y.flags["C_CONTIGUOUS"]
    assert y[1, 2].tolist() == x[1, 2, ::-1].tolist()
    assert y[0, :, 0].tolist() == x[0, :, 3].tolist()  # rows and channels keep their places
    np.testing.assert_array_equal(hflip(y), x)  # an involution
    batch = np.stack([x, x + 100])
    np.testing.assert_array_equal(hflip(batch)[1], hflip(x + 100))
    with pytest.raises(TtaError, match=r"\(C, H, W\)"):
        hflip(np.zeros((3, 4)))


def test_combine_is_floor_of_the_mean_in_64_bits():
    a = np.array([3, -3, -4, 5, 0, -1, 2**31 - 1, -(2**31), -(2**31), 127, -128])
    b = np.array([4, -4, -4, -6, 1, 0, 2**31 - 1, -(2**31), 2**31 - 1, 126, -127])
    got = combine(a, b)
    assert got.dtype == np.int64
    assert got.tolist() == [3, -4, -4, -1, 0, -1, 2**31 - 1, -(2**31), -1, 126, -128]
    # exact floor((a + b) / 2) for any int32 pair, always within [min, max] (int32/int8 stay so)
    rng = np.random.default_rng(0)
    a, b = (rng.integers(-(2**31), 2**31, 20000) for _ in range(2))
    want = [(int(p) + int(q)) // 2 for p, q in zip(a, b, strict=True)]
    assert combine(a, b).tolist() == want
    assert np.all(combine(a, b) >= np.minimum(a, b)) and np.all(combine(a, b) <= np.maximum(a, b))


def test_run_tta_is_the_combination_of_both_passes():
    model = random_legal_model(np.random.default_rng(4), max_layers=3, max_channels=8)
    c, h, w = model.input_shape
    x = np.random.default_rng(1).integers(-128, 128, (5, c, h, w), dtype=np.int64)
    want = combine(run(model, x), run(model, x[..., ::-1]))
    np.testing.assert_array_equal(run_tta(model, x), want)
    np.testing.assert_array_equal(run_tta(model, x, single=run(model, x)), want)
    np.testing.assert_array_equal(run_tta(model, x[0])[0], want[0])  # one (C, H, W) image
    symmetric = np.concatenate([x[..., : w // 2], x[..., : w // 2][..., ::-1]], axis=-1)
    if w % 2 == 0:  # a mirror-symmetric image: TTA equals the single pass
        np.testing.assert_array_equal(run_tta(model, symmetric), run(model, symmetric))


def test_unknown_kind_is_refused():
    assert check_kind("hflip") == "hflip"
    with pytest.raises(TtaError, match="use one of hflip"):
        check_kind("vflip")
