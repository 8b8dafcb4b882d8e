from __future__ import annotations

import io
import struct
import zlib

import pytest
from app_testkit import encoded, face_photo
from PIL import Image

from app.errors import UploadError
from app.uploads import MAX_PIXELS, MAX_UPLOAD_BYTES, check_upload


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF"])
def test_allowed_formats_pass(fmt: str) -> None:
    upload = check_upload(encoded(face_photo(64, 48), fmt))
    assert (upload.format, upload.width, upload.height) == (fmt, 64, 48)


def test_empty_and_oversized_uploads_are_refused() -> None:
    with pytest.raises(UploadError, match="empty"):
        check_upload(b"")
    with pytest.raises(UploadError, match="bytes, more than"):
        check_upload(b"\0" * (MAX_UPLOAD_BYTES + 1))


@pytest.mark.parametrize(
    "data",
    [b"GIF89a-not-really", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"%PDF-1.4\n"],
)
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(UploadError, match="allowed format"):
        check_upload(data)


def test_formats_outside_the_allow_list_are_refused() -> None:
    buf = io.BytesIO()
    face_photo(32, 32).save(buf, format="ICO")
    with pytest.raises(UploadError, match="allowed format"):
        check_upload(buf.getvalue())


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [int(MAX_PIXELS**0.5) + 100, 20_000])
def test_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    bomb = _png_header_only(side, side)  # a few hundred bytes declaring 25 to 400 megapixels
    assert len(bomb) < 1000
    with pytest.raises(UploadError, match="more than 25,000,000 pixels"):
        check_upload(bomb)


def test_truncated_image_is_refused() -> None:
    data = encoded(face_photo(), "PNG")
    with pytest.raises(UploadError, match="allowed format"):
        check_upload(data[: len(data) // 2])


def test_a_valid_png_is_decoded_once() -> None:
    data = encoded(Image.new("L", (48, 48), 7))
    assert check_upload(data).data == data
