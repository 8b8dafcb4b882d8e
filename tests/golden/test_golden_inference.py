"""Golden inference equals a slow, naive integer loop written from the spec (§2.4-2.6)."""

from __future__ import annotations

from fractions import Fraction
from math import floor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golden.errors import FerhilError
from golden.format import Pool, QuantLayer, QuantModel, weight_range
from golden.inference import InferenceError, layer_accumulators, run, run_trace
from golden.synthetic import random_legal_model

# ---------------------------------------------------------------- naive reference (spec only)


def naive_pool(x: list, pool: Pool) -> list:
    """Pool nested lists [c][y][x] of Python ints with explicit loops."""
    kh, kw = pool.kernel
    s = pool.stride
    h, w = len(x[0]), len(x[0][0])
    ho, wo = (h - kh) // s + 1, (w - kw) // s + 1
    out = []
    for ch in x:
        plane = []
        for i in range(ho):
            row = []
            for j in range(wo):
                vals = [ch[i * s + a][j * s + b] for a in range(kh) for b in range(kw)]
                if pool.kind == "max":
                    row.append(max(vals))
                else:
                    total = sum(vals)
                    q = abs(total) // (kh * kw)
                    row.append(q if total >= 0 else -q)
            plane.append(row)
        out.append(plane)
    return out


def naive_finish(acc: int, layer: QuantLayer) -> int:
    if layer.wide:
        return acc
    s = layer.output_shift + 8 - layer.weight_bits
    t = floor(Fraction(acc) * Fraction(2) ** s / 128 + Fraction(1, 2))
    y = min(127, max(-128, t))
    if layer.activation == "relu":
        y = max(y, 0)
    elif layer.activation == "abs":
        y = min(abs(y), 127)
    return y


def naive_layer(x: list, layer: QuantLayer) -> list:
    """One layer on nested lists [c][y][x]; returns nested lists [o][y][x]."""
    if layer.pool is not None:
        x = naive_pool(x, layer.pool)
    w = layer.weights.tolist()
    b = layer.bias.tolist() if layer.bias is not None else [0] * layer.out_channels
    if layer.op == "linear":
        flat = [v for ch in x for row in ch for v in row]
        return [
            [
                [
                    naive_finish(
                        sum(wi * xi for wi, xi in zip(w[o], flat, strict=True)) + 128 * b[o], layer
                    )
                ]
            ]
            for o in range(layer.out_channels)
        ]
    c, h, wd = len(x), len(x[0]), len(x[0][0])
    k, p = layer.kernel_size, layer.pad

    def at(ch: int, yy: int, xx: int) -> int:
        if 0 <= yy < h and 0 <= xx < wd:
            return x[ch][yy][xx]
        return 0

    ho, wo = h + 2 * p - k + 1, wd + 2 * p - k + 1
    out = []
    for o in range(layer.out_channels):
        plane = []
        for i in range(ho):
            row = []
            for j in range(wo):
                acc = 128 * b[o]
                for ch in range(c):
                    for a in range(k):
                        for bb in range(k):
                            acc += w[o][ch][a][bb] * at(ch, i + a - p, j + bb - p)
                row.append(naive_finish(acc, layer))
            plane.append(row)
        out.append(plane)
    return out


def naive_run(model: QuantModel, x: np.ndarray) -> np.ndarray:
    outs = []
    for sample in x:
        y = sample.tolist()
        for layer in model.layers:
            y = naive_layer(y, layer)
        outs.append([v for ch in y for row in ch for v in row])
    return np.array(outs, dtype=np.int64)


# ---------------------------------------------------------------- helpers


def single_layer_model(layer: QuantLayer, input_shape: tuple[int, int, int]) -> QuantModel:
    return QuantModel(
        name="t",
        version="1",
        input_shape=input_shape,
        classes=tuple(f"c{i}" for i in range(layer.out_channels)),
        input_mapping="pixel_minus_128",
        layers=[layer],
    )


