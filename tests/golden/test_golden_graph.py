"""Graph models (format version 2): migration, hashing, and every operator against naive loops."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from golden.arithmetic import requantize
from golden.format import ModelFormatError, Pool, QuantLayer, QuantModel, load, save
from golden.graph import GraphError, geometry
from golden.inference import run, run_outputs

ZOO = Path(__file__).resolve().parents[2] / "models" / "zoo"


def _layer(name: str, op: str, w: np.ndarray, **kw: object) -> QuantLayer:
    return QuantLayer(
        name=name,
        op=op,
        weights=w.astype(np.int8),
        bias=None,
        weight_bits=8,
        output_shift=kw.pop("output_shift", -3),
        **kw,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "path", sorted(ZOO.glob("*/model.qmodel.npz")), ids=lambda p: p.parent.name
)
def test_zoo_models_keep_their_version1_hash(path: Path) -> None:
    model = load(path)
    card = (path.parent / "CARD.md").read_text()
    assert model.is_v1()
    assert re.search(rf"hash \|? ?`{model.short_hash}`", card), "hash changed by migration"


def test_graph_model_round_trips_with_stable_hash(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    model = QuantModel(
        "g",
        "1",
        (4, 6, 6),
        (),
        "pixel_minus_128",
        [
            _layer("a", "conv2d", rng.integers(-128, 128, (4, 4, 3, 3)), pad=1, activation="relu"),
            _layer("b", "conv2d", rng.integers(-128, 128, (4, 4, 1, 1)), output=True),
            QuantLayer(
                "res",
                "none",
                np.zeros(0, np.int8),
                None,
                8,
                0,
                inputs=("a", "b"),
                eltwise="add",
                operands=2,
                hw={"write_gap": 1},
            ),
        ],
    )
    model.validate()
    assert not model.is_v1()
    again = load(save(model, tmp_path / "g"))
    assert again.hash() == model.hash() and again.layers[2].hw == {"write_gap": 1}
    again.layers[2].hw = {"write_gap": 0}
    assert again.hash() == model.hash(), "placement must not change the hash"
    x = rng.integers(-128, 128, (3, 4, 6, 6))
    outs = run_outputs(model, x)
    assert list(outs) == ["b", "res"]
    a_out = run(QuantModel("g", "1", (4, 6, 6), (), "pixel_minus_128", model.layers[:1]), x)
    expect = np.clip(a_out.reshape(3, 4, 6, 6) + outs["b"], -128, 127)
    np.testing.assert_array_equal(outs["res"], expect)


def test_conv1d_and_pool_match_a_naive_loop() -> None:
    rng = np.random.default_rng(1)
    w = rng.integers(-128, 128, (5, 3, 4))
    layer = _layer("c", "conv1d", w, pad=2, pool=Pool("max", (2, 1), 2))
    model = QuantModel("c", "1", (3, 17), (), "pixel_minus_128", [layer])
    x = rng.integers(-128, 128, (2, 3, 17))
    got = run_outputs(model, x)["c"]
    pooled = x[:, :, :16].reshape(2, 3, 8, 2).max(axis=3)
    padded = np.pad(pooled, ((0, 0), (0, 0), (2, 2)))
    acc = np.zeros((2, 5, 9), np.int64)
    for t in range(9):
        acc[:, :, t] = np.einsum("nck,ock->no", padded[:, :, t : t + 4], w)
    np.testing.assert_array_equal(got, requantize(acc, -3 + 8 - 8))


def test_convtranspose2d_matches_the_scatter_definition() -> None:
    rng = np.random.default_rng(2)
    wt = rng.integers(-128, 128, (3, 2, 3, 3))  # torch layout (in, out, k, k)
    eff = np.flip(wt, axis=(2, 3)).swapaxes(0, 1)
    layer = _layer("t", "convtranspose2d", eff, pad=1, wide=True)
    model = QuantModel("t", "1", (3, 4, 5), (), "pixel_minus_128", [layer])
    x = rng.integers(-128, 128, (1, 3, 4, 5))
    got = run_outputs(model, x)["t"]
    assert got.shape == (1, 2, 8, 10)
    full = np.zeros((2, 11, 13), np.int64)  # torch: out = (H-1)*2 - 2p + k + output_pad
    for i in range(3):
        for y in range(4):
            for xx in range(5):
                full[:, 2 * y : 2 * y + 3, 2 * xx : 2 * xx + 3] += wt[i] * x[0, i, y, xx]
    np.testing.assert_array_equal(got[0], full[:, 1:9, 1:11])


@pytest.mark.parametrize("kind", ["add", "sub", "xor", "or"])
def test_eltwise_pool_after_and_three_operands(kind: str) -> None:
    rng = np.random.default_rng(3)
    layer = QuantLayer(
        "e",
        "none",
        np.zeros(0, np.int8),
        None,
        8,
        0,
        eltwise=kind,
        operands=3,
        pool=Pool("avg", (2, 2), 2),
        pool_first=False,
    )
    model = QuantModel("e", "1", (6, 4, 4), (), "pixel_minus_128", [layer])
    x = rng.integers(-128, 128, (2, 6, 4, 4))
    a, b, c = x[:, 0:2], x[:, 2:4], x[:, 4:6]
    ops = {"add": np.add, "sub": np.subtract, "xor": np.bitwise_xor, "or": np.bitwise_or}
    comb = np.clip(ops[kind](ops[kind](a, b), c), -128, 127)
    s = comb.reshape(2, 2, 2, 2, 2, 2).sum(axis=(3, 5))
    np.testing.assert_array_equal(run_outputs(model, x)["e"], np.trunc(s / 4).astype(np.int64))


def test_bad_graphs_are_refused_naming_the_layer() -> None:
    w = np.zeros((2, 2, 1, 1), np.int8)
    with pytest.raises(ModelFormatError, match=r"'b'.*not an earlier layer"):
        QuantModel(
            "x", "1", (2, 4, 4), (), "m", [_layer("b", "conv2d", w, inputs=("zz",))]
        ).validate()
    with pytest.raises(GraphError, match="equal operands"):
        geometry(
            (3, 4, 4),
            [QuantLayer("e", "none", np.zeros(0, np.int8), None, 8, 0, eltwise="add", operands=2)],
        )


def test_graph_legality_names_layer_and_rule_and_accepts_random_graphs() -> None:
    from golden.graph_legality import graph_violations
    from golden.random_graphs import random_graph

    assert all(not graph_violations(random_graph(s)) for s in range(16))
    rng = np.random.default_rng(4)
    model = QuantModel("x", "1", (3, 6, 6), (), "m", [
        _layer("a", "conv2d", rng.integers(-8, 8, (4, 3, 3, 3)), pad=1),
        _layer("b", "conv2d", rng.integers(-8, 8, (2, 4, 3, 3)), inputs=("a",), pad=1),
        _layer("b2", "conv2d", rng.integers(-8, 8, (2, 2, 1, 1)), pad=1),
        _layer("c", "conv2d", rng.integers(-8, 8, (2, 6, 1, 1)), inputs=("a", "b")),
        QuantLayer("p", "none", np.zeros(0, np.int8), None, 8, 0, activation="relu"),
    ])  # fmt: skip
    found = "\n".join(graph_violations(model))
    assert "layer 'b2': padding 1 must be 0..2 and smaller than the kernel (1)" in found
    assert "layer 'c': in_sequences inputs need equal channel counts" in found
    assert "layer 'p': a passthrough layer cannot activate" in found


def test_inspect_draws_a_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ferhil.cli import main
    from golden.random_graphs import random_graph

    path = save(random_graph(1), tmp_path / "g")
    assert main(["inspect", "--model", str(path)]) == 0
    text = capsys.readouterr().out
    assert "<- l1, l2" in text and "Legality: OK" in text and "mem B" in text
