"""Random but MAX78000-legal quantized networks, for bit-exactness tests.

:func:`random_legal_model` draws conv2d layers (1x1/3x3, pad 0..2, optional max/avg pooling,
ReLU/Abs/none, mixed 8/4/2/1-bit weights, optional bias), then one or two linear layers (the
first flattens), the last wide (32-bit) or 8-bit. Each 8-bit layer's ``output_shift`` is
calibrated on random int8 inputs so the layer's outputs are neither all zero nor all saturated:
the total shift is chosen to map the 99th percentile of ``|acc|`` to about 48, and a layer whose
outputs are still trivial is drawn again. Calibration uses the integer primitives of
:mod:`golden.arithmetic`, independent of the float fast path of :mod:`golden.inference`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np

from golden.arithmetic import (
    TOTAL_SHIFT_MAX,
    TOTAL_SHIFT_MIN,
    activate,
    avg_pool2d,
    max_pool2d,
    requantize,
    zero_pad2d,
)
from golden.format import FER_CLASSES, Pool, PoolKind, QuantLayer, QuantModel, weight_range

#: Flatten limits used when drawing the classifier (stricter than izer's 16,384 so a single
#: linear layer's in_features also stays within ai8x.py's 1024).
MAX_FLATTEN_FEATURES = 1024
MAX_FLATTEN_PIXELS = 256
_TARGET = 48.0
_RETRIES = 12


def _accumulate(layer: QuantLayer, x: np.ndarray) -> np.ndarray:
    """Integer accumulators of ``layer`` on int64 ``(N, C, H, W)`` (einsum, exact in int64)."""
    if layer.pool is not None:
        pool_fn = max_pool2d if layer.pool.kind == "max" else avg_pool2d
        x = pool_fn(x, layer.pool.kernel, layer.pool.stride).astype(np.int64)
    w = layer.weights.astype(np.int64)
    if layer.op == "linear":
        acc = x.reshape(x.shape[0], -1) @ w.T
        acc = acc[:, :, None, None]
    else:
        xp = zero_pad2d(x, layer.pad)
        k = layer.kernel_size
        ho, wo = xp.shape[2] - k + 1, xp.shape[3] - k + 1
        acc = np.zeros((x.shape[0], w.shape[0], ho, wo), np.int64)
        for dy in range(k):
            for dx in range(k):
                acc += np.einsum(
                    "nchw,oc->nohw", xp[:, :, dy : dy + ho, dx : dx + wo], w[..., dy, dx]
                )
    if layer.bias is not None:
        acc += 128 * layer.bias.astype(np.int64)[None, :, None, None]
    return acc


def _calibrate(layer: QuantLayer, acc: np.ndarray) -> tuple[np.ndarray, bool]:
    """Set ``layer.output_shift``; return the outputs and whether they are non-trivial."""
    if layer.wide:
        layer.output_shift = 0
        return acc, True
    q = float(np.quantile(np.abs(acc), 0.99)) if acc.size else 0.0
    s = round(math.log2(_TARGET * 128.0 / q)) if q > 0 else 0
    s = min(max(s, TOTAL_SHIFT_MIN), TOTAL_SHIFT_MAX)
    layer.output_shift = s - 8 + layer.weight_bits
    y = activate(requantize(acc, s), layer.activation)
    zero_frac = float(np.mean(y == 0))
    sat_frac = float(np.mean((y == 127) | (y == -128)))
    return y, not (zero_frac > 0.9 or sat_frac > 0.5 or len(np.unique(y)) < 3)


def _weights(rng: np.random.Generator, shape: tuple[int, ...], bits: int) -> np.ndarray:
    lo, hi = weight_range(bits)
    return rng.integers(lo, hi + 1, size=shape).astype(np.int8)


def _bias(rng: np.random.Generator, out: int, use_bias: bool) -> np.ndarray | None:
    if not use_bias or rng.random() < 0.4:
        return None
    return rng.integers(-128, 128, size=out).astype(np.int8)


def _random_pool(rng: np.random.Generator, h: int, w: int) -> Pool | None:
    if rng.random() < 0.4 or min(h, w) < 2:
        return None
    kh = int(rng.integers(1, min(4, h) + 1))
    kw = int(rng.integers(1, min(4, w) + 1))
    stride = int(rng.integers(1, 4))
    kind: PoolKind = "max" if rng.random() < 0.5 else "avg"
    return Pool(kind=kind, kernel=(kh, kw), stride=stride)


def _pooled(h: int, w: int, pool: Pool | None) -> tuple[int, int]:
    if pool is None:
        return h, w
    return (h - pool.kernel[0]) // pool.stride + 1, (w - pool.kernel[1]) // pool.stride + 1


def random_legal_model(
    rng: np.random.Generator,
    *,
    input_shape: tuple[int, int, int] = (1, 48, 48),
    num_classes: int = 7,
    max_layers: int = 6,
    max_channels: int = 16,
    weight_bits_choices: tuple[int, ...] = (8, 4, 2, 1),
    wide_output: bool | None = None,
    use_bias: bool = True,
    calibration_samples: int = 4,
) -> QuantModel:
    """Draw a random MAX78000-legal quantized model with non-trivial activations.

    Args:
        rng: the random generator (seed it for reproducible models).
        input_shape: ``(C, H, W)`` of the int8 input.
        num_classes: outputs of the last layer.
        max_layers: upper bound on the number of layers (at least 2 are drawn; a layer that
            reduces the data for the flatten may be added beyond it).
        max_channels: upper bound on conv output channels.
        weight_bits_choices: weight widths to draw from.
        wide_output: force a wide (True) or 8-bit (False) last layer; None draws it.
        use_bias: allow biases.
        calibration_samples: random inputs used to calibrate the output shifts.

    Returns:
        A validated :class:`~golden.format.QuantModel` named ``synthetic``.
    """
    c, h, w = input_shape
    x = rng.integers(-128, 128, size=(calibration_samples, *input_shape)).astype(np.int64)
    layers: list[QuantLayer] = []
    n_conv = int(rng.integers(0, max(max_layers - 1, 1)))
    two_linear = rng.random() < 0.3 and n_conv + 2 <= max_layers
    wide = bool(rng.random() < 0.5) if wide_output is None else wide_output

    def add(make: Callable[[], QuantLayer]) -> None:
        nonlocal x
        for _ in range(_RETRIES):
            layer = make()
            y, non_trivial = _calibrate(layer, _accumulate(layer, x))
            if non_trivial:
                break
        layers.append(layer)
        x = y

    def conv(reduce_to: tuple[int, int] | None = None) -> QuantLayer:
        cin, hin, win = x.shape[1], x.shape[2], x.shape[3]
        if reduce_to is None:
            pool = _random_pool(rng, hin, win)
            cout = int(rng.integers(1, max_channels + 1))
        else:
            f = reduce_to[0]
            pool = Pool(kind="max" if rng.random() < 0.5 else "avg", kernel=(f, f), stride=f)
            cout = reduce_to[1]
        ph, pw = _pooled(hin, win, pool)
        k = 3 if rng.random() < 0.6 else 1
        pad = int(rng.integers(0, k))  # izer requires pad < kernel size
        if ph + 2 * pad - k + 1 < 1 or pw + 2 * pad - k + 1 < 1 or reduce_to is not None:
            pad = k // 2  # keep the size
        bits = int(rng.choice(weight_bits_choices))
        return QuantLayer(
            name=f"conv{len(layers) + 1}",
            op="conv2d",
            weights=_weights(rng, (cout, cin, k, k), bits),
            bias=_bias(rng, cout, use_bias),
            weight_bits=bits,
            output_shift=0,
            activation=str(rng.choice(["relu", "relu", "abs", "none"])),  # type: ignore[arg-type]
            pad=pad,
            pool=pool,
        )

    for _ in range(n_conv):
        add(conv)
    while x.shape[2] * x.shape[3] > MAX_FLATTEN_PIXELS or x[0].size > MAX_FLATTEN_FEATURES:
        hw = x.shape[2] * x.shape[3]
        f_min = max(2, math.ceil(math.sqrt(hw / MAX_FLATTEN_PIXELS)))
        f = min(16, int(rng.integers(f_min, 2 * f_min + 1)), x.shape[2], x.shape[3])
        pixels = (x.shape[2] // f) * (x.shape[3] // f)
        cout = int(max(1, min(max_channels, MAX_FLATTEN_FEATURES // max(pixels, 1))))
        add(partial(conv, (f, cout)))

    def linear(out: int, last: bool) -> QuantLayer:
        flatten = not layers or layers[-1].op == "conv2d" or x.shape[2] * x.shape[3] > 1
        bits = int(rng.choice(weight_bits_choices))
        return QuantLayer(
            name="fc" if last else f"fc{len(layers) + 1}",
            op="linear",
            weights=_weights(rng, (out, x[0].size), bits),
            bias=_bias(rng, out, use_bias),
            weight_bits=bits,
            output_shift=0,
            activation="none" if last and wide else str(rng.choice(["relu", "none", "abs"])),  # type: ignore[arg-type]
            flatten=bool(flatten),
            wide=last and wide,
        )

    if two_linear:
        hidden = int(rng.integers(num_classes, 4 * num_classes + 1))
        add(lambda: linear(hidden, last=False))
    add(lambda: linear(num_classes, last=True))
    classes = (
        FER_CLASSES
        if num_classes == len(FER_CLASSES)
        else tuple(f"class{i}" for i in range(num_classes))
    )
    model = QuantModel(
        name="synthetic",
        version="1",
        input_shape=(c, h, w),
        classes=classes,
        input_mapping="pixel_minus_128",
        layers=layers,
        metadata={"generator": "golden.synthetic.random_legal_model"},
    )
    model.validate()
    return model


def fer_like_model(rng: np.random.Generator, *, weight_bits: int = 8) -> QuantModel:
    """A fixed VGG-like 1x48x48 -> 7 network of realistic size (about 30 M MACs/image).

    Weights are random, biases present, output shifts calibrated as in
    :func:`random_legal_model`. Used by benchmarks and firmware tests that need a model of the
    size a trained FER model has, without waiting for training.

    Args:
        rng: the random generator.
        weight_bits: width of every conv layer's weights (the classifier is 8-bit).
    """
    # (out channels, kernel, pool) per conv layer; every conv pads to keep its size.
    plan: list[tuple[int, int, Pool | None]] = [
        (16, 3, None),
        (32, 3, Pool("max", (2, 2), 2)),
        (64, 3, None),
        (64, 3, Pool("max", (2, 2), 2)),
        (128, 3, None),
        (64, 1, Pool("max", (2, 2), 2)),
        (32, 3, Pool("avg", (2, 2), 2)),
    ]
    x = rng.integers(-128, 128, size=(2, 1, 48, 48)).astype(np.int64)
    layers: list[QuantLayer] = []
    for i, (cout, k, pool) in enumerate(plan):
        w_lo, w_hi = weight_range(weight_bits)
        spread = max(1, (w_hi - w_lo) // 4)
        layer = QuantLayer(
            name=f"conv{i + 1}",
            op="conv2d",
            weights=np.clip(
                rng.integers(-spread, spread + 1, (cout, x.shape[1], k, k)), w_lo, w_hi
            ).astype(np.int8),
            bias=rng.integers(-8, 9, size=cout).astype(np.int8),
            weight_bits=weight_bits,
            output_shift=0,
            activation="relu",
            pad=k // 2,
            pool=pool,
        )
        x, _ = _calibrate(layer, _accumulate(layer, x))
        layers.append(layer)
    fc = QuantLayer(
        name="fc",
        op="linear",
        weights=rng.integers(-32, 33, size=(7, x[0].size)).astype(np.int8),
        bias=rng.integers(-8, 9, size=7).astype(np.int8),
        weight_bits=8,
        output_shift=0,
        flatten=True,
        wide=True,
    )
    layers.append(fc)
    model = QuantModel(
        name="fer_like_synthetic",
        version="1",
        input_shape=(1, 48, 48),
        classes=FER_CLASSES,
        input_mapping="pixel_minus_128",
        layers=layers,
        metadata={"generator": "golden.synthetic.fer_like_model"},
    )
    model.validate()
    return model