def random_layer(
    rng: np.random.Generator,
    *,
    op: str = "conv2d",
    cin: int = 3,
    cout: int = 4,
    k: int = 3,
    bits: int = 8,
    **kw: object,
) -> QuantLayer:
    lo, hi = weight_range(bits)
    shape = (cout, cin, k, k) if op == "conv2d" else (cout, cin)
    return QuantLayer(
        name="l0",
        op=op,  # type: ignore[arg-type]
        weights=rng.integers(lo, hi + 1, size=shape).astype(np.int8),
        bias=rng.integers(-128, 128, size=cout).astype(np.int8),
        weight_bits=bits,
        output_shift=kw.pop("output_shift", -(8 - bits) + 1),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def rand_input(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(-128, 128, size=shape).astype(np.int8)


# ---------------------------------------------------------------- hand-built single layers


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("pad", [0, 1, 2])
@pytest.mark.parametrize("bits", [8, 4, 2, 1])
def test_conv_single_layer(k: int, pad: int, bits: int) -> None:
    rng = np.random.default_rng(k * 100 + pad * 10 + bits)
    layer = random_layer(rng, k=k, bits=bits, pad=pad, activation="none")
    model = single_layer_model(layer, (3, 7, 6))
    x = rand_input(rng, (2, 3, 7, 6))
    # choose the shift so outputs are not all saturated
    acc = layer_accumulators(layer, x)
    q = max(1.0, float(np.quantile(np.abs(acc), 0.9)))
    layer.output_shift = int(np.clip(np.round(np.log2(64 * 128 / q)), -15, 15)) - 8 + bits
    got = run(model, x)
    assert got.shape == (2, 4 * (7 + 2 * pad - k + 1) * (6 + 2 * pad - k + 1))
    np.testing.assert_array_equal(got, naive_run(model, x))
    assert len(np.unique(got)) > 5


@pytest.mark.parametrize("activation", ["relu", "abs", "none"])
def test_activation_single_layer(activation: str) -> None:
    rng = np.random.default_rng(7)
    layer = random_layer(rng, activation=activation, output_shift=-3, pad=1)
    model = single_layer_model(layer, (3, 5, 5))
    x = rand_input(rng, (2, 3, 5, 5))
    got = run(model, x)
    np.testing.assert_array_equal(got, naive_run(model, x))
    if activation != "none":
        assert got.min() >= 0
    else:
        assert got.min() < 0


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize(("kernel", "stride"), [((2, 2), 2), ((3, 2), 1), ((4, 4), 3)])
def test_pool_single_layer(kind: str, kernel: tuple[int, int], stride: int) -> None:
    rng = np.random.default_rng(11)
    layer = random_layer(
        rng,
        k=1,
        cin=2,
        cout=3,
        pad=0,
        output_shift=1,
        pool=Pool(kind, kernel, stride),  # type: ignore[arg-type]
    )
    model = single_layer_model(layer, (2, 9, 8))
    x = rand_input(rng, (3, 2, 9, 8))
    np.testing.assert_array_equal(run(model, x), naive_run(model, x))


def test_negative_average_pool_truncates_toward_zero() -> None:
    # identity 1x1 conv with total shift 7 (r = 0): output = pooled input
    layer = QuantLayer(
        name="id",
        op="conv2d",
        weights=np.ones((1, 1, 1, 1), np.int8),
        bias=None,
        weight_bits=8,
        output_shift=7,
        pool=Pool("avg", (2, 2), 2),
    )
    model = single_layer_model(layer, (1, 2, 4))
    x = np.array([[[[-1, -2, 1, 2], [-2, -2, 2, 2]]]], np.int8)  # sums -7 and 7
    assert run(model, x).tolist() == [[-1, 1]]


def test_wide_linear_is_raw_accumulator() -> None:
    w = np.array([[1, 2, 3], [-4, 5, -6], [7, -8, 9]], np.int8).reshape(1, 9)
    layer = QuantLayer(
        name="fc",
        op="linear",
        weights=w,
        bias=np.array([-3], np.int8),
        weight_bits=8,
        output_shift=-1,
        flatten=True,
        wide=True,
    )
    model = single_layer_model(layer, (1, 3, 3))
    x = np.array([[10, -20, 30], [0, 127, -128], [5, 5, 5]], np.int8)[None]
    assert run(model, x).tolist() == [[1119]]  # spec §2.11
    layer.wide = False
    layer.activation = "relu"
    assert run(model, x).tolist() == [[4]]


@pytest.mark.parametrize("bits", [8, 4, 2, 1])
@pytest.mark.parametrize("wide", [True, False])
def test_linear_flatten_chw_order(bits: int, wide: bool) -> None:
    rng = np.random.default_rng(bits + 5 * wide)
    layer = random_layer(
        rng, op="linear", cin=2 * 3 * 4, cout=5, bits=bits, flatten=True, wide=wide
    )
    model = single_layer_model(layer, (2, 3, 4))
    x = rand_input(rng, (4, 2, 3, 4))
    np.testing.assert_array_equal(run(model, x), naive_run(model, x))


def test_float64_path_for_large_weight_sums() -> None:
    # 1024 inputs of 8-bit weights -128: bound 128*128*1024 = 2**24 -> float32 is not exact
    layer = QuantLayer(
        name="fc",
        op="linear",
        weights=np.full((2, 1024), -128, np.int8),
        bias=np.array([127, -128], np.int8),
        weight_bits=8,
        output_shift=0,
        flatten=True,
        wide=True,
    )
    model = single_layer_model(layer, (1024, 1, 1))
    x = np.full((1, 1024, 1, 1), -128, np.int8)
    x[0, 0, 0, 0] = -127
    expected = 128 * 128 * 1024 - 128 + 128 * np.array([127, -128])
    assert run(model, x).tolist() == [expected.tolist()]


# ---------------------------------------------------------------- random legal models


@pytest.mark.parametrize("seed", range(12))
def test_random_models_match_naive(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = random_legal_model(rng, input_shape=(2, 14, 13), max_layers=5, max_channels=6)
    x = rand_input(rng, (2, 2, 14, 13))
    np.testing.assert_array_equal(run(model, x), naive_run(model, x))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), h=st.integers(6, 16), w=st.integers(6, 16))
def test_random_models_match_naive_hypothesis(seed: int, h: int, w: int) -> None:
    rng = np.random.default_rng(seed)
    model = random_legal_model(rng, input_shape=(1, h, w), max_layers=4, max_channels=5)
    x = rand_input(rng, (1, 1, h, w))
    np.testing.assert_array_equal(run(model, x), naive_run(model, x))


def test_chunking_gives_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    import golden.inference as inference

    rng = np.random.default_rng(3)
    model = random_legal_model(rng, input_shape=(1, 20, 20), max_layers=5)
    x = rand_input(rng, (9, 1, 20, 20))
    whole = run(model, x)
    monkeypatch.setattr(inference, "CHUNK_BYTES", 1)
    np.testing.assert_array_equal(run(model, x), whole)


def test_trace_matches_run_and_shapes() -> None:
    rng = np.random.default_rng(4)
    model = random_legal_model(rng, input_shape=(1, 16, 16), max_layers=5)
    x = rand_input(rng, (3, 1, 16, 16))
    trace = run_trace(model, x)
    assert [t.name for t in trace] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(trace[-1].values.reshape(3, -1), run(model, x))
    for t, layer in zip(trace, model.layers, strict=True):
        assert t.values.ndim == 4 and t.values.shape[1] == layer.out_channels


def test_chw_input_without_batch_axis() -> None:
    rng = np.random.default_rng(5)
    model = random_legal_model(rng, input_shape=(1, 12, 12), max_layers=3)
    x = rand_input(rng, (1, 12, 12))
    np.testing.assert_array_equal(run(model, x), run(model, x[None]))
    assert run(model, x).shape == (1, 7)
    assert run(model, x.astype(np.int64)).dtype == np.int64


# ---------------------------------------------------------------- input validation


@pytest.fixture(scope="module")
def small_model() -> QuantModel:
    return random_legal_model(np.random.default_rng(6), input_shape=(1, 12, 12), max_layers=3)


def test_rejects_float_input(small_model: QuantModel) -> None:
    with pytest.raises(InferenceError, match=r"integer input.*pixels_to_input"):
        run(small_model, np.zeros((1, 1, 12, 12), np.float32))


def test_rejects_wrong_shape(small_model: QuantModel) -> None:
    with pytest.raises(InferenceError, match=r"expected \(N, 1, 12, 12\)"):
        run(small_model, np.zeros((1, 1, 12, 11), np.int8))


def test_rejects_out_of_range(small_model: QuantModel) -> None:
    with pytest.raises(FerhilError, match=r"\[-128, 127\]"):
        run(small_model, np.full((1, 1, 12, 12), 200, np.int16))
    with pytest.raises(FerhilError, match="pixels_to_input"):
        run(small_model, np.full((1, 1, 12, 12), 200, np.uint8))


@pytest.mark.parametrize("seed", range(4))
def test_float64_path_matches_naive(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import golden.inference as inference

    monkeypatch.setattr(inference, "FLOAT32_EXACT_LIMIT", 0)  # force float64 everywhere
    rng = np.random.default_rng(100 + seed)
    model = random_legal_model(rng, input_shape=(1, 12, 12), max_layers=4, max_channels=5)
    assert all(inference._plan(layer).dtype is np.float64 for layer in model.layers)
    x = rand_input(rng, (2, 1, 12, 12))
    np.testing.assert_array_equal(run(model, x), naive_run(model, x))
