"""Processors and data-memory offsets for exporting any graph model to izer's YAML.

izer rules this follows (``izer/izer.py``, ``izer/backend/max7800x.py``; see
:mod:`models.export.ai8x_layout` for the processor counts):

* a layer's ``processors`` hold its input channels (per operand for element-wise layers), packed
  from processor 0; its ``output_processors`` hold its output channels: packed from 0, or, when a
  later layer concatenates it with others (``in_sequences``), the slice that layer expects;
* the operands of an element-wise layer must come from layers with the same output processors,
  written interleaved: ``write_gap = operands - 1`` and offsets ``base + 4·k``;
* a tensor occupies ``H·W·passes·4`` bytes (x4 for 32-bit output, x(write_gap+1) interleaved) per
  data-memory instance of 32 KiB.

Offsets are allocated first-fit over the tensors still alive (read by a later layer), so no
layer overwrites data that is still needed. A model whose layers carry izer placement from an
import (``hw``) keeps it unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from golden import graph
from golden.format import QuantModel
from models.export.ai8x_layout import NUM_PROCESSORS, Ai8xExportError, processor_mask

INSTANCE_BYTES = 0x8000
PLACEMENT_KEYS = ("processors", "output_processors", "in_offset", "out_offset", "write_gap")


@dataclass
class Placement:
    """izer placement of one layer (the YAML keys of the same names)."""

    processors: int
    output_processors: int
    in_offset: int
    out_offset: int
    write_gap: int = 0


def _size(shape: tuple[int, int, int], wide: bool, gap: int) -> int:
    c, h, w = shape
    return h * w * math.ceil(c / NUM_PROCESSORS) * 4 * (4 if wide else 1) * (gap + 1)


def _first_fit(live: list[tuple[int, int]], size: int, name: str) -> int:
    start = 0
    for lo, hi in sorted(live):
        if start + size <= lo:
            break
        start = max(start, hi)
    if start + size > INSTANCE_BYTES:
        raise Ai8xExportError(
            f"layer {name!r}: its output does not fit data memory next to the data still in use "
            f"({start + size} > {INSTANCE_BYTES} bytes per instance); pool earlier"
        )
    return start


def place_graph(model: QuantModel) -> list[Placement]:
    """Assign processors, offsets and write gaps to every layer of ``model``.

    Raises:
        Ai8xExportError: naming the layer when the graph cannot be placed.
    """
    layers = model.layers
    if all(all(k in layer.hw for k in ("processors", "out_offset")) for layer in layers):
        return [
            Placement(
                int(layer.hw["processors"]),
                int(layer.hw.get("output_processors", 0)),
                int(layer.hw.get("in_offset", 0)),
                int(layer.hw["out_offset"]),
                int(layer.hw.get("write_gap", 0)),
            )
            for layer in layers
        ]
    geo = graph.geometry(model.input_shape, layers)
    srcs = graph.sources(layers)
    n = len(layers)
    out_proc = [processor_mask(g.output_shape[0]) for g in geo]
    gap = [0] * n
    in_proc: dict[int, int] = {}
    slot = [0] * n  # interleave slot of an element-wise operand
    for i, layer in enumerate(layers):
        if layer.operands > 1:
            for k, s in enumerate(srcs[i]):
                if s < 0 or any(i != j and s in srcs[j] for j in range(n)):
                    raise Ai8xExportError(
                        f"layer {layer.name!r}: each element-wise operand must be a layer read "
                        "by this layer only (izer interleaves it with write_gap); add a "
                        "passthrough copy"
                    )
                gap[s], slot[s] = layer.operands - 1, k
        elif len(srcs[i]) > 1:
            start, union = 0, 0
            for s in srcs[i]:
                c = geo[s].output_shape[0] if s >= 0 else geo[0].input_shape[0]
                if s < 0 or start + c > NUM_PROCESSORS:
                    raise Ai8xExportError(
                        f"layer {layer.name!r}: concatenation needs layer outputs of <= 64 "
                        "channels in total (not the network input)"
                    )
                out_proc[s] = ((1 << c) - 1) << start
                union |= out_proc[s]
                start += -(-c // 4) * 4  # each input in its own memory instances (4 channels)
            in_proc[i] = union
    last_use = {s: i for i, ss in enumerate(srcs) for s in ss}
    in_size = _size(geo[0].input_shape, False, 0)
    live: dict[int, tuple[int, int]] = {-1: (0, in_size)}
    offset: dict[int, int] = {-1: 0}
    group_base: dict[tuple[int, ...], int] = {}
    places: list[Placement] = []
    for i, layer in enumerate(layers):
        consumer = next((j for j in range(i + 1, n) if i in srcs[j]), None)
        group = srcs[consumer] if consumer is not None and len(srcs[consumer]) > 1 else (i,)
        if group in group_base:
            base = group_base[group]
        else:
            size = max(_size(geo[s].output_shape, layers[s].wide, gap[s]) for s in group)
            base = _first_fit([v for k, v in live.items() if k != i], size, layer.name)
            group_base[group] = base
            for s in group:
                live[s] = (base, base + size)
        offset[i] = base + 4 * slot[i]
        first = srcs[i][0]
        in_offset = offset[first] - (4 * slot[first] if first >= 0 else 0)
        c_in = geo[i].pooled_shape[0]  # per operand; before flattening
        procs = in_proc.get(i, processor_mask(c_in))
        places.append(Placement(procs, out_proc[i], in_offset, offset[i], gap[i]))
        for s in set(srcs[i]):
            if last_use.get(s) == i and s in live:
                live.pop(s)
    return places
