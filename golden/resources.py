"""Shapes and resource use of a layer stack: output shapes, MACs, weight/bias bytes, kernel words.

Counting follows ADI's izer so the totals match what ``ai8xize.py`` prints:

* **Weight memory** (``izer/stats.py`` ``summary``): per layer ``numel(weights) * bits // 8``
  bytes, summed; capacity ``64 x 768 x 9 = 442,368`` bytes.
* **Bias memory** (same function): one byte per output channel of each layer with bias; capacity
  ``4 x 512 = 2,048`` bytes.
* **Kernel words per processor** (``izer/kernels.py`` ``load``): each input processor of a layer
  holds ``ceil((kc * k*k * bits + pad) / 72)`` 72-bit words, where ``kc`` is the number of
  kernels per processor (output channels x input passes; x pixels for a flatten layer) and
  ``pad = (kc % (8 // bits)) * k*k * (8 // bits - 1)`` rounds 1/2/4-bit kernels to 8-bit
  boundaries. A processor has 768 words.
* **MACs**: ``out x in x k x k x H_out x W_out`` for conv2d (padded positions count, as in izer's
  "SUMMARY OF OPS": ADI's CIFAR-10 NAS net gives its published 36,180,992) and ``out x in`` for
  linear.

:class:`LayerShape` describes a layer without weights, so the models package can check a torch
configuration before quantization (``output_shift`` unknown then).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from golden.format import Pool, QuantModel
from golden.graph import as_shape3
from golden.limits import BIAS_MEMORY_BYTES, KERNEL_WORD_BITS, MAX_CHANNELS, WEIGHT_MEMORY_BYTES

Shape3 = tuple[int, int, int]


@dataclass(frozen=True)
class LayerShape:
    """A layer's geometry and widths, without weights.

    Attributes:
        name: layer name.
        op: ``"conv2d"`` or ``"linear"``.
        in_channels: input channels (conv2d) or input features (linear).
        out_channels: output channels or features.
        kernel_size: conv2d kernel side (1 for linear).
        pad: conv2d zero padding.
        pool: in-flight pooling before the operator.
        flatten: linear only: flatten ``(C, H, W)`` input.
        has_bias: whether the layer has a bias.
        weight_bits: 8, 4, 2 or 1.
        wide: 32-bit output.
        activation: ``"none"``, ``"relu"`` or ``"abs"``.
        output_shift: the checkpoint output_shift, or None when not known yet.
    """

    name: str
    op: str
    in_channels: int
    out_channels: int
    kernel_size: int = 1
    pad: int = 0
    pool: Pool | None = None
    flatten: bool = False
    has_bias: bool = False
    weight_bits: int = 8
    wide: bool = False
    activation: str = "none"
    output_shift: int | None = None

    @property
    def weight_count(self) -> int:
        """Number of weights."""
        k2 = self.kernel_size**2 if self.op == "conv2d" else 1
        return self.out_channels * self.in_channels * k2


def shapes_from_model(model: QuantModel) -> list[LayerShape]:
    """Return the :class:`LayerShape` of every layer of ``model``."""
    return [
        LayerShape(
            name=layer.name,
            op=layer.op,
            in_channels=layer.in_channels,
            out_channels=layer.out_channels,
            kernel_size=layer.kernel_size,
            pad=layer.pad,
            pool=layer.pool,
            flatten=layer.flatten,
            has_bias=layer.bias is not None,
            weight_bits=layer.weight_bits,
            wide=layer.wide,
            activation=layer.activation,
            output_shift=layer.output_shift,
        )
        for layer in model.layers
    ]


@dataclass
class LayerResources:
    """Resources of one layer (shapes are ``(C, H, W)``)."""

    name: str
    op: str
    input_shape: Shape3
    pooled_shape: Shape3
    output_shape: Shape3
    macs: int
    weight_bytes: int
    bias_bytes: int
    input_passes: int
    processors: int
    kernel_words_per_processor: int


@dataclass
class ResourceReport:
    """Per-layer and total resource use of a network (izer's counting; see module docstring)."""

    input_shape: Shape3
    layers: list[LayerResources] = field(default_factory=list)
    #: Problems that stopped shape propagation (also reported as legality violations).
    shape_errors: list[str] = field(default_factory=list)
    weight_memory_capacity: int = WEIGHT_MEMORY_BYTES
    bias_memory_capacity: int = BIAS_MEMORY_BYTES

    @property
    def total_macs(self) -> int:
        """Multiply-accumulates per inference."""
        return sum(r.macs for r in self.layers)

    @property
    def weight_bytes(self) -> int:
        """Weight memory used, in bytes."""
        return sum(r.weight_bytes for r in self.layers)

    @property
    def bias_bytes(self) -> int:
        """Bias memory used, in bytes."""
        return sum(r.bias_bytes for r in self.layers)

    @property
    def output_shape(self) -> Shape3 | None:
        """Shape of the last layer's output, or None if shapes could not be propagated."""
        return self.layers[-1].output_shape if self.layers else None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serializable dict (totals and per-layer rows)."""
        return {
            "input_shape": list(self.input_shape),
            "layers": [asdict(r) for r in self.layers],
            "total_macs": self.total_macs,
            "weight_bytes": self.weight_bytes,
            "weight_memory_capacity": self.weight_memory_capacity,
            "bias_bytes": self.bias_bytes,
            "bias_memory_capacity": self.bias_memory_capacity,
            "shape_errors": list(self.shape_errors),
        }


def kernel_words(kernels: int, ksize: int, bits: int) -> int:
    """72-bit kernel words one processor needs for ``kernels`` kernels of ``ksize`` weights."""
    qfactor = 8 // bits
    res = (kernels % qfactor) * ksize * (qfactor - 1)
    return (kernels * ksize * bits + res + KERNEL_WORD_BITS - 1) // KERNEL_WORD_BITS


def _passes(channels: int) -> int:
    return max(1, math.ceil(channels / 64))


def layer_resources(shape: LayerShape, data: Shape3) -> tuple[LayerResources | None, str | None]:
    """Compute one layer's resources on input ``data``; return ``(None, reason)`` if it cannot run.

    Args:
        shape: the layer.
        data: its input ``(C, H, W)``.
    """
    c, h, w = data
    where = f"layer {shape.name!r}"
    ph, pw = h, w
    if shape.pool is not None:
        (kh, kw), s = shape.pool.kernel, shape.pool.stride
        if kh > h or kw > w or s < 1:
            return None, f"{where}: a {kh}x{kw} pool does not fit its {h}x{w} input"
        ph, pw = (h - kh) // s + 1, (w - kw) // s + 1
    pooled = (c, ph, pw)
    o = shape.out_channels
    bias_bytes = o if shape.has_bias else 0
    weight_bytes = shape.weight_count * shape.weight_bits // 8
    if shape.op == "conv2d":
        if c != shape.in_channels:
            return None, f"{where}: gets {c} channels but has {shape.in_channels} input channels"
        k = shape.kernel_size
        oh, ow = ph + 2 * shape.pad - k + 1, pw + 2 * shape.pad - k + 1
        if oh < 1 or ow < 1:
            return None, f"{where}: a {k}x{k} kernel with pad {shape.pad} does not fit {ph}x{pw}"
        passes = _passes(c)
        out_exp = _passes(o)
        kc = math.ceil(o / out_exp) * out_exp * passes
        words = kernel_words(kc, k * k, shape.weight_bits)
        macs = o * c * k * k * oh * ow
        out: Shape3 = (o, oh, ow)
        processors = math.ceil(c / passes)
    else:
        features = c * ph * pw if shape.flatten else c
        if not shape.flatten and ph * pw != 1:
            return None, f"{where}: a linear layer on {c}x{ph}x{pw} data needs flatten=True"
        if features != shape.in_channels:
            return None, f"{where}: gets {features} features but has {shape.in_channels} inputs"
        if shape.flatten:
            passes = _passes(c)
            kc = o * ph * pw * passes
            processors = math.ceil(c / passes)
        else:
            passes = _passes(features)
            kc = o * passes
            processors = math.ceil(features / passes)
        words = kernel_words(kc, 1, shape.weight_bits)
        macs = o * shape.in_channels
        out = (o, 1, 1)
    return (
        LayerResources(
            name=shape.name,
            op=shape.op,
            input_shape=data,
            pooled_shape=pooled,
            output_shape=out,
            macs=macs,
            weight_bytes=weight_bytes,
            bias_bytes=bias_bytes,
            input_passes=passes,
            processors=min(processors, MAX_CHANNELS),
            kernel_words_per_processor=words,
        ),
        None,
    )


def compute_resources(shapes: list[LayerShape], input_shape: Shape3) -> ResourceReport:
    """Propagate shapes through ``shapes`` and count resources; stop at the first shape error."""
    report = ResourceReport(input_shape=tuple(input_shape))  # type: ignore[arg-type]
    data: Shape3 = tuple(input_shape)  # type: ignore[assignment]
    for shape in shapes:
        res, error = layer_resources(shape, data)
        if res is None:
            report.shape_errors.append(str(error))
            break
        report.layers.append(res)
        data = res.output_shape
    return report


def model_resources(model: QuantModel) -> ResourceReport:
    """Return the :class:`ResourceReport` of a quantized model."""
    return compute_resources(shapes_from_model(model), as_shape3(model.input_shape))
