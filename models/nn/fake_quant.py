"""Differentiable fake quantization for quantization-aware training (QAT) of MAX78000 layers.

The forward values are the hardware's (spec ``max78000-arithmetic.md`` §2.2, §2.4, §2.9); the
gradients use straight-through estimators (STE): rounding, flooring and truncation pass the
gradient through unchanged, clamps pass it only inside the clamp range.

Scales (float values are the hardware integers times a power of two):

* data: ``x_float = x_int8 / 128``;
* weights: ``W_float = w_int / 2**(q-1) * 2**output_shift`` for ``q``-bit weights;
* bias: ``B_float = b_int8 * 2**(output_shift + 1 - q)`` (the accelerator adds ``128 * b_int8``).

With these scales an 8-bit layer output is ``round_half_up(acc_float * 128) / 128`` clamped to
``[-1, 127/128]``: QAT forward values equal the integer simulation up to float32 rounding.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from golden.format import weight_range

#: Largest 8-bit activation value as a float (127/128).
ACT_MAX = 127.0 / 128.0


def round_half_up_ste(x: torch.Tensor) -> torch.Tensor:
    """Return ``floor(x + 0.5)`` with a straight-through gradient."""
    return x + (torch.floor(x + 0.5) - x).detach()


def trunc_ste(x: torch.Tensor) -> torch.Tensor:
    """Return ``x`` truncated toward zero with a straight-through gradient."""
    return x + (torch.trunc(x) - x).detach()


def fake_quant_weight(w: torch.Tensor, output_shift: int, bits: int) -> torch.Tensor:
    """Quantize float weights to ``bits`` bits at ``output_shift`` and return their float value.

    ``w_int = clamp(floor(w * 2**-output_shift * 2**(bits-1) + 0.5), lo, hi)`` (ai8x/izer rule),
    returned as ``w_int / 2**(bits-1) * 2**output_shift``.
    """
    lo, hi = weight_range(bits)
    unit = 2.0 ** (bits - 1)
    scaled = w * (2.0**-output_shift) * unit
    w_int = torch.clamp(round_half_up_ste(scaled), lo, hi)
    return w_int / unit * (2.0**output_shift)


def fake_quant_bias(b: torch.Tensor, output_shift: int, bits: int) -> torch.Tensor:
    """Quantize a float bias to the hardware bias register and return its float value.

    ``b_int = clamp(floor(b / 2**(output_shift + 1 - bits) + 0.5), lo, hi)`` with the q-bit
    range (ai8x limits the bias of a q-bit layer to q bits, as :mod:`golden.quantize` does),
    returned as ``b_int * 2**(output_shift + 1 - bits)``.
    """
    step = 2.0 ** (output_shift + 1 - bits)
    lo, hi = weight_range(bits)
    b_int = torch.clamp(round_half_up_ste(b / step), lo, hi)
    return b_int * step


def quantize_activation(y: torch.Tensor, activation: str) -> torch.Tensor:
    """Round a float layer output to 1/128 steps, clamp to int8 and apply the activation."""
    y = round_half_up_ste(y * 128.0) / 128.0
    return clamp_activation(y, activation)


def clamp_activation(y: torch.Tensor, activation: str) -> torch.Tensor:
    """Apply the activation with the 8-bit saturation of the hardware (float scale)."""
    if activation == "relu":
        return torch.clamp(y, 0.0, ACT_MAX)
    if activation == "abs":
        return torch.clamp(torch.abs(y), max=ACT_MAX)
    return torch.clamp(y, -1.0, ACT_MAX)


def avg_pool_truncating(x: torch.Tensor, kernel: tuple[int, int], stride: int) -> torch.Tensor:
    """Average-pool 1/128-step data like the hardware: the int8 sum divided, toward zero."""
    total = F.avg_pool2d(x * 128.0, kernel, stride, divisor_override=1)
    return trunc_ste(total / (kernel[0] * kernel[1])) / 128.0
