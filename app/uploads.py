"""Defensive decoding of uploaded photos: size, format and pixel-count limits.

An upload is refused before it is decoded when it is larger than :data:`MAX_UPLOAD_BYTES`, when
its header does not name one of :data:`ALLOWED_FORMATS`, or when it declares more than
:data:`MAX_PIXELS` pixels (a decompression bomb). Only then are the pixels decoded. Nothing is
written to disk.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from app.errors import TooLargeError, UploadError

#: Largest accepted upload (bytes).
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
#: Largest accepted image (pixels); a 24-megapixel photo passes.
MAX_PIXELS = 25_000_000
#: Pillow format names accepted (the header decides, not the file name or the content type).
ALLOWED_FORMATS = frozenset({"PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF"})


@dataclass(frozen=True)
class Upload:
    """A checked upload: its bytes, its format and its size in pixels."""

    data: bytes
    format: str
    width: int
    height: int


def check_upload(data: bytes) -> Upload:
    """Check an uploaded image and decode it once, fully, to prove it is readable.

    Raises:
        UploadError: empty, too large, not an allowed format, too many pixels or corrupt.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise UploadError("the upload is empty; choose a photo (PNG, JPEG, BMP, GIF, WebP, TIFF)")
    if len(data) > MAX_UPLOAD_BYTES:
        raise TooLargeError(
            f"the upload has {len(data):,} bytes, more than the {MAX_UPLOAD_BYTES:,} allowed; "
            "send a smaller photo"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_FORMATS)) as img:
                width, height = img.size
                fmt = str(img.format)
                if width * height > MAX_PIXELS:
                    raise TooLargeError(
                        f"the image has {width}x{height}, more than {MAX_PIXELS:,} pixels; "
                        "send a smaller photo"
                    )
                img.load()
    except UploadError:
        raise
    except UnidentifiedImageError:
        raise UploadError(
            "the upload is not an image in an allowed format; send a PNG, JPEG, BMP, GIF, WebP "
            "or TIFF photo"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLargeError(
            f"the image declares more than {MAX_PIXELS:,} pixels (a decompression bomb?); send "
            "a smaller photo"
        ) from None
    except (
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise UploadError(
            f"the upload is not a readable image in an allowed format ({exc}); send a PNG, "
            "JPEG, BMP, GIF, WebP or TIFF photo"
        ) from None
    return Upload(data, fmt, width, height)
