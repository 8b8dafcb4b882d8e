"""Turn any image file into the 48x48 grey uint8 face the models take.

Rule: apply the EXIF orientation, scale 16-bit and float grey to 8 bits (:func:`wide_to_grey`;
Pillow alone would clip them to white), convert to 8-bit grey (Pillow ``L``: ITU-R 601 luma
``0.299 R + 0.587 G + 0.114 B``; transparent pixels are composited on white), crop the largest
centred square (faces keep their proportions; FER2013 crops are square), then resize to 48x48
with Pillow's bilinear filter (antialiased when shrinking). A 48x48 grey image passes unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np

from harness.errors import ConfigError

FACE_SIZE = 48


#: Largest image ferhil decodes (50 megapixels); a bigger file is refused before decoding.
MAX_IMAGE_PIXELS = 50_000_000


def center_square(width: int, height: int) -> tuple[int, int, int, int]:
    """Return the ``(left, top, right, bottom)`` box of the largest centred square."""
    side = min(width, height)
    left = (width - side) // 2
    top = (height - side) // 2
    return left, top, left + side, top + side


def wide_to_grey(pixels: np.ndarray, mode: str, path: object) -> np.ndarray:
    """Scale a 16-bit, 32-bit integer or float grey image to uint8 (Pillow would clip it).

    16-bit images (``I;16*``, or ``I`` with values up to 65,535) are divided by 257, so 65,535
    becomes 255; ``I`` images within 0..255 pass unchanged; float images in 0..1 are scaled by
    255 and float images in 0..255 kept.

    Raises:
        ConfigError: values outside those ranges (the scale is unknown).
    """
    values = pixels.astype(np.float64)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if mode.startswith("I;16") or (mode == "I" and low >= 0 and 255 < high <= 65535):
        scaled = values / 257.0
    elif mode == "F" and low >= 0 and high <= 1.0:
        scaled = values * 255.0
    elif low >= 0 and high <= 255:
        scaled = values
    else:
        raise ConfigError(
            f"{path}: {mode} pixels range {low:g}..{high:g}, which has no known grey scale; "
            "save the image as 8- or 16-bit grey or RGB (PNG or JPEG)"
        )
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def load_face(path: str | Path | IO[bytes], size: int = FACE_SIZE) -> np.ndarray:
    """Read ``path`` (any format Pillow reads; or an open binary file) as a ``(size, size)`` grey.

    Raises:
        ConfigError: when the file is missing or not an image.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = Path(path) if isinstance(path, (str, Path)) else path
    try:
        with Image.open(p) as opened:  # lazy: the size is known before any pixel is decoded
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ConfigError(
                    f"image {p} has {width}x{height} pixels, more than the {MAX_IMAGE_PIXELS:,} "
                    "ferhil reads; scale it down first"
                )
            img = ImageOps.exif_transpose(opened)
            if img.mode.startswith("I") or img.mode == "F":  # 16/32-bit grey, float grey
                img = Image.fromarray(wide_to_grey(np.asarray(img), img.mode, p), mode="L")
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                rgba = img.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                img = Image.alpha_composite(white, rgba)
            grey = img.convert("L")
            grey = grey.crop(center_square(*grey.size))
            if grey.size != (size, size):
                grey = grey.resize((size, size), Image.Resampling.BILINEAR)
            return np.asarray(grey, dtype=np.uint8).copy()
    except FileNotFoundError:
        raise ConfigError(f"image {p} does not exist") from None
    except Image.DecompressionBombError:
        raise ConfigError(
            f"image {p} is larger than the {MAX_IMAGE_PIXELS:,} pixels ferhil reads; "
            "scale it down first"
        ) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ConfigError(f"cannot read {p} as an image ({exc}); use PNG, JPEG, BMP...") from None
