"""MACs, weight memory and simulated cycles of graph models (golden.graph_resources, cost)."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytest

from golden.cli import format_graph, inspect_graph
from golden.cost import estimate_cost, estimate_layers
from golden.graph import as_shape3
from golden.graph_resources import graph_resources
from golden.random_graphs import KINDS, random_graph
from golden.resources import model_resources, shapes_from_model
from golden.synthetic import random_legal_model


@pytest.mark.parametrize("seed", range(6))
def test_sequential_models_count_the_same_both_ways(seed: int) -> None:
    model = random_legal_model(np.random.default_rng(seed), max_layers=5, max_channels=80)
    seq = model_resources(model)
    assert not seq.shape_errors
    assert [asdict(r) for r in graph_resources(model).layers] == [asdict(r) for r in seq.layers]
    cost = estimate_layers(shapes_from_model(model), as_shape3(model.input_shape))
    assert estimate_cost(model).total_cycles == cost.total_cycles


@pytest.mark.parametrize("seed", range(len(KINDS) * 2))
def test_graph_models_count_macs_weights_and_cycles(seed: int) -> None:
    model = random_graph(seed)
    res = graph_resources(model)
    assert len(res.layers) == len(model.layers)
    for layer, r in zip(model.layers, res.layers, strict=True):
        if not layer.has_weights:
            assert r.macs == r.weight_bytes == r.kernel_words_per_processor == 0
            continue
        _, oh, ow = r.output_shape
        assert r.macs == layer.weights.size * oh * ow > 0
        assert r.weight_bytes == layer.weights.size * layer.weight_bits // 8
        assert r.bias_bytes == (r.output_shape[0] if layer.bias is not None else 0)
        assert r.input_passes == max(1, -(-r.pooled_shape[0] // 64))
    cost = estimate_cost(model)
    assert cost.total_cycles > len(model.layers) and len(cost.layer_cycles) == len(model.layers)
    info = inspect_graph(model)
    assert info["resources"]["total_macs"] == res.total_macs
    assert [row["macs"] for row in info["graph"]] == [r.macs for r in res.layers]
    text = format_graph(info)
    assert f"MACs {res.total_macs:,}" in text and "simulated latency" in text


def test_multipass_layer_needs_two_passes() -> None:
    model = random_graph(KINDS.index("multipass"))
    passes = [r.input_passes for r in graph_resources(model).layers]
    assert max(passes) == 2, passes
