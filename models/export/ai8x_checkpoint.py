"""Read ai8x-training / izer checkpoints safely (``torch.load(weights_only=True)``).

Checkpoints written by ai8x-training pickle the optimizer object next to the weights (for example
``torch.optim.sgd.SGD`` or ``torch.optim.adam.Adam``), which ``weights_only=True`` refuses. Instead
of an unrestricted unpickle, the loader allow-lists:

* those optimizer class names, each mapped to :class:`DroppedObject`, an inert stand-in that
  swallows the pickled state (no torch optimizer is ever built);
* the few numpy globals that ``extras`` values (numpy scalars and arrays) need.

Anything else is refused with :class:`CheckpointLoadError`, naming the global.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import torch

from golden.errors import FerhilError

#: Pickled optimizer classes found in ADI checkpoints; replaced by :class:`DroppedObject`.
DROPPED_GLOBALS: tuple[str, ...] = (
    "torch.optim.sgd.SGD",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.rmsprop.RMSprop",
)


class CheckpointLoadError(FerhilError, ValueError):
    """A checkpoint cannot be read safely; the message says why and what to do."""


class DroppedObject:
    """Inert stand-in for a pickled object ferhil does not need (an optimizer)."""

    def __setstate__(self, state: Any) -> None:
        """Discard the pickled state."""


def _numpy_globals() -> list[Any]:
    core = getattr(np, "_core", None) or np.core
    found: list[Any] = [np.ndarray, np.dtype, core.multiarray._reconstruct, core.multiarray.scalar]
    found += [type(np.dtype(t)) for t in ("int64", "int32", "float64", "float32", "bool")]
    return found


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load an ai8x checkpoint with ``weights_only=True`` and the allow-list above.

    Returns:
        The checkpoint dict (``state_dict``, ``arch``, ``extras``...; optimizers dropped).

    Raises:
        CheckpointLoadError: the file is missing, not a checkpoint, or needs another global.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointLoadError(f"no checkpoint at {path}: give an ai8x *.pth.tar file")
    allowed: list[Any] = [(DroppedObject, name) for name in DROPPED_GLOBALS]
    allowed += _numpy_globals()
    try:
        with torch.serialization.safe_globals(allowed):
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        first = str(exc).split("Unsupported global:", 1)[-1].split(" was not")[0].strip()
        raise CheckpointLoadError(
            f"{path} needs a Python object ferhil does not load ({first}); only weights, "
            "tensors, numpy values and optimizer state are read. Re-save the checkpoint with "
            "only its state_dict, arch and epoch"
        ) from exc
    except (OSError, RuntimeError, EOFError, ValueError) as exc:
        raise CheckpointLoadError(f"{path} is not a readable torch checkpoint ({exc})") from exc
    if not isinstance(ckpt, dict) or not isinstance(ckpt.get("state_dict"), dict):
        raise CheckpointLoadError(f"{path} has no state_dict; is it an ai8x checkpoint?")
    return ckpt


def scalar(state: dict[str, Any], key: str) -> int | None:
    """Return the first value of ``state[key]`` as an int, or None when absent."""
    if key not in state:
        return None
    return int(np.asarray(state[key].numpy()).reshape(-1)[0])
