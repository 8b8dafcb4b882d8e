"""Layer geometry and static buffer sizes of a model on the portable C kernels.

:func:`plan_model` walks a :class:`~golden.format.QuantModel` once and returns, per layer, the
shapes the generated ``cnn.c`` needs (input, pooled input, output), plus the sizes of the static
buffers: the input buffer, the two ping-pong activation buffers, the unpacked-weight scratch row
and the int32 accumulator plane. Models the portable backend cannot run exactly (a wide layer
that is not the last, an accumulator that could overflow int32, dimensions over 16 bits) are
rejected here with a :class:`SynthesisError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from golden.arithmetic import total_shift
from golden.errors import FerhilError
from golden.format import QuantLayer, QuantModel
from golden.graph import as_shape3
from golden.resources import LayerShape, layer_resources, shapes_from_model

INT32_MAX = (1 << 31) - 1
DIM_MAX = 0xFFFF


class SynthesisError(FerhilError, ValueError):
    """The model cannot be turned into firmware; the message says what to change."""


@dataclass(frozen=True)
class LayerPlan:
    """One layer as the generated C runs it.

    Attributes:
        index: layer position.
        layer: the quantized layer.
        in_shape: ``(C, H, W)`` the layer receives.
        pooled_shape: ``(C, H, W)`` after in-flight pooling (= ``in_shape`` without a pool).
        out_shape: ``(C, H, W)`` produced (linear: ``(O, 1, 1)``).
        round_shift: ``r = 7 - total shift`` for the requantization.
        row_count: weights per output row (``in * k * k``).
    """

    index: int
    layer: QuantLayer
    in_shape: tuple[int, int, int]
    pooled_shape: tuple[int, int, int]
    out_shape: tuple[int, int, int]
    round_shift: int
    row_count: int

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the operator."""
        c, h, w = self.out_shape
        return c * h * w * self.row_count


@dataclass(frozen=True)
class ModelPlan:
    """Geometry and buffer sizes of a whole model."""

    layers: tuple[LayerPlan, ...]
    input_size: int
    act_buffer_size: int
    scratch_weights: int
    acc_plane: int
    num_outputs: int
    wide_output: bool

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one inference."""
        return sum(lp.macs for lp in self.layers)

    @property
    def static_ram_bytes(self) -> int:
        """Bytes of the static buffers the generated ``cnn.c`` declares."""
        wide = 4 * self.num_outputs if self.wide_output else 0
        return (
            self.input_size
            + 2 * self.act_buffer_size
            + self.scratch_weights
            + 4 * self.acc_plane
            + wide
        )


def _size(shape: tuple[int, int, int]) -> int:
    return shape[0] * shape[1] * shape[2]


def _layer_plan(
    index: int, layer: QuantLayer, shape_spec: LayerShape, shape: tuple[int, int, int]
) -> LayerPlan:
    where = f"layer {index} ({layer.name!r})"
    res, error = layer_resources(shape_spec, shape)
    if res is None:
        raise SynthesisError(f"layer {index}: {error}")
    pooled, out = res.pooled_shape, res.output_shape
    if layer.op == "conv2d":
        k = layer.kernel_size
        if k not in (1, 3):
            raise SynthesisError(f"{where}: conv2d kernels must be 1x1 or 3x3, got {k}x{k}")
        row = layer.in_channels * k * k
    else:
        row = layer.in_channels
    bound = 128 * int(
        np.abs(layer.weights.astype(np.int64)).reshape(layer.out_channels, -1).sum(1).max()
    )
    bound += 128 * 128
    if bound > INT32_MAX:
        raise SynthesisError(f"{where}: accumulators may reach {bound}, beyond int32")
    if max(*pooled, *out, row) > DIM_MAX:
        raise SynthesisError(f"{where}: a dimension exceeds {DIM_MAX}")
    return LayerPlan(
        index=index,
        layer=layer,
        in_shape=shape,
        pooled_shape=pooled,
        out_shape=out,
        round_shift=7 - total_shift(layer.output_shift, layer.weight_bits),
        row_count=row,
    )


def plan_model(model: QuantModel) -> ModelPlan:
    """Compute the geometry and static buffer sizes of ``model`` on the portable kernels.

    Raises:
        SynthesisError: when the portable backend cannot run the model exactly.
    """
    model.validate()
    shape = as_shape3(model.input_shape)
    plans: list[LayerPlan] = []
    for i, (layer, spec) in enumerate(zip(model.layers, shapes_from_model(model), strict=True)):
        if layer.wide and i != len(model.layers) - 1:
            raise SynthesisError(f"layer {i} ({layer.name!r}): only the last layer may be wide")
        lp = _layer_plan(i, layer, spec, shape)
        plans.append(lp)
        shape = lp.out_shape
    act = 1
    for lp in plans:
        # Layer 0 pools from the input buffer into buffer 1; later layers pool in place.
        if lp.layer.pool is not None:
            act = max(act, _size(lp.pooled_shape))
        if not lp.layer.wide:
            act = max(act, _size(lp.out_shape))
        act = max(act, _size(lp.in_shape) if lp.index > 0 else 1)
    return ModelPlan(
        layers=tuple(plans),
        input_size=_size(as_shape3(model.input_shape)),
        act_buffer_size=act,
        scratch_weights=max(lp.row_count for lp in plans),
        acc_plane=max(lp.out_shape[1] * lp.out_shape[2] for lp in plans),
        num_outputs=model.num_outputs,
        wide_output=model.wide_output,
    )
