"""16-bit, 32-bit, float and palette images become the right 8-bit grey, or a clear error."""

import numpy as np
import pytest
from PIL import Image

from harness.cli.image_input import load_face
from harness.errors import ConfigError

RAMP8 = np.tile(np.arange(0, 240, 5, dtype=np.uint8), (48, 1))  # 48 columns, 0..235


def test_16_bit_grey_png_is_scaled_not_clipped_to_white(tmp_path) -> None:
    path = tmp_path / "g16.png"
    Image.fromarray(RAMP8.astype(np.uint16) * 257).save(path)  # the same ramp at 16 bits
    assert Image.open(path).mode.startswith("I")
    assert np.array_equal(load_face(path), RAMP8)


def test_palette_png_uses_its_palette_colours(tmp_path) -> None:
    rgb = np.stack([RAMP8] * 3, axis=-1)
    path = tmp_path / "p.png"
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=256).save(path)
    assert Image.open(path).mode == "P"
    assert np.abs(load_face(path).astype(int) - RAMP8).max() <= 2


def test_float_and_32_bit_grey(tmp_path) -> None:
    path = tmp_path / "f.tiff"
    Image.fromarray(RAMP8.astype(np.float32) / 255.0).save(path)
    assert np.abs(load_face(path).astype(int) - RAMP8).max() <= 1
    wild = tmp_path / "wild.tiff"
    Image.fromarray(np.full((48, 48), 1e6, dtype=np.float32)).save(wild)
    with pytest.raises(ConfigError, match="no known grey scale"):
        load_face(wild)
