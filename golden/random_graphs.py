"""Seeded random *legal* graph models covering every operator (for izer / firmware equality tests).

:func:`random_graph` builds one small model of a kind picked by the seed (:data:`KINDS`):
sequential 2-D (all pool sizes, 8/4/2/1-bit weights, flatten + wide classifier), residual blocks
(izer's pattern: a passthrough copy and a branch, written interleaved, then an element-wise layer
with add/sub/xor/or), 3-operand element-wise with pooling after the operation, channel
concatenation, 1-D (conv1d kernels 1..9 with 1-D pools), transposed convolution, several outputs
(one of them 32-bit), and multi-pass layers (> 64 channels). Sizes are small so izer runs fast.
Output shifts are chosen from the weights so values neither vanish nor saturate everywhere.
"""

from __future__ import annotations

import math

import numpy as np

from golden.format import Pool, QuantLayer, QuantModel, weight_range

KINDS: tuple[str, ...] = (
    "sequential",
    "residual",
    "eltwise3",
    "concat",
    "conv1d",
    "transposed",
    "multi_output",
    "multipass",
)


class _Builder:
    def __init__(self, rng: np.random.Generator, shape: tuple[int, ...]) -> None:
        self.rng = rng
        self.shape = shape
        self.layers: list[QuantLayer] = []

    def _weights(self, shape: tuple[int, ...], bits: int) -> np.ndarray:
        lo, hi = weight_range(bits)
        return self.rng.integers(lo, hi + 1, shape).astype(np.int8)

    def layer(self, op: str, out_c: int, in_c: int, k: int = 1, **kw: object) -> str:
        rng = self.rng
        bits = int(kw.pop("bits", rng.choice([8, 8, 8, 4, 2, 1])))  # type: ignore[call-overload]
        shape: tuple[int, ...] = {
            "conv2d": (out_c, in_c, k, k),
            "convtranspose2d": (out_c, in_c, 3, 3),
            "conv1d": (out_c, in_c, k),
            "linear": (out_c, in_c),
        }[op]
        w = self._weights(shape, bits)
        bias = rng.integers(-128, 128, out_c).astype(np.int8) if rng.random() < 0.6 else None
        fan = np.sqrt((w.astype(np.float64).reshape(out_c, -1) ** 2).sum(axis=1).mean() + 1)
        r = int(np.clip(round(math.log2(fan + 1)), 0, 22))  # inputs ~ +-40 -> outputs ~ +-40
        total = 7 - r
        total = int(np.clip(total, -15, 15))
        name = f"l{len(self.layers)}"
        act = "none" if kw.get("wide") else str(rng.choice(["relu", "relu", "abs", "none"]))
        self.layers.append(
            QuantLayer(
                name=name,
                op=op,  # type: ignore[arg-type]
                weights=w,
                bias=bias,
                weight_bits=bits,
                output_shift=total - 8 + bits,
                activation=str(kw.pop("activation", act)),  # type: ignore[arg-type]
                **kw,  # type: ignore[arg-type]
            )
        )
        return name

    def passthrough(self, **kw: object) -> str:
        name = f"l{len(self.layers)}"
        self.layers.append(QuantLayer(name, "none", np.zeros(0, np.int8), None, 8, 0, **kw))  # type: ignore[arg-type]
        return name

    def pool(self, h: int, w: int) -> Pool | None:
        if self.rng.random() < 0.4 or min(h, w) < 2:
            return None
        k = int(self.rng.integers(1, min(h, w, 4) + 1))
        kw = k if self.rng.random() < 0.7 else int(self.rng.integers(1, min(w, 4) + 1))
        s = int(self.rng.integers(1, max(k, kw) + 1))
        return Pool(str(self.rng.choice(["max", "avg"])), (k, kw), s)  # type: ignore[arg-type]

    def model(self, seed: int) -> QuantModel:
        m = QuantModel(f"rand{seed}", "1", self.shape, (), "pixel_minus_128", self.layers)
        m.validate()
        return m


def _after_pool(h: int, w: int, pool: Pool | None) -> tuple[int, int]:
    if pool is None:
        return h, w
    return (h - pool.kernel[0]) // pool.stride + 1, (w - pool.kernel[1]) // pool.stride + 1


def _sequential(b: _Builder, c: int, h: int, w: int) -> None:
    for _ in range(int(b.rng.integers(1, 4))):
        k = int(b.rng.choice([1, 3]))
        pool = b.pool(h, w)
        h, w = _after_pool(h, w, pool)
        pad = int(b.rng.integers(0, min(k - 1, 2) + 1))
        if min(h, w) + 2 * pad < k:
            k, pad = 1, 0
        oc = int(b.rng.integers(1, 17))
        b.layer("conv2d", oc, c, k, pad=pad, pool=pool)
        c, h, w = oc, h + 2 * pad - k + 1, w + 2 * pad - k + 1
    if c * h * w <= 1024 and h * w <= 256:
        b.layer("linear", int(b.rng.integers(2, 11)), c * h * w, flatten=h * w > 1, wide=True)


