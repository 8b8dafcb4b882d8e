"""Atomic training checkpoints: everything needed to continue a run exactly where it stopped.

A checkpoint is one ``torch.save`` file holding the model and optimizer/scheduler state, the
phase, epoch and step inside the epoch, the best validation accuracy (and the weights that gave
it), the RNG states and the history. It is written to a temporary file in the same folder and
renamed over the old one (``os.replace``), so an interruption at any moment leaves either the
old or the new checkpoint, never a torn one.
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from golden.errors import FerhilError

CHECKPOINT_NAME = "checkpoint.pt"


class CheckpointError(FerhilError, RuntimeError):
    """A checkpoint is missing or unreadable; the message says what to do."""


@dataclass
class TrainState:
    """Mutable progress of a training run (saved in every checkpoint).

    Attributes:
        phase: ``"float"``, ``"qat"`` or ``"done"``.
        epoch: the epoch in progress (0-based, within the phase).
        step: batches of ``epoch`` already done.
        best_val: best validation accuracy of the phase so far.
        best_epoch: the epoch that reached it.
        best_model: the model state dict at ``best_val`` (CPU tensors), or ``None``.
        epochs_since_best: epochs without improvement (early stopping).
        history: one dict per finished epoch.
        elapsed_s: training seconds spent over all sessions.
        aug_rng: the augmentation generator state mid-epoch.
        torch_rng: the global torch RNG state mid-epoch (dropout).
        extra: free-form results (test accuracy of phases...).
    """

    phase: str = "float"
    epoch: int = 0
    step: int = 0
    best_val: float = -1.0
    best_epoch: int = -1
    best_model: dict[str, Any] | None = None
    epochs_since_best: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    elapsed_s: float = 0.0
    aug_rng: torch.Tensor | None = None
    torch_rng: torch.Tensor | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(
    path: str | Path,
    state: TrainState,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer | None,
    scheduler: Any | None,
) -> Path:
    """Atomically write ``state`` with the model/optimizer/scheduler state to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "state": state.__dict__,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "python_rng": random.getstate(),
        "numpy_rng": np.random.get_state(),
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        torch.save(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Returns:
        A dict with ``state`` (:class:`TrainState`), ``model``, ``optimizer``, ``scheduler``.

    Raises:
        CheckpointError: when the file is missing or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}; start without --resume")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=False)
    except (OSError, RuntimeError, EOFError) as exc:
        raise CheckpointError(f"{path} is not a readable checkpoint ({exc})") from exc
    random.setstate(payload["python_rng"])
    np.random.set_state(payload["numpy_rng"])
    payload["state"] = TrainState(**payload["state"])
    return payload


@contextmanager
def stop_on_signal() -> Iterator[dict[str, bool]]:
    """Turn SIGINT/SIGTERM into a flag checked between steps (checkpoint, then stop)."""
    flag = {"stop": False}

    def handler(_sig: int, _frame: Any) -> None:
        flag["stop"] = True

    try:
        old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread
        old = {}
    try:
        yield flag
    finally:
        for s, h in old.items():
            signal.signal(s, h)
