"""Small greyscale images (48x48 FER2013 faces) as inline base64 PNG data URIs."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from reports.common.coerce import ReportDataError


def to_uint8_image(image: np.ndarray) -> np.ndarray:
    """Return a 2-D uint8 view of a face image.

    Accepts uint8 pixels, int8 device input (``pixel - 128``, mapped back) and a leading channel
    axis of size 1.

    Raises:
        ReportDataError: the array is not a single greyscale image of those types.
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 2 or array.size == 0:
        raise ReportDataError(
            f"an image must be a 2-D greyscale array such as (48, 48), got shape {array.shape}"
        )
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.int8:
        return (array.astype(np.int16) + 128).astype(np.uint8)
    raise ReportDataError(
        f"an image must be uint8 pixels or int8 device input, got dtype {array.dtype}; "
        "pass the dataset images (fixtures Dataset.images)"
    )


def image_data_uri(image: np.ndarray) -> str:
    """Encode a face image as a ``data:image/png;base64,...`` URI."""
    buf = io.BytesIO()
    Image.fromarray(to_uint8_image(image), mode="L").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
