from __future__ import annotations

import numpy as np
import pytest

from golden.input_mapping import (
    MAPPINGS,
    InputMappingError,
    input_to_float,
    pixel_minus_128,
    pixels_to_input,
)


def test_pixel_minus_128_every_value() -> None:
    p = np.arange(256, dtype=np.uint8)
    got = pixel_minus_128(p)
    assert got.dtype == np.int8
    assert got.tolist() == [v - 128 for v in range(256)]
    # same as flipping the sign bit
    assert (p ^ 0x80).view(np.int8).tolist() == got.tolist()


@pytest.mark.parametrize(
    ("shape", "out_shape"),
    [((48, 48), (1, 1, 48, 48)), ((5, 48, 48), (5, 1, 48, 48)), ((5, 1, 48, 48), (5, 1, 48, 48))],
)
def test_shapes(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=shape).astype(np.uint8)
    x = pixels_to_input(img)
    assert x.shape == out_shape and x.dtype == np.int8
    assert (x.astype(int) + 128).reshape(-1).tolist() == img.reshape(-1).tolist()


def test_rejects_float_pixels() -> None:
    with pytest.raises(InputMappingError, match="uint8"):
        pixels_to_input(np.zeros((48, 48), np.float32))


def test_rejects_bad_shape() -> None:
    with pytest.raises(InputMappingError, match=r"\(N, 1, H, W\)"):
        pixels_to_input(np.zeros((2, 3, 48, 48), np.uint8))


def test_rejects_unknown_mapping() -> None:
    with pytest.raises(InputMappingError, match="pixel_minus_128"):
        pixels_to_input(np.zeros((48, 48), np.uint8), mapping="normalize")


def test_registry_and_float_view() -> None:
    assert set(MAPPINGS) == {"pixel_minus_128"}
    assert input_to_float(np.array([-128, 0, 64], np.int8)).tolist() == [-1.0, 0.0, 0.5]
