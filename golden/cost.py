"""A deterministic, *simulated* cycle model of the MAX78000 CNN accelerator (an estimate).

Nothing here is measured. The model follows the structure of izer's (since disabled) latency
estimate ``calc_latency`` in ``analogdevicesinc/ai8x-synthesis:izer/stats.py`` with its constants
``C_START = 4`` and ``C_PAD = 2`` (``izer/tornadocnn.py``), and ADI's statement that the hardware
writes 4 output channels (32 bits) per cycle (``ai8x-synthesis`` issue #136). Per layer, with
``passes = ceil(C_in / 64)`` input passes (multi-pass for > 64 channels):

    read   = passes * (pool_h * pool_w * H_pooled * W_pooled + pad)
    pad    = C_PAD * 2 * (p * (2p + W_pooled) + p * H_pooled)            (p = conv padding)
    write  = H_out * W_out * passes * (ceil(C_out / 4) + C_PAD)
    raw    = read + write            (flatten layers: read = passes * H * W, write scaled by H * W)

    cycles = C_START + round(CALIBRATION * sum(raw))

``CALIBRATION`` makes ADI's CIFAR-10 example (``ai85nascifarnet``: 36,180,992 MACs, 1,712 µs at
50 MHz, i.e. ~423 MACs/cycle; ``performance-anchors.md``) come out at exactly 85,600 cycles. The
latency is ``cycles / clock`` with the 50 MHz CNN clock of ADI's generated code. The firmware
hostsim board and the model card report these figures, always labelled simulated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from golden.format import QuantLayer, QuantModel
from golden.graph import as_shape3
from golden.graph_resources import graph_resources
from golden.limits import CNN_CLOCK_HZ
from golden.resources import LayerResources, LayerShape, ResourceReport, Shape3, compute_resources
from golden.resources import shapes_from_model as _shapes

C_START = 4
C_PAD = 2
#: 85,596 / 68,008: (1,712 µs x 50 MHz - C_START) over the raw sum of the CIFAR-10 NAS net.
CALIBRATION = 85_596 / 68_008


@dataclass(frozen=True)
class CostReport:
    """Simulated cost of one inference (an estimate, not a measurement).

    Attributes:
        resources: MACs, bytes and shapes per layer.
        layer_cycles: simulated cycles per layer (calibrated).
        total_cycles: simulated cycles per inference, start-up included.
        clock_hz: CNN clock used for the latency.
    """

    resources: ResourceReport
    layer_cycles: tuple[int, ...]
    total_cycles: int
    clock_hz: float = CNN_CLOCK_HZ
    simulated: bool = True

    @property
    def latency_us(self) -> float:
        """Simulated inference latency in microseconds."""
        return self.total_cycles / self.clock_hz * 1e6

    @property
    def macs_per_cycle(self) -> float:
        """Simulated throughput."""
        return self.resources.total_macs / max(self.total_cycles, 1)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serializable dict (every figure labelled simulated)."""
        return {
            "simulated": True,
            "model": "golden.cost (calibrated on ADI CIFAR-10: 1,712 us at 50 MHz)",
            "clock_hz": self.clock_hz,
            "layer_cycles": list(self.layer_cycles),
            "total_cycles": self.total_cycles,
            "latency_us": self.latency_us,
            "macs_per_cycle": self.macs_per_cycle,
        }


def raw_layer_cycles(shape: LayerShape, res: LayerResources) -> int:
    """Uncalibrated cycle count of one layer (see the module docstring)."""
    _, ph, pw = res.pooled_shape
    _, oh, ow = res.output_shape
    passes = res.input_passes
    write_per_pixel = passes * (math.ceil(shape.out_channels / 4) + C_PAD)
    if shape.op == "linear" and shape.flatten:
        return passes * ph * pw + ph * pw * write_per_pixel
    kh, kw = shape.pool.kernel if shape.pool is not None else (1, 1)
    p = shape.pad
    pad = C_PAD * 2 * (p * (2 * p + pw) + p * ph)
    return passes * (kh * kw * ph * pw + pad) + oh * ow * write_per_pixel


def estimate_layers(
    shapes: list[LayerShape], input_shape: Shape3, *, clock_hz: float = CNN_CLOCK_HZ
) -> CostReport:
    """Estimate the simulated cost of a layer stack (usable before quantization).

    Layers after a shape error are not counted; check legality first.
    """
    resources = compute_resources(shapes, input_shape)
    raw = [raw_layer_cycles(s, r) for s, r in zip(shapes, resources.layers, strict=False)]
    layer_cycles = tuple(round(CALIBRATION * c) for c in raw)
    total = C_START + round(CALIBRATION * sum(raw))
    return CostReport(resources, layer_cycles, total, clock_hz)


def estimate_cost(model: QuantModel, *, clock_hz: float = CNN_CLOCK_HZ) -> CostReport:
    """Estimate the simulated cost of one inference of ``model`` (sequential or graph)."""
    if model.is_v1():
        return estimate_layers(_shapes(model), as_shape3(model.input_shape), clock_hz=clock_hz)
    resources = graph_resources(model)
    raw = [
        raw_layer_cycles(_graph_shape(layer, res), res)
        for layer, res in zip(model.layers, resources.layers, strict=True)
    ]
    layer_cycles = tuple(round(CALIBRATION * c) for c in raw)
    return CostReport(resources, layer_cycles, C_START + round(CALIBRATION * sum(raw)), clock_hz)


def _graph_shape(layer: QuantLayer, res: LayerResources) -> LayerShape:
    """The fields of a graph layer that :func:`raw_layer_cycles` reads."""
    return LayerShape(
        name=layer.name,
        op=layer.op,
        in_channels=res.pooled_shape[0],
        out_channels=res.output_shape[0],
        kernel_size=layer.kernel_size,
        pad=layer.pad,
        pool=layer.pool,
        flatten=layer.flatten,
    )


def estimate_cycles(model: QuantModel) -> int:
    """Simulated accelerator cycles per inference (an estimate; see the module docstring)."""
    return estimate_cost(model).total_cycles


def estimate_latency_us(model: QuantModel, *, clock_hz: float = CNN_CLOCK_HZ) -> float:
    """Simulated inference latency in microseconds at ``clock_hz`` (default 50 MHz)."""
    return estimate_cost(model, clock_hz=clock_hz).latency_us
