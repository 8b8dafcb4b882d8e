"""Images for the web-app tests: a drawn face the detector finds, and encoding helpers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from app.drawn_face import drawn_face
from app.state import AppState


def face_photo(width: int = 640, height: int = 480) -> Image.Image:
    """A drawn face that OpenCV's frontal-face cascade finds (:func:`app.drawn_face.drawn_face`)."""
    return drawn_face(width, height)


def encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()


def fer_photo() -> Image.Image | None:
    """A FER2013 PublicTest face (read from ../shared at test time) the detector finds, enlarged
    and placed in a 640x480 grey photo; ``None`` without the data."""
    import numpy as np

    from app.faces import detect_boxes
    from fixtures.datasets import load_dataset
    from fixtures.paths import fer2013_file

    path = fer2013_file("publictest")
    if path is None:
        return None
    images = load_dataset(path).images
    for index in range(0, len(images), 97):
        photo = Image.new("L", (640, 480), 128)
        photo.paste(
            Image.fromarray(images[index]).resize((220, 220), Image.Resampling.BILINEAR), (210, 130)
        )
        if len(detect_boxes(np.asarray(photo))) == 1:
            return photo.convert("RGB")
    return None


@dataclass(frozen=True)
class StoreRuns:
    """A temporary result store holding a baseline run and a newer run of the same data."""

    db: Path
    base_id: str
    new_id: str


@dataclass(frozen=True)
class LiveServer:
    url: str
    state: AppState
