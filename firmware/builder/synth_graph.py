"""C synthesis of graph models (format version 2) for the portable kernels.

:func:`graph_context` turns a model that is not sequential conv2d/linear into the template
context of ``templates/cnn_graph.c.j2``: one static output buffer per layer, and per layer the
C statements that gather its inputs (channel concatenation is contiguous CHW copies), combine
element-wise operands and pool in the order of ``pool_first``, and run the operator (conv2d,
conv1d, convtranspose2d as stride-2 zero insertion + a stride-1 conv2d, linear, passthrough)
with ``firmware/c/kernels.c``. Sequential models keep ``templates/cnn.c.j2``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from firmware.builder.model_plan import SynthesisError
from firmware.builder.weight_packing import pack_rows, row_bytes
from golden import graph
from golden.arithmetic import total_shift
from golden.format import QuantModel

_ACT = {"none": "FERHIL_ACT_NONE", "relu": "FERHIL_ACT_RELU", "abs": "FERHIL_ACT_ABS"}
_ELT = {
    "add": "FERHIL_ELT_ADD",
    "sub": "FERHIL_ELT_SUB",
    "xor": "FERHIL_ELT_XOR",
    "or": "FERHIL_ELT_OR",
}
INT32_MAX = (1 << 31) - 1


def _n(shape: tuple[int, int, int]) -> int:
    return shape[0] * shape[1] * shape[2]


def _pool_call(layer: Any, src: str, shape: tuple[int, int, int], dst: str) -> str:
    pool = layer.pool
    fn = "ferhil_max_pool_s8" if pool.kind == "max" else "ferhil_avg_pool_s8"
    c, h, w = shape
    kh, kw = pool.kernel
    return f"CNN_TRY({fn}({src}, {c}u, {h}u, {w}u, {kh}u, {kw}u, {pool.stride}u, {dst}));"


def graph_context(
    model: QuantModel, c_bytes: Callable[..., str], comment: Callable[[str], str]
) -> dict[str, Any]:
    """Return the template context (buffers, params, body, weights) of a graph model.

    Raises:
        SynthesisError: for what the portable kernels cannot run exactly.
    """
    geo = graph.geometry(model.input_shape, model.layers)
    srcs = graph.sources(model.layers)
    last = len(model.layers) - 1
    consumed = {s for ss in srcs for s in ss}
    buffers: list[dict[str, Any]] = []
    params: list[dict[str, Any]] = []
    weights: list[dict[str, Any]] = []
    body: list[str] = []
    cat = pool = elt = up = scratch = acc = 1
    checks: list[str] = []
    names = ["cnn_input_buf"]
    for i, (layer, g) in enumerate(zip(model.layers, geo, strict=True)):
        where = f"layer {i} ({layer.name!r})"
        if layer.wide and i in consumed:
            raise SynthesisError(f"{where}: a 32-bit layer output cannot feed another layer")
        if layer.wide and not layer.has_weights:
            raise SynthesisError(f"{where}: a 32-bit passthrough layer is not supported")
        out_n = _n(g.output_shape)
        buf = f"cnn_y{i}"
        buffers.append({"name": buf, "ctype": "int32_t" if layer.wide else "int8_t", "size": out_n})
        body.append(f"/* {i} {comment(layer.name)}: {layer.op} -> {g.output_shape} */")
        ins = [names[s + 1] for s in srcs[i]]
        if len(ins) == 1:
            body.append(f"src = {ins[0]};")
        else:
            off = 0
            for s, name in zip(srcs[i], ins, strict=True):
                n = _n(geo[s].output_shape) if s >= 0 else _n(graph.as_shape3(model.input_shape))
                body.append(f"cnn_copy({name}, {n}u, cnn_cat + {off});")
                off += n
            body.append("src = cnn_cat;")
            cat = max(cat, off)
        c, h, w = g.input_shape
        per = (c // layer.operands, h, w)
        if layer.operands > 1:
            kind = _ELT[layer.eltwise or "add"]
            if layer.pool_first and layer.pool is not None:
                for k in range(layer.operands):
                    body.append(
                        _pool_call(
                            layer,
                            f"src + {k * _n(per)}",
                            per,
                            f"cnn_pool + {k * _n(g.pooled_shape)}",
                        )
                    )
                size = _n(g.pooled_shape)
                body.append(
                    f"CNN_TRY(ferhil_eltwise_s8(cnn_pool, {size}u, {layer.operands}u, {kind}, "
                    "cnn_elt));"
                )
                body.append("src = cnn_elt;")
                pool = max(pool, layer.operands * _n(g.pooled_shape))
            else:
                body.append(
                    f"CNN_TRY(ferhil_eltwise_s8(src, {_n(per)}u, {layer.operands}u, {kind}, "
                    "cnn_elt));"
                )
                body.append("src = cnn_elt;")
                if layer.pool is not None:
                    body.append(_pool_call(layer, "src", per, "cnn_pool"))
                    body.append("src = cnn_pool;")
                    pool = max(pool, _n(g.pooled_shape))
            elt = max(elt, _n(per))
        elif layer.pool is not None:
            body.append(_pool_call(layer, "src", per, "cnn_pool"))
            body.append("src = cnn_pool;")
            pool = max(pool, _n(g.pooled_shape))
        pc, ph, pw = g.pooled_shape
        out8, out32 = ("NULL", buf) if layer.wide else (buf, "NULL")
        if layer.op == "none":
            body.append(f"cnn_copy(src, {out_n}u, {buf});")
        else:
            k = layer.kernel_size
            row = int(np.prod(layer.weights.shape[1:]))
            bound = (
                128
                * int(
                    np.abs(layer.weights.astype(np.int64))
                    .reshape(layer.out_channels, -1)
                    .sum(1)
                    .max()
                )
                + 128 * 128
            )
            if bound > INT32_MAX:
                raise SynthesisError(f"{where}: accumulators may reach {bound}, beyond int32")
            in_c, in_h, in_w, pad = pc, ph, pw, layer.pad
            if layer.op == "linear":
                in_c, in_h, in_w, k, pad = row, 1, 1, 1, 0
            if layer.op == "convtranspose2d":
                before = k - 1 - layer.pad
                after = before + layer.output_pad
                body.append(
                    f"CNN_TRY(ferhil_upsample2x_s8(src, {pc}u, {ph}u, {pw}u, {before}u, {after}u, "
                    "cnn_up));"
                )
                body.append("src = cnn_up;")
                in_h, in_w, pad = 2 * ph - 1 + before + after, 2 * pw - 1 + before + after, 0
                up = max(up, pc * in_h * in_w)
            r = 7 - total_shift(layer.output_shift, layer.weight_bits)
            bias = f"cnn_bias_{i}" if layer.bias is not None else "NULL"
            params.append(
                {
                    "index": i,
                    "text": (
                        f"{in_c}u, {in_h}u, {in_w}u, {layer.out_channels}u, {k}u, {pad}u, "
                        f"{layer.weight_bits}u, {r}, {_ACT[layer.activation]}, {int(layer.wide)}u, "
                        f"cnn_weights_{i}, {bias}"
                    ),
                }
            )
            fn = {"conv1d": "conv1d", "linear": "fully_connected"}.get(layer.op, "conv2d")
            extra = ", cnn_acc" if fn == "conv2d" else ""
            body.append(
                f"CNN_TRY(ferhil_{fn}_s8(&cnn_p{i}, src, {out8}, {out32}, cnn_wscratch{extra}));"
            )
            checks.append(f"ferhil_{fn}_s8_get_buffer_size(&cnn_p{i}) > CNN_SCRATCH_WEIGHTS")
            if fn == "conv2d":
                checks.append(f"ferhil_conv2d_s8_get_acc_size(&cnn_p{i}) > CNN_ACC_PLANE")
                acc = max(acc, g.output_shape[1] * g.output_shape[2])
            scratch = max(scratch, row)
            packed = pack_rows(layer.weights, layer.weight_bits)
            weights.append({
                "index": i, "name": comment(layer.name), "op": layer.op,
                "shape": "x".join(map(str, layer.weights.shape)), "bits": layer.weight_bits,
                "row_bytes": row_bytes(row, layer.weight_bits), "size": len(packed),
                "weights_text": c_bytes(packed), "out": layer.out_channels,
                "bias_text": c_bytes(layer.bias.astype(np.int8).tobytes(), signed=True)
                if layer.bias is not None else None,
            })  # fmt: skip
        names.append(buf)
    buffers += [
        {"name": "cnn_cat", "ctype": "int8_t", "size": cat},
        {"name": "cnn_pool", "ctype": "int8_t", "size": pool},
        {"name": "cnn_elt", "ctype": "int8_t", "size": elt},
        {"name": "cnn_up", "ctype": "int8_t", "size": up},
    ]
    body += [
        "(void)cnn_cat;",
        "(void)cnn_pool;",
        "(void)cnn_elt;",
        "(void)cnn_up;",
        "(void)cnn_acc;",
    ]
    macs = sum(
        int(layer.weights.size) * _n(g.output_shape) // max(g.output_shape[0], 1)
        for layer, g in zip(model.layers, geo, strict=True)
        if layer.has_weights
    )
    return {
        "buffers": buffers, "params": params, "body": body, "weight_layers": weights,
        "scratch_weights": scratch, "acc_plane": acc, "checks": checks, "result": names[last + 1],
        "num_outputs": _n(geo[last].output_shape), "model_macs": macs,
    }  # fmt: skip
