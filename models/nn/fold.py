"""Batch-norm folding and the bridge from float layer parameters to golden quantized layers.

* :func:`fold_batchnorm`: ``W' = W * g/sqrt(v+eps)``, ``B' = (b - m) * g/sqrt(v+eps) + beta``
  with the running statistics (the float function of an ``eval()`` layer is unchanged).
* :func:`choose_output_shift`: the per-layer ``output_shift`` QAT uses; it is the one
  :func:`golden.quantize.quantize_layer` picks, so QAT and the exported integers agree.
* :func:`quantize_folded`: float folded parameters -> :class:`golden.format.QuantLayer`, via
  :mod:`golden.quantize`; :func:`dequantize_layer` goes back to float values.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from golden.format import Pool, QuantLayer
from golden.quantize import bit_shift_for, quantize_layer


def fold_batchnorm(
    weight: torch.Tensor, bias: torch.Tensor | None, bn: nn.BatchNorm2d | None
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Fold ``bn`` (running statistics) into a conv ``weight``/``bias`` (differentiable).

    Returns:
        ``(weight, bias)``; unchanged when ``bn`` is ``None``.
    """
    if bn is None:
        return weight, bias
    assert bn.running_mean is not None and bn.running_var is not None
    scale = torch.rsqrt(bn.running_var + bn.eps)
    if bn.weight is not None:
        scale = scale * bn.weight
    b0 = bias if bias is not None else torch.zeros_like(bn.running_mean)
    b_new = (b0 - bn.running_mean) * scale
    if bn.bias is not None:
        b_new = b_new + bn.bias
    return weight * scale.reshape(-1, *([1] * (weight.dim() - 1))), b_new


def choose_output_shift(weight: torch.Tensor, bias: torch.Tensor | None, weight_bits: int) -> int:
    """Return the ``output_shift`` golden's quantizer picks for these float parameters."""
    w = weight.detach().double().cpu().numpy()
    b = None if bias is None else bias.detach().double().cpu().numpy()
    params = w.ravel() if b is None else np.concatenate([w.ravel(), b.ravel()])
    return -bit_shift_for(params, weight_bits)


def quantize_folded(
    name: str,
    op: str,
    weight: np.ndarray,
    bias: np.ndarray | None,
    *,
    weight_bits: int,
    activation: str,
    pad: int,
    pool: Pool | None,
    flatten: bool,
    wide: bool,
) -> QuantLayer:
    """Quantize folded float parameters into a golden :class:`QuantLayer`."""
    q = quantize_layer(weight, bias, weight_bits)
    return QuantLayer(
        name=name,
        op=op,  # type: ignore[arg-type]
        weights=q.weights,
        bias=q.bias,
        weight_bits=weight_bits,
        output_shift=q.output_shift,
        activation=activation,  # type: ignore[arg-type]
        pad=pad,
        pool=pool,
        flatten=flatten,
        wide=wide,
    )


def dequantize_layer(layer: QuantLayer) -> tuple[np.ndarray, np.ndarray]:
    """Return float64 ``(weight, bias)`` of a quantized layer (bias zeros when it has none).

    ``W = w_int / 2**(q-1) * 2**output_shift`` and ``B = b * 2**(output_shift + 1 - q)``: the
    float values whose quantization gives ``layer`` back (see :mod:`models.nn.fake_quant`).
    """
    q, s = layer.weight_bits, layer.output_shift
    weight = layer.weights.astype(np.float64) * 2.0 ** (s - (q - 1))
    bias = np.zeros(layer.out_channels) if layer.bias is None else layer.bias.astype(np.float64)
    return weight, bias * 2.0 ** (s + 1 - q)
