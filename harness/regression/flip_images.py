"""Face images of the samples that changed between two stored runs, for ``comparison.html``.

The comparison page never loads a data set: the harness does, here. A stored run records its
data set (``dataset.path``, or ``generated`` for the stand-in set used without FER2013); the
images of the samples whose prediction or status changed against the baseline are read from it,
matched by sample id and label, and handed to the page as pixel data by sample index. A run
whose data set is no longer readable simply gets a page without images.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from fixtures.datasets import Dataset, DatasetError, load_dataset
from harness.run.test_set import generated_dataset

LOG = logging.getLogger("ferhil.regression")


def changed_ids(base: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, int]:
    """Sample id → index in ``new`` of the samples whose prediction or status changed."""
    before = {str(s.get("id")): s for s in base.get("samples") or [] if s.get("id") is not None}
    changed = {}
    for sample in new.get("samples") or []:
        other = before.get(str(sample.get("id")))
        if other is None or not isinstance(sample.get("index"), int):
            continue
        if (other.get("status", "ok"), other.get("predicted")) != (
            sample.get("status", "ok"),
            sample.get("predicted"),
        ):
            changed[str(sample["id"])] = int(sample["index"])
    return changed


def _recorded_dataset(document: Mapping[str, Any]) -> Dataset | None:
    block = document.get("dataset") or {}
    if block.get("generated") is True:
        return generated_dataset()
    path = block.get("path")
    if not isinstance(path, str) or not Path(path).exists():
        return None
    try:
        return load_dataset(Path(path))
    except (DatasetError, OSError, ValueError) as exc:
        LOG.info("comparison images: data set %s not readable (%s)", path, exc)
        return None


def changed_sample_images(base: Mapping[str, Any], new: Mapping[str, Any]) -> dict[int, np.ndarray]:
    """The 48x48 uint8 face of each changed sample of ``new``, by its sample index."""
    wanted = changed_ids(base, new)
    if not wanted:
        return {}
    data = _recorded_dataset(new)
    if data is None:
        return {}
    labels = {str(s.get("id")): s.get("label") for s in new.get("samples") or []}
    images = {}
    for i, sample_id in enumerate(data.ids):
        index = wanted.get(sample_id)
        if index is not None and int(data.labels[i]) == labels.get(sample_id):
            images[index] = data.images[i]
    LOG.info("comparison images: %d of %d changed samples found", len(images), len(wanted))
    return images