def _residual(b: _Builder, c: int, h: int, w: int) -> None:
    kind = str(b.rng.choice(["add", "sub", "xor", "or"]))
    a = b.layer("conv2d", 8, c, 3, pad=1)
    copy = b.passthrough(inputs=(a,))
    branch = b.layer("conv2d", 8, 8, 3, pad=1, inputs=(a,))
    pool = b.pool(h, w)
    op = str(b.rng.choice(["conv2d", "none"]))
    if op == "none":
        b.passthrough(inputs=(copy, branch), eltwise=kind, operands=2, pool=pool)
    else:
        b.layer("conv2d", 6, 8, 1, inputs=(copy, branch), eltwise=kind, operands=2, pool=pool)


def _eltwise3(b: _Builder, c: int, h: int, w: int) -> None:
    a = b.layer("conv2d", 4, c, 1)
    srcs = tuple(b.layer("conv2d", 4, 4, 3, pad=1, inputs=(a,)) for _ in range(3))
    kind = str(b.rng.choice(["add", "sub", "xor", "or"]))
    b.passthrough(inputs=srcs, eltwise=kind, operands=3, pool=b.pool(h, w))


def _concat(b: _Builder, c: int, h: int, w: int) -> None:
    a = b.layer("conv2d", 6, c, 3, pad=1)
    n = int(b.rng.integers(2, 6))  # izer needs equal channel counts in in_sequences
    x = b.layer("conv2d", n, 6, 1, inputs=(a,))
    y = b.layer("conv2d", n, 6, 3, pad=1, inputs=(a,))
    b.layer("conv2d", 7, 2 * n, 3, pad=1, inputs=(x, y), pool=b.pool(h, w))


def _conv1d(b: _Builder, c: int, length: int) -> None:
    for _ in range(int(b.rng.integers(1, 4))):
        k = int(b.rng.integers(1, 10))
        pool = None
        if b.rng.random() < 0.5 and length >= 4:
            pk = int(b.rng.integers(2, 5))
            pool = Pool(str(b.rng.choice(["max", "avg"])), (pk, 1), int(b.rng.integers(1, pk + 1)))  # type: ignore[arg-type]
            length = (length - pk) // pool.stride + 1
        pad = int(b.rng.integers(0, min(k - 1, 2) + 1))
        if length + 2 * pad - k + 1 < 1:
            k, pad = 1, 0
        oc = int(b.rng.integers(2, 17))
        b.layer("conv1d", oc, c, k, pad=pad, pool=pool)
        c, length = oc, length + 2 * pad - k + 1
    if c * length <= 1024 and length <= 256:
        b.layer("linear", int(b.rng.integers(2, 9)), c * length, flatten=length > 1, wide=True)


def _transposed(b: _Builder, c: int, h: int, w: int) -> None:
    a = b.layer("conv2d", 8, c, 3, pad=1, pool=Pool("max", (2, 2), 2))
    del a
    b.layer("convtranspose2d", 6, 8, 3, pad=int(b.rng.integers(0, 3)))
    b.layer("conv2d", 4, 6, 3, pad=1)


def _multi_output(b: _Builder, c: int, h: int, w: int) -> None:
    a = b.layer("conv2d", 8, c, 3, pad=1, output=True, activation="relu")
    b.layer("linear", 5, 8 * h * w, flatten=True, wide=True, output=True)
    b.layer("conv2d", 4, 8, 1, inputs=(a,), wide=True)


def _multipass(b: _Builder, c: int, h: int, w: int) -> None:
    big = int(b.rng.integers(65, 100))
    b.layer("conv2d", big, c, 3, pad=1, bits=8)
    b.layer("conv2d", 12, big, int(b.rng.choice([1, 3])), pad=0, pool=Pool("max", (2, 2), 2))


def random_graph(seed: int) -> QuantModel:
    """Return a small random legal graph model; the kind is ``KINDS[seed % len(KINDS)]``."""
    rng = np.random.default_rng(seed)
    kind = KINDS[seed % len(KINDS)]
    c = int(rng.integers(1, 5))
    if kind == "conv1d":
        length = int(rng.integers(8, 33))
        b = _Builder(rng, (c, length))
        _conv1d(b, c, length)
        return b.model(seed)
    h, w = int(rng.integers(4, 11)), int(rng.integers(4, 11))
    if kind in ("transposed", "multipass"):
        h, w = h - h % 2, w - w % 2
    b = _Builder(rng, (c, h, w))
    builders = {
        "sequential": _sequential,
        "residual": _residual,
        "eltwise3": _eltwise3,
        "concat": _concat,
        "transposed": _transposed,
        "multi_output": _multi_output,
        "multipass": _multipass,
    }
    builders[kind](b, c, h, w)
    return b.model(seed)


def random_input(model: QuantModel, seed: int) -> np.ndarray:
    """Return a seeded int64 input of ``model.input_shape`` in [-128, 127]."""
    return np.random.default_rng(seed + 10_000).integers(-128, 128, model.input_shape)
