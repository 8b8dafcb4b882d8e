"""Exact integer primitives of the MAX78000 CNN accelerator (vectorized numpy).

Every function here computes exactly what ADI's izer simulation (and the hardware) computes;
see ``docs/max78000-arithmetic.md`` section 2:

* requantization (§2.4): with the total shift ``S = output_shift + 8 - weight_bits`` and
  ``r = 7 - S``, ``t = (acc + 2**(r-1)) >> r`` for ``r > 0`` (arithmetic shift: round half toward
  +inf) or ``t = acc << -r`` for ``r <= 0``, then clamp to ``[-128, 127]``;
* activations (§1.2, §2.4): ReLU ``max(y, 0)``, Abs ``min(|y|, 127)``, or none;
* pooling (§2.6), applied to the int8 layer input before the operator: max, or average as
  ``sum / (kh*kw)`` truncated toward zero; output size ``floor((H - k) / stride) + 1``;
* zero padding (§2.4) of the pooled input.

Arrays are integer ``numpy`` arrays laid out ``(..., H, W)`` for the ``*_chw`` pooling helpers and
``(N, H, W, C)`` for the ``*_nhwc`` ones (the layout :mod:`golden.inference` uses internally).
"""

from __future__ import annotations

import numpy as np

from golden.errors import FerhilError

INT8_MIN = -128
INT8_MAX = 127
#: The accelerator accepts total shifts in this closed range (spec §2.3).
TOTAL_SHIFT_MIN = -15
TOTAL_SHIFT_MAX = 15


class ArithmeticArgumentError(FerhilError, ValueError):
    """An argument to an arithmetic primitive is outside what the accelerator supports."""


def total_shift(output_shift: int, weight_bits: int) -> int:
    """Return the total shift ``S = output_shift + 8 - weight_bits`` izer programs (spec §2.3)."""
    return int(output_shift) + 8 - int(weight_bits)


def requantize(acc: np.ndarray, shift: int) -> np.ndarray:
    """Scale accumulators to int8 values the way the accelerator does (spec §2.4).

    Args:
        acc: integer accumulators ``Σ x·w + 128·b`` (any shape, any integer dtype).
        shift: the total shift ``S = output_shift + 8 - weight_bits``.

    Returns:
        int64 array of the same shape with values in ``[-128, 127]`` (before the activation).
    """
    a = np.asarray(acc)
    if not np.issubdtype(a.dtype, np.integer):
        raise ArithmeticArgumentError(f"requantize needs integer accumulators, got dtype {a.dtype}")
    a = a.astype(np.int64, copy=False)
    r = 7 - int(shift)
    # r <= 0: saturate before shifting left, so a large left shift cannot overflow int64.
    shifted = np.clip(a, -(1 << 20), 1 << 20) << (-r) if r <= 0 else (a + (1 << (r - 1))) >> r
    result: np.ndarray = np.clip(shifted, INT8_MIN, INT8_MAX)
    return result


def activate(y: np.ndarray, activation: str) -> np.ndarray:
    """Apply an 8-bit activation to requantized values in ``[-128, 127]``.

    Args:
        y: requantized values.
        activation: ``"relu"`` (``max(y, 0)``), ``"abs"`` (``min(|y|, 127)``) or ``"none"``.

    Returns:
        The activated values (same dtype as ``y``).
    """
    result: np.ndarray
    if activation == "relu":
        result = np.maximum(y, 0)
        return result
    if activation == "abs":
        result = np.minimum(np.abs(y), INT8_MAX)
        return result
    if activation == "none":
        return y
    raise ArithmeticArgumentError(f"unknown activation {activation!r}; use 'relu', 'abs' or 'none'")


def pool_output_size(size: int, kernel: int, stride: int) -> int:
    """Return ``floor((size - kernel) / stride) + 1``; partial windows are dropped (spec §1.2).

    Raises:
        ArithmeticArgumentError: when the window does not fit once.
    """
    if kernel < 1 or stride < 1:
        raise ArithmeticArgumentError(f"pool kernel {kernel} and stride {stride} must be >= 1")
    if size < kernel:
        raise ArithmeticArgumentError(
            f"a pool window of {kernel} does not fit an input of size {size}"
        )
    return (size - kernel) // stride + 1


