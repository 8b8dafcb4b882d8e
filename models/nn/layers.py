"""MAX78000-legal fused PyTorch layers: ``FusedConv2d`` and ``FusedLinear``.

Each is one accelerator layer: in-flight pooling, a stride-1 1x1/3x3 convolution or a linear
layer, batch-norm (training only, folded away), ReLU / Abs / none with 8-bit saturation. Illegal
arguments (stride 2, groups, 5x5, LeakyReLU...) raise ``IllegalLayerError`` in the constructor.

Three modes, switched for a whole network with :func:`set_mode`:

``"float"``
    Plain float training. Batch-norm uses batch statistics in ``train()``. Activations clamp like
    the hardware's 8-bit output (ReLU to ``[0, 127/128]``, none to ``[-1, 127/128]``, Abs to
    ``[0, 127/128]``); a wide layer returns its raw float output. Input is ``x_int8 / 128``.
``"qat"``
    Quantization-aware training. Batch-norm is **frozen and folded**: the conv weight and bias
    are combined with the running statistics (:meth:`FusedLayer.folded_params`), the per-layer
    ``output_shift`` is chosen from the folded parameters
    (:func:`models.nn.fold.choose_output_shift`,
    no gradient), weights and bias are fake-quantized (ai8x rule, straight-through estimators),
    average pooling truncates and activations are rounded to 1/128 and clamped. Gradients reach
    the conv weights and the batch-norm affine parameters; running statistics no longer change.
``"simulate"``
    Exact hardware integers: input is int8-valued, every tensor holds integers in float64, and
    the layer uses the integer weights, bias register and shift of :meth:`quant_layer` (computed
    from the float parameters on entering the mode, or loaded from a quantized model). Bit-exact
    with :func:`golden.inference.run`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from golden.format import Pool, QuantLayer
from models.nn import fake_quant as fq
from models.nn import int_sim
from models.nn.fold import choose_output_shift, dequantize_layer, fold_batchnorm, quantize_folded
from models.nn.layer_rules import (
    IllegalLayerError,
    check_activation,
    check_channels,
    check_conv_args,
    check_weight_bits,
    parse_pool,
)

Mode = Literal["float", "qat", "simulate"]
MODES: tuple[str, ...] = ("float", "qat", "simulate")
#: Initial batch-norm scale: keeps early activations inside the 8-bit range (ai8x divides by 4).
BN_INIT_SCALE = 0.25


class FusedLayer(nn.Module):
    """Shared state and modes of the fused layers (not used directly)."""

    op: nn.Conv2d | nn.Linear
    bn: nn.BatchNorm2d | None

    def __init__(self, name: str, activation: Any, weight_bits: int, wide: bool) -> None:
        super().__init__()
        self.layer_name = name
        self.activation = check_activation(name, activation)
        self.weight_bits = check_weight_bits(name, weight_bits)
        self.wide = bool(wide)
        if self.wide and self.activation != "none":
            raise IllegalLayerError(
                f"layer {name!r}: a wide (32-bit output) layer cannot have an activation; "
                "use activation='none'"
            )
        self.mode: Mode = "float"
        self._frozen: QuantLayer | None = None
        self._sim: tuple[torch.Tensor, torch.Tensor, QuantLayer] | None = None

    def folded_params(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return the float weight and bias with batch-norm folded in (running statistics)."""
        return fold_batchnorm(self.op.weight, self.op.bias, self.bn)

    def quant_layer(self, name: str | None = None) -> QuantLayer:
        """Return the quantized form of this layer (loaded, or computed from float params)."""
        if self._frozen is not None:
            return self._frozen
        with torch.no_grad():
            w, b = self.folded_params()
        return quantize_folded(
            name or self.layer_name or "layer",
            self._op_name(),
            w.detach().double().numpy(),
            None if b is None else b.detach().double().numpy(),
            weight_bits=self.weight_bits,
            activation=self.activation,
            pad=self._pad(),
            pool=self._pool(),
            flatten=self._flatten(),
            wide=self.wide,
        )

    def load_quant_layer(self, layer: QuantLayer) -> None:
        """Use ``layer``'s integers in simulate mode and its dequantized values as float params.

        The loaded integers are kept (also by :meth:`quant_layer`) until :meth:`thaw`.
        """
        w, b = dequantize_layer(layer)
        with torch.no_grad():
            self.op.weight.copy_(torch.from_numpy(w))
            if self.op.bias is not None:
                self.op.bias.copy_(torch.from_numpy(b))
        self._frozen = layer
        self._sim = None

    def thaw(self) -> None:
        """Forget loaded integers: quantize from the float parameters again (fine-tuning)."""
        self._frozen = None
        self._sim = None

    def set_layer_mode(self, mode: Mode) -> None:
        """Switch this layer to ``mode`` (see the module docstring)."""
        if mode not in MODES:
            raise IllegalLayerError(f"unknown mode {mode!r}; use one of {MODES}")
        self.mode = mode
        self._sim = None
        if mode == "simulate":
            q = self.quant_layer()
            w = torch.from_numpy(q.weights.astype(np.float64))
            b = np.zeros(q.out_channels) if q.bias is None else q.bias.astype(np.float64)
            self._sim = (w, torch.from_numpy(128.0 * b), q)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the layer in the current mode (see the module docstring)."""
        if self.mode == "simulate":
            return self._forward_sim(x)
        x = self._pool_input(x, quantized=self.mode == "qat")
        if self.mode == "float":
            y = self._compute(x, self.op.weight, self.op.bias)
            if self.bn is not None:
                y = self.bn(y)
            return y if self.wide else fq.clamp_activation(y, self.activation)
        w, b = self.folded_params()
        shift = choose_output_shift(w.detach(), None if b is None else b.detach(), self.weight_bits)
        wq = fq.fake_quant_weight(w, shift, self.weight_bits)
        bq = None if b is None else fq.fake_quant_bias(b, shift, self.weight_bits)
        y = self._compute(x, wq, bq)
        return y if self.wide else fq.quantize_activation(y, self.activation)

    def _forward_sim(self, x: torch.Tensor) -> torch.Tensor:
        if self._sim is None:
            self.set_layer_mode("simulate")
        assert self._sim is not None
        w, b128, q = self._sim
        x = int_sim.pool_int(x.to(int_sim.SIM_DTYPE), q.pool)
        acc = self._compute(x, w, b128)
        if q.wide:
            return acc
        y = int_sim.requantize_int(acc, q.output_shift, q.weight_bits)
        return int_sim.activate_int(y, q.activation)

    def _pool_input(self, x: torch.Tensor, quantized: bool) -> torch.Tensor:
        pool = self._pool()
        if pool is None:
            return x
        if pool.kind == "max":
            return F.max_pool2d(x, pool.kernel, pool.stride)
        if quantized:
            return fq.avg_pool_truncating(x, pool.kernel, pool.stride)
        return F.avg_pool2d(x, pool.kernel, pool.stride)

    def _compute(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
        raise NotImplementedError

    def _op_name(self) -> str:
        raise NotImplementedError

    def _pad(self) -> int:
        return 0

    def _pool(self) -> Pool | None:
        return None

    def _flatten(self) -> bool:
        return False


class FusedConv2d(FusedLayer):
    """Pool (optional) -> Conv2d (1x1/3x3, stride 1, pad 0..2) -> BN (training) -> activation.

    Args:
        in_ch: input channels (1..1024).
        out_ch: output channels (1..1024).
        kernel_size: 3 or 1.
        pad: zero padding 0..2.
        pool: ``None``, a :class:`golden.format.Pool` or ``{"kind", "kernel", "stride"}``.
        batchnorm: add a batch-norm (folded into weight and bias for QAT and export).
        activation: ``"relu"``, ``"abs"`` or ``"none"``.
        weight_bits: 8, 4, 2 or 1.
        bias: give the convolution a bias (a batch-norm always yields one after folding).
        name: layer name used in error messages.
        stride, groups, dilation: must be 1 (accepted to refuse other values clearly).

    Raises:
        IllegalLayerError: for arguments the MAX78000 cannot run.
    """

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        kernel_size: int = 3,
        pad: int = 1,
        pool: Pool | Mapping[str, Any] | None = None,
        batchnorm: bool = True,
        activation: Any = "relu",
        weight_bits: int = 8,
        bias: bool = True,
        *,
        name: str = "",
        stride: Any = 1,
        groups: int = 1,
        dilation: Any = 1,
    ) -> None:
        super().__init__(name, activation, weight_bits, wide=False)
        k = check_conv_args(name, in_ch, out_ch, kernel_size, pad, stride, groups, dilation)
        self.pool = parse_pool(name, pool)
        self.pad = int(pad)
        self.op = nn.Conv2d(in_ch, out_ch, k, padding=self.pad, bias=bias or batchnorm)
        self.bn = nn.BatchNorm2d(out_ch) if batchnorm else None
        if self.bn is not None:
            nn.init.constant_(self.bn.weight, BN_INIT_SCALE)

    def _compute(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
        return F.conv2d(x, w, b, padding=self.pad)

    def _op_name(self) -> str:
        return "conv2d"

    def _pad(self) -> int:
        return self.pad

    def _pool(self) -> Pool | None:
        return self.pool


class FusedLinear(FusedLayer):
    """Linear layer (optionally flattening ``(C, H, W)`` input) -> activation or wide output.

    Args:
        in_f: input features (after flattening: ``C*H*W``).
        out_f: output features.
        activation: ``"relu"``, ``"abs"`` or ``"none"``.
        wide: 32-bit output (the raw accumulator); needs ``activation="none"``.
        flatten: the input is ``(N, C, H, W)`` and is flattened in C-major order.
        weight_bits: 8, 4, 2 or 1.
        bias: give the layer a bias.
        name: layer name used in error messages.

    Raises:
        IllegalLayerError: for arguments the MAX78000 cannot run.
    """

    def __init__(
        self,
        in_f: int,
        out_f: int,
        activation: Any = "none",
        wide: bool = False,
        flatten: bool = False,
        weight_bits: int = 8,
        bias: bool = True,
        *,
        name: str = "",
    ) -> None:
        super().__init__(name, activation, weight_bits, wide=wide)
        where = f"linear layer {name!r}" if name else "linear layer"
        # A flattening layer's C*H*W input is limited by golden.legality (<= 16,384), not 1024.
        check_channels(where, min(in_f, 1024) if flatten else in_f, out_f)
        self.flatten = bool(flatten)
        self.op = nn.Linear(in_f, out_f, bias=bias)
        self.bn = None

    def _compute(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
        return F.linear(x.reshape(x.shape[0], -1), w, b)

    def _op_name(self) -> str:
        return "linear"

    def _flatten(self) -> bool:
        return self.flatten


def set_mode(net: nn.Module, mode: Mode) -> nn.Module:
    """Switch every fused layer of ``net`` to ``"float"``, ``"qat"`` or ``"simulate"``.

    Entering ``"simulate"`` quantizes each layer's current float parameters (unless the layer
    was loaded from a quantized model). Returns ``net``.
    """
    for module in net.modules():
        if isinstance(module, FusedLayer):
            module.set_layer_mode(mode)
    return net
