"""Images for the web-app tests: a drawn face the detector finds, and encoding helpers."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def face_photo(width: int = 640, height: int = 480) -> Image.Image:
    """A drawn face (head, brows, eyes, nose, mouth) that OpenCV's frontal-face cascade finds."""
    image = Image.new("L", (width, height), 200)
    draw = ImageDraw.Draw(image)
    cx, cy, r = width // 2, height // 2, min(width, height) * 0.23
    draw.ellipse((cx - r * 0.85, cy - r * 1.1, cx + r * 0.85, cy + r * 1.1), fill=170)
    for side in (-1, 1):
        ex = cx + side * r * 0.36
        draw.ellipse((ex - r * 0.18, cy - r * 0.41, ex + r * 0.18, cy - r * 0.23), fill=40)
        draw.rectangle((ex - r * 0.25, cy - r * 0.56, ex + r * 0.25, cy - r * 0.49), fill=60)
    draw.polygon(
        [(cx, cy - r * 0.18), (cx - r * 0.11, cy + r * 0.23), (cx + r * 0.11, cy + r * 0.23)],
        fill=140,
    )
    draw.ellipse((cx - r * 0.35, cy + r * 0.41, cx + r * 0.35, cy + r * 0.59), fill=70)
    return image.convert("RGB")


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
