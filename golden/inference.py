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

from golden import graph
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


def _conv_weights(layer: QuantLayer) -> np.ndarray:
    """Return the weights as 2-D ``(O, K)`` rows ordered like the im2col columns."""
    w = layer.weights.astype(np.int64)
    o = layer.out_channels
    if layer.op == "conv1d":
        w = w[..., None]  # (O, I, k) -> (O, I, k, 1)
    if w.ndim == 4:  # conv rows are ordered (ky, kx, c) to match the im2col columns
        return w.transpose(0, 2, 3, 1).reshape(o, -1)
    return w.reshape(o, -1)


def _plan(layer: QuantLayer) -> _Plan:
    o = layer.out_channels
    w2 = _conv_weights(layer) if layer.has_weights else np.zeros((0, 0), np.int64)
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


def _im2col(
    x: np.ndarray, k: int, pad: int, dtype: type[np.floating], kw: int = 0, pad_w: int = -1
) -> np.ndarray:
    """im2col of NHWC ``x`` for a ``k x kw`` kernel (``kw`` defaults to ``k``, ``pad_w`` to pad)."""
    kw = kw or k
    pad_w = pad if pad_w < 0 else pad_w
    n, h, w, c = x.shape
    if pad or pad_w:
        x = np.pad(x, ((0, 0), (pad, pad), (pad_w, pad_w), (0, 0)))
    ho, wo = h + 2 * pad - k + 1, w + 2 * pad_w - kw + 1
    if k == 1 and kw == 1:
        return x.reshape(n * ho * wo, c).astype(dtype)
    col = np.empty((n, ho, wo, k * kw, c), dtype=dtype)
    for dy in range(k):
        for dx in range(kw):
            col[:, :, :, dy * kw + dx, :] = x[:, dy : dy + ho, dx : dx + wo, :]
    return col.reshape(n * ho * wo, k * kw * c)


def _upsample(x: np.ndarray, layer: QuantLayer) -> np.ndarray:
    """Stride-2 zero insertion and padding of a convtranspose2d input (izer's formulation)."""
    n, h, w, c = x.shape
    up = np.zeros((n, 2 * h - 1, 2 * w - 1, c), dtype=x.dtype)
    up[:, ::2, ::2, :] = x
    p = layer.kernel_size - 1 - layer.pad
    q = p + layer.output_pad
    return np.pad(up, ((0, 0), (p, q), (p, q), (0, 0)))


def _operator(x: np.ndarray, plan: _Plan) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Return the float products ``(M, O)`` and the NHWC output shape."""
    layer = plan.layer
    n, h, w, c = x.shape
    o = layer.out_channels
    if layer.op in ("conv2d", "conv1d", "convtranspose2d"):
        k = layer.kernel_size
        if c != layer.in_channels:
            raise InferenceError(
                f"layer {layer.name!r}: input has {c} channels, weights expect {layer.in_channels}"
            )
        kw, pad, pad_w = k, layer.pad, layer.pad
        if layer.op == "conv1d":
            kw, pad_w = 1, 0
        elif layer.op == "convtranspose2d":
            x = _upsample(x, layer)
            n, h, w, c = x.shape
            pad = pad_w = 0
        ho, wo = h + 2 * pad - k + 1, w + 2 * pad_w - kw + 1
        if ho < 1 or wo < 1:
            raise InferenceError(
                f"layer {layer.name!r}: a {k}x{kw} kernel with pad {layer.pad} does not fit a "
                f"{h}x{w} input"
            )
        return _im2col(x, k, pad, plan.dtype, kw, pad_w) @ plan.wmat, (n, ho, wo, o)
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


def _requantize(prod: np.ndarray, shape: tuple[int, ...], plan: _Plan) -> np.ndarray:
    """Turn float products into int8 NHWC outputs, or int64 accumulators for a wide layer."""
    if plan.layer.wide:
        acc = np.rint(prod).astype(np.int64) + plan.bias128
        result: np.ndarray = acc.reshape(shape)
        return result
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


def _layer_forward(x: np.ndarray, plan: _Plan) -> np.ndarray:
    """Run one sequential layer on int8 NHWC data (the version-1 fast path)."""
    prod, shape = _operator(_pool(x, plan.layer), plan)
    return _requantize(prod, shape, plan)


def _eltwise(parts: list[np.ndarray], kind: str, clip: bool) -> np.ndarray:
    out = parts[0].astype(np.int64)
    for part in parts[1:]:
        if kind == "add":
            out = out + part
        elif kind == "sub":
            out = out - part
        elif kind == "xor":
            out = np.bitwise_xor(out, part.astype(np.int64))
        else:
            out = np.bitwise_or(out, part.astype(np.int64))
    return np.clip(out, INT8_MIN, INT8_MAX).astype(np.int8) if clip else out


def _graph_layer_forward(inputs: list[np.ndarray], plan: _Plan) -> np.ndarray:
    """Run one graph layer: concatenate, combine operands and pool, then the operator."""
    layer = plan.layer
    x = inputs[0] if len(inputs) == 1 else np.concatenate(inputs, axis=3)
    if layer.operands > 1:
        parts = np.split(x, layer.operands, axis=3)
        clip = layer.has_weights or not layer.wide
        if layer.pool_first:
            x = _eltwise([_pool(p, layer) for p in parts], layer.eltwise or "add", clip)
        else:
            x = _pool(_eltwise(parts, layer.eltwise or "add", clip), layer)
    else:
        x = _pool(x, layer)
    if not layer.has_weights:
        return x
    prod, shape = _operator(x.astype(np.int8, copy=False), plan)
    return _requantize(prod, shape, plan)


def _validate_input(model: QuantModel, x: np.ndarray) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise InferenceError(
            f"golden inference needs int8-valued integer input, got dtype {arr.dtype}; map "
            "uint8 pixels with golden.input_mapping.pixels_to_input"
        )
    rank = len(model.input_shape)
    if arr.ndim == rank:
        arr = arr[None]
    if arr.ndim != rank + 1 or tuple(arr.shape[1:]) != tuple(model.input_shape):
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
    if rank == 2:
        arr = arr[..., None]  # (N, C, L) -> (N, C, L, 1)
    return arr.transpose(0, 2, 3, 1).astype(np.int8)


def _chunk_size(model: QuantModel, plans: list[_Plan]) -> int:
    per_image = 1
    for plan, geo in zip(plans, graph.geometry(model.input_shape, model.layers), strict=True):
        layer = plan.layer
        c, h, w = geo.input_shape
        oc, oh, ow = geo.output_shape
        taps = layer.kernel_size**2 if layer.op in ("conv2d", "convtranspose2d") else 1
        taps = layer.kernel_size if layer.op == "conv1d" else taps
        size = max(oh * ow * max(taps * geo.pooled_shape[0], oc), c * h * w)
        per_image = max(per_image, size * np.dtype(plan.dtype).itemsize)
    return max(1, CHUNK_BYTES // per_image)


def _to_nchw_int64(y: np.ndarray) -> np.ndarray:
    return y.transpose(0, 3, 1, 2).astype(np.int64)


def _forward_graph(model: QuantModel, plans: list[_Plan], xs: np.ndarray) -> list[np.ndarray]:
    """Run every layer of a graph model; return each layer's NHWC output (None once unused)."""
    srcs = graph.sources(model.layers)
    keep = set(graph.output_indices(model.layers))
    last_use = {s: i for i, ss in enumerate(srcs) for s in ss}
    outs: list[np.ndarray] = []
    for i, plan in enumerate(plans):
        ins = [xs if s < 0 else outs[s] for s in srcs[i]]
        outs.append(_graph_layer_forward(ins, plan))
        for s in set(srcs[i]):
            if s >= 0 and last_use.get(s) == i and s not in keep:
                outs[s] = np.empty(0, np.int8)  # free it; no later layer reads it
    return outs


