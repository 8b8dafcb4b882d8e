"""A drawn face that OpenCV's frontal-face cascade finds: for demos, benchmarks and tests.

No photo of a person needs to be stored or downloaded to exercise face detection end to end.
"""

from __future__ import annotations

from PIL import Image, ImageDraw


def drawn_face(width: int = 640, height: int = 480) -> Image.Image:
    """Return an RGB photo with one drawn face (head, brows, eyes, nose, mouth) in the middle."""
    image = Image.new("L", (width, height), 200)
    draw = ImageDraw.Draw(image)
    cx, cy, r = width // 2, height // 2, min(width, height) * 0.23
    draw.ellipse((cx - r * 0.85, cy - r * 1.1, cx + r * 0.85, cy + r * 1.1), fill=170)
    for side in (-1, 1):
        ex = cx + side * r * 0.36
        draw.ellipse((ex - r * 0.18, cy - r * 0.41, ex + r * 0.18, cy - r * 0.23), fill=40)
        draw.rectangle((ex - r * 0.25, cy - r * 0.56, ex + r * 0.25, cy - r * 0.49), fill=60)
    nose = [(cx, cy - r * 0.18), (cx - r * 0.11, cy + r * 0.23), (cx + r * 0.11, cy + r * 0.23)]
    draw.polygon(nose, fill=140)
    draw.ellipse((cx - r * 0.35, cy + r * 0.41, cx + r * 0.35, cy + r * 0.59), fill=70)
    return image.convert("RGB")
