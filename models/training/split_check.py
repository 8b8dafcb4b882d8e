"""Does a zoo model used by a run (warm start, teacher) share the run's validation split?

The validation split is carved from the training set by the seed, ``val_fraction``, ``limit``
and label source. A start point or teacher trained with another split has learnt some of this
run's validation images, so selecting epochs on them would be optimistic. Training still runs
(the user may mean it), but the log and the run's result say so plainly.
"""

from __future__ import annotations

from typing import Any

import yaml

from golden.zoo import resolve_model_path
from models.training.train_config import TrainConfig

TRAINING_CONFIG_FILE = "config.yaml"
SPLIT_KEYS: tuple[str, ...] = ("train", "labels", "val_fraction", "limit")


def split_signature(seed: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Return what decides the train/validation split: the seed and the split-relevant data keys."""
    return {"seed": seed, **{key: data.get(key) for key in SPLIT_KEYS}}


def split_difference(cfg: TrainConfig, ref: str) -> str | None:
    """Describe how the zoo model ``ref`` was split differently from ``cfg`` (None if the same).

    Returns a short reason, also when the entry has no readable training config (then the split
    cannot be confirmed). Raises ``ZooError`` for an unknown model.
    """
    folder = resolve_model_path(ref).parent
    path = folder / TRAINING_CONFIG_FILE
    try:
        theirs = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return f"{ref}: no readable {TRAINING_CONFIG_FILE}, its training split is unknown"
    if not isinstance(theirs, dict) or not isinstance(theirs.get("data"), dict):
        return f"{ref}: {path} has no data section, its training split is unknown"
    mine = split_signature(cfg.seed, {k: getattr(cfg.data, k) for k in SPLIT_KEYS})
    other = split_signature(theirs.get("seed"), theirs["data"])
    changed = [f"{k} {other[k]!r} vs {mine[k]!r}" for k in mine if other[k] != mine[k]]
    if not changed:
        return None
    return f"{ref}: trained on another split ({', '.join(changed)})"


def foreign_splits(cfg: TrainConfig) -> list[str]:
    """Reasons for every zoo model the run uses (``init_from``, teachers) with another split."""
    refs = ([cfg.init_from] if cfg.init_from else []) + (
        list(cfg.distill.teachers) if cfg.distill.enabled else []
    )
    return [reason for ref in refs if (reason := split_difference(cfg, ref)) is not None]


def describe(reasons: list[str]) -> str:
    """One log line for :func:`foreign_splits`'s reasons."""
    return (
        "validation accuracy will be optimistic, the run's validation images may have been "
        "trained on: " + "; ".join(reasons)
    )