def _out_shape(model: QuantModel, y: np.ndarray) -> np.ndarray:
    """NHWC -> int64 NCHW, or (N, C, L) for a 1-D model's 1-D output."""
    out = _to_nchw_int64(y)
    return out[..., 0] if model.is_1d and out.shape[3] == 1 else out


def run_outputs(model: QuantModel, x: np.ndarray) -> dict[str, np.ndarray]:
    """Run the golden model and return every output layer's values.

    Args:
        model: the quantized model.
        x: int8-valued integer input ``(N, *input_shape)`` or ``input_shape``.

    Returns:
        ``{layer name: int64 (N, C, H, W)}`` (``(N, C, L)`` for 1-D outputs of 1-D models), the
        last layer last; raw 32-bit accumulators for wide layers.

    Raises:
        InferenceError: for input of the wrong dtype, shape or range, or an inconsistent model.
    """
    model.validate()
    xs = _validate_input(model, x)
    plans = [_plan(layer) for layer in model.layers]
    chunk = _chunk_size(model, plans)
    wanted = graph.output_indices(model.layers)

    def forward(start: int) -> list[np.ndarray]:
        outs = _forward_graph(model, plans, xs[start : start + chunk])
        return [_out_shape(model, outs[i]) for i in wanted]

    pieces = map_chunks(forward, range(0, max(xs.shape[0], 1), chunk))
    return {
        model.layers[i].name: np.concatenate([p[j] for p in pieces], axis=0)
        for j, i in enumerate(wanted)
    }


def run(model: QuantModel, x: np.ndarray) -> np.ndarray:
    """Run the golden model.

    Args:
        model: the quantized model.
        x: int8-valued integer input ``(N, *input_shape)`` or ``input_shape``.

    Returns:
        int64 ``(N, num_outputs)``: the last layer's raw 32-bit accumulators when it is wide,
        else its int8 values, flattened in CHW order.

    Raises:
        InferenceError: for input of the wrong dtype, shape or range, or an inconsistent model.
    """
    if not model.is_v1():
        last = list(run_outputs(model, x).values())[-1]
        return last.reshape(last.shape[0], -1)
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
        ``(N, O, 1, 1)``; 1-D data ``(N, C, L, 1)``).
    """
    model.validate()
    xs = _validate_input(model, x)
    srcs = graph.sources(model.layers)
    full: list[np.ndarray] = []
    for i, layer in enumerate(model.layers):
        ins = [xs if s < 0 else full[s] for s in srcs[i]]
        full.append(_graph_layer_forward(ins, _plan(layer)))
    return [
        LayerOutput(layer.name, _to_nchw_int64(y))
        for layer, y in zip(model.layers, full, strict=True)
    ]


def layer_accumulators(layer: QuantLayer, x: np.ndarray) -> np.ndarray:
    """Return a layer's accumulators ``Σ x·w + 128·b`` (after pooling and padding).

    Args:
        layer: a conv2d, conv1d, convtranspose2d or linear layer.
        x: int8-valued input ``(N, C, H, W)`` (1-D data as ``(N, C, L, 1)``).

    Returns:
        int64 ``(N, O, H', W')``.
    """
    plan = _plan(layer)
    xs = np.asarray(x).transpose(0, 2, 3, 1).astype(np.int8)
    prod, shape = _operator(_pool(xs, layer), plan)
    acc = np.rint(prod).astype(np.int64) + plan.bias128
    result: np.ndarray = acc.reshape(shape).transpose(0, 3, 1, 2)
    return result
