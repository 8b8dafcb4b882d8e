"""Training data: data-set resolution, stratified validation split, class balancing, batches.

Everything here is a pure function of the config and the seed, so a resumed run sees exactly the
same split, the same per-epoch sample order and the same class weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from fixtures import paths
from fixtures.datasets import CLASSES, Dataset, DatasetError, load_dataset
from golden.input_mapping import pixels_to_input
from models.training.train_config import DataConfig

BALANCE_MODES: tuple[str, ...] = ("none", "oversample", "weights")


def resolve_data(spec: str, labels: str = "fer2013") -> Dataset:
    """Load ``fer2013:<split>`` (through :mod:`fixtures.paths`) or a data-set path.

    Raises:
        DatasetError: when FER2013 is not installed or the path cannot be read.
    """
    if spec.startswith("fer2013:"):
        split = spec.split(":", 1)[1]
        path = paths.fer2013_file(split)
        if path is None:
            raise DatasetError(
                f"FER2013 split {split!r} not found; set $FERHIL_DATA to the folder holding "
                f"{split}.npz (see fixtures/paths.py)"
            )
        return load_dataset(path, labels=labels)  # type: ignore[arg-type]
    return load_dataset(spec, labels=labels)  # type: ignore[arg-type]


def limit_dataset(data: Dataset, limit: int | None, seed: int) -> Dataset:
    """Return a seeded random subset of ``limit`` samples (all when ``limit`` is None)."""
    if limit is None or limit >= len(data):
        return data
    order = np.random.default_rng([seed, 17]).permutation(len(data))[:limit]
    return data.subset(np.sort(order), name=f"{data.name}[:{limit}]")


def stratified_split(
    labels: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices into (train, validation) keeping each class's share; seeded.

    Every class with at least two samples gives ``round(fraction * count)`` (at least one)
    samples to validation.
    """
    rng = np.random.default_rng([seed, 23])
    train, val = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_val = round(fraction * len(idx)) if fraction > 0 else 0
        if fraction > 0 and len(idx) >= 2:
            n_val = min(max(n_val, 1), len(idx) - 1)
        val.append(idx[:n_val])
        train.append(idx[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def class_weights(labels: np.ndarray, power: float, num_classes: int = len(CLASSES)) -> np.ndarray:
    """Return per-class weights ``∝ count**-power`` with a sample-weighted mean of 1."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    w = np.where(counts > 0, np.maximum(counts, 1.0) ** -power, 0.0)
    mean = float((w * counts).sum() / max(counts.sum(), 1.0))
    return w / mean if mean > 0 else w


def epoch_order(labels: np.ndarray, mode: str, power: float, seed: int, epoch: int) -> np.ndarray:
    """Return the sample indices of one epoch (a permutation, or a class-balanced resample).

    ``oversample`` draws ``len(labels)`` samples with replacement, each with probability
    ``∝ weight(class)`` from :func:`class_weights`, so classes appear ``∝ count**(1-power)``.
    """
    rng = np.random.default_rng([seed, 31, epoch])
    if mode == "oversample":
        p = class_weights(labels, power)[labels]
        return rng.choice(len(labels), size=len(labels), replace=True, p=p / p.sum())
    return rng.permutation(len(labels))


@dataclass
class PreparedData:
    """Training, validation and test tensors (float input scale, labels int64)."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    train_name: str
    test_name: str
    train_hash: str
    test_hash: str


def to_input(images: np.ndarray) -> torch.Tensor:
    """Map uint8 ``(N, 48, 48)`` pixels to the float network input ``(N, 1, 48, 48)``."""
    return torch.from_numpy(pixels_to_input(images).astype(np.float32) / 128.0)


def prepare_data(cfg: DataConfig, seed: int) -> PreparedData:
    """Load, subset and split the configured data sets.

    Raises:
        DatasetError: for unreadable data; ValueError for an unknown balance mode.
    """
    if cfg.balance not in BALANCE_MODES:
        raise DatasetError(f"data.balance {cfg.balance!r} must be one of {BALANCE_MODES}")
    train = limit_dataset(resolve_data(cfg.train, cfg.labels), cfg.limit, seed)
    test = limit_dataset(resolve_data(cfg.test), cfg.test_limit, seed)
    tr, va = stratified_split(train.labels, cfg.val_fraction, seed)
    return PreparedData(
        train_x=to_input(train.images[tr]),
        train_y=torch.from_numpy(train.labels[tr]),
        val_x=to_input(train.images[va]),
        val_y=torch.from_numpy(train.labels[va]),
        test_x=to_input(test.images),
        test_y=torch.from_numpy(test.labels),
        train_name=train.name,
        test_name=test.name,
        train_hash=train.hash,
        test_hash=test.hash,
    )
