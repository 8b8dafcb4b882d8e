"""Exact integer MAX78000 arithmetic on integer-valued float64 torch tensors ("simulate" mode).

Tensors hold integers in ``float64``, which represents every MAX78000 accumulator exactly (they
stay far below ``2**53``), so convolution, scaling by powers of two and ``floor`` are exact.
The rules are those of :mod:`golden.arithmetic` (spec ``max78000-arithmetic.md`` §2.4-2.6):
``t = floor(acc * 2**(S - 7) + 1/2)`` with ``S = output_shift + 8 - weight_bits``, clamp to
``[-128, 127]``, then ReLU / Abs; average pooling truncates the window sum toward zero.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from golden.arithmetic import INT8_MAX, INT8_MIN, total_shift
from golden.format import Pool

SIM_DTYPE = torch.float64


def pool_int(x: torch.Tensor, pool: Pool | None) -> torch.Tensor:
    """Pool integer-valued ``(N, C, H, W)`` data like the hardware (max, or truncating average)."""
    if pool is None:
        return x
    if pool.kind == "max":
        return F.max_pool2d(x, pool.kernel, pool.stride)
    total = F.avg_pool2d(x, pool.kernel, pool.stride, divisor_override=1)
    return torch.div(total, pool.kernel[0] * pool.kernel[1], rounding_mode="trunc")


def requantize_int(acc: torch.Tensor, output_shift: int, weight_bits: int) -> torch.Tensor:
    """Scale integer accumulators to int8 values (round half up, then clamp)."""
    s = total_shift(output_shift, weight_bits)
    t = torch.floor(acc * (2.0 ** (s - 7)) + 0.5)
    return torch.clamp(t, INT8_MIN, INT8_MAX)


def activate_int(y: torch.Tensor, activation: str) -> torch.Tensor:
    """Apply ReLU (``max(y, 0)``), Abs (``min(|y|, 127)``) or nothing to int8 values."""
    if activation == "relu":
        return torch.clamp(y, min=0)
    if activation == "abs":
        return torch.clamp(torch.abs(y), max=INT8_MAX)
    return y
