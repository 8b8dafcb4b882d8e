"""Bit-exact, fast reference inference of a :class:`~golden.format.QuantModel` (numpy).

:func:`run` computes exactly the integers the MAX78000 CNN accelerator computes (spec
``max78000-arithmetic.md`` §2.4-2.6): per layer, in-flight pooling of the int8 input, zero padding,
``acc = Σ x·w + 128·b``, then either the raw accumulator (wide layer) or requantization, clamp and
activation to int8.

Speed: convolutions are ``im2col`` + one BLAS matrix product per layer and batch chunk. The product
runs in float32 when a per-layer bound proves every partial sum is an integer below ``2**24``
(``max_o 128·Σ|w[o]| + 128·|b[o]| + 2**(r-1) < 2**24``; every ``|x| <= 128``, so no partial sum of
any summation order can exceed it), else in float64, which is exact below ``2**53``, far above any
MAX78000 layer's bound. The requantization ``floor((acc + 128·b + 2**(r-1)) · 2**-r)`` is then exact
in the same float type. Activations are kept as int8 ``(N, H, W, C)`` arrays between layers.
Batch chunks run in parallel threads (:mod:`golden.parallel`).
The naive integer loop in ``tests/golden`` proves the equality on random legal models.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from golden.arithmetic import INT8_MAX, INT8_MIN, avg_pool_nhwc, max_pool_nhwc, total_shift
from golden.errors import FerhilError
from golden.format import QuantLayer, QuantModel
from golden.parallel import map_chunks

#: Per-chunk working-set target (bytes) of the largest im2col/product array.
CHUNK_BYTES = 8 << 20
FLOAT32_EXACT_LIMIT = 1 << 24


class InferenceError(FerhilError, ValueError):
    """The input or the model cannot be run; the message says what to fix."""


@dataclass(frozen=True)
class LayerOutput:
    """One layer's output from :func:`run_trace`.

    Attributes:
        name: the layer name.
        values: int64 ``(N, C, H, W)``; int8 values, or raw accumulators for a wide layer.
    """

    name: str
    values: np.ndarray


@dataclass(frozen=True)
class _Plan:
    layer: QuantLayer
    dtype: type[np.floating]
    wmat: np.ndarray  # (K, O) in the compute dtype
    offset: np.ndarray  # (O,) 128*b (+ rounding half for 8-bit layers)
    bias128: np.ndarray  # (O,) int64, for wide layers
    scale: float  # 2**-r


def _plan(layer: QuantLayer) -> _Plan:
    w = layer.weights.astype(np.int64)
    o = layer.out_channels
    # conv2d rows are ordered (ky, kx, c) to match the im2col columns.
    w2 = w.transpose(0, 2, 3, 1).reshape(o, -1) if layer.op == "conv2d" else w.reshape(o, -1)
    bias128 = 128 * layer.bias.astype(np.int64) if layer.bias is not None else np.zeros(o, np.int64)
    r = 7 - total_shift(layer.output_shift, layer.weight_bits)
    half = 0 if layer.wide or r <= 0 else 1 << (r - 1)
    bound = int((128 * np.abs(w2).sum(axis=1) + np.abs(bias128)).max(initial=0)) + half
    dtype: type[np.floating] = np.float32 if bound < FLOAT32_EXACT_LIMIT else np.float64
    return _Plan(
        layer=layer,
        dtype=dtype,
        wmat=np.ascontiguousarray(w2.T.astype(dtype)),
        offset=(bias128 + half).astype(dtype),
        bias128=bias128,
        scale=2.0**-r,
    )


def _pool(x: np.ndarray, layer: QuantLayer) -> np.ndarray:
    pool = layer.pool
    if pool is None:
        return x
    try:
        if pool.kind == "max":
            return max_pool_nhwc(x, pool.kernel, pool.stride)
        return avg_pool_nhwc(x, pool.kernel, pool.stride).astype(np.int8)
    except FerhilError as exc:
        raise InferenceError(f"layer {layer.name!r}: {exc}") from exc


def _im2col(x: np.ndarray, k: int, pad: int, dtype: type[np.floating]) -> np.ndarray:
    n, h, w, c = x.shape
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    ho, wo = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    if k == 1:
        return x.reshape(n * ho * wo, c).astype(dtype)
    col = np.empty((n, ho, wo, k * k, c), dtype=dtype)
    for dy in range(k):
        for dx in range(k):
            col[:, :, :, dy * k + dx, :] = x[:, dy : dy + ho, dx : dx + wo, :]
    return col.reshape(n * ho * wo, k * k * c)


def _operator(x: np.ndarray, plan: _Plan) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Return the float products ``(M, O)`` and the NHWC output shape."""
    layer = plan.layer
    n, h, w, c = x.shape
    o = layer.out_channels
    if layer.op == "conv2d":
        k = layer.kernel_size
        if c != layer.in_channels:
            raise InferenceError(
                f"layer {layer.name!r}: input has {c} channels, weights expect {layer.in_channels}"
            )
        ho, wo = h + 2 * layer.pad - k + 1, w + 2 * layer.pad - k + 1
        if ho < 1 or wo < 1:
            raise InferenceError(
                f"layer {layer.name!r}: a {k}x{k} kernel with pad {layer.pad} does not fit a "
                f"{h}x{w} input"
            )
        return _im2col(x, k, layer.pad, plan.dtype) @ plan.wmat, (n, ho, wo, o)
    if layer.flatten:
        flat = x.transpose(0, 3, 1, 2).reshape(n, -1)  # C-major (PyTorch view(N, -1)) order
    elif h == 1 and w == 1:
        flat = x.reshape(n, c)
    else:
        raise InferenceError(
            f"layer {layer.name!r}: a linear layer on {c}x{h}x{w} data needs flatten=True"
        )
    if flat.shape[1] != layer.in_channels:
        raise InferenceError(
            f"layer {layer.name!r}: {flat.shape[1]} input features, weights expect "
            f"{layer.in_channels}"
        )
    return flat.astype(plan.dtype) @ plan.wmat, (n, 1, 1, o)


