"""The layer graph of a quantized model: who feeds whom, and every tensor's shape.

Layers run in file order (as izer runs its YAML ``layers``). A layer's input is the channel
concatenation of the outputs it names in ``inputs`` (``"input"`` is the network input); with no
``inputs`` it reads the previous layer's output (the network input for the first layer), which is
izer's default sequence. Shapes are ``(C, H, W)``; 1-D data ``(C, L)`` is carried as
``(C, L, 1)``, exactly as izer's simulation stores a Conv1d output.

Shape rules (izer ``izer/simulate.py``, ``izer/backend/max7800x.py``):

* element-wise layers split their input into ``operands`` equal channel groups;
* pooling: ``floor((H - k) / stride) + 1`` per axis (1-D pools have kernel ``(k, 1)``);
* conv2d: ``H + 2·pad - k + 1``; conv1d: ``L + 2·pad - k + 1``;
* convtranspose2d (stride 2): ``2·(H - 1) - 2·pad + k + output_pad``;
* linear: ``(out, 1, 1)`` (flatten first when the pooled input is not 1x1);
* passthrough (``op: none``): the pooled / combined input.

This module works on any objects with the :class:`golden.format.QuantLayer` attributes, so the
format module can use it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from golden.errors import FerhilError

INPUT = "input"
Shape3 = tuple[int, int, int]


class GraphError(FerhilError, ValueError):
    """The layer graph is inconsistent; the message names the layer and what to fix."""


@dataclass(frozen=True)
class LayerGeometry:
    """Shapes around one layer (all ``(C, H, W)``).

    Attributes:
        sources: indices of the layers whose outputs form the input (-1 = network input).
        input_shape: the concatenated input, before splitting into operands.
        pooled_shape: after element-wise combination and pooling (one operand's channels).
        output_shape: the layer output.
    """

    sources: tuple[int, ...]
    input_shape: Shape3
    pooled_shape: Shape3
    output_shape: Shape3


def as_shape3(shape: Sequence[int]) -> Shape3:
    """Return ``(C, H, W)`` for a ``(C, H, W)`` or 1-D ``(C, L)`` shape."""
    dims = tuple(int(v) for v in shape)
    if len(dims) == 2:
        return dims[0], dims[1], 1
    if len(dims) == 3:
        return dims[0], dims[1], dims[2]
    raise GraphError(f"input shape must be (C, H, W) or (C, L), got {tuple(shape)}")


def sources(layers: Sequence[Any]) -> list[tuple[int, ...]]:
    """Return, per layer, the indices its input comes from (-1 = the network input).

    Raises:
        GraphError: a layer names an unknown or later layer.
    """
    index: dict[str, int] = {}
    out: list[tuple[int, ...]] = []
    for i, layer in enumerate(layers):
        if not layer.inputs:
            out.append((i - 1,))
        else:
            srcs = []
            for name in layer.inputs:
                if name == INPUT:
                    srcs.append(-1)
                elif name in index:
                    srcs.append(index[name])
                else:
                    raise GraphError(
                        f"layer {layer.name!r}: input {name!r} is not an earlier layer or "
                        f"{INPUT!r}; layers may only read the input or layers before them"
                    )
            out.append(tuple(srcs))
        index[layer.name] = i
    return out


def output_indices(layers: Sequence[Any]) -> list[int]:
    """Indices of the output layers: those marked ``output`` and always the last layer."""
    last = len(layers) - 1
    return [i for i, layer in enumerate(layers) if layer.output or i == last]


def _pooled(layer: Any, shape: Shape3) -> Shape3:
    c, h, w = shape
    if layer.pool is None:
        return shape
    (kh, kw), s = layer.pool.kernel, layer.pool.stride
    if h < kh or w < kw or s < 1:
        raise GraphError(
            f"layer {layer.name!r}: a {kh}x{kw} pool (stride {s}) does not fit {c}x{h}x{w} data"
        )
    return c, (h - kh) // s + 1, (w - kw) // s + 1


def _operator_shape(layer: Any, pooled: Shape3) -> Shape3:
    c, h, w = pooled
    op, name = layer.op, layer.name
    if op == "none":
        return pooled
    if op == "linear":
        feats = c * h * w if layer.flatten else c
        if not layer.flatten and h * w != 1:
            raise GraphError(f"layer {name!r}: a linear layer on {c}x{h}x{w} data needs flatten")
        if feats != layer.in_channels:
            raise GraphError(
                f"layer {name!r}: {feats} input features, weights expect {layer.in_channels}"
            )
        return layer.out_channels, 1, 1
    if c != layer.in_channels:
        raise GraphError(
            f"layer {name!r}: input has {c} channels, weights expect {layer.in_channels}"
        )
    k, p = layer.kernel_size, layer.pad
    if op == "conv1d":
        if w != 1:
            raise GraphError(f"layer {name!r}: conv1d needs 1-D (C, L) data, got {c}x{h}x{w}")
        ho, wo = h + 2 * p - k + 1, 1
    elif op == "convtranspose2d":
        ho, wo = (
            2 * (h - 1) - 2 * p + k + layer.output_pad,
            2 * (w - 1) - 2 * p + k + layer.output_pad,
        )
    else:
        ho, wo = h + 2 * p - k + 1, w + 2 * p - k + 1
    if ho < 1 or wo < 1:
        raise GraphError(
            f"layer {name!r}: a kernel of {k} with pad {p} does not fit {c}x{h}x{w} data"
        )
    return layer.out_channels, ho, wo


def geometry(input_shape: Sequence[int], layers: Sequence[Any]) -> list[LayerGeometry]:
    """Return the :class:`LayerGeometry` of every layer.

    Raises:
        GraphError: naming the first layer whose input does not fit.
    """
    shapes: dict[int, Shape3] = {-1: as_shape3(input_shape)}
    out: list[LayerGeometry] = []
    for i, (layer, srcs) in enumerate(zip(layers, sources(layers), strict=True)):
        parts = [shapes[s] for s in srcs]
        if any(p[1:] != parts[0][1:] for p in parts):
            raise GraphError(
                f"layer {layer.name!r}: concatenated inputs differ in size: "
                + ", ".join("x".join(map(str, p)) for p in parts)
            )
        c = sum(p[0] for p in parts)
        in_shape: Shape3 = (c, parts[0][1], parts[0][2])
        if c % layer.operands:
            raise GraphError(
                f"layer {layer.name!r}: {c} input channels do not split into "
                f"{layer.operands} equal operands"
            )
        pooled = _pooled(layer, (c // layer.operands, in_shape[1], in_shape[2]))
        shapes[i] = _operator_shape(layer, pooled)
        out.append(LayerGeometry(srcs, in_shape, pooled, shapes[i]))
    return out
