"""izer's processor and data-memory rules for the sequential networks ferhil exports.

The rules below were verified by reading ADI's izer source (``analogdevicesinc/ai8x-synthesis``),
not by running it (izer cannot run here):

* ``izer/backend/max7800x.py`` (``create_net``): a layer with ``C`` input channels uses
  ``passes = ceil(C / 64)`` passes and ``ceil(C / passes)`` processors per pass, rounded up to a
  multiple of 4 (``P_SHARED``) when ``C > 64``; the popcount of ``processors`` must equal that
  count, and the popcount of ``output_processors`` (default: the next layer's ``processors``)
  must equal the same count for the output channels. Quadrant 0 must be used.
* same file: HWC data uses one 32-bit word per pixel and pass in each data-memory instance;
  ``H * W * passes * 4 (* 4 for 32-bit output) + offset`` must fit ``INSTANCE_WIDTH * 16``
  (32 KiB on the MAX78000).
* ``izer/izer.py``: for a ``flatten`` layer the checkpoint's input features are divided by the
  pooled ``H * W``, so its ``processors`` cover the channels *before* flattening; the input offset
  of a layer defaults to the previous layer's ``out_offset``; the padding must be smaller than the
  kernel (so a 1x1 convolution cannot pad).

ferhil packs processors from processor 0 (mask ``2**n - 1``) and ping-pongs layer outputs
between offsets ``0x4000`` and ``0x0000`` (README "in_offset/out_offset"), so every layer's input
and output must fit 16 KiB per memory instance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from golden.errors import FerhilError
from golden.format import QuantModel

NUM_PROCESSORS = 64
PROCESSORS_SHARED = 4
PING_PONG = (0x4000, 0x0000)
HALF_INSTANCE_BYTES = 0x4000


class Ai8xExportError(FerhilError, ValueError):
    """The model cannot be written as an izer checkpoint + YAML; the message says why."""


@dataclass(frozen=True)
class LayerPlacement:
    """Where one layer reads and writes in the accelerator.

    Attributes:
        processors: the 64-bit input processor mask.
        in_offset: input byte offset inside each data-memory instance.
        out_offset: output byte offset.
        in_channels: channels entering the processors (before flattening).
    """

    processors: int
    in_offset: int
    out_offset: int
    in_channels: int


def processors_per_pass(channels: int) -> int:
    """Return how many processors izer expects for ``channels`` channels (per pass)."""
    passes = math.ceil(channels / NUM_PROCESSORS)
    per_pass = math.ceil(channels / passes)
    if channels > NUM_PROCESSORS:
        per_pass = min(-(-per_pass // PROCESSORS_SHARED) * PROCESSORS_SHARED, NUM_PROCESSORS)
    return per_pass


def processor_mask(channels: int) -> int:
    """Return the packed processor mask (from processor 0) izer accepts for ``channels``."""
    return (1 << processors_per_pass(channels)) - 1


def place_layers(model: QuantModel) -> list[LayerPlacement]:
    """Assign processors and ping-pong data offsets to every layer of ``model``.

    Raises:
        Ai8xExportError: when a layer's data does not fit half a data-memory instance.
    """
    c, h, w = model.input_shape
    placements: list[LayerPlacement] = []
    in_offset = 0
    for i, layer in enumerate(model.layers):
        if layer.op == "conv2d" and layer.pad >= layer.kernel_size:
            raise Ai8xExportError(
                f"layer {layer.name!r}: pad {layer.pad} >= kernel size {layer.kernel_size}; izer "
                "refuses it (izer/izer.py); use pad 0 for 1x1 convolutions"
            )
        _check_fits(layer.name, "input", h * w * math.ceil(c / NUM_PROCESSORS) * 4)
        out_offset = PING_PONG[i % 2]
        placements.append(LayerPlacement(processor_mask(c), in_offset, out_offset, c))
        if layer.pool is not None:
            (kh, kw), s = layer.pool.kernel, layer.pool.stride
            h, w = (h - kh) // s + 1, (w - kw) // s + 1
        if layer.op == "conv2d":
            k = layer.kernel_size
            h, w = h + 2 * layer.pad - k + 1, w + 2 * layer.pad - k + 1
        else:
            h = w = 1
        c = layer.out_channels
        width = 4 if layer.wide else 1
        _check_fits(layer.name, "output", h * w * math.ceil(c / NUM_PROCESSORS) * 4 * width)
        in_offset = out_offset
    return placements


def _check_fits(name: str, what: str, size: int) -> None:
    if size > HALF_INSTANCE_BYTES:
        raise Ai8xExportError(
            f"layer {name!r}: its {what} needs {size} bytes per data-memory instance, more than "
            f"the {HALF_INSTANCE_BYTES} the ping-pong layout gives; pool earlier or write the "
            "YAML by hand"
        )
