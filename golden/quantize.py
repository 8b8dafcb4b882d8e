"""Post-QAT weight quantization, as ADI's ``quantize.py`` does it (numpy).

Restates ``analogdevicesinc/ai8x-synthesis:izer/quantize.py`` (default ``MAX_BIT_SHIFT`` path,
spec ``max78000-arithmetic.md`` §2.2-2.3) for a layer with ``q``-bit weights:

1. ``limit = quantile(|concat(w, b)|, shift_quantile)`` (1.0 = the maximum);
2. ``bit_shift = clamp(floor(log2(1 / limit)), -7 - q, 23 - q)``;
3. ``w_int = clamp(floor(w * 2**(q-1) * 2**bit_shift + 0.5), -2**(q-1), 2**(q-1) - 1)``;
4. ``b_q`` the same formula on the bias: for ``q < 8`` the bias is limited to the q-bit range;
5. ``output_shift = -bit_shift``.

ADI's checkpoint *stores* the bias as ``b_q * 2**(q-1)``; izer programs the hardware bias register
with ``floor(stored / 2**(q-1))`` (``izer/checkpoint.py:208``), which is ``b_q`` for a freshly
quantized checkpoint. ferhil's model format holds the hardware value; use
:func:`hardware_bias_to_stored` / :func:`stored_bias_to_hardware` to convert.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from golden.errors import FerhilError
from golden.format import WEIGHT_BITS, weight_range


class QuantizationError(FerhilError, ValueError):
    """Quantizer input is unusable; the message says what to pass."""


@dataclass(frozen=True)
class QuantizedParams:
    """One layer's quantized parameters.

    Attributes:
        weights: int8 array of ``weight_bits``-wide values, same shape as the float weights.
        bias: int8 hardware bias register values (``b_q``), or None.
        output_shift: the checkpoint ``output_shift`` (``-bit_shift``).
        weight_bits: the weight width.
    """

    weights: np.ndarray
    bias: np.ndarray | None
    output_shift: int
    weight_bits: int


def _check_bits(weight_bits: int) -> None:
    if weight_bits not in WEIGHT_BITS:
        raise QuantizationError(f"weight_bits {weight_bits} is not one of {WEIGHT_BITS}")


def bit_shift_for(params: np.ndarray, weight_bits: int, shift_quantile: float = 1.0) -> int:
    """Return izer's ``bit_shift`` for the flattened float ``params`` (weights and bias)."""
    _check_bits(weight_bits)
    if not 0.0 < shift_quantile <= 1.0:
        raise QuantizationError(f"shift_quantile must be in (0, 1], got {shift_quantile}")
    mags = np.abs(np.asarray(params, dtype=np.float64).ravel())
    limit = float(np.quantile(mags, shift_quantile)) if mags.size else 0.0
    hi = 23 - weight_bits
    lo = -7 - weight_bits
    if limit <= 0.0:
        return hi
    return int(min(max(np.floor(np.log2(1.0 / limit)), lo), hi))


def _round_clamp(values: np.ndarray, scale: float, weight_bits: int) -> np.ndarray:
    lo, hi = -(1 << (weight_bits - 1)), (1 << (weight_bits - 1)) - 1
    q = np.floor(np.asarray(values, dtype=np.float64) * scale + 0.5)
    return np.clip(q, lo, hi).astype(np.int8)


def quantize_layer(
    weight: np.ndarray,
    bias: np.ndarray | None,
    weight_bits: int,
    shift_quantile: float = 1.0,
) -> QuantizedParams:
    """Quantize one layer's float weights and bias (spec §2.2, MAX_BIT_SHIFT path).

    Args:
        weight: float weights (any shape; conv ``(out, in, k, k)``, linear ``(out, in)``).
        bias: float bias ``(out,)`` or None.
        weight_bits: 8, 4, 2 or 1.
        shift_quantile: quantile of ``|params|`` that sets the shift (1.0 = max).

    Returns:
        The integer weights, the hardware bias ``b_q`` and the ``output_shift``.
    """
    w = np.asarray(weight, dtype=np.float64)
    if not np.all(np.isfinite(w)) or (bias is not None and not np.all(np.isfinite(bias))):
        raise QuantizationError("weights and bias must be finite; the float model has NaN/inf")
    params = w.ravel() if bias is None else np.concatenate([w.ravel(), np.ravel(bias)])
    shift = bit_shift_for(params, weight_bits, shift_quantile)
    scale = float(2.0 ** (weight_bits - 1) * 2.0**shift)
    w_int = _round_clamp(w, scale, weight_bits)
    lo, hi = weight_range(weight_bits)
    w_int = np.clip(w_int, lo, hi).astype(np.int8)  # 1-bit weights are {-1, 0}
    b_int = None if bias is None else _round_clamp(np.asarray(bias), scale, weight_bits)
    return QuantizedParams(w_int, b_int, -shift, weight_bits)


def hardware_bias_to_stored(bias: np.ndarray, weight_bits: int) -> np.ndarray:
    """Return ADI's checkpoint ("stored") bias ``b * 2**(q-1)`` for hardware bias ``b`` (int64)."""
    _check_bits(weight_bits)
    return np.asarray(bias).astype(np.int64) * (1 << (weight_bits - 1))


def stored_bias_to_hardware(stored: np.ndarray, weight_bits: int) -> np.ndarray:
    """Return izer's hardware bias ``floor(stored / 2**(q-1))`` as int8.

    Raises:
        QuantizationError: when a result falls outside int8 (izer would reject it too).
    """
    _check_bits(weight_bits)
    hw = np.floor(np.asarray(stored, dtype=np.float64) / float(1 << (weight_bits - 1)))
    if hw.size and (hw.min() < -128 or hw.max() > 127):
        raise QuantizationError(
            f"stored bias maps to hardware values outside int8 [{hw.min():.0f}, {hw.max():.0f}]"
        )
    return hw.astype(np.int8)
