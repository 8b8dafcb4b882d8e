"""Faces of a photo: OpenCV's bundled Haar cascade finds them, each becomes a 48x48 input.

A photo that already is a 48x48 crop is one face. Otherwise every face the frontal-face cascade
finds is cropped (a square around the detector's box, widened by :data:`FACE_MARGIN` on each side
and clipped to the photo) and goes through the same preprocessing as ``ferhil predict``
(:func:`harness.cli.image_input.load_face`, fed the crop as a lossless PNG). When no face is found
the whole photo is scored the way ``ferhil predict`` scores it (centred square), and the
response says so.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.uploads import Upload
from harness.cli.image_input import FACE_SIZE, load_face

#: Fraction of the detector's box added on each side (FER2013 crops show some forehead and chin).
FACE_MARGIN = 0.1
#: Smallest face searched for, as a fraction of the photo's shorter side.
MIN_FACE_FRACTION = 0.08
#: Longer side of the image the detector searches (larger photos are shrunk for it).
DETECT_SIDE = 400
CASCADE_FILE = "haarcascade_frontalface_default.xml"


@dataclass(frozen=True)
class Face:
    """One face: its box in the (EXIF-rotated) photo, its 48x48 grey pixels, how it was found."""

    box: tuple[int, int, int, int]
    pixels: np.ndarray
    detected: bool


@functools.lru_cache(maxsize=1)
def _cascade() -> Any:
    import cv2

    folder = str(cv2.data.haarcascades)  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(folder + CASCADE_FILE)
    if cascade.empty():  # pragma: no cover - a broken OpenCV install
        raise RuntimeError(f"OpenCV's {CASCADE_FILE} cannot be loaded; reinstall opencv")
    return cascade


def detect_boxes(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Return the ``(x, y, w, h)`` face boxes of a grey uint8 image, largest first.

    Large photos are searched at :data:`DETECT_SIDE` pixels on their longer side (faces smaller
    than :data:`MIN_FACE_FRACTION` of the shorter side are not looked for anyway); the boxes
    are given in the photo's own pixels.
    """
    import cv2

    scale = min(1.0, DETECT_SIDE / max(grey.shape))
    small = grey
    if scale < 1.0:
        size = (round(grey.shape[1] * scale), round(grey.shape[0] * scale))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    side = max(24, int(min(small.shape) * MIN_FACE_FRACTION))
    found = _cascade().detectMultiScale(
        small, scaleFactor=1.1, minNeighbors=5, minSize=(side, side)
    )
    boxes = [
        (round(x / scale), round(y / scale), round(w / scale), round(h / scale))
        for x, y, w, h in np.asarray(found).reshape(-1, 4)
    ]
    return sorted(boxes, key=lambda b: -b[2] * b[3])


def widen(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    """Return ``box`` widened by :data:`FACE_MARGIN` per side, clipped to the photo."""
    x, y, w, h = box
    mx, my = round(w * FACE_MARGIN), round(h * FACE_MARGIN)
    left, top = max(0, x - mx), max(0, y - my)
    right, bottom = min(width, x + w + mx), min(height, y + h + my)
    return left, top, right - left, bottom - top


def _as_png(image: Any) -> io.BytesIO:
    """The crop as a lossless PNG (modes PNG cannot hold, e.g. CMYK, are converted to RGB)."""
    buf = io.BytesIO()
    try:
        image.save(buf, format="PNG", compress_level=0)
    except OSError:
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="PNG", compress_level=0)
    buf.seek(0)
    return buf


def find_faces(upload: Upload) -> list[Face]:
    """Return the faces of a checked upload (see the module docstring)."""
    from PIL import Image, ImageOps

    if (upload.width, upload.height) == (FACE_SIZE, FACE_SIZE):
        pixels = load_face(io.BytesIO(upload.data))
        return [Face((0, 0, FACE_SIZE, FACE_SIZE), pixels, False)]
    with Image.open(io.BytesIO(upload.data)) as opened:
        photo = ImageOps.exif_transpose(opened)
        photo.load()
    grey = np.asarray(photo.convert("L"), dtype=np.uint8)
    boxes = detect_boxes(grey)
    if not boxes:
        side = min(photo.size)
        left, top = (photo.size[0] - side) // 2, (photo.size[1] - side) // 2
        return [Face((left, top, side, side), load_face(io.BytesIO(upload.data)), False)]
    faces = []
    for box in boxes:
        x, y, w, h = widen(box, *photo.size)
        crop = photo.crop((x, y, x + w, y + h))
        faces.append(Face(box, load_face(_as_png(crop)), True))
    return faces
