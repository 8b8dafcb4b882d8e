"""The known-answer input written next to exports (izer's ``--sample-input``).

A real FER2013 PublicTest face when the archive is present (mapped with
:func:`golden.input_mapping.pixels_to_input`), else a deterministic synthetic face-like pattern
(an oval face with eyes, brows and a mouth on a darker background), so exports are reproducible
on machines without the data set.
"""

from __future__ import annotations

import numpy as np

from fixtures.paths import fer2013_file
from golden.input_mapping import pixels_to_input

#: Index of the PublicTest image used as the sample (any fixed index works).
PUBLICTEST_INDEX = 0


def synthetic_face(height: int = 48, width: int = 48) -> np.ndarray:
    """Return a deterministic uint8 ``(height, width)`` face-like grey image."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    cy, cx = (height - 1) / 2, (width - 1) / 2
    ny, nx = (y - cy) / (0.46 * height), (x - cx) / (0.36 * width)
    img = 40 + 30 * (y / height)
    face = ny**2 + nx**2 <= 1.0
    img = np.where(face, 170 - 40 * (ny**2 + nx**2), img)
    for ex in (-0.4, 0.4):
        eye = ((y - (cy - 0.12 * height)) / 2.5) ** 2 + ((x - (cx + ex * 0.5 * width)) / 4) ** 2
        img = np.where(eye <= 1.0, 35, img)
        brow = (np.abs(y - (cy - 0.24 * height)) <= 1) & (np.abs(x - (cx + ex * 0.5 * width)) <= 5)
        img = np.where(brow, 60, img)
    mouth = (np.abs(y - (cy + 0.22 * height) - 0.02 * (x - cx) ** 2) <= 1.2) & (
        np.abs(x - cx) <= 0.18 * width
    )
    img = np.where(mouth, 70, img)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def default_sample_input(input_shape: tuple[int, ...] = (1, 48, 48)) -> np.ndarray:
    """Return an int8 ``(C, H, W)`` sample: a PublicTest face if available, else synthetic.

    Args:
        input_shape: the model's input shape; a real face is used only for ``(1, 48, 48)``.
    """
    if len(input_shape) != 3:  # 1-D (C, L): seeded random values
        return np.random.default_rng(0).integers(-128, 128, input_shape).astype(np.int8)
    c, h, w = input_shape
    path = fer2013_file("publictest")
    if (c, h, w) == (1, 48, 48) and path is not None:
        with np.load(path) as data:
            pixels = np.asarray(data["images"][PUBLICTEST_INDEX], dtype=np.uint8)
    else:
        pixels = synthetic_face(h, w)
    x = pixels_to_input(pixels)[0]  # (1, H, W)
    return np.repeat(x, c, axis=0).astype(np.int8)
