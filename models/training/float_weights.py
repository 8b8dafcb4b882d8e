"""Float weights of a zoo entry (``float_weights.npz``): write, and rebuild the float network.

The zoo keeps the best float-phase state dict next to the quantized model so that ``ferhil eval``
can report the float accuracy beside the integer one, and so that a zoo model can serve as a
distillation teacher (:mod:`models.training.distill`). The file is a plain ``.npz`` read with
``allow_pickle=False``, so a crafted file cannot run code. Arrays are stored as float16 where every
value survives the cast (finite, within float16's range) and as float32 otherwise; readers widen
them back to float32. float16 halves the file (the 651 K-weight fercnn-v5: 2.4 MB -> 1.2 MB), which
keeps wide 4-bit networks under the 2 MiB limit for tracked files; the float accuracy ``ferhil
eval`` reports is then that of the stored (rounded) weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from golden import format as qformat
from golden.errors import FerhilError
from golden.zoo import resolve_model_path
from models.nn.network import FerNet

FLOAT_WEIGHTS_FILE = "float_weights.npz"


def compact_array(values: np.ndarray) -> np.ndarray:
    """Return ``values`` as float16 when every value survives the cast, else as float32."""
    wide = np.asarray(values, dtype=np.float32)
    with np.errstate(over="ignore"):
        half = wide.astype(np.float16)
    return half if bool(np.all(np.isfinite(half) == np.isfinite(wide))) else wide


def save_float_weights(state: dict[str, torch.Tensor], path: Path) -> Path:
    """Write a state dict's floating-point tensors as a compressed ``.npz`` (no pickle).

    Each array is stored by :func:`compact_array` (float16 where it fits, float32 otherwise).
    """
    arrays = {
        k: compact_array(v.detach().cpu().float().numpy())
        for k, v in state.items()
        if v.is_floating_point()
    }
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
    return path


def read_float_weights(path: Path) -> dict[str, np.ndarray]:
    """Read a ``float_weights.npz`` (no pickle) as ``{state-dict key: float32 array}``."""
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def load_float_net(folder: Path, network_config: dict[str, Any]) -> FerNet | None:
    """Rebuild the float network of a zoo entry from ``float_weights.npz`` (None if absent)."""
    path = folder / FLOAT_WEIGHTS_FILE
    if not path.is_file():
        return None
    net = FerNet(network_config)
    state = {k: torch.from_numpy(v) for k, v in read_float_weights(path).items()}
    own = net.state_dict()
    own.update({k: v.to(own[k].dtype) for k, v in state.items() if k in own})
    net.load_state_dict(own)
    return net.set_mode("float")


class WarmStartError(FerhilError, ValueError):
    """A network cannot start from a zoo entry's float weights; the message says why."""


def warm_start(net: torch.nn.Module, ref: str) -> int:
    """Copy the float weights of the zoo model ``ref`` into ``net`` (same layer shapes only).

    Every floating-point tensor of ``net``'s state dict must be in the entry's
    ``float_weights.npz`` with the same shape, so a warm start can never half-load a network
    of another layout. Integer buffers (batch-norm counters) keep their values.

    Returns:
        The number of tensors copied.

    Raises:
        WarmStartError: when the entry has no float weights or a layer's shape differs.
        ZooError / ModelFormatError: for an unknown or unreadable model.
    """
    path = resolve_model_path(ref)
    weights = path.parent / FLOAT_WEIGHTS_FILE
    if not weights.is_file():
        raise WarmStartError(
            f"init_from: zoo model {ref!r} has no {FLOAT_WEIGHTS_FILE}; name an entry trained "
            "by ferhil train (fercnn-v2 or newer) or drop init_from"
        )
    own = net.state_dict()
    theirs = read_float_weights(weights)
    for key, value in own.items():
        if not value.is_floating_point():
            continue
        if key not in theirs or tuple(theirs[key].shape) != tuple(value.shape):
            got = "missing" if key not in theirs else f"shape {tuple(theirs[key].shape)}"
            raise WarmStartError(
                f"init_from: {ref!r} does not fit this network at {key} (needs "
                f"{tuple(value.shape)}, {got}); init_from needs the same layers and channels"
            )
    copied = 0
    with torch.no_grad():
        for key, value in own.items():
            if value.is_floating_point():
                value.copy_(torch.from_numpy(theirs[key]).to(value.dtype))
                copied += 1
    return copied


def load_zoo_float_net(ref: str) -> FerNet | None:
    """Return the float network of the zoo model ``ref`` (None when it has no float weights).

    Raises:
        ZooError / ModelFormatError: for an unknown or unreadable model.
    """
    path = resolve_model_path(ref)
    config = qformat.load(path).metadata.get("config")
    return load_float_net(path.parent, config) if isinstance(config, dict) else None
