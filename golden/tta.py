"""Horizontal-flip test-time augmentation (TTA) in integers: the rule the firmware repeats.

One TTA inference runs the int8 model twice, on the input ``x`` (CHW) and on its mirror image
``x[..., ::-1]`` (the last axis, W, reversed; C and H unchanged), and combines the two raw output
vectors ``a`` and ``b`` element by element as

    ``tta = floor((a + b) / 2)``

computed in 64 bits (rounding toward minus infinity, i.e. an arithmetic shift right by one of the
exact sum). The result always lies between ``min(a, b)`` and ``max(a, b)``, so int32 accumulators
stay int32 and int8 outputs stay int8: the device reports it in the same words as a single pass.
The firmware (``firmware/c/agent.c``) computes exactly this; the HIL run compares the two.

The single pass stays the headline figure everywhere; TTA is reported beside it.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from golden.errors import FerhilError
from golden.format import QuantModel
from golden.inference import run

TTA_KINDS: Final = ("hflip",)
"""The TTA kinds ferhil knows (``--tta``)."""


class TtaError(FerhilError, ValueError):
    """An unknown TTA kind or an input TTA cannot flip."""


def check_kind(kind: str) -> str:
    """Return ``kind`` when it is a known TTA kind.

    Raises:
        TtaError: ``kind`` is not one of :data:`TTA_KINDS`.
    """
    if kind not in TTA_KINDS:
        raise TtaError(f"unknown TTA kind {kind!r}: use one of {', '.join(TTA_KINDS)}")
    return kind


def hflip(x: np.ndarray) -> np.ndarray:
    """Return the horizontal mirror of ``x`` (``(C, H, W)`` or ``(N, C, H, W)``): W reversed.

    Raises:
        TtaError: ``x`` has fewer than three axes (a 1-D model's ``(C, L)`` input has no W).
    """
    arr = np.asarray(x)
    if arr.ndim < 3:
        raise TtaError(f"hflip needs (C, H, W) or (N, C, H, W) input, got shape {arr.shape}")
    return np.ascontiguousarray(arr[..., ::-1])


def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return ``floor((a + b) / 2)`` element-wise in int64 (the device's combination rule)."""
    total = np.asarray(a, dtype=np.int64) + np.asarray(b, dtype=np.int64)
    return np.right_shift(total, 1)  # arithmetic shift: floor for negative sums too


def run_tta(
    model: QuantModel, x: np.ndarray, single: np.ndarray | None = None, kind: str = "hflip"
) -> np.ndarray:
    """Return the TTA outputs ``(N, num_outputs)`` int64 of int8-valued ``x`` (``(N, C, H, W)``).

    Args:
        model: the quantized model.
        x: int8-valued input, ``(N, C, H, W)`` or one ``(C, H, W)`` image.
        single: the single-pass outputs :func:`golden.inference.run` gave for ``x`` (computed
            when ``None``); passing them saves one of the two passes.
        kind: the TTA kind (only ``hflip``).
    """
    check_kind(kind)
    arr = np.asarray(x)
    batch = arr if arr.ndim == 4 else arr[None]
    first = run(model, batch) if single is None else np.asarray(single, dtype=np.int64)
    return combine(first.reshape(len(batch), -1), run(model, hflip(batch)))