def _layer_forward(x: np.ndarray, plan: _Plan) -> np.ndarray:
    """Run one layer on int8 NHWC data; int8 NHWC out, or int64 NHWC accumulators if wide."""
    prod, shape = _operator(_pool(x, plan.layer), plan)
    if plan.layer.wide:
        acc = np.rint(prod).astype(np.int64) + plan.bias128
        return acc.reshape(shape)
    prod += plan.offset
    prod *= plan.scale
    np.floor(prod, out=prod)
    np.clip(prod, INT8_MIN, INT8_MAX, out=prod)
    if plan.layer.activation == "relu":
        np.maximum(prod, 0, out=prod)
    elif plan.layer.activation == "abs":
        np.abs(prod, out=prod)
        np.minimum(prod, INT8_MAX, out=prod)
    return prod.astype(np.int8).reshape(shape)


def _validate_input(model: QuantModel, x: np.ndarray) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise InferenceError(
            f"golden inference needs int8-valued integer input, got dtype {arr.dtype}; map "
            "uint8 pixels with golden.input_mapping.pixels_to_input"
        )
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4 or tuple(arr.shape[1:]) != tuple(model.input_shape):
        raise InferenceError(
            f"input shape {np.shape(x)} does not match the model: expected (N, "
            f"{', '.join(map(str, model.input_shape))}) or {tuple(model.input_shape)}"
        )
    if arr.size and (int(arr.min()) < INT8_MIN or int(arr.max()) > INT8_MAX):
        hint = "; uint8 pixels map with golden.input_mapping.pixels_to_input" * (
            arr.dtype == np.uint8
        )
        raise InferenceError(
            f"input values must lie in [-128, 127], got [{int(arr.min())}, {int(arr.max())}]" + hint
        )
    return arr.transpose(0, 2, 3, 1).astype(np.int8)


def _chunk_size(model: QuantModel, plans: list[_Plan]) -> int:
    c, h, w = model.input_shape
    per_image = 1
    for plan in plans:
        layer = plan.layer
        if layer.pool is not None:
            (kh, kw), s = layer.pool.kernel, layer.pool.stride
            h, w = max((h - kh) // s + 1, 1), max((w - kw) // s + 1, 1)
        if layer.op == "conv2d":
            k = layer.kernel_size
            h, w = max(h + 2 * layer.pad - k + 1, 1), max(w + 2 * layer.pad - k + 1, 1)
            size = h * w * max(k * k * c, layer.out_channels)
        else:
            h = w = 1
            size = max(layer.in_channels, layer.out_channels)
        c = layer.out_channels
        per_image = max(per_image, size * np.dtype(plan.dtype).itemsize)
    return max(1, CHUNK_BYTES // per_image)


def _to_nchw_int64(y: np.ndarray) -> np.ndarray:
    return y.transpose(0, 3, 1, 2).astype(np.int64)


def run(model: QuantModel, x: np.ndarray) -> np.ndarray:
    """Run the golden model.

    Args:
        model: the quantized model.
        x: int8-valued integer input ``(N, C, H, W)`` or ``(C, H, W)`` matching
            ``model.input_shape``.

    Returns:
        int64 ``(N, num_outputs)``: raw 32-bit accumulators for a wide last layer, else the
        int8 output values flattened in CHW order.

    Raises:
        InferenceError: for input of the wrong dtype, shape or range, or an inconsistent model.
    """
    model.validate()
    xs = _validate_input(model, x)
    plans = [_plan(layer) for layer in model.layers]
    n = xs.shape[0]
    chunk = _chunk_size(model, plans)

    def forward(start: int) -> np.ndarray:
        y = xs[start : start + chunk]
        for plan in plans:
            y = _layer_forward(y, plan)
        return _to_nchw_int64(y).reshape(y.shape[0], -1)

    return np.concatenate(map_chunks(forward, range(0, max(n, 1), chunk)), axis=0)


def run_trace(model: QuantModel, x: np.ndarray) -> list[LayerOutput]:
    """Run the golden model and return every layer's output (for debugging mismatches).

    Args:
        model: the quantized model.
        x: as for :func:`run`.

    Returns:
        One :class:`LayerOutput` per layer, values int64 ``(N, C, H, W)`` (a linear layer gives
        ``(N, O, 1, 1)``).
    """
    model.validate()
    y = _validate_input(model, x)
    trace = []
    for layer in model.layers:
        y = _layer_forward(y, _plan(layer))
        trace.append(LayerOutput(layer.name, _to_nchw_int64(y)))
    return trace


def layer_accumulators(layer: QuantLayer, x: np.ndarray) -> np.ndarray:
    """Return a layer's accumulators ``Σ x·w + 128·b`` (after pooling and padding).

    Args:
        layer: the layer.
        x: int8-valued input ``(N, C, H, W)``.

    Returns:
        int64 ``(N, O, H', W')``.
    """
    plan = _plan(layer)
    xs = np.asarray(x).transpose(0, 2, 3, 1).astype(np.int8)
    prod, shape = _operator(_pool(xs, layer), plan)
    acc = np.rint(prod).astype(np.int64) + plan.bias128
    return acc.reshape(shape).transpose(0, 3, 1, 2)
