"""Face images of a stored run's samples, for the gallery and the comparison page.

A sample records its data-set id (``test/angry/PublicTest_10116449.jpg``, ``gen-0007``); the
images come from the run's recorded data set (``dataset.path``, or the generated stand-in set
for runs without FER2013), loaded read-only and matched by id and label. A run whose data set is
no longer readable simply has no images. Nothing here is addressed by a request: the path comes
from the result store, and sample indices are checked against the run's own samples.
"""

from __future__ import annotations

import functools
import io
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from fixtures.datasets import Dataset, DatasetError, load_dataset
from harness.run.test_set import generated_dataset

#: Runs whose images are kept in memory.
CACHED_RUNS = 4


@functools.lru_cache(maxsize=2)
def _dataset(path: str | None) -> Dataset | None:
    if path is None:
        return generated_dataset()
    try:
        return load_dataset(Path(path))
    except (DatasetError, OSError, ValueError):
        return None


def sample_images(document: Mapping[str, Any]) -> dict[int, np.ndarray]:
    """Return the 48x48 uint8 image of each sample index whose id and label are found."""
    dataset = document.get("dataset") or {}
    path = dataset.get("path")
    if not (dataset.get("generated") is True or (isinstance(path, str) and Path(path).is_file())):
        return {}
    data = _dataset(None if dataset.get("generated") is True else str(path))
    if data is None:
        return {}
    where = {sample_id: i for i, sample_id in enumerate(data.ids)}
    images = {}
    for sample in document.get("samples") or []:
        i = where.get(str(sample.get("id")))
        if i is not None and int(data.labels[i]) == sample.get("label"):
            images[int(sample["index"])] = data.images[i]
    return images


def png(image: np.ndarray, scale: int = 2) -> bytes:
    """Encode a grey face as PNG, enlarged ``scale`` times (nearest neighbour)."""
    from PIL import Image

    pixels = np.kron(np.asarray(image, dtype=np.uint8), np.ones((scale, scale), np.uint8))
    buf = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buf, format="PNG")
    return buf.getvalue()


class Gallery:
    """Per-run sample images, the last :data:`CACHED_RUNS` runs kept in memory."""

    def __init__(self) -> None:
        self._runs: OrderedDict[str, dict[int, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def images(self, run_id: str, document: Mapping[str, Any]) -> dict[int, np.ndarray]:
        """The images of ``run_id`` (``document`` is its stored results document)."""
        with self._lock:
            if run_id in self._runs:
                self._runs.move_to_end(run_id)
                return self._runs[run_id]
        found = sample_images(document)
        with self._lock:
            self._runs[run_id] = found
            while len(self._runs) > CACHED_RUNS:
                self._runs.popitem(last=False)
        return found

    def cached(self, run_id: str) -> dict[int, np.ndarray] | None:
        """The images of ``run_id`` when they are in memory."""
        with self._lock:
            return self._runs.get(run_id)
