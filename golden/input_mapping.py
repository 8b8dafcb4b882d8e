"""The one pixel-to-int8 mapping shared by training, golden inference and the device.

``pixel_minus_128``: ``int8 = uint8_pixel - 128`` (ADI's recommended on-device mapping, the same as
``pixel xor 0x80``; spec ``max78000-arithmetic.md`` §2.8). Float training input is ``int8 / 128``.
The mapping is applied on the host only; the device receives exactly the int8 tensor the golden
model consumed, so the two never re-derive it separately.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from golden.errors import FerhilError

DEFAULT_MAPPING = "pixel_minus_128"


class InputMappingError(FerhilError, ValueError):
    """Pixels or the mapping name are unusable; the message says what to pass instead."""


def pixel_minus_128(pixels: np.ndarray) -> np.ndarray:
    """Map uint8 pixels to int8 values ``p - 128`` (0 -> -128, 128 -> 0, 255 -> 127)."""
    return (pixels.astype(np.int16) - 128).astype(np.int8)


#: Registered mappings by name (the name is stored in ``QuantModel.input_mapping``).
MAPPINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "pixel_minus_128": pixel_minus_128,
}


def pixels_to_input(images: np.ndarray, mapping: str = DEFAULT_MAPPING) -> np.ndarray:
    """Map grey uint8 images to the int8 model input.

    Args:
        images: uint8 ``(H, W)``, ``(N, H, W)`` or ``(N, 1, H, W)``.
        mapping: a name in :data:`MAPPINGS`.

    Returns:
        int8 array ``(N, 1, H, W)``.

    Raises:
        InputMappingError: for an unknown mapping, a non-uint8 dtype or an unsupported shape.
    """
    if mapping not in MAPPINGS:
        raise InputMappingError(
            f"unknown input mapping {mapping!r}; known mappings: {', '.join(sorted(MAPPINGS))}"
        )
    arr = np.asarray(images)
    if arr.dtype != np.uint8:
        raise InputMappingError(
            f"pixels must be uint8 grey values 0..255, got dtype {arr.dtype}; convert images "
            "with np.asarray(img, dtype=np.uint8) (floats in [0, 1] need * 255 first)"
        )
    if arr.ndim == 2:
        arr = arr[None, None]
    elif arr.ndim == 3:
        arr = arr[:, None]
    elif arr.ndim != 4 or arr.shape[1] != 1:
        raise InputMappingError(
            f"images must be (H, W), (N, H, W) or (N, 1, H, W) grey pixels, got shape {arr.shape}"
        )
    return MAPPINGS[mapping](arr)


def input_to_float(x: np.ndarray) -> np.ndarray:
    """Return the float training input ``int8 / 128`` (float32) for int8-valued ``x``."""
    return np.asarray(x).astype(np.float32) / 128.0
