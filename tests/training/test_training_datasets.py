"""Loaders of fixtures.datasets / fixtures.ferplus on small generated fixtures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fixtures import paths
from fixtures.datasets import CLASSES, Dataset, DatasetError, content_hash, load_dataset
from fixtures.ferplus import FERPLUS_COLUMNS, FerPlusError, majority_labels


def _images(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 48, 48), dtype=np.uint8)


def _write_csv(path: Path, images: np.ndarray, labels: list[int], usages: list[str]) -> None:
    rows = ["emotion,pixels,Usage"]
    for img, lab, use in zip(images, labels, usages, strict=True):
        rows.append(f"{lab},{' '.join(str(int(v)) for v in img.ravel())},{use}")
    path.write_text("\n".join(rows) + "\n")


def test_npz_roundtrip(tmp_path: Path) -> None:
    imgs = _images(5)
    labels = np.array([0, 1, 2, 3, 6])
    np.savez(
        tmp_path / "a.npz",
        images=imgs,
        labels=labels,
        filenames=np.array([f"f{i}" for i in range(5)]),
    )
    d = load_dataset(tmp_path / "a.npz")
    assert d.images.shape == (5, 48, 48) and d.images.dtype == np.uint8
    assert d.labels.tolist() == labels.tolist()
    assert d.ids == [f"f{i}" for i in range(5)]
    assert d.name == "a"
    import hashlib

    h = hashlib.sha256(imgs.tobytes() + labels.astype(np.int64).tobytes()).hexdigest()
    assert d.hash == h == content_hash(imgs, labels)


def test_npz_missing_keys_is_clear(tmp_path: Path) -> None:
    np.savez(tmp_path / "b.npz", pictures=_images(2))
    with pytest.raises(DatasetError, match="'images' and 'labels'"):
        load_dataset(tmp_path / "b.npz")


def test_csv_with_usage_filter(tmp_path: Path) -> None:
    imgs = _images(4, 1)
    _write_csv(
        tmp_path / "fer2013.csv",
        imgs,
        [3, 4, 5, 6],
        ["Training", "PublicTest", "Training", "PrivateTest"],
    )
    d = load_dataset(tmp_path / "fer2013.csv", usage="Training")
    assert d.labels.tolist() == [3, 5]
    assert np.array_equal(d.images, imgs[[0, 2]])
    assert d.ids == ["row0", "row2"]
    assert len(load_dataset(tmp_path / "fer2013.csv")) == 4


def test_csv_bad_pixels(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("emotion,pixels,Usage\n1,1 2 x,Training\n")
    with pytest.raises(DatasetError, match=r"bad.csv:2: pixels must be"):
        load_dataset(tmp_path / "bad.csv")
    (tmp_path / "short.csv").write_text("emotion,pixels,Usage\n1,1 2 3,Training\n")
    with pytest.raises(DatasetError, match="3 pixels, need 2304"):
        load_dataset(tmp_path / "short.csv")
    (tmp_path / "label.csv").write_text(
        "emotion,pixels,Usage\n9," + " ".join(["0"] * 2304) + ",Training\n"
    )
    with pytest.raises(DatasetError, match="emotion 9 outside"):
        load_dataset(tmp_path / "label.csv")


def test_folder_any_size_and_colour(tmp_path: Path) -> None:
    (tmp_path / "happy").mkdir()
    (tmp_path / "3").mkdir(exist_ok=True)
    (tmp_path / "sad").mkdir()
    Image.new("RGB", (96, 64), (200, 100, 50)).save(tmp_path / "happy" / "a.png")
    Image.fromarray(_images(1)[0]).save(tmp_path / "sad" / "b.png")
    Image.new("L", (48, 48), 7).save(tmp_path / "3" / "c.jpg")
    d = load_dataset(tmp_path)
    assert sorted(d.labels.tolist()) == [3, 3, 4]
    assert d.images.shape == (3, 48, 48)
    sad = d.ids.index("sad/b.png")
    assert np.array_equal(d.images[sad], _images(1)[0])
    happy = d.ids.index("happy/a.png")
    grey = round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)
    assert abs(int(d.images[happy, 10, 10]) - grey) <= 1


def test_folder_unknown_class(tmp_path: Path) -> None:
    (tmp_path / "bored").mkdir()
    Image.new("L", (48, 48)).save(tmp_path / "bored" / "a.png")
    with pytest.raises(DatasetError, match="unknown class folder 'bored'"):
        load_dataset(tmp_path)


def test_missing_and_unknown_types(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no data set"):
        load_dataset(tmp_path / "nope.npz")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DatasetError, match="unknown data set type"):
        load_dataset(tmp_path / "x.txt")
    with pytest.raises(DatasetError, match="usage= only applies"):
        load_dataset(tmp_path, usage="Training")


def test_dataset_validates_shape() -> None:
    with pytest.raises(DatasetError, match="48, 48"):
        Dataset(np.zeros((2, 10, 10), np.uint8), np.zeros(2, np.int64), ["a", "b"], "x")
    with pytest.raises(DatasetError, match="labels must lie"):
        Dataset(np.zeros((1, 48, 48), np.uint8), np.array([7]), ["a"], "x")


def test_ferplus_majority_votes() -> None:
    # columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
    votes = np.array(
        [
            [0, 8, 2, 0, 0, 0, 0, 0, 0, 0],  # happiness -> 3
            [0, 0, 0, 0, 6, 0, 0, 4, 0, 0],  # anger -> 0
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 10],  # not a face -> dropped
            [0, 0, 0, 0, 0, 0, 0, 7, 3, 0],  # contempt -> dropped
            [5, 5, 0, 0, 0, 0, 0, 0, 0, 0],  # tie -> dropped
            [9, 0, 0, 0, 0, 0, 1, 0, 0, 0],  # neutral -> 6
        ]
    )
    labels, keep = majority_labels(votes)
    assert keep.tolist() == [True, True, False, False, False, True]
    assert labels[keep].tolist() == [
        CLASSES.index("happy"),
        CLASSES.index("angry"),
        CLASSES.index("neutral"),
    ]


def test_ferplus_through_npz_rows(tmp_path: Path) -> None:
    header = "Usage,Image name," + ",".join(FERPLUS_COLUMNS)
    rows = [
        "Training,fer0.png,0,0,0,0,0,0,10,0,0,0",  # fear
        "Training,fer1.png,0,0,10,0,0,0,0,0,0,0",  # surprise
        "Training,,0,0,0,0,0,0,0,0,0,10",  # NF
    ]
    (tmp_path / "fer2013new.csv").write_text("\n".join([header, *rows]) + "\n")
    np.savez(
        tmp_path / "t.npz",
        images=_images(4),
        labels=np.array([0, 0, 0, 0]),
        fer2013_row=np.array([1, 0, 2, -1]),
    )
    d = load_dataset(tmp_path / "t.npz", labels="ferplus")
    assert d.labels.tolist() == [CLASSES.index("surprise"), CLASSES.index("fear")]
    assert len(d) == 2
    with pytest.raises(FerPlusError, match="no FER\\+ file"):
        load_dataset(tmp_path / "t.npz", labels="ferplus", ferplus_csv=tmp_path / "none.csv")


@pytest.mark.data
def test_real_publictest_counts() -> None:
    path = paths.fer2013_file("publictest")
    if path is None:
        pytest.skip("FER2013 archives not installed (fixtures.paths.fer2013_dir() is None)")
    d = load_dataset(path)
    assert d.class_counts().tolist() == [467, 56, 496, 895, 653, 415, 607]
