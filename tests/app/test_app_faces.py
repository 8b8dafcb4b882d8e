from __future__ import annotations

import io

import numpy as np
from app_testkit import encoded, face_photo
from PIL import Image

from app.faces import FACE_MARGIN, detect_boxes, find_faces, widen
from app.uploads import check_upload
from harness.cli.image_input import load_face


def test_drawn_face_is_found_once_and_cropped_like_ferhil_predict(tmp_path) -> None:
    photo = face_photo()
    faces = find_faces(check_upload(encoded(photo)))
    assert len(faces) == 1 and faces[0].detected
    x, y, w, h = faces[0].box
    assert 200 < x + w / 2 < 440 and 140 < y + h / 2 < 340 and w > 100
    left, top, cw, ch = widen(faces[0].box, *photo.size)
    crop = tmp_path / "crop.png"
    photo.crop((left, top, left + cw, top + ch)).save(crop)
    assert np.array_equal(faces[0].pixels, load_face(crop))  # ferhil predict's preprocessing


def test_two_faces_are_both_scored() -> None:
    photo = Image.new("RGB", (1280, 480), (200, 200, 200))
    photo.paste(face_photo(), (0, 0))
    photo.paste(face_photo(), (640, 0))
    faces = find_faces(check_upload(encoded(photo)))
    assert len(faces) == 2
    assert sorted(f.box[0] < 640 for f in faces) == [False, True]


def test_48x48_crop_is_one_face_unchanged(tmp_path) -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (48, 48), dtype=np.uint8)
    data = encoded(Image.fromarray(pixels))
    faces = find_faces(check_upload(data))
    assert [f.box for f in faces] == [(0, 0, 48, 48)] and not faces[0].detected
    assert np.array_equal(faces[0].pixels, pixels)


def test_photo_without_face_scores_the_centred_square_like_ferhil_predict() -> None:
    photo = Image.new("RGB", (300, 200), (30, 90, 200))
    data = encoded(photo)
    faces = find_faces(check_upload(data))
    assert [(f.box, f.detected) for f in faces] == [((50, 0, 200, 200), False)]
    assert np.array_equal(faces[0].pixels, load_face(io.BytesIO(data)))


def test_exif_rotation_is_applied_before_detection() -> None:
    photo = face_photo().rotate(90, expand=True)  # stored sideways (turned left)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn right to display
    buf = io.BytesIO()
    photo.save(buf, format="JPEG", exif=exif.tobytes())
    faces = find_faces(check_upload(buf.getvalue()))
    assert len(faces) == 1 and faces[0].detected


def test_widen_adds_the_margin_and_clips() -> None:
    m = round(100 * FACE_MARGIN)
    assert widen((50, 50, 100, 100), 640, 480) == (50 - m, 50 - m, 100 + 2 * m, 100 + 2 * m)
    assert widen((0, 0, 100, 100), 105, 480) == (0, 0, 105, 100 + m)


def test_blank_image_has_no_face() -> None:
    assert detect_boxes(np.full((240, 320), 128, np.uint8)) == []


def test_cmyk_and_16_bit_photos_are_scored() -> None:
    cmyk = io.BytesIO()
    face_photo().convert("CMYK").save(cmyk, format="JPEG", quality=95)
    faces = find_faces(check_upload(cmyk.getvalue()))
    assert len(faces) == 1 and faces[0].detected and faces[0].pixels.shape == (48, 48)
    deep = Image.fromarray(np.asarray(face_photo().convert("L"), np.uint16) * 257)
    faces = find_faces(check_upload(encoded(deep)))
    assert len(faces) >= 1 and faces[0].pixels.shape == (48, 48)
