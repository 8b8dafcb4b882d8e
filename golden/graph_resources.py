"""MACs, weight/bias memory and input passes of every layer of a graph model.

The counting rules are :mod:`golden.resources`' (izer's), applied to the shapes that
:func:`golden.graph.geometry` propagates through the graph: a layer's input is its (possibly
concatenated, element-wise combined and pooled) source data. Layers without an operator
(passthrough, element-wise only) count no MACs and no weights. ``conv1d`` kernels count
``k`` weights, ``convtranspose2d`` ``k x k`` per output pixel of the up-sampled map.
"""

from __future__ import annotations

import math

from golden.format import QuantModel
from golden.graph import as_shape3, geometry
from golden.limits import MAX_CHANNELS
from golden.resources import LayerResources, ResourceReport, kernel_words


def _passes(channels: int) -> int:
    return max(1, math.ceil(channels / 64))


def graph_resources(model: QuantModel) -> ResourceReport:
    """Return the :class:`~golden.resources.ResourceReport` of any model (graph or sequential).

    Raises:
        golden.graph.GraphError: when the layers' shapes do not fit (check legality first).
    """
    report = ResourceReport(input_shape=as_shape3(model.input_shape))
    for layer, geo in zip(model.layers, geometry(model.input_shape, model.layers), strict=True):
        c, ph, pw = geo.pooled_shape
        o, oh, ow = geo.output_shape
        passes = _passes(c)
        processors = math.ceil(c / passes)
        macs = weight_bytes = bias_bytes = words = 0
        if layer.has_weights:
            w = layer.weights
            macs = int(w.size) * oh * ow
            weight_bytes = int(w.size) * layer.weight_bits // 8
            bias_bytes = o if layer.bias is not None else 0
            ksize = int(w.size) // max(1, int(w.shape[0]) * int(w.shape[1]))
            if layer.op == "linear" and layer.flatten:
                kc, ksize = o * ph * pw * passes, 1
            elif layer.op == "linear":
                kc = o * passes
            else:
                out_exp = _passes(o)
                kc = math.ceil(o / out_exp) * out_exp * passes
            words = kernel_words(kc, ksize, layer.weight_bits)
        report.layers.append(
            LayerResources(
                name=layer.name,
                op=layer.op,
                input_shape=geo.input_shape,
                pooled_shape=geo.pooled_shape,
                output_shape=geo.output_shape,
                macs=macs,
                weight_bytes=weight_bytes,
                bias_bytes=bias_bytes,
                input_passes=passes,
                processors=min(processors, MAX_CHANNELS),
                kernel_words_per_processor=words,
            )
        )
    return report