def _pool_windows_nhwc(
    x: np.ndarray, kernel: tuple[int, int], stride: int
) -> tuple[list[np.ndarray], int, int]:
    """Return the kh*kw strided views whose elementwise max/sum gives the pooled output."""
    kh, kw = kernel
    ho = pool_output_size(x.shape[1], kh, stride)
    wo = pool_output_size(x.shape[2], kw, stride)
    views = [
        x[:, dy : dy + stride * (ho - 1) + 1 : stride, dx : dx + stride * (wo - 1) + 1 : stride, :]
        for dy in range(kh)
        for dx in range(kw)
    ]
    return views, ho, wo


def max_pool_nhwc(x: np.ndarray, kernel: tuple[int, int], stride: int) -> np.ndarray:
    """Max-pool an ``(N, H, W, C)`` integer array; returns the same dtype."""
    views, _, _ = _pool_windows_nhwc(x, kernel, stride)
    out = views[0].copy()
    for v in views[1:]:
        np.maximum(out, v, out=out)
    return out


def truncating_divide(total: np.ndarray, n: int) -> np.ndarray:
    """Integer ``total / n`` truncated toward zero (floor for positive, ceil for negative)."""
    t = np.asarray(total).astype(np.int64, copy=False)
    result: np.ndarray = np.sign(t) * (np.abs(t) // int(n))
    return result


def avg_pool_nhwc(x: np.ndarray, kernel: tuple[int, int], stride: int) -> np.ndarray:
    """Average-pool an ``(N, H, W, C)`` integer array, truncating toward zero (spec §2.6).

    Returns:
        int64 array of pooled values (always within ``[-128, 127]`` for int8 input).
    """
    views, _, _ = _pool_windows_nhwc(x, kernel, stride)
    total = views[0].astype(np.int64)
    for v in views[1:]:
        total += v
    result: np.ndarray = np.clip(
        truncating_divide(total, kernel[0] * kernel[1]), INT8_MIN, INT8_MAX
    )
    return result


def _chw_to_nhwc(x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    lead = x.shape[:-2]
    flat = x.reshape((-1, *x.shape[-2:]))[..., None]
    return flat, lead


def max_pool2d(x: np.ndarray, kernel: int | tuple[int, int], stride: int) -> np.ndarray:
    """Max-pool the last two axes (``(..., H, W)``) of an integer array.

    Args:
        x: integer array, e.g. ``(C, H, W)`` or ``(N, C, H, W)``.
        kernel: window side or ``(kh, kw)``, each 1..16 on the MAX78000.
        stride: the stride in both dimensions.
    """
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    flat, lead = _chw_to_nhwc(np.asarray(x))
    out = max_pool_nhwc(flat, k, stride)[..., 0]
    return out.reshape((*lead, *out.shape[-2:]))


def avg_pool2d(x: np.ndarray, kernel: int | tuple[int, int], stride: int) -> np.ndarray:
    """Average-pool the last two axes of an integer array, truncating toward zero.

    Args:
        x: integer array, e.g. ``(C, H, W)`` or ``(N, C, H, W)``.
        kernel: window side or ``(kh, kw)``.
        stride: the stride in both dimensions.

    Returns:
        int64 array.
    """
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    flat, lead = _chw_to_nhwc(np.asarray(x))
    out = avg_pool_nhwc(flat, k, stride)[..., 0]
    return out.reshape((*lead, *out.shape[-2:]))


def zero_pad2d(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad the last two axes (``(..., H, W)``) by ``pad`` on every side."""
    if pad < 0:
        raise ArithmeticArgumentError(f"padding must be >= 0, got {pad}")
    if pad == 0:
        return np.asarray(x)
    widths = [(0, 0)] * (np.ndim(x) - 2) + [(pad, pad), (pad, pad)]
    return np.pad(np.asarray(x), widths)


def zero_pad_nhwc(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad the spatial axes of an ``(N, H, W, C)`` array by ``pad`` on every side."""
    if pad < 0:
        raise ArithmeticArgumentError(f"padding must be >= 0, got {pad}")
    if pad == 0:
        return x
    return np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
