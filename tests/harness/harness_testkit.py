"""Shared helpers of the harness tests (imported by the test modules)."""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path

import numpy as np

from golden.format import QuantModel, save
from golden.synthetic import random_legal_model

HIL_DIR = Path(__file__).resolve().parents[2] / "hil"

# pytester's in-process runs restore sys.modules afterwards, so a module first imported inside
# one is imported afresh in the next; SQLAlchemy's compiled caches do not survive that. Import
# what the plugin's session fixtures use (the result store) once, here.
for _name in ("sqlalchemy", "sqlalchemy.orm", "harness.plugin", "harness.regression.recorder"):
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)


def small_model(seed: int = 3, **metadata: object) -> QuantModel:
    """A random legal 48x48 -> 7 model with ``metadata``."""
    model = random_legal_model(np.random.default_rng(seed), max_layers=3, max_channels=8)
    model.metadata.update(metadata)
    return model


def saved_model(tmp_path: Path, seed: int = 3, **metadata: object) -> Path:
    """Save :func:`small_model` under ``tmp_path`` and return the file."""
    return save(small_model(seed, **metadata), tmp_path / f"m{seed}.qmodel.npz")


HARNESS_HIL_TESTS = ("test_identity", "test_golden_match", "test_accuracy", "test_latency")


def copy_hil_suite(pytester) -> None:  # type: ignore[no-untyped-def]
    """Copy the harness's own HIL test files (not the meters' energy test) into pytester.

    The copies get another basename (``test_copy_*``): in a full test session the originals in
    ``hil/`` are already imported under their own names, and pytest's default import mode
    refuses a second module of the same basename from another folder.
    """
    for stem in HARNESS_HIL_TESTS:
        copy = stem.replace("test_", "test_copy_", 1)
        pytester.makepyfile(**{copy: (HIL_DIR / f"{stem}.py").read_text()})


def generated_set(folder: Path, n: int, seed: int = 11) -> Path:
    """Write ``n`` generated 48x48 faces and labels as an npz test set (no FER2013 needed)."""
    from harness.run.test_set import generated_dataset

    ds = generated_dataset(n, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"generated-{n}.npz"
    np.savez(path, images=ds.images, labels=ds.labels)
    return path
