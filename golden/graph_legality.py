"""MAX78000 rules for graph models, as izer enforces them, and per-layer data-memory use.

Each rule names the layer and the rule (izer source in brackets):

* conv2d kernels 1x1/3x3, conv1d 1..9, convtranspose2d 3x3 with output padding 1; padding 0..2
  and smaller than the kernel [``izer/yamlcfg.py``, ``izer/izer.py``];
* passthrough layers: no activation, no padding, 8-bit output [``backend/max7800x.py``];
* element-wise layers: 2..16 operands, not with conv1d; pooling after the operation only with 2
  operands [``backend/max7800x.py``: ``MAX_POOL_LAST_ELEMENTS``];
* ``in_sequences`` inputs must have equal channel counts (izer checks this for concatenation
  too), and a flatten layer cannot read them [``izer/izer.py``];
* 32-bit output only without activation, on output layers no other layer reads;
* passthrough pooling of more than 64 channels [``MAX_POOL_PASSES`` = 1];
* placement kept from an import (``hw``): ``processors`` must enable as many processors as the
  input channels need per pass, and ``out_offset`` plus the output must fit the instance;
* data memory: each layer's output needs ``H·W·ceil(C/64)`` 32-bit words per memory instance
  (x4 for 32-bit output); it must fit one 32 KiB instance [``backend/max7800x.py``].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from golden import graph
from golden.format import QuantModel

INSTANCE_BYTES = 32 * 1024
MAX_LAYERS = 32


@dataclass(frozen=True)
class LayerMemory:
    """Data memory one layer's output takes per memory instance (izer's formula)."""

    name: str
    output_shape: tuple[int, int, int]
    passes: int
    bytes_per_instance: int


def data_memory(model: QuantModel) -> list[LayerMemory]:
    """Return every layer's output size per data-memory instance."""
    out = []
    for layer, g in zip(model.layers, graph.geometry(model.input_shape, model.layers), strict=True):
        c, h, w = g.output_shape
        passes = math.ceil(c / 64)
        size = h * w * passes * 4 * (4 if layer.wide else 1)
        out.append(LayerMemory(layer.name, g.output_shape, passes, size))
    return out


def processors_per_pass(channels: int) -> int:
    """Processors izer expects per pass for ``channels`` channels (multiple of 4 above 64)."""
    passes = math.ceil(channels / 64)
    per = math.ceil(channels / passes)
    return min(-(-per // 4) * 4, 64) if channels > 64 else per


def _hw_rules(where: str, hw: dict[str, object], in_c: int, mem: LayerMemory) -> list[str]:
    out: list[str] = []
    procs = hw.get("processors")
    if isinstance(procs, str):
        procs = int(procs.replace("_", "").replace(".", ""), 16)
    reshaped = "in_dim" in hw  # izer re-reads the data as in_dim; channel counts then differ
    if (
        isinstance(procs, int)
        and not reshaped
        and bin(procs).count("1") != processors_per_pass(in_c)
    ):
        out.append(
            f"{where}: processors 0x{procs:016x} enable {bin(procs).count('1')} processors; "
            f"{in_c} input channels need {processors_per_pass(in_c)} per pass"
        )
    offset = hw.get("out_offset")
    if isinstance(offset, int) and offset + mem.bytes_per_instance > INSTANCE_BYTES:
        out.append(
            f"{where}: out_offset 0x{offset:04x} + {mem.bytes_per_instance} bytes of output "
            f"exceed the {INSTANCE_BYTES}-byte data-memory instance"
        )
    return out


def _layer_rules(model: QuantModel, i: int, consumed: set[int]) -> list[str]:
    layer = model.layers[i]
    geos = graph.geometry(model.input_shape, model.layers)
    geo = geos[i]
    where = f"layer {layer.name!r}"
    out: list[str] = []
    k, pad = layer.kernel_size, layer.pad
    if layer.op == "conv2d" and k not in (1, 3):
        out.append(f"{where}: conv2d kernels must be 1x1 or 3x3, not {k}x{k}")
    if layer.op == "conv1d" and not 1 <= k <= 9:
        out.append(f"{where}: conv1d kernels must be 1..9, not {k}")
    if layer.op == "convtranspose2d" and (k != 3 or layer.output_pad != 1):
        out.append(f"{where}: convtranspose2d needs a 3x3 kernel and output padding 1")
    if layer.has_weights and layer.op != "linear" and not 0 <= pad <= min(2, k - 1):
        out.append(f"{where}: padding {pad} must be 0..2 and smaller than the kernel ({k})")
    if not layer.has_weights:
        if layer.activation != "none" or pad or layer.wide:
            out.append(f"{where}: a passthrough layer cannot activate, pad or output 32 bits")
        if layer.pool is not None and geo.pooled_shape[0] > 64:
            out.append(f"{where}: passthrough pooling of more than 64 channels (one pass only)")
    if layer.operands > 1:
        if layer.op == "conv1d":
            out.append(f"{where}: element-wise operations cannot be combined with conv1d")
        if not layer.pool_first and layer.pool is not None and layer.operands > 2:
            out.append(f"{where}: pooling after an element-wise operation allows 2 operands")
    srcs = graph.sources(model.layers)[i]
    if layer.inputs and len(srcs) > 1:
        chans = {graph.as_shape3(model.input_shape)[0] if s < 0 else geos[s].output_shape[0]
                 for s in srcs}  # fmt: skip
        if len(chans) > 1:
            out.append(f"{where}: in_sequences inputs need equal channel counts, got {chans}")
    if layer.inputs and layer.flatten:
        out.append(f"{where}: izer cannot flatten data read through in_sequences")
    if layer.wide and (layer.activation != "none" or i in consumed):
        out.append(f"{where}: 32-bit output needs no activation and no layer reading it")
    out += _hw_rules(where, layer.hw, geo.pooled_shape[0], data_memory(model)[i])
    return out


def graph_violations(model: QuantModel) -> list[str]:
    """Return every izer rule ``model``'s graph breaks (empty when it is legal)."""
    out: list[str] = []
    if len(model.layers) > MAX_LAYERS:
        out.append(f"network: {len(model.layers)} layers exceed the limit of {MAX_LAYERS}")
    consumed = {s for ss in graph.sources(model.layers) for s in ss}
    for i in range(len(model.layers)):
        out.extend(_layer_rules(model, i, consumed))
    for mem in data_memory(model):
        if mem.bytes_per_instance > INSTANCE_BYTES:
            c, h, w = mem.output_shape
            out.append(
                f"layer {mem.name!r}: its {c}x{h}x{w} output needs {mem.bytes_per_instance} "
                f"bytes per data-memory instance, more than {INSTANCE_BYTES}; pool earlier"
            )
    return out
