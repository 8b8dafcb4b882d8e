"""Atomic training checkpoints: everything needed to continue a run exactly where it stopped.

A checkpoint is one ``torch.save`` file holding the model and optimizer/scheduler state, the
phase, epoch and step inside the epoch, the best validation accuracy (and the weights that gave
it), the RNG states and the history. It is written to a temporary file in the same folder and
renamed over the old one (``os.replace``), so an interruption at any moment leaves either the
old or the new checkpoint, never a torn one.

A checkpoint holds only tensors, numbers, strings and lists/tuples/dicts of them (numpy RNG state
and numpy scalars are turned into plain values when saved), so :func:`load_checkpoint` reads it
with ``torch.load(weights_only=True)``: a crafted file cannot run code, it is refused.
"""

from __future__ import annotations

import os
import pickle
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
        swa_model: running mean of the weights over the phase's SWA window so far, or ``None``.
        swa_count: epochs folded into ``swa_model``.
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
    swa_model: dict[str, Any] | None = None
    swa_count: int = 0


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
        "numpy_rng": _numpy_rng_state(),
    }
    payload = _plain(payload)
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
        with torch.serialization.safe_globals(list(ALLOWED_GLOBALS)):
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            f"{path} holds objects a ferhil checkpoint never holds and was not loaded (it could "
            "run code); delete it and start without --resume"
        ) from exc
    except (OSError, RuntimeError, EOFError, ValueError) as exc:
        raise CheckpointError(f"{path} is not a readable checkpoint ({exc})") from exc
    try:
        random.setstate(tuple(payload["python_rng"]))
        _set_numpy_rng_state(payload["numpy_rng"])
        payload["state"] = TrainState(**payload["state"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(
            f"{path} is not a ferhil training checkpoint ({exc!r}); start without --resume"
        ) from exc
    checkpoint: dict[str, Any] = payload
    return checkpoint


#: Globals a checkpoint may reference beyond what ``weights_only`` allows by default (tensors,
#: ``OrderedDict``, numbers, strings, containers): none; keep this list short and explicit.
ALLOWED_GLOBALS: tuple[Any, ...] = ()


def _numpy_rng_state() -> dict[str, Any]:
    """Return numpy's legacy global RNG state as plain values."""
    name, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    return {
        "name": str(name),
        "keys": [int(k) for k in keys],
        "pos": int(pos),
        "has_gauss": int(has_gauss),
        "cached_gaussian": float(cached),
    }


def _set_numpy_rng_state(state: dict[str, Any]) -> None:
    keys = np.asarray(state["keys"], dtype=np.uint32)
    np.random.set_state(
        (state["name"], keys, int(state["pos"]), int(state["has_gauss"]), state["cached_gaussian"])
    )


def _plain(value: Any) -> Any:
    """Return ``value`` with numpy scalars as Python numbers, recursively (tensors kept)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, dict):
        return type(value)((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


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
