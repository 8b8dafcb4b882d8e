"""Which images a run streams: ``--dataset``, else FER2013 PublicTest, else a generated set.

When FER2013 is absent (CI without the archives) the run uses :func:`generated_dataset`:
deterministic random 48x48 images with labels ``i % 7``. Golden matching and latency are still
meaningful; accuracy is not, so the set is marked ``generated`` and the report says so
(``hil/test_accuracy.py`` skips).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fixtures.datasets import CLASSES, Dataset, load_dataset
from fixtures.paths import fer2013_file
from fixtures.tensor_dataset import TensorDataset, is_tensor_archive, load_tensor_dataset
from harness.errors import ConfigError

GENERATED_SIZE = 70
GENERATED_SEED = 20260101
GENERATED_NOTE = (
    "FER2013 was not found (see fixtures.paths.fer2013_dir), so the run streamed "
    f"{GENERATED_SIZE} generated random images; accuracy on them is meaningless"
)


@dataclass(frozen=True)
class TestSet:
    """The images of one run.

    Attributes:
        dataset: the (possibly limited) images, labels and ids.
        path: where it came from (``None`` for the generated set).
        generated: True for the generated stand-in set.
        samples_total: images in the source before ``--limit``.
        note: a sentence for the report.
    """

    __test__ = False  # not a pytest test class despite its name

    dataset: Dataset | TensorDataset
    path: str | None
    generated: bool
    samples_total: int
    note: str


def generated_dataset(n: int = GENERATED_SIZE, seed: int = GENERATED_SEED) -> Dataset:
    """Return ``n`` deterministic random grey images labelled ``i % 7``."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 48, 48), dtype=np.uint8)
    labels = np.arange(n, dtype=np.int64) % len(CLASSES)
    return Dataset(images, labels, [f"gen-{i:04d}" for i in range(n)], "generated")


def limited(ds: Dataset, limit: int | None) -> Dataset:
    """Return ``limit`` images spread evenly over ``ds`` (all when ``limit`` is None).

    FER2013 archives are sorted by class, so the first N images would all be "angry"; an even
    stride keeps the class mix of the whole set. The choice is deterministic.
    """
    return ds.spread(limit)


def select_test_set(spec: str | Path | None, limit: int | None = None) -> TestSet:
    """Load the test set of a run.

    Args:
        spec: ``--dataset`` (a path) or ``None`` for the default.
        limit: keep ``limit`` images spread evenly over the set (see :func:`limited`).

    Raises:
        ConfigError: when an explicit ``spec`` does not exist.
        fixtures.datasets.DatasetError: when it cannot be read.
    """
    if spec is not None:
        path = Path(spec).expanduser()
        if not path.exists():
            raise ConfigError(
                f"--dataset {path} does not exist; pass an .npz (FER images, or int8 model "
                "'inputs' and 'labels'), a Kaggle fer2013.csv or a folder of <class>/ image folders"
            )
        if is_tensor_archive(path):  # a generic test set: int8 model inputs and labels
            tensors = load_tensor_dataset(path)
            return TestSet(
                tensors.spread(limit), str(path), False, len(tensors.labels), tensors.name
            )
        ds = load_dataset(path)
        return TestSet(limited(ds, limit), str(path), False, len(ds.labels), f"{ds.name}")
    public = fer2013_file("publictest")
    if public is not None:
        ds = load_dataset(public)
        note = f"FER2013 PublicTest ({len(ds.labels)} images)"
        return TestSet(limited(ds, limit), str(public), False, len(ds.labels), note)
    ds = generated_dataset()
    return TestSet(limited(ds, limit), None, True, len(ds.labels), GENERATED_NOTE)
