"""What a model's integer outputs mean: float logits and class probabilities.

A wide (32-bit) last layer returns the accumulator ``acc = Σ x·w + 128·b``. With Q7 data
(``x = 128·x_f``) and weights quantized as ``w = w_f · 2^(q-1) · 2^(-output_shift)``, that is the
float logit times ``2^(6 + q - output_shift)``. An 8-bit last layer returns ``y8 = 128 · y_f``.
These are the scales of the float / QAT model the quantized model came from, so
:func:`class_probabilities` is the softmax the float model would report.
"""

from __future__ import annotations

import numpy as np

from golden.format import QuantModel


def output_scale(model: QuantModel) -> float:
    """Return the factor that turns the model's integer outputs into float logits."""
    last = model.layers[-1]
    if last.wide:
        return float(2.0 ** (last.output_shift - 6 - last.weight_bits))
    return 1.0 / 128.0


def dequantize_outputs(model: QuantModel, outputs: np.ndarray) -> np.ndarray:
    """Return the float logits of integer outputs (``golden.inference.run`` or a device's)."""
    return np.asarray(outputs, dtype=np.float64) * output_scale(model)


def class_probabilities(model: QuantModel, outputs: np.ndarray) -> np.ndarray:
    """Return the softmax over classes of integer outputs, shape ``(N, classes)``."""
    logits = np.atleast_2d(dequantize_outputs(model, outputs))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return result
